//! The `mermaid` visualization (a Markdown `flowchart`).
use crate::plan::Plan;

pub fn render(plan: &Plan) -> String {
    super::text::render(plan, "mermaid renderer pending")
}
