//! Execution: partitioning, fused per-partition kernels, partial/merge
//! aggregation, the rayon driver, sinks and output. The only module that
//! does IO or spawns threads.
//!
//! A plan node runs as: an optional head (a source, a merge, a concat, a
//! sink, or a whole aggregation in an unoptimized plan), then a chain of
//! elementwise steps, then an optional partial aggregation — one task per
//! partition. Results merge in partition order, so output never depends on
//! the thread count or the blocksize.

pub mod agg;
mod csvrows;
pub mod dask;
pub mod elem;
pub mod eval;
mod join;
pub mod kernel;
pub mod lower;
pub mod observe;
pub mod output;
pub mod profile;
pub mod progress;
pub mod read;
pub mod source;
mod sources;
pub use sources::source_fields;
pub mod strkernel;
pub mod watch;
pub mod wordtable;
mod write;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rayon::prelude::*;

use crate::diag::{Diag, Diags};
use crate::ops::{Arg, Kind, SinkFormat};
use crate::plan::{NodeId, Phase, Plan};
use crate::types::Coll;
use crate::value::Value;
use agg::{Partial, PartialSink, Spec};
use elem::Elem;
use eval::Env;
use kernel::{Collect, KStep, Sink};
pub use lower::{lower, Feed, Lowered, NodeTasks};
pub use observe::{Event, Observer};
pub use write::{remove_temporaries, Staged};

/// Whether a producer should go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctl {
    Continue,
    Stop,
}

/// Stack of each worker thread: room for the deepest expression the parser
/// accepts, in a debug build too.
const WORKER_STACK: usize = 64 << 20;

/// What a face asks of a run: built by the command line, the REPL or a
/// test; nothing in `exec` knows where the options came from.
#[derive(Clone)]
pub struct ExecOptions {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Keep only the first N elements of each bag output nothing else reads
    /// (see [`Ctx::preview`]).
    pub preview: Option<usize>,
    /// Set (e.g. by Ctrl-C) to stop the run.
    pub cancel: Arc<AtomicBool>,
    /// Who watches the run: `--profile`, the progress bar, a dashboard.
    pub observers: Vec<Arc<dyn Observer>>,
    /// Where outputs go as soon as each is known (the command line's
    /// printer); `None`: they are returned in the [`RunReport`].
    pub emitter: Option<Arc<Mutex<dyn output::Emitter>>>,
}

impl ExecOptions {
    pub fn new(threads: usize) -> ExecOptions {
        ExecOptions {
            threads: threads.max(1),
            preview: None,
            cancel: Arc::new(AtomicBool::new(false)),
            observers: Vec::new(),
            emitter: None,
        }
    }
}

/// Runs a plan as `opts` says, reusing and filling `cache` for nodes
/// marked `persist`; every output in script order.
pub fn run(plan: &Plan, opts: &ExecOptions, cache: Option<&mut Cache>) -> Result<RunReport, Diags> {
    let mut ctx = Ctx::new(opts.threads);
    ctx.cancel = opts.cancel.clone();
    ctx.preview = opts.preview;
    ctx.observers = opts.observers.clone();
    ctx.emitter = opts.emitter.clone();
    execute_cached(plan, &ctx, cache)
}

/// Shared state of one run.
pub struct Ctx {
    pub threads: usize,
    /// Set (e.g. by Ctrl-C) to stop the run between and inside partitions.
    pub cancel: Arc<AtomicBool>,
    /// Who watches the run (see [`observe`]); empty: nothing is recorded.
    pub observers: Vec<Arc<dyn Observer>>,
    /// Where outputs go as soon as known (see [`ExecOptions::emitter`]).
    pub emitter: Option<Arc<Mutex<dyn output::Emitter>>>,
    /// Bytes physically read from input files, overlaps between partitions
    /// included (how much IO a read costs, as tests of the reader check).
    pub bytes_io: AtomicU64,
    /// Keep only the first N elements of each bag output that nothing else
    /// reads (counting the rest), as a REPL shows them: such an output
    /// then streams instead of being held whole.
    pub preview: Option<usize>,
    /// Take the general path everywhere: whole records read by serde_json,
    /// each CSV file in one partition, groups keyed by boxed values. The
    /// fast paths must give exactly what it gives; tests compare them.
    pub general: bool,
}

impl Ctx {
    pub fn new(threads: usize) -> Ctx {
        Ctx {
            threads: threads.max(1),
            cancel: Arc::new(AtomicBool::new(false)),
            observers: Vec::new(),
            emitter: None,
            bytes_io: AtomicU64::new(0),
            preview: None,
            general: false,
        }
    }
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
    /// Whether anyone watches: build events only then.
    pub fn observed(&self) -> bool {
        !self.observers.is_empty()
    }
    pub fn emit(&self, event: &Event<'_>) {
        for o in &self.observers {
            o.event(event);
        }
    }
    /// Input bytes were read (for progress).
    pub fn read(&self, bytes: u64) {
        if self.observed() {
            self.emit(&Event::BytesRead(bytes));
        }
    }
}

pub fn cancelled() -> Diag {
    Diag::run("flow::exec::cancelled", "cancelled")
}

/// The worker count: `--threads N`, else all cores.
pub fn thread_count(requested: Option<usize>) -> usize {
    requested
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// One output of a script: its type and its elements (one for a scalar).
#[derive(Clone, Debug, PartialEq)]
pub struct OutputData {
    pub ty: Coll,
    /// The elements; only the first ones under [`Ctx::preview`].
    pub values: Vec<Value>,
    /// How many elements there are (more than `values` holds in a preview).
    pub total: usize,
}

enum Data {
    Parts(Arc<Vec<Vec<Value>>>),
    Partials(Vec<Partial>),
    Written,
    /// Handed over partition by partition (to the emitter, or into the
    /// files of the sink that reads it); nothing kept. How many elements.
    Emitted(u64),
}

/// Results of persisted nodes kept between runs (the REPL's bound
/// collections, like Dask's `persist`), keyed by what computed them: the
/// steps, their inputs' keys, and the size and mtime of every file read.
pub struct Cache {
    entries: HashMap<String, Arc<Vec<Vec<Value>>>>,
    /// Insertion order, oldest first, for eviction.
    order: Vec<String>,
    /// Bytes the cache may hold (estimated).
    pub budget: usize,
    used: usize,
}

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            entries: HashMap::new(),
            order: Vec::new(),
            budget: 512 << 20,
            used: 0,
        }
    }
}

impl Cache {
    fn put(&mut self, key: String, parts: Arc<Vec<Vec<Value>>>) {
        let size: usize = parts.iter().flatten().map(approx_size).sum();
        if size > self.budget || self.entries.contains_key(&key) {
            return;
        }
        while self.used + size > self.budget && !self.order.is_empty() {
            let old = self.order.remove(0);
            if let Some(p) = self.entries.remove(&old) {
                self.used -= p.iter().flatten().map(approx_size).sum::<usize>();
            }
        }
        self.used += size;
        self.order.push(key.clone());
        self.entries.insert(key, parts);
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A rough count of the bytes a value holds.
fn approx_size(v: &Value) -> usize {
    32 + match v {
        Value::Str(s) => s.len(),
        Value::List(items) => items.iter().map(approx_size).sum(),
        Value::Record(r) => r.iter().map(|(k, v)| k.len() + approx_size(v)).sum(),
        _ => 0,
    }
}

/// What a run produced.
pub struct RunReport {
    pub outputs: Vec<OutputData>,
    /// Names of bound collections whose cached result was reused.
    pub reused: Vec<String>,
}

/// One node's run, for `--profile`.
#[derive(Clone, Debug)]
pub struct NodeProfile {
    pub node: NodeId,
    pub tally: Tally,
    pub wall: std::time::Duration,
    /// Bytes read from input files while the node ran.
    pub bytes: u64,
}

/// Runs a plan; returns every output in script order. All outputs are
/// computed in one run: a node with several consumers is computed once.
pub fn execute(plan: &Plan, ctx: &Ctx) -> Result<Vec<OutputData>, Diags> {
    execute_cached(plan, ctx, None).map(|r| r.outputs)
}

/// [`execute`], reusing and filling `cache` for nodes marked `persist`.
pub fn execute_cached(
    plan: &Plan,
    ctx: &Ctx,
    cache: Option<&mut Cache>,
) -> Result<RunReport, Diags> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(ctx.threads)
        // The evaluator recurses on expressions up to `syntax::MAX_DEPTH`
        // deep; a worker's stack is reserved, not committed, until used.
        .stack_size(WORKER_STACK)
        .build()
        .map_err(|e| {
            Diags::from(Diag::run(
                "flow::exec::threads",
                format!(
                    "cannot start worker threads: {}",
                    crate::diag::io_reason(&e)
                ),
            ))
        })?;
    // Resolve every file source first, so all missing inputs are reported together.
    let lowered = lower::lower_to_run(plan, ctx.threads, ctx.general)?;
    ctx.emit(&Event::Started {
        plan,
        lowered: &lowered,
        threads: ctx.threads,
    });
    let mut env = Env::default();
    for n in plan.graph.node_indices() {
        for step in &plan.graph[n].steps {
            for a in step
                .args
                .iter()
                .chain(step.opts.iter().filter_map(|(_, a)| a.as_ref()))
            {
                if let Arg::Expr(e) = &a.arg {
                    env.prepare(e);
                }
            }
        }
    }
    let sink_paths = plan
        .graph
        .node_weights()
        .flat_map(|n| &n.steps)
        .filter_map(|s| match (s.op.kind, s.arg(0)) {
            (Kind::Sink(_), Some(Arg::Value(Value::Str(p)))) => Some(&**p),
            _ => None,
        });
    let pending = Mutex::new(write::Pending::for_sinks(sink_paths));
    let run = Run {
        plan,
        ctx,
        env: &env,
        lowered: &lowered,
        pending: &pending,
    };
    let result = pool.install(|| run_all(&run, cache));
    // Sink files appear only when the whole run succeeded.
    let pending = pending.into_inner().unwrap_or_else(|e| e.into_inner());
    let result = match result {
        Ok(report) => write::commit(pending).map(|_| report).map_err(Diags::from),
        Err(d) => {
            write::discard(pending);
            Err(d.into())
        }
    };
    ctx.emit(&Event::Finished { ok: result.is_ok() });
    result
}

/// Structural keys of every node: steps (not spans), inputs' keys, files read.
fn node_keys(plan: &Plan, lowered: &Lowered) -> HashMap<NodeId, String> {
    let mut keys: HashMap<NodeId, String> = HashMap::new();
    for n in plan.topo() {
        let steps: Vec<String> = plan.graph[n]
            .steps
            .iter()
            .map(|s| format!("{:?}:{}", s.phase, s.label()))
            .collect();
        let ins: Vec<&str> = plan.inputs(n).iter().map(|i| keys[i].as_str()).collect();
        let key = format!(
            "{}[{}]{{{}}}",
            steps.join("|"),
            ins.join(","),
            lowered.fingerprint(n)
        );
        keys.insert(n, key);
    }
    keys
}

/// What every node of one run shares.
struct Run<'a> {
    plan: &'a Plan,
    ctx: &'a Ctx,
    env: &'a Env,
    lowered: &'a Lowered,
    /// Sink files written so far, renamed when the run succeeds.
    pending: &'a Mutex<write::Pending>,
}

fn run_all(run: &Run, mut cache: Option<&mut Cache>) -> Result<RunReport, Diag> {
    let (plan, ctx) = (run.plan, run.ctx);
    let keys = if cache.is_some() {
        node_keys(plan, run.lowered)
    } else {
        HashMap::new()
    };
    let mut results: HashMap<NodeId, Data> = HashMap::new();
    let mut reused = Vec::new();
    let emitter = ctx.emitter.clone();
    let mut next_out = 0;
    // Cached persisted nodes need nothing upstream of them.
    let hit = |n: NodeId| -> Option<Arc<Vec<Vec<Value>>>> {
        let c = cache.as_deref()?;
        if !plan.graph[n].persist {
            return None;
        }
        c.entries.get(keys.get(&n)?).cloned()
    };
    let mut needed: std::collections::HashSet<NodeId> = std::collections::HashSet::new();
    let mut stack: Vec<NodeId> = plan.outputs.iter().map(|o| o.node).collect();
    while let Some(n) = stack.pop() {
        if !needed.insert(n) {
            continue;
        }
        match hit(n) {
            Some(parts) => {
                reused.extend(plan.graph[n].names.iter().cloned());
                results.insert(n, Data::Parts(parts));
            }
            None => stack.extend(plan.inputs(n)),
        }
    }
    let mut remaining: HashMap<NodeId, usize> = HashMap::new();
    for &n in &needed {
        if !results.contains_key(&n) {
            for i in plan.inputs(n) {
                *remaining.entry(i).or_insert(0) += 1;
            }
        }
    }
    let is_output: std::collections::HashSet<NodeId> =
        plan.outputs.iter().map(|o| o.node).collect();
    // Element counts of previewed outputs.
    let mut totals: HashMap<NodeId, usize> = HashMap::new();
    for n in plan.topo() {
        if ctx.cancelled() {
            return Err(cancelled());
        }
        if !needed.contains(&n) || results.contains_key(&n) {
            continue;
        }
        let inputs = plan.inputs(n);
        let mut in_data: Vec<Data> = Vec::with_capacity(inputs.len());
        for i in &inputs {
            let left = remaining.get_mut(i).expect("input is a node");
            *left -= 1;
            let last_use = *left == 0 && !is_output.contains(i);
            let d = if last_use {
                results.remove(i)
            } else {
                results.get(i).map(share)
            };
            in_data.push(d.expect("inputs run before their consumers"));
        }
        let started = std::time::Instant::now();
        // An output nothing else reads, not kept for later inputs: keep
        // only what a preview shows.
        let keep = match ctx.preview {
            Some(k)
                if is_output.contains(&n)
                    && !remaining.contains_key(&n)
                    && !plan.graph[n].persist =>
            {
                k
            }
            _ => usize::MAX,
        };
        // The next output to hand over, if nothing else reads it, may go
        // to the emitter partition by partition as it is computed.
        let streamed = emitter.as_ref().and_then(|em| {
            let o = plan.outputs.get(next_out)?;
            let node = &plan.graph[n];
            let eligible = o.node == n
                && plan.outputs.iter().filter(|o| o.node == n).count() == 1
                && !remaining.contains_key(&n)
                && streams_out(run, n)
                && lock(em).streams(node.ty());
            eligible.then_some(em)
        });
        // A node whose only reader is a sink writes into the sink's files
        // as it is computed, a window of partitions at a time.
        let sink = (streamed.is_none() && streams_out(run, n))
            .then(|| match plan.consumers(n)[..] {
                [s] if plan.uses(n) == 1 => match plan.graph[s].first().op.kind {
                    Kind::Sink(f) => Some((s, f)),
                    _ => None,
                },
                _ => None,
            })
            .flatten();
        let (data, tally) = match (streamed, sink) {
            (None, Some((s, format))) => stream_into_sink(run, n, s, format, in_data, keep)?,
            (Some(em), _) => {
                lock(em)
                    .begin(next_out, plan.graph[n].ty())
                    .map_err(stdout_error)?;
                let mut give = |values: &[Value]| lock(em).rows(values).map_err(stdout_error);
                let r = run_node(run, n, in_data, keep, Some(&mut give))?;
                next_out += 1;
                r
            }
            (None, None) => run_node(run, n, in_data, keep, None)?,
        };
        if keep != usize::MAX {
            totals.insert(n, tally.counts.last().copied().unwrap_or(0) as usize);
        }
        let node_profile = NodeProfile {
            node: n,
            bytes: tally.bytes,
            tally,
            wall: started.elapsed(),
        };
        ctx.emit(&Event::NodeDone(&node_profile));
        if let (Some(c), Data::Parts(p), true) =
            (cache.as_deref_mut(), &data, plan.graph[n].persist)
        {
            c.put(keys[&n].clone(), p.clone());
        }
        results.insert(n, data);
        // Hand over every output now known, in script order.
        if let Some(em) = &emitter {
            while let Some(o) = plan.outputs.get(next_out) {
                let Some(data) = results.get(&o.node) else {
                    break;
                };
                let out = output_data(plan, o.node, data, &totals, ctx.preview);
                lock(em).whole(next_out, &out).map_err(stdout_error)?;
                next_out += 1;
            }
        }
    }
    if emitter.is_some() {
        // Everything went to the emitter.
        return Ok(RunReport {
            outputs: Vec::new(),
            reused,
        });
    }
    let mut outs = Vec::with_capacity(plan.outputs.len());
    for o in &plan.outputs {
        let data = results.get(&o.node).unwrap_or(&Data::Written);
        outs.push(output_data(plan, o.node, data, &totals, ctx.preview));
    }
    reused.sort();
    reused.dedup();
    Ok(RunReport {
        outputs: outs,
        reused,
    })
}

/// Whether node `n` can hand its output over a window of partitions at a
/// time: its tasks read indexed partitions and end in elements, not in a
/// partial, a merge or a sink, and nothing keeps its result.
fn streams_out(run: &Run, n: NodeId) -> bool {
    let node = &run.plan.graph[n];
    !node.persist
        && node.last().phase != Phase::Partial
        && !run.lowered.node(n).streamed
        && !matches!(node.kind(), Kind::Aggregate | Kind::Sink(_))
}

/// Runs node `n` straight into the files of the sink `s` that alone reads
/// it: with `*`, each partition is its own file; else one file, appended
/// in partition order. The sink's tasks are reported as they are written.
fn stream_into_sink(
    run: &Run,
    n: NodeId,
    s: NodeId,
    format: SinkFormat,
    inputs: Vec<Data>,
    keep: usize,
) -> Result<(Data, Tally), Diag> {
    let ctx = run.ctx;
    let step = run.plan.graph[s].first();
    if lower::per_partition_sink(step) {
        let mut next = 0;
        let mut give = |values: &[Value]| {
            let w = sink_task(ctx, s, next, || {
                let file = write::part_file(step, next, values);
                Ok((write::write(step, format, file)?, values.len() as u64))
            })?;
            lock(run.pending).add(vec![w]);
            next += 1;
            Ok(())
        };
        return run_node(run, n, inputs, keep, Some(&mut give));
    }
    // One task: the file, from its creation until it is closed.
    sink_task(ctx, s, 0, || {
        let mut file = write::Appender::create(step, format)?;
        let mut give = |values: &[Value]| file.append(values);
        let r = run_node(run, n, inputs, keep, Some(&mut give))?;
        lock(run.pending).add(vec![file.finish()?]);
        let elements = match &r {
            (Data::Emitted(k), _) => *k,
            _ => 0,
        };
        Ok((r, elements))
    })
}

/// Runs `write` as task `i` of sink node `node`, telling observers when it
/// starts and when it finishes (with the elements it wrote).
fn sink_task<R>(
    ctx: &Ctx,
    node: NodeId,
    i: usize,
    write: impl FnOnce() -> Result<(R, u64), Diag>,
) -> Result<R, Diag> {
    let worker = rayon::current_thread_index().unwrap_or(ctx.threads);
    let started = std::time::Instant::now();
    if ctx.observed() {
        ctx.emit(&Event::TaskStarted {
            node,
            partition: i,
            worker,
        });
    }
    let (r, elements) = write()?;
    if ctx.observed() {
        ctx.emit(&Event::TaskFinished(&observe::Task {
            node,
            partition: i,
            worker,
            started,
            finished: std::time::Instant::now(),
            elements_in: elements,
            elements_out: elements,
            bytes: 0,
        }));
    }
    Ok(r)
}

/// An output's elements as the face gets them.
fn output_data(
    plan: &Plan,
    n: NodeId,
    data: &Data,
    totals: &HashMap<NodeId, usize>,
    preview: Option<usize>,
) -> OutputData {
    let ty = plan.graph[n].ty().clone();
    let mut values: Vec<Value> = match data {
        Data::Parts(p) => p.iter().flatten().cloned().collect(),
        _ => Vec::new(),
    };
    let total = totals.get(&n).copied().unwrap_or(values.len());
    if let Some(k) = preview {
        values.truncate(k);
    }
    OutputData { ty, values, total }
}

/// A failed write to stdout; a closed pipe (`| head`) stops the run
/// quietly (the face exits 0 and prints nothing more).
pub(crate) fn stdout_error(e: std::io::Error) -> Diag {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Diag::run(STDOUT_CLOSED, "stdout was closed")
    } else {
        Diag::run(
            "flow::io::stdout",
            format!("cannot write to stdout: {}", crate::diag::io_reason(&e)),
        )
    }
}

/// The code of the error that stops a run whose reader went away (`| head`):
/// no one sees it; the command line exits 0.
pub const STDOUT_CLOSED: &str = "flow::io::stdout_closed";

fn share(d: &Data) -> Data {
    match d {
        Data::Parts(p) => Data::Parts(p.clone()),
        Data::Written => Data::Written,
        Data::Emitted(k) => Data::Emitted(*k),
        Data::Partials(_) => unreachable!("a partial result has one consumer, its merge"),
    }
}

/// Hands one partition of an output to the emitter.
type Stream<'s> = &'s mut dyn FnMut(&[Value]) -> Result<(), Diag>;

fn run_node(
    run: &Run,
    n: NodeId,
    inputs: Vec<Data>,
    keep: usize,
    stream: Option<Stream>,
) -> Result<(Data, Tally), Diag> {
    let (plan, ctx, env) = (run.plan, run.ctx, run.env);
    let tasks = run.lowered.node(n);
    let head = tasks.head_step(plan);
    let chain_steps = tasks.chain_steps(plan);
    let chain = kernel::compile(chain_steps);
    let spec = tasks.partial_step(plan).map(Spec::new);
    // The type flowing into the chain: the head's output, or the input node's.
    let chain_input = match head {
        Some(h) => Some(h.ty.clone()),
        None => plan.inputs(n).first().map(|i| plan.graph[*i].ty().clone()),
    };
    let strs = chain_input.and_then(|t| strkernel::StrChain::compile(chain_steps, &t, env));
    let mut work = Work::new(tasks, &chain, strs.as_ref(), spec.as_ref(), env, ctx);
    work.keep = keep;
    let single = |inputs: Vec<Data>| match inputs.into_iter().next() {
        Some(Data::Parts(p)) => p,
        _ => unreachable!("this node reads the parts of one input"),
    };
    let data = match head.map(|h| (h, h.op.kind, h.phase)) {
        Some((h, Kind::Source, _)) if tasks.streamed => work
            .run_stream(run.lowered.tasks(n, h, ctx), |t, f| {
                run.lowered.produce_task(n, h, t, ctx, f)
            }),
        Some((h, Kind::Source, _)) => work.run_or_stream(
            tasks.tasks,
            |i, f| run.lowered.produce(n, h, i, ctx, f),
            stream,
        ),
        Some((h, Kind::Aggregate, phase)) => {
            let hspec = Spec::new(h);
            // Skip ordering a set-like result when what follows ignores
            // order; make only the candidates of a `topk` right after it.
            let top = match (&spec, chain_steps.is_empty()) {
                (Some(s), true) if h.op.yields_counts => s.top_by_count(),
                _ => None,
            };
            let needs = if let Some(n) = top {
                agg::Needs::TopCount(n)
            } else if !chain_steps.is_empty() || spec.as_ref().is_none_or(|p| p.step.op.sees_order)
            {
                agg::Needs::Ordered
            } else {
                agg::Needs::Set
            };
            // One task: the merge (after, in a plan as written, folding every
            // input partition in order into one partial), whose result
            // streams into the rest of the node one element at a time.
            let once = Mutex::new(inputs.into_iter().next());
            work.run(1, |_, f| {
                let input = once.lock().map_or(None, |mut p| p.take());
                let partials = match (phase, input) {
                    (Phase::Merge, Some(Data::Partials(p))) => p,
                    (_, Some(Data::Parts(parts))) => {
                        let mut sink = PartialSink::new(&hspec, env);
                        for (i, p) in parts.iter().enumerate() {
                            sink.start(i as u64);
                            feed_values(p, ctx, &mut |item: Elem<'_>| sink.accept(item))?;
                        }
                        vec![sink.finish()]
                    }
                    _ => unreachable!("an aggregation reads parts or partials"),
                };
                agg::merge_into(&hspec, partials, needs, &mut |v| f.item(Elem::Value(v)))
            })
        }
        Some((_, Kind::Combine, _)) => {
            let mut parts: Vec<Vec<Value>> = Vec::new();
            for d in inputs {
                match d {
                    Data::Parts(p) => parts.extend(p.iter().cloned()),
                    _ => unreachable!("concat reads parts"),
                }
            }
            work.run_or_stream(parts.len(), |i, f| feed_values(&parts[i], ctx, f), stream)
        }
        Some((h, Kind::Join, _)) => {
            let mut ins = inputs.into_iter();
            let (Some(Data::Parts(left)), Some(Data::Parts(other))) = (ins.next(), ins.next())
            else {
                unreachable!("a join reads the parts of two inputs")
            };
            // The table first, whole: its errors come before the left side's.
            let table = join::Table::build(h, &other, env, ctx)?;
            drop(other);
            work.run_or_stream(
                left.len(),
                |i, f| join::probe(h, &table, &left[i], env, ctx, f),
                stream,
            )
        }
        Some((_, Kind::Sink(_), _)) if matches!(inputs.first(), Some(Data::Emitted(_))) => {
            // Written while its input was computed (`stream_into_sink`).
            let Some(Data::Emitted(written)) = inputs.first() else {
                unreachable!("checked above")
            };
            let mut t = lock(&work.tally);
            t.counts[0] = *written;
            t.partitions = tasks.tasks;
            Ok(Data::Written)
        }
        Some((h, Kind::Sink(format), _)) => {
            let parts = single(inputs);
            // One file per partition, written in parallel; or one file.
            let files = write::files_of(h, &parts);
            let written: Vec<Result<write::Written, Diag>> = files
                .into_par_iter()
                .enumerate()
                .map(|(i, f)| {
                    let elements = f.len() as u64;
                    sink_task(ctx, n, i, || Ok((write::write(h, format, f)?, elements)))
                })
                .collect();
            // Every file written goes to the pending list, so a failure
            // (the first in partition order is reported) removes them all.
            let mut failed = None;
            let mut done = Vec::new();
            for w in written {
                match w {
                    Ok(w) => done.push(w),
                    Err(d) => {
                        failed.get_or_insert(d);
                    }
                }
            }
            lock(run.pending).add(done);
            if let Some(d) = failed {
                return Err(d);
            }
            let mut t = lock(&work.tally);
            t.counts[0] = parts.iter().map(|p| p.len() as u64).sum();
            t.partitions = tasks.tasks;
            Ok(Data::Written)
        }
        Some((h, Kind::Elementwise, _)) => unreachable!("{} is not a head", h.op.name),
        None => {
            let parts = single(inputs);
            work.run_or_stream(parts.len(), |i, f| feed_values(&parts[i], ctx, f), stream)
        }
    }?;
    let tally = work.tally.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok((data, tally))
}

fn feed_values(values: &[Value], ctx: &Ctx, f: kernel::Emit) -> Result<(), Diag> {
    for (i, v) in values.iter().enumerate() {
        if i % 65536 == 65535 && ctx.cancelled() {
            return Err(cancelled());
        }
        if f.item(Elem::Val(v))? == Ctl::Stop {
            break;
        }
    }
    Ok(())
}

/// The per-partition work of one node: a compiled chain ending in a
/// collector or a partial aggregation.
struct Work<'a> {
    chain: &'a [KStep<'a>],
    /// Elements entering each chain step and the sink, summed over partitions,
    /// with the partitions run and their summed time.
    tally: Mutex<Tally>,
    /// The same chain on `&str`, when every step maps strings to strings.
    strs: Option<&'a strkernel::StrChain<'a>>,
    spec: Option<&'a Spec<'a>>,
    env: &'a Env,
    ctx: &'a Ctx,
    /// Elements of each partition kept when there is no aggregation (the
    /// rest are only counted).
    keep: usize,
    /// The node whose tasks these are, and the input bytes each task owns.
    node: NodeId,
    bytes: &'a [u64],
    /// Elements a `take` holds so far, over all workers: tasks are handed
    /// out only while it is short.
    taken: AtomicU64,
    /// The first task (in input order) that failed, and its error: the one
    /// reported, whatever the schedule. Tasks after it are skipped; tasks
    /// before it still run, since one of them may fail earlier in the input.
    failed: AtomicUsize,
    first_error: Mutex<Option<(usize, Diag)>>,
}

/// What a node's partitions did, for `--profile`.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// `counts[i]`: elements entering chain step `i`; the last: reaching the sink.
    pub counts: Vec<u64>,
    pub partitions: usize,
    pub busy: std::time::Duration,
    /// Bytes of input files the node's tasks own (from the lowering).
    pub bytes: u64,
}

/// A partition's input on the string fast path: strings go through the
/// string chain (runs of lines at once), anything else through the generic one.
struct StrFeed<'w, 'a, S> {
    work: &'w Work<'a>,
    chain: &'a strkernel::StrChain<'a>,
    scratch: Vec<strkernel::Scratch>,
    /// Elements that reached the sink from the string chain.
    sunk: u64,
    sink: &'w mut S,
    counts: &'w mut Vec<u64>,
}

impl<S: Sink> kernel::Consumer for StrFeed<'_, '_, S> {
    fn item(&mut self, item: Elem<'_>) -> Result<Ctl, Diag> {
        match item.as_str() {
            Some(s) => {
                let sunk = &mut self.sunk;
                let sink = &mut *self.sink;
                self.chain.run(s, &mut self.scratch, &mut |w| {
                    *sunk += 1;
                    sink.accept_str(w)
                })
            }
            None => kernel::push(self.work.chain, item, self.work.env, self.sink, self.counts),
        }
    }

    fn lines(&mut self, text: &str) -> Result<Ctl, Diag> {
        self.chain
            .run_lines(text, &mut self.scratch, self.sink, &mut self.sunk)
    }
}

impl<'a> Work<'a> {
    fn new(
        node: &'a NodeTasks,
        chain: &'a [KStep<'a>],
        strs: Option<&'a strkernel::StrChain<'a>>,
        spec: Option<&'a Spec<'a>>,
        env: &'a Env,
        ctx: &'a Ctx,
    ) -> Work<'a> {
        let tally = Tally {
            counts: vec![0; chain.len() + 1],
            ..Tally::default()
        };
        Work {
            chain,
            tally: Mutex::new(tally),
            strs,
            spec,
            env,
            ctx,
            keep: usize::MAX,
            node: node.node,
            bytes: &node.bytes,
            taken: AtomicU64::new(0),
            failed: AtomicUsize::new(usize::MAX),
            first_error: Mutex::new(None),
        }
    }

    /// Runs partition `i` into `sink`, counting elements per step.
    fn partition<S: Sink>(
        &self,
        part: usize,
        feed: impl FnOnce(kernel::Emit) -> Result<(), Diag>,
        sink: &mut S,
    ) -> Result<(), Diag> {
        if self.ctx.cancelled() {
            return Err(cancelled());
        }
        let start = std::time::Instant::now();
        let worker = rayon::current_thread_index().unwrap_or(self.ctx.threads);
        if self.ctx.observed() {
            self.ctx.emit(&Event::TaskStarted {
                node: self.node,
                partition: part,
                worker,
            });
        }
        sink.start(part as u64);
        let n = self.chain.len();
        let mut counts = vec![0u64; n + 1];
        let result = match self.strs {
            Some(sc) => {
                let mut feed_strs = StrFeed {
                    work: self,
                    chain: sc,
                    scratch: sc.scratch(),
                    sunk: 0,
                    sink,
                    counts: &mut counts,
                };
                let r = feed(&mut feed_strs);
                let (scratch, sunk) = (feed_strs.scratch, feed_strs.sunk);
                for (c, s) in counts.iter_mut().zip(&scratch) {
                    *c += s.count;
                }
                counts[n] += sunk;
                r
            }
            None => feed(&mut |item: Elem<'_>| {
                kernel::push(self.chain, item, self.env, sink, &mut counts)
            }),
        };
        let bytes = self.bytes.get(part).copied().unwrap_or(0);
        let finished = std::time::Instant::now();
        if self.ctx.observed() {
            self.ctx.emit(&Event::TaskFinished(&observe::Task {
                node: self.node,
                partition: part,
                worker,
                started: start,
                finished,
                elements_in: counts[0],
                elements_out: counts[n],
                bytes,
            }));
        }
        let mut t = lock(&self.tally);
        for (a, b) in t.counts.iter_mut().zip(&counts) {
            *a += b;
        }
        t.partitions += 1;
        t.busy += finished - start;
        t.bytes += bytes;
        result
    }

    /// Whether a `take` already holds all it needs, so that no further
    /// task need run.
    fn has_enough(&self) -> bool {
        self.spec
            .and_then(|s| s.take_limit())
            .is_some_and(|limit| self.taken.load(Ordering::Relaxed) >= limit as u64)
    }

    /// [`Work::run`], or with `stream`, runs the partitions a window of a few
    /// at a time and hands each window's parts over in order before the
    /// next starts: memory holds a window, not the output.
    fn run_or_stream(
        &self,
        count: usize,
        produce: impl Fn(usize, kernel::Emit) -> Result<(), Diag> + Sync,
        stream: Option<Stream>,
    ) -> Result<Data, Diag> {
        let Some(stream) = stream else {
            return self.run(count, produce);
        };
        let window = 2 * self.ctx.threads;
        let produce = |i: &usize, f: kernel::Emit| produce(*i, f);
        let mut start = 0;
        while start < count {
            let end = (start + window).min(count);
            let tasks = (start..end).into_par_iter().map(|i| (i, Ok(i)));
            if let Data::Parts(parts) = self.collect(tasks, produce)? {
                for p in parts.iter() {
                    stream(p)?;
                }
            }
            start = end;
        }
        let emitted = lock(&self.tally).counts.last().copied().unwrap_or(0);
        Ok(Data::Emitted(emitted))
    }

    /// Whether task `seq` comes after one that failed (and need not run).
    fn after_failure(&self, seq: usize) -> bool {
        seq > self.failed.load(Ordering::Relaxed)
    }

    /// Records that task `seq` failed, keeping the earliest in input order.
    fn fail(&self, seq: usize, d: Diag) {
        let mut first = lock(&self.first_error);
        if first.as_ref().is_none_or(|(s, _)| seq < *s) {
            *first = Some((seq, d));
            self.failed.fetch_min(seq, Ordering::Relaxed);
        }
    }

    /// The error of the first failed task, if any.
    fn first_failure(&self) -> Result<(), Diag> {
        match lock(&self.first_error).take() {
            Some((_, d)) => Err(d),
            None => Ok(()),
        }
    }

    /// Runs `count` partitions on the pool; `produce(i, emit)` feeds partition `i`.
    /// A `take` is handed its partitions one at a time, as [`Work::run_stream`]
    /// hands out tasks, so that it stops once it has enough.
    fn run(
        &self,
        count: usize,
        produce: impl Fn(usize, kernel::Emit) -> Result<(), Diag> + Sync,
    ) -> Result<Data, Diag> {
        let produce = |i: &usize, f: kernel::Emit| produce(*i, f);
        if self.spec.is_some_and(|s| s.take_limit().is_some()) {
            return self.run_stream((0..count).map(Ok), produce);
        }
        // One partition per piece of work: rayon otherwise runs runs of
        // consecutive partitions as one piece, and a worker that finishes
        // early cannot take over the rest of another's run (on 2 threads,
        // the word count's last ~100 ms ran on one).
        self.run_tasks(
            (0..count)
                .into_par_iter()
                .with_max_len(1)
                .map(|i| (i, Ok(i))),
            produce,
        )
    }

    /// Like [`Work::run`], over tasks that an iterator hands out as workers
    /// become free (a gzip file's blocks, decompressed by whichever worker
    /// asks for the next one). It stops handing them out once a `take` has
    /// enough, or the run is cancelled.
    fn run_stream<T: Send>(
        &self,
        tasks: impl Iterator<Item = Result<T, Diag>> + Send,
        produce: impl Fn(&T, kernel::Emit) -> Result<(), Diag> + Sync,
    ) -> Result<Data, Diag> {
        use rayon::iter::ParallelBridge;
        let tasks = tasks
            .take_while(|_| {
                !self.has_enough()
                    && !self.ctx.cancelled()
                    && self.failed.load(Ordering::Relaxed) == usize::MAX
            })
            .enumerate()
            .par_bridge();
        let data = self.run_tasks(tasks, produce)?;
        // Tasks no longer handed out must not pass for the whole input.
        if self.ctx.cancelled() {
            return Err(cancelled());
        }
        Ok(data)
    }

    /// Runs `tasks`, each numbered by its place in the input, into what the
    /// node ends in: a collector ([`Work::collect`]) or a partial
    /// aggregation ([`Work::aggregate`]). Whichever order the pool runs them
    /// in, the result is put in task order.
    fn run_tasks<T: Send>(
        &self,
        tasks: impl ParallelIterator<Item = (usize, Result<T, Diag>)>,
        produce: impl Fn(&T, kernel::Emit) -> Result<(), Diag> + Sync,
    ) -> Result<Data, Diag> {
        match self.spec {
            None => self.collect(tasks, produce),
            Some(spec) => self.aggregate(spec, tasks, produce),
        }
    }

    /// Collects the elements of each task: one part per task, in task order.
    fn collect<T: Send>(
        &self,
        tasks: impl ParallelIterator<Item = (usize, Result<T, Diag>)>,
        produce: impl Fn(&T, kernel::Emit) -> Result<(), Diag> + Sync,
    ) -> Result<Data, Diag> {
        let mut parts: Vec<(usize, Vec<Value>)> = tasks
            .filter_map(|(seq, t)| {
                if self.after_failure(seq) {
                    return None;
                }
                let mut sink = Collect::keeping(self.keep);
                let done = t.and_then(|t| self.partition(seq, |f| produce(&t, f), &mut sink));
                match done {
                    Ok(()) => Some((seq, sink.values)),
                    Err(d) => {
                        self.fail(seq, d);
                        None
                    }
                }
            })
            .collect();
        self.first_failure()?;
        parts.sort_unstable_by_key(|p| p.0);
        Ok(Data::Parts(Arc::new(
            parts.into_iter().map(|p| p.1).collect(),
        )))
    }

    /// Folds the tasks into partial states, one per worker thread: a worker
    /// feeds every task it runs into its own state, so only a few states
    /// are alive at once, whatever the task count. An aggregation that sees
    /// order (`sort`, `take`, `groupby … collect`) folds only consecutive
    /// tasks into one state: a worker handed a task that does not follow
    /// its last one puts its state aside and starts another. The states come
    /// back ordered by their first task, for the merge to combine in that
    /// order (the runs of a partition range the pool splits are consecutive).
    fn aggregate<T: Send>(
        &self,
        spec: &'a Spec<'a>,
        tasks: impl ParallelIterator<Item = (usize, Result<T, Diag>)>,
        produce: impl Fn(&T, kernel::Emit) -> Result<(), Diag> + Sync,
    ) -> Result<Data, Diag> {
        let threads = self.ctx.threads;
        let ordered = spec.step.op.sees_order;
        let slots: Vec<Mutex<Option<Held>>> = (0..=threads).map(|_| Mutex::new(None)).collect();
        let aside: Mutex<Vec<(usize, Partial)>> = Mutex::new(Vec::new());
        tasks.for_each(|(seq, t)| {
            if self.after_failure(seq) {
                return;
            }
            let t = match t {
                Ok(t) => t,
                Err(d) => return self.fail(seq, d),
            };
            let worker = rayon::current_thread_index()
                .unwrap_or(threads)
                .min(threads);
            let mut slot = lock(&slots[worker]);
            if ordered && slot.as_ref().is_some_and(|h| h.next != seq) {
                if let Some(h) = slot.take() {
                    let p = (h.first, h.sink.finish());
                    lock(&aside).push(p);
                }
            }
            let held = slot.get_or_insert_with(|| Held {
                sink: PartialSink::new(spec, self.env),
                first: seq,
                next: seq,
            });
            let before = held.sink.taken();
            if let Err(d) = self.partition(seq, |f| produce(&t, f), &mut held.sink) {
                return self.fail(seq, d);
            }
            held.next = seq + 1;
            let took = held.sink.taken() - before;
            if took > 0 {
                self.taken.fetch_add(took as u64, Ordering::Relaxed);
            }
        });
        self.first_failure()?;
        let mut partials = aside.into_inner().unwrap_or_else(|e| e.into_inner());
        partials.par_extend(
            slots
                .into_par_iter()
                .filter_map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
                .map(|h| (h.first, h.sink.finish())),
        );
        partials.sort_unstable_by_key(|p| p.0);
        Ok(Data::Partials(partials.into_iter().map(|p| p.1).collect()))
    }
}

/// A worker's partial state in [`Work::aggregate`]: fed tasks `first..next`
/// (all of them, for an aggregation that sees order).
struct Held<'p> {
    sink: PartialSink<'p>,
    first: usize,
    next: usize,
}

/// The mutex's value, even if a thread panicked holding it.
fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
