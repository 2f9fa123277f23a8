//! Fused per-partition kernels: a chain of elementwise steps compiled once
//! per node and run push-style, one element at a time, into a sink (a
//! collector or an aggregation's partial). Strings stay borrowed from the
//! input buffer until a step must make a new one (`lower` of a word with
//! capitals); nothing is boxed per element on the word-count path.

use super::elem::Elem;
use super::eval::{eval, truth, Env, EvalError};
use super::wordtable::{Short, WordTable};
use super::Ctl;
use crate::diag::Diag;
use crate::ops::{Arg, OpId};
use crate::plan::expr::TExpr;
use crate::plan::Step;
use crate::text::pystr;
use crate::value::format;
use crate::value::Value;

/// Receives what a producer makes; says whether to go on.
pub type Emit<'f> = &'f mut dyn Consumer;

/// What a producer feeds: elements one at a time, or (text sources) a run
/// of whole lines at once, which a consumer may take apart its own way (the
/// word-count kernel tokenizes the run without cutting it into lines).
/// Any `FnMut(Elem)` is a consumer that takes lines one by one.
pub trait Consumer {
    fn item(&mut self, item: Elem<'_>) -> Result<Ctl, Diag>;
    /// Whole lines of text, each ending in `\n` or `\r\n` except perhaps the
    /// last (at the end of the input): the same as [`Consumer::item`] for
    /// each line without its ending (see [`each_line`]).
    fn lines(&mut self, text: &str) -> Result<Ctl, Diag> {
        each_line(text, |line| self.item(Elem::Str(line)))
    }
}

impl<F: FnMut(Elem<'_>) -> Result<Ctl, Diag>> Consumer for F {
    fn item(&mut self, item: Elem<'_>) -> Result<Ctl, Diag> {
        self(item)
    }
}

/// Calls `f` with each line of `text` (see [`Consumer::lines`]) without its
/// `\n` or `\r\n`, as the text reader cuts them (a lone `\r` at the very end
/// is an ending too); stops when `f` says so.
pub fn each_line(text: &str, mut f: impl FnMut(&str) -> Result<Ctl, Diag>) -> Result<Ctl, Diag> {
    let mut rest = text;
    while !rest.is_empty() {
        let (line, next) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        match f(line.strip_suffix('\r').unwrap_or(line)) {
            Ok(Ctl::Stop) => return Ok(Ctl::Stop),
            Ok(Ctl::Continue) => {}
            // Which line failed, for the source to name its file and line:
            // worked out only now, so the success path pays nothing.
            Err(mut d) => {
                if d.origin == crate::diag::Origin::UNKNOWN {
                    d.origin = crate::diag::Origin::in_run(text.len() - rest.len());
                }
                return Err(d);
            }
        }
        rest = next;
    }
    Ok(Ctl::Continue)
}

/// Where a kernel's output goes.
pub trait Sink {
    /// The elements that follow come from `partition` (their order of origin).
    fn start(&mut self, _partition: u64) {}
    fn accept(&mut self, item: Elem<'_>) -> Result<Ctl, Diag>;
    /// A string element from the string fast path.
    fn accept_str(&mut self, s: &str) -> Result<Ctl, Diag> {
        self.accept(Elem::Str(s))
    }
    /// A short string element, as the tokenizer loaded it.
    fn accept_short(&mut self, w: Short) -> Result<Ctl, Diag> {
        w.with_str(|s| self.accept_str(s))
    }
    /// The table of a word count, which string elements may go straight
    /// into ([`WordTable::add`] for each is the same as `accept_str`).
    fn word_table(&mut self) -> Option<&mut WordTable> {
        None
    }
}

/// Collects a partition's elements: all of them, or the first `keep`
/// (taking the rest without keeping them, so that they are still counted).
pub struct Collect {
    pub values: Vec<Value>,
    keep: usize,
}

impl Default for Collect {
    fn default() -> Self {
        Collect::keeping(usize::MAX)
    }
}

impl Collect {
    pub fn keeping(keep: usize) -> Collect {
        Collect {
            values: Vec::new(),
            keep,
        }
    }
}

impl Sink for Collect {
    fn accept(&mut self, item: Elem<'_>) -> Result<Ctl, Diag> {
        if self.values.len() < self.keep {
            self.values.push(item.into_value());
        }
        Ok(Ctl::Continue)
    }
    fn accept_str(&mut self, s: &str) -> Result<Ctl, Diag> {
        if self.values.len() < self.keep {
            self.values.push(Value::str(s));
        }
        Ok(Ctl::Continue)
    }
}

/// An elementwise step, compiled.
enum K<'p> {
    Lower,
    Upper,
    Strip(Option<&'p str>),
    Split(Option<&'p str>),
    Purge(Option<&'p str>),
    Replace(&'p str, &'p str),
    Map(&'p TExpr),
    Filter(&'p TExpr),
    Flatten,
    Pluck(&'p Value, Option<&'p Value>),
    ParseJson,
    ToJson,
}

pub struct KStep<'p> {
    k: K<'p>,
    step: &'p Step,
}

fn str_arg(step: &Step, i: usize) -> Option<&str> {
    match step.arg(i) {
        Some(Arg::Value(Value::Str(s))) => Some(s),
        _ => None,
    }
}

fn expr_arg(step: &Step) -> &TExpr {
    match step.arg(0) {
        Some(Arg::Expr(e)) => e,
        _ => unreachable!("`{}` has an expression argument", step.op.name),
    }
}

/// Compiles a chain of elementwise steps.
pub fn compile<'p>(steps: &'p [Step]) -> Vec<KStep<'p>> {
    steps
        .iter()
        .map(|step| {
            let k = match step.op.id {
                OpId::Lower => K::Lower,
                OpId::Upper => K::Upper,
                OpId::Strip => K::Strip(str_arg(step, 0)),
                OpId::Split => K::Split(str_arg(step, 0)),
                OpId::Purge => K::Purge(str_arg(step, 0)),
                OpId::Replace => K::Replace(
                    str_arg(step, 0).unwrap_or(""),
                    str_arg(step, 1).unwrap_or(""),
                ),
                OpId::Map => K::Map(expr_arg(step)),
                OpId::Filter => K::Filter(expr_arg(step)),
                OpId::Flatten => K::Flatten,
                OpId::Pluck => {
                    let key = match step.arg(0) {
                        Some(Arg::Value(v)) => v,
                        _ => unreachable!("pluck has a key"),
                    };
                    let default = match step.opt("default") {
                        Some(Arg::Value(v)) => Some(v),
                        _ => None,
                    };
                    K::Pluck(key, default)
                }
                OpId::ParseJson => K::ParseJson,
                OpId::ToJson => K::ToJson,
                other @ (OpId::ReadText
                | OpId::ReadJson
                | OpId::ReadCsv
                | OpId::Range
                | OpId::From
                | OpId::Stdin
                | OpId::Count
                | OpId::Sum
                | OpId::Min
                | OpId::Max
                | OpId::Mean
                | OpId::Distinct
                | OpId::Frequencies
                | OpId::Topk
                | OpId::Sort
                | OpId::Take
                | OpId::Groupby
                | OpId::Concat
                | OpId::Join
                | OpId::WriteText
                | OpId::WriteJson
                | OpId::WriteCsv) => {
                    unreachable!("{other:?} is not elementwise")
                }
            };
            KStep { k, step }
        })
        .collect()
}

/// A run-time error at a step: its span, and the message (naming the value).
pub fn eval_diag(e: EvalError, step: &Step) -> Diag {
    let span = if e.span.is_empty() { step.span } else { e.span };
    Diag::run("flow::exec::expression", e.msg).at(span, format!("in `{}`", step.op.name))
}

fn type_diag(step: &Step, want: &str, item: &Elem) -> Diag {
    Diag::run(
        "flow::exec::element_type",
        format!(
            "`{}` needs {want} elements, but got {} {}",
            step.op.name,
            item.type_name(),
            item.repr(60)
        ),
    )
    .at(step.span, format!("in `{}`", step.op.name))
}

/// Pushes one element through `steps` into `sink`. `counts[i]` counts the
/// elements entering step `i` (`counts[steps.len()]`: reaching the sink).
/// What a step derives from a borrowed view of its element (a stripped
/// string, a word of a `split`, a field) goes on down the chain while the
/// element is still alive, so it stays borrowed.
pub fn push<'x>(
    steps: &'x [KStep<'x>],
    item: Elem<'x>,
    env: &'x Env,
    sink: &mut dyn Sink,
    counts: &mut [u64],
) -> Result<Ctl, Diag> {
    let (count, counts) = counts
        .split_first_mut()
        .expect("a counter per step and one for the sink");
    *count += 1;
    let Some((first, rest)) = steps.split_first() else {
        return sink.accept(item);
    };
    let step = first.step;
    let item = match (item, &first.k) {
        // A row the source lent is read through its fields by these; the
        // other steps see the record built.
        (item @ Elem::Row(_), K::Map(_) | K::Filter(_) | K::Pluck(Value::Str(_), _)) => item,
        (item, _) => item.built(),
    };
    match &first.k {
        K::Lower | K::Upper | K::Strip(_) | K::Purge(_) | K::Replace(..) => {
            let Some(s) = item.as_str() else {
                return Err(type_diag(step, "str", &item));
            };
            let out = match &first.k {
                K::Lower => pystr::lower(s).into(),
                K::Upper => pystr::upper(s).into(),
                K::Strip(chars) => Elem::Str(pystr::strip(s, *chars)),
                K::Purge(chars) => pystr::purge(s, *chars).into(),
                K::Replace(old, new) => pystr::replace(s, old, new).into(),
                _ => unreachable!(),
            };
            push(rest, out, env, sink, counts)
        }
        K::Split(sep) => {
            let Some(s) = item.as_str() else {
                return Err(type_diag(step, "str", &item));
            };
            split_push(s, *sep, rest, env, sink, counts)
        }
        K::Map(e) => {
            let v = eval(e, item.view(), env).map_err(|er| eval_diag(er, step))?;
            push(rest, v, env, sink, counts)
        }
        K::Filter(e) => {
            let keep = {
                let v = eval(e, item.view(), env).map_err(|er| eval_diag(er, step))?;
                truth(v, e.span, "filter").map_err(|er| eval_diag(er, step))?
            };
            if keep {
                push(rest, item, env, sink, counts)
            } else {
                Ok(Ctl::Continue)
            }
        }
        K::Flatten => match item.value() {
            Some(Value::List(items)) => {
                for v in items.iter() {
                    if push(rest, Elem::Val(v), env, sink, counts)? == Ctl::Stop {
                        return Ok(Ctl::Stop);
                    }
                }
                Ok(Ctl::Continue)
            }
            _ => Err(type_diag(step, "list", &item)),
        },
        K::Pluck(key, default) => {
            if let (Elem::Row(row), Value::Str(k)) = (&item, key) {
                if let Some(x) = row.get(k) {
                    return push(rest, x, env, sink, counts);
                }
            }
            let item = item.built();
            let found = match (item.value(), key) {
                (Some(Value::Record(r)), Value::Str(k)) => r.get(k),
                (Some(Value::List(l)), Value::Int(i)) => {
                    let idx = if *i < 0 { *i + l.len() as i64 } else { *i };
                    (0..l.len() as i64).contains(&idx).then(|| &l[idx as usize])
                }
                (Some(Value::Record(_)), _) | (Some(Value::List(_)), _) => None,
                _ => {
                    return Err(type_diag(
                        step,
                        if matches!(key, Value::Int(_)) {
                            "list"
                        } else {
                            "record"
                        },
                        &item,
                    ))
                }
            };
            match found.or(*default) {
                Some(v) => push(rest, Elem::Val(v), env, sink, counts),
                None => Err(Diag::run(
                    "flow::exec::missing_key",
                    format!("key {key} not found in {}", item.repr(80)),
                )
                .at(step.span, "in `pluck`")
                .help(format!(
                    "give a value for missing keys: `pluck {key} default=null`"
                ))),
            }
        }
        K::ParseJson => {
            let Some(s) = item.as_str() else {
                return Err(type_diag(step, "str", &item));
            };
            match format::parse_json(s) {
                Ok(v) => push(rest, Elem::Value(v), env, sink, counts),
                Err(e) => {
                    let mut shown = s.chars().take(60).collect::<String>();
                    if s.chars().count() > 60 {
                        shown.push_str("...");
                    }
                    Err(Diag::run(
                        "flow::exec::bad_json",
                        format!(
                            "invalid JSON at column {}: {} in {shown:?}",
                            e.column(),
                            strip_position(&e.to_string())
                        ),
                    )
                    .at(step.span, "in `parse_json`"))
                }
            }
        }
        K::ToJson => {
            let mut out = String::new();
            match item.value() {
                Some(v) => format::json(v, &mut out),
                None => format::json_str(item.as_str().unwrap_or_default(), &mut out),
            }
            push(rest, Elem::String(out), env, sink, counts)
        }
    }
}

/// serde_json's message without its " at line L column C" suffix.
pub fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn split_push<'y>(
    s: &'y str,
    sep: Option<&str>,
    rest: &'y [KStep<'y>],
    env: &'y Env,
    sink: &mut dyn Sink,
    counts: &mut [u64],
) -> Result<Ctl, Diag> {
    match sep {
        None => {
            for piece in pystr::split_whitespace_py(s) {
                if push(rest, Elem::Str(piece), env, sink, counts)? == Ctl::Stop {
                    return Ok(Ctl::Stop);
                }
            }
        }
        Some(sep) => {
            for piece in pystr::split_sep(s, sep) {
                if push(rest, Elem::Str(piece), env, sink, counts)? == Ctl::Stop {
                    return Ok(Ctl::Stop);
                }
            }
        }
    }
    Ok(Ctl::Continue)
}
