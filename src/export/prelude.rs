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
