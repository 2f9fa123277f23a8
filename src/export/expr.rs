//! Typed expressions (SPEC §3) as Python expressions with flow's meaning.
//!
//! The meaning to reproduce is `exec::eval`'s, run-time errors included:
//! where flow fails, the Python raises `FlowError` with the code flow's
//! diagnostic has (`flow::exec::expression`) and flow's message. Where the
//! static types prove that Python's own operator or method means exactly
//! what flow's does (`str ++ str`, `len` of a str, `<` between two ints,
//! `lower` of a str), the plain Python is written; everywhere else a prelude
//! helper (`prelude/expr.py`) is called that checks the values at run time.
//!
//! Static types can be trusted this way because every element type is
//! either exact or `any` (`record` without fields counts as `any` here):
//! a value typed `int` is an int at run time.
//!
//! Constant regular expressions are translated from flow's dialect (Rust's
//! `regex` syntax with Python's `\s` and `\w`, `text::regex`) into Python's
//! `re` syntax by [`regex_to_py`]; what it cannot translate exactly is a
//! diagnostic, as is a regex computed at run time.

use super::prelude::Helpers;
use crate::diag::Diag;
use crate::ops::expr::{TExpr, TKind};
use crate::ops::funcs::FnId;
use crate::syntax::ast::{BinOp, Span, UnOp};
use crate::text::pystr;
use crate::types::Type;
use crate::value::Value;

/// The deepest bracket nesting written: CPython's parser refuses more than
/// 200 levels, and the caller puts the expression inside a few of its own.
const MAX_PY_DEPTH: usize = 150;

/// `e` as one Python expression over the variable `it` (the element),
/// calling prelude helpers (marked in `h`) where Python's own operator or
/// function means something else. An expression that cannot be given
/// flow's meaning in Python is a diagnostic (`flow::export::unsupported`).
pub fn py(e: &TExpr, h: &mut Helpers) -> Result<String, Diag> {
    let out = emit(e, h)?.s;
    if bracket_depth(&out) > MAX_PY_DEPTH {
        return Err(unsupported(
            e.span,
            format!("expression `{e}` nests too deeply for Python's parser"),
            "this expression",
        ));
    }
    Ok(out)
}

fn unsupported(span: Span, msg: String, label: &str) -> Diag {
    Diag::script("flow::export::unsupported", msg)
        .at(span, label)
        .help("this script runs with flow's own engine; the Dask export cannot give it the same meaning")
}

// ---------------------------------------------------------------------------
// Python text with its precedence
// ---------------------------------------------------------------------------

/// Python's precedence levels, loosest first (only those written here).
const P_IF: u8 = 1;
const P_OR: u8 = 2;
const P_AND: u8 = 3;
const P_NOT: u8 = 4;
const P_CMP: u8 = 5;
const P_ADD: u8 = 6;
const P_MUL: u8 = 7;
const P_NEG: u8 = 8;
const P_ATOM: u8 = 10;

/// A Python expression and how loosely it binds.
struct Py {
    s: String,
    p: u8,
}

fn atom(s: impl Into<String>) -> Py {
    Py {
        s: s.into(),
        p: P_ATOM,
    }
}

fn op(s: String, p: u8) -> Py {
    Py { s, p }
}

/// `x` as an operand that must bind at least as tightly as `min`.
fn at(x: &Py, min: u8) -> String {
    if x.p >= min {
        x.s.clone()
    } else {
        format!("({})", x.s)
    }
}

/// A call of prelude helper `name`.
fn helper(h: &mut Helpers, name: &'static str, args: &[&Py]) -> Py {
    let name = h.need(name);
    let args: Vec<&str> = args.iter().map(|a| a.s.as_str()).collect();
    atom(format!("{name}({})", args.join(", ")))
}

/// A method call on a receiver that is statically a str.
fn method(recv: &Py, name: &str, args: &[&Py]) -> Py {
    let args: Vec<&str> = args.iter().map(|a| a.s.as_str()).collect();
    atom(format!("{}.{name}({})", at(recv, P_ATOM), args.join(", ")))
}

/// `l OP r` for a left-associative Python operator of precedence `p`.
fn infix(l: &Py, sym: &str, r: &Py, p: u8) -> Py {
    op(format!("{} {sym} {}", at(l, p), at(r, p + 1)), p)
}

/// `l OP r` for a Python comparison (never chained).
fn compare(l: &Py, sym: &str, r: &Py) -> Py {
    op(
        format!("{} {sym} {}", at(l, P_CMP + 1), at(r, P_CMP + 1)),
        P_CMP,
    )
}

/// The deepest nesting of brackets in Python text, outside string literals.
fn bracket_depth(s: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                if c == '\\' {
                    chars.next();
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' | '{' => {
                    depth += 1;
                    max = max.max(depth);
                }
                ')' | ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    max
}

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

/// A flow value as Python source: `None`, `True`, `-3`, `2.5`, `'a\n'`,
/// `[1, 'b']`, `{'k': 1}` (also for the writer's statements: paths, options).
pub fn py_literal(v: &Value) -> String {
    constant(v).s
}

/// A flow value as a Python literal.
fn constant(v: &Value) -> Py {
    match v {
        Value::Null => atom("None"),
        Value::Bool(true) => atom("True"),
        Value::Bool(false) => atom("False"),
        Value::Int(i) if *i < 0 => op(i.to_string(), P_NEG),
        Value::Int(i) => atom(i.to_string()),
        Value::Float(x) if x.is_nan() => atom("float('nan')"),
        Value::Float(x) if x.is_infinite() => atom(if *x > 0.0 {
            "float('inf')"
        } else {
            "float('-inf')"
        }),
        Value::Float(x) if x.is_sign_negative() => op(pystr::float_repr(*x), P_NEG),
        Value::Float(x) => atom(pystr::float_repr(*x)),
        Value::Str(s) => atom(str_lit(s)),
        Value::List(items) => {
            let items: Vec<String> = items.iter().map(|v| constant(v).s).collect();
            atom(format!("[{}]", items.join(", ")))
        }
        Value::Record(r) => {
            let items: Vec<String> = r
                .iter()
                .map(|(k, v)| format!("{}: {}", str_lit(k), constant(v).s))
                .collect();
            atom(format!("{{{}}}", items.join(", ")))
        }
    }
}

/// A Python string literal of `s`: quoted as Python's repr quotes, with
/// backslash escapes for what would be invisible or confusing in source
/// (controls, line and paragraph separators, format characters).
pub fn str_lit(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if invisible(c) => out.push_str(&py_escape(c)),
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

/// Characters written as escapes in literals: controls, whitespace other
/// than the space, zero-width and bidirectional format characters.
fn invisible(c: char) -> bool {
    c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// `\xhh`, `\uhhhh` or `\Uhhhhhhhh`: an escape both Python string literals
/// and Python regexes read as the character.
fn py_escape(c: char) -> String {
    let n = c as u32;
    if n < 0x100 {
        format!("\\x{n:02x}")
    } else if n < 0x10000 {
        format!("\\u{n:04x}")
    } else {
        format!("\\U{n:08x}")
    }
}

// ---------------------------------------------------------------------------
// Static types
// ---------------------------------------------------------------------------

/// An int as arithmetic sees it: Python's `+ - *` on ints and bools give
/// the int flow gives.
fn intish(t: &Type) -> bool {
    matches!(t, Type::Int | Type::Bool)
}

/// A number known statically (not `any`).
fn numeric(t: &Type) -> bool {
    matches!(t, Type::Int | Type::Bool | Type::Float)
}

/// Two numbers at least one of which is a float: Python's `+ - *` give the
/// float flow gives (an int operand is converted to the nearest float).
fn floaty(l: &Type, r: &Type) -> bool {
    numeric(l) && numeric(r) && (*l == Type::Float || *r == Type::Float)
}

/// Values of these types are equal in Python exactly when they are in
/// flow: no floats (flow's NaN equals a NaN), no bools beside ints
/// (`True == 1` in Python), no records (Python's dicts ignore key order).
fn plain_eq_type(t: &Type) -> bool {
    match t {
        Type::Int | Type::Str | Type::Bool | Type::Null => true,
        Type::List(inner) => plain_eq_type(inner),
        Type::Any | Type::Float | Type::Record(_) => false,
    }
}

/// Python's `==` between values of these static types is flow's.
fn plain_eq(l: &Type, r: &Type) -> bool {
    (l == r && plain_eq_type(l))
        // An int and a float: Python compares them exactly, as flow does,
        // and at most one side can be a NaN.
        || matches!((l, r), (Type::Int, Type::Float) | (Type::Float, Type::Int))
}

/// Python's `<` between values of these static types is flow's: strs,
/// numbers that are not bools (NaN: both false), lists of those in one
/// type without floats.
fn plain_ord(l: &Type, r: &Type) -> bool {
    fn list_item(t: &Type) -> bool {
        match t {
            Type::Int | Type::Str => true,
            Type::List(inner) => list_item(inner),
            _ => false,
        }
    }
    match (l, r) {
        (Type::Str, Type::Str) | (Type::Bool, Type::Bool) => true,
        (Type::Int | Type::Float, Type::Int | Type::Float) => true,
        (Type::List(a), Type::List(b)) => a == b && list_item(a),
        _ => false,
    }
}

/// A nonzero number written in the script: a divisor that cannot fail.
fn nonzero_const(e: &TExpr) -> bool {
    match &e.kind {
        TKind::Const(Value::Int(i)) => *i != 0,
        TKind::Const(Value::Float(x)) => *x != 0.0,
        _ => false,
    }
}

/// Whether evaluating `e` can fail (conservatively: anything but constants,
/// `it` and lists of them).
fn can_fail(e: &TExpr) -> bool {
    match &e.kind {
        TKind::Const(_) | TKind::It => false,
        TKind::List(items) => items.iter().any(can_fail),
        TKind::Record(entries) => entries.iter().any(|(_, v)| can_fail(v)),
        TKind::Field(..) | TKind::Index(..) | TKind::Call(..) | TKind::Unary(..) => true,
        TKind::Binary(..) | TKind::If(..) | TKind::Slice(..) => true,
    }
}

// ---------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------

fn emit(e: &TExpr, h: &mut Helpers) -> Result<Py, Diag> {
    Ok(match &e.kind {
        TKind::Const(v) => constant(v),
        TKind::It => atom("it"),
        TKind::List(items) => {
            let items = items
                .iter()
                .map(|i| emit(i, h).map(|p| p.s))
                .collect::<Result<Vec<_>, _>>()?;
            atom(format!("[{}]", items.join(", ")))
        }
        TKind::Field(base, name) => {
            let b = emit(base, h)?;
            match &base.ty {
                // The checker found the field in the record's static type.
                Type::Record(Some(_)) => atom(format!("{}[{}]", at(&b, P_ATOM), str_lit(name))),
                _ => helper(h, "_field", &[&b, &atom(str_lit(name))]),
            }
        }
        TKind::Index(base, idx) => {
            let b = emit(base, h)?;
            let i = emit(idx, h)?;
            match (&base.ty, &idx.kind) {
                (Type::Record(Some(_)), TKind::Const(Value::Str(_))) => {
                    atom(format!("{}[{}]", at(&b, P_ATOM), i.s))
                }
                _ => helper(h, "_index", &[&b, &i]),
            }
        }
        TKind::Call(f, args) => call(*f, args, e, h)?,
        TKind::Unary(o, x) => unary(*o, x, h)?,
        TKind::Binary(o, l, r) => binary(*o, l, r, h)?,
        // A dict display evaluates its values in order, as flow does.
        TKind::Record(entries) => {
            let items = entries
                .iter()
                .map(|(k, v)| Ok(format!("{}: {}", str_lit(k), emit(v, h)?.s)))
                .collect::<Result<Vec<_>, Diag>>()?;
            atom(format!("{{{}}}", items.join(", ")))
        }
        TKind::If(c, a, b) => {
            let cond = emit(c, h)?;
            let cond = if c.ty == Type::Bool {
                cond
            } else {
                helper(h, "_bool", &[&cond, &atom("'if'")])
            };
            let (a, b) = (emit(a, h)?, emit(b, h)?);
            op(
                format!(
                    "{} if {} else {}",
                    at(&a, P_OR),
                    at(&cond, P_OR),
                    at(&b, P_IF)
                ),
                P_IF,
            )
        }
        TKind::Slice(base, lo, hi) => {
            let b = emit(base, h)?;
            // A bound not known to be an int is checked as flow checks it.
            let mut bound = |x: &Option<Box<TExpr>>| -> Result<Option<Py>, Diag> {
                let Some(x) = x else { return Ok(None) };
                let v = emit(x, h)?;
                Ok(Some(if x.ty == Type::Int {
                    v
                } else {
                    helper(h, "_bound", &[&v])
                }))
            };
            let (lo, hi) = (bound(lo)?, bound(hi)?);
            match &base.ty {
                // Python's slices clamp as flow's do, on code points.
                Type::Str | Type::List(_) => atom(format!(
                    "{}[{}:{}]",
                    at(&b, P_ATOM),
                    lo.map_or(String::new(), |p| p.s),
                    hi.map_or(String::new(), |p| p.s)
                )),
                _ => {
                    let none = atom("None");
                    let (lo, hi) = (lo.unwrap_or(same(&none)), hi.unwrap_or(none));
                    helper(h, "_slice", &[&b, &lo, &hi])
                }
            }
        }
    })
}

fn unary(o: UnOp, x: &TExpr, h: &mut Helpers) -> Result<Py, Diag> {
    Ok(match o {
        UnOp::Not => {
            let v = emit(x, h)?;
            let v = if x.ty == Type::Bool {
                v
            } else {
                helper(h, "_bool", &[&v, &atom("'not'")])
            };
            op(format!("not {}", at(&v, P_NOT)), P_NOT)
        }
        UnOp::Neg => match (&x.kind, &x.ty) {
            (TKind::Const(Value::Int(i)), _) if *i != i64::MIN => constant(&Value::Int(-i)),
            (TKind::Const(Value::Float(f)), _) => constant(&Value::Float(-f)),
            (_, Type::Float) => {
                let v = emit(x, h)?;
                op(format!("-{}", at(&v, P_NEG + 1)), P_NEG)
            }
            // An int too: only `_neg` fails on -2**63 with flow's message.
            _ => {
                let v = emit(x, h)?;
                helper(h, "_neg", &[&v])
            }
        },
    })
}

fn binary(o: BinOp, l: &TExpr, r: &TExpr, h: &mut Helpers) -> Result<Py, Diag> {
    let (lt, rt) = (&l.ty, &r.ty);
    let a = emit(l, h)?;
    let b = emit(r, h)?;
    Ok(match o {
        // Both sides run only when needed: lambdas, as flow evaluates B
        // only when A is null or missing.
        BinOp::Coalesce => {
            let a = atom(format!("lambda: {}", a.s));
            let b = atom(format!("lambda: {}", b.s));
            helper(h, "_coalesce", &[&a, &b])
        }
        BinOp::And | BinOp::Or => {
            let (sym, p, what) = if o == BinOp::And {
                ("and", P_AND, "'and'")
            } else {
                ("or", P_OR, "'or'")
            };
            let a = if *lt == Type::Bool {
                a
            } else {
                helper(h, "_bool", &[&a, &atom(what)])
            };
            let b = if *rt == Type::Bool {
                b
            } else {
                helper(h, "_bool", &[&b, &atom(what)])
            };
            infix(&a, sym, &b, p)
        }
        BinOp::Eq if plain_eq(lt, rt) => compare(&a, "==", &b),
        BinOp::Eq => helper(h, "_eq", &[&a, &b]),
        BinOp::Ne if plain_eq(lt, rt) => compare(&a, "!=", &b),
        BinOp::Ne => {
            let eq = helper(h, "_eq", &[&a, &b]);
            op(format!("not {}", eq.s), P_NOT)
        }
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            let sym = o.symbol();
            if plain_ord(lt, rt) {
                compare(&a, sym, &b)
            } else {
                helper(h, "_cmp", &[&a, &b, &atom(format!("'{sym}'"))])
            }
        }
        BinOp::In => {
            let plain = match (lt, rt) {
                (Type::Str, Type::Str | Type::Record(_)) => true,
                (t, Type::List(u)) => t == &**u && plain_eq_type(t),
                _ => false,
            };
            if plain {
                compare(&a, "in", &b)
            } else {
                helper(h, "_in", &[&a, &b])
            }
        }
        BinOp::Add | BinOp::Concat => match (lt, rt) {
            (Type::Str, Type::Str) | (Type::List(_), Type::List(_)) => infix(&a, "+", &b, P_ADD),
            _ if o == BinOp::Concat => helper(h, "_concat", &[&a, &b]),
            _ if intish(lt) && intish(rt) => {
                let sum = infix(&a, "+", &b, P_ADD);
                helper(h, "_i64", &[&sum])
            }
            _ if floaty(lt, rt) => infix(&a, "+", &b, P_ADD),
            _ => helper(h, "_add", &[&a, &b]),
        },
        BinOp::Sub => {
            if intish(lt) && intish(rt) {
                let d = infix(&a, "-", &b, P_ADD);
                helper(h, "_i64", &[&d])
            } else if floaty(lt, rt) {
                infix(&a, "-", &b, P_ADD)
            } else {
                helper(h, "_sub", &[&a, &b])
            }
        }
        BinOp::Mul => {
            if intish(lt) && intish(rt) {
                let p = infix(&a, "*", &b, P_MUL);
                helper(h, "_i64", &[&p])
            } else if floaty(lt, rt) {
                infix(&a, "*", &b, P_MUL)
            } else {
                // Repetition (within flow's size limits) or `any`.
                helper(h, "_mul", &[&a, &b])
            }
        }
        BinOp::Div => {
            if nonzero_const(r) && *lt == Type::Float {
                infix(&a, "/", &b, P_MUL)
            } else if nonzero_const(r) && intish(lt) {
                // flow divides the int's nearest float, as `float(a)` is.
                infix(&atom(format!("float({})", a.s)), "/", &b, P_MUL)
            } else {
                helper(h, "_div", &[&a, &b])
            }
        }
        BinOp::Mod => {
            if nonzero_const(r) && numeric(lt) {
                infix(&a, "%", &b, P_MUL)
            } else {
                helper(h, "_mod", &[&a, &b])
            }
        }
    })
}

fn call(f: FnId, args: &[TExpr], e: &TExpr, h: &mut Helpers) -> Result<Py, Diag> {
    let tys: Vec<&Type> = args.iter().map(|a| &a.ty).collect();
    let strs = |n: usize| tys.iter().take(n).all(|t| **t == Type::Str);
    let mut vals = Vec::with_capacity(args.len());
    for a in args {
        vals.push(emit(a, h)?);
    }
    let v = |i: usize| &vals[i];
    let name_lit = |name: &str| atom(format!("'{name}'"));
    Ok(match f {
        FnId::Len => match tys[0] {
            Type::Str | Type::List(_) | Type::Record(_) => atom(format!("len({})", v(0).s)),
            _ => helper(h, "_len", &[v(0)]),
        },
        FnId::Lower | FnId::Upper => {
            let m = if f == FnId::Lower { "lower" } else { "upper" };
            if strs(1) {
                method(v(0), m, &[])
            } else {
                let s = helper(h, "_s", &[v(0), &name_lit(m)]);
                method(&s, m, &[])
            }
        }
        FnId::Strip => match tys.len() {
            1 if strs(1) => method(v(0), "strip", &[]),
            2 if strs(2) => method(v(0), "strip", &[v(1)]),
            _ => {
                let all: Vec<&Py> = vals.iter().collect();
                helper(h, "_strip", &all)
            }
        },
        FnId::Split => match tys.len() {
            1 if strs(1) => method(v(0), "split", &[]),
            // A constant separator was checked not to be empty.
            2 if strs(2) && matches!(args[1].kind, TKind::Const(_)) => {
                method(v(0), "split", &[v(1)])
            }
            _ => {
                let all: Vec<&Py> = vals.iter().collect();
                helper(h, "_split", &all)
            }
        },
        FnId::Replace => {
            if strs(3) {
                method(v(0), "replace", &[v(1), v(2)])
            } else {
                helper(h, "_replace", &[v(0), v(1), v(2)])
            }
        }
        FnId::StartsWith => {
            if strs(2) {
                method(v(0), "startswith", &[v(1)])
            } else {
                helper(h, "_starts_with", &[v(0), v(1)])
            }
        }
        FnId::EndsWith => {
            if strs(2) {
                method(v(0), "endswith", &[v(1)])
            } else {
                helper(h, "_ends_with", &[v(0), v(1)])
            }
        }
        FnId::Contains => {
            // flow computes the container first, Python's `in` the item:
            // the plain form only where at most one of them can fail.
            let plain = match (tys[0], tys[1]) {
                (Type::Str, Type::Str) | (Type::Record(_), Type::Str) => true,
                (Type::List(u), t) => t == &**u && plain_eq_type(t),
                _ => false,
            } && !(can_fail(&args[0]) && can_fail(&args[1]));
            if plain {
                compare(v(1), "in", v(0))
            } else {
                helper(h, "_contains", &[v(0), v(1)])
            }
        }
        FnId::Extract | FnId::ExtractAll | FnId::Captures | FnId::Sub => {
            let pattern = const_regex(&args[1], e, regex_to_py_groups)?;
            let p = atom(raw_lit(&pattern));
            match f {
                FnId::Extract if args.len() == 3 => helper(h, "_extract", &[v(0), &p, v(2)]),
                FnId::Extract => helper(h, "_extract", &[v(0), &p]),
                FnId::ExtractAll => helper(h, "_extract_all", &[v(0), &p]),
                FnId::Captures => helper(h, "_captures", &[v(0), &p]),
                _ => {
                    // A constant replacement was checked against the regex's
                    // groups by Python's rules; a computed one would need
                    // flow's messages for Python's template errors.
                    let TKind::Const(Value::Str(_)) = &args[2].kind else {
                        return Err(unsupported(
                            args[2].span,
                            format!("the replacement of `{e}` is computed while running; only a constant one exports"),
                            "a replacement that is not a constant",
                        ));
                    };
                    helper(h, "_re_sub", &[v(0), &p, v(2)])
                }
            }
        }
        FnId::Lstrip | FnId::Rstrip => {
            let m = if f == FnId::Lstrip {
                "lstrip"
            } else {
                "rstrip"
            };
            match tys.len() {
                1 if strs(1) => method(v(0), m, &[]),
                2 if strs(2) => method(v(0), m, &[v(1)]),
                _ => {
                    let all: Vec<&Py> = vals.iter().collect();
                    let hname = if f == FnId::Lstrip {
                        "_lstrip"
                    } else {
                        "_rstrip"
                    };
                    helper(h, hname, &all)
                }
            }
        }
        FnId::Find => {
            if strs(2) {
                method(v(0), "find", &[v(1)])
            } else {
                helper(h, "_find", &[v(0), v(1)])
            }
        }
        FnId::Join => match (tys[0], tys[1]) {
            // Python evaluates the separator first, flow the list.
            (Type::List(t), Type::Str)
                if **t == Type::Str && !(can_fail(&args[0]) && can_fail(&args[1])) =>
            {
                method(v(1), "join", &[v(0)])
            }
            _ => helper(h, "_str_join", &[v(0), v(1)]),
        },
        FnId::Keys => match tys[0] {
            Type::Record(Some(_)) => atom(format!("list({})", v(0).s)),
            _ => helper(h, "_keys", &[v(0)]),
        },
        FnId::Values => match tys[0] {
            Type::Record(Some(_)) => atom(format!("list({}.values())", at(v(0), P_ATOM))),
            _ => helper(h, "_values", &[v(0)]),
        },
        FnId::Type => helper(h, "_tn", &[v(0)]),
        FnId::ParseTime => helper(h, "_parse_time", &[v(0), v(1)]),
        FnId::FormatTime => helper(h, "_format_time", &[v(0), v(1)]),
        FnId::Matches => {
            let TKind::Const(Value::Str(p)) = &args[1].kind else {
                return Err(unsupported(
                    args[1].span,
                    format!("the regular expression of `{e}` is computed while running; only a constant one exports"),
                    "a regex that is not a constant",
                ));
            };
            let pattern = regex_to_py(p).map_err(|why| {
                unsupported(
                    args[1].span,
                    format!(
                        "the regular expression {} does not export: {why}",
                        str_lit(p)
                    ),
                    "this regex",
                )
            })?;
            helper(h, "_matches", &[v(0), &atom(raw_lit(&pattern))])
        }
        FnId::NotDelim => {
            if strs(1) {
                let d = atom(h.need("_DELIMS"));
                compare(v(0), "not in", &d)
            } else {
                helper(h, "_not_delim", &[v(0)])
            }
        }
        FnId::Int => match tys[0] {
            Type::Int => same(v(0)),
            Type::Bool => atom(format!("int({})", v(0).s)),
            _ => helper(h, "_int", &[v(0)]),
        },
        FnId::Float => match tys[0] {
            Type::Float => same(v(0)),
            Type::Int | Type::Bool => atom(format!("float({})", v(0).s)),
            _ => helper(h, "_float", &[v(0)]),
        },
        FnId::Str => match tys[0] {
            Type::Str => same(v(0)),
            // Python's str of these is flow's (a float's is its repr).
            Type::Int | Type::Float | Type::Bool | Type::Null => atom(format!("str({})", v(0).s)),
            _ => helper(h, "_str", &[v(0)]),
        },
        FnId::Abs => match tys[0] {
            Type::Float | Type::Bool => atom(format!("abs({})", v(0).s)),
            _ => helper(h, "_abs", &[v(0)]),
        },
        FnId::Round => match (tys[0], tys.get(1)) {
            (Type::Int, None) => same(v(0)),
            (Type::Bool, None) => atom(format!("int({})", v(0).s)),
            (_, None) => helper(h, "_round", &[v(0)]),
            (_, Some(_)) => helper(h, "_round", &[v(0), v(1)]),
        },
    })
}

/// The constant regex argument `a` of call `e`, translated by `tr`; a
/// computed regex, or one that does not translate, is a diagnostic.
fn const_regex(
    a: &TExpr,
    e: &TExpr,
    tr: fn(&str) -> Result<String, String>,
) -> Result<String, Diag> {
    let TKind::Const(Value::Str(p)) = &a.kind else {
        return Err(unsupported(
            a.span,
            format!("the regular expression of `{e}` is computed while running; only a constant one exports"),
            "a regex that is not a constant",
        ));
    };
    tr(p).map_err(|why| {
        unsupported(
            a.span,
            format!(
                "the regular expression {} does not export: {why}",
                str_lit(p)
            ),
            "this regex",
        )
    })
}

/// `x` itself, as the result of a call that does not change it.
fn same(x: &Py) -> Py {
    Py {
        s: x.s.clone(),
        p: x.p,
    }
}

/// A Python raw string literal of a translated pattern: every backslash in
/// it starts an escape and every quote is escaped, so `r'…'` holds it.
fn raw_lit(p: &str) -> String {
    format!("r'{p}'")
}

// ---------------------------------------------------------------------------
// Regular expressions
// ---------------------------------------------------------------------------

/// The flags of Rust's regex syntax that change what matches.
#[derive(Clone, Copy, Default)]
struct Flags {
    /// `i`: case-insensitive.
    i: bool,
    /// `m`: `^` and `$` at line ends.
    m: bool,
    /// `s`: `.` matches `\n`.
    s: bool,
}

/// One item of a concatenation being written: its text, and whether a
/// quantifier after it needs it in a group first (it is an assertion, or
/// already quantified: Python refuses `^*` and reads `a*+` as possessive).
struct Piece {
    s: String,
    group_first: bool,
}

/// Translates a flow regular expression (Rust `regex` syntax as
/// `text::regex::py_regex` compiles it, already checked to compile) into
/// Python `re` syntax that matches the same strings (only whether a match
/// exists matters: `matches` is `re.search`).
///
/// Each construct is written so it does not depend on Python's flags: `.`,
/// `^`, `$` and case-insensitive items carry their own scoped flag, as
/// Rust's `(?i)` lasts to the end of its group across `|`. `$` without
/// `m` is `\Z` (Python's `$` also matches before a final `\n`). Rust's word
/// boundaries use Rust's word characters, so they become `(?#\b)`-style
/// marks that the `_matches` helper replaces by lookarounds over those
/// characters. `\w`, `\s`, `\d` keep Python's meaning, which is flow's
/// dialect. Unicode classes (`\p{…}`), nested classes and class set
/// operations, and the flags `x`, `U`, `R`, `-u` are refused.
pub fn regex_to_py(p: &str) -> Result<String, String> {
    translate(p, false)
}

/// [`regex_to_py`] keeping the capture groups, numbered and named as in
/// flow (`(?<n>…)` is written `(?P<n>…)`), for the functions that read
/// groups (`extract`, `extract_all`, `captures`, `sub`): every group the
/// translation adds is non-capturing. A group name Python does not take
/// (Rust also allows `.`, `[` and `]`) is refused.
pub fn regex_to_py_groups(p: &str) -> Result<String, String> {
    translate(p, true)
}

fn translate(p: &str, groups: bool) -> Result<String, String> {
    let mut r = RegexReader {
        src: p,
        chars: p.char_indices().collect(),
        pos: 0,
        groups,
    };
    let out = r.alternation(Flags::default(), true)?;
    Ok(out)
}

struct RegexReader<'a> {
    src: &'a str,
    chars: Vec<(usize, char)>,
    pos: usize,
    /// Keep capture groups (else they become non-capturing).
    groups: bool,
}

impl RegexReader<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|&(_, c)| c)
    }
    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).map(|&(_, c)| c)
    }
    fn next(&mut self) -> Result<char, String> {
        let c = self.peek().ok_or("the regex ends too early")?;
        self.pos += 1;
        Ok(c)
    }
    fn byte_pos(&self) -> usize {
        self.chars.get(self.pos).map_or(self.src.len(), |&(b, _)| b)
    }

    /// Alternatives up to the `)` closing the group (consumed) or the end.
    fn alternation(&mut self, mut flags: Flags, top: bool) -> Result<String, String> {
        let mut out = String::new();
        let mut seq: Vec<Piece> = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                if !top {
                    return Err("a group is not closed".into());
                }
                break;
            };
            self.pos += 1;
            match c {
                ')' if !top => break,
                '|' => {
                    seq.drain(..).for_each(|p| out.push_str(&p.s));
                    out.push('|');
                }
                '*' | '+' | '?' | '{' => {
                    let mut q = match c {
                        '{' => self.counted()?,
                        c => c.to_string(),
                    };
                    if self.peek() == Some('?') {
                        self.pos += 1;
                        q.push('?');
                    }
                    let last = seq.last_mut().ok_or("a repetition has nothing to repeat")?;
                    if last.group_first {
                        last.s = format!("(?:{})", last.s);
                    }
                    last.s.push_str(&q);
                    last.group_first = true;
                }
                '(' => {
                    if let Some(p) = self.group(&mut flags)? {
                        seq.push(p);
                    }
                }
                '[' => {
                    let start = self.byte_pos() - 1;
                    let class = self.class()?;
                    let src = &self.src[start..self.byte_pos()];
                    seq.push(Piece {
                        s: caseless_class(&class, src, flags)?,
                        group_first: false,
                    });
                }
                '.' => seq.push(Piece {
                    s: if flags.s { "(?s:.)" } else { "." }.into(),
                    group_first: false,
                }),
                '^' => seq.push(assertion(if flags.m { "(?m:^)" } else { "^" })),
                '$' => seq.push(assertion(if flags.m { "(?m:$)" } else { "\\Z" })),
                '\\' => seq.push(self.escape(flags)?),
                c => seq.push(Piece {
                    s: literal(c, flags),
                    group_first: false,
                }),
            }
        }
        seq.drain(..).for_each(|p| out.push_str(&p.s));
        Ok(out)
    }

    /// After `{`: `n}`, `n,}` or `n,m}` (Rust takes no spaces, no `{,m}`).
    fn counted(&mut self) -> Result<String, String> {
        let mut q = String::from("{");
        loop {
            let c = self.next()?;
            match c {
                '0'..='9' | ',' => q.push(c),
                '}' => break,
                _ => return Err("a counted repetition it cannot read".into()),
            }
        }
        if q == "{" || q.starts_with("{,") {
            return Err("a counted repetition it cannot read".into());
        }
        q.push('}');
        Ok(q)
    }

    /// After `(`: a group (its piece), or flags for the rest of the
    /// enclosing group (set in `flags`; no piece).
    fn group(&mut self, flags: &mut Flags) -> Result<Option<Piece>, String> {
        let mut name = None;
        if self.peek() == Some('?') {
            self.pos += 1;
            match self.peek() {
                Some('P') if self.peek_at(1) == Some('<') => {
                    self.pos += 2;
                    name = Some(self.skip_name()?);
                }
                Some('<') => {
                    self.pos += 1;
                    name = Some(self.skip_name()?);
                }
                _ => {
                    // Flags: `(?flags)` or `(?flags:…)`.
                    let mut inner = *flags;
                    let mut on = true;
                    loop {
                        match self.next()? {
                            '-' => on = false,
                            'i' => inner.i = on,
                            'm' => inner.m = on,
                            's' => inner.s = on,
                            'u' if on => {}
                            ':' => break,
                            ')' => {
                                *flags = inner;
                                return Ok(None);
                            }
                            c => {
                                return Err(format!(
                                    "the flag `{}{c}` has no Python equivalent",
                                    if on { "" } else { "-" }
                                ))
                            }
                        }
                    }
                    let body = self.alternation(inner, false)?;
                    return Ok(Some(Piece {
                        s: format!("(?:{body})"),
                        group_first: false,
                    }));
                }
            }
        }
        // Captures do not change whether a regex matches.
        let body = self.alternation(*flags, false)?;
        let s = match name {
            _ if !self.groups => format!("(?:{body})"),
            None => format!("({body})"),
            Some(n) => {
                let ident = n
                    .chars()
                    .next()
                    .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
                    && n.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
                if !ident {
                    return Err(format!("Python's group names are identifiers, not `{n}`"));
                }
                format!("(?P<{n}>{body})")
            }
        };
        Ok(Some(Piece {
            s,
            group_first: false,
        }))
    }

    /// After `<`: the group name, up to and past its `>`.
    fn skip_name(&mut self) -> Result<String, String> {
        let mut n = String::new();
        loop {
            match self.next()? {
                '>' => return Ok(n),
                c => n.push(c),
            }
        }
    }

    /// After `\`, outside a class.
    fn escape(&mut self, flags: Flags) -> Result<Piece, String> {
        let c = self.next()?;
        let piece = |s: &str| Piece {
            s: s.into(),
            group_first: false,
        };
        Ok(match c {
            'd' | 'D' | 's' | 'S' | 'w' | 'W' => piece(&format!("\\{c}")),
            'A' => assertion("\\A"),
            'z' => assertion("\\Z"),
            'b' if self.peek() == Some('{') => {
                let rest: String = self.chars[self.pos..].iter().map(|&(_, c)| c).collect();
                let (mark, len) = [
                    ("{start}", "(?#\\<)"),
                    ("{end}", "(?#\\>)"),
                    ("{start-half}", "(?#start-half)"),
                    ("{end-half}", "(?#end-half)"),
                ]
                .iter()
                .find(|(k, _)| rest.starts_with(k))
                .map(|(k, m)| (*m, k.chars().count()))
                .unwrap_or(("(?#\\b)", 0));
                self.pos += len;
                assertion(mark)
            }
            'b' => assertion("(?#\\b)"),
            'B' => assertion("(?#\\B)"),
            '<' => assertion("(?#\\<)"),
            '>' => assertion("(?#\\>)"),
            c => piece(&literal(self.escaped_char(c)?, flags)),
        })
    }

    /// The character an escape other than a class or an assertion stands
    /// for (`c` is the character after the backslash).
    fn escaped_char(&mut self, c: char) -> Result<char, String> {
        Ok(match c {
            'a' => '\x07',
            'f' => '\x0C',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            'v' => '\x0B',
            'x' | 'u' | 'U' => {
                let digits = if self.peek() == Some('{') {
                    self.pos += 1;
                    let mut d = String::new();
                    loop {
                        match self.next()? {
                            '}' => break,
                            c => d.push(c),
                        }
                    }
                    d
                } else {
                    let n = match c {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    (0..n).map(|_| self.next()).collect::<Result<String, _>>()?
                };
                u32::from_str_radix(&digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or("a hexadecimal escape it cannot read")?
            }
            'p' | 'P' => return Err(format!("Python's `re` has no Unicode classes (`\\{c}`)")),
            c if c.is_ascii() && !c.is_ascii_alphanumeric() && c != '<' && c != '>' => c,
            c => return Err(format!("the escape `\\{c}`")),
        })
    }

    /// After `[`: the class in Python syntax (without flags).
    fn class(&mut self) -> Result<String, String> {
        let mut out = String::from("[");
        if self.peek() == Some('^') {
            self.pos += 1;
            out.push('^');
        }
        let mut first = true;
        while self.peek() == Some('-') {
            self.pos += 1;
            out.push_str("\\-");
            first = false;
        }
        if first && self.peek() == Some(']') {
            self.pos += 1;
            out.push_str("\\]");
        }
        loop {
            let c = self.next()?;
            match c {
                ']' => break,
                '[' => return Err("nested classes and `[:name:]` classes".into()),
                '&' | '-' | '~' if self.peek() == Some(c) => {
                    return Err("class set operations (`&&`, `--`, `~~`)".into())
                }
                _ => {}
            }
            let lo = self.class_item(c)?;
            let range = self.peek() == Some('-') && !matches!(self.peek_at(1), Some(']' | '-'));
            match lo {
                ClassItem::Char(lo) if range => {
                    self.pos += 1;
                    let c2 = self.next()?;
                    let ClassItem::Char(hi) = self.class_item(c2)? else {
                        return Err("a range that ends in a class".into());
                    };
                    out.push_str(&class_char(lo));
                    out.push('-');
                    out.push_str(&class_char(hi));
                }
                ClassItem::Char(c) => out.push_str(&class_char(c)),
                ClassItem::Perl(p) => {
                    out.push('\\');
                    out.push(p);
                }
            }
        }
        out.push(']');
        Ok(out)
    }

    fn class_item(&mut self, c: char) -> Result<ClassItem, String> {
        if c != '\\' {
            return Ok(ClassItem::Char(c));
        }
        let e = self.next()?;
        Ok(match e {
            'd' | 'D' | 's' | 'S' | 'w' | 'W' => ClassItem::Perl(e),
            e => ClassItem::Char(self.escaped_char(e)?),
        })
    }
}

enum ClassItem {
    Char(char),
    /// `\d`, `\s`, `\w` or a negation: Python's meaning is flow's.
    Perl(char),
}

fn assertion(s: &str) -> Piece {
    Piece {
        s: s.into(),
        group_first: true,
    }
}

/// A character in a Python class: ASCII punctuation escaped, invisible
/// characters as escapes.
fn class_char(c: char) -> String {
    if c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric()) {
        c.to_string()
    } else if c.is_ascii_graphic() || c == ' ' {
        format!("\\{c}")
    } else {
        py_escape(c)
    }
}

/// A literal character outside a class, case-insensitive under `i`.
/// Python's case-insensitive `i` and `I` also match the dotless `ı`, which
/// Rust's case folding does not, so those are spelled out.
fn literal(c: char, flags: Flags) -> String {
    let plain = class_char(c);
    if !flags.i {
        return plain;
    }
    let cased = c.to_lowercase().ne(std::iter::once(c)) || c.to_uppercase().ne(std::iter::once(c));
    match c {
        'i' | 'I' => "[Ii]".into(),
        'ı' => plain,
        _ if cased || c.is_alphabetic() => format!("(?i:{plain})"),
        _ => plain,
    }
}

/// A class under the flags: under `i`, Python's case-insensitive class
/// may differ from Rust's only on `I`, `i` and `ı`; which of those Rust's
/// class matches is asked of flow's own regex engine, and spelled out.
fn caseless_class(class: &str, src: &str, flags: Flags) -> Result<String, String> {
    if !flags.i {
        return Ok(class.to_string());
    }
    let re = crate::text::regex::py_regex(&format!("^(?i:{src})$"))
        .map_err(|e| crate::text::regex::regex_reason(&e))?;
    let hits: String = ['I', 'i', 'ı']
        .iter()
        .filter(|c| re.is_match(&c.to_string()))
        .collect();
    Ok(if hits.is_empty() {
        format!("(?:(?![Iiı])(?i:{class}))")
    } else {
        format!("(?:(?![Iiı])(?i:{class})|[{hits}])")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes_translate() {
        let t = |p: &str| regex_to_py(p).unwrap();
        assert_eq!(t("^a.c$"), "^a.c\\Z");
        assert_eq!(t("(?m)^a$"), "(?m:^)a(?m:$)");
        assert_eq!(t("a{2,3}?b*"), "a{2,3}?b*");
        assert_eq!(t("a**"), "(?:a*)*");
        assert_eq!(t("^*"), "(?:^)*");
        assert_eq!(t("(?P<x>a)|[^]a-]"), "(?:a)|[^\\]a\\-]");
        assert_eq!(t("\\bx\\B"), "(?#\\b)x(?#\\B)");
        assert_eq!(t("x(?i)i|k"), "x[Ii]|(?i:k)");
        assert_eq!(t("\\x41\\u{1F600}"), "A\\U0001f600");
        assert_eq!(t("(?s:.)."), "(?:(?s:.)).");
        assert!(regex_to_py("\\pL").is_err());
        assert!(regex_to_py("[[:alpha:]]").is_err());
        assert!(regex_to_py("[a&&b]").is_err());
        assert!(regex_to_py("(?x)a b").is_err());
    }

    #[test]
    fn literals() {
        assert_eq!(str_lit("a'b"), "\"a'b\"");
        assert_eq!(str_lit("a'\"b\n\u{7}"), "'a\\'\"b\\n\\x07'");
        assert_eq!(
            constant(&Value::Float(f64::NEG_INFINITY)).s,
            "float('-inf')"
        );
        assert_eq!(constant(&Value::Float(1e16)).s, "1e+16");
        assert_eq!(bracket_depth("f('((', [g(1)])"), 3);
    }
}
