//! Renderers of a plan: `text` (a terminal listing), `dot` (Graphviz),
//! `mermaid` (Markdown) and `tasks` (the graph expanded per partition, as
//! Dask draws a bag's graph). All are deterministic: nodes in topological
//! order, ties by node id.

pub mod dot;
pub mod mermaid;
pub mod tasks;
pub mod text;

use crate::plan::{NodeId, Plan};

/// The visualizations `--visualize=FORMAT` offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Dot,
    Mermaid,
    Tasks,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["text", "dot", "mermaid", "tasks"];
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "text" => Format::Text,
            "dot" => Format::Dot,
            "mermaid" => Format::Mermaid,
            "tasks" => Format::Tasks,
            _ => return None,
        })
    }
}

/// A short stable name for a node: `n0`, `n1`, … by topological position.
pub fn node_names(plan: &Plan) -> std::collections::HashMap<NodeId, String> {
    plan.topo()
        .into_iter()
        .enumerate()
        .map(|(i, n)| (n, format!("n{i}")))
        .collect()
}

/// The output numbers (1-based, script order) a node feeds.
pub fn outputs_of(plan: &Plan, n: NodeId) -> Vec<usize> {
    plan.outputs
        .iter()
        .enumerate()
        .filter(|(_, o)| o.node == n)
        .map(|(i, _)| i + 1)
        .collect()
}
