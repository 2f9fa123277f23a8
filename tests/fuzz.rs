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
