//! The graph renderers on small plans that the examples do not cover:
//! escaping of awkward labels, many partitions, `concat`, and the plan as
//! written.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

use common::plan;
use flow::plan::{NodeId, Plan};

/// String literals with every character a dot or mermaid label must escape.
const AWKWARD: &str = r#"from ["say \"hi\"", "back\\slash", "<b> & #35; `x`", "tab\there"] | filter it != "\\" | to_json"#;

fn snap(name: &str, text: &str) {
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

/// The source nodes of `plan` (topological order) given these partition counts.
/// The plan lowered as if its sources had these partition counts.
fn sources(plan: &Plan, counts: &[usize]) -> flow::exec::Lowered {
    let srcs = plan
        .topo()
        .into_iter()
        .filter(|n| plan.graph[*n].is_source());
    let counts: HashMap<NodeId, usize> = srcs.zip(counts.iter().copied()).collect();
    flow::exec::lower::lower_counts(plan, &counts)
}

#[test]
fn awkward_labels_are_escaped() {
    let p = plan(AWKWARD, true);
    let dot = flow::viz::dot::render(&p);
    snap("awkward_dot", &dot);
    snap("awkward_mermaid", &flow::viz::mermaid::render(&p));
    let Ok(mut child) = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        eprintln!("skipping the Graphviz check: `dot` is not installed");
        return;
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(dot.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("dot finishes");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The label text survives: Graphviz shows the literal quotes and backslash.
    let svg = String::from_utf8_lossy(&out.stdout);
    assert!(
        svg.contains(r#"from [&quot;say \&quot;hi\&quot;&quot;, &quot;back\\slash&quot;"#),
        "{svg}"
    );
}

#[test]
fn many_partitions_are_elided() {
    let p = plan("range 100 | map it * 2 | filter it > 7 | count", true);
    snap(
        "tasks_many_partitions",
        &flow::viz::tasks::render(&p, &sources(&p, &[62])),
    );
}

#[test]
fn a_shared_input_with_its_own_partial_task() {
    let p = plan(
        "let r = range 100\nr | sum\nr | map str(it) | write_text \"out/*.txt\"",
        true,
    );
    snap(
        "tasks_shared",
        &flow::viz::tasks::render(&p, &sources(&p, &[9])),
    );
}

#[test]
fn concat_has_the_partitions_of_all_its_inputs() {
    let p = plan(
        "let a = range 10\nlet b = range 5 | map it * 10\nconcat a b b | map it + 1 | frequencies",
        true,
    );
    snap(
        "tasks_concat",
        &flow::viz::tasks::render(&p, &sources(&p, &[3, 2])),
    );
    snap("concat_dot", &flow::viz::dot::render(&p));
    snap("concat_mermaid", &flow::viz::mermaid::render(&p));
}

#[test]
fn a_plan_as_written_aggregates_in_one_task() {
    let p = plan("range 10 | map it * 2 | topk 3", false);
    snap(
        "tasks_as_written",
        &flow::viz::tasks::render(&p, &sources(&p, &[4])),
    );
    snap("as_written_dot", &flow::viz::dot::render(&p));
}

#[test]
fn real_partitions_of_a_small_blocksize() {
    let p = plan(
        r#"read_text "data/books/*.txt" blocksize=16KiB | lower | count"#,
        true,
    );
    let lowered = flow::exec::lower(&p, 2).expect("data/books exists");
    let text = flow::viz::tasks::render(&p, &lowered);
    let n: usize = lowered.nodes().next().map_or(0, |t| t.tasks);
    assert!(n > 4, "16KiB blocks of 4 books: {n}");
    assert!(
        text.starts_with(&format!("tasks: {} (2 nodes, 1 output)\n", n + 1)),
        "{text}"
    );
    assert!(
        text.contains(&format!("n1[0] ← n0[0..{}] (all {n})", n - 1)),
        "{text}"
    );
}

#[test]
fn renderers_are_deterministic() {
    for (_, src) in common::examples() {
        let a = plan(&src, true);
        let b = plan(&src, true);
        assert_eq!(flow::viz::dot::render(&a), flow::viz::dot::render(&b));
        assert_eq!(
            flow::viz::mermaid::render(&a),
            flow::viz::mermaid::render(&b)
        );
    }
}
