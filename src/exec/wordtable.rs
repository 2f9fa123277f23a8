//! A counting table for string keys: the table behind word counts.
//!
//! `frequencies` over split text makes one lookup per word (tens of millions
//! of them) into a table of up to a few hundred thousand distinct words,
//! bigger than the CPU caches, so the time goes to cache misses and to
//! mispredicted branches. This table keeps both low:
//!
//! - Words of fewer than 8 bytes (most of them) live in an open-addressing
//!   table of 16-byte slots, four to a cache line: the word zero-padded in a
//!   `u64` whose top byte holds the length plus one, and its count. A lookup
//!   compares one `u64`.
//! - Words of 8 to 16 bytes live in a second such table of 32-byte slots,
//!   aligned so that a slot never straddles a cache line: the word as two
//!   `u64`s, its count, and a tag that holds its hash and its length.
//! - Longer words, rare in text, go to a `hashbrown` table with heap keys.
//! - [`WordTable::add`] loads the word and hashes it without branching on
//!   its length (the tokenizer does the loading itself and calls
//!   [`WordTable::add_short`]), queues it, and counts the queue `QUEUE` (64)
//!   words at a time: a first pass only reads the home slot of each, so that
//!   the cache misses of the batch overlap instead of following one another,
//!   and a second pass probes (linearly) and counts in slots that are by
//!   then cached.
//!
//! Growing and merging never hash a word's bytes again (the small table
//! rehashes its `u64` key with two multiplies, the others keep their hash);
//! and since a slot's home is the top bits of its hash, walking a table in
//! slot order visits homes in nearly increasing order in a table of any
//! size, so growing and merging stream through memory.

use std::hash::BuildHasher;
use std::sync::Arc;

use foldhash::fast::FixedState;

/// Words shorter than this go to the table of 16-byte slots.
const SMALL: usize = 8;

/// Longest word kept inline in a slot.
pub const SHORT: usize = 16;

/// Words counted at once by `add`.
const QUEUE: usize = 64;

/// Bits of a medium slot's tag that hold the word's length plus one (so
/// that an occupied slot's tag is never 0); the rest is the word's hash.
const LEN_MASK: u64 = 0x1f;

/// Smallest table allocated, in slots.
const MIN_SLOTS: usize = 64;

/// A table grows once more than `MAX_LOAD_NUM / MAX_LOAD_DEN` of its
/// slots are taken.
const MAX_LOAD_NUM: usize = 3;
const MAX_LOAD_DEN: usize = 4;

/// Seed of the hash of long words.
const LONG_SEED: u64 = 0x5eed_0f10;

/// The 128-bit product of `a` and `b`, folded to 64 bits.
#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// The hash of a word of at most [`SHORT`] bytes, from its [`key`] and its
/// `hi` half. Tables use the top bits.
#[inline(always)]
fn hash(key: u64, hi: u64) -> u64 {
    const K0: u64 = 0x243f_6a88_85a3_08d3;
    const K1: u64 = 0x1319_8a2e_0370_7344;
    const K2: u64 = 0xa409_3822_299f_31d0;
    fold(fold(key ^ K0, hi ^ K1), K2)
}

/// `lo` with the length `n` (at most [`SHORT`]) in the top byte: for words
/// shorter than [`SMALL`] bytes, whose top byte of `lo` is 0, this is a
/// nonzero key that identifies the word.
#[inline(always)]
fn key(lo: u64, n: usize) -> u64 {
    lo ^ ((n as u64 + 1) << 56)
}

fn long_hash(word: &str) -> u64 {
    FixedState::with_seed(LONG_SEED).hash_one(word)
}

/// Bytes `i..i + 8` of `s`.
#[inline(always)]
fn read8(s: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"))
}

/// Bytes `i..i + 4` of `s`.
#[inline(always)]
fn read4(s: &[u8], i: usize) -> u64 {
    u64::from(u32::from_le_bytes(s[i..i + 4].try_into().expect("4 bytes")))
}

/// A word `b` of at most [`SHORT`] bytes as two `u64`s (`lo`, `hi`) that,
/// given its length, identify it:
///
/// - shorter than 8 bytes: `lo` is the word zero-padded, `hi` is 0;
/// - 8 to 16 bytes: `lo` is bytes `0..8` and `hi` bytes `n - 8..n` (the
///   halves overlap below 16 bytes), or 0 for 8 bytes.
///
/// All cases are computed and the answer selected, without branches: word
/// lengths in text follow no pattern a branch predictor could learn.
#[inline(always)]
fn load(b: &[u8]) -> (u64, u64) {
    const ZERO: [u8; SHORT] = [0; SHORT];
    let n = b.len();
    debug_assert!(n <= SHORT);
    // Each case reads a slice long enough for it: `b` if it is, else zeros.
    let s8 = if n >= 8 { b } else { &ZERO[..] };
    let lo8 = read8(s8, 0);
    let hi8 = read8(s8, s8.len() - 8);
    let s4 = if n >= 4 { b } else { &ZERO[..] };
    let m4 = s4.len();
    // Overlapping reads of bytes 0..4 and m4 - 4..m4; the shift is in
    // range whenever the result is used (m4 < 8).
    let lo4 = read4(s4, 0) | read4(s4, m4 - 4).wrapping_shl(((m4 - 4) * 8) as u32);
    let s1 = if n >= 1 { b } else { &ZERO[..] };
    let m1 = s1.len();
    let lo1 = u64::from(s1[0])
        | u64::from(s1[m1 / 2]).wrapping_shl((8 * (m1 / 2)) as u32)
        | u64::from(s1[m1 - 1]).wrapping_shl((8 * (m1 - 1)) as u32);
    let lo = if n >= 8 {
        lo8
    } else if n >= 4 {
        lo4
    } else if n >= 1 {
        lo1
    } else {
        0
    };
    let hi = if n > 8 { hi8 } else { 0 };
    (lo, hi)
}

/// A word waiting to be counted, or being moved between tables: the hash
/// whose top bits give its home slot (for a medium word, its tag) and its
/// `u64`s (for a small word, its key and 0).
#[derive(Clone, Copy, Default)]
struct Queued {
    tag: u64,
    lo: u64,
    hi: u64,
}

/// A slot of an open-addressing table.
trait Slot: Copy + Default {
    fn occupied(&self) -> bool;
    /// Whether this slot holds the word of `q`.
    fn holds(&self, q: &Queued) -> bool;
    fn new(q: &Queued, count: i64) -> Self;
    fn count_mut(&mut self) -> &mut i64;
    fn count(&self) -> i64;
    /// The word as queued (for growing and merging).
    fn queued(&self) -> Queued;
    fn word(&self) -> Arc<str>;
}

/// A word shorter than [`SMALL`] bytes; `key` is 0 when the slot is empty.
#[derive(Clone, Copy, Default)]
#[repr(align(16))]
struct Small {
    key: u64,
    count: i64,
}

impl Slot for Small {
    #[inline(always)]
    fn occupied(&self) -> bool {
        self.key != 0
    }
    #[inline(always)]
    fn holds(&self, q: &Queued) -> bool {
        self.key == q.lo
    }
    #[inline(always)]
    fn new(q: &Queued, count: i64) -> Self {
        Small { key: q.lo, count }
    }
    #[inline(always)]
    fn count_mut(&mut self) -> &mut i64 {
        &mut self.count
    }
    fn count(&self) -> i64 {
        self.count
    }
    fn queued(&self) -> Queued {
        Queued {
            tag: hash(self.key, 0),
            lo: self.key,
            hi: 0,
        }
    }
    fn word(&self) -> Arc<str> {
        let n = (self.key >> 56) as usize - 1;
        let bytes = self.key.to_le_bytes();
        // The bytes came from a `&str`, so they are valid UTF-8.
        Arc::from(std::str::from_utf8(&bytes[..n]).expect("a stored word is UTF-8"))
    }
}

/// A word of [`SMALL`] to [`SHORT`] bytes; `tag` is 0 when the slot is
/// empty.
#[derive(Clone, Copy, Default)]
#[repr(align(32))]
struct Medium {
    tag: u64,
    count: i64,
    lo: u64,
    hi: u64,
}

impl Slot for Medium {
    #[inline(always)]
    fn occupied(&self) -> bool {
        self.tag != 0
    }
    #[inline(always)]
    fn holds(&self, q: &Queued) -> bool {
        (self.tag ^ q.tag) | (self.lo ^ q.lo) | (self.hi ^ q.hi) == 0
    }
    #[inline(always)]
    fn new(q: &Queued, count: i64) -> Self {
        Medium {
            tag: q.tag,
            count,
            lo: q.lo,
            hi: q.hi,
        }
    }
    #[inline(always)]
    fn count_mut(&mut self) -> &mut i64 {
        &mut self.count
    }
    fn count(&self) -> i64 {
        self.count
    }
    fn queued(&self) -> Queued {
        Queued {
            tag: self.tag,
            lo: self.lo,
            hi: self.hi,
        }
    }
    fn word(&self) -> Arc<str> {
        let n = (self.tag & LEN_MASK) as usize - 1;
        let mut buf = [0u8; SHORT];
        buf[..8].copy_from_slice(&self.lo.to_le_bytes());
        if n > 8 {
            buf[n - 8..n].copy_from_slice(&self.hi.to_le_bytes());
        }
        // The bytes came from a `&str`, so they are valid UTF-8.
        Arc::from(std::str::from_utf8(&buf[..n]).expect("a stored word is UTF-8"))
    }
}

/// An open-addressing table with linear probing.
struct Table<S> {
    /// A power of two in length, or empty before the first word.
    slots: Vec<S>,
    /// `64 - log2(slots.len())`: the home slot of `q` is `q.tag >> shift`.
    shift: u32,
    /// Occupied slots.
    len: usize,
    /// `len` above which the slots grow.
    grow_at: usize,
}

impl<S: Slot> Table<S> {
    fn new() -> Self {
        Table {
            slots: Vec::new(),
            shift: 64,
            len: 0,
            grow_at: 0,
        }
    }

    /// Reads the home slot of each of `qs`, so that their cache misses
    /// overlap; returns something of it for `black_box` (so that the loads
    /// are not removed).
    #[inline(always)]
    fn touch(&self, qs: &[Queued]) -> usize {
        let mut touched = 0usize;
        for q in qs {
            touched += usize::from(self.slots[(q.tag >> self.shift) as usize].occupied());
        }
        touched
    }

    /// Counts one occurrence of each of `qs`; there must be room for them.
    #[inline(always)]
    fn upsert_all(&mut self, qs: &[Queued]) {
        for q in qs {
            self.upsert(q, 1);
        }
    }

    /// Adds `count` to the slot of `q`, taking an empty slot if it has none.
    /// There must be room for one more word.
    #[inline(always)]
    fn upsert(&mut self, q: &Queued, count: i64) {
        let mask = self.slots.len() - 1;
        let mut i = (q.tag >> self.shift) as usize;
        loop {
            let s = &mut self.slots[i];
            if s.holds(q) {
                *s.count_mut() += count;
                return;
            }
            if !s.occupied() {
                *s = S::new(q, count);
                self.len += 1;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Counts `count` occurrences of `q` now.
    fn add_now(&mut self, q: &Queued, count: i64) {
        self.reserve(1);
        self.upsert(q, count);
    }

    /// Makes room for `extra` more words without passing the load limit.
    #[inline(always)]
    fn reserve(&mut self, extra: usize) {
        if self.len + extra > self.grow_at {
            self.grow(self.len + extra);
        }
    }

    /// Reallocates the slots to hold `need` words within the load limit.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, need: usize) {
        let mut cap = (self.slots.len() * 2).max(MIN_SLOTS);
        while cap / MAX_LOAD_DEN * MAX_LOAD_NUM < need {
            cap *= 2;
        }
        let old = std::mem::replace(&mut self.slots, vec![S::default(); cap]);
        self.shift = 64 - cap.trailing_zeros();
        self.grow_at = cap / MAX_LOAD_DEN * MAX_LOAD_NUM;
        let mask = cap - 1;
        for s in old.into_iter().filter(Slot::occupied) {
            let mut i = (s.queued().tag >> self.shift) as usize;
            while self.slots[i].occupied() {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }

    /// Adds the counts of `other`, moving the smaller table's entries into
    /// the larger one.
    fn merge(&mut self, mut other: Table<S>) {
        if other.len > self.len {
            std::mem::swap(self, &mut other);
        }
        for s in other.slots.iter().filter(|s| s.occupied()) {
            self.add_now(&s.queued(), s.count());
        }
    }

    fn into_counts(self, min: i64) -> impl Iterator<Item = (Arc<str>, i64)> {
        self.slots
            .into_iter()
            .filter(move |s| s.occupied() && s.count() >= min)
            .map(|s| (s.word(), s.count()))
    }

    fn counts(&self) -> impl Iterator<Item = i64> + '_ {
        self.slots.iter().filter(|s| s.occupied()).map(Slot::count)
    }
}

/// A word longer than [`SHORT`] bytes, with its hash.
struct Long {
    hash: u64,
    count: i64,
    word: Box<str>,
}

/// Counts of distinct strings. See the module doc.
pub struct WordTable {
    /// Words shorter than [`SMALL`] bytes.
    small: Table<Small>,
    /// Words of [`SMALL`] to [`SHORT`] bytes.
    medium: Table<Medium>,
    /// Longer words.
    long: hashbrown::HashTable<Long>,
    /// Words waiting to be counted: small ones in `queue[..front]`, medium
    /// ones in `queue[back..]`.
    queue: [Queued; QUEUE],
    front: usize,
    back: usize,
}

impl Default for WordTable {
    fn default() -> Self {
        WordTable::new()
    }
}

impl WordTable {
    pub fn new() -> WordTable {
        WordTable {
            small: Table::new(),
            medium: Table::new(),
            long: hashbrown::HashTable::new(),
            queue: [Queued::default(); QUEUE],
            front: 0,
            back: QUEUE,
        }
    }

    /// Counts one occurrence of `word` (any length, any UTF-8). Words of up
    /// to 16 bytes are queued: call [`WordTable::flush`] before reading
    /// `len`. The hot path of word counts.
    #[inline]
    pub fn add(&mut self, word: &str) {
        let b = word.as_bytes();
        let n = b.len();
        if n > SHORT {
            self.add_long(word, 1);
            return;
        }
        self.add_short(Short::new(b));
    }

    /// Counts one occurrence of a word of at most [`SHORT`] bytes, already
    /// loaded; queued like [`WordTable::add`].
    #[inline(always)]
    pub fn add_short(&mut self, w: Short) {
        let is_small = w.len < SMALL;
        let (small, medium) = queued_short(w);
        // Both entries are made and one is picked with masks, and it goes
        // to the front or the back of the queue by arithmetic: word lengths
        // follow no pattern a branch predictor could learn.
        let m = u64::from(is_small).wrapping_neg();
        let pick = |a: u64, b: u64| (a & m) | (b & !m);
        let q = Queued {
            tag: pick(small.tag, medium.tag),
            lo: pick(small.lo, medium.lo),
            hi: pick(small.hi, medium.hi),
        };
        let um = m as usize;
        let at = (self.front & um) | (self.back.wrapping_sub(1) & !um);
        // `front < back` always holds here; `min` lets the compiler see that
        // `at` is in bounds.
        self.queue[at.min(QUEUE - 1)] = q;
        self.front += usize::from(is_small);
        self.back -= usize::from(!is_small);
        if self.front == self.back {
            self.run();
        }
    }

    /// Counts the queued words and empties the queue: first the home slot
    /// of every word is read, so that the cache misses of the batch overlap
    /// instead of following one another; then each word is counted, in
    /// slots that are by then cached.
    #[inline(never)]
    fn run(&mut self) {
        let front = self.front.min(QUEUE);
        let back = self.back.clamp(front, QUEUE);
        let (small, medium) = (&self.queue[..front], &self.queue[back..]);
        self.small.reserve(small.len());
        self.medium.reserve(medium.len());
        std::hint::black_box(self.small.touch(small) + self.medium.touch(medium));
        self.small.upsert_all(small);
        self.medium.upsert_all(medium);
        self.front = 0;
        self.back = QUEUE;
    }

    /// Adds `count` occurrences of `word`, at once (not queued).
    pub fn add_n(&mut self, word: &str, count: i64) {
        let b = word.as_bytes();
        let n = b.len();
        if n > SHORT {
            self.add_long(word, count);
            return;
        }
        let (small, medium) = queued(b);
        if n < SMALL {
            self.small.add_now(&small, count);
        } else {
            self.medium.add_now(&medium, count);
        }
    }

    /// Counts the queued words. Idempotent.
    pub fn flush(&mut self) {
        self.run();
    }

    /// Adds the counts of `other` to this table. Of each pair of inner
    /// tables, the smaller one's entries are moved into the larger one,
    /// without hashing their bytes again.
    pub fn merge(&mut self, mut other: WordTable) {
        self.flush();
        other.flush();
        self.small.merge(other.small);
        self.medium.merge(other.medium);
        if other.long.len() > self.long.len() {
            std::mem::swap(&mut self.long, &mut other.long);
        }
        for e in other.long {
            let hit = self
                .long
                .find_mut(e.hash, |x| x.hash == e.hash && x.word == e.word);
            match hit {
                Some(x) => x.count += e.count,
                None => {
                    self.long.insert_unique(e.hash, e, |x| x.hash);
                }
            }
        }
    }

    /// Distinct words counted (queued words are not, until a flush).
    pub fn len(&self) -> usize {
        self.small.len + self.medium.len + self.long.len()
    }

    /// Whether no word has been counted (queued words are not, until a
    /// flush).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every distinct word with its count, in no particular order.
    pub fn into_counts(self) -> impl Iterator<Item = (Arc<str>, i64)> {
        self.into_counts_from(i64::MIN)
    }

    /// The words counted at least `min` times, with their counts, in no
    /// particular order; the others are never made into strings.
    pub fn into_counts_from(mut self, min: i64) -> impl Iterator<Item = (Arc<str>, i64)> {
        self.flush();
        let long = self
            .long
            .into_iter()
            .filter(move |e| e.count >= min)
            .map(|e| (Arc::from(e.word), e.count));
        self.small
            .into_counts(min)
            .chain(self.medium.into_counts(min))
            .chain(long)
    }

    /// The count of every distinct word, in no particular order.
    pub fn counts(&mut self) -> impl Iterator<Item = i64> + '_ {
        self.flush();
        self.small
            .counts()
            .chain(self.medium.counts())
            .chain(self.long.iter().map(|e| e.count))
    }

    fn add_long(&mut self, word: &str, count: i64) {
        let hash = long_hash(word);
        let hit = self
            .long
            .find_mut(hash, |x| x.hash == hash && *x.word == *word);
        match hit {
            Some(x) => x.count += count,
            None => {
                let e = Long {
                    hash,
                    count,
                    word: Box::from(word),
                };
                self.long.insert_unique(hash, e, |x| x.hash);
            }
        }
    }
}

/// A word of at most [`SHORT`] bytes as the table keys it: its [`load`]
/// halves and its length. Made by the tokenizer straight from the input
/// buffer (and lowercased there, in the register), so that counting a word
/// never reads its bytes again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Short {
    lo: u64,
    hi: u64,
    len: usize,
}

const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

impl Short {
    /// `b`: at most [`SHORT`] bytes, and UTF-8 (a word cut from a `&str`
    /// at character boundaries).
    #[inline(always)]
    pub fn new(b: &[u8]) -> Short {
        let (lo, hi) = load(b);
        Short {
            lo,
            hi,
            len: b.len(),
        }
    }

    /// The word `buf[s..e]` (`e - s` from 1 to [`SHORT`], UTF-8), with one
    /// or two unaligned loads when `buf` has 8 bytes from `s` on.
    #[inline(always)]
    pub fn at(buf: &[u8], s: usize, e: usize) -> Short {
        let n = e - s;
        debug_assert!((1..=SHORT).contains(&n));
        let Some(w) = buf.get(s..s + 8) else {
            return Short::new(&buf[s..e]);
        };
        let lo = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        let lo = if n >= 8 {
            lo
        } else {
            lo & ((1u64 << (8 * n)) - 1)
        };
        let hi = if n > 8 { read8(buf, e - 8) } else { 0 };
        Short { lo, hi, len: n }
    }

    /// Whether every byte is ASCII.
    #[inline(always)]
    pub fn is_ascii(&self) -> bool {
        (self.lo | self.hi) & HIGH_BITS == 0
    }

    /// The word with `A`..=`Z` made lowercase (for an ASCII word, Python's
    /// `str.lower`), eight bytes at a time.
    #[inline(always)]
    pub fn ascii_lower(self) -> Short {
        Short {
            lo: swar_case(self.lo, b'A'),
            hi: swar_case(self.hi, b'A'),
            len: self.len,
        }
    }

    /// The word with `a`..=`z` made uppercase.
    #[inline(always)]
    pub fn ascii_upper(self) -> Short {
        Short {
            lo: swar_case(self.lo, b'a'),
            hi: swar_case(self.hi, b'a'),
            len: self.len,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Calls `f` with the word as a `&str`.
    pub fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let b = self.bytes();
        // Made from a `&str` (and changed only in ASCII bytes), so UTF-8.
        f(std::str::from_utf8(&b[..self.len]).unwrap_or_default())
    }

    /// The word's bytes, in the first `len()` bytes of the array.
    fn bytes(&self) -> [u8; SHORT] {
        let mut buf = [0u8; SHORT];
        buf[..8].copy_from_slice(&self.lo.to_le_bytes());
        if self.len > 8 {
            buf[self.len - 8..self.len].copy_from_slice(&self.hi.to_le_bytes());
        }
        buf
    }
}

/// Flips the case bit (0x20) of the bytes of `x` in `from..=from + 25` (the
/// letters of one case). The bytes must be ASCII.
#[inline(always)]
fn swar_case(x: u64, from: u8) -> u64 {
    let ge = x.wrapping_add(ONES * u64::from(0x80 - from));
    let gt = x.wrapping_add(ONES * u64::from(0x80 - from - 26));
    let hit = ge & !gt & HIGH_BITS;
    x ^ (hit >> 2)
}

/// The queue entries of a word `b` of at most [`SHORT`] bytes for the small
/// and the medium table; only one of them is right for its length.
#[inline(always)]
fn queued(b: &[u8]) -> (Queued, Queued) {
    queued_short(Short::new(b))
}

#[inline(always)]
fn queued_short(w: Short) -> (Queued, Queued) {
    let Short { lo, hi, len: n } = w;
    let key = key(lo, n);
    let h = hash(key, hi);
    let small = Queued {
        tag: h,
        lo: key,
        hi: 0,
    };
    let medium = Queued {
        tag: (h & !LEN_MASK) | (n as u64 + 1),
        lo,
        hi,
    };
    (small, medium)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A small deterministic generator (xorshift).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            crate::text::xorshift(&mut self.0)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// A random word of `len` bytes or a little less (multi-byte
    /// characters do not always fit exactly), from a small alphabet so that
    /// words repeat, with some multi-byte characters and NULs.
    fn word(rng: &mut Rng, len: usize) -> String {
        const CHARS: [char; 10] = ['a', 'b', 'c', 'd', 'e', 'é', 'ж', '中', '😀', '\0'];
        let mut s = String::new();
        loop {
            let c = CHARS[rng.below(CHARS.len() as u64) as usize];
            if s.len() + c.len_utf8() > len {
                return s;
            }
            s.push(c);
        }
    }

    fn random_words(seed: u64, n: usize) -> Vec<String> {
        let mut rng = Rng(seed);
        (0..n)
            .map(|_| {
                let len = match rng.below(10) {
                    0 => 16,
                    1 => 17,
                    2 => 0,
                    3 => 8,
                    _ => rng.below(40) as usize,
                };
                // Short words from the small alphabet repeat often; mix in
                // a few fully random ASCII words too.
                if rng.below(8) == 0 {
                    (0..len)
                        .map(|_| char::from(b' ' + rng.below(95) as u8))
                        .collect()
                } else {
                    word(&mut rng, len)
                }
            })
            .collect()
    }

    fn counts(t: WordTable) -> HashMap<String, i64> {
        let mut m = HashMap::new();
        for (w, c) in t.into_counts() {
            assert!(m.insert(w.to_string(), c).is_none(), "{w:?} twice");
        }
        m
    }

    fn reference<'a>(words: impl IntoIterator<Item = &'a String>) -> HashMap<String, i64> {
        let mut m = HashMap::new();
        for w in words {
            *m.entry(w.clone()).or_insert(0) += 1;
        }
        m
    }

    #[test]
    fn slots_give_back_their_words() {
        for n in 0..=SHORT {
            let w: String = (0..n).map(|i| char::from(b'a' + i as u8)).collect();
            let (small, medium) = queued(w.as_bytes());
            let back = if n < SMALL {
                Small::new(&small, 1).word()
            } else {
                Medium::new(&medium, 1).word()
            };
            assert_eq!(*back, *w, "length {n}");
        }
        // Small words are zero-padded under their length byte.
        let (small, _) = queued(b"abc");
        assert_eq!(small.lo, u64::from_le_bytes(*b"abc\0\0\0\0\x04"));
    }

    #[test]
    fn counts_like_a_hashmap() {
        let words = random_words(1, 50_000);
        let mut t = WordTable::new();
        for w in &words {
            t.add(w);
        }
        t.flush();
        let want = reference(&words);
        assert_eq!(t.len(), want.len());
        assert_eq!(counts(t), want);
    }

    #[test]
    fn edge_words() {
        let words: Vec<String> = [
            "",
            "",
            "a",
            "a\0",
            "a\0\0",
            "\0",
            "\0\0\0\0\0\0\0",
            "\0\0\0\0\0\0\0\0",
            "\0\0\0\0\0\0\0\0\0",
            "0123456789abcdef",
            "0123456789abcdef",
            "0123456789abcdefg",
            "0123456789abcdefg",
            "0123456789abcde",
            "01234567",
            "01234567",
            "0123456",
            "012345678",
            "ééééééééé",
            "éééééééé",
            "中中中中中",
            "中中中中中a",
            "😀😀😀😀",
            "😀😀😀😀😀",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut t = WordTable::new();
        for w in &words {
            t.add(w);
        }
        assert_eq!(counts(t), reference(&words));
    }

    #[test]
    fn flush_is_idempotent_and_len_follows() {
        let mut t = WordTable::new();
        assert!(t.is_empty());
        t.flush();
        assert!(t.is_empty());
        for w in [
            "x",
            "y",
            "x",
            "eight888",
            "a long word of more than sixteen bytes",
        ] {
            t.add(w);
        }
        t.flush();
        t.flush();
        assert_eq!(t.len(), 4);
        assert!(!t.is_empty());
        t.flush();
        let got = counts(t);
        assert_eq!(got["x"], 2);
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn batching_does_not_change_results() {
        let words = random_words(2, 10_000);
        let mut batched = WordTable::new();
        let mut direct = WordTable::new();
        let mut flushed = WordTable::new();
        for (i, w) in words.iter().enumerate() {
            batched.add(w);
            direct.add_n(w, 1);
            flushed.add(w);
            if i % 7 == 0 {
                flushed.flush();
            }
        }
        let want = reference(&words);
        assert_eq!(counts(batched), want);
        assert_eq!(counts(direct), want);
        assert_eq!(counts(flushed), want);
    }

    #[test]
    fn short_words_load_and_change_case_in_registers() {
        let text = b"Hello, WORLD! a-b_c 0123456789abcdef ZZZZZZZZZz@[`{ \xc3\xa9t\xc3\xa9";
        for s in 0..text.len() {
            for e in s + 1..=(s + SHORT).min(text.len()) {
                let b = &text[s..e];
                let w = Short::at(text, s, e);
                assert_eq!(w, Short::new(b), "{s}..{e}");
                assert_eq!(w.is_ascii(), b.is_ascii());
                if let Ok(st) = std::str::from_utf8(b) {
                    w.with_str(|x| assert_eq!(x, st));
                    if b.is_ascii() {
                        w.ascii_lower()
                            .with_str(|x| assert_eq!(x, st.to_ascii_lowercase()));
                        w.ascii_upper()
                            .with_str(|x| assert_eq!(x, st.to_ascii_uppercase()));
                    }
                }
            }
        }
    }

    #[test]
    fn add_short_is_add() {
        let words: Vec<String> = random_words(3, 20_000)
            .into_iter()
            .filter(|w| !w.is_empty() && w.len() <= SHORT)
            .collect();
        let mut a = WordTable::new();
        let mut b = WordTable::new();
        for w in &words {
            a.add(w);
            b.add_short(Short::new(w.as_bytes()));
        }
        assert_eq!(counts(a), counts(b));
    }

    #[test]
    fn add_n_mixes_with_add() {
        let mut t = WordTable::new();
        t.add("w");
        t.add_n("w", 10);
        t.add("w");
        t.add_n("the quick brown fox jumps", -3);
        t.add("the quick brown fox jumps");
        t.add_n("zero", 0);
        t.add_n("sixteen-bytes-16", i64::MAX - 1);
        t.add("sixteen-bytes-16");
        let got = counts(t);
        assert_eq!(got["w"], 12);
        assert_eq!(got["the quick brown fox jumps"], -2);
        assert_eq!(got["zero"], 0);
        assert_eq!(got["sixteen-bytes-16"], i64::MAX);
        assert_eq!(got.len(), 4);
    }

    fn merge_case(na: usize, nb: usize) {
        let a = random_words(3, na);
        let b = random_words(4, nb);
        let mut ta = WordTable::new();
        let mut tb = WordTable::new();
        for w in &a {
            ta.add(w);
        }
        for w in &b {
            tb.add(w);
        }
        // Unflushed on purpose: merge flushes both.
        ta.merge(tb);
        let want = reference(a.iter().chain(&b));
        assert_eq!(ta.len(), want.len());
        assert_eq!(counts(ta), want);
    }

    #[test]
    fn merges_in_both_size_orders() {
        merge_case(20_000, 3_000);
        merge_case(3_000, 20_000);
        merge_case(0, 5_000);
        merge_case(5_000, 0);
        merge_case(0, 0);
        merge_case(10_000, 10_000);
    }

    #[test]
    fn merges_with_overlap() {
        let words = random_words(5, 30_000);
        let (a, b) = words.split_at(12_345);
        let mut ta = WordTable::new();
        let mut tb = WordTable::new();
        a.iter().for_each(|w| ta.add(w));
        b.iter().for_each(|w| tb.add(w));
        tb.merge(ta);
        assert_eq!(counts(tb), reference(&words));
    }

    #[test]
    fn many_distinct_words_grow_the_tables() {
        let mut t = WordTable::new();
        let mut want = HashMap::new();
        for i in 0..300_000u64 {
            // Every length from 1 to 21 bytes, each number once or twice.
            let w = format!("{i:x}{}", "#".repeat((i % 17) as usize));
            let times = 1 + (i % 2) as i64;
            for _ in 0..times {
                t.add(&w);
            }
            want.insert(w, times);
        }
        t.flush();
        assert!(t.small.slots.len() >= 1 << 16, "grew several times");
        assert!(t.medium.slots.len() >= 1 << 18, "grew several times");
        assert_eq!(t.len(), want.len());
        assert_eq!(counts(t), want);
    }
}
