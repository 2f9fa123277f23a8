//! The corpus: every `examples/*.flow` (and the grammar-coverage script)
//! through every layer, one insta snapshot per layer: the AST, the plan as
//! written, the optimized plan, and the `dot`, `mermaid` and `tasks` views.

mod common;

use common::{check_parse, check_plan, examples, plan};

/// A snapshot named after its example and layer, e.g. `wordcount__dot`.
fn snap(name: String, value: String) {
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!(name, value);
    });
}

#[test]
fn grammar_coverage_ast() {
    let src = std::fs::read_to_string(common::root().join("tests/cases/grammar.flow"))
        .expect("grammar.flow");
    snap("grammar__ast".into(), check_parse(&src));
}

#[test]
fn examples_ast() {
    for (name, src) in examples() {
        snap(format!("{name}__ast"), check_parse(&src));
    }
}

#[test]
fn examples_plan_as_written() {
    for (name, src) in examples() {
        snap(format!("{name}__plan"), check_plan(&src, false));
    }
}

#[test]
fn examples_plan_optimized() {
    for (name, src) in examples() {
        snap(format!("{name}__optimized"), check_plan(&src, true));
    }
}

#[test]
fn examples_dot() {
    for (name, src) in examples() {
        snap(
            format!("{name}__dot"),
            flow::viz::dot::render(&plan(&src, true)),
        );
    }
}

#[test]
fn examples_mermaid() {
    for (name, src) in examples() {
        snap(
            format!("{name}__mermaid"),
            flow::viz::mermaid::render(&plan(&src, true)),
        );
    }
}

/// The tasks view reads the sizes of `data/` files: 2 threads, automatic blocksize.
#[test]
fn examples_tasks() {
    for (name, src) in examples() {
        let p = plan(&src, true);
        let lowered = flow::exec::lower(&p, 2).expect("the example's inputs exist");
        snap(
            format!("{name}__tasks"),
            flow::viz::tasks::render(&p, &lowered),
        );
    }
}

#[test]
fn examples_check_cleanly() {
    for (name, src) in examples() {
        let diags = common::errors(&src, &[]);
        assert!(
            diags.is_empty(),
            "{name}:\n{}",
            common::render(&name, &src, &diags)
        );
    }
}
