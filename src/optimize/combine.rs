//! `combine`: an aggregation becomes a per-partition partial step and a merge.
//! The partial is fused into the node that feeds it when that node has no
//! other use, so e.g. word counting happens inside the reading task.
//!
//! ```text
//! [read_text | split] ─ frequencies   ⇒   [read_text | split | frequencies(partial)] ─ [frequencies(merge)]
//! ```
//! Per-partition work that follows a merge (`| topk 10` after `frequencies`)
//! is fused after the merge step in the same way.

use crate::ops::Kind;
use crate::plan::{Node, NodeId, Phase, Plan};

pub fn combine(mut plan: Plan) -> Plan {
    let mut outputs = plan.output_index();
    for n in plan.topo() {
        let node = &plan.graph[n];
        if node.first().op.kind != Kind::Aggregate || node.first().phase != Phase::Whole {
            continue;
        }
        debug_assert_eq!(
            node.steps.len(),
            1,
            "an aggregation is not fused before combine"
        );
        let [input] = plan.inputs(n)[..] else {
            continue;
        };
        let mut partial = node.first().clone();
        partial.phase = Phase::Partial;
        plan.graph[n].steps[0].phase = Phase::Merge;
        if plan.uses_in(input, &outputs) == 1 && super::can_extend(&plan.graph[input]) {
            plan.graph[input].steps.push(partial);
        } else {
            // A shared input: the partial runs as its own per-partition task.
            let p = plan.graph.add_node(Node {
                steps: vec![partial],
                names: vec![],
                persist: false,
            });
            let e = plan.graph.find_edge(input, n).expect("edge input → n");
            plan.graph.remove_edge(e);
            plan.graph.add_edge(input, p, 0);
            plan.graph.add_edge(p, n, 0);
        }
    }
    // Elementwise work after a merge joins the merge's node.
    for n in plan.topo() {
        if !plan.graph.contains_node(n) {
            continue;
        }
        let node = &plan.graph[n];
        if !node
            .steps
            .iter()
            .all(|s| s.op.kind.fusable() && s.phase == Phase::Whole)
        {
            continue;
        }
        let [input] = plan.inputs(n)[..] else {
            continue;
        };
        let feeder: NodeId = input;
        if plan.uses_in(feeder, &outputs) == 1 && plan.graph[feeder].last().phase == Phase::Merge {
            super::fuse::merge_into(&mut plan, &mut outputs, n, feeder);
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::fuse::fuse;
    use crate::optimize::test_util::{plan, show};

    #[test]
    fn partial_fuses_into_the_reading_stage() {
        let p = combine(fuse(plan(
            "read_text \"x\" | lower | split | frequencies | topk 10",
        )));
        assert_eq!(
            show(&p),
            "0: read_text \"x\" | lower | split | frequencies (partial) <- []\n\
             3: frequencies (merge) | topk 10 (partial) <- [0]\n\
             4: topk 10 (merge) <- [3] [out 0]\n"
        );
    }

    #[test]
    fn a_shared_input_gets_its_own_partial_task() {
        let p = combine(plan("let r = range 10\nr | sum\nr | count"));
        assert_eq!(
            show(&p),
            "0: range 10 <- []\n3: sum (partial) <- [0]\n1: sum (merge) <- [3] [out 0]\n\
             4: count (partial) <- [0]\n2: count (merge) <- [4] [out 1]\n"
        );
    }

    #[test]
    fn elementwise_after_a_merge_joins_it() {
        let p = combine(plan("range 10 | frequencies | map .count * 2"));
        assert_eq!(
            show(&p),
            "0: range 10 | frequencies (partial) <- []\n1: frequencies (merge) | map .count * 2 <- [0] [out 0]\n"
        );
    }
}
