//! Run-time behaviour of the binary, as a user sees it (SPEC §2, §4, §5):
//! exit codes, what goes to stdout and stderr, output formats, decoding
//! options, gzip input, `take` stopping early, thread-count and optimizer
//! independence, and sinks that write complete files or none.
//!
//! Every run sets `NO_COLOR=1` and runs in a temporary directory or the
//! crate root, so relative paths in scripts resolve as a user expects.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `flow ARGS...` in `dir`.
fn flow_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the flow binary runs");
    Run {
        code: out
            .status
            .code()
            .expect("flow exited normally, not by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs inline text `-e SCRIPT` with extra arguments, in `dir`.
fn run(dir: &Path, script: &str, args: &[&str]) -> Run {
    let mut all = vec!["-e", script];
    all.extend_from_slice(args);
    flow_in(dir, &all)
}

fn ok(dir: &Path, script: &str, args: &[&str]) -> String {
    let r = run(dir, script, args);
    assert_eq!(r.code, 0, "{script}\n{r:?}");
    r.stdout
}

/// A failed run: the exit code, nothing on stdout, a diagnostic on stderr.
fn fails(dir: &Path, script: &str, args: &[&str], code: i32) -> String {
    let r = run(dir, script, args);
    assert_eq!(r.code, code, "{script}\n{r:?}");
    assert_eq!(
        r.stdout, "",
        "a failed run prints no result\n{script}\n{r:?}"
    );
    assert!(
        !r.stderr.is_empty(),
        "a failed run explains itself on stderr\n{script}"
    );
    r.stderr
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temp dir")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, bytes).unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

// ---- exit codes --------------------------------------------------------------

#[test]
fn a_good_run_exits_0_with_results_only_on_stdout() {
    let d = tmp();
    let r = run(d.path(), "range 3 | map it * 2", &["--format", "tsv"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "0\n2\n4\n");
    assert_eq!(r.stderr, "", "no progress bar or chatter off a terminal");
}

#[test]
fn a_glob_that_matches_nothing_exits_1() {
    let d = tmp();
    let e = fails(d.path(), r#"read_text "nothing/*.txt" | count"#, &[], 1);
    assert!(e.contains("flow::io::glob_matched_nothing"), "{e}");
    assert!(e.contains("nothing/*.txt"), "{e}");
}

#[test]
fn a_missing_file_exits_1_and_names_it() {
    let d = tmp();
    let e = fails(d.path(), r#"read_text "missing.txt" | count"#, &[], 1);
    assert!(e.contains("missing.txt"), "{e}");
    assert!(e.contains("flow::io::file_not_found"), "{e}");
}

#[test]
fn every_missing_input_is_reported_at_once() {
    let d = tmp();
    let e = fails(
        d.path(),
        "read_text \"a.txt\" | count\nread_json \"b.jsonl\" | count",
        &[],
        1,
    );
    assert!(e.contains("a.txt") && e.contains("b.jsonl"), "{e}");
}

#[test]
fn invalid_utf8_exits_1_with_file_and_byte_offset() {
    let d = tmp();
    write(d.path(), "bad.txt", b"fine\nabc \xff def\n");
    let e = fails(d.path(), r#"read_text "bad.txt" | count"#, &[], 1);
    assert!(e.contains("flow::io::invalid_utf8"), "{e}");
    assert!(e.contains("bad.txt"), "{e}");
    // "fine\n" is 5 bytes, "abc " 4 more: the bad byte is at offset 9.
    assert!(e.contains("byte offset 9"), "{e}");
}

#[test]
fn invalid_utf8_offset_is_exact_with_tiny_blocksizes() {
    let d = tmp();
    let mut bytes = "α line\r\n".repeat(50).into_bytes();
    let at = bytes.len() + 3;
    bytes.extend_from_slice(b"abc\xc3(tail\n");
    write(d.path(), "bad.txt", &bytes);
    for bs in ["1", "7", "64", "1MiB"] {
        let e = fails(
            d.path(),
            &format!("read_text \"bad.txt\" blocksize={bs} | count"),
            &["--threads", "2"],
            1,
        );
        assert!(
            e.contains(&format!("byte offset {at}")),
            "blocksize {bs}: {e}"
        );
    }
}

#[test]
fn bad_json_exits_1_with_file_line_and_column() {
    let d = tmp();
    write(
        d.path(),
        "e.jsonl",
        b"{\"a\": 1}\n\n{\"a\": 2}\n{\"a\": 3,}\n",
    );
    let e = fails(d.path(), r#"read_json "e.jsonl" | count"#, &[], 1);
    assert!(e.contains("flow::io::bad_json"), "{e}");
    // Line 4, the `}` after the trailing comma is column 9.
    assert!(e.contains("e.jsonl:4:9"), "{e}");
}

#[test]
fn bad_json_line_number_is_right_with_small_blocksizes() {
    let d = tmp();
    let mut text = String::new();
    for i in 0..200 {
        text += &format!("{{\"i\": {i}}}\n");
    }
    text += "{\"i\": x}\n";
    write(d.path(), "e.jsonl", text.as_bytes());
    for bs in ["16", "100", "1KiB"] {
        let e = fails(
            d.path(),
            &format!("read_json \"e.jsonl\" blocksize={bs} | count"),
            &["--threads", "2"],
            1,
        );
        assert!(e.contains("e.jsonl:201:7"), "blocksize {bs}: {e}");
    }
}

/// JSON Lines with `\u` escapes of UTF-16 surrogates: one line per case,
/// and what flow reads from it (an unpaired surrogate becomes U+FFFD).
const SURROGATES: &[(&str, &str)] = &[
    // A lone high surrogate, a lone low one, a pair the wrong way round.
    (r#"{"a": "x\ud800y"}"#, "{\"a\":\"x\u{fffd}y\"}"),
    (r#"{"a": "x\uDC00y"}"#, "{\"a\":\"x\u{fffd}y\"}"),
    (r#"{"a": "\udc00\ud800"}"#, "{\"a\":\"\u{fffd}\u{fffd}\"}"),
    // A pair that is fine, alone and after a lone high surrogate.
    (r#"{"a": "\ud83d\ude00"}"#, "{\"a\":\"\u{1f600}\"}"),
    (
        r#"{"a": "\ud800\uD83D\uDE00!"}"#,
        "{\"a\":\"\u{fffd}\u{1f600}!\"}",
    ),
    // An escaped backslash then the text `ud800`, not an escape; an odd
    // number of backslashes is one escaped, then a real escape.
    (
        r#"{"a": "\\ud800", "b": "\ud800"}"#,
        "{\"a\":\"\\\\ud800\",\"b\":\"\u{fffd}\"}",
    ),
    (
        r#"{"a": "\\\\ud800\\\udfff"}"#,
        "{\"a\":\"\\\\\\\\ud800\\\\\u{fffd}\"}",
    ),
    // In a key, and in a string nested in a list.
    (r#"{"\udfff": ["\ud800"]}"#, "{\"\u{fffd}\":[\"\u{fffd}\"]}"),
];

/// Python's `json.loads` accepts unpaired surrogate escapes; a Rust string
/// cannot hold one, so `read_json` and `parse_json` read it as U+FFFD.
#[test]
fn unpaired_surrogate_escapes_read_as_replacement_characters() {
    let d = tmp();
    let input: String = SURROGATES.iter().map(|(l, _)| format!("{l}\n")).collect();
    let want: String = SURROGATES.iter().map(|(_, w)| format!("{w}\n")).collect();
    write(d.path(), "s.jsonl", input.as_bytes());
    write(d.path(), "s.jsonl.gz", &gzip(input.as_bytes()));
    for script in [
        r#"read_json "s.jsonl""#,
        r#"read_json "s.jsonl" blocksize=16"#,
        r#"read_json "s.jsonl.gz""#,
        r#"read_text "s.jsonl" | parse_json"#,
    ] {
        assert_eq!(
            ok(d.path(), script, &["--format", "json"]),
            want,
            "{script}"
        );
    }
}

/// A line that is bad JSON for another reason fails as it would with U+FFFD
/// written in place of its unpaired surrogates: same message, same column.
#[test]
fn bad_json_with_an_unpaired_surrogate_reports_the_other_fault() {
    for line in [
        r#"{"a": "\ud800", }"#,
        r#"{"a": "\ud800\u12"}"#,
        r#"{"a": "\ud800\q"}"#,
        r#"{"a" "\udc00"}"#,
    ] {
        let fix = |s: &str| {
            s.replace(r"\ud800", r"\ufffd")
                .replace(r"\udc00", r"\ufffd")
        };
        let (lone, replaced) = (tmp(), tmp());
        write(lone.path(), "e.jsonl", format!("{{}}\n{line}\n").as_bytes());
        write(
            replaced.path(),
            "e.jsonl",
            format!("{{}}\n{}\n", fix(line)).as_bytes(),
        );
        for script in [
            r#"read_json "e.jsonl" | count"#,
            r#"read_text "e.jsonl" | parse_json | count"#,
        ] {
            let e = fails(lone.path(), script, &[], 1);
            assert!(!e.contains("surrogate") && !e.contains("hex escape"), "{e}");
            // `parse_json` quotes the line as it was.
            assert_eq!(fix(&e), fails(replaced.path(), script, &[], 1), "{line}");
        }
    }
}

#[test]
fn division_by_zero_over_any_typed_data_exits_1() {
    let d = tmp();
    write(d.path(), "n.jsonl", b"{\"n\": 2}\n{\"n\": 0}\n");
    let e = fails(d.path(), r#"read_json "n.jsonl" | map 10 / .n"#, &[], 1);
    assert!(e.contains("division by zero"), "{e}");
}

#[test]
fn a_type_error_over_json_values_exits_1() {
    let d = tmp();
    write(d.path(), "n.jsonl", b"{\"n\": 2}\n{\"n\": \"two\"}\n");
    let e = fails(d.path(), r#"read_json "n.jsonl" | map .n + 1"#, &[], 1);
    assert!(e.contains("str"), "the message names the type: {e}");
    let e = fails(
        d.path(),
        r#"read_json "n.jsonl" | pluck "n" | lower"#,
        &[],
        1,
    );
    assert!(e.contains("lower"), "{e}");
    let e = fails(d.path(), r#"read_json "n.jsonl" | pluck "missing""#, &[], 1);
    assert!(e.contains("missing"), "{e}");
}

#[test]
fn syntax_and_type_errors_exit_2() {
    let d = tmp();
    let e = fails(d.path(), "range 3 | map (it +", &[], 2);
    assert!(!e.contains("panicked"), "{e}");
    let e = fails(d.path(), "range 3 | lower", &[], 2);
    assert!(e.contains("flow::plan::type_mismatch"), "{e}");
    let e = fails(d.path(), "range 3 | frequences", &[], 2);
    assert!(e.contains("frequencies"), "did you mean: {e}");
    let e = fails(d.path(), "range 3 | filter it + 1", &[], 2);
    assert!(e.contains("bool"), "{e}");
    fails(d.path(), "undefined_name | count", &[], 2);
    fails(d.path(), "let count = range 3", &[], 2);
}

#[test]
fn a_script_error_exits_2_even_when_inputs_are_missing_too() {
    let d = tmp();
    fails(
        d.path(),
        "read_text \"missing.txt\" | lower | map it + 1",
        &[],
        2,
    );
}

#[test]
fn a_bad_format_exits_2_and_runs_nothing() {
    let d = tmp();
    let e = fails(
        d.path(),
        "range 3 | map str(it) | write_text \"out.txt\"",
        &["--format", "yaml"],
        2,
    );
    assert!(e.contains("yaml"), "{e}");
    assert!(
        !d.path().join("out.txt").exists(),
        "a bad command line writes nothing"
    );
}

#[test]
fn a_missing_script_file_exits_2() {
    let d = tmp();
    let r = flow_in(d.path(), &["no_such_script.flow"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.stdout, "");
}

#[test]
fn a_failing_run_stops_where_it_fails() {
    let d = tmp();
    write(d.path(), "n.jsonl", b"{\"n\": 1}\n{\"n\": 0}\n");
    // Outputs print as they are known, as a Python script's would: the
    // first is printed, the second fails (exit 1, the diagnostic on stderr).
    let r = run(
        d.path(),
        "range 5 | sum\nread_json \"n.jsonl\" | map 1 / .n | sum",
        &[],
    );
    assert_eq!((r.code, r.stdout.as_str()), (1, "10\n"), "{r:?}");
    assert!(r.stderr.contains("division by zero"), "{r:?}");
    // A missing input is found before any data is read: nothing is printed.
    fails(d.path(), "range 5 | sum\nread_text \"missing.txt\"", &[], 1);
}

#[test]
fn a_script_file_runs_like_inline_text() {
    let d = tmp();
    write(d.path(), "s.flow", b"let n = 4\nrange n | sum\n");
    let r = flow_in(d.path(), &["s.flow", "--format", "tsv"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "6\n"), "{r:?}");
    let r = flow_in(
        d.path(),
        &["run", "s.flow", "--set", "n=5", "--format", "tsv"],
    );
    assert_eq!((r.code, r.stdout.as_str()), (0, "10\n"), "{r:?}");
    let r = flow_in(d.path(), &["s.flow", "--set", "m=5"]);
    assert_eq!(r.code, 2, "an unknown --set name is an error: {r:?}");
}

#[test]
fn a_runtime_error_in_a_fused_chain_points_at_its_stage() {
    let d = tmp();
    let e = fails(
        d.path(),
        "range 3 | map it + 1 | map 10 / (it - 2) | map it * 2",
        &[],
        1,
    );
    // The third stage starts at column 24; the failing expression at 28.
    assert!(e.contains("-e:1:28"), "{e}");
    assert!(e.contains("in `map`"), "{e}");
}

#[test]
fn profile_and_quiet_keep_stdout_clean() {
    let d = tmp();
    let r = run(d.path(), "range 5 | sum", &["--profile", "--format", "tsv"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "10\n"), "{r:?}");
    assert!(
        r.stderr.contains("sum"),
        "the profile goes to stderr: {r:?}"
    );
    let r = run(d.path(), "range 5 | sum", &["--quiet", "--format", "tsv"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "10\n", ""),
        "{r:?}"
    );
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let d = tmp();
    let mut child = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(["-e", "range 3000000", "--format", "tsv"])
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 2];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    assert_eq!(&first, b"0\n");
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn stdin_lines_are_a_source() {
    let d = tmp();
    let feed = |input: &[u8]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_flow"))
            .args([
                "-e",
                "stdin | lower | split | frequencies",
                "--format",
                "tsv",
            ])
            .current_dir(d.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    };
    let out = feed(b"The cat\r\nthe DOG\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "value\tcount\nthe\t2\ncat\t1\ndog\t1\n"
    );
    let out = feed(b"ok\nbad \xff\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("byte offset 7"));
}

#[test]
fn a_directory_or_a_bad_glob_is_reported() {
    let d = tmp();
    std::fs::create_dir(d.path().join("sub")).unwrap();
    let e = fails(d.path(), r#"read_text "sub" | count"#, &[], 1);
    assert!(e.contains("directory"), "{e}");
    fails(d.path(), r#"read_text "[" | count"#, &[], 2);
}

#[test]
fn float_to_int_out_of_range_fails() {
    let d = tmp();
    // Python gives integers beyond 64 bits here; flow's ints are i64, so
    // these must be overflow errors, not i64::MAX / i64::MIN.
    for e in [
        "int(9.25e18)",
        "int(-9.25e18)",
        "round(1e19)",
        "round(-1e20)",
        "round(9223372036854775807, -1)",
    ] {
        let err = fails(d.path(), &format!("from [0] | map {e}"), &[], 1);
        assert!(
            err.contains("overflow") || err.contains("cannot convert"),
            "{e}: {err}"
        );
    }
    // Rounding an int to tens is exact, as in Python, also past 2^53.
    assert_eq!(
        ok(
            d.path(),
            "from [1152921504606846977] | map round(it, -1)",
            &["--format", "tsv"]
        ),
        "1152921504606846980\n"
    );
}

// ---- output formats ------------------------------------------------------------

const FREQ: &str = r#"from ["b", "a", "b", "c,d", "b", "a"] | frequencies"#;

#[test]
fn tsv_prints_records_with_a_header_row() {
    let d = tmp();
    assert_eq!(
        ok(d.path(), FREQ, &["--format", "tsv"]),
        "value\tcount\nb\t3\na\t2\nc,d\t1\n"
    );
}

#[test]
fn csv_quotes_fields_that_need_it() {
    let d = tmp();
    assert_eq!(
        ok(d.path(), FREQ, &["--format", "csv"]),
        "value,count\nb,3\na,2\n\"c,d\",1\n"
    );
}

#[test]
fn json_prints_json_lines_with_keys_in_order() {
    let d = tmp();
    assert_eq!(
        ok(d.path(), FREQ, &["--format", "json"]),
        "{\"value\":\"b\",\"count\":3}\n{\"value\":\"a\",\"count\":2}\n{\"value\":\"c,d\",\"count\":1}\n"
    );
}

#[test]
fn table_aligns_columns() {
    let d = tmp();
    let out = ok(
        d.path(),
        r#"from ["bb", "a", "bb", "ccc"] | frequencies"#,
        &["--format", "table"],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].starts_with("value") && lines[0].ends_with("count"),
        "{out}"
    );
    // Numbers are right-aligned under their header.
    let col = lines[0].find("count").unwrap() + "count".len();
    for l in &lines[1..] {
        assert_eq!(l.chars().count(), col, "{out}");
    }
}

/// Columns line up on a terminal: wide characters take two columns,
/// combining marks none, and a line break or tab in a cell is a space.
#[test]
fn table_aligns_by_display_width() {
    let d = tmp();
    let out = ok(
        d.path(),
        r#"from ["日本語", "ab", "e\u{301}x", "a\tb\nc", "ab"] | frequencies"#,
        &["--format", "table"],
    );
    assert_eq!(
        out,
        "value   count\nab          2\na b c       1\ne\u{301}x          1\n日本語      1\n"
    );
}

#[test]
fn auto_is_tsv_off_a_terminal() {
    let d = tmp();
    assert_eq!(
        ok(d.path(), FREQ, &[]),
        ok(d.path(), FREQ, &["--format", "tsv"])
    );
}

#[test]
fn a_scalar_prints_as_one_value_in_every_format() {
    let d = tmp();
    for f in ["tsv", "csv", "json", "table"] {
        assert_eq!(
            ok(d.path(), "range 5 | count", &["--format", f]),
            "5\n",
            "{f}"
        );
        assert_eq!(
            ok(d.path(), "range 4 | mean", &["--format", f]),
            "1.5\n",
            "{f}"
        );
    }
    assert_eq!(
        ok(d.path(), "range 0 | mean", &["--format", "json"]),
        "null\n"
    );
    assert_eq!(
        ok(d.path(), "from [\"a\"] | max", &["--format", "json"]),
        "\"a\"\n"
    );
    assert_eq!(
        ok(d.path(), "from [\"a\"] | max", &["--format", "tsv"]),
        "a\n"
    );
}

#[test]
fn several_outputs_print_in_script_order() {
    let d = tmp();
    let script = "range 3 | count\nfrom [\"x\", \"y\"]\nfrom [\"a\"] | frequencies";
    assert_eq!(
        ok(d.path(), script, &["--format", "tsv"]),
        "3\n\nx\ny\n\nvalue\tcount\na\t1\n"
    );
    assert_eq!(
        ok(d.path(), script, &["--format", "csv"]),
        "3\n\nx\ny\n\nvalue,count\na,1\n"
    );
    assert_eq!(
        ok(d.path(), script, &["--format", "json"]),
        "3\n\"x\"\n\"y\"\n{\"value\":\"a\",\"count\":1}\n"
    );
}

#[test]
fn tsv_escapes_tabs_and_newlines_in_cells() {
    let d = tmp();
    assert_eq!(
        ok(d.path(), r#"from ["a\tb", "c\nd"]"#, &["--format", "tsv"]),
        "a\\tb\nc\\nd\n"
    );
}

#[test]
fn values_print_as_python_and_json_would() {
    let d = tmp();
    let out = ok(
        d.path(),
        "from [1, 2.0, 0.1, 1e16, true, null, [1, \"x\"]]",
        &["--format", "json"],
    );
    assert_eq!(out, "1\n2.0\n0.1\n1e+16\ntrue\nnull\n[1,\"x\"]\n");
    assert_eq!(
        ok(d.path(), "range 3 | map it / 2", &["--format", "tsv"]),
        "0.0\n0.5\n1.0\n"
    );
    assert_eq!(
        ok(
            d.path(),
            "range 3 | map str(it / 2) ++ str(it == 1)",
            &["--format", "tsv"]
        ),
        "0.0False\n0.5True\n1.0False\n"
    );
}

#[test]
fn an_empty_bag_prints_nothing() {
    let d = tmp();
    for f in ["tsv", "csv", "json", "table"] {
        assert_eq!(ok(d.path(), "range 0", &["--format", f]), "", "{f}");
        assert_eq!(
            ok(d.path(), "range 0 | frequencies", &["--format", f]),
            "",
            "{f}"
        );
    }
}

// ---- decoding ------------------------------------------------------------------

#[test]
fn errors_replace_and_ignore_and_latin1() {
    let d = tmp();
    write(d.path(), "l.txt", b"caf\xe9 ok\nplain\n");
    let p = r#"read_text "l.txt""#;
    assert_eq!(
        ok(
            d.path(),
            &format!("{p} errors=\"replace\""),
            &["--format", "tsv"]
        ),
        "caf\u{fffd} ok\nplain\n"
    );
    assert_eq!(
        ok(
            d.path(),
            &format!("{p} errors=\"ignore\""),
            &["--format", "tsv"]
        ),
        "caf ok\nplain\n"
    );
    assert_eq!(
        ok(
            d.path(),
            &format!("{p} encoding=\"latin-1\""),
            &["--format", "tsv"]
        ),
        "café ok\nplain\n"
    );
    assert_eq!(
        ok(
            d.path(),
            &format!("{p} encoding=\"latin-1\" | upper"),
            &["--format", "tsv"]
        ),
        "CAFÉ OK\nPLAIN\n"
    );
    fails(d.path(), &format!("{p} errors=\"strict\""), &[], 1);
    let e = fails(d.path(), &format!("{p} errors=\"loose\""), &[], 2);
    assert!(e.contains("loose"), "{e}");
}

#[test]
fn bom_and_crlf_are_removed() {
    let d = tmp();
    write(d.path(), "w.txt", b"\xef\xbb\xbfone\r\ntwo\r\n\r\nthree");
    assert_eq!(
        ok(d.path(), r#"read_text "w.txt""#, &["--format", "json"]),
        "\"one\"\n\"two\"\n\"\"\n\"three\"\n"
    );
    // A lone '\r' inside a line is kept; only one is removed at the end.
    write(d.path(), "r.txt", b"a\rb\r\r\n");
    assert_eq!(
        ok(d.path(), r#"read_text "r.txt""#, &["--format", "json"]),
        "\"a\\rb\\r\"\n"
    );
}

#[test]
fn a_file_with_only_a_bom_has_no_lines() {
    let d = tmp();
    write(d.path(), "bom.txt", b"\xef\xbb\xbf");
    assert_eq!(
        ok(
            d.path(),
            r#"read_text "bom.txt" | count"#,
            &["--format", "tsv"]
        ),
        "0\n"
    );
}

#[test]
fn files_are_read_in_sorted_path_order() {
    let d = tmp();
    write(d.path(), "in/b.txt", b"b1\nb2\n");
    write(d.path(), "in/a.txt", b"a1\n");
    write(d.path(), "in/c.txt", b"c1");
    write(d.path(), "in/skip.dat", b"no\n");
    assert_eq!(
        ok(d.path(), r#"read_text "in/*.txt""#, &["--format", "tsv"]),
        "a1\nb1\nb2\nc1\n"
    );
}

#[test]
fn gzip_input_is_decompressed() {
    let d = tmp();
    let text = "\u{feff}Hello world\r\nhello again\n";
    write(d.path(), "g.txt.gz", &gzip(text.as_bytes()));
    write(d.path(), "p.txt", text.as_bytes());
    let want = "value\tcount\nhello\t2\nagain\t1\nworld\t1\n";
    assert_eq!(
        ok(
            d.path(),
            r#"read_text "g.txt.gz" | lower | split | frequencies"#,
            &["--format", "tsv"]
        ),
        want
    );
    assert_eq!(
        ok(
            d.path(),
            r#"read_text "p.txt" | lower | split | frequencies"#,
            &["--format", "tsv"]
        ),
        want
    );
    // compression="none" reads the raw bytes, which are not UTF-8.
    fails(
        d.path(),
        r#"read_text "g.txt.gz" compression="none" | count"#,
        &[],
        1,
    );
    // compression="gzip" decompresses whatever the name.
    write(d.path(), "g.bin", &gzip(b"x\ny\n"));
    assert_eq!(
        ok(
            d.path(),
            r#"read_text "g.bin" compression="gzip" | count"#,
            &["--format", "tsv"]
        ),
        "2\n"
    );
}

/// A line longer than the blocks gzip input is cut into (4 MiB) is read
/// whole, and so are the lines after it.
#[test]
fn gzip_line_longer_than_a_block() {
    let d = tmp();
    let mut text = "Ab ".repeat(3_000_000); // 9 MB, one line
    text += "\n.\nlast line\n";
    write(d.path(), "big.txt.gz", &gzip(text.as_bytes()));
    assert_eq!(
        ok(
            d.path(),
            r#"read_text "big.txt.gz" | map len(it)"#,
            &["--format", "tsv"]
        ),
        "9000000\n1\n9\n"
    );
    assert_eq!(
        ok(
            d.path(),
            r#"read_text "big.txt.gz" | filter not_delim | lower | split | frequencies"#,
            &["--format", "tsv"]
        ),
        "value\tcount\nab\t3000000\nlast\t1\nline\t1\n"
    );
}

/// An empty `.gz` file has no lines, as Python's `gzip` reads it.
#[test]
fn an_empty_gz_file_has_no_lines() {
    let d = tmp();
    write(d.path(), "empty.txt.gz", b"");
    write(d.path(), "one.txt.gz", &gzip(b"x\n"));
    assert_eq!(
        ok(
            d.path(),
            r#"read_text "*.txt.gz" | count"#,
            &["--format", "tsv"]
        ),
        "1\n"
    );
}

/// Numbers beyond a float's range are ±inf, as Python's `json` reads them.
#[test]
fn json_numbers_beyond_float_range_are_infinite() {
    let d = tmp();
    write(
        d.path(),
        "n.jsonl",
        b"{\"x\": 1e400}\n{\"x\": -1e400}\n{\"x\": 2}\n",
    );
    assert_eq!(
        ok(
            d.path(),
            r#"read_json "n.jsonl" | sort by=.x | map str(.x)"#,
            &["--format", "tsv"]
        ),
        "-inf\n2\ninf\n"
    );
}

/// `\s` and `\w` in `matches` mean what they mean in Python's `re`:
/// `str.isspace` (U+001F included) and `str.isalnum` or `_` (combining
/// marks excluded).
#[test]
fn regex_classes_are_pythons() {
    let d = tmp();
    let out = ok(
        d.path(),
        r#"from ["a\u{1f}b", "x\u{345}", "ab_1", "日本"] | map [matches(it, "\\s"), matches(it, "^\\w+$"), matches(it, "^[\\w]+$"), matches(it, "\\W")]"#,
        &["--format", "json"],
    );
    assert_eq!(
        out,
        "[true,false,false,true]\n[false,false,false,true]\n[false,true,true,false]\n[false,true,true,false]\n"
    );
}

#[test]
fn gzip_json_lines() {
    let d = tmp();
    write(d.path(), "e.jsonl.gz", &gzip(b"{\"a\": 1}\n{\"a\": 2}\n"));
    assert_eq!(
        ok(
            d.path(),
            r#"read_json "e.jsonl.gz" | sum .a"#,
            &["--format", "tsv"]
        ),
        "3\n"
    );
}

#[test]
fn corrupt_gzip_exits_1() {
    let d = tmp();
    let mut g = gzip(&b"line\n".repeat(1000));
    g.truncate(g.len() / 2);
    write(d.path(), "c.txt.gz", &g);
    let e = fails(d.path(), r#"read_text "c.txt.gz" | count"#, &[], 1);
    assert!(e.contains("c.txt.gz"), "{e}");
}

// ---- take, threads, optimizer ----------------------------------------------------

/// A ~24 MB file of numbered lines whose LAST line is invalid UTF-8.
fn big_file(dir: &Path) {
    let mut text = String::with_capacity(25 << 20);
    let mut i = 0;
    while text.len() < 24 << 20 {
        text += &format!("line {i} of a big generated input\n");
        i += 1;
    }
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"\xff\n");
    write(dir, "big.txt", &bytes);
}

#[test]
fn take_stops_reading_once_it_has_enough() {
    let d = tmp();
    big_file(d.path());
    // The invalid byte at the end is never read: `take` stops first.
    for threads in ["1", "2"] {
        let out = ok(
            d.path(),
            r#"read_text "big.txt" blocksize=1MiB | take 3"#,
            &["--threads", threads, "--format", "tsv"],
        );
        assert_eq!(out, "line 0 of a big generated input\nline 1 of a big generated input\nline 2 of a big generated input\n");
        let out = ok(
            d.path(),
            r#"read_text "big.txt" blocksize=1MiB | split | filter it != "line" | take 3"#,
            &["--threads", threads, "--format", "tsv"],
        );
        assert_eq!(out, "0\nof\na\n");
    }
    // Reading all of it finds the invalid byte.
    fails(
        d.path(),
        r#"read_text "big.txt" blocksize=1MiB | count"#,
        &[],
        1,
    );
}

#[test]
fn thread_count_and_optimizer_do_not_change_results() {
    let d = tmp();
    let mut text = String::new();
    for i in 0..3000 {
        text += &format!(
            "Word{} the, {} quick. BROWN fox ǅ İ {}\r\n",
            i % 17,
            i % 5,
            "ß".repeat(i % 3)
        );
    }
    write(d.path(), "t.txt", text.as_bytes());
    let script = "let w = read_text \"t.txt\" blocksize=997 | purge | lower | split\n\
                  w | frequencies | topk 5\nw | count\nw | distinct | count\n\
                  w | groupby len count\nw | sort by=len(it) desc=true | take 4\n\
                  w | map len(it) / 3 | sum\nw | take 6\nconcat w w | count";
    let base = ok(d.path(), script, &["--threads", "1", "--format", "json"]);
    assert!(!base.is_empty());
    for args in [
        vec!["--threads", "2"],
        vec!["--threads", "8"],
        vec!["--threads", "2", "--no-optimize"],
        vec!["--threads", "1", "--no-optimize"],
    ] {
        let mut a = args.clone();
        a.extend(["--format", "json"]);
        assert_eq!(ok(d.path(), script, &a), base, "{args:?}");
    }
}

#[test]
fn equal_values_print_the_same_every_run() {
    // 1.0 and 1 are equal values; which one `distinct`, `max`, `frequencies`
    // and `topk` print must not depend on how partitions meet worker threads.
    let d = tmp();
    let mut text = String::from("1.0\n");
    for _ in 0..60 {
        text += "1\n";
    }
    write(d.path(), "ones.jsonl", text.as_bytes());
    for op in [
        "distinct",
        "max",
        "min",
        "frequencies",
        "topk 1",
        "groupby it count",
    ] {
        let script = format!("read_json \"ones.jsonl\" blocksize=4 | {op}");
        let first = ok(d.path(), &script, &["--threads", "4", "--format", "json"]);
        for _ in 0..40 {
            assert_eq!(
                ok(d.path(), &script, &["--threads", "4", "--format", "json"]),
                first,
                "{op}"
            );
        }
        assert_eq!(
            ok(d.path(), &script, &["--threads", "1", "--format", "json"]),
            first,
            "{op}"
        );
    }
}

// ---- sinks ---------------------------------------------------------------------

#[test]
fn write_text_json_csv_write_complete_files() {
    let d = tmp();
    let script = "let f = from [\"b\", \"a\", \"b\", \"x,y\"] | frequencies\n\
                  f | map .value | write_text \"out/words.txt\"\n\
                  f | write_json \"out/freq.jsonl\"\n\
                  f | write_csv \"out/freq.csv\"\n\
                  f | count";
    let r = run(d.path(), script, &["--format", "tsv"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "3\n", "sinks print nothing; the count prints");
    let read = |p: &str| std::fs::read_to_string(d.path().join(p)).unwrap();
    assert_eq!(read("out/words.txt"), "b\na\nx,y\n");
    assert_eq!(read("out/freq.jsonl"), "{\"value\":\"b\",\"count\":2}\n{\"value\":\"a\",\"count\":1}\n{\"value\":\"x,y\",\"count\":1}\n");
    assert_eq!(read("out/freq.csv"), "value,count\nb,2\na,1\n\"x,y\",1\n");
    // No temporary files are left beside the outputs.
    let mut names: Vec<String> = std::fs::read_dir(d.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["freq.csv", "freq.jsonl", "words.txt"]);
}

#[test]
fn sinks_write_non_strings_as_python_and_json_do() {
    let d = tmp();
    ok(
        d.path(),
        "from [1, 2.5, true, null, \"s\"] | write_text \"t.txt\"",
        &[],
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("t.txt")).unwrap(),
        "1\n2.5\nTrue\nNone\ns\n"
    );
    ok(
        d.path(),
        "from [1, 2.5, true, null] | write_json \"j.jsonl\"",
        &[],
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("j.jsonl")).unwrap(),
        "1\n2.5\ntrue\nnull\n"
    );
    // A scalar can be written as JSON.
    ok(d.path(), "range 4 | sum | write_json \"s.json\"", &[]);
    assert_eq!(
        std::fs::read_to_string(d.path().join("s.json")).unwrap(),
        "6\n"
    );
}

#[test]
fn a_star_writes_one_file_per_partition() {
    let d = tmp();
    let mut text = String::new();
    for i in 0..100 {
        text += &format!("line {i}\n");
    }
    write(d.path(), "in.txt", text.as_bytes());
    ok(
        d.path(),
        r#"read_text "in.txt" blocksize=200 | upper | write_text "parts/*.txt""#,
        &["--threads", "2"],
    );
    let mut names: Vec<String> = std::fs::read_dir(d.path().join("parts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() > 1, "several partitions: {names:?}");
    for (i, n) in names.iter().enumerate() {
        assert_eq!(n, &format!("part-{i:04}.txt"));
    }
    let all: String = names
        .iter()
        .map(|n| std::fs::read_to_string(d.path().join("parts").join(n)).unwrap())
        .collect();
    assert_eq!(
        all,
        text.to_uppercase(),
        "the parts hold every line once, in order"
    );
}

#[test]
fn a_gz_sink_writes_gzip() {
    let d = tmp();
    ok(
        d.path(),
        r#"range 3 | map str(it) | write_text "n.txt.gz""#,
        &[],
    );
    assert_eq!(
        ok(d.path(), r#"read_text "n.txt.gz""#, &["--format", "tsv"]),
        "0\n1\n2\n"
    );
}

#[test]
fn a_failing_run_leaves_no_output_file() {
    let d = tmp();
    write(d.path(), "n.jsonl", b"{\"n\": 1}\n{\"n\": 0}\n");
    fails(
        d.path(),
        r#"read_json "n.jsonl" | map 1 / .n | write_json "out/r.jsonl""#,
        &[],
        1,
    );
    fails(
        d.path(),
        r#"read_json "n.jsonl" | map 1 / .n | write_json "parts/*.jsonl""#,
        &[],
        1,
    );
    let files: Vec<_> = walk(d.path()).into_iter().filter(|p| p.is_file()).collect();
    assert_eq!(
        files,
        [d.path().join("n.jsonl")],
        "a failed run leaves no file behind"
    );
}

#[test]
fn a_failing_script_commits_no_sink() {
    let d = tmp();
    fails(
        d.path(),
        "range 3 | map str(it) | write_text \"out.txt\"\nrange 3 | map 1 / (it - 1)",
        &[],
        1,
    );
    assert!(
        !d.path().join("out.txt").exists(),
        "the run failed, yet out.txt was written"
    );
}

#[test]
fn a_write_failure_exits_1() {
    let d = tmp();
    write(d.path(), "file", b"x");
    let e = fails(
        d.path(),
        r#"range 3 | map str(it) | write_text "file/sub/out.txt""#,
        &[],
        1,
    );
    assert!(e.contains("flow::io::write_failed"), "{e}");
}

/// Every path under `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

/// Runs `script` at 1, 2 and 3 threads and tiny blocksizes (the script's
/// `BS` is replaced by each), checks every run gives the same stdout, and
/// returns it.
fn same_everywhere(dir: &Path, script: &str) -> String {
    let mut first: Option<String> = None;
    for threads in ["1", "2", "3"] {
        for bs in ["1B", "7B", "64KiB"] {
            let s = script.replace("BS", bs);
            let out = ok(dir, &s, &["--threads", threads, "--format", "json"]);
            match &first {
                None => first = Some(out),
                Some(f) => assert_eq!(&out, f, "{s} at {threads} threads"),
            }
        }
    }
    first.unwrap_or_default()
}

fn join_data() -> tempfile::TempDir {
    let dir = tmp();
    write(
        dir.path(),
        "orders.jsonl",
        b"{\"id\": 1, \"user\": 1}\n{\"id\": 2, \"user\": 2.0}\n{\"id\": 3, \"user\": 9}\n{\"id\": 4, \"user\": 1}\n{\"id\": 5, \"user\": null}\n{\"id\": 6, \"user\": true}\n",
    );
    write(
        dir.path(),
        "users.jsonl",
        b"{\"uid\": 1, \"name\": \"ann\"}\n{\"uid\": 2, \"name\": \"bob\"}\n{\"uid\": 1, \"name\": \"ann2\"}\n{\"uid\": null, \"name\": \"nobody\"}\n",
    );
    dir
}

#[test]
fn join_pairs_in_left_order_then_other_order() {
    let dir = join_data();
    let out = same_everywhere(
        dir.path(),
        "read_json \"orders.jsonl\" blocksize=BS | join (read_json \"users.jsonl\" blocksize=BS) on=.user other_on=.uid | map [.left.id, .right.name]",
    );
    // 1 matches both uid 1 rows in OTHER's order; 2.0 == 2; null matches
    // null; 9 and true (not 1) match nothing.
    assert_eq!(
        out,
        "[1,\"ann\"]\n[1,\"ann2\"]\n[2,\"bob\"]\n[4,\"ann\"]\n[4,\"ann2\"]\n[5,\"nobody\"]\n"
    );
}

#[test]
fn join_left_keeps_what_matches_nothing() {
    let dir = join_data();
    let out = same_everywhere(
        dir.path(),
        "read_json \"orders.jsonl\" blocksize=BS | join (read_json \"users.jsonl\" blocksize=BS) on=.user other_on=.uid how=\"left\" | map [.left.id, .right]",
    );
    let ids: Vec<&str> = out.lines().collect();
    assert_eq!(ids.len(), 8, "{out}");
    assert_eq!(ids[3], "[3,null]");
    assert_eq!(ids[7], "[6,null]");
}

#[test]
fn join_records_are_left_and_right() {
    let dir = tmp();
    let out = ok(
        dir.path(),
        "let words = from [\"a\", \"bb\"]\nfrom [1, 2, 3] | join words on=it other_on=len",
        &["--format", "json"],
    );
    assert_eq!(
        out,
        "{\"left\":1,\"right\":\"a\"}\n{\"left\":2,\"right\":\"bb\"}\n"
    );
}

#[test]
fn join_with_an_empty_other_is_empty_or_all_null() {
    let dir = tmp();
    let out = ok(dir.path(), "range 3 | join (range 0) on=it | count", &[]);
    assert_eq!(out, "0\n");
    let out = ok(
        dir.path(),
        "range 3 | join (range 0) on=it how=\"left\" | map .right",
        &["--format", "json"],
    );
    assert_eq!(out, "null\nnull\nnull\n");
}

#[test]
fn join_of_a_binding_with_itself_and_duplicates_on_both_sides() {
    let dir = tmp();
    let out = ok(
        dir.path(),
        "let xs = from [1, 1, 2]\nxs | join xs on=it | count",
        &[],
    );
    assert_eq!(out, "5\n");
}

#[test]
fn join_key_errors_are_the_first_in_input_order() {
    let dir = join_data();
    for threads in ["1", "2", "3"] {
        let err = fails(
            dir.path(),
            "read_json \"orders.jsonl\" blocksize=1B | join (read_json \"users.jsonl\") on=.name other_on=.uid",
            &["--threads", threads],
            1,
        );
        assert!(err.contains("flow::exec::expression"), "{err}");
        assert!(err.contains("{'id': 1, 'user': 1}"), "{err}");
        let err = fails(
            dir.path(),
            "read_json \"orders.jsonl\" | join (read_json \"users.jsonl\" blocksize=1B) on=.user other_on=.id",
            &["--threads", threads],
            1,
        );
        assert!(err.contains("{'uid': 1, 'name': 'ann'}"), "{err}");
    }
}

#[test]
fn concat_takes_parenthesised_pipelines() {
    let dir = tmp();
    write(dir.path(), "a.log", b"x\ny\n");
    write(dir.path(), "b.log", b"Z\n");
    let out = same_everywhere(
        dir.path(),
        "concat (read_text \"a.log\" blocksize=BS) (read_text \"b.log\" | lower) | map it ++ \"!\"",
    );
    assert_eq!(out, "\"x!\"\n\"y!\"\n\"z!\"\n");
    let out = ok(
        dir.path(),
        "let w = range 2\nconcat w (w | map it * 10) (w) | count",
        &[],
    );
    assert_eq!(out, "6\n");
}

#[test]
fn a_repeated_sub_pipeline_is_read_once() {
    let dir = tmp();
    write(dir.path(), "a.log", b"x\ny\n");
    let out = ok(
        dir.path(),
        "concat (read_text \"a.log\") (read_text \"a.log\") | count",
        &["--visualize"],
    );
    // One read node with two consumers: read, concat, count's partial and merge.
    assert!(
        out.contains("4 nodes") && out.contains("shared: 2 consumers"),
        "{out}"
    );
}
