//! The string fast path of a fused kernel: when every step of a chain maps
//! strings to strings (`lower`, `strip`, `split`, `filter` on str, …), the
//! chain runs on `&str` slices with reusable scratch buffers and a sink
//! known at compile time, so the word-count loop makes no allocation, no
//! enum and no virtual call per word. The generic path ([`super::kernel`])
//! gives the same results; this one is only faster.

use std::borrow::Cow;

use super::eval::{eval, truth, Env, It};
use super::kernel::eval_diag;
use super::pystr;
use super::Ctl;
use crate::diag::Diag;
use crate::ops::funcs::FnId;
use crate::ops::{Arg, OpId};
use crate::plan::expr::{TExpr, TKind};
use crate::plan::Step;
use crate::types::{Coll, Type};
use crate::value::Value;

enum Op<'p> {
    Lower,
    Upper,
    Strip(Option<&'p str>),
    Purge(Option<&'p str>),
    Replace(&'p str, &'p str),
    Split(Option<&'p str>),
    NotDelim,
    Filter(&'p TExpr),
}

/// A step's reusable buffer and the number of elements that entered it.
#[derive(Default)]
pub struct Scratch {
    buf: String,
    pub count: u64,
}

pub struct StrChain<'p> {
    ops: Vec<(Op<'p>, &'p Step)>,
    env: &'p Env,
}

fn str_arg(step: &Step, i: usize) -> Option<&str> {
    match step.arg(i) {
        Some(Arg::Value(Value::Str(s))) => Some(s),
        _ => None,
    }
}

impl<'p> StrChain<'p> {
    /// The chain as string operations, or `None` if some step is not str → str.
    pub fn compile(steps: &'p [Step], input: &Coll, env: &'p Env) -> Option<StrChain<'p>> {
        if *input != Coll::Bag(Type::Str) {
            return None;
        }
        let mut ops = Vec::with_capacity(steps.len());
        for step in steps {
            if step.ty != Coll::Bag(Type::Str) {
                return None;
            }
            let op = match step.op.id {
                OpId::Lower => Op::Lower,
                OpId::Upper => Op::Upper,
                OpId::Strip => Op::Strip(str_arg(step, 0)),
                OpId::Purge => Op::Purge(str_arg(step, 0)),
                OpId::Replace => Op::Replace(str_arg(step, 0)?, str_arg(step, 1)?),
                OpId::Split => Op::Split(str_arg(step, 0)),
                OpId::Filter => match step.arg(0) {
                    Some(Arg::Expr(e)) => match &e.kind {
                        TKind::Call(FnId::NotDelim, args)
                            if matches!(
                                args[..],
                                [TExpr {
                                    kind: TKind::It,
                                    ..
                                }]
                            ) =>
                        {
                            Op::NotDelim
                        }
                        _ => Op::Filter(e),
                    },
                    _ => return None,
                },
                _ => return None,
            };
            ops.push((op, step));
        }
        Some(StrChain { ops, env })
    }

    /// Scratch space for one partition's run: a buffer and an element count per step.
    pub fn scratch(&self) -> Vec<Scratch> {
        (0..self.ops.len()).map(|_| Scratch::default()).collect()
    }

    /// Pushes one string through the chain into `sink`.
    pub fn run<F>(&self, s: &str, bufs: &mut [Scratch], sink: &mut F) -> Result<Ctl, Diag>
    where
        F: FnMut(&str) -> Result<Ctl, Diag>,
    {
        run(&self.ops, self.env, s, bufs, sink)
    }
}

fn run<F>(
    ops: &[(Op<'_>, &Step)],
    env: &Env,
    s: &str,
    bufs: &mut [Scratch],
    sink: &mut F,
) -> Result<Ctl, Diag>
where
    F: FnMut(&str) -> Result<Ctl, Diag>,
{
    let Some(((op, step), rest)) = ops.split_first() else {
        return sink(s);
    };
    let (scratch, bufs) = bufs.split_first_mut().expect("one scratch per step");
    scratch.count += 1;
    let buf = &mut scratch.buf;
    match op {
        Op::Lower | Op::Upper => {
            let lower = matches!(op, Op::Lower);
            if s.is_ascii() {
                let b = s.as_bytes();
                let changes = if lower {
                    b.iter().any(u8::is_ascii_uppercase)
                } else {
                    b.iter().any(u8::is_ascii_lowercase)
                };
                if !changes {
                    return run(rest, env, s, bufs, sink);
                }
                buf.clear();
                buf.push_str(s);
                if lower {
                    buf.make_ascii_lowercase();
                } else {
                    buf.make_ascii_uppercase();
                }
                return run(rest, env, buf, bufs, sink);
            }
            let out = if lower {
                pystr::lower(s)
            } else {
                pystr::upper(s)
            };
            run(rest, env, &out, bufs, sink)
        }
        Op::Strip(chars) => run(rest, env, pystr::strip(s, *chars), bufs, sink),
        Op::Purge(chars) => cow(rest, env, pystr::purge(s, *chars), buf, bufs, sink),
        Op::Replace(old, new) => cow(rest, env, pystr::replace(s, old, new), buf, bufs, sink),
        Op::Split(None) => {
            if rest.is_empty() {
                for w in pystr::split_whitespace_py(s) {
                    if sink(w)? == Ctl::Stop {
                        return Ok(Ctl::Stop);
                    }
                }
            } else {
                for w in pystr::split_whitespace_py(s) {
                    if run(rest, env, w, bufs, sink)? == Ctl::Stop {
                        return Ok(Ctl::Stop);
                    }
                }
            }
            Ok(Ctl::Continue)
        }
        Op::Split(Some(sep)) => {
            for w in pystr::split_sep(s, sep) {
                if run(rest, env, w, bufs, sink)? == Ctl::Stop {
                    return Ok(Ctl::Stop);
                }
            }
            Ok(Ctl::Continue)
        }
        Op::NotDelim => {
            if pystr::not_delim(s) {
                run(rest, env, s, bufs, sink)
            } else {
                Ok(Ctl::Continue)
            }
        }
        Op::Filter(e) => {
            let keep = eval(e, It::Str(s), env)
                .and_then(|v| truth(v, e.span, "filter"))
                .map_err(|er| eval_diag(er, step))?;
            if keep {
                run(rest, env, s, bufs, sink)
            } else {
                Ok(Ctl::Continue)
            }
        }
    }
}

fn cow<F>(
    rest: &[(Op<'_>, &Step)],
    env: &Env,
    out: Cow<'_, str>,
    buf: &mut String,
    bufs: &mut [Scratch],
    sink: &mut F,
) -> Result<Ctl, Diag>
where
    F: FnMut(&str) -> Result<Ctl, Diag>,
{
    match out {
        Cow::Borrowed(s) => run(rest, env, s, bufs, sink),
        Cow::Owned(o) => {
            *buf = o;
            run(rest, env, buf, bufs, sink)
        }
    }
}
