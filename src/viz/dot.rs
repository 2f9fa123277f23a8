//! The `dot` visualization (Graphviz): one box per step, labelled with the
//! operator and its arguments, the output type and `line:col`; a fused node is
//! a `cluster_` subgraph of its chained steps; outputs are small ovals.
//!
//! ```text
//! digraph flow {
//!     n0 [label="range 3\nbag<int> · 1:1"];
//!     n1 [label="count\nscalar<int> · 1:11"];
//!     n0 -> n1;
//!     out1 [label="output 1", shape=oval];
//!     n1 -> out1;
//! }
//! ```
use super::{walk, Draw};
use crate::plan::Plan;

pub fn render(plan: &Plan) -> String {
    let mut d = Dot {
        out: String::new(),
        indent: 1,
    };
    d.out += "digraph flow {\n";
    d.out += "    rankdir=TB;\n";
    d.out += "    graph [fontname=\"Helvetica\", fontsize=10];\n";
    d.out += "    node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];\n";
    d.out += "    edge [fontname=\"Helvetica\", fontsize=9];\n";
    walk(plan, &mut d);
    d.out += "}\n";
    d.out
}

/// A Graphviz double-quoted string: `"` and `\` escaped (a lone backslash
/// would start a Graphviz escape such as `\l`), line breaks as `\n`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Dot {
    out: String,
    indent: usize,
}

impl Dot {
    fn line(&mut self, s: &str) {
        self.out += &"    ".repeat(self.indent);
        self.out += s;
        self.out.push('\n');
    }
}

impl Draw for Dot {
    fn step(&mut self, id: &str, lines: &[String]) {
        self.line(&format!("{id} [label={}];", quote(&lines.join("\n"))));
    }
    fn output(&mut self, id: &str, n: usize) {
        self.line(&format!("{id} [label=\"output {n}\", shape=oval, style=filled, fillcolor=\"#eeeeee\", fontsize=9];"));
    }
    fn edge(&mut self, from: &str, to: &str, label: Option<&str>) {
        match label {
            Some(l) => self.line(&format!("{from} -> {to} [label={}];", quote(l))),
            None => self.line(&format!("{from} -> {to};")),
        }
    }
    fn cluster_start(&mut self, id: &str, title: &str) {
        self.line(&format!("subgraph cluster_{id} {{"));
        self.indent += 1;
        self.line(&format!("label={};", quote(title)));
        self.line("style=dashed;");
        self.line("labeljust=l;");
    }
    fn cluster_end(&mut self) {
        self.indent -= 1;
        self.line("}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(quote(r#"read_text "a\b""#), r#""read_text \"a\\b\"""#);
        assert_eq!(quote("a\nb"), r#""a\nb""#);
    }
}
