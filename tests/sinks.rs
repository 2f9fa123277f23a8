//! Sinks are all or nothing, and never replace what is not theirs to replace:
//! a failed or interrupted run leaves no output file and no temporary file;
//! a device, a FIFO or a symlink to one is written through, as `>` does.

use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::{Command, Stdio};

fn flow(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
        }
    }
    out.sort();
    out
}

#[test]
fn a_failed_partitioned_write_leaves_no_part_behind() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("out/part-0001.txt/x")).unwrap();
    let (code, err) = flow(
        dir.path(),
        &[
            "--threads",
            "2",
            "-e",
            r#"range 2000000 | map str(it) | write_text "out/*.txt""#,
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("it is a directory"), "{err}");
    assert_eq!(
        files(dir.path()),
        vec!["out", "out/part-0001.txt", "out/part-0001.txt/x"]
    );
}

#[test]
fn a_second_sink_that_fails_leaves_the_first_target_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "old\n").unwrap();
    std::fs::create_dir(dir.path().join("b.txt")).unwrap();
    let (code, err) = flow(
        dir.path(),
        &[
            "-e",
            "range 3 | map str(it) | write_text \"a.txt\"\nrange 3 | map str(it) | write_text \"b.txt\"",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.txt")).unwrap(),
        "old\n"
    );
    assert_eq!(files(dir.path()), vec!["a.txt", "b.txt"]);
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}

/// Reads a FIFO to its end on another thread (opening it blocks until a writer comes).
fn drain(path: &Path) -> std::thread::JoinHandle<String> {
    let path = path.to_path_buf();
    std::thread::spawn(move || std::fs::read_to_string(path).unwrap())
}

#[test]
fn a_fifo_is_written_through_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    std::os::unix::fs::symlink(&fifo, dir.path().join("link")).unwrap();
    for target in ["pipe", "link"] {
        let reader = drain(&fifo);
        let (code, err) = flow(
            dir.path(),
            &[
                "-e",
                &format!("range 3 | map str(it) | write_text \"{target}\""),
            ],
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(reader.join().unwrap(), "0\n1\n2\n");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert!(std::fs::symlink_metadata(dir.path().join("link"))
            .unwrap()
            .file_type()
            .is_symlink());
    }
    assert_eq!(files(dir.path()), vec!["link", "pipe"]);
}

/// Through a symlink, so that a regression replaces the link, never the
/// machine's /dev/null.
#[test]
fn a_device_is_written_through_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/null", dir.path().join("null")).unwrap();
    let (code, err) = flow(
        dir.path(),
        &["-e", "range 10 | map str(it) | write_text \"null\""],
    );
    assert_eq!(code, 0, "{err}");
    let link = std::fs::symlink_metadata(dir.path().join("null")).unwrap();
    assert!(link.file_type().is_symlink());
    let m = std::fs::metadata(dir.path().join("null")).unwrap();
    assert!(m.file_type().is_char_device());
    assert_eq!(files(dir.path()), vec!["null"]);
}

#[test]
fn ctrl_c_while_writing_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args([
            "-e",
            r#"range 5000000 | map str(it) ++ " " ++ str(it * 3) | write_text "out/big.txt""#,
        ])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the temporary file exists, then interrupt.
    let out = dir.path().join("out");
    let started = std::time::Instant::now();
    while files(dir.path()).iter().all(|f| !f.contains("flow-tmp")) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before it was interrupted"
        );
        assert!(
            started.elapsed().as_secs() < 120,
            "no temporary file appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    // Neither the temporary file nor the directory made for it is left.
    assert!(!out.exists(), "{:?}", files(dir.path()));
}

/// `write_csv` (SPEC §2): the first record's keys are the columns, nested
/// records are flattened to `a.b`, lists are JSON text, `null` and a
/// missing key are empty fields.
#[test]
fn write_csv_columns_are_the_first_records_keys_flattened() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("e.jsonl"),
        concat!(
            r#"{"user": {"id": 7, "tags": ["a", "b"]}, "note": null, "ok": true}"#,
            "\n",
            r#"{"ok": false, "user": {"id": 8}, "note": "x, \"y\""}"#,
            "\n",
        ),
    )
    .unwrap();
    let (code, err) = flow(
        dir.path(),
        &["-e", r#"read_json "e.jsonl" | write_csv "out.csv""#],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "user.id,user.tags,note,ok\n7,\"[\"\"a\"\",\"\"b\"\"]\",,true\n8,,\"x, \"\"y\"\"\",false\n"
    );
}

/// Nothing is dropped silently: a key that is not a column, or an element
/// that is not a record, fails the run and leaves no file.
#[test]
fn write_csv_refuses_what_it_cannot_write_and_leaves_no_file() {
    for (input, says) in [
        (
            "{\"a\": 1}\n{\"a\": 2, \"b\": 3}\n",
            "key `b` is not a column",
        ),
        ("{\"a\": 1}\n\"text\"\n", "it got a str: 'text'"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("e.jsonl"), input).unwrap();
        for target in ["out.csv", "out/*.csv"] {
            let (code, err) = flow(
                dir.path(),
                &[
                    "-e",
                    &format!(r#"read_json "e.jsonl" | write_csv "{target}""#),
                ],
            );
            assert_eq!(code, 1, "{err}");
            assert!(err.contains(says), "{err}");
            assert_eq!(files(dir.path()), vec!["e.jsonl"], "{target}");
        }
    }
}
