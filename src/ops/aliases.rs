//! Other tools' words for flow's operators and functions, as plain data:
//! an unknown name found here gets its flow spelling as the suggestion,
//! before any edit-distance guess (`head` is `take`, not `mean`).
//!
//! Each entry is (the other tool's word, the flow spelling shown in the
//! help line). A word is never a flow name itself (a test checks).

/// Words for operators (a stage such as `head 5`).
pub const OPERATOR_ALIASES: &[(&str, &str)] = &[
    ("head", "take N"),
    ("limit", "take N"),
    ("first", "take 1"),
    ("uniq", "distinct"),
    ("unique", "distinct"),
    ("where", "filter EXPR"),
    ("grep", "filter matches(it, RE)"),
    (
        "select",
        "map {…} (SQL's select), or filter EXPR (jq's select)",
    ),
    ("avg", "mean"),
    ("average", "mean"),
    ("count_by", "groupby KEY count (or frequencies)"),
    ("countby", "groupby KEY count (or frequencies)"),
    ("value_counts", "frequencies (or groupby KEY count)"),
    ("sort_by", "sort by=EXPR"),
    ("order_by", "sort by=EXPR"),
    ("orderby", "sort by=EXPR"),
    ("cat", "concat A B"),
    ("union", "concat A B"),
    ("top", "topk N"),
    ("nlargest", "topk N"),
    ("flat_map", "flatten (after map)"),
    ("flatmap", "flatten (after map)"),
    ("length", "map len"),
    ("tolower", "lower"),
    ("toupper", "upper"),
    ("trim", "strip"),
];

/// Words for expression functions (a call such as `length(it)`).
pub const FUNCTION_ALIASES: &[(&str, &str)] = &[
    ("length", "len"),
    ("size", "len"),
    ("tolower", "lower"),
    ("lowercase", "lower"),
    ("toupper", "upper"),
    ("uppercase", "upper"),
    ("trim", "strip"),
    ("ltrim", "lstrip"),
    ("rtrim", "rstrip"),
    ("startswith", "starts_with"),
    ("endswith", "ends_with"),
    ("substr", "a slice `s[a:b]`"),
    ("substring", "a slice `s[a:b]`"),
    ("regex_extract", "extract"),
    ("capture", "captures"),
    ("findall", "extract_all"),
    ("gsub", "sub"),
    ("regex_replace", "sub"),
    ("test", "matches"),
    ("search", "matches"),
    ("strftime", "format_time"),
    ("strptime", "parse_time"),
    ("tostring", "str"),
    ("to_string", "str"),
    ("tonumber", "int or float"),
    ("index", "find"),
];

fn look(table: &'static [(&'static str, &'static str)], word: &str) -> Option<&'static str> {
    table.iter().find(|(w, _)| *w == word).map(|(_, s)| *s)
}

/// The help line for an unknown operator that is another tool's word.
pub fn operator_help(word: &str) -> Option<String> {
    look(OPERATOR_ALIASES, word).map(|s| format!("`{word}` is another tool's word; in flow: `{s}`"))
}

/// The help line for an unknown function that is another tool's word.
pub fn function_help(word: &str) -> Option<String> {
    look(FUNCTION_ALIASES, word).map(|s| {
        if s.contains('`') || s.contains(' ') {
            format!("`{word}` is another tool's word; in flow: {s}")
        } else {
            format!("`{word}` is another tool's word; in flow: `{s}`")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_not_flow_names_and_point_at_flow_names() {
        for (w, s) in OPERATOR_ALIASES {
            assert!(super::super::lookup(w).is_none(), "{w} is an operator");
            let first = s.split_whitespace().next().unwrap();
            assert!(super::super::lookup(first).is_some(), "{w} → {s}");
        }
        for (w, _) in FUNCTION_ALIASES {
            assert!(
                super::super::funcs::lookup(w).is_none(),
                "{w} is a function"
            );
        }
        for table in [OPERATOR_ALIASES, FUNCTION_ALIASES] {
            for (i, (w, _)) in table.iter().enumerate() {
                assert!(!table[i + 1..].iter().any(|(v, _)| v == w), "{w} twice");
            }
        }
    }

    #[test]
    fn other_tools_words_get_the_flow_spelling() {
        assert_eq!(
            operator_help("head").as_deref(),
            Some("`head` is another tool's word; in flow: `take N`")
        );
        assert!(operator_help("uniq").unwrap().contains("`distinct`"));
        assert!(operator_help("where").unwrap().contains("`filter EXPR`"));
        assert!(function_help("length").unwrap().contains("`len`"));
        assert!(function_help("substr").unwrap().contains("s[a:b]"));
        assert!(function_help("gsub").unwrap().contains("`sub`"));
        assert_eq!(operator_help("lower"), None);
        assert_eq!(function_help("len"), None);
    }
}
