//! Deeply nested JSON (SPEC §2 `read_json`, `parse_json`): values nested
//! 10,000 and 100,000 levels deep are read, compared, printed, written and
//! dropped without a stack overflow, by the built binary at several thread
//! counts; deeper than `flow::value::MAX_DEPTH` is a diagnostic, not a crash.

mod common;

use common::{flow_command, ran, scratch};

/// A list and a record, each nested `n` deep, one JSON line each.
fn deep_lines(n: usize) -> (String, String) {
    let list = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let record = format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
    (list, record)
}

fn run(files: &[(&str, &[u8])], threads: &str, src: &str) -> (common::Ran, tempfile::TempDir) {
    let dir = scratch(files);
    std::fs::write(dir.path().join("script.flow"), src).unwrap();
    let r = ran(&mut flow_command(
        dir.path(),
        &["script.flow", "--threads", threads],
    ));
    (r, dir)
}

#[test]
fn deep_json_goes_through_every_stage() {
    for (n, threads) in [(10_000, ["1", "3"].as_slice()), (100_000, ["2"].as_slice())] {
        let (list, record) = deep_lines(n);
        let text = format!("{list}\n{record}\n");
        let files: &[(&str, &[u8])] = &[("deep.jsonl", text.as_bytes())];
        for &threads in threads {
            let ok = |src: &str| {
                let (r, dir) = run(files, threads, src);
                assert_eq!(r.code, 0, "{n} deep, {src}: {}", r.stderr);
                (r.stdout, dir)
            };
            // Parsed, written back as JSON: the same text.
            let (out, _) = ok("read_json \"deep.jsonl\" | to_json");
            assert_eq!(out, text, "{n} deep");
            let (out, _) = ok("read_text \"deep.jsonl\" | parse_json | to_json | map len");
            assert_eq!(out, format!("{}\n{}\n", 2 * n, record.len()));
            // Printed whole (Python's repr is too: `[[…]]` and `{'a': …}`).
            let (out, _) = ok("read_json \"deep.jsonl\" | map str(it) | map len");
            assert_eq!(out, format!("{}\n{}\n", 2 * n, record.len() + n));
            // Compared, hashed and ordered.
            let (out, _) = ok(
                "read_json \"deep.jsonl\" | map [it, it] | flatten | distinct | count\n\
                 read_json \"deep.jsonl\" | map it == it\n\
                 read_json \"deep.jsonl\" | sort desc=true | to_json | map len",
            );
            assert_eq!(
                out,
                format!("2\n\ntrue\ntrue\n\n{}\n{}\n", record.len(), 2 * n),
                "{n} deep"
            );
            // Written by the sinks.
            let (_, dir) = ok("read_json \"deep.jsonl\" | write_json \"out.jsonl\"");
            assert_eq!(
                std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap(),
                text
            );
            // A record nested n deep is one column `a.a.…a` holding 1.
            let (_, dir) =
                ok("read_json \"deep.jsonl\" | filter \"a\" in it | write_csv \"out.csv\"");
            let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
            assert_eq!(csv, format!("{}\n1\n", vec!["a"; n].join(".")));
        }
    }
}

/// Past `flow::value::MAX_DEPTH`, reading is a diagnostic with file:line.
#[test]
fn deeper_than_the_limit_is_a_diagnostic() {
    let n = flow::value::MAX_DEPTH + 1;
    let (list, _) = deep_lines(n);
    let text = format!("[1]\n{list}\n");
    for src in [
        "read_json \"deep.jsonl\" | count",
        "read_text \"deep.jsonl\" | parse_json | count",
    ] {
        let (r, _) = run(&[("deep.jsonl", text.as_bytes())], "2", src);
        assert_eq!(r.code, 1, "{src}: {}", r.stderr);
        assert!(
            r.stderr.contains("nested more than 100000 levels deep"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("flow::"), "{}", r.stderr);
    }
}
