//! Fused per-partition kernels: a chain of elementwise steps compiled once
//! per node and run push-style, one element at a time, into a sink (a
//! collector or an aggregation's partial). Strings stay borrowed from the
//! input buffer until a step must make a new one (`lower` of a word with
//! capitals); nothing is boxed per element on the word-count path.

use std::borrow::Cow;

use super::eval::{eval, truth, Env, EvalError, It, EV};
use super::wordtable::{Short, WordTable};
use super::Ctl;
use crate::diag::Diag;
use crate::ops::{Arg, OpId};
use crate::plan::expr::TExpr;
use crate::plan::Step;
use crate::text::pystr;
use crate::value::format;
use crate::value::Value;

/// One element in flight.
#[derive(Clone, Debug)]
pub enum Item<'a> {
    S(Cow<'a, str>),
    V(Value),
}

impl<'a> Item<'a> {
    pub fn into_value(self) -> Value {
        match self {
            Item::S(s) => Value::str(&s),
            Item::V(v) => v,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Item::S(s) => Some(s),
            Item::V(Value::Str(s)) => Some(s),
            Item::V(_) => None,
        }
    }
    fn it(&self) -> It<'_> {
        match self {
            Item::S(s) => It::Str(s),
            Item::V(v) => It::Val(v),
        }
    }
}

/// Receives what a producer makes; says whether to go on.
pub type Emit<'f> = &'f mut dyn Consumer;

/// What a producer feeds: elements one at a time, or (text sources) a run
/// of whole lines at once, which a consumer may take apart its own way (the
/// word-count kernel tokenizes the run without cutting it into lines).
/// Any `FnMut(Item)` is a consumer that takes lines one by one.
pub trait Consumer {
    fn item(&mut self, item: Item<'_>) -> Result<Ctl, Diag>;
    /// Whole lines of text, each ending in `\n` or `\r\n` except perhaps the
    /// last (at the end of the input): the same as [`Consumer::item`] for
    /// each line without its ending (see [`each_line`]).
    fn lines(&mut self, text: &str) -> Result<Ctl, Diag> {
        each_line(text, |line| self.item(Item::S(Cow::Borrowed(line))))
    }
}

impl<F: FnMut(Item<'_>) -> Result<Ctl, Diag>> Consumer for F {
    fn item(&mut self, item: Item<'_>) -> Result<Ctl, Diag> {
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
        if f(line.strip_suffix('\r').unwrap_or(line))? == Ctl::Stop {
            return Ok(Ctl::Stop);
        }
        rest = next;
    }
    Ok(Ctl::Continue)
}

/// Where a kernel's output goes.
pub trait Sink {
    /// The elements that follow come from `partition` (their order of origin).
    fn start(&mut self, _partition: u64) {}
    fn accept(&mut self, item: Item<'_>) -> Result<Ctl, Diag>;
    /// A string element from the string fast path.
    fn accept_str(&mut self, s: &str) -> Result<Ctl, Diag> {
        self.accept(Item::S(Cow::Borrowed(s)))
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
    fn accept(&mut self, item: Item<'_>) -> Result<Ctl, Diag> {
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

fn type_diag(step: &Step, want: &str, item: &Item) -> Diag {
    let v = item.clone().into_value();
    let mut shown = String::new();
    format::py_repr(&v, &mut shown);
    if shown.chars().count() > 60 {
        shown = shown.chars().take(57).collect::<String>() + "...";
    }
    Diag::run(
        "flow::exec::element_type",
        format!(
            "`{}` needs {want} elements, but got {} {shown}",
            step.op.name,
            v.type_name()
        ),
    )
    .at(step.span, format!("in `{}`", step.op.name))
}

/// Applies `f` to a string item, keeping an owned string when `f` changed nothing.
fn map_str<'x>(c: Cow<'x, str>, f: impl Fn(&str) -> Cow<'_, str>) -> Cow<'x, str> {
    match c {
        Cow::Borrowed(s) => f(s),
        Cow::Owned(o) => {
            let r = f(&o);
            let same = matches!(&r, Cow::Borrowed(b) if b.len() == o.len());
            let r = if same { None } else { Some(r.into_owned()) };
            Cow::Owned(r.unwrap_or(o))
        }
    }
}

fn into_cow<'x>(item: Item<'x>) -> Option<Cow<'x, str>> {
    match item {
        Item::S(s) => Some(s),
        Item::V(Value::Str(s)) => Some(Cow::Owned(s.to_string())),
        Item::V(_) => None,
    }
}

/// Pushes one element through `steps` into `sink`. `counts[i]` counts the
/// elements entering step `i` (`counts[steps.len()]`: reaching the sink).
pub fn push<'x>(
    steps: &'x [KStep<'x>],
    item: Item<'x>,
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
    match &first.k {
        K::Lower | K::Upper | K::Strip(_) | K::Purge(_) | K::Replace(..) => {
            if item.as_str().is_none() {
                return Err(type_diag(step, "str", &item));
            }
            let s = into_cow(item).unwrap_or_default();
            let out = match &first.k {
                K::Lower => map_str(s, pystr::lower),
                K::Upper => map_str(s, pystr::upper),
                K::Strip(chars) => map_str(s, |x| Cow::Borrowed(pystr::strip(x, *chars))),
                K::Purge(chars) => map_str(s, |x| pystr::purge(x, *chars)),
                K::Replace(old, new) => map_str(s, |x| pystr::replace(x, old, new)),
                _ => unreachable!(),
            };
            push(rest, Item::S(out), env, sink, counts)
        }
        K::Split(sep) => {
            let s = match &item {
                Item::S(_) | Item::V(Value::Str(_)) => into_cow(item).unwrap_or_default(),
                _ => return Err(type_diag(step, "str", &item)),
            };
            split_push(&s, *sep, rest, env, sink, counts)
        }
        K::Map(e) => {
            let v = eval(e, item.it(), env).map_err(|er| eval_diag(er, step))?;
            let out = match v {
                EV::S(s) => Item::S(Cow::Owned(s.to_string())),
                EV::V(v) => Item::V(v),
            };
            push(rest, out, env, sink, counts)
        }
        K::Filter(e) => {
            let keep = {
                let v = eval(e, item.it(), env).map_err(|er| eval_diag(er, step))?;
                truth(v, e.span, "filter").map_err(|er| eval_diag(er, step))?
            };
            if keep {
                push(rest, item, env, sink, counts)
            } else {
                Ok(Ctl::Continue)
            }
        }
        K::Flatten => match item {
            Item::V(Value::List(items)) => {
                for v in items.iter() {
                    if push(rest, Item::V(v.clone()), env, sink, counts)? == Ctl::Stop {
                        return Ok(Ctl::Stop);
                    }
                }
                Ok(Ctl::Continue)
            }
            other => Err(type_diag(step, "list", &other)),
        },
        K::Pluck(key, default) => {
            let found = match (&item, key) {
                (Item::V(Value::Record(r)), Value::Str(k)) => r.get(k).cloned(),
                (Item::V(Value::List(l)), Value::Int(i)) => {
                    let idx = if *i < 0 { *i + l.len() as i64 } else { *i };
                    (0..l.len() as i64)
                        .contains(&idx)
                        .then(|| l[idx as usize].clone())
                }
                (Item::V(Value::Record(_)), _) | (Item::V(Value::List(_)), _) => None,
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
            match (found, default) {
                (Some(v), _) => push(rest, Item::V(v), env, sink, counts),
                (None, Some(d)) => push(rest, Item::V((*d).clone()), env, sink, counts),
                (None, None) => {
                    let mut shown = String::new();
                    format::py_repr(&item.clone().into_value(), &mut shown);
                    if shown.chars().count() > 80 {
                        shown = shown.chars().take(77).collect::<String>() + "...";
                    }
                    Err(Diag::run(
                        "flow::exec::missing_key",
                        format!("key {key} not found in {shown}"),
                    )
                    .at(step.span, "in `pluck`")
                    .help(format!(
                        "give a value for missing keys: `pluck {key} default=null`"
                    )))
                }
            }
        }
        K::ParseJson => {
            let Some(s) = item.as_str() else {
                return Err(type_diag(step, "str", &item));
            };
            match serde_json::from_str::<serde_json::Value>(s) {
                Ok(j) => push(rest, Item::V(format::from_json(j)), env, sink, counts),
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
            match &item {
                Item::S(s) => format::json_str(s, &mut out),
                Item::V(v) => format::json(v, &mut out),
            }
            push(rest, Item::S(Cow::Owned(out)), env, sink, counts)
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
                if push(rest, Item::S(Cow::Borrowed(piece)), env, sink, counts)? == Ctl::Stop {
                    return Ok(Ctl::Stop);
                }
            }
        }
        Some(sep) => {
            for piece in pystr::split_sep(s, sep) {
                if push(rest, Item::S(Cow::Borrowed(piece)), env, sink, counts)? == Ctl::Stop {
                    return Ok(Ctl::Stop);
                }
            }
        }
    }
    Ok(Ctl::Continue)
}
