//! The command line, run as a user runs it: the built binary, `NO_COLOR=1`,
//! in the crate root (so `data/` and `examples/` resolve). Checks exit codes
//! (0 ok, 1 the run failed, 2 the script or command line is wrong) and that
//! stdout carries results only.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn flow(args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(args)
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the flow binary runs");
    Out {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Exit code, stdout and stderr together, for a snapshot.
fn transcript(o: &Out) -> String {
    format!(
        "exit code: {}\n--- stdout\n{}--- stderr\n{}",
        o.code, o.stdout, o.stderr
    )
}

#[test]
fn visualize_prints_the_plan_and_exits_0() {
    let o = flow(&["examples/wordcount.flow", "--visualize"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.starts_with("plan (optimized): 3 nodes, 1 output"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("fused: 6 steps"), "{}", o.stdout);
    assert_eq!(o.stderr, "");
}

#[test]
fn visualize_no_optimize_shows_the_plan_as_written() {
    let o = flow(&["examples/wordcount.flow", "--visualize", "--no-optimize"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.starts_with("plan as written: 7 nodes"),
        "{}",
        o.stdout
    );
}

#[test]
fn visualize_every_format() {
    for (format, start) in [
        ("text", "plan (optimized)"),
        ("dot", "digraph flow {"),
        ("mermaid", "flowchart TD"),
        ("tasks", "tasks: "),
    ] {
        let o = flow(&[
            "examples/shared_words.flow",
            &format!("--visualize={format}"),
        ]);
        assert_eq!(o.code, 0, "{format}: {}", o.stderr);
        assert!(o.stdout.starts_with(start), "{format}:\n{}", o.stdout);
    }
}

#[test]
fn an_unknown_visualize_format_exits_2() {
    let o = flow(&["examples/wordcount.flow", "--visualize=png"]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr.contains("unknown visualization `png`"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("text, dot, mermaid, svg, tasks"),
        "{}",
        o.stderr
    );
}

#[test]
fn check_is_silent_on_a_good_script() {
    for (name, _) in common::examples() {
        let o = flow(&["check", &format!("examples/{name}.flow")]);
        assert_eq!(
            (o.code, o.stdout.as_str(), o.stderr.as_str()),
            (0, "", ""),
            "{name}"
        );
    }
}

#[test]
fn check_exits_2_on_a_type_error() {
    let o = flow(&["check", "-e", "range 5 | lower"]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr.contains("flow::plan::type_mismatch"),
        "{}",
        o.stderr
    );
}

#[test]
fn check_exits_1_when_the_glob_matches_nothing() {
    let o = flow(&["check", "-e", r#"read_text "data/nothing/*.txt" | count"#]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr.contains("no file matches data/nothing/*.txt"),
        "{}",
        o.stderr
    );
}

#[test]
fn check_with_set_overrides_the_glob() {
    let o = flow(&[
        "check",
        "examples/wordcount.flow",
        "--set",
        "path=data/nothing/*.txt",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let o = flow(&[
        "check",
        "examples/wordcount.flow",
        "--set",
        "paht=data/*.txt",
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("did you mean `path`?"), "{}", o.stderr);
}

#[test]
fn a_type_error_in_eval_exits_2_with_the_message_on_stderr() {
    let o = flow(&["-e", "range 5 | lower"]);
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!("eval_type_error", transcript(&o));
    });
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "");
}

#[test]
fn visualize_dot_is_valid_graphviz() {
    if Command::new("dot").arg("-V").output().is_err() {
        eprintln!("skipping: Graphviz `dot` is not installed (apt-get install graphviz)");
        return;
    }
    let scripts: Vec<String> = common::examples()
        .into_iter()
        .map(|(n, _)| format!("examples/{n}.flow"))
        .collect();
    for script in scripts
        .iter()
        .map(String::as_str)
        .chain(["tests/cases/grammar.flow"])
    {
        for extra in [None, Some("--no-optimize")] {
            let mut args = vec![script, "--visualize=dot"];
            args.extend(extra);
            let o = flow(&args);
            assert_eq!(o.code, 0, "{script}: {}", o.stderr);
            let mut dot = Command::new("dot")
                .arg("-Tsvg")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("dot runs");
            dot.stdin
                .take()
                .expect("stdin")
                .write_all(o.stdout.as_bytes())
                .expect("write to dot");
            let out = dot.wait_with_output().expect("dot finishes");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && err.is_empty(),
                "{script} {extra:?}: dot says:\n{err}\n{}",
                o.stdout
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
        }
    }
}

/// A file whose size says 0 (`/proc`), a FIFO and a device are read to
/// their end, in one partition, whatever the blocksize.
#[test]
fn files_that_lie_about_their_size_are_read_to_the_end() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    assert!(!status.is_empty());
    for bs in ["", " blocksize=1B"] {
        let o = flow(&[
            "-e",
            &format!("read_text \"/proc/self/status\"{bs} | count"),
        ]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        // The status of flow itself: as many lines as any process's.
        let n: usize = o.stdout.trim().parse().unwrap();
        assert!(n > 10 && n.abs_diff(status.lines().count()) <= 2, "{n}");
    }
    let o = flow(&["-e", "read_text \"/dev/null\" | count"]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "0\n"), "{}", o.stderr);

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, "a\nb\nc\n").unwrap())
    };
    let o = flow(&["-e", &format!("read_text \"{}\" | count", fifo.display())]);
    writer.join().unwrap();
    assert_eq!((o.code, o.stdout.as_str()), (0, "3\n"), "{}", o.stderr);
}

/// NaN and the infinities print as Python's json.dumps writes them.
#[test]
fn json_output_writes_infinities_as_python_does() {
    let o = flow(&[
        "-e",
        "from [1e308, -1e308, 0.5] | map it * 10\nfrom [1e308] | map [it * 10 - it * 10]",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, "Infinity\n-Infinity\n5.0\n[NaN]\n");
}

/// A float sum that overflows is infinite, as Python's `sum`; so is the mean.
#[test]
fn float_overflow_in_sum_and_mean_is_inf() {
    let o = flow(&[
        "-e",
        "from [1e308, 1e308] | sum\nfrom [1e308, 1e308] | mean\nfrom [-1e308, -1e308, 5.0] | sum\nrange 3 | map 1e308 | sum",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, "Infinity\nInfinity\n-Infinity\nInfinity\n");
}

/// Repetition past what one value may hold is a diagnostic (exit 1) naming
/// the stage, never a panic or an abort.
#[test]
fn repetition_too_big_is_a_diagnostic() {
    for src in [
        r#"range 1 | map "abc" * 9223372036854775807"#,
        r#"range 1 | map "x" * 100000000000"#,
        "range 1 | map [1, 2] * 9223372036854775807",
        r#"range 1 | map 100000000000 * ["x"]"#,
    ] {
        let o = flow(&["-e", src]);
        assert_eq!(o.code, 1, "{src}: {}", o.stderr);
        assert!(
            o.stderr.contains("more than one value may"),
            "{src}: {}",
            o.stderr
        );
        assert!(o.stderr.contains("in `map`"), "{src}: {}", o.stderr);
    }
}

/// Output whose order is its input order prints as it is computed: a reader
/// that stops after one line stops the run, quietly, with exit 0; the
/// outputs before and after a streamed one still print in script order.
#[test]
fn output_streams_and_a_closed_pipe_stops_the_run() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(["-e", "range 30000000 | map str(it)"])
        .current_dir(common::root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 2];
    std::io::Read::read_exact(&mut out, &mut first).unwrap();
    assert_eq!(&first, b"0\n");
    drop(out);
    // 30 M elements take long in a debug build; the closed pipe ends it early.
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(err, "");

    for format in ["tsv", "json", "table"] {
        let o = flow(&[
            "-e",
            "range 3 | count\nrange 2500000 | map it * 2 | filter it % 1000000 == 0\nfrom [\"a\"] | frequencies",
            "--format",
            format,
        ]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let want = match format {
            "json" => "3\n0\n1000000\n2000000\n3000000\n4000000\n{\"value\":\"a\",\"count\":1}\n",
            "tsv" => "3\n\n0\n1000000\n2000000\n3000000\n4000000\n\nvalue\tcount\na\t1\n",
            _ => "3\n\n      0\n1000000\n2000000\n3000000\n4000000\n\nvalue  count\na          1\n",
        };
        assert_eq!(o.stdout, want, "{format}");
    }
}

/// Anything printed to a full disk is a failure, the plan picture too.
#[test]
fn visualize_to_a_full_disk_exits_1() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: this machine has no /dev/full");
        return;
    };
    let out = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(["examples/wordcount.flow", "--visualize"])
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("No space left on device"));
}

/// Quoted CSV fields may hold separators, newlines and doubled quotes, up to
/// the last byte of the file; only a quote never closed is an error. The
/// same holds for a gzipped file, whose quotes are followed as it streams.
#[test]
fn csv_quotes_that_close_are_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}a,b\n1,\"x, \"\"y\"\"\nz\"\n2,\"last\"\"\"";
    let plain = dir.path().join("q.csv");
    std::fs::write(&plain, text).unwrap();
    let gz = dir.path().join("q.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    for path in [plain, gz] {
        let o = flow(&[
            "-e",
            &format!("read_csv \"{}\" | map .b", path.display()),
            "--format",
            "json",
        ]);
        assert_eq!(o.code, 0, "{}: {}", path.display(), o.stderr);
        assert_eq!(o.stdout, "\"x, \\\"y\\\"\\nz\"\n\"last\\\"\"\n");
    }
}
