//! The `mermaid` visualization: a `flowchart TD` for Markdown, with the same
//! boxes as `dot` (operator and arguments, type, `line:col`); a fused node is
//! a `subgraph` … `end` of its chained steps; outputs are stadium nodes.
//!
//! ```text
//! flowchart TD
//!     n0["range 3<br/>bag#lt;int#gt; · 1:1"]
//!     n1["count<br/>scalar#lt;int#gt; · 1:11"]
//!     n0 --> n1
//!     out1(["output 1"])
//!     n1 --> out1
//! ```
use super::{walk, Draw};
use crate::plan::Plan;

pub fn render(plan: &Plan) -> String {
    let mut m = Mermaid {
        out: "flowchart TD\n".into(),
        indent: 1,
    };
    walk(plan, &mut m);
    m.out
}

/// A mermaid `"…"` label. Characters mermaid or its HTML labels would read
/// (`"`, `#`, `<`, `>`, `&`, backtick) become entity codes (`#quot;`);
/// line breaks become `<br/>`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '\n' => out.push_str("<br/>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Mermaid {
    out: String,
    indent: usize,
}

impl Mermaid {
    fn line(&mut self, s: &str) {
        self.out += &"    ".repeat(self.indent);
        self.out += s;
        self.out.push('\n');
    }
}

impl Draw for Mermaid {
    fn step(&mut self, id: &str, lines: &[String]) {
        self.line(&format!("{id}[{}]", quote(&lines.join("\n"))));
    }
    fn output(&mut self, id: &str, n: usize) {
        self.line(&format!("{id}([\"output {n}\"])"));
    }
    fn edge(&mut self, from: &str, to: &str, label: Option<&str>) {
        match label {
            Some(l) => self.line(&format!("{from} -->|{}| {to}", quote(l))),
            None => self.line(&format!("{from} --> {to}")),
        }
    }
    fn cluster_start(&mut self, id: &str, title: &str) {
        self.line(&format!("subgraph {id} [{}]", quote(title)));
        self.indent += 1;
    }
    fn cluster_end(&mut self) {
        self.indent -= 1;
        self.line("end");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_use_entity_codes() {
        assert_eq!(
            quote(r#"read_text "a#b" <x>"#),
            "\"read_text #quot;a#35;b#quot; #lt;x#gt;\""
        );
        assert_eq!(quote("a\nb"), "\"a<br/>b\"");
    }
}
