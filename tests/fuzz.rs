//! Property tests: `compile` never panics, whatever the input, and every
//! diagnostic it returns points inside the script (a span with
//! `start <= end <= len`, both on char boundaries) or nowhere.

use proptest::prelude::*;

fn check(src: &str) -> Result<(), TestCaseError> {
    for optimize in [false, true] {
        if let Err(diags) = flow::driver::compile(src, &[], optimize) {
            prop_assert!(!diags.is_empty());
            for d in &diags.0 {
                if let Some(s) = d.span {
                    prop_assert!(
                        s.start <= s.end && s.end <= src.len(),
                        "{} {s:?} in {src:?}",
                        d.code
                    );
                    prop_assert!(
                        src.is_char_boundary(s.start) && src.is_char_boundary(s.end),
                        "{} {s:?} in {src:?}",
                        d.code
                    );
                }
            }
            // Rendering never panics either.
            flow::diag::Renderer::new("fuzz", src).render(&diags);
        }
    }
    Ok(())
}

/// Pieces of flow source, mostly valid tokens, so generated scripts get past the parser.
const VOCAB: &[&str] = &[
    "read_text",
    "read_json",
    "read_csv",
    "range",
    "from",
    "stdin",
    "lower",
    "upper",
    "strip",
    "split",
    "purge",
    "replace",
    "map",
    "filter",
    "flatten",
    "pluck",
    "parse_json",
    "to_json",
    "count",
    "sum",
    "min",
    "max",
    "mean",
    "distinct",
    "frequencies",
    "topk",
    "sort",
    "take",
    "groupby",
    "concat",
    "write_text",
    "write_json",
    "write_csv",
    "lowr",
    "len",
    "not_delim",
    "starts_with",
    "matches",
    "int",
    "str",
    "round",
    "x",
    "words",
    "path",
    "by",
    "desc",
    "blocksize",
    "encoding",
    "let",
    "and",
    "or",
    "not",
    "in",
    "it",
    "true",
    "false",
    "null",
    "0",
    "3",
    "-1",
    "2.5",
    "1e6",
    "1MiB",
    "64KiB",
    "\"data/books/*.txt\"",
    "\"a\"",
    "\"\"",
    "\"é\\u{1F600}\"",
    "\"(\"",
    "\"utf-16\"",
    "|",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "++",
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    ".value",
    "it[0]",
    "\n",
    "\n",
    ";",
    "#",
    "é",
    "\u{FEFF}",
    "\\",
    " ",
];

fn tokens() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(VOCAB), 0..40).prop_map(|t| t.join(" "))
}

proptest! {
    // 256 cases by default; `PROPTEST_CASES=100000` for a deeper run.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        check(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn random_token_sequences_never_panic(src in tokens()) {
        check(&src)?;
    }

    #[test]
    fn random_tokens_after_a_valid_prefix_never_panic(src in tokens()) {
        check(&format!("let words = read_text \"data/books/*.txt\" | split\nwords | {src}"))?;
    }
}

/// Deep and long scripts, as a hostile user writes them: each is a
/// diagnostic (exit 2) or runs (exit 0), never a stack overflow (134) or a
/// panic (101). (How checking time grows with the script is a benchmark's
/// business: `cargo bench --bench check`.)
#[test]
fn deep_and_long_scripts_are_diagnostics_not_crashes() {
    let nest = |open: &str, inner: &str, close: &str, n: usize| {
        format!("range 3 | map {}{inner}{}", open.repeat(n), close.repeat(n))
    };
    let mut cases: Vec<(String, String, i32)> = Vec::new();
    for n in [10_000, 100_000] {
        let deep = [
            ("parens", nest("(", "it", ")", n)),
            ("lists", nest("[", "it", "]", n)),
            ("calls", nest("abs(", "it", ")", n)),
            ("nots", format!("range 3 | map {}true", "not ".repeat(n))),
            ("negs", format!("range 3 | map {}it", "-".repeat(n))),
            ("plus", format!("range 3 | map it{}", " + it".repeat(n))),
            (
                "fields",
                format!("read_json \"x\" | map it{}", ".a".repeat(n)),
            ),
            ("index", format!("range 3 | map [it]{}", "[0]".repeat(n))),
        ];
        for (name, src) in deep {
            cases.push((format!("{name} ×{n}"), src, 2));
        }
    }
    // Stages that nest the element type, and long but shallow scripts.
    cases.push((
        "list stages ×5000".into(),
        format!("range 1{}", " | map [it]".repeat(5000)),
        2,
    ));
    cases.push((
        "stages ×10000".into(),
        format!("range 3{} | sum", " | map it + 1".repeat(10_000)),
        0,
    ));
    let at_limit = flow::syntax::MAX_DEPTH as usize - 2;
    for (name, src) in [
        ("parens", nest("(", "it", ")", at_limit)),
        ("calls", nest("abs(", "it", ")", at_limit)),
        (
            "plus",
            format!("range 3 | map it{}", " + it".repeat(at_limit)),
        ),
        (
            "nots",
            format!("range 3 | map {}true", "not ".repeat(at_limit)),
        ),
    ] {
        cases.push((format!("{name} at the limit"), src, 0));
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, src, want) in cases {
        let path = dir.path().join("deep.flow");
        std::fs::write(&path, &src).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_flow"))
            .arg(&path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            code,
            Some(want),
            "{name}: exit {code:?}\n{}",
            stderr.chars().take(400).collect::<String>()
        );
        if want == 2 {
            assert!(
                stderr.contains("flow::syntax::too_deep")
                    || stderr.contains("flow::plan::type_too_deep"),
                "{name}: {}",
                stderr.chars().take(400).collect::<String>()
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Deep nestings of random kinds and depths, mixed: a diagnostic when past
    /// the limit, a run when within it, never a crash.
    #[test]
    fn deep_mixtures_never_crash(
        kinds in proptest::collection::vec(0u8..6, 1..6),
        depth in 1usize..4000,
    ) {
        let mut open = String::new();
        let mut close = String::new();
        for i in 0..depth {
            match kinds[i % kinds.len()] {
                0 => { open.push('('); close.insert(0, ')'); }
                1 => { open.push('['); close.insert_str(0, "][0]"); }
                2 => { open.push_str("abs("); close.insert(0, ')'); }
                3 => { open.push_str("- "); }
                4 => { open.push_str("0 + "); }
                _ => { open.push_str("(1 * "); close.insert(0, ')'); }
            }
        }
        let src = format!("range 2 | map {open}it{close}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep.flow");
        std::fs::write(&path, &src).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_flow"))
            .arg(&path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let code = out.status.code();
        prop_assert!(code == Some(0) || code == Some(2), "exit {:?} at depth {}", code, depth);
    }
}
