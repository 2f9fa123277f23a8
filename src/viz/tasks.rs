//! The `tasks` visualization: the plan expanded per partition, as Dask draws
//! a bag's graph. Each node becomes one task per partition, named
//! `n0[0]`, `n0[1]`, …, and each task line says which tasks it reads.
//!
//! ```text
//! tasks: 4 (2 nodes, 1 output)
//! n0 ×3  read_text "data/*.txt" | lower | count (partial)
//!   n0[0]
//!   n0[1]
//!   n0[2]
//! n1 ×1  count (merge)  → output 1
//!   n1[0] ← n0[0], n0[1], n0[2]
//! ```
//!
//! The tasks are the executor's own ([`crate::exec::lower()`]): what is drawn
//! is what runs.
use std::collections::HashMap;

use super::outputs_of;
use crate::exec::{Feed, Lowered};
use crate::plan::{NodeId, Plan};

/// Above this many partitions a node shows its first 3 tasks, a count, and its last.
const SHOW_ALL: usize = 8;

/// The plan's tasks as the executor runs them (`lowered` from [`crate::exec::lower()`]).
pub fn render(plan: &Plan, lowered: &Lowered) -> String {
    let names = plan.node_names();
    let count: HashMap<NodeId, usize> = lowered.nodes().map(|t| (t.node, t.tasks)).collect();
    let order = plan.topo();
    let total: usize = order.iter().map(|n| count[n]).sum();
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let mut out = format!(
        "tasks: {total} ({}, {})\n",
        plural(order.len(), "node"),
        plural(plan.outputs.len(), "output")
    );
    for n in &order {
        let node = &plan.graph[*n];
        let steps: Vec<String> = node.steps.iter().map(|s| s.label()).collect();
        let outs: Vec<String> = outputs_of(plan, *n)
            .iter()
            .map(|o| format!("output {o}"))
            .collect();
        let to = if outs.is_empty() {
            String::new()
        } else {
            format!("  → {}", outs.join(", "))
        };
        out += &format!("{} ×{}  {}{to}\n", names[n], count[n], steps.join(" | "));

        let deps = &lowered.node(*n).feed;
        let all = |input: &NodeId| match count[input] {
            c @ 0..=3 => (0..c)
                .map(|j| format!("{}[{j}]", names[input]))
                .collect::<Vec<_>>()
                .join(", "),
            c => format!("{}[0..{}] (all {c})", names[input], c - 1),
        };
        let task = |i: usize| -> String {
            let from = match &deps {
                Feed::None => String::new(),
                Feed::Same(input) => format!("{}[{i}]", names[input]),
                Feed::All(input) => all(input),
                // Every probe reads the one table, built from all of `table`.
                Feed::Probe { left, table } => {
                    format!("{}[{i}], table of {}", names[left], all(table))
                }
                Feed::Concat(ins) => {
                    let mut j = i;
                    let mut from = String::new();
                    for input in ins {
                        if j < count[input] {
                            from = format!("{}[{j}]", names[input]);
                            break;
                        }
                        j -= count[input];
                    }
                    from
                }
            };
            let arrow = if from.is_empty() {
                String::new()
            } else {
                format!(" ← {from}")
            };
            format!("  {}[{i}]{arrow}\n", names[n])
        };
        let c = count[n];
        if c <= SHOW_ALL {
            (0..c).for_each(|i| out += &task(i));
        } else {
            (0..3).for_each(|i| out += &task(i));
            out += &format!("  … ({} more)\n", c - 4);
            out += &task(c - 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(src: &str) -> Plan {
        let ast = crate::syntax::parse(src).expect("parses");
        crate::optimize::optimize(crate::plan::build(src, &ast, &[]).expect("builds"))
    }

    #[test]
    fn counts_follow_the_rules() {
        let p = plan("let a = range 10\nlet b = range 5\nconcat a b | map it + 1 | count");
        let srcs: HashMap<NodeId, usize> = p
            .topo()
            .into_iter()
            .filter(|n| p.graph[*n].is_source())
            .zip([3, 2])
            .collect();
        let lowered = crate::exec::lower::lower_counts(&p, &srcs);
        let by_order: Vec<usize> = lowered.nodes().map(|t| t.tasks).collect();
        // range 10, range 5, concat, map + count (partial), count (merge)
        assert_eq!(by_order, vec![3, 2, 5, 5, 1]);
    }

    #[test]
    fn an_empty_source_does_not_panic() {
        let p = plan("range 10 | count");
        let srcs: HashMap<NodeId, usize> = p.topo().into_iter().take(1).map(|n| (n, 0)).collect();
        let lowered = crate::exec::lower::lower_counts(&p, &srcs);
        assert_eq!(render(&p, &lowered), "tasks: 1 (2 nodes, 1 output)\nn0 ×0  range 10 | count (partial)\nn1 ×1  count (merge)  → output 1\n  n1[0]\n");
    }
}
