//! Golden results: the word count of `data/books/` checked against a count
//! made here in plain Rust; every example's output snapshotted; and every
//! example giving byte-identical output at any thread count and blocksize.
//!
//! Runs the built binary as a user runs the examples, from a directory that
//! looks like the crate root (`data` and `examples` linked to the crate's),
//! so what an example writes (`events.flow`'s `out/events.csv`) lands there
//! and not in the repository.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory under the test target with `data/` and `examples/`
/// linked to the crate's.
fn site(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    for linked in ["data", "examples"] {
        std::os::unix::fs::symlink(root().join(linked), dir.join(linked)).expect("a link");
    }
    dir
}

/// The site the tests share (made once per test binary).
fn shared_site() -> &'static Path {
    static SITE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    SITE.get_or_init(|| site("golden-site"))
}

/// `flow ARGS...` in the shared site; panics unless it exits 0; its stdout.
fn flow(args: &[&str]) -> String {
    flow_in(shared_site(), args)
}

fn flow_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the flow binary runs");
    assert!(
        out.status.success(),
        "flow {args:?} exited {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// Every `examples/*.flow`: (name, source), sorted by name.
fn examples() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "flow"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no examples");
    out
}

// ---- an independent word count ---------------------------------------------------

/// The 26 delimiters of SPEC §2.
const DELIMS: &str = ".,;:?$@^<>#%`!*-=()[]{}/\"'";

/// Python's `str.isspace()`.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The lines of every book, in path order: BOM dropped, `\r\n` and `\n` removed.
fn book_lines() -> Vec<String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("data/books"))
        .expect("data/books exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 2, "the books are there: {paths:?}");
    let mut lines = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).expect("a book is UTF-8");
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let text = text.strip_suffix('\n').unwrap_or(text);
        lines.extend(
            text.split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string()),
        );
    }
    lines
}

/// (word, count), by count descending then word ascending.
fn ranked(words: impl Iterator<Item = String>) -> Vec<(String, i64)> {
    let mut counts: HashMap<String, i64> = HashMap::new();
    for w in words {
        *counts.entry(w).or_insert(0) += 1;
    }
    let mut v: Vec<(String, i64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// `purge | lower | split` (the serial lesson).
fn serial_words() -> Vec<(String, i64)> {
    ranked(book_lines().into_iter().flat_map(|l| {
        let purged: String = l
            .chars()
            .map(|c| if DELIMS.contains(c) { ' ' } else { c })
            .collect();
        let lower = purged.to_lowercase();
        lower
            .split(py_space)
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    }))
}

/// `filter not_delim | lower | strip | split` (wordcount.flow).
fn lesson_words() -> Vec<(String, i64)> {
    ranked(
        book_lines()
            .into_iter()
            .filter(|l| !(l.chars().count() == 1 && DELIMS.contains(l.as_str())))
            .flat_map(|l| {
                let lower = l.to_lowercase();
                lower
                    .split(py_space)
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            }),
    )
}

/// TSV `value\tcount` rows, header checked.
fn parse_freq(tsv: &str) -> Vec<(String, i64)> {
    let mut lines = tsv.lines();
    assert_eq!(lines.next(), Some("value\tcount"), "{tsv}");
    lines
        .map(|l| {
            let (w, c) = l.rsplit_once('\t').expect("two columns");
            (w.to_string(), c.parse().expect("a count"))
        })
        .collect()
}

#[test]
fn the_books_have_no_case_traps() {
    // The independent count lower-cases with Rust's `to_lowercase`, which is
    // Python's `lower` except where context matters (final sigma, dotted I)
    // or Unicode versions differ: check the books keep clear of those.
    for l in book_lines() {
        for c in l.chars() {
            // Punctuation has no case; Latin-1 and Latin Extended-A letters
            // map alike in both, but for the dotted capital I.
            let simple = !c.is_alphabetic() || (('\u{c0}'..='\u{17f}').contains(&c) && c != 'İ');
            assert!(c.is_ascii() || simple, "{c:?} in {l:?}");
        }
    }
}

#[test]
fn serial_word_count_matches_an_independent_count() {
    let want = serial_words();
    assert!(want.len() > 1000, "the books have many words");
    let got = parse_freq(&flow(&[
        "-e",
        r#"read_text "data/books/*.txt" | purge | lower | split | frequencies"#,
        "--format",
        "tsv",
    ]));
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);
    let top = parse_freq(&flow(&[
        "examples/wordcount_serial.flow",
        "--format",
        "tsv",
    ]));
    assert_eq!(top, want[..10]);
}

#[test]
fn lesson_word_count_matches_an_independent_count() {
    let want = lesson_words();
    let got = parse_freq(&flow(&[
        "-e",
        r#"read_text "data/books/*.txt" | filter not_delim | lower | strip | split | frequencies"#,
        "--format",
        "tsv",
    ]));
    assert_eq!(got, want);
    let top = parse_freq(&flow(&["examples/wordcount.flow", "--format", "tsv"]));
    assert_eq!(top, want[..10]);
}

#[test]
fn word_totals_match_an_independent_count() {
    let words: i64 = serial_words().iter().map(|(_, c)| c).sum();
    let distinct = serial_words().len();
    let lines = book_lines().len();
    let t = r#"read_text "data/books/*.txt""#;
    let script = format!("{t} | count\n{t} | purge | lower | split | count\n{t} | purge | lower | split | distinct | count");
    assert_eq!(
        flow(&["-e", &script, "--format", "tsv"]),
        format!("{lines}\n\n{words}\n\n{distinct}\n")
    );
}

// ---- determinism -------------------------------------------------------------------

/// `src` with `blocksize=SIZE` on every `read_text` / `read_json` stage
/// (replacing one already there).
fn with_blocksize(src: &str, size: &str) -> String {
    let mut out = String::new();
    for line in src.lines() {
        let mut line = line.to_string();
        for op in ["read_text ", "read_json "] {
            if let Some(at) = line.find(op) {
                if line.trim_start().starts_with('#') {
                    continue;
                }
                // Drop an existing blocksize option.
                if let Some(b) = line.find(" blocksize=") {
                    let end = line[b + 1..].find(' ').map_or(line.len(), |e| b + 1 + e);
                    line.replace_range(b..end, "");
                }
                // Insert after the path argument: a string literal or a name.
                let arg_start = at + op.len();
                let rest = &line[arg_start..];
                let arg_len = if let Some(stripped) = rest.strip_prefix('"') {
                    stripped.find('"').expect("a closed string") + 2
                } else {
                    rest.find([' ', '|']).unwrap_or(rest.len())
                };
                line.insert_str(arg_start + arg_len, &format!(" blocksize={size}"));
            }
        }
        out += &line;
        out.push('\n');
    }
    out
}

#[test]
fn with_blocksize_rewrites_sources() {
    assert_eq!(
        with_blocksize("let w = read_text path blocksize=1MiB | lower\nread_json \"a b.jsonl\" | count\n# read_text x\n", "7"),
        "let w = read_text path blocksize=7 | lower\nread_json \"a b.jsonl\" blocksize=7 | count\n# read_text x\n"
    );
}

#[test]
fn examples_give_identical_bytes_at_any_thread_count_and_blocksize() {
    for (name, src) in examples() {
        let file = format!("examples/{name}.flow");
        let base = flow(&[&file, "--threads", "1", "--format", "json"]);
        assert!(!base.is_empty(), "{name} prints something");
        for threads in ["2", "3"] {
            assert_eq!(
                flow(&[&file, "--threads", threads, "--format", "json"]),
                base,
                "{name}, {threads} threads"
            );
        }
        assert_eq!(
            flow(&[&file, "--threads", "2", "--no-optimize", "--format", "json"]),
            base,
            "{name}, unoptimized"
        );
        if !src.contains("read_text") && !src.contains("read_json") {
            continue;
        }
        for size in ["100", "1000", "4KiB", "64MiB"] {
            let variant = with_blocksize(&src, size);
            for threads in ["1", "2"] {
                let got = flow(&["-e", &variant, "--threads", threads, "--format", "json"]);
                assert_eq!(
                    got, base,
                    "{name}, blocksize={size}, {threads} threads:\n{variant}"
                );
            }
        }
    }
}

#[test]
fn tiny_blocksizes_give_identical_bytes() {
    // Blocksizes of a few bytes cut every line and every UTF-8 sequence.
    let src = "read_text \"data/books/christmas_carol.txt\" | purge | lower | split | frequencies | topk 20\n\
               read_text \"data/sample.txt\" | count\n\
               read_json \"data/events.jsonl\" | groupby .user count";
    let base = flow(&["-e", src, "--format", "json"]);
    for size in ["1", "3", "17"] {
        let got = flow(&[
            "-e",
            &with_blocksize(src, size),
            "--threads",
            "2",
            "--format",
            "json",
        ]);
        assert_eq!(got, base, "blocksize={size}");
    }
}

// ---- snapshots -------------------------------------------------------------------

#[test]
fn example_outputs() {
    for (name, _) in examples() {
        let out = flow(&[&format!("examples/{name}.flow"), "--format", "json"]);
        insta::assert_snapshot!(format!("example_{name}"), out);
    }
}

#[test]
fn example_outputs_as_tables() {
    for (name, _) in examples() {
        let out = flow(&[&format!("examples/{name}.flow"), "--format", "table"]);
        insta::assert_snapshot!(format!("example_{name}_table"), out);
    }
}

/// `events.flow` writes its events as a flat CSV: the first record's keys as
/// columns, the nested `user` as `user.id` and `user.country`, every event.
#[test]
fn events_example_writes_a_flat_csv() {
    let dir = site("golden-events");
    flow_in(&dir, &["examples/events.flow"]);
    let csv = std::fs::read_to_string(dir.join("out/events.csv")).expect("out/events.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "time,endpoint,status,latency_ms,user.id,user.country,tags"
    );
    let events = std::fs::read_to_string(root().join("data/api_events.jsonl")).unwrap();
    assert_eq!(lines.len() - 1, events.lines().count());
    assert_eq!(
        lines[1],
        "2026-11-02 09:00:02,/api/v1/items,429,53.3,u001,FR,eu;mobile"
    );
    // An event without a user: "anon", an empty country.
    assert!(
        lines.iter().any(|l| l.contains(",anon,,")),
        "no anonymous row"
    );
}
