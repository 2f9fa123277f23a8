//! The records benchmark (issue 13).
//!
//! `cargo bench --bench records [-- OPTIONS]` measures five record pipelines
//! over one stream of synthetic web-request events, in flow, DuckDB and
//! Polars, side by side in one run:
//!
//! | task | flow |
//! |---|---|
//! | JSON: count per status | `read_json F \| filter "status" in it \| groupby .status count` |
//! | JSON: mean latency per endpoint | `read_json F \| filter "latency_ms" in it \| groupby .endpoint mean .latency_ms` |
//! | JSON: top 10 users among 5xx | `read_json F \| filter ("status" in it) and .status >= 500 and "user" in it \| groupby .user.id count \| topk 10` |
//! | CSV: count per status | `read_csv F \| filter .status != "" \| groupby .status count` |
//! | CSV: mean latency per endpoint | `read_csv F \| filter .latency_ms != "" \| groupby .endpoint mean float(.latency_ms)` |
//!
//! The events come from `benches/gen_events.py` (a copy of the deterministic
//! generator the issue measured with), written once per event count to
//! `target/bench-data/events-N/` (`events.jsonl`, `events.csv`). DuckDB and
//! Polars run as small Python programs that this harness writes next to the
//! data (`records_duckdb.py`, `records_polars.py`), each a child process as
//! flow is, so every engine's time includes its start-up; all three use two
//! threads. Every engine's answer is checked against flow's (rows sorted by
//! key, numbers rounded to 6 significant digits; the top 10 in its order)
//! before and during the timed runs. It prints a Markdown table (median and
//! min–max wall time, the ratios, flow's peak RSS), the event count, the file
//! sizes and the load average. `--help` lists the options; docs/bench.md
//! explains the output.

use std::env;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{self, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{
    count_lines, cpu_name, loadavg, median, median_u64, os, release_flow, show_cmd, RunOut, Runner,
};

// ===========================================================================
// Tasks and engines
// ===========================================================================

/// Which of the two files a task reads.
#[derive(Clone, Copy, PartialEq)]
enum Input {
    Json,
    Csv,
}

struct Task {
    /// The name on the command line and in the Python programs.
    name: &'static str,
    /// The row label of the table.
    label: &'static str,
    input: Input,
    /// The flow program; `FILE` is replaced by the quoted path.
    flow: &'static str,
    /// The answer is a top 10 in a fixed order (count descending, key
    /// ascending), not a set of groups.
    ordered: bool,
}

const TASKS: &[Task] = &[
    Task {
        name: "json-status",
        label: "JSON: count per status",
        input: Input::Json,
        flow: r#"read_json FILE | filter "status" in it | groupby .status count"#,
        ordered: false,
    },
    Task {
        name: "json-latency",
        label: "JSON: mean latency per endpoint",
        input: Input::Json,
        flow: r#"read_json FILE | filter "latency_ms" in it | groupby .endpoint mean .latency_ms"#,
        ordered: false,
    },
    Task {
        name: "json-top-users",
        label: "JSON: top 10 users among 5xx",
        input: Input::Json,
        flow: r#"read_json FILE | filter ("status" in it) and .status >= 500 and "user" in it | groupby .user.id count | topk 10"#,
        ordered: true,
    },
    Task {
        name: "csv-status",
        label: "CSV: count per status",
        input: Input::Csv,
        flow: r#"read_csv FILE | filter .status != "" | groupby .status count"#,
        ordered: false,
    },
    Task {
        name: "csv-latency",
        label: "CSV: mean latency per endpoint",
        input: Input::Csv,
        flow: r#"read_csv FILE | filter .latency_ms != "" | groupby .endpoint mean float(.latency_ms)"#,
        ordered: false,
    },
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Engine {
    Flow,
    DuckDb,
    Polars,
}

const ENGINES: [Engine; 3] = [Engine::Flow, Engine::DuckDb, Engine::Polars];

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Flow => "flow",
            Engine::DuckDb => "DuckDB",
            Engine::Polars => "Polars",
        }
    }

    fn module(self) -> &'static str {
        match self {
            Engine::Flow => "",
            Engine::DuckDb => "duckdb",
            Engine::Polars => "polars",
        }
    }
}

/// The five tasks in DuckDB. The generator leaves a missing key out of the
/// JSON line (it never writes `null`) and writes an empty CSV field, which
/// both readers turn into NULL, so `IS NOT NULL` is flow's `"k" in it` and
/// `.k != ""`. Two threads: `threads` in the connection's configuration.
const DUCKDB_SCRIPT: &str = r##"# Written by benches/records.rs: one task of the records benchmark in DuckDB.
# usage: python3 records_duckdb.py TASK FILE   (prints KEY<TAB>VALUE rows)
import sys

import duckdb

TASKS = {
    "json-status":
        "SELECT status, count(*) FROM read_ndjson(?) WHERE status IS NOT NULL GROUP BY status",
    "json-latency":
        "SELECT endpoint, avg(latency_ms) FROM read_ndjson(?) WHERE latency_ms IS NOT NULL "
        "GROUP BY endpoint",
    "json-top-users":
        "SELECT \"user\".id AS id, count(*) AS n FROM read_ndjson(?) "
        "WHERE status >= 500 AND \"user\" IS NOT NULL GROUP BY \"user\".id "
        "ORDER BY n DESC, id ASC LIMIT 10",
    "csv-status":
        "SELECT status, count(*) FROM read_csv(?) WHERE status IS NOT NULL GROUP BY status",
    "csv-latency":
        "SELECT endpoint, avg(latency_ms) FROM read_csv(?) WHERE latency_ms IS NOT NULL "
        "GROUP BY endpoint",
}


def main():
    task, path = sys.argv[1], sys.argv[2]
    con = duckdb.connect(config={"threads": 2})
    rows = con.execute(TASKS[task], [path]).fetchall()
    sys.stdout.write("".join(f"{k}\t{v!r}\n" for k, v in rows))


if __name__ == "__main__":
    main()
"##;

/// The five tasks in Polars, lazy (`scan_ndjson`, `scan_csv`, `group_by`).
/// Two threads: `POLARS_MAX_THREADS=2`, set before polars is imported (the
/// harness sets it in the child's environment too).
const POLARS_SCRIPT: &str = r##"# Written by benches/records.rs: one task of the records benchmark in Polars.
# usage: python3 records_polars.py TASK FILE   (prints KEY<TAB>VALUE rows)
import os
import sys

os.environ["POLARS_MAX_THREADS"] = "2"  # read when polars is imported
import polars as pl  # noqa: E402


def query(task, path):
    c = pl.col
    lf = pl.scan_ndjson(path) if task.startswith("json-") else pl.scan_csv(path)
    if task in ("json-status", "csv-status"):
        return lf.filter(c("status").is_not_null()).group_by("status").agg(pl.len())
    if task in ("json-latency", "csv-latency"):
        return (lf.filter(c("latency_ms").is_not_null())
                .group_by("endpoint").agg(c("latency_ms").mean()))
    if task == "json-top-users":
        return (lf.filter((c("status") >= 500) & c("user").is_not_null())
                .group_by(c("user").struct.field("id").alias("id")).agg(pl.len().alias("n"))
                .sort(["n", "id"], descending=[True, False]).head(10))
    raise SystemExit(f"unknown task {task}")


def main():
    task, path = sys.argv[1], sys.argv[2]
    df = query(task, path).collect()
    sys.stdout.write("".join(f"{k}\t{v!r}\n" for k, v in df.iter_rows()))


if __name__ == "__main__":
    main()
"##;

// ===========================================================================
// Options
// ===========================================================================

const DEFAULT_EVENTS: u64 = 2_700_000;
const QUICK_EVENTS: u64 = 200_000;

struct Opts {
    runs: usize,
    events: u64,
    tasks: Vec<usize>,
    engines: Vec<Engine>,
}

const HELP: &str = "\
cargo bench --bench records [-- OPTIONS]

  --runs N        timed runs per task and engine (default 5; the median is reported)
  --events N      events to generate (default 2700000: ~505 MB JSON Lines, ~230 MB CSV)
  --quick         one run each on 200000 events: a smoke test
  --tasks LIST    comma-separated tasks (default all): json-status, json-latency,
                  json-top-users, csv-status, csv-latency
  --no-duckdb     skip DuckDB
  --no-polars     skip Polars
";

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        runs: 5,
        events: DEFAULT_EVENTS,
        tasks: (0..TASKS.len()).collect(),
        engines: ENGINES.to_vec(),
    };
    let mut events = None;
    let mut quick = false;
    let mut it = args.iter();
    let num = |v: Option<&String>, what: &str| -> Result<u64, String> {
        v.and_then(|v| v.replace('_', "").parse().ok())
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("{what} needs a positive number"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--bench" => {} // cargo passes it to harness = false benches
            "--runs" => o.runs = num(it.next(), "--runs")? as usize,
            "--events" => events = Some(num(it.next(), "--events")?),
            "--quick" => quick = true,
            "--no-duckdb" => o.engines.retain(|&e| e != Engine::DuckDb),
            "--no-polars" => o.engines.retain(|&e| e != Engine::Polars),
            "--tasks" => {
                let v = it.next().ok_or("--tasks needs a list of tasks")?;
                o.tasks.clear();
                for name in v.split(',').map(str::trim) {
                    let i = TASKS.iter().position(|t| t.name == name).ok_or_else(|| {
                        let names: Vec<_> = TASKS.iter().map(|t| t.name).collect();
                        format!("unknown task `{name}` ({})", names.join(", "))
                    })?;
                    if !o.tasks.contains(&i) {
                        o.tasks.push(i);
                    }
                }
            }
            "-h" | "--help" => {
                print!("{HELP}");
                process::exit(0);
            }
            other => return Err(format!("unknown option `{other}`\n\n{HELP}")),
        }
    }
    if quick {
        o.runs = 1;
        o.events = QUICK_EVENTS;
    }
    if let Some(n) = events {
        o.events = n;
    }
    Ok(o)
}

// ===========================================================================
// Data
// ===========================================================================

struct Data {
    dir: PathBuf,
    json: PathBuf,
    csv: PathBuf,
    events: u64,
    json_bytes: u64,
    csv_bytes: u64,
}

/// The events of `benches/gen_events.py`, generated once per count into
/// `target/bench-data/events-N/` (the generator writes each file under a
/// temporary name and renames it when done, so a file that exists is whole).
fn prepare_data(root: &Path, n: u64) -> Result<Data, String> {
    let dir = root.join(format!("target/bench-data/events-{n}"));
    let (json, csv) = (dir.join("events.jsonl"), dir.join("events.csv"));
    if !json.is_file() || !csv.is_file() {
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        eprintln!(
            "generating {n} events into {} (python3 benches/gen_events.py; about 30 s per million)",
            dir.display()
        );
        let t0 = Instant::now();
        let st = Command::new("python3")
            .arg(root.join("benches/gen_events.py"))
            .arg(n.to_string())
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(io::stderr()) // its "wrote ..." line is not part of the report
            .status()
            .map_err(|e| format!("cannot run python3 benches/gen_events.py: {e}"))?;
        if !st.success() || !json.is_file() || !csv.is_file() {
            return Err(format!("benches/gen_events.py {n} failed ({st})"));
        }
        eprintln!("generated in {:.1} s", t0.elapsed().as_secs_f64());
    }
    let size = |p: &Path| fs::metadata(p).map(|m| m.len()).map_err(|e| e.to_string());
    let events = count_lines(&json).map_err(|e| format!("{}: {e}", json.display()))?;
    if events != n {
        return Err(format!(
            "{} has {events} lines, not {n}: delete {} and run again",
            json.display(),
            dir.display()
        ));
    }
    Ok(Data {
        json_bytes: size(&json)?,
        csv_bytes: size(&csv)?,
        dir,
        json,
        csv,
        events,
    })
}

// ===========================================================================
// DuckDB and Polars: installed with pip when missing, else skipped with a note
// ===========================================================================

/// `python3 -c "import MODULE; print(MODULE.__version__)"`: the version, or
/// the error's last line.
fn py_import(module: &str) -> Result<String, String> {
    let out = Command::new("python3")
        .args([
            "-c",
            &format!("import {module}; print({module}.__version__)"),
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(err
            .lines()
            .last()
            .unwrap_or("import failed")
            .trim()
            .to_owned())
    }
}

/// The version of each wanted Python engine, or why it is skipped. When one
/// does not import, `python3 -m pip install duckdb polars` is tried once (a
/// marker file remembers a failed attempt; delete it to retry).
fn python_engines(wanted: &[Engine], data_root: &Path) -> Vec<(Engine, Result<String, String>)> {
    let wanted: Vec<Engine> = wanted
        .iter()
        .copied()
        .filter(|&e| e != Engine::Flow)
        .collect();
    let mut found: Vec<(Engine, Result<String, String>)> =
        wanted.iter().map(|&e| (e, py_import(e.module()))).collect();
    if found.iter().all(|(_, r)| r.is_ok()) {
        return found;
    }
    let marker = data_root.join("records-pip-failed");
    let pip_note = if marker.exists() {
        format!(
            "an earlier `python3 -m pip install duckdb polars` failed (delete {} to retry)",
            marker.display()
        )
    } else {
        eprintln!("note: trying `python3 -m pip install duckdb polars`");
        let out = Command::new("python3")
            .args(["-m", "pip", "install", "-q", "duckdb", "polars"])
            .stdin(Stdio::null())
            .output();
        found = wanted.iter().map(|&e| (e, py_import(e.module()))).collect();
        let why = match &out {
            Ok(o) if o.status.success() => "pip install succeeded".to_owned(),
            Ok(o) => format!(
                "pip install failed: {}",
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .rfind(|l| !l.trim().is_empty())
                    .unwrap_or("no message")
                    .trim()
            ),
            Err(e) => format!("cannot run python3 -m pip: {e}"),
        };
        if found.iter().any(|(_, r)| r.is_err()) {
            let _ = fs::create_dir_all(data_root);
            let _ = fs::write(&marker, format!("{why}\ndelete this file to retry\n"));
        }
        why
    };
    for (e, r) in &mut found {
        if let Err(msg) = r {
            *msg = format!("`import {}` fails ({msg}); {pip_note}", e.module());
        }
    }
    found
}

// ===========================================================================
// Running and checking
// ===========================================================================

fn find_time() -> Option<PathBuf> {
    let p = PathBuf::from("/usr/bin/time");
    let works = Command::new(&p)
        .args(["-f", "%M", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map(|o| {
            o.status.success()
                && String::from_utf8_lossy(&o.stderr)
                    .trim()
                    .parse::<u64>()
                    .is_ok()
        })
        .unwrap_or(false);
    works.then_some(p)
}

/// An answer's rows, `(key, value)`, as [`normalise`] makes them.
type Rows = Vec<(String, String)>;

/// The first answer of a task and the engine that gave it.
type Answer = Option<(Engine, Rows)>;

/// An answer normalised for comparison: `(key, value)` rows; a value that
/// is a number is rounded to 6 significant digits; rows sorted by key
/// unless the task's answer is ordered (the top 10).
fn normalise(out: &str, engine: Engine, ordered: bool) -> Rows {
    let mut rows = Vec::new();
    for (i, line) in out.lines().enumerate() {
        if engine == Engine::Flow && i == 0 {
            continue; // flow's TSV header: key<TAB>count or key<TAB>mean
        }
        if line.is_empty() {
            continue;
        }
        let (k, v) = line.rsplit_once('\t').unwrap_or((line, ""));
        rows.push((k.to_owned(), round6(v)));
    }
    if !ordered {
        rows.sort();
    }
    rows
}

/// An integer as it is; any other number with 6 significant digits.
fn round6(v: &str) -> String {
    let v = v.trim();
    if let Ok(i) = v.parse::<i64>() {
        return i.to_string();
    }
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() => format!("{x:.5e}"),
        _ => v.to_owned(),
    }
}

fn show_rows(rows: &[(String, String)]) -> String {
    let mut s = String::new();
    for (k, v) in rows.iter().take(60) {
        let _ = writeln!(s, "    {k}\t{v}");
    }
    if rows.len() > 60 {
        let _ = writeln!(s, "    … ({} rows)", rows.len());
    }
    s
}

struct Job {
    task: usize,
    engine: Engine,
    cmd: Vec<OsString>,
    env: Vec<(&'static str, &'static str)>,
    walls: Vec<Duration>,
    rss_kb: Vec<u64>,
    cpu: Vec<Duration>,
}

/// Runs a job once and checks its answer against `want` (or makes it the
/// answer when there is none yet).
fn run_checked(runner: &Runner, job: &Job, want: &mut Answer) -> Result<RunOut, String> {
    let task = &TASKS[job.task];
    let out = runner.run(&job.cmd, &job.env, true)?;
    let got = normalise(&out.stdout, job.engine, task.ordered);
    if got.is_empty() {
        return Err(format!(
            "{} on `{}` printed nothing.\n  command: {}",
            job.engine.name(),
            task.label,
            show_cmd(&job.cmd)
        ));
    }
    match want {
        None => *want = Some((job.engine, got)),
        Some((by, rows)) if *rows != got => {
            return Err(format!(
                "{} and {} disagree on `{}` (normalised: sorted by key, 6 significant digits).\n  \
                 command: {}\n  got:\n{}  want ({}):\n{}",
                job.engine.name(),
                by.name(),
                task.label,
                show_cmd(&job.cmd),
                show_rows(&got),
                by.name(),
                show_rows(rows)
            ))
        }
        Some(_) => {}
    }
    Ok(out)
}

// ===========================================================================
// Statistics and formatting
// ===========================================================================

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 10.0 {
        format!("{s:.1}")
    } else {
        format!("{s:.2}")
    }
}

/// `2.81 s (2.79–2.90)`, or `—` when the engine did not run.
fn fmt_walls(v: &[Duration]) -> String {
    if v.is_empty() {
        return "—".into();
    }
    let (lo, hi) = (v.iter().min(), v.iter().max());
    match (lo, hi) {
        (Some(&lo), Some(&hi)) if v.len() > 1 => {
            format!("{} s ({}–{})", secs(median(v)), secs(lo), secs(hi))
        }
        _ => format!("{} s", secs(median(v))),
    }
}

fn fmt_rss(kb: Option<u64>) -> String {
    match kb {
        Some(kb) => format!("{:.0} MB", kb as f64 * 1024.0 / 1e6),
        None => "n/a".into(),
    }
}

fn fmt_cpu(v: &[Duration]) -> String {
    if v.is_empty() {
        "n/a".into()
    } else {
        format!("{} s", secs(median(v)))
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

// ===========================================================================
// The harness
// ===========================================================================

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    if let Err(e) = bench(&args) {
        eprintln!("\nerror: {e}");
        process::exit(1);
    }
}

fn bench(args: &[String]) -> Result<(), String> {
    let o = parse_opts(args)?;
    let flow_bin = release_flow("records")?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let load_start = loadavg();
    let data = prepare_data(&root, o.events)?;
    for p in [&data.json, &data.csv] {
        if p.to_string_lossy().contains(['"', '\\']) {
            return Err(format!(
                "{}: a path with `\"` or `\\` cannot be written as a flow string here",
                p.display()
            ));
        }
    }

    // The engines: flow always; DuckDB and Polars when they import.
    let mut engines = vec![Engine::Flow];
    let mut notes: Vec<String> = Vec::new();
    let mut versions: Vec<String> = Vec::new();
    for (e, r) in python_engines(&o.engines, &root.join("target/bench-data")) {
        match r {
            Ok(v) => {
                engines.push(e);
                versions.push(format!("{} {v}", e.module()));
            }
            Err(why) => {
                let note = format!("{} skipped: {why}", e.name());
                eprintln!("note: {note}");
                notes.push(note);
            }
        }
    }
    for e in ENGINES {
        if e != Engine::Flow && !o.engines.contains(&e) {
            notes.push(format!("{} skipped: --no-{}", e.name(), e.module()));
        }
    }
    let script = |e: Engine| data.dir.join(format!("records_{}.py", e.module()));
    for (e, text) in [
        (Engine::DuckDb, DUCKDB_SCRIPT),
        (Engine::Polars, POLARS_SCRIPT),
    ] {
        if engines.contains(&e) {
            fs::write(script(e), text).map_err(|err| format!("{}: {err}", script(e).display()))?;
        }
    }
    let time = find_time();
    if time.is_none() {
        notes.push(
            "/usr/bin/time is missing (Debian package `time`): peak RSS and CPU are n/a".into(),
        );
    }
    let runner = Runner {
        time,
        cwd: root.clone(),
        time_file: data.dir.join("records-time.out"),
    };

    let mut jobs: Vec<Job> = Vec::new();
    for &t in &o.tasks {
        let task = &TASKS[t];
        let file = match task.input {
            Input::Json => &data.json,
            Input::Csv => &data.csv,
        };
        for &e in &engines {
            let (cmd, env) = match e {
                Engine::Flow => {
                    let program = task
                        .flow
                        .replace("FILE", &format!("\"{}\"", file.display()));
                    let cmd = [
                        os(&flow_bin),
                        os("-e"),
                        os(program),
                        os("--format"),
                        os("tsv"),
                        os("--quiet"),
                        os("--threads"),
                        os("2"),
                    ];
                    (cmd.to_vec(), vec![])
                }
                _ => (
                    vec![os("python3"), os(script(e)), os(task.name), os(file)],
                    vec![("POLARS_MAX_THREADS", "2")],
                ),
            };
            jobs.push(Job {
                task: t,
                engine: e,
                cmd,
                env,
                walls: Vec::new(),
                rss_kb: Vec::new(),
                cpu: Vec::new(),
            });
        }
    }

    // Correctness first (this also warms the page cache): each task in
    // every engine once, each answer against flow's.
    let mut answers: Vec<Answer> = vec![None; TASKS.len()];
    for j in &jobs {
        eprintln!("  check: {} / {}", TASKS[j.task].label, j.engine.name());
        run_checked(&runner, j, &mut answers[j.task])?;
    }
    eprintln!("the engines agree on every task");

    // Timed rounds: each round runs every job once, starting one job later
    // than the round before, so drift in the machine's load hits all alike.
    let load_before = loadavg();
    let n = jobs.len();
    for r in 0..o.runs {
        eprintln!("round {}/{}", r + 1, o.runs);
        for k in 0..n {
            let j = &mut jobs[(r + k) % n];
            let out = run_checked(&runner, j, &mut answers[j.task])?;
            j.walls.push(out.wall);
            j.rss_kb.extend(out.rss_kb);
            j.cpu.extend(out.cpu);
        }
    }
    let load_end = loadavg();

    print!(
        "{}",
        report(
            &o,
            &data,
            &jobs,
            &engines,
            &versions,
            &notes,
            &load_start,
            &load_before,
            &load_end
        )
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn report(
    o: &Opts,
    data: &Data,
    jobs: &[Job],
    engines: &[Engine],
    versions: &[String],
    notes: &[String],
    load_start: &str,
    load_before: &str,
    load_end: &str,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\nEvents: {} (benches/gen_events.py): {} = {}, {} = {}.",
        data.events,
        data.json.display(),
        mb(data.json_bytes),
        data.csv.display(),
        mb(data.csv_bytes)
    );
    let _ = writeln!(
        s,
        "Runs: {} per task and engine, alternating; wall time median (min–max); each engine a \
         child process on 2 threads (flow --threads 2; DuckDB threads=2; POLARS_MAX_THREADS=2){}.",
        o.runs,
        if versions.is_empty() {
            String::new()
        } else {
            format!("; {}", versions.join(", "))
        }
    );
    for note in notes {
        let _ = writeln!(s, "Note: {note}.");
    }
    let find = |t: usize, e: Engine| {
        jobs.iter()
            .find(|j| j.task == t && j.engine == e && !j.walls.is_empty())
    };
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "| task | flow | DuckDB | Polars | flow/DuckDB | flow/Polars | flow peak RSS |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
    for &t in &o.tasks {
        let walls = |e: Engine| find(t, e).map(|j| &j.walls[..]).unwrap_or(&[]);
        let ratio = |e: Engine| match (find(t, Engine::Flow), find(t, e)) {
            (Some(f), Some(x)) => format!(
                "{:.2}×",
                median(&f.walls).as_secs_f64() / median(&x.walls).as_secs_f64()
            ),
            _ => "—".into(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            TASKS[t].label,
            fmt_walls(walls(Engine::Flow)),
            fmt_walls(walls(Engine::DuckDb)),
            fmt_walls(walls(Engine::Polars)),
            ratio(Engine::DuckDb),
            ratio(Engine::Polars),
            fmt_rss(find(t, Engine::Flow).and_then(|j| median_u64(&j.rss_kb)))
        );
    }

    let _ = writeln!(s, "\nCPU time (user + system) and peak RSS, medians:\n");
    let mut head = String::from("| task |");
    let mut rule = String::from("|---|");
    for e in engines {
        let _ = write!(head, " {0} CPU | {0} RSS |", e.name());
        rule.push_str("---:|---:|");
    }
    let _ = writeln!(s, "{head}\n{rule}");
    for &t in &o.tasks {
        let _ = write!(s, "| {} |", TASKS[t].label);
        for &e in engines {
            let (cpu, rss) = match find(t, e) {
                Some(j) => (fmt_cpu(&j.cpu), fmt_rss(median_u64(&j.rss_kb))),
                None => ("—".into(), "—".into()),
            };
            let _ = write!(s, " {cpu} | {rss} |");
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(
        s,
        "\nMachine: {}; load average (1 min) {load_start} at start, {load_before} before the \
         timed runs, {load_end} at the end.",
        cpu_name()
    );
    s
}
