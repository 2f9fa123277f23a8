//! The regex dialect: Python `re` meanings on Rust's `regex` engine.

use regex::Regex;

/// Compiles `p` with Python `re`'s meaning of `\s` and `\w` in str
/// patterns: `\s` is `str.isspace` (Rust's White_Space lacks U+001C to
/// U+001F) and `\w` is `str.isalnum` or `_` (Rust's also takes combining
/// marks and connector punctuation). Otherwise Rust's `regex` syntax.
pub fn py_regex(p: &str) -> Result<Regex, regex::Error> {
    let mut out = String::with_capacity(p.len() + 16);
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        // Nested classes work inside a class too: `[a\s]` is `[a[\s…]]`.
        match chars.next() {
            Some('s') => out.push_str(r"[\s\x1C-\x1F]"),
            Some('S') => out.push_str(r"[^\s\x1C-\x1F]"),
            Some('w') => out.push_str(r"[\p{L}\p{N}_]"),
            Some('W') => out.push_str(r"[^\p{L}\p{N}_]"),
            Some(n) => {
                out.push('\\');
                out.push(n);
            }
            None => out.push('\\'),
        }
    }
    Regex::new(&out)
}

/// The last line of a regex error, without its "error: " prefix.
pub fn regex_reason(e: &regex::Error) -> String {
    let m = e.to_string();
    let last = m.lines().last().unwrap_or("").trim();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}
