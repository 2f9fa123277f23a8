//! Evaluates typed expressions (SPEC §3) with Python's semantics. What the
//! current element and the expression's constants lend stays borrowed in
//! the result ([`Elem::Str`], [`Elem::Val`]): `it` on a word, a string
//! constant or `.user` of a record is not copied.

use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;

use crate::text::regex::{py_regex, regex_reason};

use crate::ops::funcs::FnId;
use crate::plan::expr::{TExpr, TKind};
use crate::syntax::ast::{BinOp, Span, UnOp};
use crate::text::pystr;
use crate::text::{pyre, pytime};
use crate::value::format::py_str;
use crate::value::{Record, Value};

use super::elem::Elem;

/// A run-time error in an expression: a message and the sub-expression it is about.
#[derive(Debug)]
pub struct EvalError {
    pub msg: String,
    pub span: Span,
    /// A missing value (SPEC §3.1): a field a record does not have, an
    /// index past the end, an access on `null`. `A ?? B` gives B for
    /// these and for no other error.
    pub missing: bool,
}

fn err<T>(span: Span, msg: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError {
        msg: msg.into(),
        span,
        missing: false,
    })
}

/// A missing-value error: the one kind `??` catches.
fn missing<T>(span: Span, msg: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError {
        msg: msg.into(),
        span,
        missing: true,
    })
}

/// Regexes compiled once per run, keyed by pattern.
#[derive(Default)]
pub struct Env {
    pub regexes: HashMap<String, Regex>,
    /// `parse_time` formats compiled once per run, keyed by format.
    pub times: HashMap<String, pytime::Strptime>,
}

impl Env {
    /// Precompiles every constant regex in `e` (they were validated by the checker).
    pub fn prepare(&mut self, e: &TExpr) {
        if let TKind::Call(
            FnId::Matches | FnId::Extract | FnId::ExtractAll | FnId::Captures | FnId::Sub,
            args,
        ) = &e.kind
        {
            if let Some(TExpr {
                kind: TKind::Const(Value::Str(p)),
                ..
            }) = args.get(1)
            {
                if let Ok(re) = py_regex(p) {
                    self.regexes.insert(p.to_string(), re);
                }
            }
        }
        if let TKind::Call(FnId::ParseTime, args) = &e.kind {
            if let Some(TExpr {
                kind: TKind::Const(Value::Str(f)),
                ..
            }) = args.get(1)
            {
                if let Ok(t) = pytime::Strptime::new(f) {
                    self.times.insert(f.to_string(), t);
                }
            }
        }
        match &e.kind {
            TKind::List(xs) | TKind::Call(_, xs) => xs.iter().for_each(|x| self.prepare(x)),
            TKind::Record(entries) => entries.iter().for_each(|(_, x)| self.prepare(x)),
            TKind::If(c, a, b) => [c, a, b].iter().for_each(|x| self.prepare(x)),
            TKind::Slice(b, lo, hi) => {
                self.prepare(b);
                lo.iter().chain(hi.iter()).for_each(|x| self.prepare(x))
            }
            TKind::Field(b, _) | TKind::Unary(_, b) => self.prepare(b),
            TKind::Index(a, b) | TKind::Binary(_, a, b) => {
                self.prepare(a);
                self.prepare(b)
            }
            TKind::Const(_) | TKind::It => {}
        }
    }
}

/// Evaluates `e` for the element `it`. Borrowed parts of `it` and of `e`
/// stay borrowed in the result; `it` itself, if owned, is cloned.
pub fn eval<'a>(e: &'a TExpr, it: Elem<'a>, env: &Env) -> Result<Elem<'a>, EvalError> {
    eval_at(e, &it, env)
}

/// The record field `name` of `v`.
fn field<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    match v {
        Value::Record(r) => r.get(name),
        _ => None,
    }
}

fn eval_at<'a>(e: &'a TExpr, it: &Elem<'a>, env: &Env) -> Result<Elem<'a>, EvalError> {
    Ok(match &e.kind {
        TKind::Const(v) => Elem::Val(v),
        // A row read whole is built into its record.
        TKind::It => it.clone().built(),
        TKind::List(items) => Elem::Value(Value::List(Arc::new(
            items
                .iter()
                .map(|i| eval_at(i, it, env).map(Elem::into_value))
                .collect::<Result<_, _>>()?,
        ))),
        TKind::Field(base, name) => {
            // A field of a row the source lent: read without building it.
            if let (TKind::It, Elem::Row(r)) = (&base.kind, it) {
                if let Some(x) = r.get(name) {
                    return Ok(x);
                }
            }
            let b = eval_at(base, it, env)?;
            match b.project(|v| field(v, name)) {
                Some(x) => x,
                None if matches!(b.value(), Some(Value::Record(_))) => {
                    return missing(
                        e.span,
                        format!("the record has no field `{name}`: {}", b.repr(60)),
                    )
                }
                None => {
                    let fail = if matches!(b.value(), Some(Value::Null)) {
                        missing
                    } else {
                        err
                    };
                    return fail(
                        e.span,
                        format!(
                            "`.{name}` needs a record, but the value is {} {}",
                            b.type_name(),
                            b.repr(60)
                        ),
                    );
                }
            }
        }
        TKind::Index(base, idx) => {
            if let (TKind::It, TKind::Const(Value::Str(k)), Elem::Row(r)) =
                (&base.kind, &idx.kind, it)
            {
                if let Some(x) = r.get(k) {
                    return Ok(x);
                }
            }
            let b = eval_at(base, it, env)?;
            let i = eval_at(idx, it, env)?;
            index(b, i, e.span)?
        }
        TKind::Call(f, args) => call(*f, args, it, env, e.span)?,
        TKind::Unary(UnOp::Not, x) => {
            Elem::Value(Value::Bool(!truth(eval_at(x, it, env)?, x.span, "not")?))
        }
        TKind::Unary(UnOp::Neg, x) => {
            let v = eval_at(x, it, env)?;
            match v.value() {
                Some(Value::Int(i)) => match i.checked_neg() {
                    Some(n) => Elem::Value(Value::Int(n)),
                    None => return err(e.span, "integer overflow"),
                },
                Some(Value::Float(f)) => Elem::Value(Value::Float(-f)),
                Some(Value::Bool(b)) => Elem::Value(Value::Int(-(*b as i64))),
                _ => {
                    return err(
                        e.span,
                        format!("cannot negate {} {}", v.type_name(), v.repr(60)),
                    )
                }
            }
        }
        TKind::Binary(BinOp::And, l, r) => Elem::Value(Value::Bool(
            truth(eval_at(l, it, env)?, l.span, "and")?
                && truth(eval_at(r, it, env)?, r.span, "and")?,
        )),
        TKind::Binary(BinOp::Or, l, r) => Elem::Value(Value::Bool(
            truth(eval_at(l, it, env)?, l.span, "or")?
                || truth(eval_at(r, it, env)?, r.span, "or")?,
        )),
        // B only when A is null or missing: `.n ?? 0`, `.user.country ?? "unknown"`.
        TKind::Binary(BinOp::Coalesce, a, b) => match eval_at(a, it, env) {
            Ok(v) if matches!(v.value(), Some(Value::Null)) => eval_at(b, it, env)?,
            Ok(v) => v,
            Err(x) if x.missing => eval_at(b, it, env)?,
            Err(x) => return Err(x),
        },
        // `"k" in it` on a row the source lent: asks the row.
        TKind::Binary(BinOp::In, l, r) if matches!((&r.kind, it), (TKind::It, Elem::Row(_))) => {
            binary(BinOp::In, eval_at(l, it, env)?, it.clone(), e.span)?
        }
        TKind::Binary(op, l, r) => binary(*op, eval_at(l, it, env)?, eval_at(r, it, env)?, e.span)?,
        TKind::Record(entries) => {
            let mut rec = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                rec.push((Arc::from(k.as_str()), eval_at(v, it, env)?.into_value()));
            }
            // The checker made the keys distinct.
            Elem::Value(Value::Record(Arc::new(Record::from_unique(rec))))
        }
        TKind::If(c, a, b) => {
            if truth(eval_at(c, it, env)?, c.span, "if")? {
                eval_at(a, it, env)?
            } else {
                eval_at(b, it, env)?
            }
        }
        TKind::Slice(base, lo, hi) => {
            let b = eval_at(base, it, env)?;
            let bound = |x: &'a Option<Box<TExpr>>| -> Result<Option<i64>, EvalError> {
                let Some(x) = x else { return Ok(None) };
                let v = eval_at(x, it, env)?;
                match v.value() {
                    Some(Value::Int(i)) => Ok(Some(*i)),
                    _ => err(
                        x.span,
                        format!(
                            "a slice bound is an int, but the value is {} {}",
                            v.type_name(),
                            v.repr(60)
                        ),
                    ),
                }
            };
            let (lo, hi) = (bound(lo)?, bound(hi)?);
            slice(b, lo, hi, e.span)?
        }
    })
}

/// Python's `[lo:hi]` bounds on a sequence of `len` items: negative bounds
/// count from the end, and out-of-range bounds clamp.
fn slice_range(lo: Option<i64>, hi: Option<i64>, len: usize) -> (usize, usize) {
    let n = len as i64;
    let at = |i: i64| if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
    let (a, b) = (lo.map_or(0, at), hi.map_or(len, at));
    (a, b.max(a))
}

fn slice<'a>(
    b: Elem<'a>,
    lo: Option<i64>,
    hi: Option<i64>,
    span: Span,
) -> Result<Elem<'a>, EvalError> {
    if let Some(s) = b.as_str() {
        // Code points, as Python's str: find the byte offsets of both ends.
        let len = pystr::py_len(s);
        let (a, z) = slice_range(lo, hi, len);
        let byte = |k: usize| s.char_indices().nth(k).map_or(s.len(), |(i, _)| i);
        return Ok(Elem::Value(Value::str(&s[byte(a)..byte(z)])));
    }
    match b.value() {
        Some(Value::List(items)) => {
            let (a, z) = slice_range(lo, hi, items.len());
            Ok(Elem::Value(Value::List(Arc::new(items[a..z].to_vec()))))
        }
        Some(Value::Null) => missing(span, "cannot slice null None"),
        _ => err(
            span,
            format!(
                "only a str or a list can be sliced, but the value is {} {}",
                b.type_name(),
                b.repr(60)
            ),
        ),
    }
}

/// The bool an element-level condition produced.
pub fn truth(v: Elem, span: Span, what: &str) -> Result<bool, EvalError> {
    match v.value() {
        Some(Value::Bool(b)) => Ok(*b),
        _ => err(
            span,
            format!(
                "`{what}` needs a bool, but the value is {} {}",
                v.type_name(),
                v.repr(60)
            ),
        ),
    }
}

fn index<'a>(b: Elem<'a>, i: Elem<'a>, span: Span) -> Result<Elem<'a>, EvalError> {
    let pos = |n: i64, len: usize| -> Option<usize> {
        let k = if n < 0 { n + len as i64 } else { n };
        (0..len as i64).contains(&k).then_some(k as usize)
    };
    match (b.value(), i.value()) {
        (Some(Value::List(items)), Some(Value::Int(n))) => {
            match b.project(|v| match v {
                Value::List(l) => pos(*n, l.len()).map(|k| &l[k]),
                _ => None,
            }) {
                Some(x) => Ok(x),
                None => missing(
                    span,
                    format!(
                        "list index {n} out of range (the list has {} items)",
                        items.len()
                    ),
                ),
            }
        }
        (_, Some(Value::Int(n))) if b.as_str().is_some() => {
            let s = b.as_str().unwrap_or_default();
            let len = pystr::py_len(s);
            match pos(*n, len) {
                Some(k) => Ok(Elem::Value(Value::str(
                    &s.chars().nth(k).map(String::from).unwrap_or_default(),
                ))),
                None => missing(
                    span,
                    format!("string index {n} out of range (the string has {len} characters)"),
                ),
            }
        }
        (Some(Value::Record(_)), _) if i.as_str().is_some() => {
            let k = i.as_str().unwrap_or_default();
            match b.project(|v| field(v, k)) {
                Some(x) => Ok(x),
                None => missing(span, format!("the record has no field \"{k}\"")),
            }
        }
        (Some(Value::Null), _) => {
            missing(span, format!("cannot index null with {}", i.type_name()))
        }
        _ => err(
            span,
            format!("cannot index {} with {}", b.type_name(), i.type_name()),
        ),
    }
}

/// A number, as arithmetic sees it (a bool is an int).
fn num(v: &Value) -> Option<Num> {
    match v {
        Value::Int(i) => Some(Num::I(*i)),
        Value::Bool(b) => Some(Num::I(*b as i64)),
        Value::Float(f) => Some(Num::F(*f)),
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum Num {
    I(i64),
    F(f64),
}

impl Num {
    fn f(self) -> f64 {
        match self {
            Num::I(i) => i as f64,
            Num::F(f) => f,
        }
    }
}

fn binary<'a>(op: BinOp, l: Elem<'a>, r: Elem<'a>, span: Span) -> Result<Elem<'a>, EvalError> {
    use BinOp::*;
    let b = |x: bool| Ok(Elem::Value(Value::Bool(x)));
    match op {
        Eq | Ne => {
            let eq = match (l.as_str(), r.as_str()) {
                (Some(a), Some(c)) => a == c,
                _ => match (l.value(), r.value()) {
                    (Some(a), Some(c)) => a == c,
                    _ => false,
                },
            };
            return b(if op == Eq { eq } else { !eq });
        }
        Lt | Le | Gt | Ge => {
            let nan = |v: &Value| matches!(v, Value::Float(x) if x.is_nan());
            let ord = match (l.as_str(), r.as_str()) {
                (Some(a), Some(c)) => a.cmp(c),
                _ => match (l.value(), r.value()) {
                    (Some(a), Some(c)) if num(a).is_some() && num(c).is_some() => {
                        if nan(a) || nan(c) {
                            return b(false);
                        }
                        a.cmp(c)
                    }
                    (Some(a @ Value::List(_)), Some(c @ Value::List(_))) => a.cmp(c),
                    _ => {
                        return err(
                            span,
                            format!(
                                "cannot compare {} {} with {} {} using `{}`",
                                l.type_name(),
                                l.repr(60),
                                r.type_name(),
                                r.repr(60),
                                op.symbol()
                            ),
                        )
                    }
                },
            };
            use std::cmp::Ordering::*;
            return b(match op {
                Lt => ord == Less,
                Le => ord != Greater,
                Gt => ord == Greater,
                _ => ord != Less,
            });
        }
        In => {
            if let Elem::Row(row) = r {
                return b(l.as_str().is_some_and(|k| row.get(k).is_some()));
            }
            return match (r.as_str(), r.value()) {
                (Some(hay), _) => match l.as_str() {
                    Some(needle) => b(hay.contains(needle)),
                    None => err(
                        span,
                        format!("`in <str>` needs a str on the left, not {}", l.type_name()),
                    ),
                },
                (_, Some(Value::List(items))) => b(match l.value() {
                    Some(x) => items.contains(x),
                    None => items.contains(&l.into_value()),
                }),
                (_, Some(Value::Record(rec))) => match l.as_str() {
                    Some(k) => b(rec.contains_key(k)),
                    None => b(false),
                },
                _ => err(
                    span,
                    format!(
                        "`in` needs a str, list or record on the right, not {}",
                        r.type_name()
                    ),
                ),
            };
        }
        _ => {}
    }
    // Strings and lists.
    if matches!(op, Add | Concat) {
        if let (Some(a), Some(c)) = (l.as_str(), r.as_str()) {
            check_size(
                a.len() as u128 + c.len() as u128,
                MAX_STR_BYTES,
                "bytes",
                span,
            )?;
            return Ok(Elem::Value(Value::Str(Arc::from(
                format!("{a}{c}").as_str(),
            ))));
        }
        if let (Some(Value::List(a)), Some(Value::List(c))) = (l.value(), r.value()) {
            check_size(
                a.len() as u128 + c.len() as u128,
                MAX_LIST_ITEMS,
                "items",
                span,
            )?;
            return Ok(Elem::Value(Value::List(Arc::new(
                a.iter().chain(c.iter()).cloned().collect(),
            ))));
        }
        if op == Concat {
            return err(
                span,
                format!(
                    "`++` joins two strs or two lists, not {} and {}",
                    l.type_name(),
                    r.type_name()
                ),
            );
        }
    }
    if op == Mul {
        let rep = |n: i64| n.max(0) as usize;
        let repeat = |s: &Elem, n: i64| {
            let s = s.as_str().unwrap_or_default();
            check_size(
                s.len() as u128 * rep(n) as u128,
                MAX_STR_BYTES,
                "bytes",
                span,
            )?;
            Ok(Elem::Value(Value::str(&s.repeat(rep(n)))))
        };
        match (l.value(), r.value()) {
            (_, Some(Value::Int(n))) if l.as_str().is_some() => return repeat(&l, *n),
            (Some(Value::Int(n)), _) if r.as_str().is_some() => return repeat(&r, *n),
            (Some(Value::List(a)), Some(Value::Int(n)))
            | (Some(Value::Int(n)), Some(Value::List(a))) => {
                check_size(
                    a.len() as u128 * rep(*n) as u128,
                    MAX_LIST_ITEMS,
                    "items",
                    span,
                )?;
                let mut out = Vec::with_capacity(a.len() * rep(*n));
                for _ in 0..rep(*n) {
                    out.extend(a.iter().cloned());
                }
                return Ok(Elem::Value(Value::List(Arc::new(out))));
            }
            _ => {}
        }
    }
    let (Some(a), Some(c)) = (l.value().and_then(num), r.value().and_then(num)) else {
        return err(
            span,
            format!(
                "cannot apply `{}` to {} {} and {} {}",
                op.symbol(),
                l.type_name(),
                l.repr(60),
                r.type_name(),
                r.repr(60)
            ),
        );
    };
    let v = match (op, a, c) {
        (Div, _, _) => {
            if c.f() == 0.0 {
                return err(span, "division by zero");
            }
            Value::Float(a.f() / c.f())
        }
        (Add, Num::I(x), Num::I(y)) => Value::Int(x.checked_add(y).ok_or_else(|| overflow(span))?),
        (Sub, Num::I(x), Num::I(y)) => Value::Int(x.checked_sub(y).ok_or_else(|| overflow(span))?),
        (Mul, Num::I(x), Num::I(y)) => Value::Int(x.checked_mul(y).ok_or_else(|| overflow(span))?),
        (Mod, Num::I(x), Num::I(y)) => match pystr::py_mod_int(x, y) {
            Some(m) => Value::Int(m),
            None if y == 0 => return err(span, "integer modulo by zero"),
            None => return Err(overflow(span)),
        },
        (Add, x, y) => Value::Float(x.f() + y.f()),
        (Sub, x, y) => Value::Float(x.f() - y.f()),
        (Mul, x, y) => Value::Float(x.f() * y.f()),
        (Mod, x, y) => match pystr::py_mod_float(x.f(), y.f()) {
            Some(m) => Value::Float(m),
            None => return err(span, "float modulo by zero"),
        },
        _ => return err(span, format!("cannot apply `{}`", op.symbol())),
    };
    Ok(Elem::Value(v))
}

/// An integral float as an i64, if it is within range (exactly: -2^63 ≤ x < 2^63).
fn float_to_int(x: f64) -> Option<i64> {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63, exact in f64
    (x.is_finite() && (-LIMIT..LIMIT).contains(&x)).then_some(x as i64)
}

/// Python's `round(i, n)` for an int and negative `n`: to a multiple of
/// 10^-n, ties to even, computed exactly.
fn round_int(i: i64, n: i64) -> Option<i64> {
    if n >= 0 {
        return Some(i);
    }
    if n < -19 {
        return Some(0);
    }
    let m = 10i128.pow((-n) as u32);
    let v = i as i128;
    let (q, r) = (v.div_euclid(m), v.rem_euclid(m));
    let up = match (2 * r).cmp(&m) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => q % 2 != 0,
    };
    i64::try_from((q + i128::from(up)) * m).ok()
}

/// The largest string one expression may make (1 GiB), and the most items
/// of one list: past them a result is a diagnostic naming the stage, not an
/// allocation that aborts the process.
const MAX_STR_BYTES: u128 = 1 << 30;
const MAX_LIST_ITEMS: u128 = 1 << 27;

fn check_size(size: u128, max: u128, unit: &str, span: Span) -> Result<(), EvalError> {
    if size <= max {
        return Ok(());
    }
    err(
        span,
        format!("the result would hold {size} {unit}, more than one value may ({max})"),
    )
}

fn overflow(span: Span) -> EvalError {
    EvalError {
        msg: "integer overflow (integers are 64-bit)".into(),
        span,
        missing: false,
    }
}

fn str_arg<'v>(v: &'v Elem, span: Span, f: &str) -> Result<&'v str, EvalError> {
    v.as_str().ok_or_else(|| EvalError {
        msg: format!(
            "`{f}` needs a str, but the value is {} {}",
            v.type_name(),
            v.repr(60)
        ),
        span,
        missing: false,
    })
}

/// `extract`, `extract_all`, `captures` or `sub` of `s` with the compiled regex `re`.
fn regex_call<'a>(
    f: FnId,
    re: &Regex,
    s: &str,
    vals: &[Elem<'a>],
    sp: &dyn Fn(usize) -> Span,
) -> Result<Elem<'a>, EvalError> {
    let text = |m: Option<regex::Match>| m.map_or(Value::Null, |m| Value::str(m.as_str()));
    Ok(Elem::Value(match f {
        FnId::Extract => {
            let g = match vals.get(2).map(|v| (v, v.value())) {
                None => pyre::GroupRef::Index(i64::from(pyre::group_count(re) >= 1)),
                Some((_, Some(Value::Int(i)))) => pyre::GroupRef::Index(*i),
                Some((v, _)) if v.as_str().is_some() => {
                    pyre::GroupRef::Name(v.as_str().unwrap_or_default())
                }
                Some((v, _)) => {
                    return err(
                        sp(2),
                        format!(
                            "`extract` names a group by int or str, but the value is {} {}",
                            v.type_name(),
                            v.repr(60)
                        ),
                    )
                }
            };
            let g = pyre::resolve_group(re, g).map_err(|m| EvalError {
                msg: m,
                span: sp(2),
                missing: false,
            })?;
            match re.captures(s) {
                Some(c) => text(c.get(g)),
                None => Value::Null,
            }
        }
        FnId::ExtractAll => {
            let n = pyre::group_count(re);
            if n > 1 {
                return err(
                    sp(1),
                    format!(
                        "`extract_all` takes a regex with at most one group, but this one has {n}"
                    ),
                );
            }
            let found = pyre::findall(re, s);
            check_size(found.len() as u128, MAX_LIST_ITEMS, "items", sp(0))?;
            Value::List(Arc::new(found.into_iter().map(Value::str).collect()))
        }
        FnId::Captures => match re.captures(s) {
            None => Value::Null,
            Some(c) => {
                let mut r = crate::value::Record::new();
                for (i, name) in re.capture_names().enumerate() {
                    if let Some(name) = name {
                        r.insert(Arc::from(name), text(c.get(i)));
                    }
                }
                Value::Record(Arc::new(r))
            }
        },
        _ => {
            let repl = str_arg(&vals[2], sp(2), "sub")?;
            let t = pyre::parse_template(repl, re).map_err(|m| EvalError {
                msg: format!("invalid replacement: {m}"),
                span: sp(2),
                missing: false,
            })?;
            let out = pyre::sub(re, s, &t);
            check_size(out.len() as u128, MAX_STR_BYTES, "bytes", sp(0))?;
            Value::str(&out)
        }
    }))
}

fn call<'a>(
    f: FnId,
    args: &'a [TExpr],
    it: &Elem<'a>,
    env: &Env,
    span: Span,
) -> Result<Elem<'a>, EvalError> {
    // Functions take at most a few arguments: no allocation per call.
    let mut vals: smallvec::SmallVec<[Elem<'a>; 3]> = smallvec::SmallVec::new();
    for a in args {
        vals.push(eval_at(a, it, env)?);
    }
    let sp = |i: usize| args.get(i).map_or(span, |a| a.span);
    let opt_str = |i: usize, name: &str| -> Result<Option<&str>, EvalError> {
        match vals.get(i) {
            None => Ok(None),
            Some(v) if matches!(v.value(), Some(Value::Null)) => Ok(None),
            Some(v) => str_arg(v, sp(i), name).map(Some),
        }
    };
    let owned = |s: std::borrow::Cow<'_, str>| Elem::Value(Value::str(&s));
    Ok(match f {
        FnId::Len => Elem::Value(Value::Int(match vals[0].value() {
            Some(Value::List(l)) => l.len() as i64,
            Some(Value::Record(r)) => r.len() as i64,
            _ => pystr::py_len(str_arg(&vals[0], sp(0), "len")?) as i64,
        })),
        FnId::Lower => owned(pystr::lower(str_arg(&vals[0], sp(0), "lower")?)),
        FnId::Upper => owned(pystr::upper(str_arg(&vals[0], sp(0), "upper")?)),
        FnId::Strip => {
            let s = str_arg(&vals[0], sp(0), "strip")?;
            Elem::Value(Value::str(pystr::strip(s, opt_str(1, "strip")?)))
        }
        FnId::Split => {
            let s = str_arg(&vals[0], sp(0), "split")?;
            let parts: Vec<Value> = match opt_str(1, "split")? {
                None => pystr::split_whitespace_py(s).map(Value::str).collect(),
                Some(sep) => {
                    if let Err(m) = pystr::check_sep(sep) {
                        return err(sp(1), m);
                    }
                    pystr::split_sep(s, sep).map(Value::str).collect()
                }
            };
            Elem::Value(Value::List(Arc::new(parts)))
        }
        FnId::Replace => {
            let s = str_arg(&vals[0], sp(0), "replace")?;
            owned(pystr::replace(
                s,
                str_arg(&vals[1], sp(1), "replace")?,
                str_arg(&vals[2], sp(2), "replace")?,
            ))
        }
        FnId::StartsWith => Elem::Value(Value::Bool(
            str_arg(&vals[0], sp(0), "starts_with")?.starts_with(str_arg(
                &vals[1],
                sp(1),
                "starts_with",
            )?),
        )),
        FnId::EndsWith => Elem::Value(Value::Bool(
            str_arg(&vals[0], sp(0), "ends_with")?.ends_with(str_arg(
                &vals[1],
                sp(1),
                "ends_with",
            )?),
        )),
        FnId::Contains => {
            let r = binary(BinOp::In, vals[1].clone(), vals[0].clone(), span)?;
            r
        }
        FnId::Matches => {
            let s = str_arg(&vals[0], sp(0), "matches")?;
            let p = str_arg(&vals[1], sp(1), "matches")?;
            let hit = match env.regexes.get(p) {
                Some(re) => re.is_match(s),
                None => match py_regex(p) {
                    Ok(re) => re.is_match(s),
                    Err(e) => {
                        return err(
                            sp(1),
                            format!("invalid regular expression: {}", regex_reason(&e)),
                        )
                    }
                },
            };
            Elem::Value(Value::Bool(hit))
        }
        FnId::Lstrip => {
            let s = str_arg(&vals[0], sp(0), "lstrip")?;
            Elem::Value(Value::str(pystr::lstrip(s, opt_str(1, "lstrip")?)))
        }
        FnId::Rstrip => {
            let s = str_arg(&vals[0], sp(0), "rstrip")?;
            Elem::Value(Value::str(pystr::rstrip(s, opt_str(1, "rstrip")?)))
        }
        FnId::Find => {
            let s = str_arg(&vals[0], sp(0), "find")?;
            let sub = str_arg(&vals[1], sp(1), "find")?;
            Elem::Value(Value::Int(match s.find(sub) {
                Some(b) => pystr::py_len(&s[..b]) as i64,
                None => -1,
            }))
        }
        FnId::Join => {
            let Some(Value::List(items)) = vals[0].value() else {
                return err(
                    sp(0),
                    format!(
                        "`join` joins a list of str, but the value is {} {}",
                        vals[0].type_name(),
                        vals[0].repr(60)
                    ),
                );
            };
            let sep = str_arg(&vals[1], sp(1), "join")?;
            let mut total = (sep.len() * items.len().saturating_sub(1)) as u128;
            for (i, item) in items.iter().enumerate() {
                let Value::Str(x) = item else {
                    return err(
                        sp(0),
                        format!(
                            "`join` joins strs, but item {i} is {} {}",
                            item.type_name(),
                            Elem::Val(item).repr(60)
                        ),
                    );
                };
                total += x.len() as u128;
            }
            check_size(total, MAX_STR_BYTES, "bytes", span)?;
            let strs: Vec<&str> = items
                .iter()
                .map(|x| match x {
                    Value::Str(x) => &**x,
                    _ => "",
                })
                .collect();
            Elem::Value(Value::str(&strs.join(sep)))
        }
        FnId::Keys | FnId::Values => {
            let Some(Value::Record(r)) = vals[0].value() else {
                return err(
                    sp(0),
                    format!(
                        "`{}` needs a record, but the value is {} {}",
                        if f == FnId::Keys { "keys" } else { "values" },
                        vals[0].type_name(),
                        vals[0].repr(60)
                    ),
                );
            };
            let items: Vec<Value> = if f == FnId::Keys {
                r.keys().map(|k| Value::Str(k.clone())).collect()
            } else {
                r.iter().map(|(_, v)| v.clone()).collect()
            };
            Elem::Value(Value::List(Arc::new(items)))
        }
        FnId::Type => Elem::Value(Value::str(vals[0].type_name())),
        FnId::Extract | FnId::ExtractAll | FnId::Captures | FnId::Sub => {
            let name = match f {
                FnId::Extract => "extract",
                FnId::ExtractAll => "extract_all",
                FnId::Captures => "captures",
                _ => "sub",
            };
            let s = str_arg(&vals[0], sp(0), name)?;
            let p = str_arg(&vals[1], sp(1), name)?;
            let compiled;
            let re = match env.regexes.get(p) {
                Some(re) => re,
                None => match py_regex(p) {
                    Ok(re) => {
                        compiled = re;
                        &compiled
                    }
                    Err(e) => {
                        return err(
                            sp(1),
                            format!("invalid regular expression: {}", regex_reason(&e)),
                        )
                    }
                },
            };
            regex_call(f, re, s, &vals, &sp)?
        }
        FnId::ParseTime => {
            let s = str_arg(&vals[0], sp(0), "parse_time")?;
            let fmt = str_arg(&vals[1], sp(1), "parse_time")?;
            let compiled;
            let t = match env.times.get(fmt) {
                Some(t) => t,
                None => match pytime::Strptime::new(fmt) {
                    Ok(t) => {
                        compiled = t;
                        &compiled
                    }
                    Err(m) => return err(sp(1), format!("invalid time format: {m}")),
                },
            };
            match t.parse(s) {
                Ok(x) => Elem::Value(Value::Float(x)),
                Err(why) => {
                    return err(
                        sp(0),
                        format!(
                            "`parse_time`: {} {} {}",
                            vals[0].repr(60),
                            match why {
                                pytime::ParseFail::NoMatch => "does not match the format",
                                pytime::ParseFail::Invalid =>
                                    "is no valid date and time in the format",
                            },
                            vals[1].repr(60)
                        ),
                    )
                }
            }
        }
        FnId::FormatTime => {
            let t = match vals[0].value() {
                Some(Value::Int(i)) => pytime::Timestamp::Int(*i),
                Some(Value::Float(x)) => pytime::Timestamp::Float(*x),
                _ => {
                    return err(
                        sp(0),
                        format!(
                        "`format_time` needs epoch seconds (int or float), but the value is {} {}",
                        vals[0].type_name(),
                        vals[0].repr(60)
                    ),
                    )
                }
            };
            let fmt = str_arg(&vals[1], sp(1), "format_time")?;
            if let Err(m) = pytime::check_strftime(fmt) {
                return err(sp(1), format!("invalid time format: {m}"));
            }
            match pytime::strftime(t, fmt) {
                Ok(s) => Elem::Value(Value::str(&s)),
                Err(pytime::OutOfRange) => {
                    return err(
                        sp(0),
                        format!(
                            "`format_time`: {} is not a time in the years 1 to 9999",
                            vals[0].repr(60)
                        ),
                    )
                }
            }
        }
        FnId::NotDelim => Elem::Value(Value::Bool(pystr::not_delim(str_arg(
            &vals[0],
            sp(0),
            "not_delim",
        )?))),
        FnId::Int => Elem::Value(Value::Int(match vals[0].value() {
            Some(Value::Int(i)) => *i,
            Some(Value::Bool(b)) => *b as i64,
            Some(Value::Float(x)) => match float_to_int(x.trunc()) {
                Some(i) => i,
                None => {
                    return err(
                        sp(0),
                        format!(
                            "cannot convert float {} to int: out of the 64-bit range",
                            pystr::float_repr(*x)
                        ),
                    )
                }
            },
            _ => {
                let v = &vals[0];
                let s = str_arg(v, sp(0), "int")?;
                match pystr::parse_int(s) {
                    Some(i) => i,
                    None => {
                        return err(sp(0), format!("invalid literal for int(): {}", v.repr(60)))
                    }
                }
            }
        })),
        FnId::Float => Elem::Value(Value::Float(match vals[0].value() {
            Some(Value::Int(i)) => *i as f64,
            Some(Value::Bool(b)) => *b as i64 as f64,
            Some(Value::Float(x)) => *x,
            _ => {
                let v = &vals[0];
                let s = str_arg(v, sp(0), "float")?;
                match pystr::parse_float(s) {
                    Some(x) => x,
                    None => {
                        return err(
                            sp(0),
                            format!("could not convert string to float: {}", v.repr(60)),
                        )
                    }
                }
            }
        })),
        FnId::Str => match vals[0].value() {
            Some(v) if !matches!(v, Value::Str(_)) => Elem::Value(Value::str(&py_str(v))),
            _ => vals[0].clone(),
        },
        FnId::Abs => Elem::Value(match vals[0].value() {
            Some(Value::Int(i)) => Value::Int(i.checked_abs().ok_or_else(|| overflow(span))?),
            Some(Value::Bool(b)) => Value::Int(*b as i64),
            Some(Value::Float(x)) => Value::Float(x.abs()),
            _ => {
                return err(
                    sp(0),
                    format!(
                        "`abs` needs a number, but the value is {} {}",
                        vals[0].type_name(),
                        vals[0].repr(60)
                    ),
                )
            }
        }),
        FnId::Round => {
            let nd = match vals.get(1).map(|v| (v, v.value())) {
                None | Some((_, Some(Value::Null))) => None,
                Some((_, Some(Value::Int(n)))) => Some(*n),
                Some((v, _)) => {
                    return err(
                        sp(1),
                        format!(
                            "`round` needs an int number of digits, not {}",
                            v.type_name()
                        ),
                    )
                }
            };
            Elem::Value(match (vals[0].value(), nd) {
                (Some(Value::Int(i)), None) => Value::Int(*i),
                (Some(Value::Bool(b)), None) => Value::Int(*b as i64),
                (Some(Value::Int(i)), Some(n)) if n >= 0 => Value::Int(*i),
                // Python's bool rounds as the int it is.
                (Some(Value::Bool(b)), Some(n)) => match round_int(*b as i64, n) {
                    Some(r) => Value::Int(r),
                    None => return Err(overflow(span)),
                },
                (Some(Value::Int(i)), Some(n)) => match round_int(*i, n) {
                    Some(r) => Value::Int(r),
                    None => return Err(overflow(span)),
                },
                (Some(Value::Float(x)), None) => {
                    if !x.is_finite() {
                        return err(
                            sp(0),
                            format!("cannot round {} to an int", pystr::float_repr(*x)),
                        );
                    }
                    match float_to_int(pystr::py_round(*x, None)) {
                        Some(i) => Value::Int(i),
                        None => return Err(overflow(span)),
                    }
                }
                (Some(Value::Float(x)), Some(n)) => Value::Float(pystr::py_round(*x, Some(n))),
                _ => {
                    return err(
                        sp(0),
                        format!(
                            "`round` needs a number, but the value is {} {}",
                            vals[0].type_name(),
                            vals[0].repr(60)
                        ),
                    )
                }
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::expr::{check, NameRef};
    use crate::syntax::ast::Stmt;
    use crate::types::Type;

    fn ev(src: &str, it: Value) -> Result<String, String> {
        let prog = crate::syntax::parse(&format!("map {src}")).unwrap();
        let Stmt::Output(p) = &prog.stmts[0] else {
            panic!()
        };
        let t = check(&p.stages[0].args[0], &Type::Any, &|_| NameRef::Unbound)
            .map_err(|d| d.message)?;
        let mut env = Env::default();
        env.prepare(&t);
        eval(&t, Elem::Val(&it), &env)
            .map(|v| format!("{:?}", v.into_value()))
            .map_err(|e| e.msg)
    }

    #[test]
    fn python_arithmetic() {
        assert_eq!(ev("7 / 2", Value::Null).unwrap(), "Float(3.5)");
        assert_eq!(ev("-7 % 3", Value::Null).unwrap(), "Int(2)");
        assert_eq!(ev("7 % -3", Value::Null).unwrap(), "Int(-2)");
        assert_eq!(ev("1 + 2.5", Value::Null).unwrap(), "Float(3.5)");
        assert_eq!(ev("\"ab\" * 2", Value::Null).unwrap(), "Str(\"abab\")");
        assert!(ev("1 / 0", Value::Null)
            .unwrap_err()
            .contains("division by zero"));
        assert!(ev("it + 1", Value::str("x"))
            .unwrap_err()
            .contains("cannot apply `+`"));
        assert!(ev("9223372036854775807 + 1", Value::Null)
            .unwrap_err()
            .contains("overflow"));
    }

    #[test]
    fn strings_and_calls() {
        assert_eq!(ev("len(it)", Value::str("héllo")).unwrap(), "Int(5)");
        assert_eq!(ev("int(\" 12 \")", Value::Null).unwrap(), "Int(12)");
        assert_eq!(ev("str(2.0)", Value::Null).unwrap(), "Str(\"2.0\")");
        assert_eq!(ev("round(2.5)", Value::Null).unwrap(), "Int(2)");
        assert_eq!(
            ev("matches(it, \"^a.c$\")", Value::str("abc")).unwrap(),
            "Bool(true)"
        );
        assert_eq!(ev("it[-1]", Value::str("abc")).unwrap(), "Str(\"c\")");
        assert_eq!(ev("\"b\" in it", Value::str("abc")).unwrap(), "Bool(true)");
        assert_eq!(
            ev("starts_with(\"ab\")", Value::str("abc")).unwrap(),
            "Bool(true)"
        );
        assert!(ev("int(it)", Value::str("x1"))
            .unwrap_err()
            .contains("invalid literal"));
    }

    fn rec(json: &str) -> Value {
        crate::value::format::parse_json(json).unwrap()
    }

    /// A result as JSON text, for the tests of §3.1.
    fn evj(src: &str, it: Value) -> Result<String, String> {
        let prog = crate::syntax::parse(&format!("map {src}")).map_err(|d| d.message)?;
        let Stmt::Output(p) = &prog.stmts[0] else {
            panic!()
        };
        let t = check(&p.stages[0].args[0], &Type::Any, &|_| NameRef::Unbound)
            .map_err(|d| d.message)?;
        let env = Env::default();
        let v = eval(&t, Elem::Val(&it), &env).map_err(|e| e.msg)?;
        let mut out = String::new();
        crate::value::format::json(&v.into_value(), &mut out);
        Ok(out)
    }

    #[test]
    fn record_literals_keep_the_written_order() {
        let it = rec(r#"{"user": {"id": 7}, "status": 200, "bytes": 5}"#);
        assert_eq!(
            evj(
                r#"{user: .user.id, "status code": .status, .bytes, .user.id}"#,
                it.clone()
            )
            .unwrap(),
            r#"{"user":7,"status code":200,"bytes":5,"id":7}"#
        );
        assert_eq!(
            evj("{z: 1, a: [.status, .bytes * 2]}", it.clone()).unwrap(),
            r#"{"z":1,"a":[200,10]}"#
        );
        assert_eq!(evj("{}", it.clone()).unwrap(), "{}");
        assert_eq!(evj("{a: 1, b: 2}.b", it).unwrap(), "2");
    }

    #[test]
    fn coalesce_catches_only_missing_values() {
        let it = rec(r#"{"user": {"id": 7}, "n": null, "xs": [1, 2], "s": "abc", "z": null}"#);
        let ok = |src: &str| evj(src, it.clone()).unwrap();
        assert_eq!(ok(".user.country ?? \"unknown\""), r#""unknown""#);
        assert_eq!(ok(".user.id ?? 0"), "7");
        assert_eq!(ok(".n ?? 3"), "3");
        assert_eq!(ok(".xs[5] ?? -1"), "-1");
        assert_eq!(ok(".xs[-3] ?? -1"), "-1");
        assert_eq!(ok(".s[3] ?? \"\""), r#""""#);
        assert_eq!(ok(".z.a.b ?? 1"), "1");
        assert_eq!(ok(".z[0] ?? 1"), "1");
        assert_eq!(ok(".z[0:1] ?? 1"), "1");
        assert_eq!(ok("it[\"nope\"] ?? 1"), "1");
        assert_eq!(ok("len(.missing) ?? 0"), "0");
        assert_eq!(ok(".nope ?? .n ?? 9"), "9");
        // B is not evaluated when A is present.
        assert_eq!(ok(".user.id ?? int(\"x\")"), "7");
        assert_eq!(ok("(.nope ?? 1) + 1"), "2");
        // Other errors inside A still fail.
        assert!(evj("int(.s) ?? 0", it.clone())
            .unwrap_err()
            .contains("invalid literal"));
        assert!(evj(".s.x ?? 0", it.clone())
            .unwrap_err()
            .contains("needs a record"));
        assert!(evj("(1 / 0) ?? 0", it.clone())
            .unwrap_err()
            .contains("division by zero"));
        // And a missing value outside `??` names the key.
        assert_eq!(
            evj(".user.country", it).unwrap_err(),
            "the record has no field `country`: {'id': 7}"
        );
    }

    #[test]
    fn conditionals_need_a_bool() {
        let it = rec(r#"{"n": 5, "s": "x"}"#);
        assert_eq!(
            evj("if .n > 3 then \"big\" else \"small\"", it.clone()).unwrap(),
            r#""big""#
        );
        assert_eq!(evj("if .n > 9 then 1 else 2 + 3", it.clone()).unwrap(), "5");
        // Only the branch taken is evaluated.
        assert_eq!(evj("if true then 1 else 1 / 0", it.clone()).unwrap(), "1");
        assert_eq!(
            evj("if .s then 1 else 2", it).unwrap_err(),
            "`if` needs a bool, but the value is str 'x'"
        );
    }

    #[test]
    fn slices_follow_python() {
        let s = |src: &str, v: &str| evj(src, Value::str(v)).unwrap();
        assert_eq!(s("it[1:3]", "hello"), r#""el""#);
        assert_eq!(s("it[-3:]", "hello"), r#""llo""#);
        assert_eq!(s("it[:5]", "hi"), r#""hi""#);
        assert_eq!(s("it[:]", "hi"), r#""hi""#);
        assert_eq!(s("it[3:1]", "hello"), r#""""#);
        assert_eq!(s("it[-100:100]", "hello"), r#""hello""#);
        assert_eq!(s("it[10:]", "hello"), r#""""#);
        assert_eq!(s("it[-1]", "hello"), r#""o""#);
        // Code points, not bytes.
        assert_eq!(s("it[1:3]", "héllo wörld"), r#""él""#);
        assert_eq!(s("it[-5:-2]", "héllo wörld"), r#""wör""#);
        assert_eq!(s("it[2:]", "日本語です"), r#""語です""#);
        let xs = rec("[1, 2, 3, 4]");
        assert_eq!(evj("it[1:-1]", xs.clone()).unwrap(), "[2,3]");
        assert_eq!(evj("it[-2:]", xs.clone()).unwrap(), "[3,4]");
        assert_eq!(evj("it[5:9]", xs.clone()).unwrap(), "[]");
        assert_eq!(
            evj("it[-9223372036854775807:9223372036854775807]", xs.clone()).unwrap(),
            "[1,2,3,4]"
        );
        assert!(evj("it[-5]", xs.clone())
            .unwrap_err()
            .contains("out of range"));
        assert_eq!(evj("it[-5] ?? it[-4]", xs.clone()).unwrap(), "1");
        assert_eq!(
            evj("it[:it[0]]", rec(r#"["a", 1]"#)).unwrap_err(),
            "a slice bound is an int, but the value is str 'a'"
        );
        assert_eq!(evj("it[1:] ?? 0", Value::Null).unwrap(), "0");
        assert!(evj("it[1:]", Value::Int(3))
            .unwrap_err()
            .contains("only a str or a list"));
    }

    #[test]
    fn int_conversions_stay_exact_or_fail() {
        assert_eq!(
            round_int(1152921504606846977, -1),
            Some(1152921504606846980)
        );
        assert_eq!(round_int(25, -1), Some(20));
        assert_eq!(round_int(35, -1), Some(40));
        assert_eq!(round_int(-25, -1), Some(-20));
        assert_eq!(round_int(i64::MAX, -1), None);
        assert!(ev("int(9.25e18)", Value::Null)
            .unwrap_err()
            .contains("out of the 64-bit range"));
        assert!(ev("round(1e19)", Value::Null)
            .unwrap_err()
            .contains("overflow"));
        assert_eq!(
            ev("int(-9223372036854775808.0)", Value::Null).unwrap(),
            "Int(-9223372036854775808)"
        );
    }

    #[test]
    fn comparisons_follow_python() {
        assert_eq!(ev("1 == 1.0", Value::Null).unwrap(), "Bool(true)");
        // Known types that can never be equal are a check-time error; `any`
        // compares as Python does.
        assert!(ev("\"1\" == 1", Value::Null)
            .unwrap_err()
            .contains("never equal"));
        assert_eq!(ev("it == 1", Value::str("1")).unwrap(), "Bool(false)");
        // A bool and an int compare (as in Python), so the check lets them be.
        assert!(ev("true == 1", Value::Null).is_ok());
        assert!(ev("it < 1", Value::str("a"))
            .unwrap_err()
            .contains("cannot compare"));
        assert_eq!(ev("\"B\" < \"a\"", Value::Null).unwrap(), "Bool(true)");
    }

    /// Every function's example in the catalog (shown by `:help`) is what
    /// the evaluator gives.
    #[test]
    fn function_examples_are_true() {
        for f in crate::ops::funcs::FUNCTIONS {
            let (it, ex) = match f.example.strip_prefix("it = ") {
                Some(rest) => {
                    let (json, ex) = rest.split_once("; ").expect("`it = JSON; EXPR → RESULT`");
                    (crate::value::format::parse_json(json).unwrap(), ex)
                }
                None => (Value::Null, f.example),
            };
            let (expr, want) = ex
                .split_once(" → ")
                .unwrap_or_else(|| panic!("`{}`: the example needs ` → `", f.name));
            assert!(
                expr.starts_with(&format!("{}(", f.name)),
                "the example of `{}` calls it",
                f.name
            );
            let prog = crate::syntax::parse(&format!("map {expr}")).unwrap();
            let Stmt::Output(p) = &prog.stmts[0] else {
                panic!()
            };
            let t = check(&p.stages[0].args[0], &it.type_of(), &|_| NameRef::Unbound)
                .unwrap_or_else(|d| panic!("`{expr}`: {}", d.message));
            let mut env = Env::default();
            env.prepare(&t);
            let got = eval(&t, Elem::Val(&it), &env)
                .unwrap_or_else(|e| panic!("`{expr}`: {}", e.msg))
                .into_value();
            let mut json = String::new();
            crate::value::format::json(&got, &mut json);
            assert_eq!(json, want, "the example of `{}`", f.name);
        }
    }

    #[test]
    fn new_string_functions() {
        let s = |x: &str| Value::str(x);
        assert_eq!(ev("lstrip(it)", s(" \u{1c}a ")).unwrap(), "Str(\"a \")");
        assert_eq!(ev("rstrip(it, \"ab\")", s("xaba")).unwrap(), "Str(\"x\")");
        assert_eq!(ev("find(it, \"é\")", s("aéé")).unwrap(), "Int(1)");
        assert_eq!(ev("find(it, \"\")", s("abc")).unwrap(), "Int(0)");
        assert_eq!(ev("find(it, \"z\")", s("abc")).unwrap(), "Int(-1)");
        assert_eq!(
            ev(
                "join(it, \", \")",
                Value::List(Arc::new(vec![s("a"), s("b")]))
            )
            .unwrap(),
            "Str(\"a, b\")"
        );
        assert_eq!(
            ev("join(it, \"-\")", Value::List(Arc::new(vec![]))).unwrap(),
            "Str(\"\")"
        );
        assert_eq!(
            ev(
                "join(it, \"-\")",
                Value::List(Arc::new(vec![s("a"), Value::Int(5)]))
            )
            .unwrap_err(),
            "`join` joins strs, but item 1 is int 5"
        );
        assert!(ev("join(it, \"-\")", s("abc"))
            .unwrap_err()
            .contains("joins a list of str"));
        assert_eq!(ev("type(it)", Value::Null).unwrap(), "Str(\"null\")");
        assert_eq!(ev("type(it)", s("x")).unwrap(), "Str(\"str\")");
        assert_eq!(ev("type(1.0)", Value::Null).unwrap(), "Str(\"float\")");
        assert_eq!(ev("type([])", Value::Null).unwrap(), "Str(\"list\")");
        assert!(ev("keys(it)", s("x"))
            .unwrap_err()
            .contains("`keys` needs a record"));
        // Python's round: exact on the decimal value, ties to even.
        assert_eq!(ev("round(2.675, 2)", Value::Null).unwrap(), "Float(2.67)");
        assert_eq!(ev("round(0.5)", Value::Null).unwrap(), "Int(0)");
        assert_eq!(ev("round(25, -1)", Value::Null).unwrap(), "Int(20)");
        assert_eq!(ev("round(7, 2)", Value::Null).unwrap(), "Int(7)");
        assert_eq!(ev("round(true, 2)", Value::Null).unwrap(), "Int(1)");
        assert_eq!(ev("round(-0.5)", Value::Null).unwrap(), "Int(0)");
        assert_eq!(ev("round(1.5)", Value::Null).unwrap(), "Int(2)");
    }

    #[test]
    fn regex_functions() {
        let s = |x: &str| Value::str(x);
        let line = s("1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 200 2326");
        assert_eq!(
            ev("extract(it, \"\\\\[([^\\\\]]+)\\\\]\")", line.clone()).unwrap(),
            "Str(\"10/Oct/2000:13:55:36 -0700\")"
        );
        assert_eq!(
            ev("extract(it, \"\\\\d+$\")", line.clone()).unwrap(),
            "Str(\"2326\")"
        );
        assert_eq!(
            ev(
                "extract(it, \"(?P<m>GET|POST) (\\\\S+)\", \"m\")",
                line.clone()
            )
            .unwrap(),
            "Str(\"GET\")"
        );
        assert_eq!(
            ev("extract(it, \"(GET|POST) (\\\\S+)\", 2)", line.clone()).unwrap(),
            "Str(\"/a.gif\")"
        );
        assert_eq!(ev("extract(it, \"zzz(.)\")", line.clone()).unwrap(), "Null");
        assert_eq!(ev("extract(it, \"a|(b)\")", s("a")).unwrap(), "Null");
        assert_eq!(
            ev("extract_all(it, \"\\\\d+\")", s("a1b22")).unwrap(),
            "List([Str(\"1\"), Str(\"22\")])"
        );
        assert_eq!(
            ev("extract_all(it, \"k(\\\\w)\")", s("ka kß")).unwrap(),
            "List([Str(\"a\"), Str(\"ß\")])"
        );
        assert_eq!(
            ev("extract_all(it, \"x*\")", s("ab")).unwrap(),
            "List([Str(\"\"), Str(\"\"), Str(\"\")])"
        );
        assert_eq!(
            ev(
                "captures(it, \"(?P<y>\\\\d{4})-(?P<m>\\\\d\\\\d)?\")",
                s("on 2024-")
            )
            .unwrap(),
            "Record(Record([(\"y\", Str(\"2024\")), (\"m\", Null)]))"
        );
        assert_eq!(ev("captures(it, \"(?P<y>z)\")", s("a")).unwrap(), "Null");
        assert_eq!(
            ev("sub(it, \"x*\", \"-\")", s("abc")).unwrap(),
            "Str(\"-a-b-c-\")"
        );
        assert_eq!(
            ev(
                "sub(it, \"(\\\\w+)@(\\\\w+)\", \"\\\\2 at \\\\g<1>\")",
                s("me@host!")
            )
            .unwrap(),
            "Str(\"host at me!\")"
        );
        // Regexes computed while running are checked while running.
        assert!(ev("extract_all(\"ab\", it)", s("(a)(b)"))
            .unwrap_err()
            .contains("at most one group"));
        assert!(ev("extract(\"ab\", it, 3)", s("(a)"))
            .unwrap_err()
            .contains("no group 3"));
        assert!(ev("sub(\"ab\", it, \"\\\\2\")", s("(a)"))
            .unwrap_err()
            .contains("invalid group reference 2"));
        assert!(ev("extract(\"ab\", \"a\", it)", Value::Bool(true))
            .unwrap_err()
            .contains("names a group by int or str"));
    }

    #[test]
    fn regex_constants_are_checked_statically() {
        let e = |src: &str| ev(src, Value::str("x")).unwrap_err();
        assert!(e("extract(it, \"(a)\", 2)").contains("no group 2"));
        assert!(e("extract(it, \"(?P<a>a)\", \"b\")").contains("no group named `b`"));
        assert!(e("extract_all(it, \"(a)(b)\")").contains("at most one group"));
        assert!(e("sub(it, \"(a)\", \"\\\\2\")").contains("invalid group reference 2"));
        assert!(e("sub(it, \"a\", \"\\\\q\")").contains("bad escape"));
        assert!(e("join([1, 2], \",\")").contains("list<int>"));
        assert!(e("parse_time(it, \"%Q\")").contains("is not a directive"));
        assert!(e("format_time(1, \"%\")").contains("lone `%`"));
        assert!(e("format_time(\"1\", \"%Y\")").contains("epoch seconds"));
    }

    #[test]
    fn time_functions() {
        let s = |x: &str| Value::str(x);
        assert_eq!(
            ev(
                "parse_time(it, \"%d/%b/%Y:%H:%M:%S %z\")",
                s("10/Oct/2000:13:55:36 -0700")
            )
            .unwrap(),
            "Float(971211336.0)"
        );
        assert_eq!(
            ev("parse_time(it, \"%Y-%m-%d\")", s("2024-01-05")).unwrap(),
            "Float(1704412800.0)"
        );
        assert_eq!(
            ev("parse_time(it, \"%Y-%m-%d\")", s("2024-1-5x")).unwrap_err(),
            "`parse_time`: '2024-1-5x' does not match the format '%Y-%m-%d'"
        );
        assert_eq!(
            ev("parse_time(it, \"%Y-%m-%d\")", s("2024-02-30")).unwrap_err(),
            "`parse_time`: '2024-02-30' is no valid date and time in the format '%Y-%m-%d'"
        );
        assert_eq!(
            ev(
                "format_time(it, \"%Y-%m-%d %H:%M:%S.%f\")",
                Value::Float(-1.25)
            )
            .unwrap(),
            "Str(\"1969-12-31 23:59:58.750000\")"
        );
        assert_eq!(
            ev("format_time(it, \"%d/%b/%Y %I %p\")", Value::Int(0)).unwrap(),
            "Str(\"01/Jan/1970 12 AM\")"
        );
        assert_eq!(
            ev("format_time(it, \"%Y\")", Value::Int(253402300800)).unwrap_err(),
            "`format_time`: 253402300800 is not a time in the years 1 to 9999"
        );
        assert!(ev("parse_time(\"1\", it)", s("%d %d"))
            .unwrap_err()
            .contains("appears twice"));
    }
}
