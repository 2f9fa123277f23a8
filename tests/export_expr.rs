//! `export::expr`: every expression, written as Python, computes what
//! flow computes. Each case is `map EXPR` over some inputs: flow runs it
//! (through the library, as the command line does), and the Python from
//! `export::expr::py` runs over the same values with the helpers it asked
//! for; the results (as flow's JSON) or the errors (code and message) must
//! be identical. Typed inputs come from `from [..]` (so the static types
//! are exact and the plain-Python paths are taken), untyped ones from
//! `read_json` (`any`: the helpers' run-time checks).
//!
//! Needs `python3` (3.11, the version whose Unicode tables flow's string
//! functions follow); without it the tests say so on stderr and pass.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use flow::export::expr::py;
use flow::export::prelude::{sections, Helpers};
use flow::ops::expr::{TExpr, TKind};
use flow::ops::Arg;
use flow::syntax::ast::Span;
use flow::types::Type;
use flow::value::{Record, Value};

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

/// Where a case's elements come from.
#[derive(Clone, Copy)]
enum Src {
    /// Each item a flow literal, run alone as `from [ITEM]`: its exact type.
    Typed(&'static [&'static str]),
    /// Each item a JSON line, read by `read_json`: type `any`.
    Json(&'static [&'static str]),
    /// Each item a pipeline giving one element.
    Heads(&'static [&'static str]),
}

/// Records whose fields the checker knows.
const KNOWN: Src = Src::Heads(&[
    "from [\"a\"] | frequencies",
    "from [2.5] | frequencies",
    "from [7] | groupby (it % 2) count",
    "from [[1], [1]] | frequencies",
]);

const INTS: Src = Src::Typed(&[
    "0",
    "1",
    "-7",
    "42",
    "9223372036854775807",
    "-9223372036854775807",
]);
const FLOATS: Src = Src::Typed(&[
    "0.0", "-0.0", "2.5", "-3.75", "0.1", "1e300", "1e-7", "1e999", "-1e999", "1e16", "3.5", "-2.5",
]);
const STRS: Src = Src::Typed(&[
    r#""""#,
    r#""a""#,
    r#""Hello World""#,
    r#""  spaced\t""#,
    r#""ß""#,
    r#""İstanbul""#,
    r#""a,b,,c""#,
    r#""12""#,
    r#"" 42 ""#,
    r#""x1""#,
    r#""1_000""#,
    r#""٣""#,
    r#""3.5""#,
    r#""-1e400""#,
    r#""nan""#,
    r#""-inf""#,
    r#"".""#,
    r#""""#,
    r#""it's""#,
    r#""say \"hi\"""#,
    r#""a\u{1c}b""#,
    r#""tab\tnew\nline\u{85}""#,
    r#""ΟΔΟΣ""#,
    r#""99999999999999999999""#,
]);
const BOOLS: Src = Src::Typed(&["true", "false"]);
const NULLS: Src = Src::Typed(&["null"]);
const LISTS: Src = Src::Typed(&[
    "[1, 2, 3]",
    "[]",
    "[-1]",
    r#"["a", "b"]"#,
    "[[1, 2], [3]]",
    "[1.5, 2.5]",
    "[true, false]",
]);
/// The lists whose items an int can equal.
const NUM_LISTS: Src = Src::Typed(&["[1, 2, 3]", "[]", "[-1]", "[1.5, 2.5]", "[true, false]"]);
/// Values of every type, for `any`.
const ANY: Src = Src::Json(&[
    "1",
    "-3",
    "0",
    "2.5",
    "0.0",
    "-0.0",
    "\"abc\"",
    "\"\"",
    "\" 7 \"",
    "\"2.5e3\"",
    "true",
    "false",
    "null",
    "[1, 2, \"a\"]",
    "[]",
    "[1.0, true, null]",
    "{\"a\": 1, \"b\": \"x\"}",
    "{}",
    "9223372036854775807",
    "-9223372036854775808",
    "1e308",
    "18446744073709551616",
    "\"it's \\\"q\\\"\\u0001\\u0085\\u00a0\"",
]);
/// Records and a few things that are not.
const RECS: Src = Src::Json(&[
    "{\"a\": 1, \"b\": \"x\", \"c\": [1, 2], \"d\": {\"e\": null}}",
    "{\"a\": 2.5, \"b\": \"y\"}",
    "{\"b\": \"only b\"}",
    "{\"a\": \"s\", \"b\": \"\"}",
    "[1]",
    "\"s\"",
    "null",
    "{\"a\": \"a long value, long enough to be cut in the message: 0123456789\"}",
]);
/// Pairs `[l, r]` of values of every combination of types, for binary operators on `any`.
const PAIRS: Src = Src::Json(&[
    "[1, 2]",
    "[7, -3]",
    "[-7, 3]",
    "[-7, -3]",
    "[1, 2.5]",
    "[7.5, -2]",
    "[-7.5, 2]",
    "[1, 0]",
    "[1.5, 0]",
    "[0, 0.0]",
    "[1, -0.0]",
    "[1, 1.0]",
    "[\"a\", \"b\"]",
    "[\"ab\", \"\"]",
    "[\"b\", \"abc\"]",
    "[\"a\", 1]",
    "[1, \"a\"]",
    "[\"ab\", 3]",
    "[3, \"ab\"]",
    "[\"ab\", -1]",
    "[\"ab\", true]",
    "[true, 1]",
    "[true, 0]",
    "[false, true]",
    "[true, true]",
    "[true, 2.5]",
    "[null, null]",
    "[null, 1]",
    "[[1], [2]]",
    "[[1, 2], [1]]",
    "[[1], [\"a\"]]",
    "[[1, \"a\"], [1, \"b\"]]",
    "[[1], [1.0]]",
    "[[true], [1]]",
    "[[1, 2], 2]",
    "[2, [1, 2]]",
    "[[1, 2], -1]",
    "[{\"a\": 1}, {\"a\": 1}]",
    "[{\"a\": 1, \"b\": 2}, {\"b\": 2, \"a\": 1}]",
    "[\"a\", {\"a\": 1}]",
    "[1, {\"1\": 1}]",
    "[[1], {\"a\": 1}]",
    "[1, [1.0, 2]]",
    "[true, [1]]",
    "[\"b\", \"abc\"]",
    "[9223372036854775807, 1]",
    "[-9223372036854775807, -2]",
    "[4611686018427387904, 2]",
    "[-9223372036854775808, -1]",
    "[1e308, 1e308]",
    "[9007199254740993, 3]",
    "[\"x\", 3]",
    "[\"\", 1000000000000]",
    "[\"ab\", 600000000]",
    "[[1, 2], 100000000]",
]);
/// Strings for regular expressions.
const RSTRS: Src = Src::Typed(&[
    r#""""#,
    r#""abc""#,
    r#""ABC""#,
    r#""a\nb""#,
    r#""abc\n""#,
    r#""I""#,
    r#""ı""#,
    r#""i""#,
    r#""café""#,
    r#""cafe\u{301}""#,
    r#""नमस्ते दुनिया""#,
    r#""x² y½""#,
    r#""foo_bar baz""#,
    r#""a.b-c""#,
    r#""K""#,
    r#""\u{212a}""#,
    r#""ſ""#,
    r#""ß""#,
    r#""12ab""#,
    r#""\t\u{1c}\u{a0}""#,
    r#""]-[""#,
    r#""Aé😀""#,
]);

/// Strings for `parse_time`: matching, not matching, invalid dates.
const TSTRS: Src = Src::Typed(&[
    r#""10/Oct/2000:13:55:36 -0700""#,
    r#""10/oct/2000:13:55:36 +01:30""#,
    r#""1/JAN/1999:00:00:00 Z""#,
    r#""31/Feb/2024:00:00:00 +0000""#,
    r#""10/Oct/2000:13:55:36""#,
    r#""10/Oct/2000:13:55:60 +0000""#,
    r#""10/Oct/2000:13:55:36 +2400""#,
    r#""10/Oct/2000:13:55:36 +01:0030""#,
    r#""10/Oct/2000 13:55:36 +0000""#,
    r#""٢/Oct/2000:13:55:36 +0000""#,
    r#""""#,
    r#""2024-05-06 07:08:09.5""#,
    r#""2024-05-06  7:08:09.123456""#,
    r#""2024-366""#,
    r#""69-001""#,
    r#""12 AM Monday""#,
    r#""12 pm sunday""#,
    r#""29 2""#,
    r#""ǅ""#,
]);
/// Epoch seconds for `format_time`.
const EPOCHS: Src = Src::Typed(&[
    "0",
    "971211336",
    "-1",
    "1.5",
    "-1.25",
    "0.0000005",
    "-0.0000015",
    "1e-7",
    "253402300799",
    "253402300800",
    "-62135596800",
    "-62135596801",
    "1700000000.999999",
    "1e300",
    "9223372036854775807",
]);

// ---------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------

/// (expression, inputs)
fn cases() -> Vec<(&'static str, Src)> {
    let mut c: Vec<(&'static str, Src)> = vec![
        // Constants and `it`.
        ("it", INTS),
        ("it", FLOATS),
        ("it", STRS),
        ("it", ANY),
        ("null", NULLS),
        ("[1, \"a\", [true, null], 2.5, -0.0, 1e999]", INTS),
        ("\"quote ' and \\\" and \\\\ and \\u{0} \\u{2028} é\"", INTS),
        ("1KiB", INTS),
        ("[it, it * 2, [it]]", INTS),
        ("[it, 1]", ANY),
        // Fields and indexes.
        (".a", RECS),
        (".d.e", RECS),
        ("it[\"b\"]", RECS),
        ("it[0]", LISTS),
        ("it[-1]", LISTS),
        ("it[2]", LISTS),
        ("it[-4]", LISTS),
        ("it[0]", STRS),
        ("it[-1]", STRS),
        ("it[it[0]]", PAIRS),
        ("it[1][0]", PAIRS),
        ("it[0][it[1]]", PAIRS),
        ("it[\"a\"]", ANY),
        ("it[0]", ANY),
        ("it", KNOWN),
        (
            "[.count, it[\"count\"], len(it), \"count\" in it, contains(it, \"x\")]",
            KNOWN,
        ),
        ("str(it)", KNOWN),
        ("it == it", KNOWN),
        // Unary operators.
        ("-it", INTS),
        ("-it", FLOATS),
        ("-it", ANY),
        ("-(-9223372036854775807 - 1)", INTS),
        ("- -it", INTS),
        ("-2.5", INTS),
        ("not it", BOOLS),
        ("not it", ANY),
        ("not (it > 1)", INTS),
        // Boolean operators: short-circuit, bool checks.
        ("it[0] and it[1]", PAIRS),
        ("it[0] or it[1]", PAIRS),
        ("it and 1 / 0 > 1", BOOLS),
        ("it or 1 / 0 > 1", BOOLS),
        ("it and it", ANY),
        ("true and it", ANY),
        ("false or it", ANY),
        ("it > 1 and it < 40 or it == 0", INTS),
        // Comparisons.
        ("it[0] == it[1]", PAIRS),
        ("it[0] != it[1]", PAIRS),
        ("it[0] < it[1]", PAIRS),
        ("it[0] <= it[1]", PAIRS),
        ("it[0] > it[1]", PAIRS),
        ("it[0] >= it[1]", PAIRS),
        ("it == 1", ANY),
        ("it == 1.0", INTS),
        ("it == 2.5", FLOATS),
        ("it != 0", FLOATS),
        ("it == \"a\"", STRS),
        ("it == [1, 2, 3]", LISTS),
        ("it == it", LISTS),
        ("it == true", BOOLS),
        ("it < \"b\"", STRS),
        ("it >= 1", INTS),
        ("it < 1", FLOATS),
        ("it < 9223372036854775807.0", INTS),
        ("it < true", BOOLS),
        ("it <= [2]", LISTS),
        ("it < [1, 2]", ANY),
        ("it < 1", ANY),
        ("null < null", INTS),
        ("float(\"nan\") == float(\"nan\")", INTS),
        ("float(\"nan\") != it", FLOATS),
        ("float(\"nan\") < it", FLOATS),
        ("it >= float(\"nan\")", INTS),
        ("[float(\"nan\")] < [it]", INTS),
        ("[it] < [float(\"nan\")]", FLOATS),
        ("[float(\"nan\")] == [float(\"nan\")]", INTS),
        ("[1, it] == [1.0, it]", INTS),
        ("[true] == [1]", INTS),
        ("it == [1.0, 2, 3]", LISTS),
        // `in` and `contains`.
        ("it[0] in it[1]", PAIRS),
        ("contains(it[0], it[1])", PAIRS),
        ("\"a\" in it", STRS),
        ("it in \"Hello World\"", STRS),
        // (`1 in ["a"]` is a check-time error: an int is never a str.)
        ("1 in it", NUM_LISTS),
        ("\"b\" in it", RECS),
        ("\"b\" in it", ANY),
        ("1 in it", ANY),
        ("it in [1, 2.0, true]", ANY),
        ("it in [1, 42]", INTS),
        ("contains(it, \"l\")", STRS),
        ("contains(it, 2)", LISTS),
        ("contains(it, \"a\")", RECS),
        ("contains(it, it[0])", LISTS),
        ("contains(.c, .a)", RECS),
        ("contains([1, 2], it)", ANY),
        // Record literals (SPEC §3.1).
        ("{n: it, s: str(it), \"two words\": [it, 1]}", INTS),
        ("{a: .a, .b}", RECS),
        ("{a: .a ?? \"none\", e: .d.e ?? 1, .b}", RECS),
        ("{k: it, it: 1}", ANY),
        ("{}", INTS),
        ("{a: it}.a", STRS),
        // `??`: B when A is null or missing, other errors pass.
        (".a ?? 0", RECS),
        (".d.e ?? \"x\"", RECS),
        (".c[5] ?? -1", RECS),
        (".c[-1] ?? -1", RECS),
        ("it[0] ?? 1", ANY),
        ("it[\"a\"] ?? it", ANY),
        ("it.a ?? 1", ANY),
        ("it[5] ?? \"none\"", LISTS),
        ("it[9] ?? it[-9] ?? 0", STRS),
        ("int(it) ?? 0", ANY),
        ("it[1:] ?? 0", ANY),
        ("(it ?? 1) + 1", INTS),
        ("null ?? it", INTS),
        ("it[0] ?? it[1] ?? 7", PAIRS),
        // Conditionals.
        ("if it > 1 then \"big\" else \"small\"", INTS),
        ("if it then 1 else 2", ANY),
        ("if it then it else 1 / 0", BOOLS),
        ("(if it == 0 then 1 else it) * 2", INTS),
        ("if it[0] == it[1] then [it] else it[0] ?? 0", PAIRS),
        ("if it[0] then it[1] else it[0]", PAIRS),
        // Slices (code points, clamped bounds) and negative indexes.
        ("it[1:3]", STRS),
        ("it[-3:]", STRS),
        ("it[:2]", LISTS),
        ("it[-2:-1]", LISTS),
        ("it[:]", STRS),
        ("it[5:1]", STRS),
        ("it[-100:100]", LISTS),
        ("it[1:]", ANY),
        ("it[:-1]", ANY),
        ("it[0][it[1]:]", PAIRS),
        ("it[0][:it[1]]", PAIRS),
        ("it[it[0]:it[1]]", PAIRS),
        (".b[1:] ++ .b[:1]", RECS),
        // Arithmetic.
        ("it[0] + it[1]", PAIRS),
        ("it[0] ++ it[1]", PAIRS),
        ("it[0] - it[1]", PAIRS),
        ("it[0] * it[1]", PAIRS),
        ("it[0] / it[1]", PAIRS),
        ("it[0] % it[1]", PAIRS),
        ("it + 1", INTS),
        ("it - 1", INTS),
        ("it * 3", INTS),
        ("it * it", INTS),
        ("it + 0.5", INTS),
        ("it + true", INTS),
        ("true + true", INTS),
        ("it + it", FLOATS),
        ("it - 0.25", FLOATS),
        ("it * 1e10", FLOATS),
        ("it / 2", INTS),
        ("it / 3", INTS),
        ("it / it", INTS),
        ("it / 0.0", FLOATS),
        ("it / -4.0", FLOATS),
        ("it / 7", FLOATS),
        ("it % 3", INTS),
        ("it % -3", INTS),
        ("it % 0", INTS),
        ("it % it", INTS),
        ("it % 2.5", FLOATS),
        ("it % -1.5", INTS),
        ("it % 1e999", FLOATS),
        ("-it % 1e999", FLOATS),
        ("it % it", FLOATS),
        ("it ++ \"!\"", STRS),
        ("it + it", STRS),
        ("it * 2", STRS),
        ("-1 * it", STRS),
        ("it ++ [0]", LISTS),
        ("it + it", LISTS),
        ("it * 2", LISTS),
        ("2 * it", LISTS),
        ("it + 1", ANY),
        ("it * 2", ANY),
        ("it ++ it", ANY),
        ("1 - it", ANY),
        ("10 / it", ANY),
        ("it % 2", ANY),
        ("2 + 3 * it - (it - 1) * 2", INTS),
        ("(it + 1) * (it - 1)", FLOATS),
        ("it * it * it", FLOATS),
        ("1 / 3 + it", FLOATS),
        // Functions.
        ("len(it)", STRS),
        ("len(it)", LISTS),
        ("len(it)", RECS),
        ("len(it)", ANY),
        ("len", STRS),
        ("lower(it)", STRS),
        ("upper(it)", STRS),
        ("lower(it)", ANY),
        ("upper", ANY),
        ("strip(it)", STRS),
        ("strip(it, \" a\")", STRS),
        ("strip(it, it)", STRS),
        ("strip(it)", ANY),
        ("strip(\"xxhixx\", it)", ANY),
        ("strip(it, \"1\")", ANY),
        ("split(it)", STRS),
        ("split(it, \",\")", STRS),
        ("split(it, it)", STRS),
        ("split(it, \"\" ++ it)", STRS),
        ("split(it)", ANY),
        ("split(\"a b\", it)", ANY),
        ("split(\"a,b\", [\",\"][it[0] % 1])", PAIRS),
        ("replace(it, \"l\", \"L\")", STRS),
        ("replace(it, \"\", \"-\")", STRS),
        ("replace(it, it, \"x\")", STRS),
        ("replace(it, \"a\", \"b\")", ANY),
        ("replace(\"aba\", it, \"c\")", ANY),
        ("replace(\"aba\", \"a\", it)", ANY),
        ("starts_with(it, \"H\")", STRS),
        ("starts_with(\"H\")", STRS),
        ("ends_with(it, \"d\")", STRS),
        ("starts_with(it, \"a\")", ANY),
        ("ends_with(\"abc\", it)", ANY),
        ("starts_with(it[0], it[1])", PAIRS),
        ("ends_with(it[0], it[1])", PAIRS),
        ("not_delim(it)", STRS),
        ("not_delim", ANY),
        (
            "not_delim(it)",
            Src::Typed(&[
                "\".\"", "\",\"", "\"'\"", "\"\\\"\"", "\"`\"", "\"ab\"", "\"_\"", "\"..\"",
                "\"&\"",
            ]),
        ),
        ("int(it)", STRS),
        ("int(it)", FLOATS),
        ("int(it)", INTS),
        ("int(it)", BOOLS),
        ("int(it)", ANY),
        ("int(it * 1e18)", FLOATS),
        ("int(-9223372036854775808.0)", INTS),
        ("int(9223372036854775807.0)", INTS),
        ("int(float(\"nan\"))", INTS),
        ("float(it)", STRS),
        ("float(it)", INTS),
        ("float(it)", BOOLS),
        ("float(it)", FLOATS),
        ("float(it)", ANY),
        ("float(9007199254740993)", INTS),
        ("str(it)", INTS),
        ("str(it)", FLOATS),
        ("str(it)", STRS),
        ("str(it)", BOOLS),
        ("str(it)", NULLS),
        ("str(it)", LISTS),
        ("str(it)", ANY),
        ("str(it)", RECS),
        ("str(it / 3)", INTS),
        ("abs(it)", INTS),
        ("abs(it)", FLOATS),
        ("abs(it)", BOOLS),
        ("abs(it)", ANY),
        ("abs(-9223372036854775807 - 1)", INTS),
        ("round(it)", FLOATS),
        ("round(it)", INTS),
        ("round(it)", BOOLS),
        ("round(it)", ANY),
        ("round(it, 1)", FLOATS),
        ("round(it, 0)", FLOATS),
        ("round(it, -1)", FLOATS),
        ("round(it, -1)", INTS),
        ("round(it, -2)", INTS),
        ("round(it, -19)", INTS),
        ("round(it, -25)", INTS),
        ("round(it, 2)", INTS),
        ("round(it, 1)", BOOLS),
        ("round(it, 400)", FLOATS),
        ("round(it, -400)", FLOATS),
        ("round(it, -308)", FLOATS),
        ("round(it * 1.7, -308)", FLOATS),
        ("round(it, it)", INTS),
        ("round(it[0], it[1])", PAIRS),
        ("round(it, 2)", ANY),
        ("round(2.675, 2)", INTS),
        ("round(it + 0.5)", INTS),
        ("round(it * 1e300)", FLOATS),
        (
            "round(it, 1)",
            Src::Typed(&["0.05", "0.15", "0.25", "0.35", "2.675", "-0.45", "1.5e-300"]),
        ),
        // Many at once.
        ("len(split(lower(strip(it)))) * 2 + len(it)", STRS),
    ];
    // Regular expressions.
    for p in REGEXES {
        c.push((p, RSTRS));
    }
    c.push(("matches(it, \"a\")", ANY));
    c.push(("matches(it, \"^[a-c]+$\")", STRS));

    // The functions of SPEC §3.1.
    c.extend([
        ("lstrip(it)", STRS),
        ("rstrip(it)", STRS),
        ("lstrip(it, \"\\\" s\")", STRS),
        ("rstrip(it, it)", STRS),
        ("lstrip(it)", ANY),
        ("rstrip(\"xxhixx\", it)", ANY),
        ("find(it, \"l\")", STRS),
        ("find(it, \"\")", STRS),
        ("find(it, \"Σ\")", STRS),
        ("find(it, it)", STRS),
        ("find(it, \"a\")", ANY),
        ("find(it[0], it[1])", PAIRS),
        ("join(split(it), \"-\")", STRS),
        ("join(split(it), it)", STRS),
        (
            "join(it, \",\")",
            Src::Typed(&["[\"a\", \"b\"]", "[]", "[\"\"]"]),
        ),
        ("join(it, \",\")", ANY),
        ("join([\"a\", it], \"\")", ANY),
        ("join(it[0], it[1])", PAIRS),
        ("keys(it)", RECS),
        ("values(it)", RECS),
        ("keys(it)", KNOWN),
        ("values(it)", KNOWN),
        ("keys(it)", ANY),
        ("values(it)", ANY),
        ("type(it)", ANY),
        ("type(it)", RECS),
        ("type(it)", STRS),
        ("type(it / 2)", INTS),
        ("extract(it, \"a(b)?\")", RSTRS),
        ("extract(it, \"\\\\w+\")", RSTRS),
        ("extract(it, \"(\\\\w)(\\\\w)\", 2)", RSTRS),
        (
            "extract(it, \"(?P<first>\\\\w)(?<second>\\\\w)?\", \"second\")",
            RSTRS,
        ),
        ("extract(it, \"(\\\\w)\", 0)", RSTRS),
        ("extract(it, \"(?i)(b|ı)\")", RSTRS),
        ("extract(it, \"\\\\b(\\\\w+)$\")", RSTRS),
        (
            "extract(\"ab\", \"(\\\\w)(\\\\w)\", it)",
            Src::Typed(&["1", "2", "0", "3", "-1"]),
        ),
        (
            "extract(\"ab\", \"(?P<x>a)(b)\", it)",
            Src::Typed(&["\"x\"", "\"y\"", "1", "2"]),
        ),
        ("extract(\"ab\", \"(?P<x>a)(b)\", it)", ANY),
        ("extract(it, \"a\")", ANY),
        ("extract_all(it, \"\\\\w\")", RSTRS),
        ("extract_all(it, \"x*\")", RSTRS),
        ("extract_all(it, \"(a)|b\")", RSTRS),
        ("extract_all(it, \"[a-c]*\")", RSTRS),
        ("extract_all(it, \"\\\\b\")", RSTRS),
        ("extract_all(it, \"\")", RSTRS),
        ("extract_all(it, \"(?m)^\")", RSTRS),
        ("extract_all(it, \"\\\\d\")", ANY),
        ("captures(it, \"(?P<a>\\\\w)(?P<b>\\\\d)?\")", RSTRS),
        ("captures(it, \"(?P<nothing>z)\")", RSTRS),
        ("captures(it, \"(x)|(?P<w>\\\\w+)\")", RSTRS),
        ("captures(it, \"(?P<a>.)\")", ANY),
        ("sub(it, \"x*\", \"-\")", RSTRS),
        ("sub(it, \"\", \"|\")", RSTRS),
        ("sub(it, \"(\\\\w)(\\\\w)?\", \"<\\\\2\\\\1>\")", RSTRS),
        (
            "sub(it, \"(?P<c>[a-c])\", \"\\\\g<c>\\\\g<0>\\\\g<1>\")",
            RSTRS,
        ),
        (
            "sub(it, \"a|b\", \"\\\\n\\\\t\\\\\\\\\\\\&\\\\0\\\\101\")",
            RSTRS,
        ),
        ("sub(it, \"\\\\s+\", \" \")", RSTRS),
        ("sub(it, \"(?i)[a-z]+\", \"[\\\\g<0>]\")", RSTRS),
        ("sub(it, \"a\", \"b\")", ANY),
        ("parse_time(it, \"%d/%b/%Y:%H:%M:%S %z\")", TSTRS),
        ("parse_time(it, \"%Y-%m-%d %H:%M:%S.%f\")", TSTRS),
        ("parse_time(it, \"%Y-%j\")", TSTRS),
        ("parse_time(it, \"%y-%j\")", TSTRS),
        ("parse_time(it, \"%I %p %A\")", TSTRS),
        ("parse_time(it, \"%d %m\")", TSTRS),
        ("parse_time(it, \"%d/%B/%Y:%H:%M:%S %z\")", TSTRS),
        ("parse_time(it, \"%Y\")", ANY),
        (
            "parse_time(\"2000\", it)",
            Src::Typed(&["\"%Y\"", "\"%Q\"", "\"%Y%\"", "\"%y%y\"", "\"%%%Y\""]),
        ),
        (
            "format_time(it, \"%Y-%m-%d %H:%M:%S.%f %z %j %a %A %b %B %p %I %y %%\")",
            EPOCHS,
        ),
        ("format_time(it, \"é %Y\")", EPOCHS),
        ("format_time(it, \"%H\")", ANY),
        (
            "format_time(0, it)",
            Src::Typed(&["\"%Y\"", "\"%c\"", "\"%\"", "\"\""]),
        ),
        (
            "format_time(parse_time(it, \"%d/%b/%Y:%H:%M:%S %z\"), \"%Y-%m-%d %H:00\")",
            TSTRS,
        ),
    ]);
    c
}

const REGEXES: &[&str] = &[
    r#"matches(it, "^a.c$")"#,
    r#"matches(it, "c$")"#,
    r#"matches(it, "(?m)c$")"#,
    r#"matches(it, "(?m)^b")"#,
    r#"matches(it, "a.b")"#,
    r#"matches(it, "(?s)a.b")"#,
    r#"matches(it, "a(?s:.)b")"#,
    r#"matches(it, "")"#,
    r#"matches(it, "\\bcaf")"#,
    r#"matches(it, "caf\\b")"#,
    r#"matches(it, "e\\b")"#,
    r#"matches(it, "\\Bt")"#,
    r#"matches(it, "x\\b")"#,
    r#"matches(it, "\\b\\d")"#,
    r#"matches(it, "\\<f")"#,
    r#"matches(it, "o\\>")"#,
    r#"matches(it, "\\b{start}b")"#,
    r#"matches(it, "\\b{end}")"#,
    r#"matches(it, "a\\b{start-half}")"#,
    r#"matches(it, "c\\b{end-half}")"#,
    r#"matches(it, "\\w+$")"#,
    r#"matches(it, "^\\w+$")"#,
    r#"matches(it, "^\\W")"#,
    r#"matches(it, "\\d")"#,
    r#"matches(it, "\\s")"#,
    r#"matches(it, "^\\S+$")"#,
    r#"matches(it, "[a-c]+")"#,
    r#"matches(it, "^[^a-c]")"#,
    r#"matches(it, "[\\d.]")"#,
    r#"matches(it, "[\\w]$")"#,
    r#"matches(it, "[-a]")"#,
    r#"matches(it, "[a-]")"#,
    r#"matches(it, "[]a]")"#,
    r#"matches(it, "[^]]")"#,
    r#"matches(it, "[\\]\\[]")"#,
    r#"matches(it, "[\\s\\S]b")"#,
    r#"matches(it, "(?i)abc")"#,
    r#"matches(it, "(?i)I")"#,
    r#"matches(it, "(?i)ı")"#,
    r#"matches(it, "(?i)^[a-z]+$")"#,
    r#"matches(it, "(?i)^[^a-z]")"#,
    r#"matches(it, "(?i)[ı]")"#,
    r#"matches(it, "(?i)[^ı]")"#,
    r#"matches(it, "(?i)[h-j]")"#,
    r#"matches(it, "(?i)k")"#,
    r#"matches(it, "(?i)s")"#,
    r#"matches(it, "(?i)ß")"#,
    r#"matches(it, "(?i)CAFÉ")"#,
    r#"matches(it, "a(?i)B|C")"#,
    r#"matches(it, "(?i:A)b")"#,
    r#"matches(it, "(?i)a(?-i)b")"#,
    r#"matches(it, "^a{1}b{0,1}c{1,}")"#,
    r#"matches(it, "^(ab)+$")"#,
    r#"matches(it, "^(?:a|b)*c")"#,
    r#"matches(it, "(?P<first>a)(?<second>b)")"#,
    r#"matches(it, "a**")"#,
    r#"matches(it, "^*a")"#,
    r#"matches(it, "x*?$")"#,
    r#"matches(it, "\\x41")"#,
    r#"matches(it, "\\u{e9}")"#,
    r#"matches(it, "\\x{1F600}")"#,
    r#"matches(it, "\\u00e9")"#,
    r#"matches(it, "é|😀")"#,
    r#"matches(it, "\\.|-")"#,
    r#"matches(it, "\\A\\w")"#,
    r#"matches(it, "\\n\\z")"#,
    r#"matches(it, "\\t")"#,
    r#"matches(it, "\n")"#,
    r##"matches(it, "#")"##,
    r#"matches(it, " ")"#,
    r#"matches(it, "\\ ")"#,
    r#"matches(it, "'")"#,
    r#"matches(it, "\"")"#,
    r#"matches(it, "\\%\\&\\~")"#,
    r#"matches(it, "(?u)\\w")"#,
    r#"matches(it, "[\\x{1c}-\\x{1f}]")"#,
    r#"matches(it, "नमस्ते\\b")"#,
];

// ---------------------------------------------------------------------------
// Running flow
// ---------------------------------------------------------------------------

struct Env {
    dir: tempfile::TempDir,
    files: BTreeMap<String, PathBuf>,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("a temporary directory"),
            files: BTreeMap::new(),
        }
    }
    /// A JSON Lines file holding `line`.
    fn json_file(&mut self, line: &str) -> PathBuf {
        let n = self.files.len();
        let dir = self.dir.path().to_path_buf();
        self.files
            .entry(line.to_string())
            .or_insert_with(|| {
                let p = dir.join(format!("in{n}.json"));
                std::fs::write(&p, format!("{line}\n")).expect("write an input");
                p
            })
            .clone()
    }
}

fn source(env: &mut Env, src: Src) -> Vec<String> {
    match src {
        Src::Typed(items) => items.iter().map(|i| format!("from [{i}]")).collect(),
        Src::Json(lines) => lines
            .iter()
            .map(|l| format!("read_json {}", quote(&env.json_file(l))))
            .collect(),
        Src::Heads(heads) => heads.iter().map(|h| h.to_string()).collect(),
    }
}

fn quote(p: &Path) -> String {
    let s = p.to_str().expect("a UTF-8 temporary path");
    assert!(!s.contains('"') && !s.contains('\\'));
    format!("\"{s}\"")
}

fn json(v: &Value) -> String {
    let mut s = String::new();
    flow::value::format::json(v, &mut s);
    s
}

/// Runs a script through the library as the command line does; its one
/// output's single value as JSON, or its first diagnostic.
fn native(script: &str) -> Vec<String> {
    let plan = flow::driver::compile(script, &[], true)
        .unwrap_or_else(|d| panic!("`{script}` does not compile: {:?}", d.0[0].message));
    match flow::driver::run(&plan, &flow::exec::ExecOptions::new(1)) {
        Ok(r) => r.outputs[0]
            .values
            .iter()
            .map(|v| format!("ok {}", json(v)))
            .collect(),
        Err(d) => vec![format!("error {}: {}", d.0[0].code, d.0[0].message)],
    }
}

/// The expression of the (first) `map` of a script, typed.
fn map_expr(script: &str) -> Result<TExpr, String> {
    let plan = flow::driver::compile(script, &[], false).map_err(|d| d.0[0].message.clone())?;
    for n in plan.graph.node_weights() {
        for s in &n.steps {
            if s.op.name == "map" {
                if let Some(Arg::Expr(e)) = s.arg(0) {
                    return Ok(e.clone());
                }
            }
        }
    }
    panic!("no map in `{script}`")
}

// ---------------------------------------------------------------------------
// Running Python
// ---------------------------------------------------------------------------

const HARNESS: &str = r#"
import json, sys

def run(payload):
    bases = []
    for text in payload["helpers"]:
        ns = {}
        exec(text, ns)
        bases.append(ns)
    out = []
    for c in payload["cases"]:
        ns = dict(bases[c["h"]])
        try:
            exec("F = lambda it: " + c["py"] + "\n", ns)
        except BaseException as e:
            out.append(["compile %s: %s" % (type(e).__name__, e)] * len(c["inputs"]))
            continue
        f = ns["F"]
        res = []
        for x in c["inputs"]:
            try:
                res.append("ok " + _json(f(json.loads(x))))
            except BaseException as e:
                if type(e).__name__ == "FlowError":
                    res.append("error %s: %s" % (e.code, e.message))
                else:
                    res.append("crash %s: %s" % (type(e).__name__, e))
        out.append(res)
    return out

print(json.dumps(run(json.load(sys.stdin)), ensure_ascii=False))
"#;

/// `python3 -c pass` works.
fn python() -> bool {
    match Command::new("python3").arg("-c").arg("pass").output() {
        Ok(o) if o.status.success() => true,
        _ => {
            eprintln!(
                "SKIPPED: no working `python3` on PATH; the exported expressions were not run"
            );
            false
        }
    }
}

/// Runs every (helpers, python, inputs) in one Python process; per case,
/// per input, a line. Cases with the same helpers share their module.
fn run_python(cases: &[(String, String, Vec<String>)]) -> Vec<Vec<String>> {
    let mut core = Helpers::default();
    core.need("_json");
    let program = format!("{}\n{HARNESS}", core.render());
    let mut texts: Vec<&str> = Vec::new();
    let mut items = Vec::new();
    for (helpers, code, inputs) in cases {
        let h = match texts.iter().position(|t| *t == helpers.as_str()) {
            Some(i) => i,
            None => {
                texts.push(helpers);
                texts.len() - 1
            }
        };
        let ins: Vec<String> = inputs.iter().map(|x| json(&Value::str(x))).collect();
        items.push(format!(
            "{{\"h\":{h},\"py\":{},\"inputs\":[{}]}}",
            json(&Value::str(code)),
            ins.join(",")
        ));
    }
    let texts: Vec<String> = texts.iter().map(|t| json(&Value::str(t))).collect();
    let payload = format!(
        "{{\"helpers\":[{}],\"cases\":[{}]}}",
        texts.join(","),
        items.join(",")
    );
    if let Ok(path) = std::env::var("FLOW_EXPORT_EXPR_DUMP") {
        std::fs::write(&path, &payload).expect("dump the cases");
        std::fs::write(format!("{path}.py"), &program).expect("dump the harness");
    }
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(&program)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 starts");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(payload.as_bytes()).expect("write cases");
    }
    let out = child.wait_with_output().expect("python3 finishes");
    assert!(
        out.status.success(),
        "the harness failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let v: serde_json::Value = serde_json::from_str(&text).expect("the harness prints JSON");
    v.as_array()
        .expect("a list")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("a list")
                .iter()
                .map(|s| s.as_str().expect("a str").to_string())
                .collect()
        })
        .collect()
}

/// Compares flow and Python on every case; panics listing every difference.
fn check_all(list: &[(String, Src)], skip_ill_typed: bool) -> Helpers {
    let mut env = Env::new();
    let mut all = Helpers::default();
    let mut units: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut expected: Vec<(String, String, String)> = Vec::new();
    let mut read: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (expr, src) in list {
        let heads = source(&mut env, *src);
        for head in heads {
            let script = format!("{head} | map ({expr})");
            let e = match map_expr(&script) {
                Ok(e) => e,
                Err(_) if skip_ill_typed => continue,
                Err(m) => panic!("`{script}`: {m}"),
            };
            let mut h = Helpers::default();
            let code = py(&e, &mut h)
                .unwrap_or_else(|d| panic!("`{script}` does not export: {}", d.message));
            py(&e, &mut all).expect("exports");
            let input = read.entry(head.clone()).or_insert_with(|| native(&head));
            assert_eq!(input.len(), 1, "{head}");
            let want = native(&script);
            assert_eq!(want.len(), 1, "{script}");
            units.push((
                h.render(),
                code.clone(),
                vec![input[0].trim_start_matches("ok ").to_string()],
            ));
            expected.push((script, code, want[0].clone()));
        }
    }
    let got = run_python(&units);
    let mut bad = String::new();
    let mut n = 0;
    for ((script, code, want), got) in expected.iter().zip(&got) {
        if got[0] != *want {
            n += 1;
            let _ = writeln!(
                bad,
                "{script}\n  python: {code}\n  flow:   {want}\n  python: {}",
                got[0]
            );
        }
    }
    assert!(n == 0, "{n} of {} runs differ:\n{bad}", expected.len());
    let errors = expected
        .iter()
        .filter(|(_, _, w)| w.starts_with("error"))
        .count();
    eprintln!(
        "{} runs agree: {} values, {errors} errors",
        expected.len(),
        expected.len() - errors
    );
    all
}

#[test]
fn every_expression_means_in_python_what_it_means_in_flow() {
    if !python() {
        return;
    }
    let list: Vec<(String, Src)> = cases()
        .into_iter()
        .map(|(e, s)| (e.to_string(), s))
        .collect();
    let all = check_all(&list, false);
    // No helper of expr.py is dead: the cases reach every one.
    let text = all.render();
    for name in expr_py_helpers() {
        assert!(
            text.contains(&format!("def {name}(")) || text.contains(&format!("{name} =")),
            "helper {name} is not reached by any case"
        );
    }
}

/// The helper names of `prelude/expr.py`.
fn expr_py_helpers() -> Vec<String> {
    let src = include_str!("../src/export/prelude/expr.py");
    let names: BTreeSet<String> = src
        .lines()
        .filter_map(|l| l.strip_prefix("# helper: "))
        .map(|s| s.trim().to_string())
        .collect();
    let known: BTreeSet<String> = sections().iter().map(|s| s.name.to_string()).collect();
    assert!(names.is_subset(&known));
    names.into_iter().collect()
}

// ---------------------------------------------------------------------------
// Constants no script can write
// ---------------------------------------------------------------------------

#[test]
fn constants_of_every_kind_are_python_literals() {
    if !python() {
        return;
    }
    let mut rec = Record::new();
    rec.insert("b".into(), Value::Float(f64::NAN));
    rec.insert("a".into(), Value::str("x'y\"z\u{7}\u{2028}\u{fe0f}é"));
    rec.insert("it's".into(), Value::Null);
    let values = vec![
        Value::Null,
        Value::Bool(true),
        Value::Int(i64::MIN),
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Float(f64::NEG_INFINITY),
        Value::Float(-0.0),
        Value::Float(5e-324),
        Value::Float(1.7976931348623157e308),
        Value::str(""),
        Value::str("\\\\n\u{0}\u{1f}\u{7f}\u{85}\u{feff}\u{10ffff}😀"),
        Value::List(Arc::new(vec![Value::Int(-1), Value::Float(-2.5)])),
        Value::Record(Arc::new(rec)),
    ];
    let mut units = Vec::new();
    let mut want = Vec::new();
    for v in &values {
        let e = TExpr {
            kind: TKind::Const(v.clone()),
            ty: v.type_of(),
            span: Span::default(),
        };
        let mut h = Helpers::default();
        let code = py(&e, &mut h).expect("a constant exports");
        units.push((h.render(), code, vec!["null".to_string()]));
        want.push(format!("ok {}", json(v)));
    }
    let got = run_python(&units);
    for ((w, g), u) in want.iter().zip(&got).zip(&units) {
        assert_eq!(*w, g[0], "{}", u.1);
    }
}

// ---------------------------------------------------------------------------
// What does not export
// ---------------------------------------------------------------------------

#[test]
fn what_cannot_mean_the_same_is_a_diagnostic() {
    for (script, needle) in [
        (
            "from [\"a\"] | map matches(it, it)",
            "computed while running",
        ),
        (
            "from [\"a\"] | map matches(it, \"\\\\pL\")",
            "Unicode classes",
        ),
        (
            "from [\"a\"] | map matches(it, \"\\\\p{Greek}\")",
            "Unicode classes",
        ),
        (
            "from [\"a\"] | map matches(it, \"[[:alpha:]]\")",
            "nested classes",
        ),
        (
            "from [\"a\"] | map matches(it, \"[a-z&&[^x]]\")",
            "set operations",
        ),
        ("from [\"a\"] | map matches(it, \"(?x)a b\")", "flag `x`"),
        ("from [\"a\"] | map matches(it, \"(?U)a+\")", "flag `U`"),
        ("from [\"a\"] | map matches(it, \"(?-u)a\")", "flag `-u`"),
    ] {
        let e = map_expr(script).unwrap_or_else(|m| panic!("{script}: {m}"));
        let d = py(&e, &mut Helpers::default()).expect_err(script);
        assert_eq!(d.code, "flow::export::unsupported", "{script}");
        assert!(d.message.contains(needle), "{script}: {}", d.message);
    }
    // Deeper than Python's parser goes (flow's own checker needs a big
    // stack for it in a debug build, as flow's worker threads have).
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            let deep = format!("from [1] | map {}it{}", "abs(".repeat(200), ")".repeat(200));
            let e = map_expr(&deep).expect("flow takes 200 levels");
            let d = py(&e, &mut Helpers::default()).expect_err("too deep");
            assert_eq!(d.code, "flow::export::unsupported");
            let ok = format!("from [1] | map {}it{}", "abs(".repeat(100), ")".repeat(100));
            py(&map_expr(&ok).expect("compiles"), &mut Helpers::default())
                .expect("100 levels export");
        })
        .expect("a thread")
        .join()
        .expect("no panic");
}

// ---------------------------------------------------------------------------
// The regex engine's word characters
// ---------------------------------------------------------------------------

/// `_RUST_WORD` in expr.py is exactly the characters flow's regex engine
/// takes as word characters for `\b`.
#[test]
fn the_word_table_is_the_engines() {
    let src = include_str!("../src/export/prelude/expr.py");
    let start = src.find("for r in (\n").expect("the table") + "for r in (\n".len();
    let end = src[start..].find(").split()").expect("its end") + start;
    let mut table: Vec<(u32, u32)> = Vec::new();
    for r in src[start..end].lines().flat_map(|l| {
        l.trim()
            .trim_matches('"')
            .split_whitespace()
            .collect::<Vec<_>>()
    }) {
        let (a, b) = r.split_once('-').unwrap_or((r, r));
        table.push((
            u32::from_str_radix(a, 16).expect("hex"),
            u32::from_str_radix(b, 16).expect("hex"),
        ));
    }
    let word = regex::Regex::new(r"^\w$").expect("compiles");
    let mut engine: Vec<(u32, u32)> = Vec::new();
    let mut buf = [0u8; 4];
    for cp in 0..=0x10FFFFu32 {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        if word.is_match(c.encode_utf8(&mut buf)) {
            match engine.last_mut() {
                Some(l) if l.1 + 1 == cp => l.1 = cp,
                _ => engine.push((cp, cp)),
            }
        }
    }
    assert_eq!(table, engine);
}

#[test]
fn untyped_and_typed_paths_both_used() {
    // The same expression is plain Python for exact types and a helper for `any`.
    let typed = map_expr("from [\"a\"] | map lower(it) ++ \"x\"").unwrap();
    let untyped = map_expr(&format!(
        "read_json {} | map lower(it) ++ \"x\"",
        quote(Path::new("/dev/null"))
    ));
    let mut h = Helpers::default();
    assert_eq!(py(&typed, &mut h).unwrap(), "it.lower() + 'x'");
    if let Ok(u) = untyped {
        assert_eq!(py(&u, &mut h).unwrap(), "_s(it, 'lower').lower() + 'x'");
    }
    let t = map_expr("from [1] | map it + 1 > 2 and not (it == 3)").unwrap();
    assert_eq!(py(&t, &mut h).unwrap(), "_i64(it + 1) > 2 and not it == 3");
    let _ = Type::Any;
}

// ---------------------------------------------------------------------------
// Random expressions
// ---------------------------------------------------------------------------

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const LEAVES: &[&str] = &[
    "it",
    "it",
    "it",
    "it[0]",
    "it[-1]",
    ".a",
    ".b",
    "1",
    "-3",
    "0",
    "2.5",
    "0.0",
    "-0.5",
    "\"a\"",
    "\"\"",
    "\" x,y \"",
    "\"1\"",
    "true",
    "false",
    "null",
    "[1, 2]",
    "[\"a\", 1]",
    "9223372036854775807",
    "1e308",
];
const BINOPS: &[&str] = &[
    "or", "and", "==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "++", "*", "/", "%", "??",
];
const PATTERNS: &[&str] = &[
    "\"^a\"",
    "\"\\\\d+$\"",
    "\"(?i)x|y\"",
    "\"\\\\bb\"",
    "\"[., ]\"",
];

/// A random expression of at most `depth` levels, every part parenthesized.
fn gen_expr(r: &mut Rng, depth: u32) -> String {
    if depth == 0 || r.below(4) == 0 {
        return r.pick(LEAVES).to_string();
    }
    let sub = |r: &mut Rng| gen_expr(r, depth - 1);
    match r.below(13) {
        // SPEC §3.1: conditionals, slices (bounds left out at random) and records.
        10 => format!("if ({}) then ({}) else ({})", sub(r), sub(r), sub(r)),
        11 => {
            let bound = |r: &mut Rng| {
                if r.below(3) == 0 {
                    String::new()
                } else {
                    r.pick(&["0", "1", "-1", "-2", "5", "it[0]", "len(it) - 1"])
                        .to_string()
                }
            };
            let (b, lo, hi) = (sub(r), bound(r), bound(r));
            format!("({b})[{lo}:{hi}]")
        }
        12 => format!("{{a: {}, \"b c\": {}, .a}}", sub(r), sub(r)),
        0 => format!("-({})", sub(r)),
        1 => format!("not ({})", sub(r)),
        2..=5 => {
            let (a, o, b) = (sub(r), r.pick(BINOPS), sub(r));
            format!("({a}) {o} ({b})")
        }
        6 => format!("[{}, {}]", sub(r), sub(r)),
        _ => {
            let (f, n) = [
                ("len", 1),
                ("lower", 1),
                ("upper", 1),
                ("strip", 1),
                ("strip", 2),
                ("split", 1),
                ("split", 2),
                ("replace", 3),
                ("starts_with", 2),
                ("ends_with", 2),
                ("contains", 2),
                ("matches", 2),
                ("not_delim", 1),
                ("int", 1),
                ("float", 1),
                ("str", 1),
                ("abs", 1),
                ("round", 1),
                ("round", 2),
            ][r.below(19)];
            let mut args: Vec<String> = (0..n).map(|_| sub(r)).collect();
            if f == "matches" {
                args[1] = r.pick(PATTERNS).to_string();
            }
            format!("{f}({})", args.join(", "))
        }
    }
}

const GEN_INPUTS: &[Src] = &[
    Src::Typed(&["3", "-2", "0", "9223372036854775807"]),
    Src::Typed(&["2.5", "-0.0", "1e308"]),
    Src::Typed(&["\"Hello, World\"", "\"\"", "\" 42 \"", "\"a.b\"", "\"x\""]),
    Src::Typed(&["[1, 2, 3]", "[\"x\", \"yz\"]", "[]"]),
    Src::Typed(&["true"]),
    Src::Json(&[
        "1",
        "\"ab\"",
        "[1, \"a\", 2.5]",
        "{\"a\": 1, \"b\": \"x\"}",
        "{\"b\": [true], \"a\": \"1\"}",
        "null",
        "true",
        "-0.0",
        "9223372036854775807",
    ]),
];

#[test]
fn random_expressions_mean_the_same() {
    if !python() {
        return;
    }
    let seed: u64 = std::env::var("FLOW_EXPORT_EXPR_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_f10e);
    let count: usize = std::env::var("FLOW_EXPORT_EXPR_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    eprintln!("seed {seed}, {count} expressions (FLOW_EXPORT_EXPR_SEED, FLOW_EXPORT_EXPR_COUNT)");
    let mut r = Rng(seed | 1);
    let list: Vec<(String, Src)> = (0..count)
        .map(|_| {
            let e = gen_expr(&mut r, 3);
            (e, GEN_INPUTS[r.below(GEN_INPUTS.len())])
        })
        .collect();
    check_all(&list, true);
}
