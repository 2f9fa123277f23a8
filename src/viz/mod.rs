//! Renderers of a plan: `text` (a terminal listing), `dot` (Graphviz),
//! `mermaid` (Markdown), `svg` (a picture) and `tasks` (the graph expanded per partition, as
//! Dask draws a bag's graph). All are deterministic: nodes in topological
//! order, ties by node id.

pub mod dashboard;
pub mod dot;
pub mod mermaid;
pub mod svg;
pub mod tasks;
pub mod text;

use crate::plan::{NodeId, Plan};

/// The visualizations `--visualize=FORMAT` offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Dot,
    Mermaid,
    Svg,
    Tasks,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["text", "dot", "mermaid", "svg", "tasks"];
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "text" => Format::Text,
            "dot" => Format::Dot,
            "mermaid" => Format::Mermaid,
            "svg" => Format::Svg,
            "tasks" => Format::Tasks,
            _ => return None,
        })
    }
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

/// What the graph backends (dot, mermaid) draw. [`walk`] calls these in one
/// deterministic order, so every backend shows the same graph.
pub trait Draw {
    /// A box for one step: `lines` are its label lines, unescaped.
    fn step(&mut self, id: &str, lines: &[String]);
    /// A small node for output statement `n` (1-based, script order).
    fn output(&mut self, id: &str, n: usize);
    /// An arrow; `label` numbers the inputs of a node that has several.
    fn edge(&mut self, from: &str, to: &str, label: Option<&str>);
    /// Starts a group holding the steps of one fused node.
    fn cluster_start(&mut self, id: &str, title: &str);
    fn cluster_end(&mut self);
}

/// The label lines of a step: operator with arguments, then type and `line:col`.
pub fn step_lines(step: &crate::plan::Step) -> Vec<String> {
    vec![
        step.label(),
        format!("{} · {}:{}", step.ty, step.pos.0, step.pos.1),
    ]
}

/// Drives a [`Draw`] over the plan: nodes in topological order (a fused node
/// as a cluster of its steps, chained), each followed by its input edges;
/// then the outputs in script order. Graph ids are the node names of
/// [`Plan::node_names`] (`n0`), with `_i` for step `i` of a fused node (`n1_0`).
pub fn walk(plan: &Plan, d: &mut impl Draw) {
    let names = plan.node_names();
    let step_id = |n: NodeId, i: usize| -> String {
        if plan.graph[n].steps.len() == 1 {
            names[&n].clone()
        } else {
            format!("{}_{i}", names[&n])
        }
    };
    let first = |n: NodeId| step_id(n, 0);
    let last = |n: NodeId| step_id(n, plan.graph[n].steps.len() - 1);
    for n in plan.topo() {
        let node = &plan.graph[n];
        let bound = (!node.names.is_empty()).then(|| format!("bound to {}", node.names.join(", ")));
        let lines = |i: usize| {
            let mut l = step_lines(&node.steps[i]);
            if i + 1 == node.steps.len() {
                l.extend(bound.clone());
            }
            l
        };
        if node.steps.len() == 1 {
            d.step(&first(n), &lines(0));
        } else {
            d.cluster_start(&names[&n], &format!("fused: {} steps", node.steps.len()));
            for i in 0..node.steps.len() {
                d.step(&step_id(n, i), &lines(i));
            }
            for i in 1..node.steps.len() {
                d.edge(&step_id(n, i - 1), &step_id(n, i), None);
            }
            d.cluster_end();
        }
        let inputs = plan.inputs(n);
        for (port, i) in inputs.iter().enumerate() {
            let label = (inputs.len() > 1).then(|| (port + 1).to_string());
            d.edge(&last(*i), &first(n), label.as_deref());
        }
    }
    for (i, o) in plan.outputs.iter().enumerate() {
        let id = format!("out{}", i + 1);
        d.output(&id, i + 1);
        d.edge(&last(o.node), &id, None);
    }
}
