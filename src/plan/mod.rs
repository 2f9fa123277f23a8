//! The typed plan: a petgraph DAG whose nodes are operator instances with
//! resolved, typed arguments and whose edges are data flow. [`build`] makes
//! it from the AST and type-checks it before any data is read; the optimizer
//! rewrites it; the visualizer and executor read it.
//!
//! A node holds one or more [`Step`]s: one as written, several after `fuse`
//! (a chain run as one task per partition). A step's [`Phase`] says whether it
//! is a whole operator or the partial / merge half of an aggregation.

mod build;
pub mod expr;

pub use build::{build, build_with, Overrides, Schemas};

use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::ops::{Arg, ArgVal, Kind, OpDef, PKind};
use crate::syntax::ast::Span;
use crate::text::fmt_size;
use crate::types::Coll;
use crate::value::json::Projection;
use crate::value::Value;

pub type NodeId = NodeIndex;

/// Which part of an operator a step runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// The whole operator.
    Whole,
    /// An aggregation's per-partition step.
    Partial,
    /// An aggregation's merge of the partial results.
    Merge,
}

/// One operator instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub op: &'static OpDef,
    pub phase: Phase,
    pub args: Vec<ArgVal>,
    /// Every option of the operator, in catalog order; `None` = absent.
    pub opts: Vec<(&'static str, Option<ArgVal>)>,
    /// The stage in the script.
    pub span: Span,
    /// 1-based line and column of the stage.
    pub pos: (usize, usize),
    /// The output type of this step.
    pub ty: Coll,
    /// For a `read_json` / `read_csv` source: the only parts of each record
    /// the pipeline reads, so the reader builds no more (set by the
    /// `project` pass; `None`: whole records).
    pub project: Option<Projection>,
}

impl Step {
    pub fn opt(&self, name: &str) -> Option<&Arg> {
        self.opts
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, a)| a.as_ref().map(|a| &a.arg))
    }
    pub fn opt_span(&self, name: &str) -> Option<Span> {
        self.opts
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, a)| a.as_ref().and_then(|a| a.span))
    }
    pub fn arg(&self, i: usize) -> Option<&Arg> {
        self.args.get(i).map(|a| &a.arg)
    }

    /// The operator with its arguments and non-default options, as flow source.
    pub fn label(&self) -> String {
        let mut s = self.op.name.to_string();
        for a in &self.args {
            s.push(' ');
            s += &fmt_arg(&a.arg, true);
        }
        for (name, a) in &self.opts {
            let Some(a) = a else { continue };
            let default = self.op.option(name).and_then(|o| o.default.value());
            if let (Arg::Value(v), Some(d)) = (&a.arg, default) {
                if *v == d {
                    continue;
                }
            }
            let size = self.op.option(name).is_some_and(|o| o.kind == PKind::Size);
            let v = if size {
                match &a.arg {
                    Arg::Value(Value::Int(n)) => fmt_size(*n as u64),
                    other => fmt_arg(other, false),
                }
            } else {
                fmt_arg(&a.arg, false)
            };
            s += &format!(" {name}={v}");
        }
        if let Some(p) = &self.project {
            s += &format!(" (reads {})", projection_paths(p).join(" "));
        }
        match self.phase {
            Phase::Whole => s,
            Phase::Partial => format!("{s} (partial)"),
            Phase::Merge => format!("{s} (merge)"),
        }
    }
}

/// An argument as source text; an expression that is not one term is parenthesized
/// when `positional` is false (an option value) .
fn fmt_arg(a: &Arg, positional: bool) -> String {
    match a {
        Arg::Value(v) => v.to_string(),
        Arg::Expr(e) => {
            let s = e.to_string();
            let simple = !s.contains(' ')
                || s.starts_with('"') && s.ends_with('"') && !s[1..s.len() - 1].contains('"');
            if positional || simple {
                s
            } else {
                format!("({s})")
            }
        }
        Arg::Agg(a) => a.to_string(),
        Arg::Input(n) => n.clone(),
    }
}

/// A node of the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// One step as written; a fused chain after optimization (run in order).
    pub steps: Vec<Step>,
    /// Names bound to this node's result (`let NAME = …`).
    pub names: Vec<String>,
    /// Keep this node's result (the REPL caches bound collections): the
    /// optimizer treats it as one more use, so nothing is fused past it.
    pub persist: bool,
}

impl Node {
    pub fn ty(&self) -> &Coll {
        &self.steps.last().expect("a node has a step").ty
    }
    pub fn first(&self) -> &Step {
        &self.steps[0]
    }
    pub fn last(&self) -> &Step {
        self.steps.last().expect("a node has a step")
    }
    pub fn kind(&self) -> Kind {
        self.first().op.kind
    }
    pub fn is_source(&self) -> bool {
        self.first().op.kind == Kind::Source
    }
    pub fn pos(&self) -> (usize, usize) {
        self.first().pos
    }
}

/// An output statement: its node, printed (or written) in script order.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub node: NodeId,
    pub span: Span,
}

/// The output statements each node is, by index into [`Plan::outputs`].
pub type OutputIndex = std::collections::HashMap<NodeId, Vec<usize>>;

/// The typed DAG. Edge weights are input ports: the order of a node's inputs.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub graph: StableDiGraph<Node, usize>,
    pub outputs: Vec<Output>,
}

impl Plan {
    /// The inputs of `n`, in port order.
    pub fn inputs(&self, n: NodeId) -> Vec<NodeId> {
        let mut e: Vec<(usize, NodeId)> = self
            .graph
            .edges_directed(n, Direction::Incoming)
            .map(|e| (*e.weight(), e.source()))
            .collect();
        e.sort();
        e.into_iter().map(|(_, s)| s).collect()
    }

    /// The nodes that read `n`, by id (one entry per edge).
    pub fn consumers(&self, n: NodeId) -> Vec<NodeId> {
        let mut c: Vec<NodeId> = self
            .graph
            .neighbors_directed(n, Direction::Outgoing)
            .collect();
        c.sort();
        c
    }

    /// How many times `n` is used: by other nodes and as an output.
    pub fn uses(&self, n: NodeId) -> usize {
        let outputs = self.outputs.iter().filter(|o| o.node == n).count();
        self.uses_given(n, outputs)
    }

    /// [`Plan::uses`] with the outputs looked up in `index` (a pass that asks
    /// for every node keeps one, so it stays linear in the plan).
    pub fn uses_in(&self, n: NodeId, index: &OutputIndex) -> usize {
        self.uses_given(n, index.get(&n).map_or(0, Vec::len))
    }

    fn uses_given(&self, n: NodeId, outputs: usize) -> usize {
        self.graph.edges_directed(n, Direction::Outgoing).count()
            + outputs
            + usize::from(self.graph[n].persist)
    }

    /// The output statements (by index) that each node is.
    pub fn output_index(&self) -> OutputIndex {
        let mut index = OutputIndex::new();
        for (i, o) in self.outputs.iter().enumerate() {
            index.entry(o.node).or_default().push(i);
        }
        index
    }

    /// Makes the outputs that `from` was into outputs of `to`.
    pub fn move_outputs(&mut self, from: NodeId, to: NodeId, index: &mut OutputIndex) {
        if let Some(outs) = index.remove(&from) {
            for &i in &outs {
                self.outputs[i].node = to;
            }
            index.entry(to).or_default().extend(outs);
        }
    }

    /// All nodes in a deterministic topological order (ties by node id).
    pub fn topo(&self) -> Vec<NodeId> {
        let mut indeg: std::collections::BTreeMap<NodeId, usize> = self
            .graph
            .node_indices()
            .map(|n| (n, self.graph.edges_directed(n, Direction::Incoming).count()))
            .collect();
        let mut ready: std::collections::BTreeSet<NodeId> = indeg
            .iter()
            .filter(|(_, d)| **d == 0)
            .map(|(n, _)| *n)
            .collect();
        let mut order = Vec::with_capacity(indeg.len());
        while let Some(n) = ready.pop_first() {
            order.push(n);
            for c in self.consumers(n) {
                let d = indeg.get_mut(&c).expect("consumer is a node");
                *d -= 1;
                if *d == 0 {
                    ready.insert(c);
                }
            }
        }
        order
    }

    /// A short stable name for each node: `n0`, `n1`, … by topological
    /// position (what the visualizations and `--profile` call nodes).
    pub fn node_names(&self) -> std::collections::HashMap<NodeId, String> {
        self.topo()
            .into_iter()
            .enumerate()
            .map(|(i, n)| (n, format!("n{i}")))
            .collect()
    }

    /// Checks the invariants every pass must keep: acyclic, every node has a
    /// step, every consumer's input count matches its operator, outputs exist.
    pub fn validate(&self) -> Result<(), String> {
        if self.topo().len() != self.graph.node_count() {
            return Err("the plan has a cycle".into());
        }
        for n in self.graph.node_indices() {
            let node = &self.graph[n];
            if node.steps.is_empty() {
                return Err(format!("node {} has no step", n.index()));
            }
            let ins = self.inputs(n).len();
            match node.kind() {
                Kind::Source if ins != 0 => {
                    return Err(format!("source node {} has inputs", n.index()))
                }
                Kind::Combine if ins == 0 => {
                    return Err(format!("concat node {} has no inputs", n.index()))
                }
                Kind::Join if ins != 2 => {
                    return Err(format!(
                        "join node {} has {ins} inputs, expected 2",
                        n.index()
                    ))
                }
                Kind::Elementwise | Kind::Aggregate | Kind::Sink(_) if ins != 1 => {
                    return Err(format!("node {} has {ins} inputs, expected 1", n.index()))
                }
                _ => {}
            }
        }
        for o in &self.outputs {
            if !self.graph.contains_node(o.node) {
                return Err("an output points at a removed node".into());
            }
        }
        Ok(())
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    Lines::new(src).line_col(src, offset)
}

/// Where each line of a text starts, so that positions are found in time
/// proportional to the line, not to the text before it.
pub struct Lines {
    starts: Vec<usize>,
    /// The last position asked for (offset, line, column): positions are
    /// asked for in order, so a long line is counted across once.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl Lines {
    pub fn new(src: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1));
        Lines {
            starts,
            last: std::cell::Cell::new((0, 1, 1)),
        }
    }

    /// 1-based line and column (in characters) of a byte offset of `src`.
    pub fn line_col(&self, src: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(src.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let (last_offset, last_line, last_col) = self.last.get();
        let (from, col) = if last_line == line && last_offset >= start && last_offset <= offset {
            (last_offset, last_col)
        } else {
            (start, 1)
        };
        let col = col + src.get(from..offset).map_or(0, |l| l.chars().count());
        self.last.set((offset, line, col));
        (line, col)
    }
}

/// The paths a projection reads, as flow writes them: `.status`, `.user.id`,
/// and `.user{}` for a key whose presence alone is tested; `nothing` when a
/// record's content is not read at all (`count`).
pub fn projection_paths(p: &Projection) -> Vec<String> {
    fn walk(p: &Projection, prefix: &str, out: &mut Vec<String>) {
        for (k, sub) in &p.0 {
            let key = if crate::syntax::ast::is_ident(k) {
                format!("{prefix}.{k}")
            } else {
                format!("{prefix}.{}", crate::text::quote(k))
            };
            match sub {
                None => out.push(key),
                Some(sub) if sub.0.is_empty() => out.push(format!("{key}{{}}")),
                Some(sub) => walk(sub, &key, out),
            }
        }
    }
    let mut out = Vec::new();
    walk(p, "", &mut out);
    if out.is_empty() {
        out.push("nothing".into());
    }
    out
}
