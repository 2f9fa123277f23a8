//! The string fast path of a fused kernel: when every step of a chain maps
//! strings to strings (`lower`, `strip`, `split`, `filter` on str, …), the
//! chain runs on `&str` slices with reusable scratch buffers and a sink
//! known at compile time, so the word-count loop makes no allocation, no
//! enum and no virtual call per word. A chain that starts with a `split`
//! (see [`Words`]) takes a whole run of lines at once: one tokenizer pass
//! over its bytes, 64 at a time, and short ASCII words go into a word
//! count's table as loaded integers. The generic path ([`super::kernel`])
//! gives the same results; this one is only faster.

use std::borrow::Cow;

use wide::u8x16;

use super::elem::Elem;
use super::eval::{eval, truth, Env};
use super::kernel::{each_line, eval_diag, Sink};
use super::wordtable::{Short, WordTable, SHORT};
use super::Ctl;
use crate::diag::Diag;
use crate::ops::funcs::FnId;
use crate::ops::{Arg, OpId};
use crate::plan::expr::{TExpr, TKind};
use crate::plan::Step;
use crate::text::pystr;
use crate::types::{Coll, Type};
use crate::value::Value;

/// Bit `k` set where byte `k` of the chunk is an ASCII Python space
/// (`0x09..=0x0D`, `0x1C..=0x20`), 16 bytes at a time. `wide` gives safe,
/// portable 16-byte vectors (SSE2 on x86-64, NEON on aarch64, plain arrays
/// elsewhere): per 16 bytes, two subtractions, two minimums, two compares,
/// an `or` and one `pmovmskb`, where 8-byte SWAR words took twice the
/// steps and a multiply each. (AVX2's 32 bytes would need a run-time
/// feature test and an `unsafe` call, which this crate forbids.)
/// Also, as a second mask, where the `\n`s are: counting lines as the
/// tokenizer goes saves reading the text again after it (by then partly out
/// of the L2 cache, pushed out by the word table).
#[inline(always)]
fn space_mask(chunk: &[u8; 64]) -> (u64, u64) {
    let four = u8x16::splat(4);
    let newline = u8x16::splat(b'\n');
    let (mut m, mut nl) = (0, 0);
    for (k, c) in chunk.chunks_exact(16).enumerate() {
        let v = u8x16::new(c.try_into().unwrap_or_default());
        // `v - lo <= 4` (wrapping) is `lo <= v <= lo + 4`.
        let in5 = |lo: u8| {
            let d = v - u8x16::splat(lo);
            d.min(four).simd_eq(d)
        };
        m |= u64::from((in5(0x09) | in5(0x1C)).to_bitmask()) << (16 * k);
        nl |= u64::from(v.simd_eq(newline).to_bitmask()) << (16 * k);
    }
    (m, nl)
}

/// The maximal runs of bytes of a string that are not ASCII Python spaces
/// (for ASCII text, Python's `str.split()`), as `(start, end)`, found 64
/// bytes at a time: a bit mask of the spaces of a chunk gives the starts
/// and ends of all its runs, and each costs a `trailing_zeros`, not a
/// branch per byte. An iterator, so that the caller's loop body is inlined.
struct SpaceRuns<'a> {
    b: &'a [u8],
    /// Offset of the next chunk.
    pos: usize,
    /// Offset of the current chunk.
    base: usize,
    /// Run starts and ends (the first space after a run) left in the chunk.
    starts: u64,
    ends: u64,
    /// 1 when the last byte of the current chunk is not a space.
    prev: u64,
    /// The start of the run being read, if one is open.
    open: Option<usize>,
    /// The `\n`s of the chunks read so far.
    newlines: u64,
}

impl<'a> SpaceRuns<'a> {
    fn new(b: &'a [u8]) -> SpaceRuns<'a> {
        SpaceRuns {
            b,
            pos: 0,
            base: 0,
            starts: 0,
            ends: 0,
            prev: 0,
            open: None,
            newlines: 0,
        }
    }
}

impl Iterator for SpaceRuns<'_> {
    type Item = (usize, usize);

    #[inline(always)]
    fn next(&mut self) -> Option<(usize, usize)> {
        loop {
            match self.open {
                Some(start) if self.ends != 0 => {
                    let e = self.base + self.ends.trailing_zeros() as usize;
                    self.ends &= self.ends - 1;
                    self.open = None;
                    return Some((start, e));
                }
                None if self.starts != 0 => {
                    self.open = Some(self.base + self.starts.trailing_zeros() as usize);
                    self.starts &= self.starts - 1;
                    continue;
                }
                _ => {}
            }
            if self.pos >= self.b.len() {
                // The padding after the end is spaces, so a run still
                // open ends here.
                return self.open.take().map(|s| (s, self.b.len()));
            }
            let pos = self.pos;
            let chunk: [u8; 64] = match self.b.get(pos..pos + 64) {
                Some(c) => c.try_into().unwrap_or([b' '; 64]),
                None => {
                    let mut c = [b' '; 64];
                    c[..self.b.len() - pos].copy_from_slice(&self.b[pos..]);
                    c
                }
            };
            let (space, newline) = space_mask(&chunk);
            self.newlines += u64::from(newline.count_ones());
            let word = !space;
            let shifted = (word << 1) | self.prev;
            self.starts = word & !shifted;
            self.ends = !word & shifted;
            self.prev = word >> 63;
            self.base = pos;
            self.pos = pos + 64;
        }
    }
}

/// Calls `f` with each of [`SpaceRuns`] while it says to go on.
fn for_each_run(
    b: &[u8],
    mut f: impl FnMut(usize, usize) -> Result<bool, Diag>,
) -> Result<(), Diag> {
    for (s, e) in SpaceRuns::new(b) {
        if !f(s, e)? {
            break;
        }
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
    /// For a `split`'s scratch: the bytes of a piece of the run of lines
    /// with ASCII letters lowercased (see [`tokenize_as`]).
    lowered: Vec<u8>,
    pub count: u64,
}

pub struct StrChain<'p> {
    ops: Vec<(Op<'p>, &'p Step)>,
    env: &'p Env,
    /// How the chain runs on many lines at once, if it can.
    words: Option<Words>,
}

/// A chain whose `split` (Python's `str.split()`) is preceded only by
/// `filter not_delim`, `lower`/`upper` (at most one change of case) and
/// `strip`, in any order, makes the same words of a run of lines as of
/// each line alone: line endings are spaces to `split`, a `strip` changes
/// nothing that `split` keeps, and a change of case neither makes nor
/// removes spaces and looks no further than a space (Python's final sigma;
/// the tests check every code point). So the run is tokenized in one pass
/// over its bytes, and each word changes case on its own, an ASCII word
/// inside a register.
///
/// A `filter not_delim` before the split drops a line that is exactly one
/// delimiter; after a `strip`, a line that is one delimiter between spaces.
/// Either way the line's one word is a one-byte delimiter (no case mapping
/// makes or unmakes a delimiter), so the tokenizer drops that word when its
/// line is such a line.
///
/// The steps right after the split that are `filter not_delim`, `lower`,
/// `upper` or `strip` act on each word alone: on a word `strip` changes
/// nothing (a word has no space), `filter not_delim` drops a one-byte
/// delimiter, and a change of case of an ASCII word is done in its register
/// too. Other words (not ASCII, or long) go through those steps one by one.
#[derive(Clone, Copy, Debug)]
struct Words {
    /// Index of the `split` in the chain.
    split: usize,
    /// First `filter not_delim` before the split, if any.
    not_delim: Option<usize>,
    /// First `filter not_delim` before the split that follows a `strip`.
    padded: Option<usize>,
    /// The change of case before the split.
    case: Case,
    /// How many steps after the split act on each word (see above).
    post: usize,
    /// First `filter not_delim` among them.
    post_delim: Option<usize>,
    /// The case an ASCII word has after them.
    last_case: Case,
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
        let mut padded = None;
        let mut case = Case::Keep;
        let mut stripped = false;
        let mut split = None;
        for (i, (op, _)) in ops.iter().enumerate() {
            match op {
                Op::NotDelim => {
                    not_delim.get_or_insert(i);
                    if stripped {
                        padded.get_or_insert(i);
                    }
                }
                Op::Lower | Op::Upper if case != Case::Keep => return None,
                Op::Lower => case = Case::Lower,
                Op::Upper => case = Case::Upper,
                Op::Strip(None) => stripped = true,
                Op::Split(None) => {
                    split = Some(i);
                    break;
                }
                _ => return None,
            }
        }
        let split = split?;
        let mut post = 0;
        let mut post_delim = None;
        let mut last_case = case;
        for (i, (op, _)) in ops.iter().enumerate().skip(split + 1) {
            match op {
                Op::NotDelim => {
                    post_delim.get_or_insert(i);
                }
                Op::Lower => last_case = Case::Lower,
                Op::Upper => last_case = Case::Upper,
                Op::Strip(None) => {}
                _ => break,
            }
            post += 1;
        }
        Some(Words {
            split,
            not_delim,
            padded,
            case,
            post,
            post_delim,
            last_case,
        })
    }

    /// Whether a one-byte delimiter word may be dropped.
    fn drops_delims(&self) -> bool {
        self.not_delim.is_some() || self.post_delim.is_some()
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
                // Not str → str on borrowed slices: the general kernel runs them.
                OpId::Map
                | OpId::Flatten
                | OpId::Pluck
                | OpId::ParseJson
                | OpId::ToJson
                | OpId::ReadText
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
                | OpId::WriteCsv => return None,
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
        let post = &rest[..words.post];
        let tok = if words.post == rest.len() {
            sink.word_table().map(|table| {
                let mut out = ToTable {
                    table,
                    post,
                    env: self.env,
                    bufs: &mut *rest_bufs,
                    sunk: 0,
                };
                let r = tokenize_as(words, text, split_buf, &mut out);
                *sunk += out.sunk;
                r
            })
        } else {
            None
        };
        let st = match tok {
            Some(r) => r?,
            None => {
                let mut out = ToChain {
                    rest,
                    post: words.post,
                    env: self.env,
                    bufs: &mut *rest_bufs,
                    sink,
                    sunk,
                };
                tokenize_as(words, text, split_buf, &mut out)?
            }
        };
        // Elements entering each step before the split: every line (up to
        // where the run stopped), less the lines the filters before it drop.
        let lines = match st.upto {
            Some(upto) => line_count(&text.as_bytes()[..upto]),
            None => st.lines,
        };
        let dropped_before = |i: usize| {
            (if words.not_delim.is_some_and(|f| f < i) {
                st.exact
            } else {
                0
            }) + if words.padded.is_some_and(|f| f < i) {
                st.padded
            } else {
                0
            }
        };
        for (i, b) in head.iter_mut().enumerate() {
            b.count += lines - dropped_before(i);
        }
        split_buf.count += lines - dropped_before(words.split);
        // The word steps the tokenizer did itself: the words it took, less
        // the delimiters dropped by a filter before the step.
        for (j, b) in rest_bufs[..words.post].iter_mut().enumerate() {
            let i = words.split + 1 + j;
            b.count += st.words
                - if words.post_delim.is_some_and(|f| f < i) {
                    st.delims
                } else {
                    0
                };
        }
        Ok(st.ctl)
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
            for_each_run(s.as_bytes(), |a, b| {
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
            let keep = eval(e, Elem::Str(s), env)
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

/// Where the words of [`tokenize`] go.
trait WordOut {
    /// An ASCII word of at most [`SHORT`] bytes that the tokenizer took
    /// through the word steps ([`Words::post`]) itself.
    fn short(&mut self, w: Short) -> Result<Ctl, Diag>;
    /// Any other word, in the case of the steps before the split: it goes
    /// through the word steps one by one.
    fn word(&mut self, w: &str) -> Result<Ctl, Diag>;
}

/// Straight into a word count's table.
struct ToTable<'t, 'c, 'p> {
    table: &'t mut WordTable,
    /// The word steps.
    post: &'c [(Op<'p>, &'p Step)],
    env: &'c Env,
    bufs: &'c mut [Scratch],
    sunk: u64,
}

impl WordOut for ToTable<'_, '_, '_> {
    #[inline(always)]
    fn short(&mut self, w: Short) -> Result<Ctl, Diag> {
        self.sunk += 1;
        self.table.add_short(w);
        Ok(Ctl::Continue)
    }
    fn word(&mut self, w: &str) -> Result<Ctl, Diag> {
        if self.post.is_empty() {
            self.sunk += 1;
            self.table.add(w);
            return Ok(Ctl::Continue);
        }
        let (table, sunk) = (&mut *self.table, &mut self.sunk);
        run(self.post, self.env, w, self.bufs, &mut |w| {
            *sunk += 1;
            table.add(w);
            Ok(Ctl::Continue)
        })
    }
}

/// Down the rest of the chain, into a sink.
struct ToChain<'c, 'p, S> {
    /// The steps after the split.
    rest: &'c [(Op<'p>, &'p Step)],
    /// How many of them are word steps.
    post: usize,
    env: &'c Env,
    bufs: &'c mut [Scratch],
    sink: &'c mut S,
    sunk: &'c mut u64,
}

impl<S: Sink> WordOut for ToChain<'_, '_, S> {
    #[inline(always)]
    fn short(&mut self, w: Short) -> Result<Ctl, Diag> {
        if self.post == self.rest.len() {
            *self.sunk += 1;
            self.sink.accept_short(w)
        } else {
            let (rest, bufs) = (&self.rest[self.post..], &mut self.bufs[self.post..]);
            w.with_str(|w| emit(rest, self.env, w, bufs, self.sink, self.sunk))
        }
    }
    fn word(&mut self, w: &str) -> Result<Ctl, Diag> {
        emit(self.rest, self.env, w, self.bufs, self.sink, self.sunk)
    }
}

/// What [`tokenize`] did with a run of lines.
struct Tokenized {
    /// Whether to go on.
    ctl: Ctl,
    /// Where in the text it stopped, if it stopped early.
    upto: Option<usize>,
    /// Lines that are exactly one delimiter, dropped before the split.
    exact: u64,
    /// Lines that are one delimiter between spaces (not exactly one
    /// delimiter), dropped before the split.
    padded: u64,
    /// Words that the tokenizer took through the word steps itself.
    words: u64,
    /// Of those, the delimiters a word step `filter not_delim` dropped.
    delims: u64,
    /// The lines of the text, when it did not stop early.
    lines: u64,
}

impl Tokenized {
    fn new() -> Tokenized {
        Tokenized {
            ctl: Ctl::Continue,
            upto: None,
            exact: 0,
            padded: 0,
            words: 0,
            delims: 0,
            lines: 0,
        }
    }
}

/// Bytes of a run lowercased at a time by [`tokenize_as`]: the copy and the
/// text stay in the L2 cache together.
const PIECE: usize = 64 << 10;

/// [`tokenize`] made for the case of `words`'s ASCII words, with `split`'s
/// scratch.
///
/// When every word ends lowercase, the ASCII letters of the run are
/// lowercased first, a piece of whole lines at a time, in a pass that
/// vectorizes, and short ASCII words are read from that copy as they are
/// instead of being lowercased one by one in registers. Spaces,
/// delimiters and line ends are the same in both, so the words and lines
/// are too; other words are still read from `text` and go through the
/// case steps as before.
#[inline(always)]
fn tokenize_as(
    words: Words,
    text: &str,
    split: &mut Scratch,
    out: &mut impl WordOut,
) -> Result<Tokenized, Diag> {
    let buf = &mut split.buf;
    match words.last_case {
        Case::Keep => tokenize::<false>(words, text, text.as_bytes(), buf, out),
        Case::Upper => tokenize::<true>(words, text, text.as_bytes(), buf, out),
        Case::Lower => {
            let mut all = Tokenized::new();
            let mut at = 0;
            while at < text.len() {
                // The piece ends at the first line end `PIECE` bytes on.
                let end = text.as_bytes()[at..]
                    .get(PIECE..)
                    .and_then(|rest| memchr::memchr(b'\n', rest))
                    .map_or(text.len(), |nl| at + PIECE + nl + 1);
                let piece = &text[at..end];
                let lowered = &mut split.lowered;
                lowered.clear();
                lowered.extend(piece.bytes().map(|b| b.to_ascii_lowercase()));
                let st = tokenize::<false>(words, piece, lowered, buf, out)?;
                all.exact += st.exact;
                all.padded += st.padded;
                all.words += st.words;
                all.delims += st.delims;
                all.lines += st.lines;
                if st.ctl == Ctl::Stop {
                    all.ctl = Ctl::Stop;
                    all.upto = st.upto.map(|u| at + u);
                    break;
                }
                at = end;
            }
            Ok(all)
        }
    }
}

/// The words of a run of whole lines, per `words`, into `out`. `bytes` are
/// those of `text`, or of `text` with ASCII letters changed in case: short
/// ASCII words are read from `bytes`, other words from `text`. `buf` is
/// scratch space for long words that change case. Short ASCII words are
/// uppercased when `UPPER` and taken as they are otherwise (lowercase ones
/// are read from lowercased `bytes`): a constant, so that the loop is
/// compiled once for each and a word is not asked which.
#[inline(always)]
fn tokenize<const UPPER: bool>(
    words: Words,
    text: &str,
    bytes: &[u8],
    buf: &mut String,
    out: &mut impl WordOut,
) -> Result<Tokenized, Diag> {
    debug_assert_eq!(bytes.len(), text.len());
    let mut st = Tokenized::new();
    let drops = words.drops_delims();
    let mut runs = SpaceRuns::new(bytes);
    for (s, e) in &mut runs {
        let n = e - s;
        let ascii = if n <= SHORT {
            let w = Short::at(bytes, s, e);
            if w.is_ascii() {
                if n == 1 && drops && !pystr::not_delim(&text[s..e]) {
                    if words.not_delim.is_some() && whole_line(bytes, s, e) {
                        st.exact += 1;
                        continue;
                    }
                    if words.padded.is_some() && alone_on_line(text, s, e) {
                        st.padded += 1;
                        continue;
                    }
                    if words.post_delim.is_some() {
                        st.words += 1;
                        st.delims += 1;
                        continue;
                    }
                }
                st.words += 1;
                let w = if UPPER { w.ascii_upper() } else { w };
                if out.short(w)? == Ctl::Stop {
                    st.ctl = Ctl::Stop;
                    st.upto = Some(e);
                    return Ok(st);
                }
                continue;
            }
            false
        } else {
            bytes[s..e].is_ascii()
        };
        let run_text = &text[s..e];
        let ctl = if ascii {
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
                    buf.as_str()
                }
            };
            out.word(w)?
        } else {
            // Not ASCII: there may be spaces of several bytes in the run.
            let mut ctl = Ctl::Continue;
            for w in pystr::split_whitespace_py(run_text) {
                if words.padded.is_some() && !pystr::not_delim(w) {
                    // A delimiter next to a space of several bytes: never
                    // a whole line, but maybe alone between spaces.
                    let at = s + (w.as_ptr() as usize - run_text.as_ptr() as usize);
                    if alone_on_line(text, at, at + 1) {
                        st.padded += 1;
                        continue;
                    }
                }
                ctl = match words.case {
                    Case::Keep => out.word(w)?,
                    Case::Lower => out.word(&pystr::lower(w))?,
                    Case::Upper => out.word(&pystr::upper(w))?,
                };
                if ctl == Ctl::Stop {
                    break;
                }
            }
            ctl
        };
        if ctl == Ctl::Stop {
            st.ctl = Ctl::Stop;
            st.upto = Some(e);
            return Ok(st);
        }
    }
    // Every chunk was read: their `\n`s are the text's.
    st.lines = runs.newlines + u64::from(bytes.last().is_some_and(|&c| c != b'\n'));
    Ok(st)
}

/// Whether the word `text[s..e]` is alone on its line but for spaces (so
/// that the line, stripped, is the word). `text` starts at a line start.
/// Only spaces are read, and those up to the next line break or word.
fn alone_on_line(text: &str, s: usize, e: usize) -> bool {
    text[..s]
        .chars()
        .rev()
        .take_while(|&c| c != '\n')
        .all(pystr::is_py_space)
        && text[e..]
            .chars()
            .take_while(|&c| c != '\n')
            .all(pystr::is_py_space)
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
    // Byte-wide counters over pieces short enough not to wrap vectorize
    // far better than one wide counter.
    let newlines: u64 = b
        .chunks(255)
        .map(|c| u64::from(c.iter().fold(0u8, |n, &x| n + u8::from(x == b'\n'))))
        .sum();
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
        for_each_run(s.as_bytes(), |a, b| {
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
            let want: Vec<&str> = crate::text::pystr::split_whitespace_py(c).collect();
            assert_eq!(words(c), want, "{c:?}");
        }
        // Every split of a string mixing all ASCII bytes at every offset.
        let all: String = (0u8..128).map(char::from).collect();
        for start in 0..all.len() {
            let s = &all[start..];
            let want: Vec<&str> = crate::text::pystr::split_whitespace_py(s).collect();
            assert_eq!(words(s), want);
        }
    }

    /// The runs of non-space bytes, one byte at a time.
    fn runs_scalar(b: &[u8]) -> Vec<(usize, usize)> {
        let space = |c: u8| matches!(c, 0x09..=0x0D | 0x1C..=0x20);
        let mut out = Vec::new();
        let mut start = None;
        for (i, &c) in b.iter().enumerate() {
            match (start, space(c)) {
                (None, false) => start = Some(i),
                (Some(s), true) => {
                    out.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((s, b.len()));
        }
        out
    }

    #[test]
    fn space_mask_is_python_isspace_for_every_byte_at_every_place() {
        for byte in 0..=255u8 {
            let space = byte.is_ascii() && pystr::is_py_space(char::from(byte));
            let bit = |at: usize, yes: bool| if yes { 1u64 << at } else { 0 };
            for at in 0..64 {
                let mut chunk = [b'x'; 64];
                chunk[at] = byte;
                let want = (bit(at, space), bit(at, byte == b'\n'));
                assert_eq!(space_mask(&chunk), want, "byte {byte:#04x} at {at}");
                let mut chunk = [b' '; 64];
                chunk[at] = byte;
                let want = (!bit(at, !space), bit(at, byte == b'\n'));
                assert_eq!(
                    space_mask(&chunk),
                    want,
                    "byte {byte:#04x} at {at} among spaces"
                );
            }
        }
    }

    #[test]
    fn space_runs_match_a_scalar_scan_at_every_length_and_offset() {
        // Bytes of every class (high bytes included), in a pattern that puts
        // runs across 64-byte chunk boundaries.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let bytes: Vec<u8> = (0..700)
            .map(|_| match crate::text::xorshift(&mut x) % 9 {
                0 => b' ',
                1 => b'\n',
                2 => [0x09, 0x0B, 0x0C, 0x0D, 0x1C, 0x1F, 0x1B, 0x00][(x >> 8) as usize % 8],
                3 => 0x80 | (x >> 8) as u8,
                _ => b'a' + (x >> 8) as u8 % 26,
            })
            .collect();
        for start in 0..70 {
            for end in (start..bytes.len()).step_by(13) {
                let b = &bytes[start..end];
                let got: Vec<_> = SpaceRuns::new(b).collect();
                assert_eq!(got, runs_scalar(b), "{start}..{end}");
            }
        }
        for n in 0..=200 {
            let b = &bytes[..n];
            assert_eq!(
                SpaceRuns::new(b).collect::<Vec<_>>(),
                runs_scalar(b),
                "0..{n}"
            );
        }
        let long = vec![b'x'; 200];
        assert_eq!(SpaceRuns::new(&long).collect::<Vec<_>>(), vec![(0, 200)]);
        let blank = vec![b' '; 200];
        assert_eq!(SpaceRuns::new(&blank).count(), 0);
    }

    #[test]
    fn lines_and_whole_lines() {
        assert_eq!(line_count(b""), 0);
        assert_eq!(line_count(b"a"), 1);
        assert_eq!(line_count(b"a\n"), 1);
        assert_eq!(line_count(b"\n\n"), 2);
        assert_eq!(line_count(b"a\r\nb"), 2);
        let many = "x\n".repeat(1000);
        assert_eq!(line_count(many.as_bytes()), 1000);
        // The one-byte word at 0 or after a newline, before an ending.
        let b = b".\n.\r\n.\r\r\n. .\n.\r";
        let at = |s: usize| whole_line(b, s, s + 1);
        assert!(at(0) && at(2) && at(13));
        assert!(!at(5), ".\\r\\r\\n is not a line of one byte");
        assert!(!at(9) && !at(11));
    }

    /// What [`Words`] relies on, over every code point: a change of case
    /// maps a space to itself and anything else to characters none of which
    /// is a space, never to nothing; only a delimiter maps to a delimiter
    /// (itself). So `split` and a change of case commute, and a line (or a
    /// word) is one delimiter after a change of case iff it was before.
    #[test]
    fn case_changes_keep_spaces_and_delimiters() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let s = c.to_string();
            for (name, m) in [("lower", pystr::lower(&s)), ("upper", pystr::upper(&s))] {
                if pystr::is_py_space(c) {
                    assert_eq!(m, s, "{name} of space {c:?}");
                    continue;
                }
                assert!(!m.is_empty(), "{name} of {c:?} is empty");
                assert!(
                    !m.chars().any(pystr::is_py_space),
                    "{name} of {c:?} has a space: {m:?}"
                );
                assert_eq!(
                    pystr::not_delim(&m),
                    pystr::not_delim(&s),
                    "{name} of {c:?} is {m:?}"
                );
            }
        }
    }

    /// What lowercasing a run's ASCII letters first (before a split whose
    /// words end lowercase) relies on: Python's `lower` and `upper` of a
    /// word give the same after it, whatever the word holds. The one
    /// context a change of case reads, the final sigma's, sees `A` and `a`
    /// alike (both cased, neither case-ignorable).
    #[test]
    fn lowering_ascii_first_changes_no_case_change() {
        let mut text = String::new();
        for cp in (0..0x3_0000u32).chain(0xE_0000..0xE_0080) {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            for w in [
                format!("Q{c}\u{3a3}{c}Z"),
                format!("{c}\u{3a3}K"),
                format!("A\u{3a3}{c}"),
            ] {
                text.clear();
                text.push_str(&w);
                text.make_ascii_lowercase();
                assert_eq!(pystr::lower(&text), pystr::lower(&w), "lower {w:?}");
                assert_eq!(pystr::upper(&text), pystr::upper(&w), "upper {w:?}");
            }
        }
    }

    /// The one context a change of case reads, the final sigma, stops at
    /// every space: lowering a line is lowering its words one by one.
    #[test]
    fn final_sigma_stops_at_every_space() {
        let spaces: Vec<char> = (0..=0x10_FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| pystr::is_py_space(c))
            .collect();
        assert!(spaces.len() > 20);
        // Cased letters, case-ignorable marks and others around a sigma.
        let around = ["", "Α", "α", "'", "\u{345}", "\u{ad}", ".", "1", "Α'", "'Α"];
        for ws in spaces {
            for a in around {
                for b in around {
                    for line in [
                        format!("{a}Σ{ws}{b}"),
                        format!("{a}{ws}Σ{b}"),
                        format!("{a}Σ{ws}Σ{b}"),
                        format!("Α{a}{ws}{b}Σ"),
                    ] {
                        let whole: Vec<String> = pystr::split_whitespace_py(&pystr::lower(&line))
                            .map(str::to_string)
                            .collect();
                        let each: Vec<String> = pystr::split_whitespace_py(&line)
                            .map(|w| pystr::lower(w).into_owned())
                            .collect();
                        assert_eq!(whole, each, "{line:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn alone_on_a_line_between_spaces() {
        let t = "a .\n . \n\u{a0}.\u{3000}\r\n.x\n.";
        let at = |s: usize| alone_on_line(t, s, s + 1);
        assert!(!at(2), "after a word");
        assert!(at(5), "between spaces");
        assert!(at(10), "between spaces of several bytes");
        assert!(!at(16), "before a word");
        assert!(at(19), "the last line");
    }
}
