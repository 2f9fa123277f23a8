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

/// Python's whitespace among ASCII bytes: `\t \n \v \f \r`, U+001C..U+001F, space.
const ASCII_SPACE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = matches!(i, 0x09..=0x0D | 0x1C..=0x20);
        i += 1;
    }
    t
};

const HIGH: u64 = 0x8080_8080_8080_8080;

/// Calls `f(start, end)` for each maximal run of non-space bytes of an ASCII
/// string (Python's `str.split()`), eight bytes at a time: a word boundary
/// costs a `trailing_zeros`, not a branch per byte. `f` returns whether to go on.
fn ascii_words(
    b: &[u8],
    mut f: impl FnMut(usize, usize) -> Result<bool, Diag>,
) -> Result<(), Diag> {
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i + 8 <= b.len() {
        let x = u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or_default());
        // High bit of each byte: set where the byte is <= 0x20 (ASCII bytes only).
        let mut space = !x.wrapping_add(0x5F5F_5F5F_5F5F_5F5F) & HIGH;
        // A byte below 0x20 may be a control that is not whitespace: check exactly.
        if !x.wrapping_add(0x6060_6060_6060_6060) & HIGH != 0 {
            space = 0;
            for k in 0..8 {
                if ASCII_SPACE[b[i + k] as usize] {
                    space |= 0x80 << (8 * k);
                }
            }
        }
        let mut k = 0;
        while k < 8 {
            let from = !0u64 << (8 * k);
            match start {
                Some(st) => {
                    let ends = space & from;
                    if ends == 0 {
                        break;
                    }
                    let e = ends.trailing_zeros() as usize / 8;
                    if !f(st, i + e)? {
                        return Ok(());
                    }
                    start = None;
                    k = e + 1;
                }
                None => {
                    let starts = !space & HIGH & from;
                    if starts == 0 {
                        break;
                    }
                    let s0 = starts.trailing_zeros() as usize / 8;
                    start = Some(i + s0);
                    k = s0 + 1;
                }
            }
        }
        i += 8;
    }
    for (j, &c) in b.iter().enumerate().skip(i) {
        match (start, ASCII_SPACE[c as usize]) {
            (None, false) => start = Some(j),
            (Some(st), true) => {
                if !f(st, j)? {
                    return Ok(());
                }
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        f(st, b.len())?;
    }
    Ok(())
}

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
                // Copying and mapping every byte vectorizes; looking for a
                // byte that changes first does not.
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
        Op::Split(None) if s.is_ascii() => {
            let mut ctl = Ctl::Continue;
            ascii_words(s.as_bytes(), |a, b| {
                // ASCII: every byte offset is a character boundary.
                let w = &s[a..b];
                ctl = if rest.is_empty() {
                    sink(w)?
                } else {
                    run(rest, env, w, bufs, sink)?
                };
                Ok(ctl == Ctl::Continue)
            })?;
            Ok(ctl)
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        let mut out = Vec::new();
        ascii_words(s.as_bytes(), |a, b| {
            out.push(&s[a..b]);
            Ok(true)
        })
        .unwrap();
        out
    }

    #[test]
    fn ascii_words_are_python_split() {
        let cases = [
            "",
            " ",
            "a",
            "ab cd",
            "  leading and trailing  ",
            "exactly8",
            "exactly8 exactly8",
            "tab\tand\x0bvt\x0cff\x1cfs\x1fus\x1b\x01ctl",
            "a\x00b",
            "one-long-word-over-many-chunks-of-eight",
            "x                 y",
            "\t\t\t\t\t\t\t\tz",
        ];
        for c in cases {
            let want: Vec<&str> = crate::exec::pystr::split_whitespace_py(c).collect();
            assert_eq!(words(c), want, "{c:?}");
        }
        // Every split of a string mixing all ASCII bytes at every offset.
        let all: String = (0u8..128).map(char::from).collect();
        for start in 0..all.len() {
            let s = &all[start..];
            let want: Vec<&str> = crate::exec::pystr::split_whitespace_py(s).collect();
            assert_eq!(words(s), want);
        }
    }
}
