//! A reference interpreter and property tests against it (issue #3, "How it
//! is checked").
//!
//! [`reference`] evaluates an UNOPTIMIZED plan serially, element by element,
//! with every operator written out plainly from SPEC §2: no partitions, no
//! fusion, no partial/merge split. It reuses only `text::pystr` (Python's
//! case mappings, verified against CPython on their own) and `exec::eval`
//! (expressions). The property tests generate random inputs and pipelines
//! and check that the optimized, parallel executor — at 1, 2 and 3 threads,
//! with tiny and large blocksizes — gives exactly the reference's output.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flow::exec::elem::Elem;
use flow::exec::eval::{eval, Env};
use flow::exec::{execute, Ctx, OutputData};
use flow::ops::{Agg, Arg, OpId};
use flow::plan::expr::TExpr;
use flow::plan::{NodeId, Phase, Plan, Step};
use flow::text::pystr;
use flow::types::{Coll, Type};
use flow::value::{Record, Value};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

mod common;
use common::gen::*;

// ---- the reference interpreter ----------------------------------------------

/// The result of one plan node.
#[derive(Clone, Debug)]
enum R {
    Bag(Vec<Value>),
    Scalar(Value),
}

type Res<T> = Result<T, String>;

/// Runs an unoptimized plan serially; every output in script order.
fn reference(plan: &Plan) -> Res<Vec<OutputData>> {
    let mut env = Env::default();
    for n in plan.graph.node_indices() {
        for step in &plan.graph[n].steps {
            let opts = step.opts.iter().filter_map(|(_, a)| a.as_ref());
            for a in step.args.iter().chain(opts) {
                if let Arg::Expr(e) = &a.arg {
                    env.prepare(e);
                }
            }
        }
    }
    let mut results: HashMap<NodeId, R> = HashMap::new();
    for n in plan.topo() {
        let node = &plan.graph[n];
        assert_eq!(node.steps.len(), 1, "an unoptimized node has one step");
        let step = &node.steps[0];
        assert_eq!(step.phase, Phase::Whole, "an unoptimized step is whole");
        let inputs: Vec<&R> = plan.inputs(n).iter().map(|i| &results[i]).collect();
        let r = run_step(step, &inputs, &env)?;
        results.insert(n, r);
    }
    Ok(plan
        .outputs
        .iter()
        .map(|o| {
            let values = match &results[&o.node] {
                R::Bag(v) => v.clone(),
                R::Scalar(v) => vec![v.clone()],
            };
            OutputData {
                ty: plan.graph[o.node].ty().clone(),
                total: values.len(),
                values,
            }
        })
        .collect())
}

fn expr_arg(step: &Step, i: usize) -> Option<&TExpr> {
    match step.arg(i) {
        Some(Arg::Expr(e)) => Some(e),
        _ => None,
    }
}

fn by_opt(step: &Step) -> Option<&TExpr> {
    match step.opt("by") {
        Some(Arg::Expr(e)) => Some(e),
        _ => None,
    }
}

fn value_arg(step: &Step, i: usize) -> Option<&Value> {
    match step.arg(i) {
        Some(Arg::Value(v)) => Some(v),
        _ => None,
    }
}

fn str_arg(step: &Step, i: usize) -> Option<&str> {
    match value_arg(step, i) {
        Some(Value::Str(s)) => Some(s),
        _ => None,
    }
}

fn str_opt<'a>(step: &'a Step, name: &str) -> Option<&'a str> {
    match step.opt(name) {
        Some(Arg::Value(Value::Str(s))) => Some(s),
        _ => None,
    }
}

fn n_arg(step: &Step) -> usize {
    match value_arg(step, 0) {
        Some(Value::Int(n)) => (*n).max(0) as usize,
        _ => panic!("`{}` has a count", step.op.name),
    }
}

/// The value of `e` for element `v`.
fn ev(e: &TExpr, v: &Value, env: &Env) -> Res<Value> {
    eval(e, Elem::Val(v), env)
        .map(|x| x.into_value())
        .map_err(|e| e.msg)
}

/// `EXPR` of each element, or the elements themselves.
fn values_of(step: &Step, i: usize, input: &[Value], env: &Env) -> Res<Vec<Value>> {
    match expr_arg(step, i) {
        Some(e) => input.iter().map(|v| ev(e, v, env)).collect(),
        None => Ok(input.to_vec()),
    }
}

fn string(v: &Value, op: &str) -> Res<Arc<str>> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        other => Err(format!("`{op}` needs str elements, got {other:?}")),
    }
}

fn map_strs(input: &[Value], op: &str, f: impl Fn(&str) -> String) -> Res<R> {
    let mut out = Vec::with_capacity(input.len());
    for v in input {
        out.push(Value::str(&f(&string(v, op)?)));
    }
    Ok(R::Bag(out))
}

fn record(k1: &str, v1: Value, k2: &str, v2: Value) -> Value {
    let mut r = Record::new();
    r.insert(Arc::from(k1), v1);
    r.insert(Arc::from(k2), v2);
    Value::Record(Arc::new(r))
}

/// Python's `str.isspace()` set (SPEC §2).
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The 26 delimiters of SPEC §2.
const DELIMS: &str = ".,;:?$@^<>#%`!*-=()[]{}/\"'";

fn run_step(step: &Step, ins: &[&R], env: &Env) -> Res<R> {
    let empty: Vec<Value> = Vec::new();
    let input: &[Value] = match ins.first() {
        Some(R::Bag(v)) => v,
        Some(R::Scalar(_)) => {
            panic!("the type checker lets only bags into {}", step.op.name)
        }
        None => &empty,
    };
    Ok(match step.op.id {
        OpId::ReadText => R::Bag(
            read_lines(step)?
                .into_iter()
                .map(|s| Value::str(&s))
                .collect(),
        ),
        OpId::ReadJson => {
            let mut out = Vec::new();
            for line in read_lines(step)? {
                if !line.trim().is_empty() {
                    out.push(parse_json(&line)?);
                }
            }
            R::Bag(out)
        }
        OpId::Range => match value_arg(step, 0) {
            Some(Value::Int(n)) => R::Bag((0..*n).map(Value::Int).collect()),
            _ => panic!("range has a count"),
        },
        OpId::From => match value_arg(step, 0) {
            Some(Value::List(items)) => R::Bag(items.to_vec()),
            _ => panic!("from has a list"),
        },
        OpId::ReadCsv => R::Bag(read_csv(step)?),
        OpId::Stdin => return Err("not in the reference".into()),
        OpId::WriteText | OpId::WriteJson | OpId::WriteCsv => {
            return Err("sinks are not in the reference".into())
        }
        OpId::Lower => map_strs(input, "lower", |s| pystr::lower(s).into_owned())?,
        OpId::Upper => map_strs(input, "upper", |s| pystr::upper(s).into_owned())?,
        OpId::Strip => match str_arg(step, 0) {
            None => map_strs(input, "strip", |s| s.trim_matches(py_space).to_string())?,
            Some(cs) => map_strs(input, "strip", |s| {
                s.trim_matches(|c| cs.contains(c)).to_string()
            })?,
        },
        OpId::Purge => {
            let cs = str_arg(step, 0).unwrap_or(DELIMS);
            map_strs(input, "purge", |s| {
                s.chars()
                    .map(|c| if cs.contains(c) { ' ' } else { c })
                    .collect()
            })?
        }
        OpId::Replace => {
            let (old, new) = (str_arg(step, 0).unwrap(), str_arg(step, 1).unwrap());
            // Rust's `str::replace` with an empty pattern inserts `new` around
            // every char, exactly as Python's does.
            map_strs(input, "replace", |s| s.replace(old, new))?
        }
        OpId::Split => {
            let mut out = Vec::new();
            for v in input {
                let s = string(v, "split")?;
                match str_arg(step, 0) {
                    None => out.extend(s.split(py_space).filter(|p| !p.is_empty()).map(Value::str)),
                    Some(sep) => out.extend(s.split(sep).map(Value::str)),
                }
            }
            R::Bag(out)
        }
        OpId::Map => R::Bag(values_of(step, 0, input, env)?),
        OpId::Filter => {
            let e = expr_arg(step, 0).unwrap();
            let mut out = Vec::new();
            for v in input {
                match ev(e, v, env)? {
                    Value::Bool(true) => out.push(v.clone()),
                    Value::Bool(false) => {}
                    other => return Err(format!("filter condition is {other:?}")),
                }
            }
            R::Bag(out)
        }
        OpId::Flatten => {
            let mut out = Vec::new();
            for v in input {
                match v {
                    Value::List(items) => out.extend(items.iter().cloned()),
                    other => return Err(format!("flatten needs lists, got {other:?}")),
                }
            }
            R::Bag(out)
        }
        OpId::Pluck => {
            let key = value_arg(step, 0).unwrap();
            let default = match step.opt("default") {
                Some(Arg::Value(v)) => Some(v.clone()),
                _ => None,
            };
            let mut out = Vec::new();
            for v in input {
                let found = match (v, key) {
                    (Value::Record(r), Value::Str(k)) => r.get(k).cloned(),
                    (Value::List(items), Value::Int(i)) => {
                        let len = items.len() as i64;
                        let i = if *i < 0 { i + len } else { *i };
                        (0..len).contains(&i).then(|| items[i as usize].clone())
                    }
                    (Value::Record(_) | Value::List(_), _) => None,
                    (other, _) => return Err(format!("pluck of {other:?}")),
                };
                match found.or_else(|| default.clone()) {
                    Some(x) => out.push(x),
                    None => return Err(format!("key {key:?} missing in {v:?}")),
                }
            }
            R::Bag(out)
        }
        OpId::ParseJson => {
            let mut out = Vec::new();
            for v in input {
                out.push(parse_json(&string(v, "parse_json")?)?);
            }
            R::Bag(out)
        }
        OpId::ToJson => R::Bag(
            input
                .iter()
                .map(|v| {
                    let mut s = String::new();
                    to_json(v, &mut s);
                    Value::str(&s)
                })
                .collect(),
        ),
        OpId::Count => R::Scalar(Value::Int(input.len() as i64)),
        OpId::Sum => R::Scalar(sum(&values_of(step, 0, input, env)?)?),
        OpId::Mean => R::Scalar(mean(&values_of(step, 0, input, env)?)?),
        OpId::Min => R::Scalar(first_extreme(values_of(step, 0, input, env)?, true)),
        OpId::Max => R::Scalar(first_extreme(values_of(step, 0, input, env)?, false)),
        OpId::Distinct => {
            // A BTreeMap keeps the first-seen representative of equal values
            // and iterates in value order: exactly "each value once, sorted".
            let mut seen: BTreeMap<Value, ()> = BTreeMap::new();
            for v in input {
                seen.entry(v.clone()).or_insert(());
            }
            R::Bag(seen.into_keys().collect())
        }
        OpId::Frequencies => {
            let mut counts: BTreeMap<Value, i64> = BTreeMap::new();
            for v in input {
                *counts.entry(v.clone()).or_insert(0) += 1;
            }
            let mut pairs: Vec<(Value, i64)> = counts.into_iter().collect();
            // Stable: equal counts stay in value order.
            pairs.sort_by_key(|p| std::cmp::Reverse(p.1));
            R::Bag(
                pairs
                    .into_iter()
                    .map(|(v, c)| record("value", v, "count", Value::Int(c)))
                    .collect(),
            )
        }
        OpId::Topk => {
            let n = n_arg(step);
            let mut keyed = Vec::with_capacity(input.len());
            for v in input {
                let key = match by_opt(step) {
                    Some(e) => ev(e, v, env)?,
                    None => match v {
                        Value::Record(r) if r.contains_key("count") => {
                            r.get("count").unwrap().clone()
                        }
                        _ => v.clone(),
                    },
                };
                keyed.push((key, v.clone()));
            }
            keyed.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            R::Bag(keyed.into_iter().take(n).map(|(_, v)| v).collect())
        }
        OpId::Sort => {
            let desc = matches!(step.opt("desc"), Some(Arg::Value(Value::Bool(true))));
            let mut keyed = Vec::with_capacity(input.len());
            for v in input {
                let key = match by_opt(step) {
                    Some(e) => ev(e, v, env)?,
                    None => v.clone(),
                };
                keyed.push((key, v.clone()));
            }
            // `sort_by` is stable: ties keep input order, also when descending.
            if desc {
                keyed.sort_by(|a, b| b.0.cmp(&a.0));
            } else {
                keyed.sort_by(|a, b| a.0.cmp(&b.0));
            }
            let limit = match step.opt("limit") {
                Some(Arg::Value(Value::Int(n))) => *n as usize,
                _ => usize::MAX,
            };
            R::Bag(keyed.into_iter().take(limit).map(|(_, v)| v).collect())
        }
        OpId::Take => R::Bag(input.iter().take(n_arg(step)).cloned().collect()),
        OpId::Groupby => {
            let key_e = expr_arg(step, 0).unwrap();
            let agg = match step.arg(1) {
                Some(Arg::Agg(a)) => *a,
                _ => panic!("groupby has an aggregate"),
            };
            let mut groups: BTreeMap<Value, Vec<Value>> = BTreeMap::new();
            for v in input {
                let k = ev(key_e, v, env)?;
                let x = match (agg, expr_arg(step, 2)) {
                    (Agg::Count, _) => Value::Null,
                    (_, Some(e)) => ev(e, v, env)?,
                    (_, None) => v.clone(),
                };
                groups.entry(k).or_default().push(x);
            }
            let mut out = Vec::with_capacity(groups.len());
            for (k, xs) in groups {
                let a = match agg {
                    Agg::Count => Value::Int(xs.len() as i64),
                    Agg::Sum => sum(&xs)?,
                    Agg::Mean => mean(&xs)?,
                    Agg::Min => first_extreme(xs, true),
                    Agg::Max => first_extreme(xs, false),
                    Agg::Collect => Value::List(Arc::new(xs)),
                };
                out.push(record("key", k, agg.name(), a));
            }
            R::Bag(out)
        }
        OpId::Join => {
            // Plainly: for each left element, scan all of OTHER in order.
            let (R::Bag(left), R::Bag(other)) = (ins[0], ins[1]) else {
                panic!("join pairs bags")
            };
            let opt_expr = |name: &str| match step.opt(name) {
                Some(Arg::Expr(e)) => e,
                _ => panic!("join has `{name}`"),
            };
            let other_keys: Vec<Value> = other
                .iter()
                .map(|r| ev(opt_expr("other_on"), r, env))
                .collect::<Res<_>>()?;
            let outer = str_opt(step, "how") == Some("left");
            let mut out = Vec::new();
            for l in left {
                let k = ev(opt_expr("on"), l, env)?;
                let before = out.len();
                for (r, rk) in other.iter().zip(&other_keys) {
                    if *rk == k {
                        out.push(record("left", l.clone(), "right", r.clone()));
                    }
                }
                if outer && out.len() == before {
                    out.push(record("left", l.clone(), "right", Value::Null));
                }
            }
            R::Bag(out)
        }
        OpId::Concat => {
            let mut out = Vec::new();
            for r in ins {
                match r {
                    R::Bag(v) => out.extend(v.iter().cloned()),
                    _ => panic!("concat joins bags"),
                }
            }
            R::Bag(out)
        }
    })
}

/// The first smallest (or largest) value in input order; null when empty.
fn first_extreme(values: Vec<Value>, min: bool) -> Value {
    let mut best: Option<Value> = None;
    for v in values {
        let better = match &best {
            None => true,
            Some(b) if min => v < *b,
            Some(b) => v > *b,
        };
        if better {
            best = Some(v);
        }
    }
    best.unwrap_or(Value::Null)
}

/// Python's `math.fsum`: Shewchuk's exact partials, then CPython's final
/// correctly rounded step. Non-finite inputs: their plain sum.
fn fsum(xs: &[f64]) -> f64 {
    if xs.iter().any(|x| !x.is_finite()) {
        return xs.iter().filter(|x| !x.is_finite()).sum();
    }
    let mut p: Vec<f64> = Vec::new();
    for &x0 in xs {
        let mut x = x0;
        let mut i = 0;
        for j in 0..p.len() {
            let mut y = p[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                p[i] = lo;
                i += 1;
            }
            x = hi;
        }
        p.truncate(i);
        p.push(x);
    }
    let mut n = p.len();
    if n == 0 {
        return 0.0;
    }
    n -= 1;
    let mut hi = p[n];
    let mut lo = 0.0;
    while n > 0 {
        let x = hi;
        n -= 1;
        let y = p[n];
        hi = x + y;
        let yr = hi - x;
        lo = y - yr;
        if lo != 0.0 {
            break;
        }
    }
    if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        if y == x - hi {
            hi = x;
        }
    }
    hi
}

/// The numbers of `values` as (exact int total, floats, any float seen).
fn numbers(values: &[Value]) -> Res<(i128, Vec<f64>, bool)> {
    let (mut ints, mut floats, mut any_float) = (0i128, Vec::new(), false);
    for v in values {
        match v {
            Value::Int(i) => ints += *i as i128,
            Value::Bool(b) => ints += *b as i128,
            Value::Float(x) => {
                floats.push(*x);
                any_float = true;
            }
            other => return Err(format!("not a number: {other:?}")),
        }
    }
    Ok((ints, floats, any_float))
}

/// The exact sum of ints and floats, rounded once.
fn float_total(ints: i128, mut floats: Vec<f64>) -> f64 {
    if ints != 0 {
        let hi = ints as f64;
        floats.push(hi);
        floats.push((ints - hi as i128) as f64);
    }
    fsum(&floats)
}

fn sum(values: &[Value]) -> Res<Value> {
    let (ints, floats, any_float) = numbers(values)?;
    if any_float {
        Ok(Value::Float(float_total(ints, floats)))
    } else {
        i64::try_from(ints)
            .map(Value::Int)
            .map_err(|_| "sum overflows".to_string())
    }
}

fn mean(values: &[Value]) -> Res<Value> {
    let (ints, floats, _) = numbers(values)?;
    if values.is_empty() {
        return Ok(Value::Null);
    }
    Ok(Value::Float(
        float_total(ints, floats) / values.len() as f64,
    ))
}

// ---- reading files -----------------------------------------------------------

/// `*` and `?` within one path component.
fn wildcard(p: &[char], s: &[char]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some('*'), _) => wildcard(&p[1..], s) || (!s.is_empty() && wildcard(p, &s[1..])),
        (Some('?'), Some(_)) => wildcard(&p[1..], &s[1..]),
        (Some(a), Some(b)) if a == b => wildcard(&p[1..], &s[1..]),
        _ => false,
    }
}

/// The files a pattern names, sorted by path. Wildcards only in the file name.
fn files_of(pattern: &str) -> Res<Vec<PathBuf>> {
    if !pattern.contains(['*', '?', '[']) {
        return match std::fs::metadata(pattern) {
            Ok(m) if m.is_file() => Ok(vec![PathBuf::from(pattern)]),
            _ => Err(format!("cannot open {pattern}")),
        };
    }
    let path = Path::new(pattern);
    let dir = path.parent().unwrap();
    let name: Vec<char> = path
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .chars()
        .collect();
    assert!(
        !dir.to_string_lossy().contains(['*', '?', '[']),
        "the reference globs file names only"
    );
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let p = entry.map_err(|e| e.to_string())?.path();
        let file: Vec<char> = p.file_name().unwrap().to_string_lossy().chars().collect();
        if p.is_file() && wildcard(&name, &file) {
            out.push(p);
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(format!("no file matches {pattern}"));
    }
    Ok(out)
}

/// The decoded lines of every file of a `read_text`/`read_json` step: the
/// whole file read at once, a leading BOM dropped, split on '\n', one
/// trailing '\r' per line dropped, no extra line after a final newline.
fn read_lines(step: &Step) -> Res<Vec<String>> {
    let latin1 = str_opt(step, "encoding") == Some("latin-1");
    let errors = str_opt(step, "errors").unwrap_or("strict");
    let compression = str_opt(step, "compression").unwrap_or("infer");
    let mut lines = Vec::new();
    for path in files_of(str_arg(step, 0).unwrap())? {
        let mut bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let gz = compression == "gzip"
            || (compression == "infer" && path.extension().is_some_and(|e| e == "gz"));
        if gz {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&bytes[..])
                .read_to_end(&mut out)
                .map_err(|e| e.to_string())?;
            bytes = out;
        }
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let mut pieces: Vec<&[u8]> = body.split(|b| *b == b'\n').collect();
        if pieces.last() == Some(&&b""[..]) {
            pieces.pop();
        }
        for piece in pieces {
            let piece = piece.strip_suffix(b"\r").unwrap_or(piece);
            lines.push(if latin1 {
                piece.iter().map(|&b| b as char).collect()
            } else {
                let mut s = String::new();
                for chunk in piece.utf8_chunks() {
                    s.push_str(chunk.valid());
                    if !chunk.invalid().is_empty() {
                        match errors {
                            "replace" => s.push('\u{FFFD}'),
                            "ignore" => {}
                            _ => return Err(format!("invalid UTF-8 in {}", path.display())),
                        }
                    }
                }
                s
            });
        }
    }
    Ok(lines)
}

/// The rows of every file of a `read_csv` step as records: per file, a
/// leading BOM dropped, the first row naming the fields (or `0`, `1`, …).
fn read_csv(step: &Step) -> Res<Vec<Value>> {
    let sep = str_opt(step, "sep").unwrap_or(",").chars().next().unwrap();
    let header = !matches!(step.opt("header"), Some(Arg::Value(Value::Bool(false))));
    let latin1 = str_opt(step, "encoding") == Some("latin-1");
    let mut out = Vec::new();
    for path in files_of(str_arg(step, 0).unwrap())? {
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let text = if latin1 {
            body.iter().map(|&b| b as char).collect()
        } else {
            String::from_utf8(body.to_vec()).map_err(|e| e.to_string())?
        };
        let mut rows = parse_csv(&text, sep).into_iter();
        let names: Option<Vec<String>> = if header { rows.next() } else { None };
        // Every file has the columns the checker read from the first.
        if let (Some(n), Coll::Bag(Type::Record(Some(want)))) = (&names, &step.ty) {
            if n.len() != want.len() || n.iter().zip(want).any(|(a, (b, _))| a != b) {
                return Err(format!(
                    "{} has other columns than the first file",
                    path.display()
                ));
            }
        }
        for row in rows {
            let keys: Vec<String> = match &names {
                Some(n) => n.clone(),
                None => (0..row.len()).map(|i| format!("c{i}")).collect(),
            };
            if keys.len() != row.len() {
                return Err(format!(
                    "a row of {} fields under {} names",
                    row.len(),
                    keys.len()
                ));
            }
            let mut r = Record::new();
            for (k, v) in keys.into_iter().zip(row) {
                let ty = match step.opt("types") {
                    Some(Arg::Value(Value::Record(t))) => t.get(&k).cloned(),
                    _ => None,
                };
                let v = match ty {
                    None => Value::str(&v),
                    Some(_) if v.is_empty() => Value::Null,
                    Some(Value::Str(t)) => {
                        csv_convert(&t, &v).ok_or_else(|| format!("field {k}: {v:?} is not {t}"))?
                    }
                    Some(other) => return Err(format!("types= holds {other}")),
                };
                r.insert(Arc::from(k.as_str()), v);
            }
            out.push(Value::Record(Arc::new(r)));
        }
    }
    Ok(out)
}

/// A field of `read_csv types=`, as Python's `int()`, `float()` (which
/// `pystr` follows, checked against CPython), or `true`/`false` in any case.
fn csv_convert(ty: &str, v: &str) -> Option<Value> {
    use flow::text::pystr;
    Some(match ty {
        "int" => Value::Int(pystr::parse_int(v)?),
        "float" => Value::Float(pystr::parse_float(v)?),
        "bool" => match pystr::strip(v, None).to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return None,
        },
        _ => Value::str(v),
    })
}

/// RFC 4180 rows: quoted fields may hold the separator, `""` and line
/// breaks; `\n` or `\r\n` ends a row; empty lines are skipped.
fn parse_csv(text: &str, sep: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    // Whether the current row has anything (so an empty line is no row).
    let mut started = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                started = true;
            }
            c if c == sep => {
                row.push(std::mem::take(&mut field));
                started = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if started || !field.is_empty() {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                started = false;
            }
            c => {
                field.push(c);
                started = true;
            }
        }
    }
    if started || !field.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

// ---- JSON --------------------------------------------------------------------

/// A strict JSON parser (RFC 8259) with Python's number rule: an integer
/// literal is an int, anything with a fraction or exponent a float.
fn parse_json(text: &str) -> Res<Value> {
    let mut p = Json {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("trailing characters in {text:?}"));
    }
    Ok(v)
}

struct Json<'a> {
    s: &'a [u8],
    i: usize,
}

impl Json<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, b: u8) -> Res<()> {
        if self.peek() == Some(b) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected {:?} at {}", b as char, self.i))
        }
    }
    fn lit(&mut self, word: &str, v: Value) -> Res<Value> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(format!("bad literal at {}", self.i))
        }
    }
    fn value(&mut self, depth: usize) -> Res<Value> {
        if depth > 100 {
            return Err("too deep".into());
        }
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                let mut r = Record::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(Value::Record(Arc::new(r)));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    self.ws();
                    self.eat(b':')?;
                    self.ws();
                    let v = self.value(depth + 1)?;
                    r.insert(Arc::from(k.as_str()), v);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::Record(Arc::new(r)));
                        }
                        _ => return Err(format!("bad object at {}", self.i)),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Value::List(Arc::new(items)));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::List(Arc::new(items)));
                        }
                        _ => return Err(format!("bad array at {}", self.i)),
                    }
                }
            }
            Some(b'"') => Ok(Value::str(&self.string()?)),
            Some(b't') => self.lit("true", Value::Bool(true)),
            Some(b'f') => self.lit("false", Value::Bool(false)),
            Some(b'n') => self.lit("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(format!("unexpected character at {}", self.i)),
        }
    }
    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }
    fn number(&mut self) -> Res<Value> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = self.digits();
        if n == 0 || (n > 1 && self.s[int_start] == b'0') {
            return Err(format!("bad number at {start}"));
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(format!("bad fraction at {start}"));
            }
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(format!("bad exponent at {start}"));
            }
            float = true;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap();
        if !float {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::Int(i));
            }
        }
        // Rust's float parsing is correctly rounded, as Python's.
        Ok(Value::Float(
            text.parse::<f64>().map_err(|e| e.to_string())?,
        ))
    }
    fn hex4(&mut self) -> Res<u32> {
        let h = self.s.get(self.i..self.i + 4).ok_or("short \\u escape")?;
        let h = std::str::from_utf8(h).map_err(|e| e.to_string())?;
        let v = u32::from_str_radix(h, 16).map_err(|e| e.to_string())?;
        self.i += 4;
        Ok(v)
    }
    fn string(&mut self) -> Res<String> {
        self.eat(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let b = self.peek().ok_or("unterminated string")?;
            self.i += 1;
            match b {
                b'"' => return String::from_utf8(out).map_err(|e| e.to_string()),
                b'\\' => {
                    let e = self.peek().ok_or("unterminated escape")?;
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            // A high surrogate pairs with a low one escaped
                            // right after it; an unpaired surrogate is U+FFFD.
                            let at = self.i;
                            let lo = if self.s[at..].starts_with(b"\\u") {
                                self.i += 2;
                                self.hex4().ok()
                            } else {
                                None
                            };
                            match lo {
                                Some(lo)
                                    if (0xD800..0xDC00).contains(&hi)
                                        && (0xDC00..0xE000).contains(&lo) =>
                                {
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                        .ok_or("bad surrogate pair")?
                                }
                                _ => {
                                    self.i = at;
                                    char::from_u32(hi).unwrap_or('\u{fffd}')
                                }
                            }
                        }
                        _ => return Err("bad escape".into()),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                b if b < 0x20 => return Err("control character in string".into()),
                b => out.push(b),
            }
        }
    }
}

/// Compact JSON as flow prints it (`{"value":"the","count":3}`); floats as
/// Python's repr; NaN and infinities as Python's `json.dumps` writes them
/// (`NaN`, `Infinity`, `-Infinity`), as only `read_csv types=` makes them
/// from input.
fn to_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(x) if x.is_nan() => out.push_str("NaN"),
        Value::Float(x) if x.is_infinite() => {
            out.push_str(if *x > 0.0 { "Infinity" } else { "-Infinity" })
        }
        Value::Float(x) => out.push_str(&pystr::float_repr(*x)),
        Value::Str(s) => json_str(s, out),
        Value::List(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                to_json(x, out);
            }
            out.push(']');
        }
        Value::Record(r) => {
            out.push('{');
            for (i, (k, x)) in r.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_str(k, out);
                out.push(':');
                to_json(x, out);
            }
            out.push('}');
        }
    }
}

/// A CSV field, quoted when it must be (RFC 4180) or has edge spaces.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

// ---- comparing ---------------------------------------------------------------

/// Structural identity: same variants (an int is not a float), floats bit
/// for bit (NaN equals NaN), records with the same keys in the same order.
fn identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| identical(p, q))
        }
        (Value::Record(x), Value::Record(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && identical(v1, v2))
        }
        _ => false,
    }
}

/// Where two sets of outputs first differ, or `None`.
fn difference(want: &[OutputData], got: &[OutputData]) -> Option<String> {
    if want.len() != got.len() {
        return Some(format!("{} outputs, expected {}", got.len(), want.len()));
    }
    for (i, (w, g)) in want.iter().zip(got).enumerate() {
        if w.ty != g.ty {
            return Some(format!("output {i}: type {} expected {}", g.ty, w.ty));
        }
        if w.values.len() != g.values.len() {
            return Some(format!(
                "output {i}: {} values, expected {}\n got:  {:?}\n want: {:?}",
                g.values.len(),
                w.values.len(),
                Short(&g.values),
                Short(&w.values)
            ));
        }
        for (j, (a, b)) in w.values.iter().zip(&g.values).enumerate() {
            if !identical(a, b) {
                return Some(format!("output {i}, value {j}: got {b:?}, expected {a:?}"));
            }
        }
    }
    None
}

/// At most 20 values, for messages.
struct Short<'a>(&'a [Value]);

impl fmt::Debug for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<&Value> = self.0.iter().take(20).collect();
        write!(f, "{shown:?}")?;
        if self.0.len() > 20 {
            write!(f, " … ({} more)", self.0.len() - 20)?;
        }
        Ok(())
    }
}

/// Compiles `src`, runs the reference on the unoptimized plan, and checks the
/// executor against it: optimized at 1, 2 and 3 threads, unoptimized at 2.
fn check(src: &str) -> Result<(), TestCaseError> {
    let unopt = flow::driver::compile(src, &[], false)
        .unwrap_or_else(|d| panic!("the generator wrote an invalid script:\n{src}\n{d:?}"));
    let opt = flow::driver::compile(src, &[], true)
        .expect("an unoptimized plan that compiles also compiles optimized");
    let want = reference(&unopt);
    if std::env::var_os("REFERENCE_VERBOSE").is_some() {
        let outcome = match &want {
            Ok(o) => format!(
                "ok {:?}",
                o.iter().map(|o| o.values.len()).collect::<Vec<_>>()
            ),
            Err(e) => format!("error {e}"),
        };
        eprintln!("--- {outcome}\n{src}");
    }
    // `take` may stop before an element that fails, depending on partitioning:
    // when the reference fails, a script with `take` may either fail or not.
    let lazy = src.contains("take ");
    for (plan, threads, what) in [
        (&opt, 1, "optimized"),
        (&opt, 2, "optimized"),
        (&opt, 3, "optimized"),
        (&unopt, 2, "unoptimized"),
    ] {
        let got = execute(plan, &Ctx::new(threads));
        match (&want, got) {
            (Ok(w), Ok(g)) => {
                if let Some(d) = difference(w, &g) {
                    return Err(TestCaseError::fail(format!("{what} plan, {threads} threads:\n{src}\n{d}")));
                }
            }
            (Err(_), Err(_)) => {}
            (Err(_), Ok(_)) if lazy => {}
            (Err(e), Ok(g)) => {
                return Err(TestCaseError::fail(format!(
                    "{what} plan, {threads} threads:\n{src}\nthe reference failed ({e}) but flow gave {:?}",
                    g.iter().map(|o| Short(&o.values)).collect::<Vec<_>>()
                )))
            }
            (Ok(_), Err(d)) => {
                return Err(TestCaseError::fail(format!(
                    "{what} plan, {threads} threads:\n{src}\nflow failed: {:?}",
                    d.0.iter().map(|d| &d.message).collect::<Vec<_>>()
                )))
            }
        }
    }
    // A preview (as the REPL runs outputs) keeps the first elements of
    // each output and counts them all.
    if let Ok(w) = &want {
        let mut ctx = Ctx::new(2);
        ctx.preview = Some(3);
        match execute(&opt, &ctx) {
            Ok(g) => {
                let head: Vec<OutputData> = w
                    .iter()
                    .map(|o| OutputData {
                        values: o.values.iter().take(3).cloned().collect(),
                        ..o.clone()
                    })
                    .collect();
                if let Some(d) = difference(&head, &g) {
                    return Err(TestCaseError::fail(format!("preview of 3:\n{src}\n{d}")));
                }
                let totals = |o: &[OutputData]| o.iter().map(|o| o.total).collect::<Vec<_>>();
                if totals(w) != totals(&g) {
                    return Err(TestCaseError::fail(format!(
                        "preview of 3:\n{src}\ntotals {:?}, expected {:?}",
                        totals(&g),
                        totals(w)
                    )));
                }
            }
            Err(_) if lazy => {}
            Err(d) => {
                return Err(TestCaseError::fail(format!(
                    "preview of 3:\n{src}\nflow failed: {:?}",
                    d.0.iter().map(|d| &d.message).collect::<Vec<_>>()
                )))
            }
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(128)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// One source, a chain of elementwise stages, an aggregation or none.
    #[test]
    fn pipelines_match_the_reference(c in case()) {
        let dir = write_files(&c.files, "txt");
        check(&pipeline(&c, dir.path()))?;
    }

    /// A binding used by several outputs, `concat` of it with itself and with
    /// another binding, and the same files read twice (merged by `cse`).
    #[test]
    fn bindings_shared_by_several_outputs(c in case(), more in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), 1..4), other in source(false)) {
        let dir = write_files(&c.files, "txt");
        check(&shared_bindings(&c, &more, &other, dir.path(), ""))?;
    }

    /// The word-count family: `filter not_delim`, a change of case and
    /// `strip` in any order before a `split` (the chains the executor
    /// tokenizes a run of lines at a time), then more steps and a sink.
    #[test]
    fn word_count_chains_match_the_reference(
        files in prop::bool::weighted(0.2).prop_flat_map(|bad| prop::collection::vec(file(bad), 1..4)),
        opts in text_opts(false),
        head in prop::collection::vec(0..WORD_HEAD.len(), 0..5),
        tail in 0..WORD_TAIL.len(),
        sink in 0..WORD_SINK.len(),
    ) {
        let dir = write_files(&files, "txt");
        check(&word_count(dir.path(), &opts, &head, tail, sink))?;
    }

    /// JSON Lines records through `read_json`, `pluck`, field expressions and `groupby`.
    #[test]
    fn json_records_match_the_reference(recs in prop::collection::vec(json_record(), 0..40), blank in prop::collection::vec(any::<bool>(), 0..40), bs in 1..200u32, q in 0..QUERIES.len()) {
        let text = json_lines(&recs, &blank);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("events.jsonl"), &text).unwrap();
        let path = quote(&format!("{}/events.jsonl", dir.path().display()));
        let script = format!("let e = read_json {path} blocksize={bs}\n{}\n", QUERIES[q]);
        check(&script)?;
    }

    /// CSV files with quoted separators, quotes and line breaks, with and
    /// without a header, `,` or `;` separated.
    #[test]
    fn csv_records_match_the_reference(
        files in (any::<bool>()).prop_flat_map(|semi| prop::collection::vec(csv_file(if semi { ';' } else { ',' }), 1..4).prop_map(move |f| (semi, f))),
        header in any::<bool>(),
        q in 0..CSV_QUERIES.len(),
    ) {
        let (semi, files) = files;
        let dir = write_files(&files, "csv");
        let pattern = quote(&format!("{}/*.csv", dir.path().display()));
        let (opts, query) = csv_script_parts(semi, header, q);
        check(&format!("let c = read_csv {pattern}{opts}\n{query}\n"))?;
    }

    /// CSV files read with `types=`: a column of numbers, bools and texts
    /// that do not convert, read as each type.
    #[test]
    fn typed_csv_records_match_the_reference(
        files in (any::<bool>(), any::<bool>(), 0..CSV_TYPES.len()).prop_flat_map(|(semi, header, ty)| prop::collection::vec(csv_file_typed(if semi { ';' } else { ',' }, ty, header), 1..4).prop_map(move |f| (semi, header, ty, f))),
        q in 0..CSV_TYPED_QUERIES.len(),
    ) {
        let (semi, header, ty, files) = files;
        let dir = write_files(&files, "csv");
        let pattern = quote(&format!("{}/*.csv", dir.path().display()));
        let (opts, query) = csv_typed_parts(semi, header, ty, q);
        check(&format!("let c = read_csv {pattern}{opts}\n{query}\n"))?;
    }

    /// Sinks write exactly the reference's elements: one file, or one file
    /// per partition (`*`) whose contents, in name order, are all of them.
    #[test]
    fn sinks_write_what_the_reference_computes(c in case(), star in any::<bool>(), kind in 0..3u8) {
        let dir = write_files(&c.files, "txt");
        let (body, sink, ext) = sink_body(&c, kind, dir.path());
        let out = dir.path().join("out");
        let target = out.join(if star { format!("*.{ext}") } else { format!("all.{ext}") });
        let script = format!("{body} | {sink} {}", quote(&target.display().to_string()));
        let want = reference(&flow::driver::compile(&body, &[], false).expect("the body compiles"));
        let plan = flow::driver::compile(&script, &[], true).expect("the script compiles");
        let got = execute(&plan, &Ctx::new(2));
        let mut names: Vec<PathBuf> = match std::fs::read_dir(&out) {
            Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
            Err(_) => Vec::new(),
        };
        // In partition order: `part-9999` comes before `part-10000`, which
        // name order would not give past 10,000 partitions.
        names.sort_by_key(|n| {
            let stem = n.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            (stem.trim_start_matches("part-").parse::<u64>().unwrap_or(0), n.clone())
        });
        match (want, got) {
            (Ok(want), Ok(_)) => {
                let values = &want[0].values;
                if !star {
                    prop_assert_eq!(names.len(), 1, "{}", script);
                }
                let mut text = String::new();
                for (i, n) in names.iter().enumerate() {
                    let body = std::fs::read_to_string(n).unwrap();
                    if star {
                        prop_assert_eq!(n.file_name().unwrap().to_string_lossy(), format!("part-{i:04}.{ext}"));
                    }
                    // Each CSV file has its own header row.
                    let body = if ext == "csv" {
                        let (head, rest) = body.split_once('\n').unwrap_or((&body, ""));
                        prop_assert!(head == "value,count" || (head.is_empty() && rest.is_empty()), "header {:?} in {}", head, script);
                        rest.to_string()
                    } else {
                        body
                    };
                    text += &body;
                }
                let mut expect = String::new();
                for v in values {
                    match (ext, v) {
                        ("txt", Value::Str(s)) => expect += s,
                        ("csv", Value::Record(r)) => {
                            let cells: Vec<String> = r.iter().map(|(_, x)| match x {
                                Value::Str(s) => csv_field(s),
                                Value::Int(i) => i.to_string(),
                                other => panic!("a frequency record holds {other:?}"),
                            }).collect();
                            expect += &cells.join(",");
                        }
                        _ => to_json(v, &mut expect),
                    }
                    expect.push('\n');
                }
                prop_assert_eq!(text, expect, "{}", script);
            }
            (Err(_), Err(_)) => {
                prop_assert!(names.is_empty(), "a failed run left {:?}\n{}", names, script);
            }
            (Err(_), Ok(_)) if script.contains("take ") => {}
            (want, got) => {
                prop_assert!(false, "{}\nreference: {:?}\nflow: {:?}", script, want.map(|_| ()), got.map(|_| ()).map_err(|d| d.0.into_iter().map(|d| d.message).collect::<Vec<_>>()));
            }
        }
    }

    /// Random arithmetic in `map`, `filter`, `by=` and `groupby` over `range` and `from`.
    #[test]
    fn expressions_match_the_reference(n in 0..80i64, m in num_expr(), f in num_expr(), g in num_expr(), agg in any::<u8>(), post in any::<u8>(), use_from in any::<bool>(), vals in prop::collection::vec(-50..50i64, 0..40)) {
        let src = expr_source(n, use_from, &vals);
        let script = format!(
            "let xs = {src} | map ({m}) + 0\nxs | filter ({f}) > ({g}) or it == 0{}\nxs | sort by=({g})\nxs | topk 4 by=({f})\nxs | groupby ({g}) > 1 collect\n",
            finish(St::Num, agg, post)
        );
        check(&script)?;
    }
}

// ---- fixed cases ---------------------------------------------------------------

/// The reference itself: a few results known from CPython.
#[test]
fn reference_fsum_matches_cpython() {
    assert_eq!(fsum(&[0.1; 10]), 1.0);
    assert_eq!(
        fsum(&[1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]),
        1e-100
    );
    assert_eq!(
        fsum(&[2.0f64.powi(53), -0.5, -2.0f64.powi(-54)]),
        2.0f64.powi(53) - 1.0
    );
    assert_eq!(
        fsum(&[1e16, 1.0, -1e16, 0.1, 0.2, 0.3, 1e-10]),
        1.6000000001
    );
    assert_eq!(fsum(&[]), 0.0);
}

#[test]
fn reference_json_parser() {
    assert!(identical(&parse_json("-0").unwrap(), &Value::Int(0)));
    assert!(identical(
        &parse_json(" 1e2 ").unwrap(),
        &Value::Float(100.0)
    ));
    assert!(identical(
        &parse_json("\"\\ud83d\\ude42\"").unwrap(),
        &Value::str("🙂")
    ));
    assert!(identical(
        &parse_json(r#""\udc00\ud800\\ud800\ud83d\ude42""#).unwrap(),
        &Value::str("\u{fffd}\u{fffd}\\ud800🙂")
    ));
    for bad in ["01", "1.", "[1,]", "{\"a\" 1}", "nul", "\"\t\"", "", "1 2"] {
        assert!(parse_json(bad).is_err(), "{bad}");
    }
    let mut s = String::new();
    to_json(
        &parse_json(r#"{"a": [1, 2.5, "x\"y"], "b": null, "a": true}"#).unwrap(),
        &mut s,
    );
    assert_eq!(s, r#"{"a":true,"b":null}"#);
}

/// JSON floats as Python reads them: correctly rounded, so the shortest
/// repr of a double reads back as that double.
#[test]
fn json_floats_are_correctly_rounded() {
    let dir = tempfile::tempdir().unwrap();
    let xs = [
        -1.78935542505658e281,
        1.7976931348623157e308,
        2.2250738585072014e-308,
        0.1,
        1e23,
        8.98846567431158e307,
    ];
    let text: String = xs
        .iter()
        .map(|x| format!("{{\"x\": {}}}\n", pystr::float_repr(*x)))
        .collect();
    std::fs::write(dir.path().join("f.jsonl"), text).unwrap();
    let p = quote(&format!("{}/f.jsonl", dir.path().display()));
    let plan = flow::driver::compile(&format!("read_json {p} | map .x"), &[], true).unwrap();
    let got = execute(&plan, &Ctx::new(1)).unwrap();
    for (x, v) in xs.iter().zip(&got[0].values) {
        assert!(
            identical(v, &Value::Float(*x)),
            "{} read as {v:?}",
            pystr::float_repr(*x)
        );
    }
    // `parse_json` too.
    let lits: Vec<String> = xs.iter().map(|x| quote(&pystr::float_repr(*x))).collect();
    let plan = flow::driver::compile(
        &format!("from [{}] | parse_json", lits.join(", ")),
        &[],
        true,
    )
    .unwrap();
    let got = execute(&plan, &Ctx::new(1)).unwrap();
    for (x, v) in xs.iter().zip(&got[0].values) {
        assert!(
            identical(v, &Value::Float(*x)),
            "{} parsed as {v:?}",
            pystr::float_repr(*x)
        );
    }
}

/// `-0` in JSON is the int 0, as Python's `json.loads` reads it.
#[test]
fn json_minus_zero_is_an_int() {
    let plan = flow::driver::compile(r#"from ["-0", "[-0]"] | parse_json"#, &[], true).unwrap();
    let got = execute(&plan, &Ctx::new(1)).unwrap();
    let want = [Value::Int(0), Value::List(Arc::new(vec![Value::Int(0)]))];
    for (w, g) in want.iter().zip(&got[0].values) {
        assert!(identical(w, g), "got {g:?}, expected {w:?}");
    }
}

/// Scripts worth keeping whatever the generator draws.
#[test]
fn fixed_scripts_match_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    std::fs::write(
        dir.path().join("a.txt"),
        "\u{feff}The cat. The DOG\r\n\r\n.\n-\nİstanbul straße ΣΊΣΥΦΟΣ ǅemal\tx\u{a0}y\u{3000}z\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("b.txt"), "the end\nno newline at the end").unwrap();
    let t = format!("read_text \"{d}/*.txt\"");
    let scripts = [
        format!("{t} | lower | split | frequencies"),
        format!("{t} blocksize=1 | purge | lower | split | frequencies | topk 3"),
        format!("{t} blocksize=3 | filter not_delim | upper | split | distinct"),
        format!("let w = {t} blocksize=2 | split\nw | count\nw | sort by=len(it) desc=true | take 4\nconcat w w | groupby len count"),
        format!("{t} | map len | sum\n{t} | map len | mean\n{t} | take 2"),
        format!("{t} | split | topk 4 by=len(it)\n{t} | split | sort desc=true"),
        "range 0 | mean\nrange 0 | min\nrange 0 | max\nrange 0 | sum\nrange 0 | count\nrange 0 | frequencies".into(),
        "from [1, 2.5, true] | sum\nfrom [0.1, 0.2, 0.3] | sum\nfrom [1e16, 1.0, -1e16] | sum\nfrom [3, 1, 2] | mean".into(),
        "from [\"b\", \"a\", \"b\", \"c\", \"a\", \"b\"] | frequencies\nfrom [2, 1, 2, 3] | distinct".into(),
        "from [5, 3, 5, 1, 3] | topk 2\nfrom [[1, 2], [3], []] | flatten | take 2\nfrom [3, 1, 2] | sort desc=true".into(),
        "from [\"bb\", \"a\", \"cc\", \"d\"] | sort by=len(it) desc=true\nfrom [\"bb\", \"a\", \"cc\", \"d\"] | sort by=len(it)".into(),
        "from [\"apple\", \"bob\", \"cat\", \"anna\"] | groupby len count\nfrom [\"apple\", \"bob\", \"cat\", \"anna\"] | groupby it[0] collect".into(),
        "let a = range 3\nlet b = from [10, 11]\nconcat a b a\na | concat b | sum".into(),
        "range 10 | map it / 4 | sum\nrange 10 | groupby it % 3 mean\nrange 10 | groupby it % 3 sum it / 10".into(),
    ];
    for s in &scripts {
        if let Err(e) = check(s) {
            panic!("{e}");
        }
    }
}

/// `range` splits into several partitions only past 2^20 elements.
#[test]
fn big_range_over_several_partitions() {
    let script = "let xs = range 2500000 | filter it % 7 == 3 | map it * 3\n\
                  xs | sum\nxs | count\nxs | take 5\nxs | topk 3\nxs | map it % 1000 | frequencies | take 3\n\
                  xs | sort desc=true | take 3\nxs | map it / 7 | mean\nxs | min\nxs | max";
    if let Err(e) = check(script) {
        panic!("{e}");
    }
}

/// Decoding modes on invalid UTF-8, with blocksizes that cut every sequence.
#[test]
fn decoding_modes_match_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.txt"),
        b"ok\nbad \xff here\r\ncut \xe2\x82\nlatin caf\xe9\n\xed\xa0\x80\n",
    )
    .unwrap();
    let p = quote(&format!("{}/bad.txt", dir.path().display()));
    for bs in [1, 2, 3, 5, 100] {
        for opts in [
            r#"errors="replace""#,
            r#"errors="ignore""#,
            r#"encoding="latin-1""#,
            r#"errors="strict""#,
        ] {
            let script = format!("read_text {p} blocksize={bs} {opts}\nread_text {p} blocksize={bs} {opts} | lower | split | frequencies");
            if let Err(e) = check(&script) {
                panic!("{e}");
            }
        }
    }
}

/// gzip input: one partition, the same lines as the plain file.
#[test]
fn gzip_input_matches_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}One line\r\nTwo lines\n\nthree\n";
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).unwrap();
    std::fs::write(dir.path().join("t.txt.gz"), enc.finish().unwrap()).unwrap();
    let p = quote(&format!("{}/t.txt.gz", dir.path().display()));
    if let Err(e) = check(&format!(
        "read_text {p}\nread_text {p} blocksize=2 | lower | split | frequencies"
    )) {
        panic!("{e}");
    }
}
