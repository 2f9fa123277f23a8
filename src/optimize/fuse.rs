//! `fuse`: a maximal chain of elementwise steps whose intermediate results
//! each have a single consumer becomes one node, run as one task per partition.
//!
//! ```text
//! read_text ─ filter ─ lower ─ split    ⇒    [read_text | filter | lower | split]
//! ```
//! Eligibility: the downstream node is elementwise (a declared property of its
//! operator's kind) and its input node is used only by it (not shared, not an
//! output) and can take more per-partition work ([`super::can_extend`]).

use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::plan::{NodeId, OutputIndex, Phase, Plan};

fn eligible(plan: &Plan, outputs: &OutputIndex, n: NodeId) -> Option<NodeId> {
    let node = &plan.graph[n];
    if !node
        .steps
        .iter()
        .all(|s| s.op.kind.fusable() && s.phase == Phase::Whole)
    {
        return None;
    }
    let [input] = plan.inputs(n)[..] else {
        return None;
    };
    (plan.uses_in(input, outputs) == 1 && super::can_extend(&plan.graph[input])).then_some(input)
}

pub fn fuse(mut plan: Plan) -> Plan {
    let mut outputs = plan.output_index();
    for n in plan.topo() {
        if let Some(into) = eligible(&plan, &outputs, n) {
            merge_into(&mut plan, &mut outputs, n, into);
        }
    }
    plan
}

/// Appends `n`'s steps to `into` and moves `n`'s consumers, outputs and names to it.
pub(crate) fn merge_into(plan: &mut Plan, outputs: &mut OutputIndex, n: NodeId, into: NodeId) {
    let outgoing: Vec<(NodeId, usize)> = plan
        .graph
        .edges_directed(n, Direction::Outgoing)
        .map(|e| (e.target(), *e.weight()))
        .collect();
    let node = plan.graph.remove_node(n).expect("node exists");
    for (target, port) in outgoing {
        plan.graph.add_edge(into, target, port);
    }
    let into_node = &mut plan.graph[into];
    into_node.steps.extend(node.steps);
    // The names of `into` named an intermediate that no longer leaves the node.
    into_node.names = node.names;
    into_node.persist = node.persist;
    plan.move_outputs(n, into, outputs);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::test_util::{plan, show};

    #[test]
    fn fuses_source_and_elementwise_chain() {
        let p = fuse(plan(
            "read_text \"x\" | filter not_delim | lower | split | frequencies",
        ));
        assert_eq!(
            show(&p),
            "0: read_text \"x\" | filter not_delim(it) | lower | split <- []\n4: frequencies <- [0] [out 0]\n"
        );
    }

    #[test]
    fn a_shared_intermediate_is_not_fused_past() {
        let p = fuse(plan(
            "let w = range 9 | map it * 2\nw | map it + 1 | sum\nw | count",
        ));
        assert_eq!(
            show(&p),
            "0: range 9 | map it * 2 <- []\n2: map it + 1 <- [0]\n3: sum <- [2] [out 0]\n4: count <- [0] [out 1]\n"
        );
    }

    #[test]
    fn an_output_is_not_fused_past() {
        let p = fuse(plan("let w = range 3 | map it + 1\nw\nw | map it * 2"));
        assert_eq!(
            show(&p),
            "0: range 3 | map it + 1 <- [] [out 0]\n2: map it * 2 <- [0] [out 1]\n"
        );
    }

    #[test]
    fn concat_and_aggregations_are_barriers() {
        let p = fuse(plan(
            "let a = range 3\nlet b = range 2\nconcat a b | map it + 1 | frequencies | map .value",
        ));
        assert_eq!(
            show(&p),
            "0: range 3 <- []\n1: range 2 <- []\n2: concat a b <- [0,1]\n3: map it + 1 <- [2]\n\
             4: frequencies <- [3]\n5: map .value <- [4] [out 0]\n"
        );
    }
}
