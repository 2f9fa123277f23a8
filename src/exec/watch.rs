//! What `--dashboard` and `--report` show: an [`Observer`] that keeps, for
//! every run it sees, the plan, each stage's progress (partitions and bytes
//! done of total, elements in and out), every task (worker, start, end,
//! counts) and the process's memory over time; [`Watch::status`] gives it
//! as the JSON of `/api/status`. The page and the report are drawn from it
//! (`viz::dashboard`), the server that shows it live is `driver::dashboard`.
//!
//! Registered only when a dashboard or a report is asked for; an event costs
//! one lock of a mutex held for a few pushes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};

use super::observe::{Event, Observer};
use super::NodeProfile;
use crate::plan::{NodeId, Plan};

/// Runs kept (a REPL session's oldest are dropped past this).
const MAX_RUNS: usize = 50;
/// Tasks kept per run; past this, tasks are counted but not drawn.
pub const MAX_TASKS: usize = 200_000;
/// Memory samples kept; past this, every other old sample is dropped.
const MAX_SAMPLES: usize = 4096;
/// At most one memory sample per this interval.
const SAMPLE_EVERY: Duration = Duration::from_millis(100);

/// Where a stage is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Waiting,
    Running,
    Done,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Waiting => "waiting",
            State::Running => "running",
            State::Done => "done",
        }
    }
}

/// One node of a run's plan, as it progresses.
#[derive(Clone, Debug)]
pub struct Stage {
    pub node: NodeId,
    /// `n0`, `n1`, … as `--visualize` and `--profile` name nodes.
    pub name: String,
    /// The node's steps, `a | b | c`.
    pub label: String,
    /// Names of the stages it reads.
    pub inputs: Vec<String>,
    /// Tasks of the lowering (files, for a streamed gzip source).
    pub partitions_total: usize,
    /// A gzip source: one task per decompressed block, so the task count is
    /// known only at the end.
    pub streamed: bool,
    pub partitions_done: usize,
    pub running: usize,
    pub bytes_total: u64,
    pub bytes_read: u64,
    pub elements_in: u64,
    pub elements_out: u64,
    /// Seconds since the watch began.
    pub started: Option<f64>,
    pub finished: Option<f64>,
    pub state: State,
}

/// One partition task that ran.
#[derive(Clone, Debug)]
pub struct TaskRec {
    /// Index into the run's stages.
    pub stage: usize,
    pub partition: usize,
    pub worker: usize,
    /// Seconds since the watch began.
    pub start: f64,
    pub end: f64,
    pub elements_in: u64,
    pub elements_out: u64,
    pub bytes: u64,
}

/// One run of a plan.
#[derive(Clone, Debug)]
pub struct Run {
    /// 1, 2, … in the order runs started.
    pub id: usize,
    /// What ran: the script's name, or the REPL input.
    pub label: String,
    /// The options of the run, as the face gave them (for the report).
    pub options: Vec<(String, String)>,
    pub plan: Plan,
    pub stages: Vec<Stage>,
    pub tasks: Vec<TaskRec>,
    /// Tasks that finished but were not kept (past [`MAX_TASKS`]).
    pub tasks_dropped: usize,
    /// Bytes the readers reported (decompressed, for gzip).
    pub bytes_io: u64,
    pub started: f64,
    pub finished: Option<f64>,
    pub ok: Option<bool>,
    /// What each node did, in the order nodes finished (`--profile`).
    pub profile: Vec<NodeProfile>,
    /// Worker rows: rayon's workers, then the calling thread.
    pub threads: usize,
}

impl Run {
    /// Tasks of the lowering, every stage.
    pub fn tasks_total(&self) -> usize {
        self.stages.iter().map(|s| s.partitions_total).sum()
    }
    pub fn tasks_done(&self) -> usize {
        self.stages.iter().map(|s| s.partitions_done).sum()
    }
    pub fn state(&self) -> &'static str {
        match self.ok {
            None => "running",
            Some(true) => "done",
            Some(false) => "failed",
        }
    }
}

#[derive(Default)]
struct Inner {
    runs: Vec<Run>,
    next_id: usize,
    /// Label and options of the next run to start.
    label: String,
    options: Vec<(String, String)>,
    /// (seconds since the watch began, resident bytes).
    memory: Vec<(f64, u64)>,
    last_sample: Option<Instant>,
    /// Index of each node's stage in the newest run.
    index: HashMap<NodeId, usize>,
}

/// Records runs for a dashboard and a report.
pub struct Watch {
    epoch: Instant,
    inner: Mutex<Inner>,
}

impl Default for Watch {
    fn default() -> Watch {
        Watch::new()
    }
}

/// The resident memory of this process in bytes (Linux: `/proc/self/status`).
pub fn rss() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Watch {
    pub fn new() -> Watch {
        Watch {
            epoch: Instant::now(),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn secs(&self, t: Instant) -> f64 {
        t.saturating_duration_since(self.epoch).as_secs_f64()
    }

    /// Seconds since the watch began.
    pub fn now(&self) -> f64 {
        self.secs(Instant::now())
    }

    /// Names the next run and says with what options it runs.
    pub fn next_run(&self, label: &str, options: Vec<(String, String)>) {
        let mut g = self.lock();
        g.label = label.to_string();
        g.options = options;
    }

    /// Takes a memory sample now (at most one per 100 ms).
    pub fn sample(&self) {
        let mut g = self.lock();
        self.sample_locked(&mut g, true);
    }

    fn sample_locked(&self, g: &mut Inner, force: bool) {
        let now = Instant::now();
        if !force && g.last_sample.is_some_and(|t| now - t < SAMPLE_EVERY) {
            return;
        }
        g.last_sample = Some(now);
        if let Some(b) = rss() {
            if g.memory.len() >= MAX_SAMPLES {
                let keep: Vec<(f64, u64)> = g.memory.iter().copied().step_by(2).collect();
                g.memory = keep;
            }
            g.memory.push((self.secs(now), b));
        }
    }

    /// Memory samples: (seconds since the watch began, resident bytes).
    pub fn memory(&self) -> Vec<(f64, u64)> {
        self.lock().memory.clone()
    }

    /// A copy of run `id`, or of the newest run.
    pub fn run(&self, id: Option<usize>) -> Option<Run> {
        let g = self.lock();
        match id {
            Some(id) => g.runs.iter().find(|r| r.id == id).cloned(),
            None => g.runs.last().cloned(),
        }
    }

    /// `/api/status`: every run in brief, and run `id` (default: the newest)
    /// in full, with its tasks from index `since` on.
    pub fn status(&self, id: Option<usize>, since: usize) -> Json {
        let now = self.now();
        let g = self.lock();
        let runs: Vec<Json> = g
            .runs
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "label": r.label,
                    "state": r.state(),
                    "started_s": round3(r.started),
                    "finished_s": r.finished.map(round3),
                    "tasks_total": r.tasks_total(),
                    "tasks_done": r.tasks_done(),
                })
            })
            .collect();
        let run = match id {
            Some(id) => g.runs.iter().find(|r| r.id == id),
            None => g.runs.last(),
        };
        let memory: Vec<Json> = g
            .memory
            .iter()
            .map(|(t, b)| json!([round3(*t), b]))
            .collect();
        json!({
            "now_s": round3(now),
            "rss_bytes": g.memory.last().map(|m| m.1),
            "memory": memory,
            "runs": runs,
            "run": run.map(|r| run_json(r, now, since)),
        })
    }
}

/// Bytes (when a stage reads files), partitions and elements per second,
/// and the seconds left at that rate (of bytes, else of partitions).
fn rates(s: &Stage, now: f64) -> [Option<f64>; 4] {
    let Some(start) = s.started else {
        return [None; 4];
    };
    let spent = s.finished.unwrap_or(now) - start;
    if spent <= 0.0 {
        return [None; 4];
    }
    let eps = s.elements_in as f64 / spent;
    let bps = (s.bytes_total > 0).then(|| s.bytes_read as f64 / spent);
    let pps = s.partitions_done as f64 / spent;
    let eta = if s.state == State::Done {
        Some(0.0)
    } else if let Some(b) = bps.filter(|b| *b > 0.0) {
        Some(s.bytes_total.saturating_sub(s.bytes_read) as f64 / b)
    } else if pps > 0.0 && !s.streamed {
        Some(s.partitions_total.saturating_sub(s.partitions_done) as f64 / pps)
    } else {
        None
    };
    [
        bps.map(round3),
        Some(round3(pps)),
        Some(round3(eps)),
        eta.map(round3),
    ]
}

fn run_json(r: &Run, now: f64, since: usize) -> Json {
    let stages: Vec<Json> = r
        .stages
        .iter()
        .map(|s| {
            let [bps, pps, eps, eta] = rates(s, now);
            json!({
                "node": s.name,
                "label": s.label,
                "inputs": s.inputs,
                "state": s.state.name(),
                "partitions_total": s.partitions_total,
                "partitions_done": s.partitions_done,
                "streamed": s.streamed,
                "running": s.running,
                "bytes_total": s.bytes_total,
                "bytes_read": s.bytes_read,
                "elements_in": s.elements_in,
                "elements_out": s.elements_out,
                "started_s": s.started.map(round3),
                "finished_s": s.finished.map(round3),
                "bytes_per_s": bps,
                "partitions_per_s": pps,
                "elements_per_s": eps,
                "eta_s": eta,
            })
        })
        .collect();
    let since = since.min(r.tasks.len());
    let tasks: Vec<Json> = r.tasks[since..]
        .iter()
        .map(|t| {
            json!({
                "node": r.stages[t.stage].name,
                "partition": t.partition,
                "worker": t.worker,
                "start_s": round3(t.start),
                "end_s": round3(t.end),
                "elements_in": t.elements_in,
                "elements_out": t.elements_out,
                "bytes": t.bytes,
            })
        })
        .collect();
    let options: serde_json::Map<String, Json> = r
        .options
        .iter()
        .map(|(k, v)| (k.clone(), Json::from(v.clone())))
        .collect();
    json!({
        "id": r.id,
        "label": r.label,
        "state": r.state(),
        "options": options,
        "threads": r.threads,
        "started_s": round3(r.started),
        "finished_s": r.finished.map(round3),
        "elapsed_s": round3(r.finished.unwrap_or(now) - r.started),
        "tasks_total": r.tasks_total(),
        "tasks_done": r.tasks_done(),
        "tasks_recorded": r.tasks.len() + r.tasks_dropped,
        "bytes_total": r.stages.iter().map(|s| s.bytes_total).sum::<u64>(),
        "bytes_read": r.stages.iter().map(|s| s.bytes_read).sum::<u64>(),
        "stages": stages,
        "tasks_since": since,
        "tasks": tasks,
    })
}

fn new_run(id: usize, plan: &Plan, lowered: &super::Lowered, now: f64, g: &Inner) -> Run {
    let names = plan.node_names();
    let stages = lowered
        .nodes()
        .map(|t| {
            let node = &plan.graph[t.node];
            Stage {
                node: t.node,
                name: names[&t.node].clone(),
                label: node
                    .steps
                    .iter()
                    .map(|s| s.label())
                    .collect::<Vec<_>>()
                    .join(" | "),
                inputs: plan
                    .inputs(t.node)
                    .iter()
                    .map(|i| names[i].clone())
                    .collect(),
                partitions_total: t.tasks,
                streamed: t.streamed,
                partitions_done: 0,
                running: 0,
                bytes_total: t.total_bytes(),
                bytes_read: 0,
                elements_in: 0,
                elements_out: 0,
                started: None,
                finished: None,
                state: State::Waiting,
            }
        })
        .collect();
    Run {
        id,
        label: g.label.clone(),
        options: g.options.clone(),
        plan: plan.clone(),
        stages,
        tasks: Vec::new(),
        tasks_dropped: 0,
        bytes_io: 0,
        started: now,
        finished: None,
        ok: None,
        profile: Vec::new(),
        threads: 0,
    }
}

impl Observer for Watch {
    fn event(&self, event: &Event<'_>) {
        let now = self.now();
        let mut g = self.lock();
        match event {
            Event::Started {
                plan,
                lowered,
                threads,
            } => {
                g.next_id += 1;
                let mut run = new_run(g.next_id, plan, lowered, now, &g);
                run.threads = *threads;
                g.index = run
                    .stages
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.node, i))
                    .collect();
                g.runs.push(run);
                if g.runs.len() > MAX_RUNS {
                    g.runs.remove(0);
                }
                self.sample_locked(&mut g, true);
                return;
            }
            Event::Finished { ok } => {
                if let Some(r) = g.runs.last_mut() {
                    r.finished = Some(now);
                    r.ok = Some(*ok);
                }
                self.sample_locked(&mut g, true);
                return;
            }
            Event::TaskStarted { node, .. } => {
                let i = g.index.get(node).copied();
                if let (Some(i), Some(r)) = (i, g.runs.last_mut()) {
                    let s = &mut r.stages[i];
                    s.running += 1;
                    s.started.get_or_insert(now);
                    if s.state == State::Waiting {
                        s.state = State::Running;
                    }
                }
            }
            Event::TaskFinished(t) => {
                let i = g.index.get(&t.node).copied();
                let (start, end) = (self.secs(t.started), self.secs(t.finished));
                if let (Some(i), Some(r)) = (i, g.runs.last_mut()) {
                    let s = &mut r.stages[i];
                    s.running = s.running.saturating_sub(1);
                    s.partitions_done += 1;
                    s.bytes_read += t.bytes;
                    s.elements_in += t.elements_in;
                    s.elements_out += t.elements_out;
                    if r.tasks.len() < MAX_TASKS {
                        r.tasks.push(TaskRec {
                            stage: i,
                            partition: t.partition,
                            worker: t.worker,
                            start,
                            end,
                            elements_in: t.elements_in,
                            elements_out: t.elements_out,
                            bytes: t.bytes,
                        });
                    } else {
                        r.tasks_dropped += 1;
                    }
                }
            }
            Event::BytesRead(n) => {
                if let Some(r) = g.runs.last_mut() {
                    r.bytes_io += n;
                }
            }
            Event::NodeDone(p) => {
                let i = g.index.get(&p.node).copied();
                if let (Some(i), Some(r)) = (i, g.runs.last_mut()) {
                    let s = &mut r.stages[i];
                    s.state = State::Done;
                    s.finished = Some(now);
                    s.started.get_or_insert(now);
                    if s.streamed {
                        s.partitions_total = s.partitions_done;
                    }
                    r.profile.push((*p).clone());
                }
            }
        }
        self.sample_locked(&mut g, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn run(src: &str, watch: &Arc<Watch>) {
        let ast = crate::syntax::parse(src).unwrap();
        let plan = crate::optimize::optimize(crate::plan::build(src, &ast, &[]).unwrap());
        let mut opts = super::super::ExecOptions::new(2);
        opts.observers.push(watch.clone());
        super::super::run(&plan, &opts, None).unwrap();
    }

    #[test]
    fn a_run_is_recorded_stage_by_stage() {
        let w = Arc::new(Watch::new());
        w.next_run("test", vec![("threads".into(), "2".into())]);
        run("range 1000 | map it * 2 | sum", &w);
        let r = w.run(None).unwrap();
        assert_eq!(r.id, 1);
        assert_eq!(r.label, "test");
        assert_eq!(r.ok, Some(true));
        assert!(r.stages.iter().all(|s| s.state == State::Done));
        assert_eq!(r.tasks_done(), r.tasks_total());
        assert_eq!(r.tasks.len(), r.tasks_total());
        let st = w.status(None, 0);
        assert_eq!(st["run"]["state"], "done");
        assert_eq!(st["runs"].as_array().unwrap().len(), 1);
        assert_eq!(st["run"]["stages"][0]["node"], "n0");
        assert_eq!(st["run"]["options"]["threads"], "2");
        // Tasks from an index on.
        let n = r.tasks.len();
        assert_eq!(
            w.status(None, n)["run"]["tasks"].as_array().unwrap().len(),
            0
        );
        assert_eq!(
            w.status(None, n + 5)["run"]["tasks_since"].as_u64(),
            Some(n as u64)
        );
        // A second run is a second entry; the first can still be asked for.
        run("range 10 | count", &w);
        assert_eq!(w.status(None, 0)["run"]["id"], 2);
        assert_eq!(w.status(Some(1), 0)["run"]["id"], 1);
        assert!(w.status(Some(9), 0)["run"].is_null());
    }
}
