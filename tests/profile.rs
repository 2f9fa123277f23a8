//! `--profile` and the progress bar, through the binary.

use std::io::Write;
use std::process::{Command, Output};

fn flow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("flow runs")
}

fn profile_json(args: &[&str]) -> serde_json::Value {
    let mut a = args.to_vec();
    a.push("--profile=json");
    let out = flow(&a);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stderr).expect("the profile is one JSON object on stderr")
}

/// Counts add up: within a node each step's `out` is the next step's `in`,
/// and across nodes a node's last output count is what its consumer read.
#[test]
fn profile_counts_add_up() {
    let p = profile_json(&["examples/wordcount.flow"]);
    let nodes = p["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3);
    for node in nodes {
        let steps = node["steps"].as_array().unwrap();
        for pair in steps.windows(2) {
            assert_eq!(pair[0]["out"], pair[1]["in"], "{node}");
        }
    }
    let n0 = nodes[0]["steps"].as_array().unwrap();
    assert_eq!(
        n0[0]["step"],
        "read_text \"data/books/*.txt\" blocksize=1MiB"
    );
    assert_eq!(n0[0]["out"], 1600); // the four 400-line excerpts
    assert!(nodes[0]["bytes"].as_u64().unwrap() > 70_000);
    assert_eq!(nodes[0]["partitions"], 4);
    // The merge of frequencies emits into topk's partial only the words
    // that can be among the 10 most frequent, and topk's merge emits 10.
    let n1 = nodes[1]["steps"].as_array().unwrap();
    assert_eq!(n1[0]["step"], "frequencies (merge)");
    let candidates = n1[0]["out"].as_u64().unwrap();
    assert!((10..100).contains(&candidates), "{candidates}");
    assert_eq!(nodes[2]["steps"][0]["out"], 10);
}

/// The fused word count tokenizes many lines at once; its per-step counts
/// are still those of one line at a time, counted here independently.
#[test]
fn fused_word_count_counts_lines_and_words() {
    let mut text = String::from("\u{feff}");
    let samples = [
        "The Project Gutenberg eBook",
        ".",
        " . ",
        "-",
        "",
        "  two  words  ",
        "ΣΑΣ and ßig",
        "x",
        "*",
    ];
    for i in 0..2000 {
        text += samples[i * 7 % samples.len()];
        text += if i % 3 == 0 { "\r\n" } else { "\n" };
    }
    text += ";";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.txt");
    std::fs::write(&path, &text).unwrap();

    let (mut lines, mut delims, mut words) = (0u64, 0u64, 0u64);
    for line in text.trim_start_matches('\u{feff}').split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        lines += 1;
        if line.len() == 1 && ".,;:?$@^<>#%`!*-=()[]{}/\"'".contains(line) {
            delims += 1;
        } else {
            words += line.split_whitespace().count() as u64;
        }
    }
    let script = format!(
        "read_text {:?} blocksize=1KiB | filter not_delim | lower | strip | split | frequencies | topk 3",
        path.display().to_string()
    );
    let p = profile_json(&["-e", &script, "--threads", "2"]);
    let n0 = p["nodes"][0]["steps"].as_array().unwrap().clone();
    let counts: Vec<(String, u64, u64)> = n0[1..]
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_string(),
                s["in"].as_u64().unwrap(),
                s["out"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let kept = lines - delims;
    assert_eq!(
        counts,
        vec![
            ("filter not_delim(it)".to_string(), lines, kept),
            ("lower".to_string(), kept, kept),
            ("strip".to_string(), kept, kept),
            ("split".to_string(), kept, words),
            ("frequencies (partial)".to_string(), words, 0),
        ]
    );
    assert!(
        n0[0]["out"].as_u64() == Some(lines) && delims > 500,
        "{delims}"
    );
}

/// The chain steps of a profile: `(step, in, out)` of every step between
/// the source and the aggregation, fused or each its own node.
fn chain_counts(p: &serde_json::Value) -> Vec<(String, u64, u64)> {
    p["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| n["steps"].as_array().unwrap().clone())
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_string(),
                s["in"].as_u64().unwrap_or(0),
                s["out"].as_u64().unwrap_or(0),
            )
        })
        .filter(|(step, _, _)| {
            !step.starts_with("read_text")
                && !step.starts_with("frequencies")
                && !step.starts_with("topk")
        })
        .collect()
}

/// Word counts in every order of `filter not_delim`, `lower`, `strip` and
/// `split` (the tokenizer takes them a run of lines at a time, the word
/// steps after the split included): the counts of each step fused are
/// those of each step run alone (`--no-optimize`), at 1 and 2 threads.
#[test]
fn word_count_orders_count_as_unfused() {
    let mut text = String::from("\u{feff}");
    let samples = [
        "The Project Gutenberg eBook",
        ".",
        " . ",
        "\u{a0}-\u{3000}",
        "-",
        "",
        "  two  words , and . more ",
        "ΣΑΣ and ßig",
        "x",
        "*\r",
        "a-very-long-word-of-many-bytes and, some; more",
    ];
    for i in 0..1500 {
        text += samples[i * 7 % samples.len()];
        text += if i % 3 == 0 { "\r\n" } else { "\n" };
    }
    text += ";";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.txt");
    std::fs::write(&path, &text).unwrap();
    let ops = ["filter not_delim", "lower", "strip", "split"];
    // Every order of the four (Heap's algorithm).
    let mut orders = Vec::new();
    let mut a = [0, 1, 2, 3];
    let mut c = [0usize; 4];
    orders.push(a);
    let mut i = 0;
    while i < 4 {
        if c[i] < i {
            a.swap(if i % 2 == 0 { 0 } else { c[i] }, i);
            orders.push(a);
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
    assert_eq!(orders.len(), 24);
    for order in orders {
        let chain: Vec<&str> = order.iter().map(|&k| ops[k]).collect();
        let script = format!(
            "read_text {:?} blocksize=1KiB | {} | frequencies | topk 3",
            path.display().to_string(),
            chain.join(" | ")
        );
        let want = chain_counts(&profile_json(&["-e", &script, "--no-optimize"]));
        assert_eq!(want.len(), 4, "{want:?}");
        for threads in ["1", "2"] {
            let got = chain_counts(&profile_json(&["-e", &script, "--threads", threads]));
            assert_eq!(got, want, "{script} --threads {threads}");
        }
    }
}

#[test]
fn profile_of_an_unfused_plan_links_nodes() {
    // Without fusion every step is its own node: each node's output is the next one's input.
    let p = profile_json(&[
        "-e",
        "range 1000 | filter it % 3 == 0 | map it * 2 | count",
        "--no-optimize",
    ]);
    let nodes = p["nodes"].as_array().unwrap();
    let outs: Vec<&serde_json::Value> = nodes.iter().map(|n| &n["steps"][0]["out"]).collect();
    let ins: Vec<&serde_json::Value> = nodes.iter().map(|n| &n["steps"][0]["in"]).collect();
    assert_eq!(outs[0], 1000);
    assert_eq!(ins[1], 1000);
    assert_eq!(outs[1], 334);
    assert_eq!(ins[2], 334);
    assert_eq!(outs[2], 334);
}

#[test]
fn profile_table_goes_to_stderr_and_results_to_stdout() {
    let out = flow(&["-e", "range 10 | sum", "--profile"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "45\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("profile: "), "{err}");
    assert!(err.contains("range 10"), "{err}");
    let bad = flow(&["-e", "range 10 | sum", "--profile=xml"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// A run of more than a second with stderr not a terminal shows no progress bar.
#[test]
fn no_progress_bar_when_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    let mut f = std::fs::File::create(&path).unwrap();
    let line = "the quick brown fox jumps over the lazy dog and keeps running far away\n";
    for _ in 0..400_000 {
        f.write_all(line.as_bytes()).unwrap();
    }
    drop(f);
    let script = format!(
        "read_text \"{}\" | map len(split(it)) | sum\nread_text \"{}\" | lower | split | frequencies | count",
        path.display(),
        path.display()
    );
    let start = std::time::Instant::now();
    let out = flow(&["-e", &script, "--threads", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "5600000\n\n13\n");
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Only meaningful when the run was long enough for a bar to be due.
    if start.elapsed().as_secs_f64() < 1.0 {
        eprintln!("note: the run took under a second; the bar would not have shown anyway");
    }
}

/// A join's probe counts the pairs it makes, over every partition of the
/// left side, and the steps fused after it count from there.
#[test]
fn join_counts_its_pairs() {
    let p = profile_json(&[
        "-e",
        "range 100 | join (range 10 | map it * 3) on=it | map .left | filter it > 5 | count",
        "--threads",
        "3",
    ]);
    let nodes = p["nodes"].as_array().unwrap();
    let join = nodes
        .iter()
        .find(|n| n["steps"][0]["step"].as_str().unwrap().starts_with("join "))
        .expect("a join node");
    let steps = join["steps"].as_array().unwrap();
    // 0, 3, …, 27 match: 10 pairs, of which 8 are above 5.
    assert_eq!(steps[0]["out"], 10, "{join}");
    assert_eq!(steps[1]["in"], 10, "{join}");
    assert_eq!(steps[2]["out"], 8, "{join}");
}
