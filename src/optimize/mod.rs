//! The optimizer: small named rewrites of a [`Plan`], one file per pass, each
//! a plain function `Plan → Plan` that keeps the plan's meaning. The driver
//! runs them in order and checks the plan's invariants after each.
//!
//! | pass      | what it does                                                          |
//! |-----------|-----------------------------------------------------------------------|
//! | `cull`    | drops nodes no output needs                                           |
//! | `cse`     | merges identical sub-DAGs (the same file read in two outputs)        |
//! | `topn`    | `sort … \| take N` → `sort … limit=N` (holds N, not everything)        |
//! | `fuse`    | chains of elementwise steps with a single consumer → one node          |
//! | `combine` | aggregation → per-partition partial (fused into its feeder) + merge   |
//! | `project` | a JSON/CSV source builds only the record fields its node reads        |

pub mod combine;
pub mod cse;
pub mod cull;
pub mod fuse;
pub mod project;
pub mod topn;

use crate::ops::Kind;
use crate::plan::{Node, Phase, Plan};

/// A named pass.
pub struct Pass {
    pub name: &'static str,
    pub run: fn(Plan) -> Plan,
}

/// The passes, in the order they run.
pub const PASSES: &[Pass] = &[
    Pass {
        name: "cull",
        run: cull::cull,
    },
    Pass {
        name: "cse",
        run: cse::cse,
    },
    Pass {
        name: "topn",
        run: topn::topn,
    },
    Pass {
        name: "fuse",
        run: fuse::fuse,
    },
    Pass {
        name: "combine",
        run: combine::combine,
    },
    Pass {
        name: "project",
        run: project::project,
    },
];

/// Runs every pass.
pub fn optimize(plan: Plan) -> Plan {
    explain(plan, |_, _, _| {})
}

/// Runs every pass, calling `after(name, changed, plan)` after each (for `--explain`).
pub fn explain(mut plan: Plan, mut after: impl FnMut(&str, bool, &Plan)) -> Plan {
    for pass in PASSES {
        let before = plan.clone();
        plan = (pass.run)(plan);
        if let Err(e) = plan.validate() {
            panic!("optimizer pass `{}` broke the plan: {e}", pass.name);
        }
        let changed = !same(&before, &plan);
        after(pass.name, changed, &plan);
    }
    plan
}

/// Structural equality of two plans (nodes, edges, outputs).
pub fn same(a: &Plan, b: &Plan) -> bool {
    let nodes = |p: &Plan| {
        p.graph
            .node_indices()
            .map(|n| (n, p.graph[n].clone()))
            .collect::<Vec<_>>()
    };
    let edges = |p: &Plan| {
        let mut e: Vec<_> = p
            .graph
            .edge_indices()
            .filter_map(|e| p.graph.edge_endpoints(e).map(|(s, t)| (s, t, p.graph[e])))
            .collect();
        e.sort();
        e
    };
    nodes(a) == nodes(b) && edges(a) == edges(b) && a.outputs == b.outputs
}

/// Can per-partition work be appended to this node's steps? Not after a
/// partial (its output feeds a merge), a sink, or a concat.
pub(crate) fn can_extend(node: &Node) -> bool {
    let last = node.last();
    last.phase != Phase::Partial
        && !matches!(last.op.kind, Kind::Sink(_) | Kind::Combine)
        && !(last.op.kind == Kind::Aggregate && last.phase == Phase::Whole)
}

#[cfg(test)]
pub(crate) mod test_util {
    use crate::plan::{build, Plan};
    use crate::syntax::parse;

    pub fn plan(src: &str) -> Plan {
        let ast = parse(src).expect("parses");
        build(src, &ast, &[]).expect("builds")
    }

    /// One line per node in topological order: `id: step | step ← inputs [out]`.
    pub fn show(p: &Plan) -> String {
        let mut out = String::new();
        for n in p.topo() {
            let node = &p.graph[n];
            let steps: Vec<String> = node.steps.iter().map(|s| s.label()).collect();
            let ins: Vec<String> = p.inputs(n).iter().map(|i| i.index().to_string()).collect();
            let outs: Vec<String> = p
                .outputs
                .iter()
                .enumerate()
                .filter(|(_, o)| o.node == n)
                .map(|(i, _)| format!(" [out {i}]"))
                .collect();
            out += &format!(
                "{}: {} <- [{}]{}\n",
                n.index(),
                steps.join(" | "),
                ins.join(","),
                outs.concat()
            );
        }
        out
    }
}
