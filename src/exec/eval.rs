//! Evaluates typed expressions (SPEC §3) with Python's semantics. Strings
//! borrowed from the input buffer stay borrowed ([`EV::S`]): `not_delim(it)`
//! or `len(it) > 3` on a word allocate nothing.

use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;

use crate::text::regex::{py_regex, regex_reason};

use crate::ops::funcs::FnId;
use crate::plan::expr::{TExpr, TKind};
use crate::syntax::ast::{BinOp, Span, UnOp};
use crate::text::pystr;
use crate::value::format::py_str;
use crate::value::Value;

/// The current element.
#[derive(Clone, Copy)]
pub enum It<'a> {
    Str(&'a str),
    Val(&'a Value),
}

/// An evaluated value that may borrow a string.
#[derive(Clone, Debug)]
pub enum EV<'a> {
    S(&'a str),
    V(Value),
}

impl<'a> EV<'a> {
    pub fn into_value(self) -> Value {
        match self {
            EV::S(s) => Value::str(s),
            EV::V(v) => v,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            EV::S(s) => Some(s),
            EV::V(Value::Str(s)) => Some(s),
            _ => None,
        }
    }
    fn type_name(&self) -> &'static str {
        match self {
            EV::S(_) => "str",
            EV::V(v) => v.type_name(),
        }
    }
    fn show(&self) -> String {
        let mut s = String::new();
        match self {
            EV::S(x) => crate::value::format::py_repr(&Value::str(x), &mut s),
            EV::V(v) => crate::value::format::py_repr(v, &mut s),
        }
        if s.chars().count() > 60 {
            s = s.chars().take(57).collect::<String>() + "...";
        }
        s
    }
}

/// A run-time error in an expression: a message and the sub-expression it is about.
#[derive(Debug)]
pub struct EvalError {
    pub msg: String,
    pub span: Span,
}

fn err<T>(span: Span, msg: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError {
        msg: msg.into(),
        span,
    })
}

/// Regexes compiled once per run, keyed by pattern.
#[derive(Default)]
pub struct Env {
    pub regexes: HashMap<String, Regex>,
}

impl Env {
    /// Precompiles every constant regex in `e` (they were validated by the checker).
    pub fn prepare(&mut self, e: &TExpr) {
        if let TKind::Call(FnId::Matches, args) = &e.kind {
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
        match &e.kind {
            TKind::List(xs) | TKind::Call(_, xs) => xs.iter().for_each(|x| self.prepare(x)),
            TKind::Field(b, _) | TKind::Unary(_, b) => self.prepare(b),
            TKind::Index(a, b) | TKind::Binary(_, a, b) => {
                self.prepare(a);
                self.prepare(b)
            }
            TKind::Const(_) | TKind::It => {}
        }
    }
}

/// Evaluates `e` for the element `it`.
pub fn eval<'a>(e: &'a TExpr, it: It<'a>, env: &Env) -> Result<EV<'a>, EvalError> {
    Ok(match &e.kind {
        TKind::Const(Value::Str(s)) => EV::S(s),
        TKind::Const(v) => EV::V(v.clone()),
        TKind::It => match it {
            It::Str(s) => EV::S(s),
            It::Val(Value::Str(s)) => EV::S(s),
            It::Val(v) => EV::V(v.clone()),
        },
        TKind::List(items) => EV::V(Value::List(Arc::new(
            items
                .iter()
                .map(|i| eval(i, it, env).map(EV::into_value))
                .collect::<Result<_, _>>()?,
        ))),
        TKind::Field(base, name) => {
            let b = eval(base, it, env)?;
            match b {
                EV::V(Value::Record(r)) => match r.get(name.as_str()) {
                    Some(v) => EV::V(v.clone()),
                    None => {
                        return err(
                            e.span,
                            format!(
                                "the record has no field `{name}`: {}",
                                EV::V(Value::Record(r.clone())).show()
                            ),
                        )
                    }
                },
                other => {
                    return err(
                        e.span,
                        format!(
                            "`.{name}` needs a record, but the value is {} {}",
                            other.type_name(),
                            other.show()
                        ),
                    )
                }
            }
        }
        TKind::Index(base, idx) => {
            let b = eval(base, it, env)?;
            let i = eval(idx, it, env)?;
            index(b, i, e.span)?
        }
        TKind::Call(f, args) => call(*f, args, it, env, e.span)?,
        TKind::Unary(UnOp::Not, x) => EV::V(Value::Bool(!truth(eval(x, it, env)?, x.span, "not")?)),
        TKind::Unary(UnOp::Neg, x) => match eval(x, it, env)? {
            EV::V(Value::Int(i)) => match i.checked_neg() {
                Some(n) => EV::V(Value::Int(n)),
                None => return err(e.span, "integer overflow"),
            },
            EV::V(Value::Float(f)) => EV::V(Value::Float(-f)),
            EV::V(Value::Bool(b)) => EV::V(Value::Int(-(b as i64))),
            other => {
                return err(
                    e.span,
                    format!("cannot negate {} {}", other.type_name(), other.show()),
                )
            }
        },
        TKind::Binary(BinOp::And, l, r) => EV::V(Value::Bool(
            truth(eval(l, it, env)?, l.span, "and")? && truth(eval(r, it, env)?, r.span, "and")?,
        )),
        TKind::Binary(BinOp::Or, l, r) => EV::V(Value::Bool(
            truth(eval(l, it, env)?, l.span, "or")? || truth(eval(r, it, env)?, r.span, "or")?,
        )),
        TKind::Binary(op, l, r) => binary(*op, eval(l, it, env)?, eval(r, it, env)?, e.span)?,
    })
}

/// The bool an element-level condition produced.
pub fn truth(v: EV, span: Span, what: &str) -> Result<bool, EvalError> {
    match v {
        EV::V(Value::Bool(b)) => Ok(b),
        other => err(
            span,
            format!(
                "`{what}` needs a bool, but the value is {} {}",
                other.type_name(),
                other.show()
            ),
        ),
    }
}

fn index<'a>(b: EV<'a>, i: EV<'a>, span: Span) -> Result<EV<'a>, EvalError> {
    let pos = |n: i64, len: usize| -> Option<usize> {
        let k = if n < 0 { n + len as i64 } else { n };
        (0..len as i64).contains(&k).then_some(k as usize)
    };
    match (&b, &i) {
        (EV::V(Value::List(items)), EV::V(Value::Int(n))) => match pos(*n, items.len()) {
            Some(k) => Ok(EV::V(items[k].clone())),
            None => err(
                span,
                format!(
                    "list index {n} out of range (the list has {} items)",
                    items.len()
                ),
            ),
        },
        (_, EV::V(Value::Int(n))) if b.as_str().is_some() => {
            let s = b.as_str().unwrap_or_default();
            let len = pystr::py_len(s);
            match pos(*n, len) {
                Some(k) => Ok(EV::V(Value::str(
                    &s.chars().nth(k).map(String::from).unwrap_or_default(),
                ))),
                None => err(
                    span,
                    format!("string index {n} out of range (the string has {len} characters)"),
                ),
            }
        }
        (EV::V(Value::Record(r)), _) if i.as_str().is_some() => {
            let k = i.as_str().unwrap_or_default();
            match r.get(k) {
                Some(v) => Ok(EV::V(v.clone())),
                None => err(span, format!("the record has no field \"{k}\"")),
            }
        }
        _ => err(
            span,
            format!("cannot index {} with {}", b.type_name(), i.type_name()),
        ),
    }
}

fn num(v: &EV) -> Option<Num> {
    match v {
        EV::V(Value::Int(i)) => Some(Num::I(*i)),
        EV::V(Value::Bool(b)) => Some(Num::I(*b as i64)),
        EV::V(Value::Float(f)) => Some(Num::F(*f)),
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

fn binary<'a>(op: BinOp, l: EV<'a>, r: EV<'a>, span: Span) -> Result<EV<'a>, EvalError> {
    use BinOp::*;
    let b = |x: bool| Ok(EV::V(Value::Bool(x)));
    match op {
        Eq | Ne => {
            let eq = match (l.as_str(), r.as_str()) {
                (Some(a), Some(c)) => a == c,
                _ => match (&l, &r) {
                    (EV::V(a), EV::V(c)) => a == c,
                    _ => false,
                },
            };
            return b(if op == Eq { eq } else { !eq });
        }
        Lt | Le | Gt | Ge => {
            let ord = match (l.as_str(), r.as_str(), num(&l), num(&r)) {
                (Some(a), Some(c), _, _) => a.cmp(c),
                (_, _, Some(_), Some(_)) => {
                    let (a, c) = (l.clone().into_value(), r.clone().into_value());
                    if matches!(&a, Value::Float(x) if x.is_nan())
                        || matches!(&c, Value::Float(x) if x.is_nan())
                    {
                        return b(false);
                    }
                    a.cmp(&c)
                }
                _ => match (&l, &r) {
                    (EV::V(a @ Value::List(_)), EV::V(c @ Value::List(_))) => a.cmp(c),
                    _ => {
                        return err(
                            span,
                            format!(
                                "cannot compare {} {} with {} {} using `{}`",
                                l.type_name(),
                                l.show(),
                                r.type_name(),
                                r.show(),
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
            return match (&r, r.as_str()) {
                (_, Some(hay)) => match l.as_str() {
                    Some(needle) => b(hay.contains(needle)),
                    None => err(
                        span,
                        format!("`in <str>` needs a str on the left, not {}", l.type_name()),
                    ),
                },
                (EV::V(Value::List(items)), _) => {
                    let x = l.into_value();
                    b(items.contains(&x))
                }
                (EV::V(Value::Record(rec)), _) => match l.as_str() {
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
            return Ok(EV::V(Value::Str(Arc::from(format!("{a}{c}").as_str()))));
        }
        if let (EV::V(Value::List(a)), EV::V(Value::List(c))) = (&l, &r) {
            return Ok(EV::V(Value::List(Arc::new(
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
        match (&l, &r) {
            (s, EV::V(Value::Int(n))) | (EV::V(Value::Int(n)), s) if s.as_str().is_some() => {
                return Ok(EV::V(Value::str(
                    &s.as_str().unwrap_or_default().repeat(rep(*n)),
                )));
            }
            (EV::V(Value::List(a)), EV::V(Value::Int(n)))
            | (EV::V(Value::Int(n)), EV::V(Value::List(a))) => {
                let mut out = Vec::with_capacity(a.len() * rep(*n));
                for _ in 0..rep(*n) {
                    out.extend(a.iter().cloned());
                }
                return Ok(EV::V(Value::List(Arc::new(out))));
            }
            _ => {}
        }
    }
    let (Some(a), Some(c)) = (num(&l), num(&r)) else {
        return err(
            span,
            format!(
                "cannot apply `{}` to {} {} and {} {}",
                op.symbol(),
                l.type_name(),
                l.show(),
                r.type_name(),
                r.show()
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
    Ok(EV::V(v))
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

fn overflow(span: Span) -> EvalError {
    EvalError {
        msg: "integer overflow (integers are 64-bit)".into(),
        span,
    }
}

fn str_arg<'a>(v: &'a EV<'a>, span: Span, f: &str) -> Result<&'a str, EvalError> {
    v.as_str().ok_or_else(|| EvalError {
        msg: format!(
            "`{f}` needs a str, but the value is {} {}",
            v.type_name(),
            v.show()
        ),
        span,
    })
}

fn call<'a>(
    f: FnId,
    args: &'a [TExpr],
    it: It<'a>,
    env: &Env,
    span: Span,
) -> Result<EV<'a>, EvalError> {
    let vals: Vec<EV<'a>> = args
        .iter()
        .map(|a| eval(a, it, env))
        .collect::<Result<_, _>>()?;
    let sp = |i: usize| args.get(i).map_or(span, |a| a.span);
    let opt_str = |i: usize, name: &str| -> Result<Option<&str>, EvalError> {
        match vals.get(i) {
            None | Some(EV::V(Value::Null)) => Ok(None),
            Some(v) => str_arg(v, sp(i), name).map(Some),
        }
    };
    let owned = |s: std::borrow::Cow<'_, str>| EV::V(Value::str(&s));
    Ok(match f {
        FnId::Len => match &vals[0] {
            EV::V(Value::List(l)) => EV::V(Value::Int(l.len() as i64)),
            EV::V(Value::Record(r)) => EV::V(Value::Int(r.len() as i64)),
            v => EV::V(Value::Int(pystr::py_len(str_arg(v, sp(0), "len")?) as i64)),
        },
        FnId::Lower => owned(pystr::lower(str_arg(&vals[0], sp(0), "lower")?)),
        FnId::Upper => owned(pystr::upper(str_arg(&vals[0], sp(0), "upper")?)),
        FnId::Strip => {
            let s = str_arg(&vals[0], sp(0), "strip")?;
            EV::V(Value::str(pystr::strip(s, opt_str(1, "strip")?)))
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
            EV::V(Value::List(Arc::new(parts)))
        }
        FnId::Replace => {
            let s = str_arg(&vals[0], sp(0), "replace")?;
            owned(pystr::replace(
                s,
                str_arg(&vals[1], sp(1), "replace")?,
                str_arg(&vals[2], sp(2), "replace")?,
            ))
        }
        FnId::StartsWith => EV::V(Value::Bool(
            str_arg(&vals[0], sp(0), "starts_with")?.starts_with(str_arg(
                &vals[1],
                sp(1),
                "starts_with",
            )?),
        )),
        FnId::EndsWith => EV::V(Value::Bool(
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
            EV::V(Value::Bool(hit))
        }
        FnId::NotDelim => EV::V(Value::Bool(pystr::not_delim(str_arg(
            &vals[0],
            sp(0),
            "not_delim",
        )?))),
        FnId::Int => EV::V(Value::Int(match &vals[0] {
            EV::V(Value::Int(i)) => *i,
            EV::V(Value::Bool(b)) => *b as i64,
            EV::V(Value::Float(x)) => match float_to_int(x.trunc()) {
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
            v => {
                let s = str_arg(v, sp(0), "int")?;
                match pystr::parse_int(s) {
                    Some(i) => i,
                    None => return err(sp(0), format!("invalid literal for int(): {}", v.show())),
                }
            }
        })),
        FnId::Float => EV::V(Value::Float(match &vals[0] {
            EV::V(Value::Int(i)) => *i as f64,
            EV::V(Value::Bool(b)) => *b as i64 as f64,
            EV::V(Value::Float(x)) => *x,
            v => {
                let s = str_arg(v, sp(0), "float")?;
                match pystr::parse_float(s) {
                    Some(x) => x,
                    None => {
                        return err(
                            sp(0),
                            format!("could not convert string to float: {}", v.show()),
                        )
                    }
                }
            }
        })),
        FnId::Str => match &vals[0] {
            EV::S(s) => EV::S(s),
            EV::V(v) => EV::V(Value::str(&py_str(v))),
        },
        FnId::Abs => match &vals[0] {
            EV::V(Value::Int(i)) => {
                EV::V(Value::Int(i.checked_abs().ok_or_else(|| overflow(span))?))
            }
            EV::V(Value::Bool(b)) => EV::V(Value::Int(*b as i64)),
            EV::V(Value::Float(x)) => EV::V(Value::Float(x.abs())),
            v => {
                return err(
                    sp(0),
                    format!(
                        "`abs` needs a number, but the value is {} {}",
                        v.type_name(),
                        v.show()
                    ),
                )
            }
        },
        FnId::Round => {
            let nd = match vals.get(1) {
                None | Some(EV::V(Value::Null)) => None,
                Some(EV::V(Value::Int(n))) => Some(*n),
                Some(v) => {
                    return err(
                        sp(1),
                        format!(
                            "`round` needs an int number of digits, not {}",
                            v.type_name()
                        ),
                    )
                }
            };
            match (&vals[0], nd) {
                (EV::V(Value::Int(i)), None) => EV::V(Value::Int(*i)),
                (EV::V(Value::Bool(b)), None) => EV::V(Value::Int(*b as i64)),
                (EV::V(Value::Int(i)), Some(n)) if n >= 0 => EV::V(Value::Int(*i)),
                (EV::V(Value::Int(i)), Some(n)) => match round_int(*i, n) {
                    Some(r) => EV::V(Value::Int(r)),
                    None => return Err(overflow(span)),
                },
                (EV::V(Value::Float(x)), None) => {
                    if !x.is_finite() {
                        return err(
                            sp(0),
                            format!("cannot round {} to an int", pystr::float_repr(*x)),
                        );
                    }
                    match float_to_int(pystr::py_round(*x, None)) {
                        Some(i) => EV::V(Value::Int(i)),
                        None => return Err(overflow(span)),
                    }
                }
                (EV::V(Value::Float(x)), Some(n)) => {
                    EV::V(Value::Float(pystr::py_round(*x, Some(n))))
                }
                (v, _) => {
                    return err(
                        sp(0),
                        format!(
                            "`round` needs a number, but the value is {} {}",
                            v.type_name(),
                            v.show()
                        ),
                    )
                }
            }
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
        eval(&t, It::Val(&it), &env)
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
        assert_eq!(ev("\"1\" == 1", Value::Null).unwrap(), "Bool(false)");
        assert!(ev("it < 1", Value::str("a"))
            .unwrap_err()
            .contains("cannot compare"));
        assert_eq!(ev("\"B\" < \"a\"", Value::Null).unwrap(), "Bool(true)");
    }
}
