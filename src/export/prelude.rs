//! The Python helpers an exported program may call, and which of them it
//! does. The helpers live in `prelude/*.py` as sections:
//!
//! ```text
//! # helper: _name
//! # needs: _other, _third
//! def _name(...):
//!     ...
//! ```
//!
//! A section runs to the next `# helper:` line. The writer asks for a helper
//! by name ([`Helpers::need`]) as it emits code that calls it; the program
//! gets exactly the helpers it calls and what they need, in file order, so
//! no helper is dead and none is missing.

use std::collections::BTreeSet;

/// The prelude files, in the order their helpers are printed.
const FILES: &[&str] = &[
    include_str!("prelude/core.py"),
    include_str!("prelude/expr.py"),
];

/// One helper: its name, the helpers it calls, its code.
#[derive(Debug)]
pub struct Section {
    pub name: &'static str,
    pub needs: Vec<&'static str>,
    pub code: &'static str,
}

/// Every helper section of the prelude files, in order.
pub fn sections() -> Vec<Section> {
    let mut out = Vec::new();
    for file in FILES {
        let mut rest: &'static str = file;
        // Skip the file's own header, up to its first helper.
        match rest.find("# helper: ") {
            Some(i) => rest = &rest[i..],
            None => continue,
        }
        while !rest.is_empty() {
            let next = rest[1..].find("\n# helper: ").map_or(rest.len(), |i| i + 2);
            let (section, tail) = rest.split_at(next);
            rest = tail;
            let mut lines = section.lines();
            let name = lines
                .next()
                .and_then(|l| l.strip_prefix("# helper: "))
                .expect("a section starts with its name")
                .trim();
            let needs = section
                .lines()
                .nth(1)
                .and_then(|l| l.strip_prefix("# needs: "))
                .map(|l| {
                    l.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            out.push(Section {
                name,
                needs,
                code: section.trim_end(),
            });
        }
    }
    out
}

/// The helpers a program calls.
#[derive(Debug, Default)]
pub struct Helpers {
    used: BTreeSet<&'static str>,
}

impl Helpers {
    /// Marks helper `name` as called and gives its name back, for the call.
    pub fn need(&mut self, name: &'static str) -> &'static str {
        self.used.insert(name);
        name
    }

    /// The code of every helper called and of those they need, in prelude order.
    pub fn render(&self) -> String {
        let all = sections();
        let mut want: BTreeSet<&str> = BTreeSet::new();
        let mut stack: Vec<&str> = self.used.iter().copied().collect();
        while let Some(n) = stack.pop() {
            if want.insert(n) {
                let s = all
                    .iter()
                    .find(|s| s.name == n)
                    .unwrap_or_else(|| panic!("no helper `{n}` in the prelude"));
                stack.extend(s.needs.iter().copied());
            }
        }
        let mut out = String::new();
        for s in all.iter().filter(|s| want.contains(s.name)) {
            // The `# helper:` and `# needs:` lines are for the writer, not the reader.
            let body: Vec<&str> = s
                .code
                .lines()
                .skip_while(|l| l.starts_with("# helper: ") || l.starts_with("# needs: "))
                .collect();
            out += &body.join("\n");
            out += "\n\n\n";
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_helper_has_a_unique_name_and_known_needs() {
        let all = sections();
        assert!(!all.is_empty());
        for s in &all {
            assert_eq!(
                all.iter().filter(|t| t.name == s.name).count(),
                1,
                "{}",
                s.name
            );
            for n in &s.needs {
                assert!(
                    all.iter().any(|t| t.name == *n),
                    "{} needs unknown {n}",
                    s.name
                );
            }
        }
    }

    /// The module-level names a piece of Python defines.
    fn defined(code: &str) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        for line in code.lines() {
            let name = if let Some(rest) = line
                .strip_prefix("def ")
                .or_else(|| line.strip_prefix("class "))
            {
                rest.split(['(', ':']).next()
            } else if let Some((_, alias)) = line
                .strip_prefix("import ")
                .and_then(|l| l.split_once(" as "))
            {
                Some(alias)
            } else if line.starts_with(char::is_whitespace) {
                None
            } else {
                line.split_once(" = ").map(|(n, _)| n)
            };
            if let Some(n) = name {
                let n = n.trim();
                if !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    out.insert(n);
                }
            }
        }
        out
    }

    /// Python without its docstrings, strings and comments (where names
    /// are only words).
    fn code_only(text: &str) -> String {
        let mut code = String::new();
        for (i, piece) in text.split("\"\"\"").enumerate() {
            if i % 2 == 1 {
                continue;
            }
            let mut quote: Option<char> = None;
            let mut chars = piece.chars();
            while let Some(c) = chars.next() {
                match quote {
                    Some(q) if c == q => quote = None,
                    Some(_) if c == '\\' => {
                        chars.next();
                    }
                    Some(_) => {}
                    None if c == '"' || c == '\'' => quote = Some(c),
                    None if c == '#' => {
                        for c in chars.by_ref() {
                            if c == '\n' {
                                code.push('\n');
                                break;
                            }
                        }
                    }
                    None => code.push(c),
                }
            }
        }
        code
    }

    /// The prelude's names a piece of Python uses: `_name` or `FlowError`,
    /// not after a `.` (an attribute), not a dunder.
    fn used(code: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let bytes = code.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if c.is_ascii_alphanumeric() || c == b'_' {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &code[start..i];
                let attr = start > 0 && bytes[start - 1] == b'.';
                let prelude = (word.starts_with('_')
                    && word.len() > 1
                    && !word.starts_with("__")
                    && word.as_bytes()[1].is_ascii_alphabetic())
                    || word == "FlowError";
                if prelude && !attr {
                    out.insert(word.to_string());
                }
            } else {
                i += 1;
            }
        }
        out
    }

    /// No two helpers define the same module-level name: the later would
    /// silently replace the earlier in a program that prints both (helpers
    /// of different prelude files, written apart, can meet this way).
    #[test]
    fn no_two_helpers_define_the_same_name() {
        let all = sections();
        let mut owner: std::collections::BTreeMap<&str, &str> = Default::default();
        for s in &all {
            for name in defined(s.code) {
                if let Some(first) = owner.insert(name, s.name) {
                    panic!(
                        "`{name}` is defined by helper `{first}` and by helper `{}`",
                        s.name
                    );
                }
            }
        }
    }

    /// Each helper, printed alone with what it says it needs, defines every
    /// prelude name it uses: a missing `# needs:` is a NameError only when
    /// a program happens to call the helper without its need.
    #[test]
    fn every_helper_needs_what_it_uses() {
        for s in sections() {
            let mut h = Helpers::default();
            h.need(s.name);
            let text = h.render();
            let have = defined(&text);
            for name in used(&code_only(&text)) {
                assert!(
                    have.contains(name.as_str()),
                    "helper `{}` uses `{name}`, which neither it nor its `# needs:` define",
                    s.name
                );
            }
        }
    }

    #[test]
    fn a_helper_brings_what_it_needs_in_prelude_order() {
        let all = sections();
        let Some(s) = all.iter().find(|s| !s.needs.is_empty()) else {
            return;
        };
        let mut h = Helpers::default();
        h.need(s.name);
        let text = h.render();
        for n in &s.needs {
            assert!(
                text.contains(&format!("def {n}"))
                    || text.contains(&format!("{n} ="))
                    || text.contains(&format!("class {n}")),
                "{n}"
            );
        }
        assert!(!text.contains("# helper:"));
    }
}
