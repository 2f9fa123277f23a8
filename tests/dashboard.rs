//! `--dashboard` and `--report` (SPEC §8): a real run of the binary is
//! watched through `/api/status` while it goes on; the server answers only
//! its own paths and keeps serving after the run; the report is one
//! self-contained HTML file; a headless Chromium draws the page.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

const SCRIPT: &str = "read_text \"corpus.txt\" | lower | split | frequencies | topk 10\n";
const THREADS: usize = 2;

/// A scratch directory holding `corpus.txt`, big enough that a debug
/// build takes a few seconds over it, and `wc.flow`. Made once.
fn site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-site");
        std::fs::create_dir_all(&dir).unwrap();
        let corpus = dir.join("corpus.txt");
        let want: u64 = 48 << 20;
        if std::fs::metadata(&corpus).map_or(true, |m| m.len() != want) {
            let mut text = Vec::new();
            let mut i: u64 = 0;
            while (text.len() as u64) < want {
                let _ = writeln!(
                    text,
                    "The Quick brown fox {} jumps over the lazy dog number {} again and Again",
                    i % 977,
                    i % 13
                );
                i += 1;
            }
            text.truncate(want as usize);
            let tmp = dir.join("corpus.txt.tmp");
            std::fs::write(&tmp, &text).unwrap();
            std::fs::rename(&tmp, &corpus).unwrap();
        }
        std::fs::write(dir.join("wc.flow"), SCRIPT).unwrap();
        dir
    })
}

/// The running binary; killed when dropped.
struct Served {
    child: Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `flow wc.flow --dashboard=127.0.0.1:0` and reads its address
/// from stderr.
fn serve(extra: &[&str]) -> Served {
    let mut args = vec!["wc.flow", "--dashboard=127.0.0.1:0", "--threads", "2"];
    args.extend_from_slice(extra);
    let mut child = common::flow_command(site(), &args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("flow starts");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("flow: dashboard at http://")
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("no dashboard address on stderr: {line:?}"))
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    // Keep draining stderr so the child never blocks on it.
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = err.read_to_string(&mut rest);
    });
    Served { child, addr }
}

/// A hand-written HTTP/1.0 request; (status, body).
fn request(addr: &str, method: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("the dashboard accepts");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "{method} {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {head:?}"));
    (status, body.to_string())
}

fn get(addr: &str, path: &str) -> (u16, String) {
    request(addr, "GET", path)
}

fn status(addr: &str) -> Json {
    let (code, body) = get(addr, "/api/status");
    assert_eq!(code, 200);
    serde_json::from_str(&body).expect("/api/status is JSON")
}

/// Polls until the run is over; every status seen, in order.
fn watch_to_the_end(addr: &str) -> Vec<Json> {
    let start = Instant::now();
    let mut seen = Vec::new();
    loop {
        let st = status(addr);
        let over = st["run"]["state"].as_str().is_some_and(|s| s != "running");
        seen.push(st);
        if over {
            return seen;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "the run did not end"
        );
        std::thread::sleep(Duration::from_millis(40));
    }
}

fn u(v: &Json) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// The plan and lowering the binary runs, from the library.
fn plan() -> (flow::plan::Plan, flow::exec::Lowered) {
    plan_of(SCRIPT)
}

fn plan_of(src: &str) -> (flow::plan::Plan, flow::exec::Lowered) {
    // The working directory is the process's: one test at a time moves it.
    static CWD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _held = CWD.lock().unwrap_or_else(|e| e.into_inner());
    let plan = flow::driver::compile(src, &[], true).unwrap();
    let cwd = std::env::current_dir().unwrap();
    std::env::set_current_dir(site()).unwrap();
    let lowered = flow::exec::lower(&plan, THREADS);
    std::env::set_current_dir(cwd).unwrap();
    (plan, lowered.unwrap())
}

#[test]
fn status_shows_a_run_growing_to_its_end() {
    let served = serve(&[]);
    let seen = watch_to_the_end(&served.addr);
    let last = seen.last().unwrap().clone();
    let run = &last["run"];
    assert_eq!(run["state"], "done", "{run}");
    assert_eq!(run["label"], "wc.flow");
    assert_eq!(run["threads"], THREADS);
    assert_eq!(run["options"]["threads"], "2");
    assert!(
        seen.iter().any(|s| s["run"]["state"] == "running"
            && u(&s["run"]["tasks_done"]) > 0
            && u(&s["run"]["tasks_done"]) < u(&s["run"]["tasks_total"])),
        "never saw the run half way ({} statuses)",
        seen.len()
    );

    // Progress only grows.
    let runs: Vec<&Json> = seen
        .iter()
        .map(|s| &s["run"])
        .filter(|r| !r.is_null())
        .collect();
    for w in runs.windows(2) {
        let (a, b) = (w[0], w[1]);
        assert_eq!(a["id"], b["id"]);
        for k in ["tasks_done", "bytes_read"] {
            assert!(u(&a[k]) <= u(&b[k]), "{k} went down: {} → {}", a[k], b[k]);
        }
        for (sa, sb) in a["stages"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["stages"].as_array().unwrap())
        {
            for k in [
                "partitions_done",
                "bytes_read",
                "elements_in",
                "elements_out",
            ] {
                assert!(u(&sa[k]) <= u(&sb[k]), "{} {k} went down", sa["node"]);
            }
        }
        assert!(u(&b["tasks_done"]) <= u(&b["tasks_total"]));
    }

    // The stages are the plan's nodes; the tasks are the lowering's.
    let (plan, lowered) = plan();
    let names = plan.node_names();
    let stages = run["stages"].as_array().unwrap();
    let expected: Vec<(String, String, u64)> = lowered
        .nodes()
        .map(|t| {
            let label = plan.graph[t.node]
                .steps
                .iter()
                .map(|s| s.label())
                .collect::<Vec<_>>()
                .join(" | ");
            (names[&t.node].clone(), label, t.tasks as u64)
        })
        .collect();
    let got: Vec<(String, String, u64)> = stages
        .iter()
        .map(|s| {
            (
                s["node"].as_str().unwrap().to_string(),
                s["label"].as_str().unwrap().to_string(),
                u(&s["partitions_total"]),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert!(
        lowered.total_tasks() > 2,
        "the corpus is split into partitions"
    );
    for s in stages {
        assert_eq!(s["state"], "done");
        assert_eq!(s["partitions_done"], s["partitions_total"]);
        assert_eq!(s["bytes_read"], s["bytes_total"]);
    }
    assert_eq!(u(&run["tasks_done"]), lowered.total_tasks() as u64);
    assert_eq!(u(&run["bytes_total"]), 48 << 20);
    assert_eq!(run["bytes_read"], run["bytes_total"]);
    // Every task of the lowering was recorded once, on a worker row.
    let tasks = run["tasks"].as_array().unwrap();
    assert_eq!(u(&run["tasks_recorded"]), tasks.len() as u64);
    let recorded: BTreeSet<(String, u64)> = tasks
        .iter()
        .map(|t| (t["node"].as_str().unwrap().to_string(), u(&t["partition"])))
        .collect();
    let drawn: BTreeSet<(String, u64)> = lowered
        .nodes()
        .flat_map(|t| (0..t.tasks).map(|p| (names[&t.node].clone(), p as u64)))
        .collect();
    assert_eq!(recorded.len(), tasks.len(), "a task recorded twice");
    assert_eq!(recorded, drawn);
    for t in tasks {
        assert!(u(&t["worker"]) <= THREADS as u64);
        assert!(t["end_s"].as_f64().unwrap() >= t["start_s"].as_f64().unwrap());
    }
    // Tasks from an index on, for a page that has the others.
    let (_, body) = get(
        &served.addr,
        &format!("/api/status?since={}", tasks.len() - 1),
    );
    let tail: Json = serde_json::from_str(&body).unwrap();
    assert_eq!(tail["run"]["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(u(&tail["run"]["tasks_since"]), tasks.len() as u64 - 1);
    // Memory was sampled.
    assert!(u(&last["rss_bytes"]) > 1 << 20);
    assert!(!last["memory"].as_array().unwrap().is_empty());

    // The server goes on serving after the run, until killed.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(status(&served.addr)["run"]["state"], "done");
    let (code, svg) = get(&served.addr, "/api/graph.svg");
    assert_eq!(code, 200);
    assert_eq!(svg.matches("data-node=").count(), plan.graph.node_count());
    assert!(svg.contains("class=\"node done\""));
}

#[test]
fn only_its_own_paths_are_served() {
    let served = serve(&[]);
    let a = &served.addr;
    let (code, page) = get(a, "/");
    assert_eq!(code, 200);
    assert!(page.contains("<title>flow dashboard</title>"));
    // The page asks only its own server for anything.
    for attr in ["src=\"", "href=\""] {
        for (i, _) in page.match_indices(attr) {
            assert!(page[i + attr.len()..].starts_with('/'), "{}", &page[i..]);
        }
    }
    assert!(!page.contains("http://") && !page.contains("https://"));
    let (code, js) = get(a, "/app.js");
    assert_eq!(code, 200);
    assert!(js.contains("/api/status"));
    assert!(!js.contains("http://") && !js.contains("https://"));
    let (code, css) = get(a, "/style.css");
    assert_eq!(code, 200);
    assert!(!css.contains("http") && !css.contains("url("));
    for path in [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/api/../../../../etc/passwd",
        "/api/status/../../etc/passwd",
        "/wc.flow",
        "/corpus.txt",
        "/etc/passwd",
        "/nope",
        "/api",
        "//etc/passwd",
    ] {
        let (code, body) = get(a, path);
        assert_eq!(code, 404, "{path}");
        assert!(
            !body.contains("root:") && !body.contains("read_text"),
            "{path}: {body}"
        );
    }
    assert_eq!(request(a, "POST", "/api/status").0, 405);
    assert_eq!(request(a, "DELETE", "/").0, 405);
    assert_eq!(get(a, "/api/graph.svg?run=999").0, 404);
    assert_eq!(get(a, "/api/status?run=x&since=-1").0, 200);
    assert!(status(a)["run"].is_object() || status(a)["run"].is_null());
}

#[test]
fn a_busy_port_and_a_bad_address_are_diagnostics() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let ran = common::ran(&mut common::flow_command(
        site(),
        &[
            "-e",
            "range 3 | count",
            &format!("--dashboard=127.0.0.1:{port}"),
        ],
    ));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("flow::io::dashboard_bind"),
        "{}",
        ran.stderr
    );
    let ran = common::ran(&mut common::flow_command(
        site(),
        &["-e", "range 3 | count", "--dashboard=nowhere"],
    ));
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("flow::cli::bad_dashboard"));
}

const REPORTED: &str =
    "read_text \"corpus.txt\" | lower | split | frequencies | topk 3\nrange 100 | sum";

/// Runs `REPORTED` with `--report DIR/report.html`; what it did, and the report.
fn report_of(dir: &Path, extra: &[&str]) -> (common::Ran, String) {
    let path = dir.join("report.html");
    let mut args = vec![
        "-e",
        REPORTED,
        "--threads",
        "2",
        "--profile=json",
        "--report",
    ];
    let p = path.to_str().unwrap();
    args.push(p);
    args.extend_from_slice(extra);
    let ran = common::ran(&mut common::flow_command(site(), &args));
    let html = std::fs::read_to_string(&path).unwrap_or_default();
    (ran, html)
}

#[test]
fn the_report_is_one_self_contained_file_with_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let (ran, html) = report_of(dir.path(), &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.contains("4950"));
    // Well formed enough: one html, head and body, tags balanced.
    assert!(html.starts_with("<!DOCTYPE html>\n<html"));
    assert!(html.trim_end().ends_with("</html>"));
    for tag in [
        "html", "head", "body", "svg", "table", "pre", "style", "g", "tr", "h2",
    ] {
        let open =
            html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count();
        let close = html.matches(&format!("</{tag}>")).count();
        assert_eq!(open, close, "<{tag}> opened {open} times, closed {close}");
    }
    // Nothing outside the file.
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "a URL in the report"
    );
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src="));
    // The profile numbers of the run are in it: --profile=json printed them.
    let profile: Json = serde_json::from_str(
        ran.stderr
            .lines()
            .find(|l| l.starts_with("{\"nodes\""))
            .expect("the profile on stderr"),
    )
    .unwrap();
    let (plan, _) = plan_of(REPORTED);
    for node in profile["nodes"].as_array().unwrap() {
        for step in node["steps"].as_array().unwrap() {
            for k in ["in", "out"] {
                if let Some(n) = step[k].as_u64() {
                    let shown = flow::viz::dashboard::num(n);
                    assert!(
                        html.contains(&shown),
                        "{k} {shown} of {} not in the report",
                        step["step"]
                    );
                }
            }
        }
    }
    assert!(html.contains("flow performance report"));
    assert!(html.contains("frequencies"));
    assert!(html.contains("<th>threads</th><td>2</td>"));
    assert_eq!(html.matches("data-node=").count(), plan.graph.node_count());
    assert_eq!(
        html.matches("class=\"node done\"").count(),
        plan.graph.node_count()
    );
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["report.html"]);
}

#[test]
fn a_report_that_cannot_be_written_is_exit_1_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("no/such/dir/r.html");
    let ran = common::ran(&mut common::flow_command(
        site(),
        &["-e", "range 10 | sum", "--report", target.to_str().unwrap()],
    ));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("flow::io::report_failed"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stdout.is_empty(),
        "the run did not start: {}",
        ran.stdout
    );
    assert!(!target.exists());
    // A directory as the report.
    let ran = common::ran(&mut common::flow_command(
        site(),
        &[
            "-e",
            "range 10 | sum",
            "--report",
            dir.path().to_str().unwrap(),
        ],
    ));
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("flow::io::report_failed"));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing left behind"
    );
}

#[test]
fn a_report_to_a_device_is_written_through_and_an_empty_path_refused() {
    let ran = common::ran(&mut common::flow_command(
        site(),
        &["-e", "range 10 | sum", "--report", "/dev/stdout"],
    ));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(
        ran.stdout.starts_with("45\n<!DOCTYPE html>"),
        "{}",
        ran.stdout
    );
    assert!(Path::new("/dev/stdout").exists(), "never replaced");
    // Standard output redirected to a file: that file gets the report.
    let dir = tempfile::tempdir().unwrap();
    let out = std::fs::File::create(dir.path().join("out.html")).unwrap();
    let status = common::flow_command(
        site(),
        &["-e", "range 10 | sum", "--report", "/dev/stdout", "--quiet"],
    )
    .stdout(out)
    .status()
    .unwrap();
    assert!(status.success());
    let html = std::fs::read_to_string(dir.path().join("out.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(std::fs::symlink_metadata("/dev/stdout")
        .unwrap()
        .file_type()
        .is_symlink());
    let ran = common::ran(&mut common::flow_command(
        site(),
        &["-e", "range 10 | sum", "--report", ""],
    ));
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("not a file name"), "{}", ran.stderr);
}

/// Chromium's executable: `FLOW_CHROMIUM`, else the first of the usual
/// names on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FLOW_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn headless(chrome: &Path, args: &[&str], url: &str) -> String {
    let out = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .args(args)
        .arg(url)
        .stderr(Stdio::null())
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_browser_draws_the_page_during_a_run() {
    let Some(chrome) = chromium() else {
        let why = "SKIPPED a_browser_draws_the_page_during_a_run: no chromium on PATH \
                   (apt-get install chromium chromium-driver, or set FLOW_CHROMIUM)";
        eprintln!("{why}");
        println!("{why}");
        return;
    };
    let served = serve(&[]);
    let url = format!("http://{}/", served.addr);
    // Wait until some tasks have run.
    let start = Instant::now();
    loop {
        let st = status(&served.addr);
        if st["run"]["tasks_done"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120));
        std::thread::sleep(Duration::from_millis(30));
    }
    let during = status(&served.addr)["run"]["state"] == "running";
    let dom = headless(&chrome, &["--virtual-time-budget=3000", "--dump-dom"], &url);
    assert!(dom.contains("<title>flow dashboard</title>"), "{dom}");
    let (plan, _) = plan();
    assert_eq!(
        dom.matches("data-node=").count(),
        plan.graph.node_count(),
        "one graph node per plan node"
    );
    let drawn = dom.matches("data-task=").count();
    assert!(drawn > 0, "the task stream drew no task:\n{dom}");
    assert!(dom.contains("data-stage=\"n0\""), "the stage table");
    assert!(dom.contains("<polyline"), "the memory chart");
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("dashboard.png");
    let _ = std::fs::remove_file(&shot);
    headless(
        &chrome,
        &[
            "--virtual-time-budget=2000",
            "--window-size=1280,900",
            &format!("--screenshot={}", shot.display()),
        ],
        &url,
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"));
    println!(
        "browser drew {drawn} tasks ({}); screenshot {}",
        if during {
            "during the run"
        } else {
            "as the run ended"
        },
        shot.display()
    );
}

/// After the run, Ctrl-C stops the dashboard with the run's own exit code.
#[test]
fn ctrl_c_after_the_run_exits_with_its_code() {
    for (src, code) in [
        ("range 10 | sum", 0),
        ("range 10 | map 1 / (it - 3) | sum", 1),
    ] {
        let mut child = common::flow_command(site(), &["-e", src, "--dashboard=127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut text = String::new();
        let mut line = String::new();
        while err.read_line(&mut line).unwrap() > 0 {
            text.push_str(&line);
            if line.contains("the run is over") {
                break;
            }
            line.clear();
        }
        assert!(text.contains("until Ctrl-C"), "{text}");
        let killed = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        if !killed.is_ok_and(|s| s.success()) {
            let _ = child.kill();
            let _ = child.wait();
            let why = "SKIPPED the Ctrl-C check: no `kill` command";
            eprintln!("{why}");
            println!("{why}");
            return;
        }
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{src}");
    }
}
