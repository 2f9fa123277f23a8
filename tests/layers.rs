//! The house has floors, and uses only point down (ARCHITECTURE.md): a
//! module may use modules on its own floor or below, never above. This test
//! reads `src/` as text and fails naming every use that points up, so a new
//! import circle cannot creep in.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Floors, lowest first; modules on one floor may use each other.
const FLOORS: &[&[&str]] = &[
    &["text"],
    &["types", "value", "diag"],
    &["syntax"],
    &["ops"],
    &["plan"],
    &["optimize"],
    &["exec"],
    &["viz", "export"],
    &["driver"],
    &["repl"],
    &["cli", "main"],
    &["lib"],
];

fn floor(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src/ is readable") {
        let p = e.expect("a directory entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The text with comments and string literals blanked, so a path named in a
/// doc comment or a message is not a use.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
            i = end;
        } else if b[i] == b'"' {
            // A raw string `r#"…"#` has no escapes; a plain one may have `\"`.
            let raw_hashes = raw_prefix(&b[..i]);
            i += 1;
            match raw_hashes {
                Some(h) => {
                    let close = format!("\"{}", "#".repeat(h));
                    i = text[i..]
                        .find(&close)
                        .map_or(b.len(), |e| i + e + close.len());
                }
                None => {
                    while i < b.len() && b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
            }
            out.push_str("\"\"");
        } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
            // A char literal such as '"' or '\n' (not a lifetime).
            let end = text[i + 1..].find('\'').map_or(b.len(), |e| i + 1 + e + 1);
            let end = if b[i + 1] == b'\\' {
                text[i + 3..].find('\'').map_or(b.len(), |e| i + 3 + e + 1)
            } else {
                end
            };
            i = end;
            out.push_str("' '");
        } else {
            let c = text[i..].chars().next().expect("in bounds");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `Some(hashes)` when the text before a `"` ends a raw-string prefix (`r`, `r#`, `br##`).
fn raw_prefix(before: &[u8]) -> Option<usize> {
    let hashes = before.iter().rev().take_while(|c| **c == b'#').count();
    let rest = &before[..before.len() - hashes];
    match rest.last() {
        Some(b'r') => {
            let prev = rest.len().checked_sub(2).map(|i| rest[i]);
            match prev {
                Some(c) if c.is_ascii_alphanumeric() && c != b'b' || c == b'_' => None,
                _ => Some(hashes),
            }
        }
        _ => None,
    }
}

/// Every `crate::NAME` in the code: the modules it uses.
fn uses(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let name: String = code[i + 7..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        out.insert(name);
    }
    out
}

/// Uses that point up: (file, its module, the module it uses).
fn upward_uses(src: &Path) -> Vec<(String, String, String)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    for f in files {
        let rel = f.strip_prefix(src).expect("under src");
        let first = rel.components().next().expect("a path").as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
        let own = floor(&module)
            .unwrap_or_else(|| panic!("module `{module}` has no floor in FLOORS: add it"));
        let text = std::fs::read_to_string(&f).expect("a UTF-8 source file");
        for used in uses(&code_only(&text)) {
            match floor(&used) {
                Some(fl) if fl > own => {
                    bad.push((rel.display().to_string(), module.clone(), used));
                }
                _ => {}
            }
        }
    }
    bad
}

#[test]
fn uses_only_point_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = upward_uses(&src);
    let listing: Vec<String> = bad
        .iter()
        .map(|(file, m, u)| format!("  {file}: `{m}` uses `{u}`, a higher floor"))
        .collect();
    assert!(
        bad.is_empty(),
        "uses that point up (floors, lowest first: {FLOORS:?}):\n{}",
        listing.join("\n")
    );
}

#[test]
fn the_checker_sees_a_use_that_points_up() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let src = dir.path();
    std::fs::create_dir(src.join("plan")).unwrap();
    std::fs::write(
        src.join("plan/mod.rs"),
        "// crate::cli in a comment is no use\nfn f() { let s = \"crate::repl\"; crate::exec::run(); }\n",
    )
    .unwrap();
    std::fs::write(src.join("text.rs"), "use crate::value::Value;\n").unwrap();
    std::fs::write(src.join("cli.rs"), "use crate::plan::Plan;\n").unwrap();
    let bad = upward_uses(src);
    assert_eq!(
        bad,
        vec![
            ("plan/mod.rs".into(), "plan".into(), "exec".into()),
            ("text.rs".into(), "text".into(), "value".into()),
        ]
    );
}
