//! Where a failing element came from (SPEC §3.1): a run-time error in a
//! stage fed by `read_text`, `read_json` or `read_csv` names the file and
//! line of the element, the first failing one in input order, for any
//! thread count and blocksize, plain or gzip.

mod common;

use std::io::Write;

use common::{flow_command, ran, scratch};

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Runs `src` over `files` with `threads`; the exit code and stderr.
fn fails(files: &[(&str, &[u8])], src: &str, threads: &str) -> (i32, String) {
    let dir = scratch(files);
    let r = ran(&mut flow_command(
        dir.path(),
        &["-e", src, "--threads", threads],
    ));
    (r.code, r.stderr)
}

/// Numbers, one per line, with the first text that is not one on line 23
/// (and another after it), blank lines and CRLF endings on the way.
fn numbers() -> Vec<u8> {
    let mut text = String::new();
    for i in 1..=40 {
        match i {
            23 => text += "twenty-three\n",
            31 => text += "thirty-one\r\n",
            7 | 12 => text += "\n",
            _ if i % 5 == 0 => text += &format!("{i}\r\n"),
            _ => text += &format!("{i}\n"),
        }
    }
    text.into_bytes()
}

#[test]
fn text_errors_name_the_first_failing_line_at_any_blocksize() {
    let plain = numbers();
    let packed = gz(&plain);
    for (name, bytes) in [("n.txt", &plain), ("n.txt.gz", &packed)] {
        let files: &[(&str, &[u8])] = &[(name, bytes)];
        for bs in ["", " blocksize=7B", " blocksize=16B", " blocksize=50B"] {
            for threads in ["1", "2", "3"] {
                for tail in [
                    "filter it != \"\" | map int(it)",
                    "filter it != \"\" | map int(it) | sum",
                    "lower | filter len(it) > 0 | map int(it) * 2 | count",
                ] {
                    let src = format!("read_text \"{name}\"{bs} | {tail}");
                    let (code, err) = fails(files, &src, threads);
                    assert_eq!(code, 1, "{src}: {err}");
                    assert!(
                        err.contains(&format!("element from {name}:23")),
                        "{src} --threads {threads}:\n{err}"
                    );
                }
            }
        }
    }
}

#[test]
fn json_missing_keys_name_the_line_of_the_record() {
    let text = b"{\"user\": {\"id\": 1}}\n\n{\"user\": {\"id\": 2}}\n{\"usr\": 3}\n{\"user\": 4}\n";
    let packed = gz(text);
    for (name, bytes) in [("e.jsonl", &text[..]), ("e.jsonl.gz", &packed[..])] {
        for bs in ["", " blocksize=5B", " blocksize=30B"] {
            for threads in ["1", "3"] {
                let src = format!("read_json \"{name}\"{bs} | map .user.id");
                let (code, err) = fails(&[(name, bytes)], &src, threads);
                assert_eq!(code, 1, "{src}: {err}");
                assert!(err.contains("the record has no field `user`"), "{err}");
                assert!(
                    err.contains(&format!("in `map`, element from {name}:4")),
                    "{src} --threads {threads}:\n{err}"
                );
            }
        }
    }
}

#[test]
fn csv_errors_name_the_line_a_row_starts_on() {
    // The second data row spans two lines (a quoted line break).
    let text = b"name,n\nann,1\n\"bo\nb\",2\ncid,x\ndee,y\n";
    for threads in ["1", "2"] {
        let (code, err) = fails(
            &[("p.csv", text), ("q.csv", b"name,n\nzed,z\n")],
            "read_csv \"*.csv\" | map int(.n)",
            threads,
        );
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("element from p.csv:5"), "{err}");
    }
}

#[test]
fn sources_without_files_name_no_line() {
    let (code, err) = fails(&[], "from [\"1\", \"x\"] | map int(it)", "2");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("in `map`") && !err.contains("element from"),
        "{err}"
    );
}
