//! pest glue: pairs → AST, with the expression precedence climbed by pest's
//! PrattParser, and pest errors turned into diagnostics that say what was expected.

use std::sync::OnceLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use pest_derive::Parser;

use super::ast::*;
use crate::diag::Diag;

#[derive(Parser)]
#[grammar = "../grammar/flow.pest"]
struct FlowParser;

/// Parses a whole script.
pub fn parse(src: &str) -> Result<Program, Diag> {
    // The parser recurses once per bracket and per prefix operator: refuse a
    // script nested past the limit before it can overflow the stack.
    if let Some(d) = nested_too_deep(src) {
        return Err(d);
    }
    let mut pairs = FlowParser::parse(Rule::program, src).map_err(|e| syntax_error(src, e))?;
    let program = pairs.next().expect("program rule always yields one pair");
    let mut stmts = Vec::new();
    for pair in program.into_inner() {
        match pair.as_rule() {
            Rule::let_stmt => stmts.push(let_stmt(pair)?),
            Rule::pipeline => stmts.push(Stmt::Output(pipeline(pair)?)),
            Rule::EOI => {}
            r => unreachable!("unexpected rule {r:?} in program"),
        }
    }
    Ok(Program { stmts })
}

fn span(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

fn ident(p: Pair<Rule>) -> Ident {
    Ident {
        name: p.as_str().to_string(),
        span: span(&p),
    }
}

fn let_stmt(p: Pair<Rule>) -> Result<Stmt, Diag> {
    let sp = span(&p);
    let mut inner = p.into_inner();
    inner.next(); // kw_let
    let name = ident(inner.next().expect("let has a name"));
    let value = inner.next().expect("let has a value");
    Ok(match value.as_rule() {
        Rule::constant => {
            let mut parts: Vec<Pair<Rule>> = value.into_inner().collect();
            let lit = expr_atom(parts.pop().expect("constant has a literal"))?;
            let csp = Span::new(
                parts.first().map_or(lit.span.start, |n| span(n).start),
                lit.span.end,
            );
            let value = if parts.is_empty() {
                lit
            } else {
                Expr {
                    kind: ExprKind::Unary(UnOp::Neg, Box::new(lit)),
                    span: csp,
                }
                .fold_neg()
            };
            Stmt::Const {
                span: Span::new(sp.start, value.span.end),
                name,
                value,
            }
        }
        _ => {
            let pipeline = pipeline(value)?;
            Stmt::Let {
                span: Span::new(sp.start, pipeline.span.end),
                name,
                pipeline,
            }
        }
    })
}

fn pipeline(p: Pair<Rule>) -> Result<Pipeline, Diag> {
    let sp = span(&p);
    let stages: Vec<Stage> = p.into_inner().map(stage).collect::<Result<_, _>>()?;
    let end = stages.last().map_or(sp.end, |s| s.span.end);
    Ok(Pipeline {
        stages,
        span: Span::new(sp.start, end),
    })
}

/// `(PIPELINE)` as an argument; its span includes the parentheses.
fn sub_pipeline(p: Pair<Rule>) -> Result<Expr, Diag> {
    let sp = span(&p);
    let inner = pipeline(p.into_inner().next().expect("a parenthesised pipeline"))?;
    Ok(Expr {
        kind: ExprKind::Pipeline(Box::new(inner)),
        span: sp,
    })
}

fn stage(p: Pair<Rule>) -> Result<Stage, Diag> {
    let sp = span(&p);
    let mut inner = p.into_inner();
    let op = ident(inner.next().expect("stage has an operator"));
    let mut args = Vec::new();
    let mut options = Vec::new();
    for part in inner {
        match part.as_rule() {
            Rule::arg => {
                let a = part.into_inner().next().expect("arg has an expr");
                args.push(match a.as_rule() {
                    Rule::sub_pipeline => sub_pipeline(a)?,
                    _ => expr(a)?,
                })
            }
            Rule::option => {
                let osp = span(&part);
                let mut o = part.into_inner();
                let name = ident(o.next().expect("option has a name"));
                let v = o.next().expect("option has a value");
                let value = expr_postfix(v)?;
                options.push(NamedArg {
                    name,
                    value,
                    span: osp,
                });
            }
            r => unreachable!("unexpected rule {r:?} in stage"),
        }
    }
    // The stage ends at its last argument, not at trailing spaces or a comment.
    let end = args
        .iter()
        .map(|a| a.span.end)
        .chain(options.iter().map(|o| o.span.end))
        .chain([op.span.end])
        .max()
        .unwrap_or(sp.end);
    Ok(Stage {
        span: Span::new(sp.start, end),
        op,
        args,
        options,
    })
}

/// The grammar rule that reads `op`.
fn bin_rule(op: BinOp) -> Rule {
    match op {
        BinOp::Or => Rule::op_or,
        BinOp::And => Rule::op_and,
        BinOp::Eq => Rule::op_eq,
        BinOp::Ne => Rule::op_ne,
        BinOp::Lt => Rule::op_lt,
        BinOp::Le => Rule::op_le,
        BinOp::Gt => Rule::op_gt,
        BinOp::Ge => Rule::op_ge,
        BinOp::In => Rule::op_in,
        BinOp::Add => Rule::op_add,
        BinOp::Sub => Rule::op_sub,
        BinOp::Concat => Rule::op_concat,
        BinOp::Mul => Rule::op_mul,
        BinOp::Div => Rule::op_div,
        BinOp::Mod => Rule::op_mod,
        BinOp::Coalesce => Rule::op_coalesce,
    }
}

/// The grammar rule that reads `op`.
fn un_rule(op: UnOp) -> Rule {
    match op {
        UnOp::Not => Rule::op_not,
        UnOp::Neg => Rule::op_neg,
    }
}

/// The precedence climber, built level by level from [`PRECEDENCE`].
fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PRECEDENCE.iter().fold(PrattParser::new(), |pratt, level| {
            let ops = level
                .binary
                .iter()
                .map(|&b| {
                    let assoc = if b.right_assoc() {
                        Assoc::Right
                    } else {
                        Assoc::Left
                    };
                    Op::infix(bin_rule(b), assoc)
                })
                .chain(level.unary.map(|u| Op::prefix(un_rule(u))))
                .reduce(|a, b| a | b)
                .expect("a level has an operator");
            pratt.op(ops)
        })
    })
}

/// How deep an expression may nest: brackets, calls, operators and postfix
/// `.field`/`[i]` each add a level. Deeper scripts get `flow::syntax::too_deep`
/// instead of overflowing the stack in the parser, the checker or the
/// evaluator (all of which recurse on the tree).
pub const MAX_DEPTH: u32 = 256;

fn too_deep(span: Span) -> Diag {
    Diag::script(
        "flow::syntax::too_deep",
        format!("expression nested more than {MAX_DEPTH} levels deep"),
    )
    .at(span, "too deep")
    .help("bind parts of it with `let`, or split it over several stages")
}

/// One more level above a subtree of depth `d`, if that is allowed.
fn deeper(d: u32, span: Span) -> Result<u32, Diag> {
    if d >= MAX_DEPTH {
        Err(too_deep(span))
    } else {
        Ok(d + 1)
    }
}

/// An expression and how deep its tree is.
type Deep = (Expr, u32);

fn expr(p: Pair<Rule>) -> Result<Expr, Diag> {
    expr_d(p).map(|(e, _)| e)
}

fn expr_d(p: Pair<Rule>) -> Result<Deep, Diag> {
    debug_assert_eq!(p.as_rule(), Rule::expr);
    climb(p.into_inner())
}

fn climb(pairs: Pairs<Rule>) -> Result<Deep, Diag> {
    pratt()
        .map_primary(expr_postfix_d)
        .map_prefix(|op, rhs| {
            let (rhs, d) = rhs?;
            let sp = span(&op).to(rhs.span);
            let d = deeper(d, sp)?;
            let uop = PRECEDENCE
                .iter()
                .filter_map(|l| l.unary)
                .find(|&u| un_rule(u) == op.as_rule())
                .expect("the climber knows only the table's operators");
            let e = Expr {
                kind: ExprKind::Unary(uop, Box::new(rhs)),
                span: sp,
            }
            .fold_neg();
            Ok((e, d))
        })
        .map_infix(|lhs, op, rhs| {
            let ((lhs, dl), (rhs, dr)) = (lhs?, rhs?);
            let bop = PRECEDENCE
                .iter()
                .flat_map(|l| l.binary)
                .copied()
                .find(|&b| bin_rule(b) == op.as_rule())
                .expect("the climber knows only the table's operators");
            let sp = lhs.span.to(rhs.span);
            let d = deeper(dl.max(dr), sp)?;
            Ok((
                Expr {
                    kind: ExprKind::Binary(bop, Box::new(lhs), Box::new(rhs)),
                    span: sp,
                },
                d,
            ))
        })
        .parse(pairs)
}

fn expr_postfix(p: Pair<Rule>) -> Result<Expr, Diag> {
    expr_postfix_d(p).map(|(e, _)| e)
}

fn expr_postfix_d(p: Pair<Rule>) -> Result<Deep, Diag> {
    debug_assert!(matches!(p.as_rule(), Rule::postfix_expr | Rule::rec_short));
    let mut inner = p.into_inner();
    let (mut e, mut d) = expr_atom_d(inner.next().expect("postfix has a primary"))?;
    for post in inner {
        let sp = e.span.to(span(&post));
        e = match post.as_rule() {
            Rule::field => {
                d = deeper(d, sp)?;
                Expr {
                    kind: ExprKind::Field(
                        Box::new(e),
                        ident(post.into_inner().next().expect("field name")),
                    ),
                    span: sp,
                }
            }
            _ => {
                // `[i]`, `[lo:hi]`, `[lo:]`, `[:hi]` or `[:]`.
                let mut lo = None;
                let mut hi = None;
                let mut slice = false;
                let mut di = 0;
                for part in post.into_inner() {
                    match part.as_rule() {
                        Rule::colon => slice = true,
                        Rule::slice_hi => {
                            let (x, dx) = expr_d(part.into_inner().next().expect("bound"))?;
                            di = di.max(dx);
                            hi = Some(Box::new(x));
                        }
                        _ => {
                            let (x, dx) = expr_d(part)?;
                            di = di.max(dx);
                            lo = Some(Box::new(x));
                        }
                    }
                }
                d = deeper(d.max(di), sp)?;
                let kind = match (slice, lo) {
                    (false, Some(i)) => ExprKind::Index(Box::new(e), i),
                    (_, lo) => ExprKind::Slice(Box::new(e), lo, hi),
                };
                Expr { kind, span: sp }
            }
        };
    }
    Ok((e, d))
}

fn expr_atom(p: Pair<Rule>) -> Result<Expr, Diag> {
    expr_atom_d(p).map(|(e, _)| e)
}

/// Expressions that nest (list items, call arguments), with one level more
/// than the deepest.
fn nested(pairs: Pairs<Rule>, sp: Span) -> Result<(Vec<Expr>, u32), Diag> {
    let mut d = 0;
    let mut out = Vec::new();
    for p in pairs {
        let (e, de) = expr_d(p)?;
        d = d.max(de);
        out.push(e);
    }
    Ok((out, deeper(d, sp)?))
}

fn expr_atom_d(p: Pair<Rule>) -> Result<Deep, Diag> {
    let sp = span(&p);
    let mut depth = 1;
    let kind =
        match p.as_rule() {
            Rule::kw_null => ExprKind::Null,
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::it => ExprKind::It,
            Rule::int => ExprKind::Int(p.as_str().parse().map_err(|_| {
                Diag::script("flow::syntax::number", "integer literal out of range")
                    .at(sp, "does not fit in a 64-bit integer")
                    .help("integers are i64: at most 9223372036854775807")
            })?),
            Rule::float => ExprKind::Float(p.as_str().parse().map_err(|_| {
                Diag::script("flow::syntax::number", "invalid number").at(sp, "here")
            })?),
            Rule::size => ExprKind::Size(size(p)?),
            Rule::string => ExprKind::Str(unescape(p)?),
            Rule::list => {
                let (items, d) = nested(p.into_inner(), sp)?;
                depth = d;
                ExprKind::List(items)
            }
            Rule::record => {
                let mut entries = Vec::new();
                let mut d = 0;
                for entry in p.into_inner() {
                    let (key, (value, dv)) = rec_entry(entry)?;
                    d = d.max(dv);
                    entries.push((key, value));
                }
                depth = deeper(d, sp)?;
                ExprKind::Record(entries)
            }
            Rule::if_expr => {
                let mut inner = p.into_inner().filter(|q| q.as_rule() == Rule::expr);
                let mut part = || -> Result<Deep, Diag> {
                    expr_d(inner.next().expect("if has a condition and two branches"))
                };
                let (c, dc) = part()?;
                let (a, da) = part()?;
                let (b, db) = part()?;
                depth = deeper(dc.max(da).max(db), sp)?;
                ExprKind::If(Box::new(c), Box::new(a), Box::new(b))
            }
            Rule::ident => ExprKind::Name(p.as_str().to_string()),
            Rule::dot_field => {
                let name = ident(p.into_inner().next().expect("field name"));
                let it = Expr {
                    kind: ExprKind::It,
                    span: Span::new(sp.start, sp.start),
                };
                depth = 2;
                ExprKind::Field(Box::new(it), name)
            }
            Rule::call => {
                let mut inner = p.into_inner();
                let name = ident(inner.next().expect("call name"));
                let (args, d) = nested(inner.next().expect("call args").into_inner(), sp)?;
                depth = d;
                ExprKind::Call(name, args)
            }
            // The span covers the parentheses, so a stage or binding that
            // ends in `(…)` keeps its `)`.
            Rule::paren => {
                let (mut e, d) = expr_d(p.into_inner().next().expect("paren expr"))?;
                e.span = sp;
                return Ok((e, d));
            }
            Rule::postfix_expr => return expr_postfix_d(p),
            Rule::expr => return expr_d(p),
            r => unreachable!("unexpected atom {r:?}"),
        };
    Ok((Expr { kind, span: sp }, depth))
}

/// One `key: value` of a record literal; `.a.b` alone is `b: .a.b`.
fn rec_entry(p: Pair<Rule>) -> Result<(Ident, Deep), Diag> {
    let mut inner = p.into_inner();
    let first = inner.next().expect("an entry has a key or a field");
    if first.as_rule() == Rule::rec_short {
        let (value, d) = expr_postfix_d(first)?;
        let ExprKind::Field(_, name) = &value.kind else {
            unreachable!("a shorthand entry is a field access")
        };
        return Ok((name.clone(), (value, d)));
    }
    let k = first
        .into_inner()
        .next()
        .expect("a key is a word or a string");
    let key = match k.as_rule() {
        Rule::string => Ident {
            span: span(&k),
            name: unescape(k)?,
        },
        _ => ident(k),
    };
    let value = expr_d(inner.next().expect("a keyed entry has a value"))?;
    Ok((key, value))
}

fn size(p: Pair<Rule>) -> Result<u64, Diag> {
    let sp = span(&p);
    let mut inner = p.into_inner();
    let num: f64 = inner
        .next()
        .expect("size number")
        .as_str()
        .parse()
        .unwrap_or(f64::NAN);
    let mult: u64 = match inner.next().expect("size unit").as_str() {
        "B" => 1,
        "KB" => 1000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => 1 << 40,
    };
    let bytes = num * mult as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 || bytes.fract() != 0.0 {
        return Err(Diag::script("flow::syntax::size", "invalid size")
            .at(sp, "not a whole number of bytes")
            .help("write sizes like `64KiB`, `1MiB` or `1.5MB`"));
    }
    Ok(bytes as u64)
}

fn unescape(p: Pair<Rule>) -> Result<String, Diag> {
    let inner = p.into_inner().next().expect("string body");
    let base = inner.as_span().start();
    let raw = inner.as_str();
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((_, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let (i, e) = chars.next().expect("grammar guarantees a complete escape");
        match e {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '0' => out.push('\0'),
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            _ => {
                // \u{HEX}
                let rest = &raw[i + 2..];
                let close = rest.find('}').expect("grammar guarantees a closing brace");
                let hex = &rest[..close];
                let code = u32::from_str_radix(hex, 16).unwrap_or(u32::MAX);
                let Some(ch) = char::from_u32(code) else {
                    let s = Span::new(base + i - 1, base + i + 3 + close);
                    return Err(Diag::script(
                        "flow::syntax::escape",
                        format!("\\u{{{hex}}} is not a Unicode scalar value"),
                    )
                    .at(s, "invalid code point")
                    .help("code points are at most 10FFFF and exclude surrogates D800–DFFF"));
                };
                out.push(ch);
                for _ in 0..close + 2 {
                    chars.next();
                }
            }
        }
    }
    Ok(out)
}

impl Expr {
    /// `-3` written as unary minus on a literal becomes the literal -3.
    fn fold_neg(self) -> Expr {
        if let ExprKind::Unary(UnOp::Neg, inner) = &self.kind {
            match inner.kind {
                ExprKind::Int(i) => {
                    return Expr {
                        kind: ExprKind::Int(i.wrapping_neg()),
                        span: self.span,
                    }
                }
                ExprKind::Float(x) => {
                    return Expr {
                        kind: ExprKind::Float(-x),
                        span: self.span,
                    }
                }
                _ => {}
            }
        }
        self
    }
}

/// What a user would call each grammar rule in "expected …".
fn rule_name(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "end of input",
        Rule::ident => "a name",
        Rule::stage | Rule::pipeline => "an operator",
        Rule::let_stmt | Rule::kw_let => "`let`",
        Rule::expr | Rule::arg | Rule::postfix_expr => "an expression",
        Rule::option => "an option `name=value`",
        Rule::string | Rule::str_inner => "a string",
        Rule::escape => "an escape (\\\" \\\\ \\n \\r \\t \\u{HEX})",
        Rule::int | Rule::float | Rule::size | Rule::size_num => "a number",
        Rule::unit => "a unit (B, KB, MB, GB, KiB, MiB, GiB)",
        Rule::list => "a list",
        Rule::record | Rule::rec_entry => "a record",
        Rule::rec_key | Rule::rec_word => "a key",
        Rule::rec_short => "`.field`",
        Rule::colon => "`:`",
        Rule::slice_hi => "an expression",
        Rule::if_expr | Rule::kw_if => "`if`",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::constant => "a literal",
        Rule::call | Rule::call_args => "`(`",
        Rule::index => "`[`",
        Rule::field | Rule::dot_field => "`.field`",
        Rule::paren | Rule::sub_pipeline => "`(`",
        Rule::it | Rule::kw_it => "`it`",
        Rule::op_or
        | Rule::op_and
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_lt
        | Rule::op_le
        | Rule::op_gt
        | Rule::op_ge
        | Rule::op_in
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_concat
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_mod
        | Rule::op_coalesce => "an operator like `+` or `==`",
        Rule::op_not | Rule::op_neg => "`not` or `-`",
        Rule::kw_true | Rule::kw_false => "`true` or `false`",
        Rule::kw_null => "`null`",
        _ => return None,
    })
}

/// Where `src` nests brackets, conditionals or `??` (each open until its
/// expression ends), or chains prefix operators (`not not …`, `- - …`),
/// more than [`MAX_DEPTH`] deep: a lexical scan that skips strings and
/// comments, as [`unclosed`] does. The parser recurses once per level of
/// each, so this runs before it.
fn nested_too_deep(src: &str) -> Option<Diag> {
    /// What is open at a point of the scan.
    #[derive(Clone, Copy, PartialEq)]
    enum Open {
        Bracket,
        /// `if` before its `then`.
        IfThen,
        /// `if … then` before its `else`.
        IfElse,
        /// An `else` branch or the right side of `??`: open until the
        /// expression around it ends.
        Tail,
    }
    let word_at = |i: usize, w: &str| {
        src[i..].starts_with(w)
            && !src[i + w.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            && !src[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
    };
    // Closes the open conditionals and `??` back to the innermost bracket.
    let to_bracket = |open: &mut Vec<Open>| {
        while open.last().is_some_and(|o| *o != Open::Bracket) {
            open.pop();
        }
    };
    let mut open: Vec<Open> = Vec::new();
    let mut prefixes = 0u32;
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let mut prefix = false;
        match c {
            '#' => while chars.next_if(|&(_, c)| c != '\n').is_some() {},
            '"' => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            '(' | '[' | '{' => open.push(Open::Bracket),
            ')' | ']' | '}' => {
                to_bracket(&mut open);
                open.pop();
            }
            ',' | ':' => to_bracket(&mut open),
            '\n' | '|' if !open.contains(&Open::Bracket) => open.clear(),
            '?' if src[i + 1..].starts_with('?') => {
                chars.next();
                open.push(Open::Tail);
            }
            '-' => prefix = true,
            'n' if word_at(i, "not") => {
                prefix = true;
                chars.next();
                chars.next();
            }
            'i' if word_at(i, "if") => {
                chars.next();
                open.push(Open::IfThen);
            }
            't' | 'e' if word_at(i, "then") || word_at(i, "else") => {
                let (want, next) = if c == 't' {
                    (Open::IfThen, Open::IfElse)
                } else {
                    (Open::IfElse, Open::Tail)
                };
                while open.last() == Some(&Open::Tail) {
                    open.pop();
                }
                if let Some(top) = open.last_mut().filter(|o| **o == want) {
                    *top = next;
                }
                for _ in 0..3 {
                    chars.next();
                }
            }
            c if c.is_whitespace() => {
                continue;
            }
            _ => {}
        }
        prefixes = if prefix { prefixes + 1 } else { 0 };
        if open.len() > MAX_DEPTH as usize || prefixes > MAX_DEPTH {
            return Some(too_deep(Span::new(i, i + c.len_utf8())));
        }
    }
    None
}

/// An unterminated string or an unclosed bracket before `pos`, found by a
/// small lexical scan: these read better than pest's "expected …" list.
fn unclosed(src: &str, pos: usize) -> Option<Diag> {
    let mut stack: Vec<(usize, char)> = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' => while chars.next_if(|&(_, c)| c != '\n').is_some() {},
            '"' => {
                let mut closed = false;
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\n' => break,
                        _ => {}
                    }
                }
                if !closed {
                    let line_end = src[i..].find('\n').map_or(src.len(), |k| i + k);
                    let line_end = if src[..line_end].ends_with('\r') {
                        line_end - 1
                    } else {
                        line_end
                    };
                    return Some(
                        Diag::script(
                            "flow::syntax::unterminated_string",
                            "unterminated string literal",
                        )
                        .at(
                            Span::new(i, line_end.max(i + 1)),
                            "this string is never closed",
                        )
                        .help("close it with `\"`; a `\"` inside a string is written `\\\"`"),
                    );
                }
            }
            '(' | '[' | '{' => stack.push((i, c)),
            ')' | ']' | '}' => {
                stack.pop();
            }
            _ => {}
        }
        if i >= pos {
            break;
        }
    }
    let (i, c) = stack.pop()?;
    let close = match c {
        '(' => ')',
        '{' => '}',
        _ => ']',
    };
    Some(
        Diag::script("flow::syntax::unclosed", format!("unclosed `{c}`"))
            .at(Span::new(i, i + 1), format!("this `{c}` is never closed"))
            .help(format!("close it with `{close}`")),
    )
}

/// An escape the grammar does not know, in the string literal that starts
/// at `pos` (where pest stopped: it cannot read the literal).
fn bad_escape(src: &str, pos: usize) -> Option<Diag> {
    let body = src.get(pos..)?.strip_prefix('"')?;
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '\n' => return None,
            '\\' => {
                let (_, e) = chars.next()?;
                let ok = match e {
                    '"' | '\\' | 'n' | 'r' | 't' | '0' => true,
                    'u' => {
                        let rest = &body[i + 2..];
                        rest.strip_prefix('{')
                            .and_then(|r| r.split_once('}'))
                            .is_some_and(|(hex, _)| {
                                (1..=6).contains(&hex.len())
                                    && hex.chars().all(|h| h.is_ascii_hexdigit())
                            })
                    }
                    _ => false,
                };
                if !ok && e == 'u' {
                    let at = pos + 1 + i;
                    let hex: String = body[i + 2..]
                        .chars()
                        .take_while(char::is_ascii_hexdigit)
                        .take(6)
                        .collect();
                    let hex = if hex.is_empty() { "HEX".into() } else { hex };
                    return Some(
                        Diag::script(
                            "flow::syntax::escape",
                            "a `\\u` escape takes its hex digits in braces",
                        )
                        .at(Span::new(at, at + 2), "not an escape")
                        .help(format!("write `\\u{{{hex}}}` (1 to 6 hex digits)")),
                    );
                }
                if !ok {
                    let at = pos + 1 + i;
                    return Some(
                        Diag::script(
                            "flow::syntax::escape",
                            format!("unknown escape `\\{e}` in a string"),
                        )
                        .at(Span::new(at, at + 1 + e.len_utf8()), "not an escape")
                        .help(
                            "escapes are \\\" \\\\ \\n \\r \\t \\0 and \\u{HEX} \
                             (1 to 6 hex digits); a backslash itself is written \\\\",
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    None
}

/// A help line for a symbol other languages use where flow has another
/// (`=` for `==`, `&&`, `||`, `!`, single quotes), at the error position.
fn other_language_help(src: &str, start: usize) -> Option<&'static str> {
    let after = &src[start..];
    let before = &src[..start];
    if after.starts_with("&&") {
        Some("flow writes `and` for `&&`: `filter it > 1 and it < 5`")
    } else if after.starts_with("||") || (after.starts_with('|') && before.ends_with('|')) {
        Some("flow writes `or` for `||` (a single `|` separates stages): `filter it < 1 or it > 5`")
    } else if after.starts_with('=')
        && !after.starts_with("==")
        && !before.ends_with(['=', '!', '<', '>'])
        // `let = 3` lacks a name, not an `==`.
        && !before.rsplit('\n').next().unwrap_or("").trim_start().starts_with("let")
    {
        Some("to compare, write `==`; a single `=` only names an option, as in `by=len`")
    } else if after.starts_with('!') && !after.starts_with("!=") {
        Some("flow writes `not` for `!`: `filter not matches(it, \"^#\")`")
    } else if after.starts_with('\'') {
        Some("strings are written in double quotes: `\"text\"`")
    } else {
        None
    }
}

fn syntax_error(src: &str, e: pest::error::Error<Rule>) -> Diag {
    use pest::error::{ErrorVariant, InputLocation};
    let (start, end) = match e.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((s, e)) => (s, e),
    };
    let at_end = src[start..]
        .trim_start_matches([' ', '\t', '\r'])
        .starts_with('\n')
        || src[start..].trim().is_empty();
    if let Some(d) = unclosed(src, if at_end { src.len() } else { start }) {
        if at_end || d.code == "flow::syntax::unterminated_string" {
            return d;
        }
    }
    if let Some(d) = bad_escape(src, start) {
        return d;
    }
    // Underline the token at the error position; at the end, the last character.
    let (start, end) = if end > start {
        (start, end)
    } else if start >= src.trim_end().len() && !src.trim_end().is_empty() {
        let last = src.trim_end();
        let c = last.chars().next_back().map_or(1, char::len_utf8);
        (last.len() - c, last.len())
    } else {
        let first = src[start..].chars().next().map_or(0, char::len_utf8);
        let tok = src[start..]
            .char_indices()
            .find(|&(i, c)| i > 0 && (c.is_whitespace() || !(c.is_alphanumeric() || c == '_')))
            .map_or(src.len(), |(i, _)| start + i);
        let word = src[start..].starts_with(|c: char| c.is_alphanumeric() || c == '_');
        (
            start,
            if word {
                tok
            } else {
                (start + first).min(src.len())
            },
        )
    };
    let found = match src[start..].chars().next() {
        _ if at_end => "end of line".to_string(),
        None => "end of input".to_string(),
        Some('\n') | Some('\r') => "end of line".to_string(),
        Some(_) => format!("`{}`", &src[start..end]),
    };
    let expected = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().filter_map(|r| rule_name(*r)).collect();
            names.sort();
            names.dedup();
            names
        }
        ErrorVariant::CustomError { .. } => vec![],
    };
    let expected = match expected.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    };
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {expected}, found {found}")
    };
    let label = if expected.is_empty() {
        "unexpected here".to_string()
    } else {
        format!("expected {expected}")
    };
    let mut d = Diag::script("flow::syntax::error", message).at(Span::new(start, end), label);
    let before = src[..start].trim_end_matches([' ', '\t']);
    let after = &src[start..];
    let infix = [
        "==", "!=", "<=", ">=", "++", "<", ">", "+", "-", "*", "/", "%",
    ];
    let word_infix = ["and ", "or ", "in "];
    let last_word = before.rsplit([' ', '\t']).next().unwrap_or("");
    let option_then_infix = last_word.contains('=')
        && !last_word.starts_with('=')
        && (infix.iter().any(|o| after.starts_with(o))
            || word_infix.iter().any(|o| after.starts_with(o)));
    if let Some(h) = other_language_help(src, start) {
        d = d.help(h);
    } else if option_then_infix {
        let (name, value) = last_word.split_once('=').unwrap_or(("by", "it"));
        let rest = after.split(['\n', '|']).next().unwrap_or("").trim_end();
        d = d.help(format!(
            "an option value is one term; write `{name}=({value} {rest})`"
        ));
    } else if before.ends_with('=') && (after.starts_with("if ") || after.starts_with("if\t")) {
        let name = last_word.trim_end_matches('=');
        d = d.help(format!(
            "an option value is one term; write `{name}=(if … then … else …)`"
        ));
    } else if after.starts_with("::") || (after.starts_with(':') && before.ends_with(':')) {
        d = d.help("a slice is `[lo:hi]`; flow's slices take no step");
    } else if before.ends_with('=') && after.starts_with('(') {
        d = d.help("an option value is one term; put longer expressions in parentheses");
    } else if found == "end of input" || found == "end of line" {
        if before.ends_with('|') {
            d = d.help(
                "a pipeline that ends with `|` continues on the next line with another stage",
            );
        } else {
            d = d.help("a pipeline continues on the next line only when this line ends with `|` or the next one starts with `|`");
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(src: &str) -> String {
        match parse(&format!("map {src}")) {
            Ok(p) => match &p.stmts[0] {
                Stmt::Output(pl) => pl.stages[0]
                    .args
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(" ; "),
                s => panic!("{s:?}"),
            },
            Err(d) => format!("error: {}", d.message),
        }
    }

    #[test]
    fn precedence() {
        assert_eq!(e("1 + 2 * 3"), "1 + 2 * 3");
        assert_eq!(e("(1 + 2) * 3"), "(1 + 2) * 3");
        assert_eq!(e("not a == b or c and d"), "not a == b or c and d");
        assert_eq!(e("not (a or b)"), "not (a or b)");
        assert_eq!(e("- - 3"), "3");
        assert_eq!(e("-x * 2"), "-x * 2");
        assert_eq!(e("a - b - c"), "a - b - c");
        assert_eq!(e("a - (b - c)"), "a - (b - c)");
        assert_eq!(
            e("x in [1, 2] and .y.z[0] > 2.5"),
            "x in [1, 2] and .y.z[0] > 2.5"
        );
        assert_eq!(e("len(it) % 2 == 0"), "len(it) % 2 == 0");
        // A negative literal under a postfix keeps its parentheses.
        assert_eq!(e("(-1)[0] (-2.5).k (-1)"), "(-1)[0] ; (-2.5).k ; -1");
    }

    /// The grammar's `keyword` rule accepts exactly [`KEYWORDS`].
    #[test]
    fn the_keyword_rule_is_the_keyword_table() {
        let whole = |rule: Rule, s: &str| {
            FlowParser::parse(rule, s).is_ok_and(|mut p| p.next().is_some_and(|p| p.as_str() == s))
        };
        for kw in KEYWORDS {
            assert!(
                whole(Rule::keyword, kw),
                "`{kw}` is not a keyword in the grammar"
            );
            assert!(!whole(Rule::ident, kw), "`{kw}` must not be a name");
        }
        // The rule's alternatives, read from the grammar, are the table's words.
        let grammar = include_str!("../../grammar/flow.pest");
        let rule = grammar
            .lines()
            .find(|l| l.trim_start().starts_with("keyword "))
            .expect("the grammar has a keyword rule");
        let mut in_grammar: Vec<&str> = rule.split('"').skip(1).step_by(2).collect();
        let mut in_table = KEYWORDS.to_vec();
        in_grammar.sort_unstable();
        in_table.sort_unstable();
        assert_eq!(in_grammar, in_table, "{rule}");
        // Near misses are names, not keywords.
        for w in [
            "lets",
            "le",
            "Let",
            "NOT",
            "iter",
            "into",
            "inner",
            "nothing",
            "order",
            "android",
            "null_count",
            "true_",
            "falsey",
            "x",
            "_",
            "map",
            "for",
        ] {
            assert!(!whole(Rule::keyword, w), "`{w}` is taken for a keyword");
            assert!(whole(Rule::ident, w), "`{w}` is not a name");
        }
    }

    /// An expression without spans, every operator parenthesized: what the
    /// parser built, whatever the printer chose to write.
    fn tree(e: &Expr) -> String {
        let list = |es: &[Expr]| es.iter().map(tree).collect::<Vec<_>>().join(" ");
        match &e.kind {
            ExprKind::Binary(op, l, r) => format!("({} {} {})", op.symbol(), tree(l), tree(r)),
            ExprKind::Unary(op, x) => format!("({op:?} {})", tree(x)),
            ExprKind::Field(b, n) => format!("(. {} {})", tree(b), n.name),
            ExprKind::Index(b, i) => format!("([] {} {})", tree(b), tree(i)),
            ExprKind::Call(f, args) => format!("({} {})", f.name, list(args)),
            ExprKind::List(items) => format!("[{}]", list(items)),
            ExprKind::Record(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{:?}={}", k.name, tree(v)))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            ExprKind::If(c, a, b) => format!("(if {} {} {})", tree(c), tree(a), tree(b)),
            ExprKind::Slice(b, lo, hi) => format!(
                "([:] {} {} {})",
                tree(b),
                lo.as_deref().map_or("_".into(), tree),
                hi.as_deref().map_or("_".into(), tree)
            ),
            _ => e.to_string(),
        }
    }

    /// The tree of the one argument of `map SRC`.
    fn t(src: &str) -> String {
        let p = parse(&format!("map {src}")).unwrap_or_else(|d| panic!("{src}: {}", d.message));
        let Stmt::Output(pl) = &p.stmts[0] else {
            panic!("{src}")
        };
        assert_eq!(pl.stages[0].args.len(), 1, "{src}");
        tree(&pl.stages[0].args[0])
    }

    #[test]
    fn coalesce_sits_between_comparisons_and_sums() {
        assert_eq!(t(".a ?? 0 > 3"), "(> (?? (. it a) 0) 3)");
        assert_eq!(t(".a ?? 1 + 2"), "(?? (. it a) (+ 1 2))");
        assert_eq!(t(".a ?? \"x\" ++ \"y\""), "(?? (. it a) (++ \"x\" \"y\"))");
        assert_eq!(t("x in .a ?? []"), "(in x (?? (. it a) []))");
        assert_eq!(t("not .a ?? false"), "(Not (?? (. it a) false))");
        // Right-associative: the first present value wins.
        assert_eq!(t("a ?? b ?? c"), "(?? a (?? b c))");
        assert_eq!(e("a ?? b ?? c"), "a ?? b ?? c");
        assert_eq!(e("(a ?? b) ?? c"), "(a ?? b) ?? c");
        assert_eq!(
            e(".user.country ?? \"unknown\""),
            ".user.country ?? \"unknown\""
        );
    }

    #[test]
    fn slices_and_negative_indexes() {
        assert_eq!(t("s[1:3]"), "([:] s 1 3)");
        assert_eq!(t("s[-3:]"), "([:] s -3 _)");
        assert_eq!(t("s[:5]"), "([:] s _ 5)");
        assert_eq!(t("s[:]"), "([:] s _ _)");
        assert_eq!(t("xs[-1]"), "([] xs -1)");
        assert_eq!(t("it[1:15]"), "([:] it 1 15)");
        assert_eq!(t("it[len(it) - 2 : -1]"), "([:] it (- (len it) 2) -1)");
        assert_eq!(t(".a[0][1:][2]"), "([] ([:] ([] (. it a) 0) 1 _) 2)");
        assert_eq!(e("it[ 1 : 2 ]"), "it[1:2]");
        assert_eq!(e("it[-3:]"), "it[-3:]");
        let d = parse("map it[::2]").unwrap_err();
        assert_eq!(d.code, "flow::syntax::error");
        assert_eq!(
            d.help.as_deref(),
            Some("a slice is `[lo:hi]`; flow's slices take no step")
        );
        assert!(parse("map it[1:2:3]").is_err());
    }

    #[test]
    fn conditionals_extend_to_the_right() {
        assert_eq!(t("if a then b else c + 1"), "(if a b (+ c 1))");
        assert_eq!(t("1 + (if a then b else c)"), "(+ 1 (if a b c))");
        assert_eq!(e("1 + (if a then b else c)"), "1 + (if a then b else c)");
        assert_eq!(e("(if a then b else c) + 1"), "(if a then b else c) + 1");
        assert_eq!(
            t("if a then if b then 1 else 2 else 3"),
            "(if a (if b 1 2) 3)"
        );
        assert_eq!(
            t("if .n > 0 and .ok then .n else -1"),
            "(if (and (> (. it n) 0) (. it ok)) (. it n) -1)"
        );
        // A stage argument ends where the `else` branch does.
        assert_eq!(e("if a then 1 else 2 3"), "if a then 1 else 2 ; 3");
        assert!(parse("map if a then 1").is_err());
        assert!(parse("map if a else 1").is_err());
    }

    /// Chains that nest without brackets (`??` groups to the right, an
    /// `else` branch holds the next conditional) are refused before the
    /// parser recurses into them, as deep brackets are.
    #[test]
    fn unbracketed_nesting_past_the_limit_is_too_deep() {
        let deep = |src: String| parse(&src).map(|_| ()).map_err(|d| d.code);
        let chain = |n: usize| vec!["1"; n].join(" ?? ");
        assert_eq!(
            deep(format!("map {}", chain(100_000))),
            Err("flow::syntax::too_deep")
        );
        assert_eq!(deep(format!("map {}", chain(200))), Ok(()));
        let elses = "if true then 1 else ".repeat(50_000);
        assert_eq!(deep(format!("map {elses}2")), Err("flow::syntax::too_deep"));
        let thens = "if true then ".repeat(50_000) + "1" + &" else 2".repeat(50_000);
        assert_eq!(deep(format!("map {thens}")), Err("flow::syntax::too_deep"));
        // Many conditionals side by side are not nested.
        let side = vec!["if a then b ?? c else d"; 2_000].join(", ");
        assert_eq!(deep(format!("map [{side}]")), Ok(()));
        let lines = "range 1 | map if a then b else c ?? d\n".repeat(2_000);
        assert_eq!(deep(lines), Ok(()));
    }

    #[test]
    fn record_literals() {
        assert_eq!(
            e("{user: .user.id, \"status code\": .status, .bytes, .a.b}"),
            "{user: .user.id, \"status code\": .status, bytes: .bytes, b: .a.b}"
        );
        assert_eq!(t("{in: 1, if: 2, \"\": 3}"), "{\"in\"=1 \"if\"=2 \"\"=3}");
        assert_eq!(e("{}"), "{}");
        assert_eq!(e("{a: {b: [1, {c: 2}]},}"), "{a: {b: [1, {c: 2}]}}");
        // Records span lines inside their braces, as lists do.
        assert_eq!(e("{\n  a: 1,\n  .b\n}"), "{a: 1, b: .b}");
        assert_eq!(e("{a: 1}.a {a: 2}"), "{a: 1}.a ; {a: 2}");
        assert!(parse("map {.a + 1}").is_err());
        assert!(parse("map {a 1}").is_err());
    }

    fn arb_expr() -> impl proptest::strategy::Strategy<Value = Expr> {
        use proptest::prelude::*;
        use proptest::sample::select;
        let at = Span::new(0, 1);
        let mk = move |kind| Expr { kind, span: at };
        let id = move |name: &str| Ident {
            name: name.to_string(),
            span: at,
        };
        let leaf = prop_oneof![
            select(vec!["a", "b", "xs", "len"]).prop_map(move |n| mk(ExprKind::Name(n.into()))),
            (0i64..100).prop_map(move |i| mk(ExprKind::Int(i))),
            select(vec![0.5, 2.5]).prop_map(move |x| mk(ExprKind::Float(x))),
            Just(mk(ExprKind::It)),
            Just(mk(ExprKind::Str("s".into()))),
        ];
        let binops: Vec<BinOp> = PRECEDENCE.iter().flat_map(|l| l.binary).copied().collect();
        let unops: Vec<UnOp> = PRECEDENCE.iter().filter_map(|l| l.unary).collect();
        let key = move |k: &str| id(k);
        leaf.prop_recursive(6, 64, 3, move |inner| {
            let opt = proptest::option::of(inner.clone().prop_map(Box::new));
            prop_oneof![
                1 => (inner.clone(), inner.clone(), inner.clone()).prop_map(move |(c, a, b)| {
                    mk(ExprKind::If(Box::new(c), Box::new(a), Box::new(b)))
                }),
                1 => (inner.clone(), opt.clone(), opt)
                    .prop_map(move |(b, lo, hi)| mk(ExprKind::Slice(Box::new(b), lo, hi))),
                1 => proptest::collection::vec(
                    (select(vec!["a", "in", "b c", "x_1"]), inner.clone()),
                    0..3
                )
                .prop_map(move |entries| {
                    let mut seen = std::collections::HashSet::new();
                    mk(ExprKind::Record(
                        entries
                            .into_iter()
                            .filter(|(k, _)| seen.insert(*k))
                            .map(|(k, v)| (key(k), v))
                            .collect(),
                    ))
                }),
                4 => (select(binops.clone()), inner.clone(), inner.clone()).prop_map(
                    move |(op, l, r)| mk(ExprKind::Binary(op, Box::new(l), Box::new(r)))
                ),
                // `-3` is read as the literal -3, so build it that way.
                2 => (select(unops.clone()), inner.clone())
                    .prop_map(move |(op, x)| mk(ExprKind::Unary(op, Box::new(x))).fold_neg()),
                1 => (inner.clone(), select(vec!["k", "v"]))
                    .prop_map(move |(b, n)| mk(ExprKind::Field(Box::new(b), id(n)))),
                1 => (inner.clone(), inner.clone())
                    .prop_map(move |(b, i)| mk(ExprKind::Index(Box::new(b), Box::new(i)))),
                1 => proptest::collection::vec(inner.clone(), 0..3)
                    .prop_map(move |args| mk(ExprKind::Call(id("f"), args))),
                1 => proptest::collection::vec(inner, 0..3)
                    .prop_map(move |items| mk(ExprKind::List(items))),
            ]
        })
    }

    proptest::proptest! {
        /// The printer and the parser agree on precedence: printing an
        /// expression and parsing the text gives the same tree back.
        #[test]
        fn printing_then_parsing_gives_the_same_tree(x in arb_expr()) {
            let text = x.to_string();
            let p = parse(&format!("map {text}"))
                .unwrap_or_else(|d| panic!("{text:?} does not parse: {}", d.message));
            let Stmt::Output(pl) = &p.stmts[0] else { panic!("{text:?}") };
            let args = &pl.stages[0].args;
            proptest::prop_assert_eq!(args.len(), 1, "{:?} is several arguments", text);
            proptest::prop_assert_eq!(tree(&args[0]), tree(&x), "printed as {:?}", text);
        }
    }

    #[test]
    fn the_table_orders_every_operator() {
        // Each binary operator is on exactly one level, and the levels are
        // the ones the printer uses.
        for (i, level) in PRECEDENCE.iter().enumerate() {
            for op in level.binary {
                assert_eq!(usize::from(op.precedence()), i + 1, "{op:?}");
            }
            if let Some(u) = level.unary {
                assert_eq!(usize::from(u.precedence()), i + 1, "{u:?}");
            }
        }
        // The grammar's `infix` and `prefix` alternatives are the table's operators, once each.
        let grammar = include_str!("../../grammar/flow.pest");
        let alternatives = |name: &str| {
            let line = grammar
                .lines()
                .find(|l| l.split_whitespace().next() == Some(name))
                .unwrap_or_else(|| panic!("the grammar has a `{name}` rule"));
            let body = line.split_once("_{").expect("a silent rule").1;
            let mut rules: Vec<String> = body
                .trim_end_matches(|c: char| c == '}' || c.is_whitespace())
                .split('|')
                .map(|r| r.trim().to_string())
                .collect();
            rules.sort();
            rules
        };
        let mut infix: Vec<String> = PRECEDENCE
            .iter()
            .flat_map(|l| l.binary)
            .map(|&op| format!("{:?}", bin_rule(op)))
            .collect();
        infix.sort();
        assert_eq!(infix, alternatives("infix"));
        let mut prefix: Vec<String> = PRECEDENCE
            .iter()
            .filter_map(|l| l.unary)
            .map(|op| format!("{:?}", un_rule(op)))
            .collect();
        prefix.sort();
        assert_eq!(prefix, alternatives("prefix"));
    }

    #[test]
    fn postfix_needs_no_space() {
        assert_eq!(e(".key count .value"), ".key ; count ; .value");
        assert_eq!(e("a [1]"), "a ; [1]");
        assert_eq!(e("it[\"k\"]"), "it[\"k\"]");
        assert_eq!(e("f (1)"), "f ; 1");
    }

    #[test]
    fn literals() {
        assert_eq!(
            e("1MiB 64KiB 1KB 1.5MB 7B"),
            "1MiB ; 64KiB ; 1000B ; 1500000B ; 7B"
        );
        assert_eq!(e("1e6 2.5 (-3)"), "1000000.0 ; 2.5 ; -3");
        // A space does not separate `-`: `2.5 -3` is a subtraction, as in Python.
        assert_eq!(e("2.5 -3"), "2.5 - 3");
        assert_eq!(e(r#""a\"b\\c\n\u{e9}""#), r#""a\"b\\c\né""#);
        assert_eq!(e("true false null"), "true ; false ; null");
        assert_eq!(e("[1, [2, \"x\"], ]"), "[1, [2, \"x\"]]");
    }

    #[test]
    fn keywords_are_not_names() {
        assert_eq!(e("item in items"), "item in items");
        assert_eq!(e("not_delim"), "not_delim");
        assert!(e("let").starts_with("error"));
    }

    #[test]
    fn statements_and_continuation() {
        let p =
            parse("let n = 3 # n\nlet w = range n\n  | map it\n\nw |\n count\nw\n| sum").unwrap();
        assert_eq!(p.stmts.len(), 4);
        assert!(matches!(&p.stmts[0], Stmt::Const { value, .. } if value.kind == ExprKind::Int(3)));
        assert!(matches!(&p.stmts[1], Stmt::Let { pipeline, .. } if pipeline.stages.len() == 2));
        assert!(matches!(&p.stmts[2], Stmt::Output(pl) if pl.stages.len() == 2));
        assert!(matches!(&p.stmts[3], Stmt::Output(pl) if pl.stages.len() == 2));
        let p = parse("let x = -2.5").unwrap();
        assert!(
            matches!(&p.stmts[0], Stmt::Const { value, .. } if value.kind == ExprKind::Float(-2.5))
        );
    }

    #[test]
    fn options() {
        let p = parse("topk 5 by=(len(it) * 2) desc=true").unwrap();
        let Stmt::Output(pl) = &p.stmts[0] else {
            panic!()
        };
        let st = &pl.stages[0];
        assert_eq!(st.args.len(), 1);
        assert_eq!(st.options.len(), 2);
        assert_eq!(st.options[0].value.to_string(), "len(it) * 2");
    }

    /// For each argument of the last stage: whether it parsed as a pipeline.
    fn pipeline_args(src: &str) -> Vec<bool> {
        let p = parse(src).expect("parses");
        let Some(Stmt::Output(p)) = p.stmts.last() else {
            panic!("an output")
        };
        let stage = p.stages.last().expect("a stage");
        stage
            .args
            .iter()
            .map(|a| matches!(a.kind, ExprKind::Pipeline(_)))
            .collect()
    }

    #[test]
    fn a_parenthesised_argument_is_an_expression_when_it_can_be() {
        assert_eq!(
            pipeline_args("concat (w) (1 + 2) (read_text \"a\") (w | lower) w"),
            [false, false, true, true, false]
        );
        assert_eq!(
            pipeline_args("concat (\n  range 3\n  | map str(it)\n) (range 2)"),
            [true, true]
        );
        assert_eq!(pipeline_args("x | join (y | take 1) on=.k"), [true]);
        // A pipeline prints back as written, positional arguments whole.
        let p = parse("concat (w | filter .a == 1 | topk 2 by=(len(it) * 2))").expect("parses");
        let Some(Stmt::Output(p)) = p.stmts.last() else {
            panic!("an output")
        };
        assert_eq!(
            p.stages[0].args[0].to_string(),
            "(w | filter .a == 1 | topk 2 by=(len(it) * 2))"
        );
    }

    #[test]
    fn record_option_values() {
        let p =
            parse("read_csv \"p.csv\" types={a: int, \"b c\": float,\n \"d\": \"str\"}").unwrap();
        let Stmt::Output(pl) = &p.stmts[0] else {
            panic!("an output")
        };
        let v = &pl.stages[0].options[0].value;
        assert_eq!(v.to_string(), "{a: int, \"b c\": float, d: \"str\"}");
        let ExprKind::Record(fields) = &v.kind else {
            panic!("a record")
        };
        assert_eq!(fields[1].0.name, "b c");
    }

    #[test]
    fn syntax_errors_say_what_was_expected() {
        let d = parse("range 3 |").unwrap_err();
        assert!(d.message.contains("expected"), "{}", d.message);
        assert_eq!(d.span, Some(Span::new(8, 9)));
        let d = parse("map \"abc").unwrap_err();
        assert_eq!(d.message, "unterminated string literal");
        assert_eq!(d.span, Some(Span::new(4, 8)));
        let d = parse("map (it + 1\nrange 3").unwrap_err();
        assert_eq!(d.message, "unclosed `(`");
        let d = parse("read_csv \"p.csv\" types={age: int").unwrap_err();
        assert_eq!(d.message, "unclosed `{`");
        let d = parse("topk 3 by=it % 4").unwrap_err();
        assert_eq!(
            d.help.as_deref(),
            Some("an option value is one term; write `by=(it % 4)`")
        );
    }
}
