//! Every diagnostic a user can cause, rendered as the command line shows it
//! (miette, no colour, width 100), one snapshot each. A snapshot must show
//! the code, the offending span underlined, and a help line where one helps.

mod common;

use common::{check_error, errors, render};

/// Snapshots the rendered diagnostics of `src`, named `name`.
macro_rules! check {
    ($name:literal, $src:expr) => {{
        let src: &str = $src;
        insta::with_settings!({ omit_expression => true, description => src }, {
            insta::assert_snapshot!($name, check_error("script.flow", src));
        });
    }};
}

fn snap(name: &str, text: &str) {
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn syntax_error_says_what_was_expected() {
    check!("syntax_unclosed_paren", "range 5 | map (it + 1");
    check!(
        "syntax_empty_stage",
        "read_text \"data/books/*.txt\" | | lower"
    );
    check!("syntax_let_without_name", "let = 3");
    check!(
        "syntax_unclosed_string",
        "read_text \"data/books/*.txt | lower"
    );
    check!("syntax_option_expression", "range 9 | topk 3 by=it % 4");
    check!(
        "syntax_unicode_escape_without_braces",
        "from [\"caf\\u00e9\"] | map it ++ \"!\""
    );
    check!("syntax_unknown_escape", "range 3 | map \"tab\\x09\"");
}

#[test]
fn unknown_operator_suggests_the_closest() {
    check!("unknown_operator", "read_text \"data/*.txt\" | lowr");
    check!("unknown_operator_far", "range 3 | zzzzzz");
}

#[test]
fn wrong_argument_count() {
    check!("argument_count_missing", "from [\"a-b\"] | replace \"-\"");
    check!("argument_count_extra", "range 3 4");
}

#[test]
fn wrong_argument_type() {
    check!("argument_type", "range \"ten\"");
    check!("argument_type_size", "range 5 | take 1MiB");
}

#[test]
fn unknown_option_lists_valid_ones() {
    check!(
        "unknown_option",
        "read_text \"data/books/*.txt\" blocksze=1MiB"
    );
    check!("unknown_option_none_taken", "from [\"A\"] | lower by=it");
}

#[test]
fn bad_option_value() {
    check!(
        "bad_option_value",
        "read_text \"data/books/*.txt\" encoding=\"utf-16\""
    );
}

#[test]
fn unbound_name() {
    check!("unbound_name_argument", "range n");
    check!("unbound_name_expression", "range 5 | map it + x");
    check!(
        "unbound_name_concat",
        "let words = range 3\nconcat words wrods"
    );
}

#[test]
fn binding_may_not_shadow_an_operator() {
    check!("shadows_operator", "let lower = range 3");
}

#[test]
fn type_mismatch_names_both_stages() {
    check!("type_mismatch", "range 5 | lower");
    check!("type_mismatch_bound", "let n = range 5\nn | split");
    check!("filter_not_bool", "range 5 | filter it + 1");
}

#[test]
fn glob_matching_nothing_points_at_the_path() {
    check!(
        "glob_matched_nothing",
        "read_text \"data/nothing/*.txt\" | count"
    );
}

#[test]
fn missing_file_points_at_the_path() {
    check!("file_not_found", "read_json \"data/missing.jsonl\" | count");
    // Through a constant, the span is on the name where it is used.
    check!(
        "file_not_found_via_constant",
        "let path = \"data/missing.txt\"\nread_text path | count"
    );
}

#[test]
fn several_independent_errors_are_all_reported() {
    let src = "range 5 | lower\nread_text \"data/books/*.txt\" | lowr\nrange \"ten\"\nlet ok = range 3\nok | count";
    assert_eq!(errors(src, &[]).0.len(), 3);
    check!("several_errors", src);
}

#[test]
fn bad_regex_in_matches() {
    check!("bad_regex", "from [\"a\"] | filter matches(it, \"(ab\")");
}

#[test]
fn set_of_an_unknown_constant() {
    let src =
        std::fs::read_to_string(common::root().join("examples/wordcount.flow")).expect("example");
    let ast = flow::syntax::parse(&src).expect("parses");
    let over = vec![("paht".to_string(), "data/*.txt".to_string())];
    let diags = flow::plan::build(&src, &ast, &over).expect_err("unknown --set");
    snap(
        "set_unknown_constant",
        &render("wordcount.flow", &src, &diags),
    );
    // A known constant is overridden, and a failing glob then points at the constant.
    let over = vec![("path".to_string(), "data/nothing/*.txt".to_string())];
    snap(
        "set_path_matches_nothing",
        &render("wordcount.flow", &src, &errors(&src, &over)),
    );
}

#[test]
fn scalar_fed_to_a_bag_operator() {
    check!("scalar_to_bag", "range 5 | count | lower");
}

#[test]
fn source_after_a_pipe() {
    check!(
        "source_mid_pipeline",
        "range 5 | read_text \"data/books/*.txt\""
    );
}

#[test]
fn exit_codes_rank_script_errors_above_run_errors() {
    assert_eq!(
        errors("read_text \"data/nothing/*.txt\"", &[]).exit_code(),
        1
    );
    assert_eq!(errors("range 5 | lower", &[]).exit_code(), 2);
    assert_eq!(errors("range 5 | lowr", &[]).exit_code(), 2);
}
