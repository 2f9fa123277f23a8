//! The REPL as a user meets it: the real binary on a pseudo-terminal
//! (expectrl), typing lines and keys and reading the screen; and `flow`
//! with standard input piped in. Every wait is bounded, so a hang fails the
//! test instead of blocking the run.
//!
//! Results are chosen so they never appear in what was typed: the terminal
//! echoes input, so `range 3 | count` would "find" its 3 in the echo.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use expectrl::process::unix::WaitStatus;
use expectrl::{ControlCode, Expect, Regex, Session};

const PROMPT: &str = "flow> ";

type Pty = Session<expectrl::process::unix::UnixProcess, expectrl::process::unix::PtyStream>;

/// Starts `flow` on a terminal in the crate root, with its history in `hist`.
fn start(hist: &Path) -> Pty {
    start_with(hist, true)
}

fn start_with(hist: &Path, no_color: bool) -> Pty {
    spawn(hist, no_color, &common::root())
}

/// Starts `flow` on a terminal in `dir`.
fn start_in(hist: &Path, dir: &Path) -> Pty {
    spawn(hist, true, dir)
}

fn spawn(hist: &Path, no_color: bool, dir: &Path) -> Pty {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flow"));
    cmd.current_dir(dir)
        .env("FLOW_HISTORY", hist)
        .env("TERM", "xterm");
    if no_color {
        cmd.env("NO_COLOR", "1");
    } else {
        cmd.env_remove("NO_COLOR");
    }
    let mut p = Session::spawn(cmd).expect("flow starts on a pty");
    p.set_expect_timeout(Some(Duration::from_secs(10)));
    p.expect(PROMPT).expect("a prompt");
    p
}

/// Types a line and waits for `want` (a regex) and the next prompt.
fn line(p: &mut Pty, input: &str, want: &str) {
    p.send(format!("{input}\r")).unwrap();
    p.expect(Regex(want))
        .unwrap_or_else(|e| panic!("after {input:?}: no {want:?}: {e}"));
    p.expect(PROMPT)
        .unwrap_or_else(|e| panic!("after {input:?}: no prompt: {e}"));
}

/// Ctrl-D at an empty prompt; the process must exit 0.
fn quit(p: &mut Pty) {
    p.send(ControlCode::EndOfTransmission).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match p.get_process().status() {
            Ok(WaitStatus::StillAlive) if Instant::now() < deadline => {
                // Drain output so the child never blocks on a full pty.
                let mut buf = [0u8; 1024];
                let _ = p.try_read(&mut buf);
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(WaitStatus::Exited(_, code)) => {
                assert_eq!(code, 0, "exit status");
                return;
            }
            other => panic!("flow did not exit after Ctrl-D: {other:?}"),
        }
    }
}

fn history() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sub").join("history");
    (dir, file)
}

#[test]
fn a_binding_and_an_output() {
    let (_d, h) = history();
    let mut p = start(&h);
    line(&mut p, "let xs = range 7", r"xs: bag<int>");
    line(&mut p, "xs | map it * 3 | sum", r"\b63\b");
    // Twenty rows, then a count of the rest.
    line(
        &mut p,
        "range 26 | map it + 100",
        r"119[^\n]*\r?\n… 6 more rows",
    );
    quit(&mut p);
}

#[test]
fn tab_completes_an_operator_and_a_path() {
    let (_d, h) = history();
    let mut p = start(&h);
    p.send("ran").unwrap();
    p.send("\t").unwrap();
    p.expect("range").unwrap();
    line(&mut p, " 5 | map it * 9 | sum", r"\b90\b");
    p.send("read_text \"data/bo").unwrap();
    p.send("\t").unwrap();
    p.expect("data/books/").unwrap();
    line(&mut p, "*.txt\" | count", r"\b1600\b");
    quit(&mut p);
}

#[test]
fn a_multi_line_pipeline_runs() {
    let (_d, h) = history();
    let mut p = start(&h);
    // A line ending in `|` continues.
    p.send("range 5 |\r").unwrap();
    p.send("map it * 7 |\r").unwrap();
    line(&mut p, "sum", r"\b70\b");
    // So does an open bracket.
    p.send("from [11,\r").unwrap();
    line(&mut p, "22] | sum", r"\b33\b");
    // A line starting with `|` continues the previous pipeline.
    line(&mut p, "range 5", r"4");
    line(&mut p, "| map it * 13 | sum", r"\b130\b");
    quit(&mut p);
}

#[test]
fn an_error_is_shown_and_the_next_line_works() {
    let (_d, h) = history();
    let mut p = start(&h);
    line(
        &mut p,
        "range 3 | frequencie",
        r"did you mean `frequencies`\?",
    );
    line(&mut p, ":hlep", r"did you mean `:help`\?");
    line(&mut p, "range 4 | map it * 8 | sum", r"\b48\b");
    quit(&mut p);
}

#[test]
fn ctrl_c_cancels_a_long_pipeline() {
    let (_d, h) = history();
    let mut p = start(&h);
    p.send("range 10000000000 | map it * 2 | sum\r").unwrap();
    // Let it get going (and the terminal leave raw mode) before interrupting.
    std::thread::sleep(Duration::from_millis(700));
    let sent = Instant::now();
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("cancelled").unwrap();
    let took = sent.elapsed();
    eprintln!("cancelled after {took:?}");
    assert!(took < Duration::from_secs(1), "cancelling took {took:?}");
    p.expect(PROMPT).unwrap();
    // The session is intact.
    line(&mut p, "let ys = range 6", r"ys: bag<int>");
    line(&mut p, "ys | map it * 5 | sum", r"\b75\b");
    // Ctrl-C at the prompt clears the line; the REPL goes on.
    p.send("range 99 | lowr").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    p.expect(PROMPT).unwrap();
    line(&mut p, "ys | count", r"\b6\b");
    quit(&mut p);
}

#[test]
fn history_is_kept_between_sessions() {
    let (_d, h) = history();
    let mut p = start(&h);
    line(&mut p, "range 4 | map it * 11 | sum", r"\b66\b");
    quit(&mut p);
    let saved = std::fs::read_to_string(&h).expect("the history file exists");
    assert!(saved.contains("range 4 | map it * 11 | sum"), "{saved}");
    // The next session recalls it with the up arrow.
    let mut p = start(&h);
    p.send("\x1b[A").unwrap();
    p.expect("range 4 | map it * 11 | sum").unwrap();
    p.send("\r").unwrap();
    p.expect(Regex(r"\b66\b")).unwrap();
    p.expect(PROMPT).unwrap();
    quit(&mut p);
}

#[test]
fn meta_commands_at_the_terminal() {
    let (_d, h) = history();
    let mut p = start(&h);
    line(&mut p, ":help topk", r"topk N \[by=EXPR\]");
    line(&mut p, "let w = from [\"x\", \"y\", \"x\"]", "w: bag<str>");
    line(&mut p, "w | frequencies", r"value\s+count");
    line(&mut p, "w | count", r"\b3\b");
    line(&mut p, ":explain", r"reused from the cache: w");
    p.send(":quit\r").unwrap();
    quit_status(&mut p);
}

#[test]
fn help_exit_and_quit_typed_bare_say_what_to_type() {
    let (_d, h) = history();
    let mut p = start(&h);
    line(&mut p, "help", r"Type :help for help, or :help OP");
    line(&mut p, "exit", r"Use :quit or Ctrl-D to exit");
    line(&mut p, "quit()", r"Use :quit or Ctrl-D to exit");
    // The REPL is still there.
    line(&mut p, "range 4 | map it * 9 | sum", r"\b54\b");
    quit(&mut p);
}

#[test]
fn viz_svg_at_the_terminal_writes_a_file() {
    let (d, h) = history();
    let mut p = start_in(&h, d.path());
    line(&mut p, "let w = range 3 | map it * 2", r"w: bag<int>");
    line(&mut p, ":viz w svg", r"wrote flow-viz-w\.svg");
    quit(&mut p);
    let svg = std::fs::read_to_string(d.path().join("flow-viz-w.svg")).expect("the SVG file");
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "{svg}");
}

fn quit_status(p: &mut Pty) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        // The first status that is not "alive" reaps the child: read it once.
        match p.get_process().status() {
            Ok(WaitStatus::StillAlive) => {
                assert!(Instant::now() < deadline, "flow did not exit");
                std::thread::sleep(Duration::from_millis(20));
            }
            other => {
                assert!(matches!(other, Ok(WaitStatus::Exited(_, 0))), "{other:?}");
                return;
            }
        }
    }
}

#[test]
fn colours_are_on_unless_no_color() {
    let (_d, h) = history();
    let mut p = start_with(&h, false);
    // The operator is drawn bold blue, the number yellow.
    p.send("range 12").unwrap();
    p.expect("\x1b[1;34mrange").unwrap();
    p.expect("\x1b[33m12").unwrap();
    line(&mut p, " | map it * 4 | sum", r"\b264\b");
    quit(&mut p);

    let mut p = start(&h);
    p.send("range 12 | map it * 5 | sum\r").unwrap();
    let seen = p.expect(Regex(r"\b330\b")).unwrap();
    let before = String::from_utf8_lossy(seen.before()).into_owned();
    assert!(!before.contains("\x1b[1;34m"), "{before:?}");
    p.expect(PROMPT).unwrap();
    quit(&mut p);
}

/// `flow` with standard input piped in runs it as a script.
fn piped(args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(args)
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn piped_standard_input_is_a_script() {
    assert_eq!(
        piped(&[], "range 3 | count\n"),
        (0, "3\n".into(), String::new())
    );
    assert_eq!(
        piped(&[], "let xs = range 4\nxs | sum\nxs\n| count\n"),
        (0, "6\n\n4\n".into(), String::new())
    );
    let (code, out, err) = piped(&[], "range 3 | lowr\n");
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("flow::plan::unknown_operator"), "{err}");
    assert!(err.contains("<stdin>:1:11"), "{err}");
    let (code, _, err) = piped(&[], "read_text \"data/nothing/*.txt\" | count\n");
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        piped(&["--threads", "1"], ""),
        (0, String::new(), String::new())
    );
}

#[test]
fn flow_repl_reads_lines_without_a_terminal() {
    let (code, out, err) = piped(
        &["repl"],
        "let xs = range 4\nxs | sum\nrange 2 |\nmap it * 21 |\nsum\n:quit\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("xs: bag<int>"), "{out}");
    assert!(out.contains("\n6\n"), "{out}");
    assert!(out.contains("\n21\n"), "{out}");
}
