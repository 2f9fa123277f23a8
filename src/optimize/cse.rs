//! `cse`: merge identical sub-DAGs, so shared work is done once.
//!
//! ```text
//! read_text "a" | count          read_text "a" ─┬─ count
//! read_text "a" | lower    ⇒                    └─ lower
//! ```
//! Two nodes are identical when their steps are (operator, phase, arguments,
//! options — not spans) and their inputs are the same nodes in the same order.
//! Nodes are visited in topological order, so identical chains collapse whole.

use std::collections::HashMap;

use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::plan::{NodeId, Plan};

fn key(plan: &Plan, n: NodeId) -> String {
    let node = &plan.graph[n];
    let steps: Vec<String> = node
        .steps
        .iter()
        .map(|s| format!("{:?}/{:?}/{}", s.op.id, s.phase, s.label()))
        .collect();
    let ins: Vec<String> = plan
        .inputs(n)
        .iter()
        .map(|i| i.index().to_string())
        .collect();
    format!("{} <- {}", steps.join(" | "), ins.join(","))
}

pub fn cse(mut plan: Plan) -> Plan {
    let mut seen: HashMap<String, NodeId> = HashMap::new();
    for n in plan.topo() {
        let k = key(&plan, n);
        let Some(&keep) = seen.get(&k) else {
            seen.insert(k, n);
            continue;
        };
        // Redirect n's consumers and outputs to `keep`, then drop n.
        let outgoing: Vec<(NodeId, usize)> = plan
            .graph
            .edges_directed(n, Direction::Outgoing)
            .map(|e| (e.target(), *e.weight()))
            .collect();
        for (target, port) in outgoing {
            plan.graph.add_edge(keep, target, port);
        }
        for o in &mut plan.outputs {
            if o.node == n {
                o.node = keep;
            }
        }
        plan.graph[keep].persist |= plan.graph[n].persist;
        let names = std::mem::take(&mut plan.graph[n].names);
        for name in names {
            if !plan.graph[keep].names.contains(&name) {
                plan.graph[keep].names.push(name);
            }
        }
        plan.graph.remove_node(n);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::test_util::{plan, show};

    #[test]
    fn same_file_read_twice_is_read_once() {
        let p = cse(plan(
            "read_text \"x\" | count\nread_text \"x\" | lower | count",
        ));
        assert_eq!(
            show(&p),
            "0: read_text \"x\" <- []\n1: count <- [0] [out 0]\n3: lower <- [0]\n4: count <- [3] [out 1]\n"
        );
    }

    #[test]
    fn identical_chains_collapse_whole_and_outputs_follow() {
        let p = cse(plan(
            "range 4 | map it + 1 | sum\nrange 4 | map it + 1 | sum",
        ));
        assert_eq!(
            show(&p),
            "0: range 4 <- []\n1: map it + 1 <- [0]\n2: sum <- [1] [out 0] [out 1]\n"
        );
    }

    #[test]
    fn different_options_are_not_merged() {
        let p = cse(plan(
            "read_text \"x\" blocksize=1KiB | count\nread_text \"x\" | count",
        ));
        assert_eq!(p.graph.node_count(), 4);
    }
}
