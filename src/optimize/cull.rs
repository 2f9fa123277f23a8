//! `cull`: drop every node that no output needs.
//!
//! ```text
//! let unused = read_text "a"        (dropped)
//! range 3 | count                   (kept)
//! ```

use std::collections::HashSet;

use crate::plan::Plan;

pub fn cull(mut plan: Plan) -> Plan {
    let mut needed = HashSet::new();
    let mut stack: Vec<_> = plan.outputs.iter().map(|o| o.node).collect();
    while let Some(n) = stack.pop() {
        if needed.insert(n) {
            stack.extend(plan.inputs(n));
        }
    }
    let dead: Vec<_> = plan
        .graph
        .node_indices()
        .filter(|n| !needed.contains(n))
        .collect();
    for n in dead {
        plan.graph.remove_node(n);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::test_util::{plan, show};

    #[test]
    fn drops_unused_bindings_keeps_outputs() {
        let p = cull(plan(
            "let a = range 5 | map it * 2\nlet b = range 3\nb | count",
        ));
        assert_eq!(show(&p), "2: range 3 <- []\n3: count <- [2] [out 0]\n");
    }

    #[test]
    fn keeps_everything_needed() {
        let src = "let a = range 5\nconcat a a | sum";
        let before = plan(src);
        let after = cull(before.clone());
        assert!(crate::optimize::same(&before, &after));
    }
}
