//! Typed expressions: an AST expression with names resolved (constants
//! inlined, bare functions applied to `it`) and a static type on every node.

use crate::diag::Diag;
use crate::ops::funcs;
use crate::syntax::ast::{BinOp, Expr, ExprKind, Span, UnOp};
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
                            let d = type_err(
                                name.span,
                                format!("record has no field `{}`", name.name),
                            );
                            let cands = fields.iter().map(|(k, _)| k.as_str());
                            return Err(match crate::ops::closest_in(&name.name, cands) {
                                Some(c) => d.help(format!("did you mean `{c}`? the record is {}", b.ty)),
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
            ExprKind::Record(_) => {
                return Err(type_err(
                    e.span,
                    "a record literal here is not supported: `{…}` is an option value such as `types={age: int}`".into(),
                ))
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
            ExprKind::Binary(op, l, r) => {
                let l = self.expr(l)?;
                let r = self.expr(r)?;
                let t = binary_type(*op, &l.ty, &r.ty).map_err(|m| type_err(e.span, m))?;
                (TKind::Binary(*op, Box::new(l), Box::new(r)), t)
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
        Ok(TExpr {
            kind: TKind::Call(f.id, targs),
            ty,
            span,
        })
    }
}

fn unbound(name: &str, span: Span) -> Diag {
    let mut d = Diag::script("flow::plan::unbound_name", format!("unknown name `{name}`"))
        .at(span, "not a bound name or function");
    let cands = funcs::FUNCTIONS.iter().map(|f| f.name);
    if let Some(c) = crate::ops::closest_in(name, cands) {
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
