//! `join`: the build side (OTHER) as a hash table from key to its elements
//! in input order, made once, and the probe each partition of the left side
//! runs against it in parallel.
//!
//! Keys compare as values — `Value`'s `Eq` and `Hash`, as `groupby` and
//! `distinct` use them: `1` and `1.0` are one key, `true` and `1` are two,
//! `null` matches `null`. Output order: the left side's, and for each left
//! element its matches in OTHER's input order. An error in `other_on` is the
//! first in OTHER's input order and is reported before any of the left side
//! (the table is complete before a probe starts).

use std::collections::HashMap;
use std::sync::Arc;

use super::elem::Elem;
use super::eval::{eval, Env};
use super::kernel::{self, eval_diag};
use super::{cancelled, Ctl, Ctx};
use crate::diag::Diag;
use crate::ops::Arg;
use crate::plan::Step;
use crate::value::{Record, Value};

/// OTHER's elements by key, each list in input order.
pub struct Table {
    rows: HashMap<Value, Vec<Value>>,
}

fn expr_opt<'s>(step: &'s Step, name: &str) -> &'s crate::plan::expr::TExpr {
    match step.opt(name) {
        Some(Arg::Expr(e)) => e,
        _ => unreachable!("`join` has `{name}` (checked by its type rule)"),
    }
}

impl Table {
    /// Evaluates `other_on` over every element of OTHER, in input order.
    pub fn build(step: &Step, parts: &[Vec<Value>], env: &Env, ctx: &Ctx) -> Result<Table, Diag> {
        let key = expr_opt(step, "other_on");
        let mut rows: HashMap<Value, Vec<Value>> = HashMap::new();
        for (n, v) in parts.iter().flatten().enumerate() {
            if n % 65536 == 65535 && ctx.cancelled() {
                return Err(cancelled());
            }
            let k = eval(key, Elem::Val(v), env)
                .map_err(|e| eval_diag(e, step))?
                .into_value();
            rows.entry(k).or_default().push(v.clone());
        }
        Ok(Table { rows })
    }
}

fn pair(left: Value, right: Value) -> Value {
    Value::Record(Arc::new(Record::from_unique(vec![
        (Arc::from("left"), left),
        (Arc::from("right"), right),
    ])))
}

/// Probes one partition of the left side, emitting `{left, right}` records.
pub fn probe(
    step: &Step,
    table: &Table,
    part: &[Value],
    env: &Env,
    ctx: &Ctx,
    f: kernel::Emit,
) -> Result<(), Diag> {
    let key = expr_opt(step, "on");
    let outer = matches!(step.opt("how"), Some(Arg::Value(Value::Str(h))) if &**h == "left");
    for (i, l) in part.iter().enumerate() {
        if i % 65536 == 65535 && ctx.cancelled() {
            return Err(cancelled());
        }
        let k = eval(key, Elem::Val(l), env)
            .map_err(|e| eval_diag(e, step))?
            .into_value();
        let null = [Value::Null];
        let matches: &[Value] = match table.rows.get(&k) {
            Some(rs) => rs,
            None if outer => &null,
            None => &[],
        };
        for r in matches {
            if f.item(Elem::Value(pair(l.clone(), r.clone())))? == Ctl::Stop {
                return Ok(());
            }
        }
    }
    Ok(())
}
