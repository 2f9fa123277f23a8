//! Every diagnostic a user can cause, rendered as the command line shows it
//! (miette, no colour, width 100), one snapshot each. A snapshot must show
//! the code, the offending span underlined, and a help line where one helps.
//!
//! Check-time cases go through the library as `flow check` does (`check!`);
//! run-time and command-line cases run the built binary in a scratch
//! directory with relative paths (`run!`, `cli`); REPL cases type lines into
//! a session. `every_diagnostic_code_has_a_snapshot` keeps every code in
//! `src/` covered.

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
fn sinks_that_would_clobber() {
    check!(
        "same_target",
        "range 3 | map str(it) | write_text \"out/a.txt\"\nrange 5 | map str(it) | write_text \"./out/a.txt\""
    );
    check!(
        "sink_over_input",
        "read_text \"data/books/*.txt\" | lower | write_text \"data/books/*.txt\""
    );
    check!(
        "sink_over_input_file",
        "read_json \"data/events.jsonl\" | write_json \"data/events.jsonl\""
    );
}

#[test]
fn nesting_past_the_limit() {
    check!(
        "too_deep",
        &format!("range 3 | map {}it{}", "(\n".repeat(260), ")".repeat(260))
    );
    check!(
        "too_deep_chain",
        &format!("range 3 | map it{}", "+1".repeat(260))
    );
    check!(
        "type_too_deep",
        &format!("range 1{}", "\n  | map [it]".repeat(260))
    );
}

#[test]
fn bad_option_value() {
    check!(
        "bad_option_value",
        "read_text \"data/books/*.txt\" encoding=\"utf-16\""
    );
    // One rule for a value wherever it is given: `flow check` and a run agree.
    check!(
        "csv_separator_not_one_byte",
        "read_csv \"people.csv\" sep=\"；\" | count"
    );
    check!(
        "csv_separator_two_characters",
        "read_csv \"people.csv\" sep=\";;\" | count"
    );
    check!("split_empty_separator", "from [\"a b\"] | split \"\"");
    check!(
        "split_function_empty_separator",
        "from [\"a b\"] | map split(it, \"\")"
    );
    check!(
        "blocksize_zero",
        "read_text \"data/books/*.txt\" blocksize=0B | count"
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
fn regex_functions_check_their_constants() {
    check!(
        "bad_group",
        "from [\"a-b\"] | map extract(it, \"(\\\\w+)-(\\\\w+)\", 3)"
    );
    check!(
        "bad_group_name",
        "from [\"a-b\"] | map extract(it, \"(?P<key>\\\\w+)\", \"kye\")"
    );
    check!(
        "too_many_groups",
        "from [\"a=1 b=2\"] | map extract_all(it, \"(\\\\w)=(\\\\d)\")"
    );
    check!(
        "bad_replacement",
        "from [\"2024-05\"] | map sub(it, \"(\\\\d+)-(\\\\d+)\", \"\\\\2/\\\\3\")"
    );
    check!(
        "bad_replacement_escape",
        "from [\"a\"] | map sub(it, \"a\", \"\\\\q\")"
    );
}

#[test]
fn time_functions_check_their_formats() {
    check!(
        "bad_time_format",
        "from [\"2024-05-06\"] | map parse_time(it, \"%Y-%m-%D\")"
    );
    check!(
        "bad_time_format_twice",
        "from [\"5 6\"] | map parse_time(it, \"%d %d\")"
    );
    check!(
        "bad_format_time_format",
        "from [0] | map format_time(it, \"%Y %\")"
    );
}

#[test]
fn join_of_a_list_that_is_not_strs() {
    check!("join_list_of_int", "from [[1, 2]] | map join(it, \",\")");
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

#[test]
fn literal_out_of_range() {
    check!("syntax_integer_out_of_range", "range 9999999999999999999");
    check!(
        "syntax_size_not_whole_bytes",
        "read_text \"data/books/*.txt\" blocksize=1.5B | count"
    );
}

#[test]
fn option_value_that_is_not_one_term() {
    // A negated value is not one term either: it needs parentheses too.
    check!("syntax_option_negated", "range 5 | sort by=-it");
}

#[test]
fn bound_name_only_starts_a_pipeline() {
    check!(
        "arguments_to_name",
        "let words = read_text \"data/books/*.txt\" | split\nwords 10 | count"
    );
    check!(
        "name_mid_pipeline",
        "let words = read_text \"data/books/*.txt\" | split\nrange 3 | words"
    );
    check!(
        "constant_starts_a_pipeline",
        "let limit = 10\nlimit | count"
    );
}

#[test]
fn pipeline_without_a_source() {
    check!("missing_input", "lower | count");
}

#[test]
fn sink_ends_a_pipeline() {
    check!(
        "after_sink",
        "from [\"a\", \"b\"] | write_text \"out.txt\" | count"
    );
    check!(
        "bound_sink",
        "let saved = from [\"a\", \"b\"] | write_text \"out.txt\"\nsaved | count"
    );
}

#[test]
fn constant_must_be_a_literal() {
    check!("not_constant", "let sizes = [10, 2 * 5]\nrange 3");
}

#[test]
fn option_given_twice() {
    check!("duplicate_option", "range 9 | topk 3 by=it by=(-it)");
}

#[test]
fn unknown_aggregate_lists_the_aggregates() {
    check!(
        "bad_aggregate",
        "read_text \"data/books/*.txt\" | split | groupby len(it) sums"
    );
    check!(
        "bad_aggregate_far",
        "read_text \"data/books/*.txt\" | split | groupby len(it) avg"
    );
}

#[test]
fn expression_type_errors() {
    check!("field_of_an_int", "range 5 | map it.name");
    check!(
        "collection_in_expression",
        "let small = range 3\nrange 5 | filter it in small"
    );
}

/// SPEC §3.1: record literals, conditionals, slices and comparisons that
/// cannot mean what was written are found before anything runs.
#[test]
fn record_shaping_mistakes() {
    check!(
        "record_duplicate_key",
        "from [{\"user\": {\"id\": 1}}] | map {user: .user, \"n\": 1, .user.id, id: 2}"
    );
    check!(
        "if_condition_not_bool",
        "range 5 | map if it % 2 then \"odd\" else \"even\""
    );
    check!(
        "incomparable_str_with_int",
        "from [\"GET / 200\"] | filter split(it)[2] == 200"
    );
    check!(
        "incomparable_bool_with_str",
        "range 5 | map (it > 2) == \"true\""
    );
    check!("incomparable_ordering", "range 5 | filter str(it) < 3");
    check!(
        "incomparable_in_list",
        "range 5 | filter it in [\"1\", \"2\"]"
    );
    check!("slice_bound_not_int", "from [\"abc\"] | map it[\"a\":]");
    check!("slice_with_a_step", "from [\"abc\"] | map it[::2]");
    check!(
        "option_value_conditional",
        "range 5 | topk 2 by=if it > 2 then 0 else it"
    );
    check!("unclosed_record", "range 5 | map {a: it,\n");
}

#[test]
fn bad_paths_point_at_the_path() {
    check!("bad_glob", "read_text \"data/books/[a-z.txt\" | count");
    check!(
        "directory_is_not_a_file",
        "read_text \"data/books\" | count"
    );
}

/// No input files, for [`run!`].
const NO_FILES: &[(&str, &[u8])] = &[];

/// JSON Lines where one `user` is a number and one `bytes` a string.
const EVENTS: &[(&str, &[u8])] = &[(
    "events.jsonl",
    b"{\"user\": \"ann\", \"bytes\": 120}\n{\"user\": 42, \"bytes\": \"12kB\"}\n",
)];

/// Runs `src` as `script.flow` with the built binary, in a fresh directory
/// holding `files` (path, bytes); snapshots exit code, stdout and stderr.
macro_rules! run {
    ($name:literal, $files:expr, $src:expr) => {{
        let src: &str = $src;
        let ran = common::run_script($files, src);
        insta::with_settings!({ omit_expression => true, description => src }, {
            insta::assert_snapshot!($name, ran.transcript());
        });
    }};
}

/// `read_csv`: the header of the first file is read at check time, so its
/// field names and `types=` are checked before the run (exit 2).
#[test]
fn csv_fields_are_checked_against_the_header() {
    const PEOPLE: &[(&str, &[u8])] = &[("people.csv", b"name,age\nann,31\nbob,x\n")];
    run!(
        "csv_unknown_field",
        PEOPLE,
        "read_csv \"people.csv\" | map .nmae"
    );
    run!(
        "csv_types_unknown_field",
        PEOPLE,
        "read_csv \"people.csv\" types={agee: int}"
    );
    run!(
        "csv_types_bad_type",
        PEOPLE,
        "read_csv \"people.csv\" types={age: integer}"
    );
    run!(
        "csv_types_duplicate_field",
        PEOPLE,
        "read_csv \"people.csv\" types={age: int, age: float}"
    );
    run!(
        "csv_types_not_a_record",
        PEOPLE,
        "read_csv \"people.csv\" types=\"int\""
    );
    run!(
        "csv_value_does_not_convert",
        PEOPLE,
        "read_csv \"people.csv\" types={age: int} | count"
    );
    check!(
        "write_csv_of_strings",
        "from [\"a\"] | write_csv \"out.csv\""
    );
}

#[test]
fn bad_input_data_points_at_the_source() {
    run!(
        "invalid_utf8",
        &[("names.txt", b"caf\xc3\xa9\ncaf\xe9\n")],
        "read_text \"names.txt\" | count"
    );
    run!(
        "bad_json_line",
        &[(
            "events.jsonl",
            b"{\"user\": \"ann\"}\n{\"user\": \"bob\",}\n"
        )],
        "read_json \"events.jsonl\" | count"
    );
    run!(
        "bad_csv_row",
        &[("people.csv", b"name,age\nann,31\nbob\n")],
        "read_csv \"people.csv\" | count"
    );
    run!(
        "csv_unterminated_quote",
        &[(
            "people.csv",
            b"name,note\nann,\"fine\"\nbob,\"never closed\ncid,x\ndee,y\n"
        )],
        "read_csv \"people.csv\" | count"
    );
    // The same file gzipped: the quote is found as the rows stream past,
    // not by reading the file again.
    let gz = {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"name,note\nann,\"fine\"\nbob,\"never closed\ncid,x\ndee,y\n")
            .unwrap();
        enc.finish().unwrap()
    };
    run!(
        "csv_gz_unterminated_quote",
        &[("people.csv.gz", gz.as_slice())],
        "read_csv \"people.csv.gz\" | count"
    );
    run!(
        "gzip_text_corrupt",
        &[("logs.txt.gz", b"plain text, not gzip\n")],
        "read_text \"logs.txt.gz\" | count"
    );
    run!(
        "gzip_csv_corrupt",
        &[("people.csv.gz", b"plain text, not gzip\n")],
        "read_csv \"people.csv.gz\" | count"
    );
}

#[test]
fn bad_elements_point_at_the_stage() {
    run!(
        "element_type",
        EVENTS,
        "read_json \"events.jsonl\" | map .user | lower"
    );
    run!(
        "expression_division_by_zero",
        NO_FILES,
        "range 5 | map 100 / it"
    );
    run!(
        "missing_key",
        EVENTS,
        "read_json \"events.jsonl\" | pluck \"path\" | count"
    );
    run!(
        "parse_json_bad_line",
        &[("events.log", b"{\"user\": \"ann\"}\nuser=bob\n")],
        "read_text \"events.log\" | parse_json | count"
    );
    run!(
        "missing_field_outside_coalesce",
        EVENTS,
        "read_json \"events.jsonl\" | map {u: .user ?? \"-\", c: .country}"
    );
    run!(
        "if_condition_not_bool_at_run_time",
        EVENTS,
        "read_json \"events.jsonl\" | map if .user then 1 else 0"
    );
    run!(
        "coalesce_keeps_other_errors",
        EVENTS,
        "read_json \"events.jsonl\" | map int(.user) ?? 0"
    );
    run!(
        "aggregate_not_a_number",
        EVENTS,
        "read_json \"events.jsonl\" | map .bytes | sum"
    );
    run!(
        "parse_time_no_match",
        NO_FILES,
        "from [\"2024-05-06\", \"6 May 2024\"] | map parse_time(it, \"%Y-%m-%d\")"
    );
    run!(
        "aggregate_overflow",
        NO_FILES,
        "from [9223372036854775807, 1] | sum"
    );
}

#[test]
fn failed_write_points_at_the_target() {
    run!(
        "write_target_is_a_directory",
        &[("out.txt/", b"")],
        "from [\"a\", \"b\"] | write_text \"out.txt\""
    );
    run!(
        "write_parent_is_a_file",
        &[("report", b"not a directory\n")],
        "from [\"a\", \"b\"] | write_text \"report/words.txt\""
    );
    run!(
        "write_csv_of_a_non_record",
        &[("e.jsonl", b"{\"a\": 1}\n[1, 2]\n")],
        "read_json \"e.jsonl\" | write_csv \"out.csv\""
    );
    run!(
        "write_csv_key_that_is_not_a_column",
        &[("e.jsonl", b"{\"a\": {\"b\": 1}}\n{\"a\": {\"c\": 2}}\n")],
        "read_json \"e.jsonl\" | write_csv \"out.csv\""
    );
}

/// `--engine dask` when Python cannot run the program: no interpreter, no
/// Dask, a program that fails in Python. (Stand-in interpreters keep these
/// independent of what the machine has installed.)
#[test]
fn dask_engine_that_cannot_run() {
    use std::os::unix::fs::PermissionsExt;
    let dir = good_script();
    let fake = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p.display().to_string()
    };
    let no_dask = fake(
        "no-dask",
        "echo \"ModuleNotFoundError: No module named 'dask'\" >&2; exit 1",
    );
    let crashes = fake(
        "crashes",
        "echo 'Traceback (most recent call last):' >&2; echo 'ValueError: boom' >&2; exit 1",
    );
    for (name, python) in [
        ("engine_no_python", "/nonexistent/python3".to_string()),
        ("engine_no_dask", no_dask),
        ("engine_python_failed", crashes),
    ] {
        let mut cmd = common::flow_command(dir.path(), &["script.flow", "--engine", "dask"]);
        cmd.env("FLOW_PYTHON", &python);
        let ran = common::ran(&mut cmd);
        // The stand-ins live in a temporary directory: shown by name.
        let shown = python
            .strip_prefix(&format!("{}/", dir.path().display()))
            .unwrap_or(&python)
            .to_string();
        cli(
            name,
            &format!("FLOW_PYTHON={shown} flow script.flow --engine dask"),
            &ran,
        );
    }
}

/// An expression that cannot be given flow's meaning in Python is not
/// exported as different code: a diagnostic at the expression, exit 2.
#[test]
fn export_of_what_python_cannot_mean() {
    let dir = common::scratch(&[(
        "script.flow",
        b"read_text \"notes.txt\" | filter matches(it, \"\\\\p{Greek}+\")\n",
    )]);
    let ran = common::ran(&mut common::flow_command(
        dir.path(),
        &["export", "--target", "dask", "script.flow"],
    ));
    cli(
        "export_unsupported",
        "flow export --target dask script.flow",
        &ran,
    );
}

/// Snapshots what the binary did, described by the command line.
fn cli(name: &str, command: &str, ran: &common::Ran) {
    insta::with_settings!({ omit_expression => true, description => command }, {
        insta::assert_snapshot!(name, ran.transcript());
    });
}

/// A directory holding `script.flow`, a script that runs fine.
fn good_script() -> tempfile::TempDir {
    common::scratch(&[("script.flow", b"range 3 | count\n")])
}

#[test]
fn command_line_mistakes() {
    let dir = good_script();
    let flow = |args: &[&str]| common::ran(&mut common::flow_command(dir.path(), args));
    cli("cli_no_script", "flow check", &flow(&["check"]));
    cli(
        "cli_script_unreadable",
        "flow missing.flow",
        &flow(&["missing.flow"]),
    );
    cli(
        "cli_bad_set",
        "flow script.flow --set limit",
        &flow(&["script.flow", "--set", "limit"]),
    );
    cli(
        "cli_set_twice",
        "flow script.flow --set limit=1 --set limit=2",
        &flow(&["script.flow", "--set", "limit=1", "--set", "limit=2"]),
    );
    cli(
        "cli_threads_zero",
        "flow script.flow --threads 0",
        &flow(&["script.flow", "--threads", "0"]),
    );
    cli(
        "cli_threads_too_many",
        "flow script.flow --threads 40000",
        &flow(&["script.flow", "--threads", "40000"]),
    );
    cli(
        "cli_bad_format",
        "flow script.flow --format yaml",
        &flow(&["script.flow", "--format", "yaml"]),
    );
    cli(
        "cli_bad_profile",
        "flow script.flow --profile=xml",
        &flow(&["script.flow", "--profile=xml"]),
    );
    cli(
        "cli_bad_visualize",
        "flow script.flow --visualize=png",
        &flow(&["script.flow", "--visualize=png"]),
    );
    cli(
        "cli_profile_with_dask_engine",
        "flow script.flow --engine dask --profile",
        &flow(&["script.flow", "--engine", "dask", "--profile"]),
    );
    cli(
        "cli_bad_dashboard",
        "flow script.flow --dashboard=nowhere",
        &flow(&["script.flow", "--dashboard=nowhere"]),
    );
    cli(
        "cli_dashboard_with_check",
        "flow check script.flow --dashboard",
        &flow(&["check", "script.flow", "--dashboard"]),
    );
    cli(
        "cli_report_with_dask_engine",
        "flow script.flow --engine dask --report r.html",
        &flow(&["script.flow", "--engine", "dask", "--report", "r.html"]),
    );
    // TEST-NET-1 (RFC 5737): an address no machine of ours has.
    cli(
        "cli_dashboard_cannot_bind",
        "flow script.flow --dashboard=192.0.2.1:8787",
        &flow(&["script.flow", "--dashboard=192.0.2.1:8787"]),
    );
    cli(
        "cli_report_unwritable",
        "flow script.flow --report no/such/dir/r.html",
        &flow(&["script.flow", "--report", "no/such/dir/r.html"]),
    );
    cli(
        "cli_bad_engine",
        "flow script.flow --engine spark",
        &flow(&["script.flow", "--engine", "spark"]),
    );
    cli(
        "cli_export_unknown_target",
        "flow export --target spark script.flow",
        &flow(&["export", "--target", "spark", "script.flow"]),
    );
    cli(
        "cli_repl_bad_format",
        "flow repl --format yaml",
        &flow(&["repl", "--format", "yaml"]),
    );
    // Standard input that cannot be read (a directory) ends the REPL with a diagnostic.
    let mut repl = common::flow_command(dir.path(), &["repl"]);
    repl.env("FLOW_HISTORY", dir.path().join("history"))
        .stdin(std::fs::File::open(dir.path()).expect("a directory opens for reading"));
    cli(
        "repl_unreadable_input",
        "flow repl < DIRECTORY",
        &common::ran(&mut repl),
    );
}

#[test]
fn script_that_is_not_utf8() {
    let dir = common::scratch(&[("script.flow", b"range 3 | count\n# caf\xe9\n")]);
    cli(
        "cli_script_not_utf8",
        "flow script.flow",
        &common::ran(&mut common::flow_command(dir.path(), &["script.flow"])),
    );
    cli(
        "cli_stdin_script_not_utf8",
        "flow < script.flow",
        &common::ran_with_stdin(
            &mut common::flow_command(dir.path(), &[]),
            b"range 3 | count\n# caf\xe9\n",
        ),
    );
}

#[test]
fn script_on_standard_input() {
    let dir = good_script();
    cli(
        "cli_piped_visualize",
        "flow --visualize < script.flow",
        &common::ran_with_stdin(
            &mut common::flow_command(dir.path(), &["--visualize"]),
            b"range 3 | count\n",
        ),
    );
    // A directory opens, but reading it fails.
    let stdin = std::fs::File::open(dir.path()).expect("open a directory");
    cli(
        "cli_stdin_unreadable",
        "flow < DIRECTORY",
        &common::ran(common::flow_command(dir.path(), &[]).stdin(stdin)),
    );
    cli(
        "stdin_invalid_utf8",
        "flow -e 'stdin | count' < names.txt",
        &common::ran_with_stdin(
            &mut common::flow_command(dir.path(), &["-e", "stdin | count"]),
            b"caf\xc3\xa9\ncaf\xe9\n",
        ),
    );
}

#[cfg(target_os = "linux")]
#[test]
fn output_that_cannot_be_written() {
    let dir = good_script();
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipping: no /dev/full");
        return;
    };
    cli(
        "cli_stdout_full",
        "flow script.flow > /dev/full",
        &common::ran(common::flow_command(dir.path(), &["script.flow"]).stdout(full)),
    );
}

#[cfg(target_os = "linux")]
#[test]
fn worker_threads_that_cannot_start() {
    // As in a memory-limited container: 1024 workers' stacks (64 MiB of
    // address space each) do not fit in the 1 GB the process may use.
    let dir = good_script();
    let flow = env!("CARGO_BIN_EXE_flow");
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", "ulimit -v 1000000 && exec \"$0\" \"$@\"", flow])
        .args(["script.flow", "--threads", "1024"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null());
    cli(
        "threads_cannot_start",
        "ulimit -v 1000000; flow script.flow --threads 1024",
        &common::ran(&mut cmd),
    );
}

#[test]
fn repl_meta_command_mistakes() {
    snap("repl_unknown_command", &common::repl(&[":typ words", ":"]));
    snap(
        "repl_usage",
        &common::repl(&[":type", ":ops all", ":type let n = 3"]),
    );
    snap(
        "repl_unknown_topic",
        &common::repl(&[":help lowr", ":help zzzzzz"]),
    );
    snap("repl_unknown_setting", &common::repl(&[":set thread 4"]));
    snap(
        "repl_bad_setting",
        &common::repl(&[":set threads 0", ":set format yaml"]),
    );
    snap(
        "repl_load_missing_file",
        &common::repl(&[":load missing.flow"]),
    );
}

#[test]
fn repl_asks_for_what_is_not_there() {
    snap(
        "repl_viz_bad_format",
        &common::repl(&["let words = range 3", ":viz words png"]),
    );
    snap(
        "repl_viz_unbound",
        &common::repl(&["let words = range 3", ":viz wrds"]),
    );
    snap("repl_nothing_run", &common::repl(&[":viz", ":explain"]));
    snap(
        "repl_viz_write",
        &common::repl(&[
            "let words = range 3",
            ":viz words svg no/such/dir/words.svg",
        ]),
    );
    snap("repl_nothing_to_continue", &common::repl(&["| map it * 2"]));
}

/// Codes that no input can make the binary or the library show, each with
/// why. Keep this list as short as the code allows.
const NEVER_SHOWN: &[&str] = &[
    // Only a cancelled run makes it, and only the REPL cancels a run (Ctrl-C
    // sets the flag; the command line installs no handler, so SIGINT just
    // ends the process). The REPL prints a bare `cancelled` instead of
    // rendering the diagnostic, so its code never reaches the user.
    "flow::exec::cancelled",
    // A run whose stdout reader went away (`flow … | head -1`) stops with
    // it, and the command line exits 0 without a word, as a pipe expects
    // (tests/cli.rs checks that).
    "flow::io::stdout_closed",
];

/// The `flow::PHASE::NAME` code at the start of `text`, if one is there.
fn code_at(text: &str) -> Option<&str> {
    let len = text
        .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':'))
        .unwrap_or(text.len());
    let code = text[..len].trim_end_matches(':');
    let parts: Vec<&str> = code.split("::").collect();
    (parts.len() == 3 && parts[0] == "flow" && parts.iter().all(|p| !p.is_empty())).then_some(code)
}

/// Every code written as a string literal `"flow::PHASE::NAME"` in `src`.
fn code_literals(src: &str) -> Vec<String> {
    src.match_indices("\"flow::")
        .filter_map(|(i, _)| {
            let rest = &src[i + 1..];
            let code = code_at(rest)?;
            rest[code.len()..]
                .starts_with('"')
                .then(|| code.to_string())
        })
        .collect()
}

/// Every code shown in a rendered snapshot (not part of a longer word).
fn codes_shown(text: &str) -> Vec<String> {
    text.match_indices("flow::")
        .filter(|(i, _)| {
            !text[..*i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
        })
        .filter_map(|(i, _)| code_at(&text[i..]).map(str::to_string))
        .collect()
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a readable entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_diagnostic_code_has_a_snapshot() {
    use std::collections::BTreeSet;
    let root = common::root();
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let codes: BTreeSet<String> = files
        .iter()
        .flat_map(|f| code_literals(&std::fs::read_to_string(f).expect("UTF-8 source")))
        .collect();
    // The scan itself works: it finds the codes this file's own tests show.
    assert!(
        codes.contains("flow::plan::unknown_operator") && codes.len() > 50,
        "the scan of src/ found only {codes:?}"
    );
    let shown: BTreeSet<String> = std::fs::read_dir(root.join("tests/snapshots"))
        .expect("tests/snapshots/ exists")
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "snap"))
        .flat_map(|p| codes_shown(&std::fs::read_to_string(&p).expect("UTF-8 snapshot")))
        .collect();
    let missing: Vec<&str> = codes
        .iter()
        .map(String::as_str)
        .filter(|c| !shown.contains(*c) && !NEVER_SHOWN.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} diagnostic codes in src/ appear in no snapshot under tests/snapshots/ \
         (add a case to tests/diagnostics.rs):\n  {}",
        missing.len(),
        codes.len(),
        missing.join("\n  ")
    );
    // The allow-list stays honest: only codes that exist and are never shown.
    for c in NEVER_SHOWN {
        assert!(
            codes.contains(*c),
            "{c} is allow-listed but no longer in src/"
        );
        assert!(
            !shown.contains(*c),
            "{c} is allow-listed but a snapshot shows it"
        );
    }
}

#[test]
fn other_tools_words_suggest_the_flow_spelling() {
    check!("alias_operator_head", "range 10 | head 3");
    check!("alias_operator_uniq", "from [\"a\", \"a\"] | uniq");
    check!("alias_operator_where", "range 10 | where it > 3");
    check!("alias_function_length", "from [\"ab\"] | map length(it)");
    check!(
        "alias_function_gsub",
        "from [\"ab\"] | map gsub(it, \"a\", \"b\")"
    );
}

#[test]
fn other_languages_symbols_get_a_help_line() {
    check!("syntax_single_equals", "range 10 | filter it = 3");
    check!(
        "syntax_double_ampersand",
        "range 10 | filter it > 1 && it < 5"
    );
    check!("syntax_double_bar", "range 10 | filter it < 1 || it > 5");
    check!("syntax_bang_for_not", "from [true] | filter !it");
    check!("syntax_single_quotes", "from ['a', 'b']");
}

#[test]
fn join_and_concat_arguments() {
    check!("pipeline_argument", "range 3 | map (range 2 | count)");
    check!(
        "join_other_not_a_collection",
        "let k = 3\nrange 3 | join k on=it"
    );
    check!(
        "join_bad_how",
        "range 3 | join (range 2) on=it how=\"outer\""
    );
    check!("join_without_on", "range 3 | join (range 2)");
    check!("join_without_input", "join (range 2) on=it");
    check!(
        "join_other_on_typed_against_other",
        "from [\"a\"] | join (range 2) on=len other_on=upper"
    );
    check!(
        "join_on_that_does_not_fit_other",
        "from [\"a\"] | join (range 2) on=len"
    );
    check!(
        "join_other_is_a_scalar",
        "range 3 | join (range 2 | count) on=it"
    );
    check!(
        "concat_of_a_sink",
        "concat (range 2 | map str(it) | write_text \"o.txt\") (range 1)"
    );
}

#[test]
fn join_keys_that_fail_name_the_stage() {
    run!(
        "join_missing_key",
        NO_FILES,
        "from [\"{\\\"a\\\": 1}\", \"{\\\"b\\\": 2}\"] | parse_json | join (range 3) on=.a other_on=it | count"
    );
}
