//! The `dot` visualization (Graphviz).
use crate::plan::Plan;

pub fn render(plan: &Plan) -> String {
    super::text::render(plan, "dot renderer pending")
}
