//! What is drawn is what runs: the tasks the executor reports running are
//! exactly the tasks of the plan's lowering (`--visualize=tasks`), node by
//! node and partition by partition, and the bytes it reports are the bytes
//! of the input files, each counted once.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use flow::exec::observe::{Event, Observer};
use flow::exec::ExecOptions;

/// Records every task that finished, every node that finished, and bytes.
#[derive(Default)]
struct Tasks {
    finished: Mutex<Vec<(usize, usize)>>,
    started: Mutex<Vec<(usize, usize)>>,
    nodes: Mutex<Vec<(usize, u64)>>,
    bytes_read: Mutex<u64>,
    runs: Mutex<(usize, usize)>,
}

impl Observer for Tasks {
    fn event(&self, e: &Event<'_>) {
        match e {
            Event::Started { .. } => self.runs.lock().unwrap().0 += 1,
            Event::TaskStarted {
                node, partition, ..
            } => self
                .started
                .lock()
                .unwrap()
                .push((node.index(), *partition)),
            Event::TaskFinished(t) => {
                assert!(t.finished >= t.started);
                self.finished
                    .lock()
                    .unwrap()
                    .push((t.node.index(), t.partition));
            }
            Event::BytesRead(n) => *self.bytes_read.lock().unwrap() += n,
            Event::NodeDone(p) => self.nodes.lock().unwrap().push((p.node.index(), p.bytes)),
            Event::Finished { ok } => {
                if *ok {
                    self.runs.lock().unwrap().1 += 1
                }
            }
        }
    }
}

/// Runs `src` at `threads`, and checks the tasks run against its lowering.
fn check(src: &str, optimize: bool, threads: usize) {
    let plan = common::plan(src, optimize);
    let lowered = flow::exec::lower(&plan, threads).expect("inputs exist");
    let drawn: BTreeSet<(usize, usize)> = lowered
        .nodes()
        .flat_map(|t| (0..t.tasks).map(move |p| (t.node.index(), p)))
        .collect();
    let seen = Arc::new(Tasks::default());
    let mut opts = ExecOptions::new(threads);
    opts.observers.push(seen.clone());
    if let Err(d) = flow::driver::run(&plan, &opts) {
        panic!("{src}: {d:?}");
    }

    let finished = seen.finished.lock().unwrap().clone();
    let run: BTreeSet<(usize, usize)> = finished.iter().copied().collect();
    assert_eq!(run.len(), finished.len(), "a task ran twice: {src}");
    assert_eq!(run, drawn, "tasks run ≠ tasks drawn for {src}");
    let started: BTreeSet<(usize, usize)> = seen.started.lock().unwrap().iter().copied().collect();
    assert_eq!(started, drawn, "tasks started ≠ tasks drawn for {src}");
    assert_eq!(*seen.runs.lock().unwrap(), (1, 1));

    // Every node reports once; a source reports the bytes of its files.
    let nodes = seen.nodes.lock().unwrap().clone();
    let ids: BTreeSet<usize> = nodes.iter().map(|n| n.0).collect();
    assert_eq!(ids.len(), nodes.len());
    assert_eq!(ids, lowered.nodes().map(|t| t.node.index()).collect());
    let reported: u64 = nodes.iter().map(|n| n.1).sum();
    assert_eq!(reported, lowered.total_bytes(), "{src}");
    assert_eq!(
        *seen.bytes_read.lock().unwrap(),
        lowered.total_bytes(),
        "{src}"
    );
}

#[test]
fn tasks_run_are_the_tasks_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let scripts = [
        r#"read_text "data/books/*.txt" blocksize=64KiB | lower | split | frequencies | topk 5"#
            .to_string(),
        r#"read_text "data/books/*.txt" blocksize=100KiB | count"#.to_string(),
        r#"read_json "data/events.jsonl" blocksize=1KiB | groupby .user count"#.to_string(),
        r#"read_csv "data/people.csv" | map .name"#.to_string(),
        r#"read_csv "data/users.csv" blocksize=64 | groupby .plan count"#.to_string(),
        r#"read_csv "data/users.csv" blocksize=100 | count"#.to_string(),
        "let a = range 2100000\nlet b = range 10\nconcat a b | map it * 2 | sum".to_string(),
        "let xs = range 1100000 | map it % 7\nxs | distinct\nxs | sum".to_string(),
        r#"from ["b", "a", "b"] | sort"#.to_string(),
        r#"read_text "data/books/*.txt" blocksize=64KiB | split | join (read_text "data/sample.txt" | split | distinct) on=it | count"#
            .to_string(),
        r#"concat (read_json "data/events.jsonl" blocksize=1KiB) (read_json "data/events.jsonl") | count"#
            .to_string(),
        format!(r#"range 1100000 | map str(it) | write_text "{out}/parts/*.txt""#),
        format!(r#"range 1100000 | map str(it) | write_text "{out}/one.txt""#),
        format!(r#"read_text "data/books/*.txt" blocksize=256KiB | write_text "{out}/copy/*.txt""#),
    ];
    for src in &scripts {
        for threads in [1, 3] {
            check(src, true, threads);
            check(src, false, threads);
        }
    }
}

/// The bytes `--profile` shows for a source are its file's size, however
/// many partitions read it (they used to add up the bytes each partition
/// read past its end to finish its last line).
#[test]
fn profile_bytes_are_the_file_size() {
    let size = std::fs::metadata("data/sample.txt").unwrap().len();
    let src = r#"read_text "data/sample.txt" blocksize=100B | count"#;
    let plan = common::plan(src, true);
    let lowered = flow::exec::lower(&plan, 2).unwrap();
    assert!(
        lowered.nodes().next().unwrap().tasks > 2,
        "several partitions"
    );
    let rec = Arc::new(flow::exec::profile::Recorder::default());
    let mut opts = ExecOptions::new(2);
    opts.observers.push(rec.clone());
    flow::driver::run(&plan, &opts).unwrap();
    let bytes: u64 = rec.nodes().iter().map(|n| n.bytes).sum();
    assert_eq!(bytes, size);
}

/// `flow check` and `--visualize=tasks` read no data (`exec::lower`): a CSV
/// file's partitions are there its nominal byte ranges. A run reads where
/// its rows start, and runs a file whose quote never closes as one
/// partition, which reports it.
#[test]
fn lowering_reads_no_csv_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("open.csv");
    std::fs::write(&path, "a,b\n1,\"open\n2,3\n4,5\n6,7\n8,9\n").unwrap();
    let src = format!(
        "read_csv {:?} blocksize=4 | count",
        path.display().to_string()
    );
    let plan = common::plan(&src, true);
    let tasks = |l: &flow::exec::lower::Lowered| l.nodes().map(|t| t.tasks).max().unwrap();
    let drawn = flow::exec::lower(&plan, 2).expect("the file exists");
    let run = flow::exec::lower::lower_to_run(&plan, 2, false).expect("the file exists");
    assert_eq!(tasks(&drawn), 7);
    assert_eq!(tasks(&run), 1);
    match flow::driver::run(&plan, &ExecOptions::new(2)) {
        Err(d) => assert!(
            d.0[0].message.contains("unterminated quoted field"),
            "{d:?}"
        ),
        Ok(_) => panic!("a quote that never closes is an error"),
    }
}
