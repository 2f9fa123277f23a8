//! Lowering: a plan as the tasks that run it. Computed once per run by
//! [`lower`] and read by everything that needs the per-partition view: the
//! executor, `flow check` (which resolves the globs), `--visualize=tasks`,
//! `--profile`, the progress bar and any observer.
//!
//! A node runs as: an optional head (a source, a merge, a concat, a join's
//! probe, a sink, or a whole aggregation in a plan as written), a chain of
//! elementwise steps, and an optional partial aggregation — `tasks` tasks, one per partition, each
//! reading its input as [`Feed`] says.
//!
//! ```text
//! read_text "a/*.txt" | lower | count     (3 splits)
//!   n0  head read_text, chain [lower], partial count    3 tasks, Feed::None
//!   n1  head count (merge)                               1 task,  Feed::All(n0)
//! ```

use std::collections::HashMap;
use std::ops::Range;

use super::source::{file_source, range_partitions, FileSource};
use crate::diag::Diags;
use crate::ops::{Arg, Kind, OpId};
use crate::plan::{NodeId, Phase, Plan, Step};
use crate::value::Value;

/// How the tasks of a node read their input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Feed {
    /// A source: no input.
    None,
    /// Task `i` reads partition `i` of the input.
    Same(NodeId),
    /// One task reads every partition of the input, in order.
    All(NodeId),
    /// Task `i` is one partition of one input, the inputs in order (`concat`).
    Concat(Vec<NodeId>),
    /// Task `i` probes partition `i` of `left` against a hash table built
    /// once from every partition of `table` (`join`).
    Probe { left: NodeId, table: NodeId },
}

/// One node as tasks.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeTasks {
    pub node: NodeId,
    /// The index of the head step (always 0), when the node has one.
    pub head: Option<usize>,
    /// The elementwise steps run on each element.
    pub chain: Range<usize>,
    /// The index of the partial aggregation ending the node, if any.
    pub partial: Option<usize>,
    /// How many tasks (partitions) the node runs as.
    pub tasks: usize,
    pub feed: Feed,
    /// Gzip text: each of the `tasks` files is decompressed as a stream of
    /// blocks, and each block runs as a task of its own; how many is known
    /// only while reading.
    pub streamed: bool,
    /// Bytes of input files this node reads (a source), by task.
    pub bytes: Vec<u64>,
    /// How many elements a source yields, when that is known before it
    /// runs (`range N`, `from [...]`).
    pub elements: Option<u64>,
}

impl NodeTasks {
    pub fn head_step<'p>(&self, plan: &'p Plan) -> Option<&'p Step> {
        self.head.map(|i| &plan.graph[self.node].steps[i])
    }
    pub fn chain_steps<'p>(&self, plan: &'p Plan) -> &'p [Step] {
        &plan.graph[self.node].steps[self.chain.clone()]
    }
    pub fn partial_step<'p>(&self, plan: &'p Plan) -> Option<&'p Step> {
        self.partial.map(|i| &plan.graph[self.node].steps[i])
    }
    /// Bytes this node reads from files.
    pub fn total_bytes(&self) -> u64 {
        self.bytes.iter().sum()
    }
}

/// A plan as tasks: every node in topological order, and the files its
/// sources read.
#[derive(Debug)]
pub struct Lowered {
    pub order: Vec<NodeId>,
    nodes: HashMap<NodeId, NodeTasks>,
    /// Resolved files and splits of each file source.
    pub(crate) files: HashMap<NodeId, FileSource>,
}

impl Lowered {
    pub fn node(&self, n: NodeId) -> &NodeTasks {
        &self.nodes[&n]
    }
    /// Every node's tasks, in topological order.
    pub fn nodes(&self) -> impl Iterator<Item = &NodeTasks> {
        self.order.iter().map(|n| &self.nodes[n])
    }
    /// Tasks of every node (a streamed gzip node counts one per file).
    pub fn total_tasks(&self) -> usize {
        self.nodes.values().map(|t| t.tasks).sum()
    }
    /// Bytes of every input file (compressed size for gzip).
    pub fn total_bytes(&self) -> u64 {
        self.nodes.values().map(NodeTasks::total_bytes).sum()
    }
}

/// Splits a node's steps into head, elementwise chain and partial tail.
pub fn shape(steps: &[Step]) -> (Option<usize>, Range<usize>, Option<usize>) {
    let first = &steps[0];
    let is_head = first.op.kind != Kind::Elementwise && first.phase != Phase::Partial;
    let start = usize::from(is_head);
    let partial = steps.len() > start && steps[steps.len() - 1].phase == Phase::Partial;
    let end = steps.len() - usize::from(partial);
    (
        is_head.then_some(0),
        start..end,
        partial.then_some(steps.len() - 1),
    )
}

/// A sink with `*` in its path writes one file per partition, in parallel;
/// without, it writes one file, partitions in order.
pub fn per_partition_sink(step: &Step) -> bool {
    matches!(step.arg(0), Some(Arg::Value(Value::Str(p))) if p.contains('*'))
}

/// Lowers a plan: resolves every file source (stats files, reads nothing;
/// all missing inputs are reported together) and gives each node its tasks.
///
/// It reads no data: a CSV file's partitions are its nominal byte ranges.
/// A run finds where each range's first row starts ([`lower_to_run`]).
pub fn lower(plan: &Plan, threads: usize) -> Result<Lowered, Diags> {
    lower_with(plan, &mut |_, step| {
        source_tasks(step, threads, false, false)
    })
}

/// [`lower`] for a run: a CSV file larger than the blocksize is scanned
/// for where rows start (one partition when a quote is never closed);
/// `general`: each CSV file is one partition (see [`super::Ctx::general`]).
pub fn lower_to_run(plan: &Plan, threads: usize, general: bool) -> Result<Lowered, Diags> {
    lower_with(plan, &mut |_, step| {
        source_tasks(step, threads, general, true)
    })
}

/// Lowers a plan whose sources have the given partition counts (1 when not
/// given), without looking at any file: for pictures and tests of the rules.
pub fn lower_counts(plan: &Plan, counts: &HashMap<NodeId, usize>) -> Lowered {
    let mut given = |n: NodeId, _: &Step| Ok((counts.get(&n).copied().unwrap_or(1), None, None));
    match lower_with(plan, &mut given) {
        Ok(l) => l,
        Err(_) => unreachable!("given counts cannot fail"),
    }
}

/// A source's task count, its files when it reads files, and how many
/// elements it yields when that is known before it runs.
type SourceInfo = (usize, Option<FileSource>, Option<u64>);

type SourceTasks<'a> = dyn FnMut(NodeId, &Step) -> Result<SourceInfo, crate::diag::Diag> + 'a;

fn lower_with(plan: &Plan, source: &mut SourceTasks) -> Result<Lowered, Diags> {
    let order = plan.topo();
    let mut nodes: HashMap<NodeId, NodeTasks> = HashMap::new();
    let mut files = HashMap::new();
    let mut diags = Diags::default();
    for &n in &order {
        let steps = &plan.graph[n].steps;
        let (head, chain, partial) = shape(steps);
        let first = &steps[0];
        let inputs = plan.inputs(n);
        let count = |i: &NodeId| nodes.get(i).map_or(1, |t: &NodeTasks| t.tasks);
        let mut elements = None;
        let (tasks, feed, streamed, bytes) = match (first.op.kind, head.is_some()) {
            (Kind::Source, _) => match source(n, first) {
                Ok((tasks, fs, known)) => {
                    elements = known;
                    let streamed = fs.as_ref().is_some_and(|fs| {
                        // Lines of a gzip file are cut into blocks as they are
                        // decompressed; CSV rows are not (a quoted field may span lines).
                        first.op.option("blocksize").is_some()
                            && first.op.id != OpId::ReadCsv
                            && fs.files.iter().any(|f| f.gzip)
                    });
                    let bytes = match &fs {
                        Some(fs) => fs
                            .splits
                            .iter()
                            .map(|s| s.end.min(fs.files[s.file].size).saturating_sub(s.start))
                            .collect(),
                        None => vec![0; tasks],
                    };
                    if let Some(fs) = fs {
                        files.insert(n, fs);
                    }
                    (tasks, Feed::None, streamed, bytes)
                }
                Err(d) => {
                    diags.push(d);
                    (1, Feed::None, false, vec![0])
                }
            },
            (Kind::Combine, _) => {
                let tasks = inputs.iter().map(count).sum();
                (tasks, Feed::Concat(inputs.clone()), false, vec![0; tasks])
            }
            (Kind::Join, _) => {
                let tasks = count(&inputs[0]);
                let feed = Feed::Probe {
                    left: inputs[0],
                    table: inputs[1],
                };
                (tasks, feed, false, vec![0; tasks])
            }
            (Kind::Aggregate, true) => (1, Feed::All(inputs[0]), false, vec![0]),
            (Kind::Sink(_), _) if per_partition_sink(first) => {
                let tasks = count(&inputs[0]);
                (tasks, Feed::Same(inputs[0]), false, vec![0; tasks])
            }
            (Kind::Sink(_), _) => (1, Feed::All(inputs[0]), false, vec![0]),
            (Kind::Elementwise | Kind::Aggregate, _) => {
                let tasks = count(&inputs[0]);
                (tasks, Feed::Same(inputs[0]), false, vec![0; tasks])
            }
        };
        nodes.insert(
            n,
            NodeTasks {
                node: n,
                head,
                chain,
                partial,
                tasks,
                feed,
                streamed,
                bytes,
                elements,
            },
        );
    }
    diags.into_result(Lowered {
        order,
        nodes,
        files,
    })
}

/// A source's partition count, files and known element count.
fn source_tasks(
    step: &Step,
    threads: usize,
    general: bool,
    scan: bool,
) -> Result<SourceInfo, crate::diag::Diag> {
    Ok(match step.op.id {
        OpId::ReadText | OpId::ReadJson | OpId::ReadCsv => {
            let fs = file_source(step, threads, general, scan)?;
            (fs.splits.len(), Some(fs), None)
        }
        OpId::Range => match step.arg(0) {
            Some(Arg::Value(Value::Int(n))) => {
                (range_partitions(*n), None, Some((*n).max(0) as u64))
            }
            _ => (1, None, None),
        },
        OpId::From => match step.arg(0) {
            Some(Arg::Value(Value::List(items))) => (1, None, Some(items.len() as u64)),
            _ => (1, None, None),
        },
        OpId::Stdin => (1, None, None),
        other @ (OpId::Lower
        | OpId::Upper
        | OpId::Strip
        | OpId::Split
        | OpId::Purge
        | OpId::Replace
        | OpId::Map
        | OpId::Filter
        | OpId::Flatten
        | OpId::Pluck
        | OpId::ParseJson
        | OpId::ToJson
        | OpId::Count
        | OpId::Sum
        | OpId::Min
        | OpId::Max
        | OpId::Mean
        | OpId::Distinct
        | OpId::Frequencies
        | OpId::Topk
        | OpId::Sort
        | OpId::Take
        | OpId::Groupby
        | OpId::Concat
        | OpId::Join
        | OpId::WriteText
        | OpId::WriteJson
        | OpId::WriteCsv) => unreachable!("{other:?} is not a source"),
    })
}
