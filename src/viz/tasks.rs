//! The `tasks` visualization: the plan expanded per partition.
use std::collections::HashMap;

use crate::plan::{NodeId, Plan};

pub fn render(plan: &Plan, _sources: &HashMap<NodeId, usize>) -> String {
    super::text::render(plan, "tasks renderer pending")
}
