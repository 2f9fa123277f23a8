//! The typed expression tree that operator arguments hold ([`super::Arg::Expr`]):
//! an AST expression with names resolved (constants inlined, bare functions
//! applied to `it`) and a static type on every node. `plan::expr` builds it;
//! `exec::eval` evaluates it.

use std::fmt;

use super::funcs::{self, FnId};
use crate::syntax::ast::{BinOp, Expr, ExprKind, Ident, Span, UnOp};
use crate::types::Type;
use crate::value::Value;

#[derive(Clone, Debug, PartialEq)]
pub struct TExpr {
    pub kind: TKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TKind {
    Const(Value),
    It,
    List(Vec<TExpr>),
    Field(Box<TExpr>, String),
    Index(Box<TExpr>, Box<TExpr>),
    Call(FnId, Vec<TExpr>),
    Unary(UnOp, Box<TExpr>),
    Binary(BinOp, Box<TExpr>, Box<TExpr>),
    /// A record literal whose values are not all constants: distinct keys
    /// in the order written.
    Record(Vec<(String, TExpr)>),
    /// `if COND then A else B`.
    If(Box<TExpr>, Box<TExpr>, Box<TExpr>),
    /// `base[lo:hi]`, either bound optional.
    Slice(Box<TExpr>, Option<Box<TExpr>>, Option<Box<TExpr>>),
}

impl TExpr {
    /// The expression as syntax again, for the one expression printer
    /// (`syntax::ast`'s `Display`). Constants that have no literal syntax of
    /// their own (floats) print as their value's text.
    pub fn to_syntax(&self) -> Expr {
        let span = Span::default();
        let b = |e: &TExpr| Box::new(e.to_syntax());
        let kind = match &self.kind {
            TKind::Const(v) => return const_syntax(v),
            TKind::It => ExprKind::It,
            TKind::List(items) => ExprKind::List(items.iter().map(TExpr::to_syntax).collect()),
            TKind::Field(base, name) => ExprKind::Field(
                b(base),
                Ident {
                    name: name.clone(),
                    span,
                },
            ),
            TKind::Index(base, i) => ExprKind::Index(b(base), b(i)),
            TKind::Call(id, args) => ExprKind::Call(
                Ident {
                    name: funcs::def(*id).name.to_string(),
                    span,
                },
                args.iter().map(TExpr::to_syntax).collect(),
            ),
            TKind::Unary(op, inner) => ExprKind::Unary(*op, b(inner)),
            TKind::Binary(op, l, r) => ExprKind::Binary(*op, b(l), b(r)),
            TKind::Record(entries) => ExprKind::Record(
                entries
                    .iter()
                    .map(|(k, v)| (key(k), v.to_syntax()))
                    .collect(),
            ),
            TKind::If(c, x, y) => ExprKind::If(b(c), b(x), b(y)),
            TKind::Slice(base, lo, hi) => {
                ExprKind::Slice(b(base), lo.as_deref().map(b), hi.as_deref().map(b))
            }
        };
        Expr { kind, span }
    }
}

fn key(k: &str) -> Ident {
    Ident {
        name: k.to_string(),
        span: Span::default(),
    }
}

fn const_syntax(v: &Value) -> Expr {
    let kind = match v {
        Value::Record(r) => {
            ExprKind::Record(r.iter().map(|(k, v)| (key(k), const_syntax(v))).collect())
        }
        Value::Null => ExprKind::Null,
        Value::Bool(b) => ExprKind::Bool(*b),
        Value::Int(i) => ExprKind::Int(*i),
        Value::Str(s) => ExprKind::Str(s.to_string()),
        Value::List(items) => ExprKind::List(items.iter().map(const_syntax).collect()),
        other => ExprKind::Name(other.to_string()),
    };
    Expr {
        kind,
        span: Span::default(),
    }
}

/// Prints the resolved expression as flow source (`not_delim(it)`).
impl fmt::Display for TExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_syntax().fmt(f)
    }
}
