//! The `text` visualization: one line per node (id, operator with arguments,
//! output type, `line:col`), fused steps listed under their node, inputs and
//! consumers named so shared nodes are visible.
//!
//! ```text
//! n0  read_text "data/*.txt"                          bag<str>     1:1
//!       | lower                                       bag<str>     1:28
//!       | frequencies (partial)                       bag<record…> 1:36
//!     → n1
//! ```

use super::outputs_of;
use crate::plan::Plan;

pub fn render(plan: &Plan, title: &str) -> String {
    let names = plan.node_names();
    let order = plan.topo();
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let mut extra: Vec<(usize, String)> = Vec::new();
    for n in &order {
        let node = &plan.graph[*n];
        let fused = node.steps.len() > 1;
        for (i, step) in node.steps.iter().enumerate() {
            let head = if i == 0 {
                let ins: Vec<&str> = plan.inputs(*n).iter().map(|i| names[i].as_str()).collect();
                let from = if ins.is_empty() {
                    String::new()
                } else {
                    format!("{} → ", ins.join(", "))
                };
                format!("{:<4}{from}{}", names[n], step.label())
            } else {
                format!("      | {}", step.label())
            };
            rows.push((
                head,
                step.ty.to_string(),
                format!("{}:{}", step.pos.0, step.pos.1),
            ));
        }
        let mut notes = Vec::new();
        if fused {
            notes.push(format!(
                "fused: {} steps, one task per partition",
                node.steps.len()
            ));
        }
        if !node.names.is_empty() {
            notes.push(format!(
                "bound to {}",
                node.names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let consumers: Vec<&str> = plan
            .consumers(*n)
            .iter()
            .map(|c| names[c].as_str())
            .collect();
        let outs: Vec<String> = outputs_of(plan, *n)
            .iter()
            .map(|o| format!("output {o}"))
            .collect();
        let uses: Vec<String> = consumers
            .iter()
            .map(|s| s.to_string())
            .chain(outs)
            .collect();
        if uses.len() > 1 {
            notes.push(format!(
                "shared: {} consumers → {}",
                uses.len(),
                uses.join(", ")
            ));
        } else if let Some(u) = uses.first() {
            if u.starts_with("output") {
                notes.push(format!("→ {u}"));
            }
        }
        for note in notes {
            extra.push((rows.len() - 1, format!("      ({note})")));
        }
    }
    let w0 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let mut out = format!(
        "{title}: {}, {}\n",
        plural(order.len(), "node"),
        plural(plan.outputs.len(), "output")
    );
    let mut extra = extra.into_iter().peekable();
    for (i, (a, b, c)) in rows.iter().enumerate() {
        let pad0 = w0 - a.chars().count();
        let pad1 = w1 - b.chars().count();
        out += &format!("{a}{}  {b}{}  {c}\n", " ".repeat(pad0), " ".repeat(pad1));
        while let Some((_, note)) = extra.next_if(|(row, _)| *row == i) {
            out += &note;
            out.push('\n');
        }
    }
    out
}
