//! The string fast path of a fused kernel: when every step of a chain maps
//! strings to strings (`lower`, `strip`, `split`, `filter` on str, …), the
//! chain runs on `&str` slices with reusable scratch buffers and a sink
//! known at compile time, so the word-count loop makes no allocation, no
//! enum and no virtual call per word. The generic path ([`super::kernel`])
//! gives the same results; this one is only faster.

use std::borrow::Cow;

use super::eval::{eval, truth, Env, It};
use super::kernel::{each_line, eval_diag, Sink};
use super::wordtable::{Short, SHORT};
use super::pystr;
use super::Ctl;
use crate::diag::Diag;
use crate::ops::funcs::FnId;
use crate::ops::{Arg, OpId};
use crate::plan::expr::{TExpr, TKind};
use crate::plan::Step;
use crate::types::{Coll, Type};
use crate::value::Value;

const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// Bit `k` set where byte `k` of `w` is an ASCII Python space
/// (`0x09..=0x0D`, `0x1C..=0x20`). SWAR: bit 7 of each byte of `sp` says
/// "a space", and a multiply gathers those eight bits into the top byte.
#[inline(always)]
fn space_bits8(w: u64) -> u64 {
    let x = w & !HIGH;
    let ge = |c: u64| x.wrapping_add((0x80 - c) * ONES) & HIGH;
    let sp = ((ge(0x09) & !ge(0x0E)) | (ge(0x1C) & !ge(0x21))) & !w;
    ((sp >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// Bit `k` set where byte `k` of the chunk is an ASCII Python space.
#[inline(always)]
fn space_mask(chunk: &[u8; 64]) -> u64 {
    let mut m = 0;
    for (k, w) in chunk.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes(w.try_into().unwrap_or_default());
        m |= space_bits8(w) << (8 * k);
    }
    m
}

/// Calls `f(start, end)` for each maximal run of bytes of `b` that are not
/// ASCII Python spaces (for ASCII text, Python's `str.split()`), 64 bytes at
/// a time: a bit mask of the spaces gives the starts and ends of all runs
/// of a chunk, and each costs a `trailing_zeros`, not a branch per byte.
/// `f` returns whether to go on; so does this.
#[inline(always)]
fn space_runs(
    b: &[u8],
    mut f: impl FnMut(usize, usize) -> Result<bool, Diag>,
) -> Result<bool, Diag> {
    let mut in_run = false;
    let mut start = 0;
    // 1 when the byte before the chunk is not a space.
    let mut prev = 0u64;
    let mut pos = 0;
    while pos < b.len() {
        let chunk: [u8; 64] = match b.get(pos..pos + 64) {
            Some(c) => c.try_into().unwrap_or([b' '; 64]),
            None => {
                let mut c = [b' '; 64];
                c[..b.len() - pos].copy_from_slice(&b[pos..]);
                c
            }
        };
        let word = !space_mask(&chunk);
        let shifted = (word << 1) | prev;
        let mut starts = word & !shifted;
        let mut ends = !word & shifted;
        prev = word >> 63;
        loop {
            if in_run {
                if ends == 0 {
                    break;
                }
                let e = pos + ends.trailing_zeros() as usize;
                ends &= ends - 1;
                in_run = false;
                if !f(start, e)? {
                    return Ok(false);
                }
            } else {
                if starts == 0 {
                    break;
                }
                start = pos + starts.trailing_zeros() as usize;
                starts &= starts - 1;
                in_run = true;
            }
        }
        pos += 64;
    }
    // The padding after the end is spaces, so a run open here ends at a
    // chunk boundary.
    if in_run {
        return f(start, b.len());
    }
    Ok(true)
}

/// `space_runs` over an ASCII string is Python's `str.split()`.
#[cfg(test)]
fn ascii_words(b: &[u8], f: impl FnMut(usize, usize) -> Result<bool, Diag>) -> Result<(), Diag> {
    space_runs(b, f).map(|_| ())
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
    /// How the chain runs on many lines at once, if it can.
    words: Option<Words>,
}

/// A chain that starts `[filter not_delim] [lower|upper] [strip] split`
/// (in any order but for the split last, a `filter not_delim` before any
/// `strip`, and at most one change of case) makes the same words of a run
/// of lines as of each line alone: line endings are spaces to `split`, a
/// `strip` changes nothing that `split` keeps, and a change of case neither
/// makes nor removes spaces and looks no further than a space (Python's
/// final sigma). So the run is tokenized in one pass over its bytes, and
/// each word changes case on its own, an ASCII word inside a register.
#[derive(Clone, Copy, Debug)]
struct Words {
    /// Index of the `split` in the chain.
    split: usize,
    /// First `filter not_delim` before the split, if any.
    not_delim: Option<usize>,
    case: Case,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Case {
    Keep,
    Lower,
    Upper,
}

impl Words {
    fn find(ops: &[(Op<'_>, &Step)]) -> Option<Words> {
        let mut not_delim = None;
        let mut case = Case::Keep;
        let mut stripped = false;
        for (i, (op, _)) in ops.iter().enumerate() {
            match op {
                Op::NotDelim if stripped => return None,
                Op::NotDelim => {
                    not_delim.get_or_insert(i);
                }
                Op::Lower | Op::Upper if case != Case::Keep => return None,
                Op::Lower => case = Case::Lower,
                Op::Upper => case = Case::Upper,
                Op::Strip(None) => stripped = true,
                Op::Split(None) => {
                    return Some(Words {
                        split: i,
                        not_delim,
                        case,
                    })
                }
                _ => return None,
            }
        }
        None
    }
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
        let words = Words::find(&ops);
        Some(StrChain { ops, env, words })
    }

    /// Scratch space for one partition's run: a buffer and an element count per step.
    pub fn scratch(&self) -> Vec<Scratch> {
        (0..self.ops.len()).map(|_| Scratch::default()).collect()
    }

    /// Pushes whole lines (as [`super::kernel::Consumer::lines`] takes them)
    /// through the chain into `sink`; `sunk` counts the elements it gets.
    pub fn run_lines<S: Sink>(
        &self,
        text: &str,
        bufs: &mut [Scratch],
        sink: &mut S,
        sunk: &mut u64,
    ) -> Result<Ctl, Diag> {
        let Some(words) = self.words else {
            return each_line(text, |line| {
                self.run(line, bufs, &mut |w| {
                    *sunk += 1;
                    sink.accept_str(w)
                })
            });
        };
        let (head, tail) = bufs.split_at_mut(words.split);
        let (split_buf, rest_bufs) = tail.split_first_mut().expect("one scratch per step");
        let rest = &self.ops[words.split + 1..];
        let env = self.env;
        let bytes = text.as_bytes();
        let mut dropped = 0u64;
        let mut ctl = Ctl::Continue;
        space_runs(bytes, |s, e| {
            let n = e - s;
            let ascii = if n <= SHORT {
                let w = Short::at(bytes, s, e);
                if w.is_ascii() {
                    if n == 1
                        && words.not_delim.is_some()
                        && !pystr::not_delim(&text[s..e])
                        && whole_line(bytes, s, e)
                    {
                        dropped += 1;
                        return Ok(true);
                    }
                    let w = match words.case {
                        Case::Keep => w,
                        Case::Lower => w.ascii_lower(),
                        Case::Upper => w.ascii_upper(),
                    };
                    ctl = if rest.is_empty() {
                        *sunk += 1;
                        sink.accept_short(w)?
                    } else {
                        w.with_str(|w| emit(rest, env, w, rest_bufs, sink, sunk))?
                    };
                    return Ok(ctl == Ctl::Continue);
                }
                false
            } else {
                bytes[s..e].is_ascii()
            };
            let run_text = &text[s..e];
            if ascii {
                let buf = &mut split_buf.buf;
                let w = match words.case {
                    Case::Keep => run_text,
                    Case::Lower | Case::Upper => {
                        buf.clear();
                        buf.push_str(run_text);
                        if words.case == Case::Lower {
                            buf.make_ascii_lowercase();
                        } else {
                            buf.make_ascii_uppercase();
                        }
                        buf
                    }
                };
                ctl = emit(rest, env, w, rest_bufs, sink, sunk)?;
                return Ok(ctl == Ctl::Continue);
            }
            // Not ASCII: there may be spaces of several bytes in the run.
            for w in pystr::split_whitespace_py(run_text) {
                ctl = match words.case {
                    Case::Keep => emit(rest, env, w, rest_bufs, sink, sunk)?,
                    Case::Lower => emit(rest, env, &pystr::lower(w), rest_bufs, sink, sunk)?,
                    Case::Upper => emit(rest, env, &pystr::upper(w), rest_bufs, sink, sunk)?,
                };
                if ctl == Ctl::Stop {
                    return Ok(false);
                }
            }
            Ok(true)
        })?;
        // Elements entering each step: every line, less the delimiter lines
        // after the filter that drops them.
        let lines = line_count(bytes);
        for (i, b) in head.iter_mut().enumerate() {
            let past_filter = words.not_delim.is_some_and(|f| f < i);
            b.count += lines - if past_filter { dropped } else { 0 };
        }
        split_buf.count += lines - if words.not_delim.is_some() { dropped } else { 0 };
        Ok(ctl)
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
            space_runs(s.as_bytes(), |a, b| {
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

/// Sends one word (already in its case) on down the rest of the chain.
fn emit<S: Sink>(
    rest: &[(Op<'_>, &Step)],
    env: &Env,
    w: &str,
    bufs: &mut [Scratch],
    sink: &mut S,
    sunk: &mut u64,
) -> Result<Ctl, Diag> {
    if rest.is_empty() {
        *sunk += 1;
        sink.accept_str(w)
    } else {
        run(rest, env, w, bufs, &mut |w| {
            *sunk += 1;
            sink.accept_str(w)
        })
    }
}

/// Whether the one-byte word `b[s..e]` is a whole line: `b` starts at a
/// line start, and lines end in `\n`, `\r\n`, or a `\r` at the very end.
#[inline]
fn whole_line(b: &[u8], s: usize, e: usize) -> bool {
    (s == 0 || b[s - 1] == b'\n')
        && match b.get(e) {
            None | Some(b'\n') => true,
            Some(b'\r') => matches!(b.get(e + 1), None | Some(b'\n')),
            _ => false,
        }
}

/// The lines of a run of whole lines.
fn line_count(b: &[u8]) -> u64 {
    let newlines = b.iter().filter(|&&c| c == b'\n').count() as u64;
    newlines + u64::from(b.last().is_some_and(|&c| c != b'\n'))
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
