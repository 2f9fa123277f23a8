//! The Dask export (SPEC §7) against real Dask: every example, every
//! `tests/cases/*.flow` and a few hundred pipelines drawn from the
//! reference test's generators (`common::gen`) are exported with `flow
//! export --target dask`, run with Python twice — on Dask's local scheduler
//! and on a `LocalCluster` of two worker processes
//! (`DASK_SCHEDULER_ADDRESS`) — and compared with flow's own run: the same
//! JSON Lines per output, the same files written by sinks, and for a run
//! that fails, exit 1 with the same diagnostic code (codes, not messages).
//!
//! An export refused with `flow::export::unsupported` is counted and
//! printed as skipped, never as passed. Without Python and Dask every test
//! says it was SKIPPED, and why, on stderr (`FLOW_PYTHON` chooses the
//! interpreter, as it does for `--engine dask`).
//!
//! Speed: starting Python and importing Dask costs about a second, so the
//! cases whose native run succeeds are exported together, as the output
//! statements of one script per batch, and compared output by output
//! (`FLOW_OUTPUT=framed`). A case whose native run fails is exported and
//! run alone (one failure stops a whole program); a batch whose program
//! fails is bisected down to the case that fails. Blocksizes are raised to
//! at most 24 partitions per source (a Dask task costs milliseconds).
//! Besides the generated cases there are hand-written ones
//! ([`fixed_cases`]) for what the generators do not reach.
//!
//! `FLOW_DASK_CASES=N` draws N pipelines instead of 300; `FLOW_DASK_KEEP=1`
//! keeps the programs and the cases' files, to debug a difference.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use common::gen::*;
use flow::driver::Script;
use flow::exec::output::{print_one, Format};
use flow::exec::{execute, Ctx};
use flow::types::Coll;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

// ---- Python, Dask and the cluster ---------------------------------------------

/// The interpreter, as the product chooses it: `FLOW_PYTHON`, else `python3`.
fn python() -> String {
    std::env::var("FLOW_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Why Dask cannot be used here, or `None` when `import dask.bag,
/// dask.distributed` works.
fn dask_missing() -> Option<&'static str> {
    static WHY: OnceLock<Option<String>> = OnceLock::new();
    WHY.get_or_init(|| {
        let py = python();
        let out = Command::new(&py)
            .args(["-c", "import dask.bag, dask.distributed"])
            .stdin(Stdio::null())
            .output();
        match out {
            Err(e) => Some(format!("cannot run `{py}`: {e}")),
            Ok(o) if !o.status.success() => {
                let err = String::from_utf8_lossy(&o.stderr);
                Some(format!(
                    "`{py}` cannot import dask.bag and dask.distributed ({})",
                    err.lines().last().unwrap_or("no message").trim()
                ))
            }
            Ok(_) => None,
        }
    })
    .as_deref()
}

/// A line on the test binary's stderr that `cargo test` does not capture:
/// a skip or a summary is seen even when every test passes.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Returns from the test, saying why, when Dask is not at hand.
macro_rules! need_dask {
    ($test:literal) => {
        if let Some(why) = dask_missing() {
            say(&format!(
                "SKIPPED dask::{}: {why}; install with: python3 -m pip install \"dask[bag,distributed]\"",
                $test
            ));
            return;
        }
    };
}

/// A scratch directory under the target dir.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// Where examples and command-line runs happen: a scratch directory with
/// `data` linked to the crate's, so relative paths resolve as in the crate
/// root and a sink writes nothing into the repository.
fn site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = scratch_dir("dask-site");
        let link = dir.join("data");
        let data = common::root().join("data");
        // A link left by a run from another checkout (the target directory
        // is shared) points elsewhere, perhaps nowhere: point it here.
        if std::fs::read_link(&link).ok().as_deref() != Some(data.as_path()) {
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(&data, &link).expect("link data/");
        }
        dir
    })
}

/// One `LocalCluster` per test binary: two worker processes, one thread
/// each, started in a directory of its own (so a program that opened files
/// by paths relative to the workers' directory would fail). It lives until
/// its standard input closes, which happens when this process ends, however
/// it ends.
struct Cluster {
    address: String,
    _stdin: Mutex<ChildStdin>,
    _child: Mutex<Child>,
}

const CLUSTER_PY: &str = r#"
import os, sys, threading
from dask.distributed import LocalCluster

def main():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    print(cluster.scheduler_address, flush=True)
    sys.stdin.read()  # until the test binary ends
    # Close the workers, but never hang the machine on it.
    threading.Timer(30, lambda: os._exit(1)).start()
    cluster.close()
    os._exit(0)

if __name__ == "__main__":
    main()
"#;

/// The scheduler address of the shared cluster (started on first use).
fn cluster() -> &'static str {
    static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
    match CLUSTER.get_or_init(start_cluster) {
        Ok(c) => &c.address,
        Err(e) => panic!("the LocalCluster did not start: {e}"),
    }
}

fn start_cluster() -> Result<Cluster, String> {
    let dir = scratch_dir("dask-cluster");
    let script = dir.join(format!("cluster-{}.py", std::process::id()));
    std::fs::write(&script, CLUSTER_PY).map_err(|e| e.to_string())?;
    let log_path = dir.join(format!("cluster-{}.log", std::process::id()));
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let mut child = Command::new(python())
        .arg(&script)
        .current_dir(&dir)
        .env_remove("DASK_SCHEDULER_ADDRESS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|e| e.to_string())?;
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(120))
        .unwrap_or_default();
    let _ = std::fs::remove_file(&script);
    let address = line.trim().to_string();
    if !address.starts_with("tcp://") {
        let _ = child.kill();
        let _ = child.wait();
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        return Err(format!("no scheduler address; its log:\n{log}"));
    }
    Ok(Cluster {
        address,
        _stdin: Mutex::new(child.stdin.take().expect("piped stdin")),
        _child: Mutex::new(child),
    })
}

/// Where a program runs: Dask's local scheduler, or the shared cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Local,
    Cluster,
}

const MODES: [Mode; 2] = [Mode::Local, Mode::Cluster];

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::Local => "local",
            Mode::Cluster => "cluster",
        }
    }
}

/// What a process did.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `cmd` to the end, reading its output; after `limit` it is killed,
/// with every process it started (it leads a process group of its own: a
/// Python program under `flow --engine dask` has a pool of workers).
fn ran_within(cmd: &mut Command, limit: Duration) -> Ran {
    let mut child = cmd
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    let read = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = r.read_to_end(&mut b);
            String::from_utf8_lossy(&b).into_owned()
        })
    };
    let out = read(Box::new(child.stdout.take().expect("piped")));
    let err = read(Box::new(child.stderr.take().expect("piped")));
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code().unwrap_or(-1);
        }
        if start.elapsed() > limit {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            break -2;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = err.join().unwrap_or_default();
    if code == -2 {
        stderr += &format!("\n(killed after {limit:?})");
    }
    Ran {
        code,
        stdout: out.join().unwrap_or_default(),
        stderr,
    }
}

/// Runs an exported program in `cwd`, on `mode`'s scheduler; with `framed`,
/// its outputs are marked (`FLOW_OUTPUT=framed`).
fn run_program(program: &Path, cwd: &Path, mode: Mode, framed: bool) -> Ran {
    let mut cmd = Command::new(python());
    cmd.arg(program).current_dir(cwd).env_remove("FLOW_OUTPUT");
    match mode {
        Mode::Local => cmd.env_remove("DASK_SCHEDULER_ADDRESS"),
        Mode::Cluster => cmd.env("DASK_SCHEDULER_ADDRESS", cluster()),
    };
    if framed {
        cmd.env("FLOW_OUTPUT", "framed");
    }
    ran_within(&mut cmd, Duration::from_secs(180))
}

/// The built `flow` binary with `args`, in `cwd`, without colour.
fn flow_cmd(cwd: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flow"));
    cmd.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("DASK_SCHEDULER_ADDRESS")
        .env_remove("FLOW_OUTPUT");
    cmd
}

/// `flow ARGS... --engine dask` in the site, on the cluster in
/// `Mode::Cluster` (its scheduler's address in the environment).
fn engine_dask(mode: Mode, args: &[&str]) -> Ran {
    let mut cmd = flow_cmd(site(), args);
    cmd.args(["--engine", "dask"]);
    if mode == Mode::Cluster {
        cmd.env("DASK_SCHEDULER_ADDRESS", cluster());
    }
    ran_within(&mut cmd, Duration::from_secs(120))
}

/// The code of the error an exported program reported: its last stderr
/// line `flow-error: {"code": …, "message": …}`.
fn program_error_code(stderr: &str) -> Option<String> {
    let report = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("flow-error: "))?;
    let v: serde_json::Value = serde_json::from_str(report).ok()?;
    v.get("code")?.as_str().map(str::to_string)
}

/// The code of the first diagnostic `flow` rendered on stderr.
fn rendered_code(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("flow::"))
        .and_then(|l| l.split_whitespace().next())
        .map(str::to_string)
}

/// The last lines of a stderr, for a report.
fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Where two texts first differ, line by line.
fn first_difference(native: &str, dask: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (native.lines().collect(), dask.lines().collect());
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        if x != y {
            let show =
                |l: Option<&&str>| l.map_or("(no line)".to_string(), |l| format!("{l:.300}"));
            return format!(
                "first difference at line {} (native {} lines, dask {} lines)\n  native: {}\n  dask:   {}",
                i + 1,
                a.len(),
                b.len(),
                show(x),
                show(y)
            );
        }
    }
    format!(
        "the texts differ only in line endings: native {:?}…, dask {:?}…",
        &native[native.len().saturating_sub(20)..],
        &dask[dask.len().saturating_sub(20)..]
    )
}

/// Whether an export was refused as not exportable yet.
fn unsupported(diags: &flow::diag::Diags) -> bool {
    diags
        .0
        .iter()
        .any(|d| d.code == "flow::export::unsupported")
}

// ---- examples and tests/cases ---------------------------------------------------

/// Every example and every `tests/cases/*.flow`, run by the binary (`--format
/// json`) and by its exported program on both schedulers, in a directory
/// where `data/` resolves.
#[test]
fn examples_and_cases_match_flow_on_dask() {
    need_dask!("examples_and_cases_match_flow_on_dask");
    let started = Instant::now();
    let mut scripts: Vec<PathBuf> = Vec::new();
    for dir in ["examples", "tests/cases"] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(common::root().join(dir))
            .expect("a directory of scripts")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "flow"))
            .collect();
        found.sort();
        scripts.extend(found);
    }
    let work = tempfile::tempdir().expect("a temporary directory");
    let (mut run, mut skipped, mut differed) = (0, 0, 0);
    let mut report = String::new();
    for path in &scripts {
        let name = path
            .strip_prefix(common::root())
            .unwrap_or(path)
            .display()
            .to_string();
        let abs = path.to_str().expect("a UTF-8 path");
        let export = ran_within(
            &mut flow_cmd(site(), &["export", "--target", "dask", abs]),
            Duration::from_secs(60),
        );
        if export.code != 0 {
            if export.code == 2 && export.stderr.contains("flow::export::unsupported") {
                skipped += 1;
                say(&format!(
                    "dask: {name}: skipped, export refused with flow::export::unsupported"
                ));
            } else {
                differed += 1;
                let _ = writeln!(
                    report,
                    "=== {name}: the export failed (exit {})\n{}",
                    export.code,
                    tail(&export.stderr, 20)
                );
            }
            continue;
        }
        run += 1;
        let program = work.path().join(format!("{}.py", name.replace('/', "_")));
        std::fs::write(&program, &export.stdout).expect("write the program");
        let native = ran_within(
            &mut flow_cmd(site(), &[abs, "--format", "json"]),
            Duration::from_secs(120),
        );
        let mut diffs = Vec::new();
        for mode in MODES {
            let dask = run_program(&program, site(), mode, false);
            if let Some(d) = compare_runs(&native, &dask) {
                diffs.push(format!("--- {}: {d}", mode.label()));
            }
        }
        if !diffs.is_empty() {
            differed += 1;
            let script = std::fs::read_to_string(path).unwrap_or_default();
            let _ = writeln!(report, "=== {name} differs\n{script}\n{}", diffs.join("\n"));
        }
    }
    if !report.is_empty() {
        eprintln!("{report}");
    }
    say(&format!(
        "dask: examples and cases: {} cases, {run} run, {skipped} skipped as unsupported, {differed} differed ({:.1} s)",
        scripts.len(),
        started.elapsed().as_secs_f64()
    ));
    assert_eq!(differed, 0, "{differed} scripts differ on Dask; see above");
}

/// How a whole run of the exported program differs from flow's, or `None`.
fn compare_runs(native: &Ran, dask: &Ran) -> Option<String> {
    match (native.code, dask.code) {
        (0, 0) if native.stdout == dask.stdout => None,
        (0, 0) => Some(first_difference(&native.stdout, &dask.stdout)),
        (1, 1) => {
            let want = rendered_code(&native.stderr);
            let got = program_error_code(&dask.stderr);
            (want != got || want.is_none()).then(|| {
                format!(
                    "both failed, flow with {want:?}, dask with {got:?}\n{}",
                    tail(&dask.stderr, 8)
                )
            })
        }
        (n, d) => Some(format!(
            "flow exited {n}, dask {d}\n  flow: {}\n  dask: {}",
            tail(&native.stderr, 6),
            tail(&dask.stderr, 12)
        )),
    }
}

// ---- generated pipelines --------------------------------------------------------

/// Stands for the directory a run's sinks write into.
const OUT: &str = "@OUT@";

/// One generated case: input files in `dir`, flow statements (bindings
/// named apart from other cases'), and what flow computed.
struct Unit {
    family: &'static str,
    dir: tempfile::TempDir,
    /// The statements, `@OUT@` standing for the run's sink directory.
    text: String,
    /// How many outputs the statements have.
    outputs: usize,
    sink: Option<SinkCheck>,
    /// Partitions the Dask program will have, roughly (for batching).
    weight: usize,
    native: Native,
}

/// How a sink's files are compared.
#[derive(Clone, Copy)]
struct SinkCheck {
    /// Every partition is known without an automatic blocksize: compare file
    /// by file. Else the concatenation of the files in name order.
    per_file: bool,
    csv: bool,
}

/// What flow's own run gave: per output, its JSON Lines as `--format json`
/// prints them; or the codes of its errors.
enum Native {
    Ok(Vec<String>),
    Failed(Vec<String>),
}

impl Unit {
    /// The statements, with sinks writing into `out-LABEL`.
    fn script(&self, label: &str) -> String {
        self.text.replace(OUT, &format!("out-{label}"))
    }

    fn out_dir(&self, label: &str) -> PathBuf {
        self.dir.path().join(format!("out-{label}"))
    }
}

/// The pipelines' sizes: how many of each family are drawn.
const FAMILIES: &[(&str, usize)] = &[
    ("pipeline", 110),
    ("words", 40),
    ("json", 40),
    ("csv", 30),
    ("csv_typed", 20),
    ("sink", 40),
    ("shared", 20),
    ("expressions", 20),
];

fn total_cases() -> usize {
    std::env::var("FLOW_DASK_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| FAMILIES.iter().map(|f| f.1).sum())
}

/// A value of `s`, drawn from `runner`'s seeded random stream.
fn draw<S: Strategy>(runner: &mut TestRunner, s: S) -> S::Value {
    s.new_tree(runner).expect("a value").current()
}

/// The flow text (with `@OUT@`), the sink check and the files' directory of
/// case `i` of `family`.
fn generate(
    runner: &mut TestRunner,
    family: &'static str,
    i: usize,
) -> (tempfile::TempDir, String, Option<SinkCheck>) {
    match family {
        "pipeline" => {
            let c = draw(runner, case());
            let dir = write_files(&c.files, "txt");
            let text = pipeline(&c, dir.path());
            (dir, text + "\n", None)
        }
        "words" => {
            let files = draw(
                runner,
                prop::bool::weighted(0.2)
                    .prop_flat_map(|bad| prop::collection::vec(file(bad), 1..4)),
            );
            let (opts, head, tail, sink) = draw(
                runner,
                (
                    text_opts(false),
                    prop::collection::vec(0..WORD_HEAD.len(), 0..5),
                    0..WORD_TAIL.len(),
                    0..WORD_SINK.len(),
                ),
            );
            let dir = write_files(&files, "txt");
            let text = word_count(dir.path(), &opts, &head, tail, sink);
            (dir, text + "\n", None)
        }
        "json" => {
            let (recs, blank, bs, q) = draw(
                runner,
                (
                    prop::collection::vec(json_record(), 0..40),
                    prop::collection::vec(any::<bool>(), 0..40),
                    1..200u32,
                    0..QUERIES.len(),
                ),
            );
            let dir = tempfile::tempdir().expect("a temporary directory");
            std::fs::write(dir.path().join("events.jsonl"), json_lines(&recs, &blank))
                .expect("write the records");
            let path = quote(&format!("{}/events.jsonl", dir.path().display()));
            // QUERIES read the binding `e`.
            let text = format!(
                "let e{i} = read_json {path} blocksize={bs}\ne{i}{}\n",
                &QUERIES[q][1..]
            );
            (dir, text, None)
        }
        "csv" => {
            let (semi, files, header, q) = draw(
                runner,
                any::<bool>().prop_flat_map(|semi| {
                    (
                        Just(semi),
                        prop::collection::vec(csv_file(if semi { ';' } else { ',' }), 1..4),
                        any::<bool>(),
                        0..CSV_QUERIES.len(),
                    )
                }),
            );
            let dir = write_files(&files, "csv");
            let pattern = quote(&format!("{}/*.csv", dir.path().display()));
            let (opts, query) = csv_script_parts(semi, header, q);
            // CSV_QUERIES read the binding `c`.
            let text = format!("let c{i} = read_csv {pattern}{opts}\nc{i}{}\n", &query[1..]);
            (dir, text, None)
        }
        "csv_typed" => {
            let (semi, files, header, ty, q) = draw(
                runner,
                (any::<bool>(), any::<bool>(), 0..CSV_TYPES.len()).prop_flat_map(
                    |(semi, header, ty)| {
                        (
                            Just(semi),
                            prop::collection::vec(
                                csv_file_typed(if semi { ';' } else { ',' }, ty, header),
                                1..4,
                            ),
                            Just(header),
                            Just(ty),
                            0..CSV_TYPED_QUERIES.len(),
                        )
                    },
                ),
            );
            let dir = write_files(&files, "csv");
            let pattern = quote(&format!("{}/*.csv", dir.path().display()));
            let (opts, query) = csv_typed_parts(semi, header, ty, q);
            let text = format!("let c{i} = read_csv {pattern}{opts}\nc{i}{}\n", &query[1..]);
            (dir, text, None)
        }
        "sink" => {
            let (c, star, kind) = draw(runner, (case(), any::<bool>(), 0..3u8));
            let dir = write_files(&c.files, "txt");
            let (body, sink, ext) = sink_body(&c, kind, dir.path());
            let name = if star {
                format!("*.{ext}")
            } else {
                format!("all.{ext}")
            };
            let target = format!("{}/{OUT}/{name}", dir.path().display());
            let text = format!("{body} | {sink} {}\n", quote(&target));
            let check = SinkCheck {
                per_file: !star || !automatic_blocksize(&body),
                csv: ext == "csv",
            };
            (dir, text, Some(check))
        }
        "shared" => {
            let (c, more, other) = draw(
                runner,
                (
                    case(),
                    prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), 1..4),
                    source(false),
                ),
            );
            let dir = write_files(&c.files, "txt");
            let text = shared_bindings(&c, &more, &other, dir.path(), &i.to_string());
            (dir, text, None)
        }
        "expressions" => {
            let (n, m, f, g, agg, post, use_from, vals) = draw(
                runner,
                (
                    0..80i64,
                    num_expr(),
                    num_expr(),
                    num_expr(),
                    any::<u8>(),
                    any::<u8>(),
                    any::<bool>(),
                    prop::collection::vec(-50..50i64, 0..40),
                ),
            );
            let src = expr_source(n, use_from, &vals);
            let xs = format!("xs{i}");
            let text = format!(
                "let {xs} = {src} | map ({m}) + 0\n{xs} | filter ({f}) > ({g}) or it == 0{}\n{xs} | sort by=({g})\n{xs} | topk 4 by=({f})\n{xs} | groupby ({g}) > 1 collect\n",
                finish(St::Num, agg, post)
            );
            let dir = tempfile::tempdir().expect("a temporary directory");
            (dir, text, None)
        }
        other => unreachable!("no family {other}"),
    }
}

/// Whether a pipeline reads text or JSON with flow's automatic blocksize
/// (which depends on the machine, so its partitions may differ in Dask).
fn automatic_blocksize(pipeline: &str) -> bool {
    pipeline.split(" | ").any(|stage| {
        (stage.starts_with("read_text") || stage.starts_with("read_json"))
            && !stage.contains(" blocksize=")
    })
}

/// At most this many partitions per file source in a generated case.
const MAX_PARTS: u64 = 24;

/// The bytes of the files in `dir`.
fn bytes_in(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// `text` with every `blocksize=N` raised so that the files in `dir` make
/// at most [`MAX_PARTS`] partitions. The generators draw blocksizes from 1
/// byte, for thousands of partitions: cheap in flow, but a Dask task costs
/// milliseconds (more on a cluster). Raised, the cuts still fall inside
/// lines, which is what the small sizes are for.
fn limit_partitions(text: &str, dir: &Path) -> String {
    let least = bytes_in(dir).div_ceil(MAX_PARTS).max(1);
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("blocksize=") {
        let (head, tail) = rest.split_at(i + "blocksize=".len());
        out += head;
        let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
        let after = &tail[digits.len()..];
        let (unit, after) = match after.strip_prefix("KiB") {
            Some(a) => (1024, a),
            None => (1, after),
        };
        let n: u64 = digits.parse::<u64>().unwrap_or(1) * unit;
        out += &n.max(least).to_string();
        rest = after;
    }
    out + rest
}

/// About how many partitions the Dask program makes of `text`'s sources.
fn weight(text: &str, dir: &Path) -> usize {
    let bytes = bytes_in(dir);
    let mut parts = 1;
    for stage in text.split(['|', '\n']) {
        let stage = stage.trim();
        if !(stage.starts_with("read_") || stage.contains("= read_")) {
            continue;
        }
        let size: u64 = stage
            .split_once("blocksize=")
            .map(|(_, rest)| {
                let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
                n.parse().unwrap_or(1)
            })
            .unwrap_or(1 << 20);
        parts += (bytes / size.max(1)) as usize + 5;
    }
    parts
}

/// The JSON Lines of each output, as `flow --format json` prints them.
fn json_outputs(outs: &[flow::exec::OutputData]) -> Vec<String> {
    outs.iter()
        .map(|o| {
            let mut buf = Vec::new();
            if o.ty != Coll::Written {
                print_one(o, Format::Json, &mut buf, None).expect("print to memory");
            }
            String::from_utf8(buf).expect("JSON is UTF-8")
        })
        .collect()
}

/// Compiles `text` (the generator's scripts are valid), runs it with flow on
/// 2 threads, optimized, as the command line does.
fn run_native(text: &str) -> (usize, Native) {
    let plan = flow::driver::compile(text, &[], true)
        .unwrap_or_else(|d| panic!("the generator wrote an invalid script:\n{text}\n{d:?}"));
    let outputs = plan.outputs.len();
    let native = match execute(&plan, &Ctx::new(2)) {
        Ok(outs) => Native::Ok(json_outputs(&outs)),
        Err(d) => Native::Failed(d.0.iter().map(|d| d.code.to_string()).collect()),
    };
    (outputs, native)
}

/// The outputs of a framed program's stdout: the text after each
/// `#flow-output I` line.
fn framed_outputs(stdout: &str) -> Vec<String> {
    let mut outs: Vec<String> = Vec::new();
    for line in stdout.lines() {
        if line.starts_with("#flow-output ") {
            outs.push(String::new());
        } else if let Some(o) = outs.last_mut() {
            *o += line;
            o.push('\n');
        } else {
            // A line before the first frame: kept, so that it shows.
            outs.push(format!("{line}\n"));
        }
    }
    outs
}

/// Every file under `dir` (hidden ones too), by path relative to it.
fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap_or(&p).display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// How the files a sink wrote in Dask differ from flow's, or `None`.
fn compare_sinks(check: SinkCheck, native: &Path, dask: &Path) -> Option<String> {
    let (want, got) = (files_under(native), files_under(dask));
    if check.per_file {
        let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
        if names(&want) != names(&got) {
            return Some(format!(
                "sink files: flow wrote {:?}, dask {:?}",
                names(&want),
                names(&got)
            ));
        }
        for (name, bytes) in &want {
            if got[name] != *bytes {
                return Some(format!(
                    "sink file {name}: {}",
                    first_difference(
                        &String::from_utf8_lossy(bytes),
                        &String::from_utf8_lossy(&got[name])
                    )
                ));
            }
        }
        return None;
    }
    if let Some(hidden) = got.keys().find(|k| k.starts_with('.') || k.contains("/.")) {
        return Some(format!("dask left a temporary file: {hidden}"));
    }
    // Partition counts may differ: the files' concatenation, in name order
    // (each CSV file has its own header row: kept once).
    let join = |m: &BTreeMap<String, Vec<u8>>| {
        let mut text = String::new();
        let mut header = None;
        for bytes in m.values() {
            let body = String::from_utf8_lossy(bytes).into_owned();
            if check.csv && !body.is_empty() {
                let (head, rest) = body.split_once('\n').unwrap_or((&body, ""));
                header.get_or_insert_with(|| head.to_string());
                text += rest;
            } else {
                text += &body;
            }
        }
        format!("{}{text}", header.map(|h| h + "\n").unwrap_or_default())
    };
    let (w, g) = (join(&want), join(&got));
    (w != g).then(|| format!("sink files, concatenated: {}", first_difference(&w, &g)))
}

/// Hand-written cases, one statement each (`{dir}` stands for the case's
/// directory, `@OUT@` for its sinks'): what the generators do not reach.
fn fixed_cases() -> Vec<(&'static str, tempfile::TempDir, String, Option<SinkCheck>)> {
    let mut bad_text = b"good line\n".repeat(20_000);
    bad_text.extend_from_slice(b"bad \xff\n");
    let mut bad_json = b"{\"a\": 1}\n".repeat(1000);
    bad_json.extend_from_slice(b"{bad\n");
    let mut bad_csv = b"a,b\n".to_vec();
    bad_csv.extend_from_slice(&b"1,2\n".repeat(5000));
    bad_csv.extend_from_slice(b"3,\xff\n");
    // A bad byte amid many partitions: when it fails, other partitions'
    // sink tasks are still writing.
    let good = b"good line here\n".repeat(3000);
    let mut racy = b"good line here\n".repeat(1500);
    racy.extend_from_slice(b"bad \xff\n");
    racy.extend_from_slice(&b"good line here\n".repeat(1500));
    let gz = {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all("\u{feff}One line\r\nTwo lines\n\nthree\n".as_bytes())
            .expect("gzip in memory");
        enc.finish().expect("gzip in memory")
    };
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("bad.txt", bad_text),
        ("bad.jsonl", bad_json),
        ("bad.csv", bad_csv),
        ("short.csv", b"a,b\n1,2\n3\n".to_vec()),
        ("racy1.txt", good.clone()),
        ("racy2.txt", racy),
        ("racy3.txt", good),
        ("t.txt.gz", gz),
        (
            "dec.txt",
            b"ok\nbad \xff here\r\ncut \xe2\x82\nlatin caf\xe9\n\xed\xa0\x80\n".to_vec(),
        ),
        (
            "nested.jsonl",
            br#"{"a": 1, "b": {"c": 2, "d": [1, "x"]}, "e": null, "f": true}
{"a": 2.5, "b": {"c": null, "d": []}, "f": false}
{"b": {"c": "q,\"r\" "}, "a": -3}
"#
            .to_vec(),
        ),
        (
            "edge.jsonl",
            br#"{"big": 18446744073709551616, "neg": -9223372036854775808, "u": "\u00e9\ud83d\ude42\t", "x": 1E2}
{"a": 1, "b": 2, "a": 3}
[[], {}, "", 0, -0, 0.0, -0.0, 1e-7, 123456789012345678901234567890]
"#
            .to_vec(),
        ),
        ("extra.jsonl", b"{\"a\": 1}\n{\"a\": 2, \"b\": 3}\n".to_vec()),
        (
            "typed.csv",
            "name,n,ok,x\nann, 1_000 ,TRUE,1e3\nbob,,false,\ncid,٣,True,nan\n"
                .as_bytes()
                .to_vec(),
        ),
        ("badint.csv", b"name,n\nann,1\nbob,x\n".to_vec()),
        ("nohead.csv", b"a;1\nb;2\n".to_vec()),
        ("scalar.jsonl", b"{\"a\": 1}\n5\n".to_vec()),
        (
            "lines.txt",
            "alpha beta\ngamma\r\n\ndelta epsilon zeta\nη θ\nlast line without end"
                .as_bytes()
                .to_vec(),
        ),
        (
            "access.log",
            concat!(
                "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 200 2326\n",
                "5.6.7.8 - - [10/Oct/2000:14:01:02 -0700] \"POST /login HTTP/1.1\" 302 0\n",
                "1.2.3.4 - - [11/Oct/2000:00:00:59 +0000] \"GET /b.html HTTP/1.1\" 404 512\n",
                "9.9.9.9 - - [10/oct/2000:23:59:59 +01:30] \"GET /é HTTP/1.1\" 200 7\n",
            )
            .as_bytes()
            .to_vec(),
        ),
        ("bad_time.log", b"[10/Oct/2000:13:55:36 -0700] 1\n[31/Feb/2000:13:55:36 -0700] 2\n".to_vec()),
    ];
    let mut statements: Vec<(String, bool)> = Vec::new();
    let mut add = |s: &str| statements.push((s.to_string(), false));
    // `take` stops reading as soon as it has its elements (SPEC §2).
    add(r#"read_text "{dir}/bad.txt" | take 2"#);
    add(r#"read_text "{dir}/bad.txt" blocksize=50000 | take 3"#);
    add(r#"read_text "{dir}/bad.txt" | split | take 3"#);
    add(r#"read_text "{dir}/bad.txt" | lower | take 0"#);
    add(r#"read_text "{dir}/bad.txt" | take 20001"#);
    add(r#"read_json "{dir}/bad.jsonl" | take 2"#);
    add(r#"read_json "{dir}/bad.jsonl" | count"#);
    add(r#"read_csv "{dir}/bad.csv" | take 2"#);
    add(r#"read_csv "{dir}/bad.csv" | count"#);
    add(r#"read_csv "{dir}/short.csv" | take 1"#);
    add(r#"read_csv "{dir}/short.csv" | take 2"#);
    // `types=` as Python's int()/float(); `header=false` names c0, c1.
    add(r#"read_csv "{dir}/typed.csv" types={n: int, ok: bool, x: float} | to_json"#);
    add(r#"read_csv "{dir}/typed.csv" types={n: float, x: str}"#);
    add(r#"read_csv "{dir}/badint.csv" types={n: int} | count"#);
    add(r#"read_csv "{dir}/nohead.csv" header=false sep=";" types={c1: int} | map .c1 * 2"#);
    // gzip input, and decoding modes with blocksizes that cut every sequence.
    add(r#"read_text "{dir}/t.txt.gz""#);
    add(r#"read_text "{dir}/t.txt.gz" blocksize=2 | lower | split | frequencies"#);
    for bs in [1, 2, 3, 5, 100] {
        for opts in [
            r#"errors="replace""#,
            r#"errors="ignore""#,
            r#"encoding="latin-1""#,
        ] {
            add(&format!(
                r#"read_text "{{dir}}/dec.txt" blocksize={bs} {opts}"#
            ));
        }
    }
    add(r#"read_text "{dir}/dec.txt" blocksize=3"#);
    // Numbers, equal values that print differently, and flow's total order.
    for s in [
        "from [0.1, 0.2, 0.3] | sum",
        "from [1e308, 1e308] | sum",
        "from [1e308, 1e308, -1e308] | sum",
        "from [1, 2.5, true] | sum",
        "from [9223372036854775807, 1] | sum",
        "from [1, 2] | mean",
        "from [1, 1.0, true, 1] | distinct",
        "from [1.0, 1, 2, 2.0] | max",
        "from [1, 1.0] | min",
        "from [-0.0, 0.0, 0] | distinct",
        "from [2, 1.5, \"a\", null, [1], true, false, [0, 1], \"B\"] | sort",
        "from [2, 1.5, \"a\", null, [1], true] | sort desc=true",
        "from [\"b\", \"a\", \"b\", 1, 1.0, true, null, null] | frequencies",
        "from [\"b\", \"a\", \"b\", 1, 1.0, true] | topk 2",
        "from [1e300, 1e-300, -0.0, 1.5e10, 123456789012345680.0, 1e16, 1e15]",
        "range 0 | mean",
        "range 0 | min",
        "range 0 | frequencies",
        "range 0 | sort",
        "range 2500000 | count",
        "range 2500000 | sum",
        "range 2500000 | take 3",
    ] {
        add(s);
    }
    // The functions of SPEC §3.1 over an access log, and their run-time errors.
    for s in [
        r#"read_text "{dir}/access.log" | groupby format_time(parse_time(extract(it, "\\[([^\\]]+)\\]"), "%d/%b/%Y:%H:%M:%S %z"), "%Y-%m-%d %H:00") sum int(extract(it, "\\d+$"))"#,
        r#"read_text "{dir}/access.log" | map captures(it, "\"(?P<method>[A-Z]+) (?P<path>\\S+)(?P<none>x)?")"#,
        r#"read_text "{dir}/access.log" | map [extract_all(it, "\\d+"), extract(it, "(\\d+) (\\d+)$", 2), find(it, "["), type(it)]"#,
        r#"read_text "{dir}/access.log" | map sub(it, "(?P<ip>[\\d.]+) - - ", "\\g<ip>|") | map join(split(lstrip(rstrip(it, "0123456789"), "0123456789."), " "), "_")"#,
        r#"read_text "{dir}/access.log" blocksize=40 | map parse_time(extract(it, "\\[([^\\]]+)\\]"), "%d/%b/%Y:%H:%M:%S %z") | map format_time(it, "%a %A %b %B %j %y %I %p %f %z %%")"#,
        r#"read_text "{dir}/bad_time.log" | map parse_time(extract(it, "\\[([^\\]]+)\\]"), "%d/%b/%Y:%H:%M:%S %z")"#,
        r#"read_text "{dir}/access.log" | map parse_time(it, "%Y")"#,
        r#"from [1.5, -0.0000005, 253402300800, 0] | map format_time(it, "%Y-%m-%d %H:%M:%S.%f")"#,
        r#"read_json "{dir}/nested.jsonl" | map [keys(it), values(it), round(2.675, 2), round(25, -1), round(0.5)]"#,
        r#"from [["a", 1]] | map join(it, ",")"#,
    ] {
        add(s);
    }
    // JSON as flow reads and writes it.
    add(r#"read_json "{dir}/edge.jsonl""#);
    add(r#"read_json "{dir}/edge.jsonl" | to_json"#);
    add(r#"from ["1", "[1, 2]", "{\"a\": null}", "1.0", "-0", "1e2", "\"\\u00e9\""] | parse_json"#);
    add(r#"from ["[1,"] | parse_json"#);
    add(r#"read_json "{dir}/nested.jsonl" | pluck "b" | pluck "d" default=[]"#);
    // `join`: keys compare as flow values (1 == 1.0, true != 1, null ==
    // null); order is the left side's, then OTHER's; `concat` of
    // parenthesised pipelines.
    for s in [
        "from [1, 1.0, true, null, 2, \"1\"] | join (from [1.0, true, null, 1, 3]) on=it",
        "from [1, 5, 2] | join (from [2, 1, 2]) on=it how=\"left\"",
        "range 3 | join (range 0) on=it how=\"left\"",
        "range 3 | join (range 0) on=it",
        "from [\"a\", \"bb\", \"cc\"] | join (range 4) on=len other_on=it | map [.left, .right]",
        "from [[1, 2], [1, 2.0], [2]] | join (from [[1, 2], [2.0]]) on=it",
    ] {
        add(s);
    }
    add(
        r#"read_json "{dir}/nested.jsonl" | join (read_json "{dir}/nested.jsonl") on=.f other_on=.f how="left" | map [.left.a, .right.a]"#,
    );
    add(
        r#"read_json "{dir}/nested.jsonl" | join (read_json "{dir}/extra.jsonl") on=.a other_on=.a"#,
    );
    add(
        r#"read_json "{dir}/extra.jsonl" | join (read_json "{dir}/extra.jsonl") on=.b other_on=.a"#,
    );
    add(
        r#"read_text "{dir}/lines.txt" blocksize=7 | split | join (read_text "{dir}/lines.txt" blocksize=9 | split | map upper) on=upper(it) other_on=it | count"#,
    );
    add(
        r#"concat (read_text "{dir}/lines.txt" blocksize=7) (read_text "{dir}/lines.txt" | upper) (range 2 | map str(it))"#,
    );
    // SPEC §3.1: records, `??` over missing keys, indexes and null, `if`, slices.
    add(
        r#"read_json "{dir}/nested.jsonl" | map {.a, "c d": .b.c ?? "none", f: .f ?? null, e: .e.x ?? .b.d[-1] ?? 0}"#,
    );
    add(
        r#"read_json "{dir}/nested.jsonl" | map {x: .b.d[1:] ?? [], n: if .f ?? false then "yes" else "no"}"#,
    );
    add(r#"read_json "{dir}/nested.jsonl" | map .b.d[0] ?? .a"#);
    add(r#"read_text "{dir}/lines.txt" | map {w: it[:3], last: it[-1] ?? "", s: it[-4:-1]}"#);
    add(r#"read_text "{dir}/lines.txt" | map if len(it) > 5 then it[1:] else upper(it)"#);
    add(r#"read_json "{dir}/nested.jsonl" | map {.a, .f}"#);
    add(r#"read_json "{dir}/nested.jsonl" | map .e.x"#);
    add(r#"read_json "{dir}/nested.jsonl" | map int(.b.c) ?? 0"#);
    add(r#"read_json "{dir}/nested.jsonl" | map if .a then 1 else 0"#);
    add(r#"read_json "{dir}/nested.jsonl" | map .b.d[5]"#);
    // Sinks: CSV columns from nested records, text of non-strings, a part per partition.
    let mut sink = |s: &str| statements.push((s.to_string(), true));
    sink(r#"read_json "{dir}/nested.jsonl" | write_csv "{dir}/@OUT@/n.csv""#);
    sink(r#"read_json "{dir}/nested.jsonl" | write_json "{dir}/@OUT@/n.jsonl""#);
    sink(r#"read_json "{dir}/nested.jsonl" | write_text "{dir}/@OUT@/n.txt""#);
    sink(
        r#"from [1.5, 2.0, 1e20, -0.0, 1e-7, true, null, "s", [1, "a"]] | write_text "{dir}/@OUT@/v.txt""#,
    );
    sink(r#"read_text "{dir}/lines.txt" blocksize=20 | write_text "{dir}/@OUT@/*.txt""#);
    sink(r#"read_text "{dir}/lines.txt" blocksize=20 | split | write_json "{dir}/@OUT@/*.jsonl""#);
    sink(r#"range 3 | count | write_json "{dir}/@OUT@/c.json""#);
    sink(r#"read_json "{dir}/extra.jsonl" | write_csv "{dir}/@OUT@/x.csv""#);
    sink(r#"read_json "{dir}/scalar.jsonl" | write_csv "{dir}/@OUT@/s.csv""#);
    sink(
        r#"read_json "{dir}/nested.jsonl" | map {a: .a, c: .b.c ?? null} | write_csv "{dir}/@OUT@/r.csv""#,
    );
    // A failed run leaves no file, and no directory it made, even where
    // tasks were still writing when one failed.
    sink(r#"read_text "{dir}/racy*.txt" blocksize=2000 | write_text "{dir}/@OUT@/deep/*.txt""#);
    sink(r#"read_text "{dir}/racy*.txt" blocksize=2000 | write_json "{dir}/@OUT@/deep/all.jsonl""#);
    statements
        .into_iter()
        .map(|(s, is_sink)| {
            let dir = tempfile::tempdir().expect("a temporary directory");
            for (name, bytes) in &files {
                let globbed = name.starts_with("racy") && s.contains("{dir}/racy*");
                if globbed || s.contains(&format!("{{dir}}/{name}")) {
                    std::fs::write(dir.path().join(name), bytes).expect("write a file");
                }
            }
            let text = s.replace("{dir}", &dir.path().display().to_string()) + "\n";
            let check = is_sink.then_some(SinkCheck {
                per_file: true,
                csv: false,
            });
            ("fixed", dir, text, check)
        })
        .collect()
}

/// One Python run: these cases' statements as one program, on a scheduler.
struct Job {
    units: Vec<usize>,
    mode: Mode,
}

/// A difference found, for case `unit`.
struct Found {
    unit: usize,
    what: String,
}

/// Exports `text` into `dir/name.py`; the program's path, or why not.
fn export_to(text: &str, dir: &Path, name: &str) -> Result<PathBuf, String> {
    match flow::driver::export_dask(&Script::inline(text), &[]) {
        Ok(program) => {
            let path = dir.join(format!("{name}.py"));
            std::fs::write(&path, program).expect("write the program");
            Ok(path)
        }
        Err(d) => Err(format!(
            "the export failed: {:?}",
            d.0.iter()
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect::<Vec<_>>()
        )),
    }
}

/// Compares case `u`'s outputs in a program's run with flow's. `outs` are
/// the case's own outputs (None: the program failed).
fn compare_unit(unit: &Unit, mode: Mode, ran: &Ran, outs: Option<&[String]>) -> Option<String> {
    let label = mode.label();
    let sink_diff = |unit: &Unit| {
        unit.sink
            .and_then(|c| compare_sinks(c, &unit.out_dir("native"), &unit.out_dir(label)))
    };
    match (&unit.native, outs) {
        (Native::Ok(want), Some(got)) => {
            for (i, (w, g)) in want.iter().zip(got).enumerate() {
                if w != g {
                    return Some(format!("output {i}: {}", first_difference(w, g)));
                }
            }
            if want.len() != got.len() {
                return Some(format!(
                    "flow printed {} outputs, dask {}",
                    want.len(),
                    got.len()
                ));
            }
            sink_diff(unit)
        }
        (Native::Ok(_), None) => Some(format!(
            "flow succeeded, dask exited {} ({:?})\n{}",
            ran.code,
            program_error_code(&ran.stderr),
            tail(&ran.stderr, 12)
        )),
        (Native::Failed(codes), None) => {
            let got = program_error_code(&ran.stderr);
            if ran.code != 1 || !got.as_ref().is_some_and(|c| codes.contains(c)) {
                return Some(format!(
                    "flow failed with {codes:?}; dask exited {} with {got:?}\n{}",
                    ran.code,
                    tail(&ran.stderr, 12)
                ));
            }
            let left = files_under(&unit.out_dir(label));
            if !left.is_empty() {
                return Some(format!(
                    "a failed run left files: {:?}",
                    left.keys().collect::<Vec<_>>()
                ));
            }
            let made = |l: &str| unit.out_dir(l).exists();
            (made(label) != made("native")).then(|| {
                format!(
                    "after a failed run, the sink directory exists: flow {}, dask {}",
                    made("native"),
                    made(label)
                )
            })
        }
        (Native::Failed(codes), Some(got)) => Some(format!(
            "flow failed with {codes:?}, dask succeeded: {:.300}",
            got.join("")
        )),
    }
}

/// A few hundred generated pipelines (text with messy lines and invalid
/// UTF-8, JSON Lines, CSV, groupby, aggregations, shared bindings, sinks),
/// drawn with a fixed seed, on both schedulers.
#[test]
fn generated_pipelines_match_flow_on_dask() {
    need_dask!("generated_pipelines_match_flow_on_dask");
    let started = Instant::now();
    // ---- draw the cases, export each alone, run flow
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let want = total_cases();
    // FLOW_DASK_KEEP: keep the programs and the cases' files, to debug.
    let keep = std::env::var_os("FLOW_DASK_KEEP").is_some();
    let full: usize = FAMILIES.iter().map(|f| f.1).sum();
    let mut units: Vec<Unit> = Vec::new();
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    let mut found: Vec<Found> = Vec::new();
    let mut unsupported_why: BTreeMap<String, usize> = BTreeMap::new();
    let mut cases = Vec::new();
    for &(family, n) in FAMILIES {
        let n = (n * want).div_ceil(full);
        for _ in 0..n {
            let (dir, text, sink) = generate(&mut runner, family, cases.len());
            let text = limit_partitions(&text, dir.path());
            cases.push((family, dir, text, sink));
        }
    }
    cases.extend(fixed_cases());
    let drawn = cases.len();
    for (family, mut dir, text, sink) in cases {
        dir.disable_cleanup(keep);
        let native_text = text.replace(OUT, "out-native");
        match flow::driver::export_dask(&Script::inline(&native_text), &[]) {
            Err(d) if unsupported(&d) => {
                *skipped.entry(family).or_default() += 1;
                let d =
                    d.0.iter()
                        .find(|d| d.code == "flow::export::unsupported")
                        .expect("an unsupported diagnostic");
                *unsupported_why
                    .entry(d.message.split('`').next().unwrap_or("").to_string())
                    .or_default() += 1;
                continue;
            }
            _ => {}
        }
        let (outputs, native) = run_native(&native_text);
        let weight = weight(&text, dir.path());
        units.push(Unit {
            family,
            dir,
            text,
            outputs,
            sink,
            weight,
            native,
        });
    }
    // An export that fails otherwise is a difference.
    for (u, unit) in units.iter().enumerate() {
        if let Err(e) = flow::driver::export_dask(&Script::inline(&unit.script("local")), &[]) {
            found.push(Found {
                unit: u,
                what: format!(
                    "the export failed: {:?}",
                    e.0.iter().map(|d| &d.message).collect::<Vec<_>>()
                ),
            });
        }
    }
    let broken: Vec<usize> = found.iter().map(|f| f.unit).collect();
    // ---- batches of cases flow ran, and cases that failed, alone
    const BATCH_CASES: usize = 40;
    const BATCH_WEIGHT: usize = 1000;
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut alone: Vec<usize> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    let mut cur_weight = 0;
    for (u, unit) in units.iter().enumerate() {
        if broken.contains(&u) {
            continue;
        }
        match unit.native {
            Native::Failed(_) => alone.push(u),
            Native::Ok(_) => {
                if !cur.is_empty()
                    && (cur.len() >= BATCH_CASES || cur_weight + unit.weight > BATCH_WEIGHT)
                {
                    batches.push(std::mem::take(&mut cur));
                    cur_weight = 0;
                }
                cur.push(u);
                cur_weight += unit.weight;
            }
        }
    }
    if !cur.is_empty() {
        batches.push(cur);
    }
    let mut work = tempfile::tempdir().expect("a temporary directory");
    work.disable_cleanup(keep);
    if keep {
        say(&format!(
            "dask: the programs are kept in {}",
            work.path().display()
        ));
    }
    // Taken from the end: the batches (the longest runs) first, each on
    // the two schedulers one after the other.
    let mut jobs: Vec<Job> = Vec::new();
    for &u in &alone {
        jobs.extend(MODES.map(|mode| Job {
            units: vec![u],
            mode,
        }));
    }
    for b in &batches {
        jobs.extend(MODES.map(|mode| Job {
            units: b.clone(),
            mode,
        }));
    }
    let runs = Mutex::new(0usize);
    // Programs of several cases that failed: (cases, mode, why).
    let bisected = Mutex::new(Vec::<(Vec<usize>, Mode, String)>::new());
    let found = Mutex::new(found);
    // Runs one job; a batch whose program failed comes back as two halves.
    let run_job = |job: &Job, n: usize| -> Vec<Job> {
        let label = job.mode.label();
        let text: String = job.units.iter().map(|&u| units[u].script(label)).collect();
        let program = match export_to(&text, work.path(), &format!("run{n}-{label}")) {
            Ok(p) => p,
            Err(e) => {
                for &u in &job.units {
                    found.lock().unwrap().push(Found {
                        unit: u,
                        what: format!("{label}: {e}"),
                    });
                }
                return Vec::new();
            }
        };
        let ran = run_program(&program, site(), job.mode, true);
        *runs.lock().unwrap() += 1;
        if ran.code != 0 && job.units.len() > 1 {
            bisected.lock().unwrap().push((
                job.units.clone(),
                job.mode,
                format!("exit {}: {}", ran.code, tail(&ran.stderr, 6)),
            ));
            let (a, b) = job.units.split_at(job.units.len() / 2);
            return [a, b]
                .iter()
                .map(|half| Job {
                    units: half.to_vec(),
                    mode: job.mode,
                })
                .collect();
        }
        let outs = framed_outputs(&ran.stdout);
        let mut at = 0;
        let how = if job.units.len() > 1 {
            "in a batch"
        } else {
            "alone"
        };
        for &u in &job.units {
            let unit = &units[u];
            let mine = (ran.code == 0).then(|| {
                let end = (at + unit.outputs).min(outs.len());
                &outs[at.min(end)..end]
            });
            at += unit.outputs;
            if let Some(d) = compare_unit(unit, job.mode, &ran, mine) {
                found.lock().unwrap().push(Found {
                    unit: u,
                    what: format!("{label} ({how}): {d}"),
                });
            }
        }
        if ran.code == 0 && outs.len() != at {
            found.lock().unwrap().push(Found {
                unit: job.units[0],
                what: format!(
                    "{label}: the program printed {} outputs, the script has {at}",
                    outs.len()
                ),
            });
        }
        Vec::new()
    };
    // Two programs at a time (the machine has 2 cores; the cluster 2 workers).
    let counter = Mutex::new(0usize);
    while !jobs.is_empty() {
        let queue = Mutex::new(std::mem::take(&mut jobs));
        let next = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| loop {
                    let Some(job) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    let n = {
                        let mut c = counter.lock().unwrap();
                        *c += 1;
                        *c
                    };
                    let more = run_job(&job, n);
                    next.lock().unwrap().extend(more);
                });
            }
        });
        jobs = next.into_inner().unwrap();
    }
    // ---- report
    let mut found = found.into_inner().unwrap();
    // A program of several cases that failed where no case of it fails
    // alone: the cases interfere (a shared name, a shared Dask key).
    let bisected = bisected.into_inner().unwrap();
    for (batch, mode, why) in &bisected {
        let label = mode.label();
        let explained = found
            .iter()
            .any(|f| batch.contains(&f.unit) && f.what.starts_with(&format!("{label} (alone)")));
        if !explained {
            found.push(Found {
                unit: batch[0],
                what: format!(
                    "{label}: the program of cases {batch:?} failed, but none of them fails alone: {why}"
                ),
            });
        }
    }
    let mut by_unit: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for f in &found {
        by_unit.entry(f.unit).or_default().push(&f.what);
    }
    for (u, whats) in &by_unit {
        let unit = &units[*u];
        eprintln!(
            "=== case {u} ({}) differs\n{}{}\n",
            unit.family,
            unit.script("native"),
            whats.join("\n")
        );
    }
    let mut families = String::new();
    for family in FAMILIES.iter().map(|f| f.0).chain(["fixed"]) {
        let ran = units.iter().filter(|u| u.family == family).count();
        let differed = by_unit
            .keys()
            .filter(|&&u| units[u].family == family)
            .count();
        let _ = write!(
            families,
            " {family} {}/{}/{}",
            ran,
            skipped.get(family).copied().unwrap_or(0),
            differed
        );
    }
    let total_skipped: usize = skipped.values().sum();
    say(&format!(
        "dask: generated pipelines: {drawn} cases, {} run, {total_skipped} skipped as unsupported, {} differed ({} batches, {} alone, {} failed programs bisected; {} Python runs; {:.1} s)",
        units.len(),
        by_unit.len(),
        batches.len(),
        alone.len(),
        bisected.len(),
        runs.into_inner().unwrap(),
        started.elapsed().as_secs_f64()
    ));
    say(&format!(
        "dask: by family (run/skipped/differed):{families}"
    ));

    for (why, n) in &unsupported_why {
        say(&format!(
            "dask: skipped {n}: flow::export::unsupported: {why}…"
        ));
    }
    assert!(
        by_unit.is_empty(),
        "{} generated cases differ on Dask; see above",
        by_unit.len()
    );
}

// ---- --engine dask through the binary -------------------------------------------

/// A script with outputs of every printed shape: records, a scalar, ints,
/// mixed values with a tab and a list, JSON records and CSV rows.
const SHAPES: &str = r#"read_text "data/sample.txt" | purge | lower | split | frequencies | topk 5
read_text "data/books/*.txt" | count
range 4
from [1.5, null, true, "a	b", [1, "x"], -0.0, 1e300]
read_json "data/events.jsonl" | take 3
read_csv "data/people.csv" | take 2
"#;

#[test]
fn engine_dask_prints_tsv_as_flow_does() {
    need_dask!("engine_dask_prints_tsv_as_flow_does");
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let script = tmp.path().join("shapes.flow");
    std::fs::write(&script, SHAPES).expect("write the script");
    let s = script.to_str().expect("UTF-8");
    let native = ran_within(
        &mut flow_cmd(site(), &[s, "--format", "tsv"]),
        Duration::from_secs(60),
    );
    assert_eq!(native.code, 0, "{}", native.stderr);
    for mode in MODES {
        let dask = engine_dask(mode, &[s, "--format", "tsv"]);
        assert_eq!(dask.code, 0, "{}: {}", mode.label(), dask.stderr);
        assert!(
            native.stdout == dask.stdout,
            "{}: {}",
            mode.label(),
            first_difference(&native.stdout, &dask.stdout)
        );
    }
}

/// The program does not import Python files that happen to lie in the
/// temporary directory (a `timeit.py` or `glob.py` there would otherwise
/// be imported in place of the standard library's).
#[test]
fn engine_dask_ignores_python_files_in_the_temporary_directory() {
    need_dask!("engine_dask_ignores_python_files_in_the_temporary_directory");
    let tmp = tempfile::tempdir().expect("a temporary directory");
    for module in ["timeit", "glob", "json", "uuid", "pickle"] {
        std::fs::write(
            tmp.path().join(format!("{module}.py")),
            "raise SystemExit('a stray module was imported')\n",
        )
        .expect("write a stray module");
    }
    let script = "read_text \"data/sample.txt\" | split | count";
    let native = ran_within(
        &mut flow_cmd(site(), &["-e", script]),
        Duration::from_secs(60),
    );
    let dask = ran_within(
        flow_cmd(site(), &["-e", script, "--engine", "dask"]).env("TMPDIR", tmp.path()),
        Duration::from_secs(120),
    );
    assert_eq!(dask.code, 0, "{}", dask.stderr);
    assert_eq!(dask.stdout, native.stdout);
}

#[test]
fn engine_dask_reports_a_missing_file_with_flows_code() {
    need_dask!("engine_dask_reports_a_missing_file_with_flows_code");
    let script = "read_text \"no-such-file.txt\" | count";
    let native = ran_within(
        &mut flow_cmd(site(), &["-e", script]),
        Duration::from_secs(60),
    );
    assert_eq!(native.code, 1, "{}", native.stderr);
    let code = rendered_code(&native.stderr).expect("a diagnostic code");
    let dask = ran_within(
        &mut flow_cmd(site(), &["-e", script, "--engine", "dask"]),
        Duration::from_secs(60),
    );
    assert_eq!(dask.code, 1, "{}", dask.stderr);
    assert_eq!(
        rendered_code(&dask.stderr).as_deref(),
        Some(code.as_str()),
        "{}",
        dask.stderr
    );
    assert_eq!(dask.stdout, "");
}

/// A script that does not check exits 2 before any Python runs: with
/// `FLOW_PYTHON` naming nothing, a Python run would be `no_python`.
#[test]
fn engine_dask_check_errors_exit_2_without_running_python() {
    let dask = ran_within(
        flow_cmd(site(), &["-e", "range 3 | cuont", "--engine", "dask"])
            .env("FLOW_PYTHON", "/nonexistent/python3"),
        Duration::from_secs(60),
    );
    assert_eq!(dask.code, 2, "{}", dask.stderr);
    assert_eq!(
        rendered_code(&dask.stderr).as_deref(),
        Some("flow::plan::unknown_operator"),
        "{}",
        dask.stderr
    );
    assert!(!dask.stderr.contains("no_python"), "{}", dask.stderr);
    assert_eq!(dask.stdout, "");
}

/// Without Python: `flow::engine::no_python`, exit 1, and how to install Dask.
#[test]
fn engine_dask_without_python_says_how_to_install_it() {
    let dask = ran_within(
        flow_cmd(site(), &["-e", "range 3 | count", "--engine", "dask"])
            .env("FLOW_PYTHON", "/nonexistent/python3"),
        Duration::from_secs(60),
    );
    assert_eq!(dask.code, 1, "{}", dask.stderr);
    assert_eq!(
        rendered_code(&dask.stderr).as_deref(),
        Some("flow::engine::no_python"),
        "{}",
        dask.stderr
    );
    assert!(
        dask.stderr
            .contains("python3 -m pip install \"dask[bag,distributed]\""),
        "{}",
        dask.stderr
    );
    assert_eq!(dask.stdout, "");
}

/// A failing element of a file source is named by file and line on Dask
/// too (one partition per file here, so the first failure is the first in
/// input order), locally and on the cluster, for each kind of file source.
#[test]
fn engine_dask_names_the_line_of_a_failing_element() {
    need_dask!("engine_dask_names_the_line_of_a_failing_element");
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path();
    std::fs::write(dir.join("n.txt"), "1\n2\n\nx\n3\n").expect("write");
    std::fs::write(
        dir.join("n.jsonl"),
        "{\"a\": 1}\n\n{\"a\": 2}\n{\"b\": 3}\n",
    )
    .expect("write");
    std::fs::write(dir.join("n.csv"), "a,b\n1,\"two\nlines\"\nx,3\n").expect("write");
    let d = dir.to_str().expect("UTF-8");
    for (script, place) in [
        (
            format!("read_text \"{d}/n.txt\" | filter it != \"\" | map int(it)"),
            "n.txt:4)",
        ),
        (
            format!("read_json \"{d}/n.jsonl\" | map .a + 1"),
            "n.jsonl:4)",
        ),
        (format!("read_csv \"{d}/n.csv\" | map int(.a)"), "n.csv:4)"),
    ] {
        let native = ran_within(
            &mut flow_cmd(site(), &["-e", &script]),
            Duration::from_secs(60),
        );
        assert_eq!(native.code, 1, "{}", native.stderr);
        assert!(
            native.stderr.contains(&place[..place.len() - 1]),
            "native: {}",
            native.stderr
        );
        for mode in MODES {
            let dask = engine_dask(mode, &["-e", &script]);
            assert_eq!(dask.code, 1, "{}: {}", mode.label(), dask.stderr);
            assert!(
                dask.stderr.contains(&format!("(element from {d}/{place}")),
                "{}: {script}: {}",
                mode.label(),
                dask.stderr
            );
        }
    }
}

/// On Dask too, every file of a `read_csv` has the first file's columns:
/// the same error code as flow's, locally and on the cluster.
#[test]
fn engine_dask_refuses_a_csv_file_with_other_columns() {
    need_dask!("engine_dask_refuses_a_csv_file_with_other_columns");
    let tmp = tempfile::tempdir().expect("a temporary directory");
    for (file, text) in [("1.csv", "a,b\n1,2\n"), ("2.csv", "a,c\n3,4\n")] {
        std::fs::write(tmp.path().join(file), text).expect("write");
    }
    let script = format!("read_csv \"{}/*.csv\" | map .a", tmp.path().display());
    for mode in MODES {
        let dask = engine_dask(mode, &["-e", &script]);
        assert_eq!(dask.code, 1, "{}: {}", mode.label(), dask.stderr);
        assert!(
            dask.stderr.contains("flow::io::bad_csv") && dask.stderr.contains("2.csv is `a,c`"),
            "{}: {}",
            mode.label(),
            dask.stderr
        );
    }
}
