//! Typed expressions: an AST expression with names resolved (constants
//! inlined, bare functions applied to `it`) and a static type on every node.

use crate::diag::Diag;
use crate::ops::funcs;
use crate::syntax::ast::{BinOp, Expr, ExprKind, Ident, Span, UnOp};
use crate::types::Type;
use crate::value::Value;

pub use crate::ops::expr::{TExpr, TKind};

/// What a name in an expression can refer to.
pub enum NameRef {
    Const(Value),
    /// A bound collection: not usable as a value.
    Collection,
    Unbound,
}

/// Resolves and types `e`, where `it` has type `it`. `names` looks up bound names.
pub fn check(e: &Expr, it: &Type, names: &dyn Fn(&str) -> NameRef) -> Result<TExpr, Diag> {
    Checker { it, names }.expr(e)
}

struct Checker<'a> {
    it: &'a Type,
    names: &'a dyn Fn(&str) -> NameRef,
}

/// A parenthesised pipeline where a value is expected.
pub fn pipeline_not_value(span: Span) -> Diag {
    Diag::script(
        "flow::plan::pipeline_argument",
        "a parenthesised pipeline is not a value",
    )
    .at(span, "a pipeline")
    .help("a pipeline in parentheses is a collection argument of `concat` or `join`, e.g. `concat (read_text \"a.log\") (read_text \"b.log\")`")
}

fn type_err(span: Span, msg: String) -> Diag {
    Diag::script("flow::plan::expression_type", msg).at(span, "here")
}

impl Checker<'_> {
    fn expr(&self, e: &Expr) -> Result<TExpr, Diag> {
        let (kind, ty) = match &e.kind {
            ExprKind::Null => (TKind::Const(Value::Null), Type::Null),
            ExprKind::Bool(b) => (TKind::Const(Value::Bool(*b)), Type::Bool),
            ExprKind::Int(i) => (TKind::Const(Value::Int(*i)), Type::Int),
            ExprKind::Size(n) => (TKind::Const(Value::Int(*n as i64)), Type::Int),
            ExprKind::Float(x) => (TKind::Const(Value::Float(*x)), Type::Float),
            ExprKind::Str(s) => (TKind::Const(Value::str(s)), Type::Str),
            ExprKind::It => (TKind::It, self.it.clone()),
            ExprKind::List(items) => {
                let items = items
                    .iter()
                    .map(|i| self.expr(i))
                    .collect::<Result<Vec<_>, _>>()?;
                let elem = items
                    .iter()
                    .map(|i| i.ty.clone())
                    .reduce(|a, b| a.join(&b))
                    .unwrap_or(Type::Any);
                // A list of constants is itself a constant.
                if items.iter().all(|i| matches!(i.kind, TKind::Const(_))) {
                    let vals: Vec<Value> = items
                        .into_iter()
                        .map(|i| match i.kind {
                            TKind::Const(v) => v,
                            _ => unreachable!(),
                        })
                        .collect();
                    (TKind::Const(Value::List(vals.into())), Type::list(elem))
                } else {
                    (TKind::List(items), Type::list(elem))
                }
            }
            ExprKind::Name(name) => match (self.names)(name) {
                NameRef::Const(v) => {
                    let t = v.type_of();
                    (TKind::Const(v), t)
                }
                NameRef::Collection => {
                    return Err(Diag::script(
                        "flow::plan::collection_in_expression",
                        format!("`{name}` is a collection, not a value"),
                    )
                    .at(e.span, "a bound collection")
                    .help(format!("use `concat {name}` to add its elements, or compute a scalar from it in its own output")));
                }
                NameRef::Unbound => match funcs::lookup(name) {
                    Some(f) if f.arity.0 <= 1 => return self.call(f, &[], e.span, e.span, true),
                    Some(f) => {
                        return Err(Diag::script(
                            "flow::plan::argument_count",
                            format!("`{name}` needs {} arguments: {}", f.arity.0, f.signature),
                        )
                        .at(e.span, "called with none")
                        .help(format!("write it as a call, e.g. `{}`", f.signature)))
                    }
                    None => return Err(unbound(name, e.span)),
                },
            },
            ExprKind::Field(base, name) => {
                let b = self.expr(base)?;
                let t = match b.ty.field(&name.name) {
                    Some(t) => t,
                    None => match &b.ty {
                        Type::Record(Some(fields)) => {
                            let d =
                                type_err(name.span, format!("record has no field `{}`", name.name));
                            let cands = fields.iter().map(|(k, _)| k.as_str());
                            return Err(match crate::ops::closest_in(&name.name, cands) {
                                Some(c) => {
                                    d.help(format!("did you mean `{c}`? the record is {}", b.ty))
                                }
                                None => d.help(format!("the record is {}", b.ty)),
                            });
                        }
                        _ if matches!(b.ty, Type::Record(_)) => {
                            return Err(type_err(
                                name.span,
                                format!("{} has no field `{}`", b.ty, name.name),
                            ))
                        }
                        _ => {
                            return Err(type_err(
                                e.span,
                                format!("`.{}` needs a record, but this is {}", name.name, b.ty),
                            ))
                        }
                    },
                };
                (TKind::Field(Box::new(b), name.name.clone()), t)
            }
            ExprKind::Index(base, idx) => {
                let b = self.expr(base)?;
                let i = self.expr(idx)?;
                let t = match (&b.ty, &i.ty) {
                    (Type::List(t), Type::Int | Type::Any) => (**t).clone(),
                    (Type::Str, Type::Int | Type::Any) => Type::Str,
                    (Type::Record(_), _) => match &i.kind {
                        TKind::Const(Value::Str(k)) => b.ty.field(k).ok_or_else(|| {
                            type_err(i.span, format!("{} has no field \"{k}\"", b.ty))
                        })?,
                        _ if i.ty.fits(&Type::Str) => Type::Any,
                        _ => {
                            return Err(type_err(
                                i.span,
                                format!("a record is indexed by str, not {}", i.ty),
                            ))
                        }
                    },
                    (Type::Any, _) => Type::Any,
                    (bt, it) => {
                        return Err(type_err(e.span, format!("cannot index {bt} with {it}")))
                    }
                };
                (TKind::Index(Box::new(b), Box::new(i)), t)
            }
            ExprKind::Call(name, args) => {
                let Some(f) = funcs::lookup(&name.name) else {
                    return Err(unbound(&name.name, name.span));
                };
                return self.call(f, args, e.span, name.span, false);
            }
            ExprKind::Unary(op, inner) => {
                let i = self.expr(inner)?;
                let t = match op {
                    UnOp::Not if i.ty.fits(&Type::Bool) => Type::Bool,
                    UnOp::Not => {
                        return Err(type_err(
                            e.span,
                            format!("`not` needs a bool, but this is {}", i.ty),
                        ))
                    }
                    UnOp::Neg => match &i.ty {
                        Type::Int | Type::Float | Type::Any => i.ty.clone(),
                        t => return Err(type_err(e.span, format!("cannot negate {t}"))),
                    },
                };
                (TKind::Unary(*op, Box::new(i)), t)
            }
            ExprKind::Binary(op, le, re) => {
                let l = self.expr(le)?;
                let r = self.expr(re)?;
                if let Some(d) = incomparable(*op, (le, &l.ty), (re, &r.ty), e.span) {
                    return Err(d);
                }
                let t = binary_type(*op, &l.ty, &r.ty).map_err(|m| type_err(e.span, m))?;
                (TKind::Binary(*op, Box::new(l), Box::new(r)), t)
            }
            ExprKind::Pipeline(_) => return Err(pipeline_not_value(e.span)),
            ExprKind::Record(entries) => {
                if let Some(d) = duplicate_key(entries.iter().map(|(k, _)| k)) {
                    return Err(d);
                }
                let entries = entries
                    .iter()
                    .map(|(k, v)| Ok((k.name.clone(), self.expr(v)?)))
                    .collect::<Result<Vec<_>, Diag>>()?;
                let ty = Type::Record(Some(
                    entries
                        .iter()
                        .map(|(k, v)| (k.clone(), v.ty.clone()))
                        .collect(),
                ));
                // A record of constants is itself a constant.
                if entries
                    .iter()
                    .all(|(_, v)| matches!(v.kind, TKind::Const(_)))
                {
                    let rec = entries
                        .into_iter()
                        .map(|(k, v)| match v.kind {
                            TKind::Const(v) => (k.as_str().into(), v),
                            _ => unreachable!(),
                        })
                        .collect();
                    (
                        TKind::Const(Value::Record(std::sync::Arc::new(
                            crate::value::Record::from_unique(rec),
                        ))),
                        ty,
                    )
                } else {
                    (TKind::Record(entries), ty)
                }
            }
            ExprKind::If(c, a, b) => {
                let c = self.expr(c)?;
                if !c.ty.fits(&Type::Bool) {
                    return Err(Diag::script(
                        "flow::plan::expression_type",
                        format!("`if` needs a bool condition, but this is {}", c.ty),
                    )
                    .at(c.span, format!("{}, not a bool", c.ty))
                    .help("make the condition a comparison, e.g. `if .n > 0 then …` or `if .s != \"\" then …`"));
                }
                let a = self.expr(a)?;
                let b = self.expr(b)?;
                let ty = a.ty.join(&b.ty);
                (TKind::If(Box::new(c), Box::new(a), Box::new(b)), ty)
            }
            ExprKind::Slice(base, lo, hi) => {
                let b = self.expr(base)?;
                let bound = |x: &Option<Box<Expr>>| -> Result<Option<Box<TExpr>>, Diag> {
                    let Some(x) = x else { return Ok(None) };
                    let t = self.expr(x)?;
                    if !matches!(t.ty, Type::Int | Type::Any) {
                        return Err(type_err(
                            t.span,
                            format!("a slice bound is an int, not {}", t.ty),
                        ));
                    }
                    Ok(Some(Box::new(t)))
                };
                let (lo, hi) = (bound(lo)?, bound(hi)?);
                let ty = match &b.ty {
                    Type::Str | Type::List(_) | Type::Any => b.ty.clone(),
                    t => {
                        return Err(type_err(
                            e.span,
                            format!("only a str or a list can be sliced, not {t}"),
                        ))
                    }
                };
                (TKind::Slice(Box::new(b), lo, hi), ty)
            }
        };
        Ok(TExpr {
            kind,
            ty,
            span: e.span,
        })
    }

    fn call(
        &self,
        f: &'static funcs::FuncDef,
        args: &[Expr],
        span: Span,
        name_span: Span,
        bare: bool,
    ) -> Result<TExpr, Diag> {
        let mut targs = args
            .iter()
            .map(|a| self.expr(a))
            .collect::<Result<Vec<_>, _>>()?;
        // `starts_with("a")` ≡ `starts_with(it, "a")`; a bare `len` ≡ `len(it)`.
        if bare || targs.len() < f.arity.0 {
            targs.insert(
                0,
                TExpr {
                    kind: TKind::It,
                    ty: self.it.clone(),
                    span: Span::new(name_span.start, name_span.start),
                },
            );
        }
        if targs.len() < f.arity.0 || targs.len() > f.arity.1 {
            let want = if f.arity.0 == f.arity.1 {
                format!("{}", f.arity.0)
            } else {
                format!("{} to {}", f.arity.0, f.arity.1)
            };
            return Err(Diag::script(
                "flow::plan::argument_count",
                format!(
                    "`{}` takes {want} arguments, but {} were given",
                    f.name,
                    args.len()
                ),
            )
            .at(span, "wrong number of arguments")
            .help(format!("{} — {}", f.signature, f.summary)));
        }
        let types: Vec<Type> = targs.iter().map(|a| a.ty.clone()).collect();
        let ty = (f.rule)(&types).map_err(|m| {
            let m = m.replace("this function", &format!("`{}`", f.name));
            type_err(span, m).help(format!("{} — {}", f.signature, f.summary))
        })?;
        for (i, kind) in f.checked {
            if let Some(TExpr {
                kind: TKind::Const(v),
                span: vs,
                ..
            }) = targs.get(*i)
            {
                kind.check(v).map_err(|inv| inv.at(*vs))?;
            }
        }
        if let Some(check) = f.consts {
            let consts: Vec<Option<&Value>> = targs
                .iter()
                .map(|a| match &a.kind {
                    TKind::Const(v) => Some(v),
                    _ => None,
                })
                .collect();
            check(&consts).map_err(|(i, inv)| inv.at(targs[i].span))?;
        }
        Ok(TExpr {
            kind: TKind::Call(f.id, targs),
            ty,
            span,
        })
    }
}

/// The second use of a key in a record literal (keys are distinct).
pub fn duplicate_key<'k>(keys: impl Iterator<Item = &'k Ident>) -> Option<Diag> {
    let mut seen: Vec<&Ident> = Vec::new();
    for k in keys {
        if seen.iter().any(|f| f.name == k.name) {
            let shown = crate::text::quote(&k.name);
            return Some(
                Diag::script(
                    "flow::plan::duplicate_key",
                    format!("the key {shown} appears twice in this record"),
                )
                .at(k.span, "a second time here")
                .help("the keys of a record are distinct: rename or drop one of them"),
            );
        }
        seen.push(k);
    }
    None
}

/// Which kinds of values compare with which: numbers (bools are ints)
/// with numbers, strs with strs, lists with lists, records with records.
/// `null` and `any` are left to run time (`x == null` is a test, not a mistake).
fn compare_class(t: &Type) -> Option<&'static str> {
    Some(match t {
        Type::Int | Type::Float | Type::Bool => "num",
        Type::Str => "str",
        Type::List(_) => "list",
        Type::Record(_) => "record",
        Type::Any | Type::Null => return None,
    })
}

/// A comparison (`== != < <= > >= in`) between values whose static types
/// can never be equal or ordered: a diagnostic whose help names the
/// conversion (`int(split(it)[8]) == 200`).
fn incomparable(op: BinOp, l: (&Expr, &Type), r: (&Expr, &Type), span: Span) -> Option<Diag> {
    use BinOp::*;
    let (lt, rt) = (l.1, r.1);
    let item = match (op, rt) {
        (Eq | Ne | Lt | Le | Gt | Ge, _) => rt.clone(),
        (In, Type::List(t)) => (**t).clone(),
        (In, Type::Str | Type::Record(_)) => Type::Str,
        _ => return None,
    };
    let (a, b) = (compare_class(lt)?, compare_class(&item)?);
    if a == b {
        return None;
    }
    let message = match op {
        Eq | Ne => format!(
            "`{}` between {lt} and {rt} is always {}: they are never equal",
            op.symbol(),
            op == Ne
        ),
        In => format!("{lt} is never `in` {rt}"),
        _ => format!("cannot compare {lt} with {rt} using `{}`", op.symbol()),
    };
    // The comparison as it would read with one side converted.
    let call = |f: &str, x: &Expr| Expr {
        kind: ExprKind::Call(
            Ident {
                name: f.into(),
                span: Span::default(),
            },
            vec![x.clone()],
        ),
        span: Span::default(),
    };
    let with = |x: Expr, y: Expr| {
        Expr {
            kind: ExprKind::Binary(op, Box::new(x), Box::new(y)),
            span: Span::default(),
        }
        .to_string()
    };
    let num_of = |t: &Type| if *t == Type::Float { "float" } else { "int" };
    let bool_text = "(a bool's text is \"True\" or \"False\"); or compare with `true` or `false`";
    let help = match (a, b) {
        ("num", "str") if *lt == Type::Bool => format!(
            "to compare as text, write `{}` {bool_text}",
            with(call("str", l.0), r.0.clone())
        ),
        ("str", "num") if item == Type::Bool && op != In => format!(
            "to compare as text, write `{}` {bool_text}",
            with(l.0.clone(), call("str", r.0))
        ),
        ("str", "num") if op != In => format!(
            "to compare numbers, convert the str: `{}`; to compare text, `{}`",
            with(call(num_of(&item), l.0), r.0.clone()),
            with(l.0.clone(), call("str", r.0))
        ),
        ("num", "str") if op != In => format!(
            "to compare numbers, convert the str: `{}`; to compare text, `{}`",
            with(l.0.clone(), call(num_of(lt), r.0)),
            with(call("str", l.0), r.0.clone())
        ),
        ("num", "str") => format!(
            "convert it to text first: `{}`",
            with(call("str", l.0), r.0.clone())
        ),
        _ => format!(
            "a {a} and a {b} are never equal; convert one side (`str(…)`, `int(…)`, `float(…)`)"
        ),
    };
    Some(
        Diag::script("flow::plan::incomparable", message)
            .at(span, format!("{lt} compared with {rt}"))
            .help(help),
    )
}

fn unbound(name: &str, span: Span) -> Diag {
    let mut d = Diag::script("flow::plan::unbound_name", format!("unknown name `{name}`"))
        .at(span, "not a bound name or function");
    let cands = funcs::FUNCTIONS.iter().map(|f| f.name);
    if let Some(h) = crate::ops::aliases::function_help(name) {
        d = d.help(h);
    } else if let Some(c) = crate::ops::closest_in(name, cands) {
        d = d.help(format!("did you mean `{c}`?"));
    } else {
        d = d.help("inside an expression, `it` is the element and `.field` a field of it");
    }
    d
}

/// The result type of a binary operator (Python semantics), or why it does not apply.
pub fn binary_type(op: BinOp, l: &Type, r: &Type) -> Result<Type, String> {
    use Type::*;
    let num = |t: &Type| matches!(t, Int | Float | Bool | Any);
    Ok(match op {
        BinOp::Or | BinOp::And => {
            for t in [l, r] {
                if !t.fits(&Bool) {
                    return Err(format!(
                        "`{}` needs bool operands, but one is {t}",
                        op.symbol()
                    ));
                }
            }
            Bool
        }
        BinOp::Eq | BinOp::Ne => Bool,
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            let ok = matches!((l, r), (Any, _) | (_, Any) | (Str, Str) | (Null, Null))
                || (num(l) && num(r))
                || matches!((l, r), (List(_), List(_)));
            if !ok {
                return Err(format!(
                    "cannot compare {l} with {r} using `{}`",
                    op.symbol()
                ));
            }
            Bool
        }
        BinOp::In => match r {
            Str if l.fits(&Str) => Bool,
            List(_) | Record(_) | Any => Bool,
            _ => {
                return Err(format!(
                    "`in` needs a str, list or record on the right, not {r}"
                ))
            }
        },
        BinOp::Add | BinOp::Concat => match (l, r) {
            (Str, Str) => Str,
            (List(a), List(b)) => Type::list(a.join(b)),
            (Any, _) | (_, Any) => Any,
            _ if op == BinOp::Add && num(l) && num(r) => arith(l, r),
            _ => return Err(format!("cannot apply `{}` to {l} and {r}", op.symbol())),
        },
        BinOp::Sub | BinOp::Mod => {
            if num(l) && num(r) {
                arith(l, r)
            } else {
                return Err(format!("cannot apply `{}` to {l} and {r}", op.symbol()));
            }
        }
        BinOp::Mul => match (l, r) {
            (Str, Int) | (Int, Str) => Str,
            (List(t), Int) | (Int, List(t)) => List(t.clone()),
            _ if num(l) && num(r) => arith(l, r),
            _ => return Err(format!("cannot apply `*` to {l} and {r}")),
        },
        // The first present value: either side's.
        BinOp::Coalesce => {
            if *l == Null {
                r.clone()
            } else {
                l.join(r)
            }
        }
        BinOp::Div => {
            if num(l) && num(r) {
                if matches!((l, r), (Any, _) | (_, Any)) {
                    Any
                } else {
                    Float
                }
            } else {
                return Err(format!("cannot apply `/` to {l} and {r}"));
            }
        }
    })
}

fn arith(l: &Type, r: &Type) -> Type {
    use Type::*;
    match (l, r) {
        (Any, _) | (_, Any) => Any,
        (Float, _) | (_, Float) => Float,
        _ => Int,
    }
}
