//! The abstract syntax tree: what the user wrote, with a byte span on every
//! node. Names are not resolved here; that is `plan::build`'s job.

use std::fmt;

pub use crate::diag::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub stmts: Vec<Stmt>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `let NAME = PIPELINE`
    Let {
        name: Ident,
        pipeline: Pipeline,
        span: Span,
    },
    /// `let NAME = LITERAL`; `--set NAME=VALUE` may override it.
    Const {
        name: Ident,
        value: Expr,
        span: Span,
    },
    /// A pipeline whose result is an output of the script.
    Output(Pipeline),
}

impl Stmt {
    pub fn span(&self) -> Span {
        match self {
            Stmt::Let { span, .. } | Stmt::Const { span, .. } => *span,
            Stmt::Output(p) => p.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub stages: Vec<Stage>,
    pub span: Span,
}

/// `OP ARG* NAME=ARG*`. The first stage of a pipeline may also be a bound name.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub op: Ident,
    pub args: Vec<Expr>,
    pub options: Vec<NamedArg>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NamedArg {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A size literal such as `1MiB`, already converted to bytes.
    Size(u64),
    Str(String),
    List(Vec<Expr>),
    /// `it`, the current element.
    It,
    /// A bare name: a bound constant, or a function applied to `it`.
    Name(String),
    /// `base.field`; `.field` alone has base `It`.
    Field(Box<Expr>, Ident),
    Index(Box<Expr>, Box<Expr>),
    Call(Ident, Vec<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `(PIPELINE)` as a stage argument: a collection for `concat` and
    /// `join` (the planner refuses it anywhere else).
    Pipeline(Box<Pipeline>),
    /// `{key: value, …}`: keys in the order written (`.a.b` alone is `b: .a.b`).
    Record(Vec<(Ident, Expr)>),
    /// `if COND then A else B`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `base[lo:hi]`, either bound optional.
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
}

/// Whether `s` can be written as a bare name (a record key without quotes).
pub fn is_ident(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&s)
}

/// The reserved words: never names. The grammar's `keyword` rule spells the
/// same list (a test in `syntax::parse` keeps them equal); the REPL's lexer
/// reads this one.
pub const KEYWORDS: &[&str] = &[
    "let", "and", "or", "not", "in", "it", "true", "false", "null", "if", "then", "else",
];

/// One level of operator precedence: binary operators (left-associative,
/// except those [`BinOp::right_assoc`] names) and/or a prefix operator.
#[derive(Clone, Copy, Debug)]
pub struct Level {
    pub binary: &'static [BinOp],
    pub unary: Option<UnOp>,
}

/// Operator precedence, loosest first: the one table the parser's Pratt
/// climber is built from and the printer parenthesizes by.
pub const PRECEDENCE: &[Level] = &[
    Level {
        binary: &[BinOp::Or],
        unary: None,
    },
    Level {
        binary: &[BinOp::And],
        unary: None,
    },
    Level {
        binary: &[],
        unary: Some(UnOp::Not),
    },
    Level {
        binary: &[
            BinOp::Eq,
            BinOp::Ne,
            BinOp::Lt,
            BinOp::Le,
            BinOp::Gt,
            BinOp::Ge,
            BinOp::In,
        ],
        unary: None,
    },
    Level {
        binary: &[BinOp::Coalesce],
        unary: None,
    },
    Level {
        binary: &[BinOp::Add, BinOp::Sub, BinOp::Concat],
        unary: None,
    },
    Level {
        binary: &[BinOp::Mul, BinOp::Div, BinOp::Mod],
        unary: None,
    },
    Level {
        binary: &[],
        unary: Some(UnOp::Neg),
    },
];

/// The level (1-based, higher binds tighter) of the first entry `is` picks.
fn level_of(is: impl Fn(&Level) -> bool) -> u8 {
    let i = PRECEDENCE
        .iter()
        .position(is)
        .expect("every operator is in PRECEDENCE");
    u8::try_from(i + 1).expect("a few levels")
}

/// Tighter than every operator: the context of a postfix base (`(a + b).k`).
fn postfix_level() -> u8 {
    u8::try_from(PRECEDENCE.len() + 1).expect("a few levels")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Concat,
    Mul,
    Div,
    Mod,
    /// `A ?? B`: A, or B when A is null or fails for a missing key or index.
    Coalesce,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Concat => "++",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Coalesce => "??",
        }
    }
    /// `a ?? b ?? c` is `a ?? (b ?? c)`, as in C# and JavaScript: the first
    /// present value wins. Every other operator groups to the left.
    pub fn right_assoc(self) -> bool {
        self == BinOp::Coalesce
    }
    /// Binding strength from [`PRECEDENCE`]; higher binds tighter. Used to
    /// print with minimal parentheses.
    pub fn precedence(self) -> u8 {
        level_of(|l| l.binary.contains(&self))
    }
}

impl UnOp {
    pub fn symbol(self) -> &'static str {
        match self {
            UnOp::Not => "not",
            UnOp::Neg => "-",
        }
    }
    /// Binding strength from [`PRECEDENCE`], on the binary operators' scale.
    pub fn precedence(self) -> u8 {
        level_of(|l| l.unary == Some(self))
    }
}

/// Prints an expression back as flow source, parenthesized only where needed.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_expr(self, 0, f)
    }
}

fn fmt_expr(e: &Expr, ctx: u8, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    // A negative literal reads back as unary minus on its digits: where that
    // would not bind tightly enough (`(-1)[0]`), it takes parentheses.
    let negative = match e.kind {
        ExprKind::Int(i) => i < 0,
        ExprKind::Float(x) => x.is_sign_negative() && !x.is_nan(),
        _ => false,
    };
    if negative && UnOp::Neg.precedence() < ctx {
        f.write_str("(")?;
        fmt_expr(e, 0, f)?;
        return f.write_str(")");
    }
    match &e.kind {
        ExprKind::Null => f.write_str("null"),
        ExprKind::Bool(b) => write!(f, "{b}"),
        ExprKind::Int(i) => write!(f, "{i}"),
        ExprKind::Float(x) => {
            if x.fract() == 0.0 && x.abs() < 1e16 {
                write!(f, "{x:.1}")
            } else {
                write!(f, "{x}")
            }
        }
        ExprKind::Size(n) => write!(f, "{}", crate::text::fmt_size(*n)),
        ExprKind::Str(s) => write!(f, "{}", crate::text::quote(s)),
        ExprKind::List(items) => {
            f.write_str("[")?;
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                fmt_expr(it, 0, f)?;
            }
            f.write_str("]")
        }
        ExprKind::It => f.write_str("it"),
        ExprKind::Name(n) => f.write_str(n),
        ExprKind::Field(base, name) => {
            if !(base.kind == ExprKind::It && base.span.is_empty()) {
                fmt_expr(base, postfix_level(), f)?;
            }
            write!(f, ".{}", name.name)
        }
        ExprKind::Index(base, idx) => {
            fmt_expr(base, postfix_level(), f)?;
            f.write_str("[")?;
            fmt_expr(idx, 0, f)?;
            f.write_str("]")
        }
        ExprKind::Call(name, args) => {
            write!(f, "{}(", name.name)?;
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                fmt_expr(a, 0, f)?;
            }
            f.write_str(")")
        }
        ExprKind::Unary(op, inner) => {
            let prec = op.precedence();
            if prec < ctx {
                f.write_str("(")?;
            }
            f.write_str(op.symbol())?;
            if op.symbol().ends_with(|c: char| c.is_alphanumeric()) {
                f.write_str(" ")?;
            }
            fmt_expr(inner, prec, f)?;
            if prec < ctx {
                f.write_str(")")?;
            }
            Ok(())
        }
        ExprKind::Pipeline(p) => {
            f.write_str("(")?;
            for (i, st) in p.stages.iter().enumerate() {
                if i > 0 {
                    f.write_str(" | ")?;
                }
                f.write_str(&st.op.name)?;
                for a in &st.args {
                    f.write_str(" ")?;
                    fmt_expr(a, 0, f)?;
                }
                for o in &st.options {
                    write!(f, " {}=", o.name.name)?;
                    fmt_expr(&o.value, postfix_level(), f)?;
                }
            }
            f.write_str(")")
        }
        ExprKind::Binary(op, l, r) => {
            let prec = op.precedence();
            if prec < ctx {
                f.write_str("(")?;
            }
            let (lp, rp) = if op.right_assoc() {
                (prec + 1, prec)
            } else {
                (prec, prec + 1)
            };
            fmt_expr(l, lp, f)?;
            write!(f, " {} ", op.symbol())?;
            fmt_expr(r, rp, f)?;
            if prec < ctx {
                f.write_str(")")?;
            }
            Ok(())
        }
        ExprKind::Record(entries) => {
            f.write_str("{")?;
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_key(&k.name, f)?;
                f.write_str(": ")?;
                fmt_expr(v, 0, f)?;
            }
            f.write_str("}")
        }
        // The `else` branch extends as far right as it can: anywhere but
        // at the loosest level the conditional takes parentheses.
        ExprKind::If(c, a, b) => {
            if ctx > 0 {
                f.write_str("(")?;
            }
            f.write_str("if ")?;
            fmt_expr(c, 0, f)?;
            f.write_str(" then ")?;
            fmt_expr(a, 0, f)?;
            f.write_str(" else ")?;
            fmt_expr(b, 0, f)?;
            if ctx > 0 {
                f.write_str(")")?;
            }
            Ok(())
        }
        ExprKind::Slice(base, lo, hi) => {
            fmt_expr(base, postfix_level(), f)?;
            f.write_str("[")?;
            if let Some(lo) = lo {
                fmt_expr(lo, 0, f)?;
            }
            f.write_str(":")?;
            if let Some(hi) = hi {
                fmt_expr(hi, 0, f)?;
            }
            f.write_str("]")
        }
    }
}

/// A record key as written: bare when it reads as a word, else quoted.
fn write_key(k: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let word = k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if word {
        f.write_str(k)
    } else {
        f.write_str(&crate::text::quote(k))
    }
}
