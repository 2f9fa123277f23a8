//! Projection pushdown: a `read_json` / `read_csv` source whose records are
//! read only through `.field` paths by the steps fused after it learns which
//! fields those are ([`Step::project`]), so the reader builds only them and
//! skips the rest of each line (still checking it). `--explain` shows it as
//! `read_json "f" (reads .status .user.id)`.
//!
//! A source is cut down only when its records end inside its own node: every
//! step that sees them reads them through paths and the records are gone by
//! the node's end (a `groupby`, a `map`, an aggregate of an expression, …).
//! A record that leaves the node — collected, written, joined, sorted,
//! passed on to another node — is whole, as is any record a step looks at
//! whole (`it`, `keys(it)`, `to_json`, …). So a projected record is seen
//! only by steps that cannot tell it from the whole one, and when one of
//! them fails, the reader feeds the whole record again for the message
//! (which may print the record).

use crate::ops::expr::{TExpr, TKind};
use crate::ops::{Arg, OpId};
use crate::plan::{Plan, Step};
use crate::syntax::ast::BinOp;
use crate::value::json::Projection;
use crate::value::Value;

pub fn project(mut plan: Plan) -> Plan {
    let nodes: Vec<_> = plan.graph.node_indices().collect();
    for n in nodes {
        let node = &plan.graph[n];
        let first = node.first();
        if !matches!(first.op.id, OpId::ReadJson | OpId::ReadCsv) || node.persist {
            continue;
        }
        let p = reads(&node.steps[1..]);
        plan.graph[n].steps[0].project = p;
    }
    plan
}

/// What the steps read of the records they are given, when the records end
/// among them; `None` when any step needs them whole or they outlive the steps.
pub fn reads(steps: &[Step]) -> Option<Projection> {
    let mut p = Projection::default();
    for step in steps {
        // Expressions of the step, and whether the records go on past it.
        let (whole, passes) = match step.op.id {
            OpId::Filter => (false, true),
            OpId::Map | OpId::Groupby => (false, false),
            OpId::Pluck => match step.arg(0) {
                Some(Arg::Value(Value::Str(k))) => {
                    p.add(&[k.to_string()], true);
                    (false, false)
                }
                _ => (true, false),
            },
            // Reads nothing of an element.
            OpId::Count => (false, false),
            // Of an expression only, when given one.
            OpId::Sum | OpId::Min | OpId::Max | OpId::Mean => (step.arg(0).is_none(), false),
            OpId::Lower
            | OpId::Upper
            | OpId::Strip
            | OpId::Split
            | OpId::Purge
            | OpId::Replace
            | OpId::Flatten
            | OpId::ParseJson
            | OpId::ToJson
            | OpId::Distinct
            | OpId::Frequencies
            | OpId::Topk
            | OpId::Sort
            | OpId::Take
            | OpId::Concat
            | OpId::Join
            | OpId::WriteText
            | OpId::WriteJson
            | OpId::WriteCsv
            | OpId::ReadText
            | OpId::ReadJson
            | OpId::ReadCsv
            | OpId::Range
            | OpId::From
            | OpId::Stdin => (true, false),
        };
        if whole {
            return None;
        }
        let exprs = step.args.iter().map(|a| &a.arg).chain(
            step.opts
                .iter()
                .filter_map(|(_, a)| a.as_ref().map(|a| &a.arg)),
        );
        for a in exprs {
            if let Arg::Expr(e) = a {
                fields(e, &mut p).ok()?;
            }
        }
        if !passes {
            return Some(p);
        }
    }
    None
}

/// The chain of keys `e` reads from `it` (`.a.b`, `it["a"]`), if it is one.
fn path(e: &TExpr) -> Option<Vec<String>> {
    match &e.kind {
        TKind::It => Some(Vec::new()),
        TKind::Field(base, name) => {
            let mut p = path(base)?;
            p.push(name.clone());
            Some(p)
        }
        TKind::Index(base, i) => match &i.kind {
            TKind::Const(Value::Str(k)) => {
                let mut p = path(base)?;
                p.push(k.to_string());
                Some(p)
            }
            _ => None,
        },
        _ => None,
    }
}

/// Adds what `e` reads of `it` to `p`; `Err` when it reads `it` whole.
fn fields(e: &TExpr, p: &mut Projection) -> Result<(), ()> {
    if let Some(keys) = path(e) {
        if keys.is_empty() {
            return Err(());
        }
        p.add(&keys, true);
        return Ok(());
    }
    match &e.kind {
        // `"k" in PATH` tests a key's presence (or, when PATH's value is not
        // a record, reads that value whole).
        TKind::Binary(BinOp::In, k, r) => match (&k.kind, path(r)) {
            (TKind::Const(Value::Str(k)), Some(mut keys)) => {
                keys.push(k.to_string());
                p.add(&keys, false);
                Ok(())
            }
            _ => {
                fields(k, p)?;
                fields(r, p)
            }
        },
        TKind::Const(_) => Ok(()),
        TKind::It => Err(()),
        TKind::List(items) => items.iter().try_for_each(|i| fields(i, p)),
        TKind::Field(base, _) => fields(base, p),
        TKind::Index(base, i) => {
            fields(base, p)?;
            fields(i, p)
        }
        TKind::Call(_, args) => args.iter().try_for_each(|a| fields(a, p)),
        TKind::Unary(_, x) => fields(x, p),
        TKind::Binary(_, l, r) => {
            fields(l, p)?;
            fields(r, p)
        }
        TKind::Record(entries) => entries.iter().try_for_each(|(_, v)| fields(v, p)),
        TKind::If(c, a, b) => {
            fields(c, p)?;
            fields(a, p)?;
            fields(b, p)
        }
        TKind::Slice(base, lo, hi) => {
            fields(base, p)?;
            lo.as_deref().map_or(Ok(()), |x| fields(x, p))?;
            hi.as_deref().map_or(Ok(()), |x| fields(x, p))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{plan, show};
    use crate::optimize::optimize;

    fn explain(src: &str) -> String {
        show(&optimize(plan(src)))
    }

    #[test]
    fn sources_read_only_the_paths_used() {
        insta::assert_snapshot!(explain(
            r#"read_json "x" | filter "status" in it and .status >= 500 | groupby .user.id count | topk 10"#
        ));
        insta::assert_snapshot!(explain(r#"read_json "x" | count"#));
        insta::assert_snapshot!(explain(
            r#"read_json "x" | map {s: .status, "u": it["user"]["name"]} | write_json "out""#
        ));
        insta::assert_snapshot!(explain(
            r#"read_json "x" | filter "user" in it | pluck "user""#
        ));
    }

    #[test]
    fn records_seen_whole_or_leaving_the_node_are_whole() {
        for src in [
            r#"read_json "x" | filter .a > 1"#,
            r#"read_json "x" | map keys(it)"#,
            r#"read_json "x" | filter .a > 1 | to_json"#,
            r#"read_json "x" | take 3"#,
            r#"read_json "x" | topk 3 by=.a"#,
            r#"read_json "x" | sum"#,
            r#"read_json "x" | filter .a > 1 | write_json "o""#,
            r#"let r = read_json "x"
r | map .a
r | map .b"#,
        ] {
            let shown = explain(src);
            assert!(!shown.contains("(reads"), "{src}:\n{shown}");
        }
    }
}
