//! `topn`: a `sort` whose only reader is `take N` becomes a sort that keeps
//! only its first N (`sort … limit=N`), so it holds N candidates per
//! partition instead of every element.
//!
//! ```text
//! read_text "x" ─ sort by=len(it) ─ take 3    ⇒    read_text "x" ─ sort by=len(it) limit=3
//! ```
//! Eligibility: the `take` is the whole of its node, reads a node that is a
//! whole `sort` and nothing else, and that sort has no other use (not shared,
//! not an output, not bound for the REPL's cache). Stability is kept: ties
//! stay in input order, as the sort followed by the take gives them.

use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::ops::{Arg, ArgVal, OpId};
use crate::plan::{NodeId, OutputIndex, Phase, Plan};
use crate::value::Value;

/// The sort node a `take N` node reads, and N, when the two may merge.
fn eligible(plan: &Plan, outputs: &OutputIndex, n: NodeId) -> Option<(NodeId, i64)> {
    let node = &plan.graph[n];
    let [take] = &node.steps[..] else {
        return None;
    };
    if take.op.id != OpId::Take || take.phase != Phase::Whole {
        return None;
    }
    let Some(Arg::Value(Value::Int(limit))) = take.arg(0) else {
        return None;
    };
    let [input] = plan.inputs(n)[..] else {
        return None;
    };
    let feeder = &plan.graph[input];
    let [sort] = &feeder.steps[..] else {
        return None;
    };
    let eligible =
        sort.op.id == OpId::Sort && sort.phase == Phase::Whole && plan.uses_in(input, outputs) == 1;
    eligible.then_some((input, *limit))
}

pub fn topn(mut plan: Plan) -> Plan {
    let mut outputs = plan.output_index();
    for n in plan.topo() {
        let Some((sort, limit)) = eligible(&plan, &outputs, n) else {
            continue;
        };
        let step = &mut plan.graph[sort].steps[0];
        let limit = match step.opt("limit") {
            Some(Arg::Value(Value::Int(had))) => limit.min(*had),
            _ => limit,
        };
        for (name, value) in &mut step.opts {
            if *name == "limit" {
                *value = Some(ArgVal {
                    arg: Arg::Value(Value::Int(limit)),
                    span: None,
                });
            }
        }
        // The take's node goes; what read it reads the sort.
        let outgoing: Vec<(NodeId, usize)> = plan
            .graph
            .edges_directed(n, Direction::Outgoing)
            .map(|e| (e.target(), *e.weight()))
            .collect();
        let take = plan.graph.remove_node(n).expect("node exists");
        for (target, port) in outgoing {
            plan.graph.add_edge(sort, target, port);
        }
        let into = &mut plan.graph[sort];
        into.names = take.names;
        into.persist = take.persist;
        plan.move_outputs(n, sort, &mut outputs);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::test_util::{plan, show};

    #[test]
    fn sort_then_take_keeps_only_n() {
        let p = topn(plan("range 100 | sort by=(it % 7) desc=true | take 3"));
        assert_eq!(
            show(&p),
            "0: range 100 <- []\n1: sort by=(it % 7) desc=true limit=3 <- [0] [out 0]\n"
        );
    }

    #[test]
    fn a_shared_sort_is_left_alone() {
        let src = "let s = range 10 | sort\ns | take 2\ns | count";
        let p = topn(plan(src));
        assert_eq!(show(&p), show(&plan(src)));
    }

    #[test]
    fn a_sort_that_is_an_output_is_left_alone() {
        let src = "let s = range 10 | sort\ns\ns | take 2";
        let p = topn(plan(src));
        assert_eq!(show(&p), show(&plan(src)));
    }

    #[test]
    fn the_smaller_limit_wins() {
        let p = topn(plan("range 10 | sort limit=2 | take 5"));
        assert_eq!(
            show(&p),
            "0: range 10 <- []\n1: sort limit=2 <- [0] [out 0]\n"
        );
    }
}
