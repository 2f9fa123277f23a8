//! A counting table for string keys: the table behind word counts.
//!
//! `frequencies` over split text makes one lookup per word (tens of millions
//! of them) into a table of up to a few hundred thousand distinct words, far
//! bigger than the CPU caches, so the time goes to cache misses. This table
//! keeps them to about one per word:
//!
//! - Words of up to [`SHORT`] bytes (almost all of them) live inline in an
//!   open-addressing table of 32-byte slots, aligned so that a slot never
//!   straddles a cache line, probed linearly. A lookup compares the word as
//!   two zero-padded `u64`s plus a tag that holds the hash and the length.
//! - Longer words go to a separate `hashbrown` table with heap keys.
//! - [`WordTable::add`] queues short words and handles them [`BATCH`] at a
//!   time: a first pass only reads the home slot of each, so the cache
//!   misses of the batch overlap instead of following one another, and a
//!   second pass probes and updates slots that are then in the cache.
//!
//! Slots keep their hash, so growing and merging never hash a word again;
//! and since a slot's home is the top bits of its hash, walking a table in
//! slot order visits homes in nearly increasing order in a table of any
//! size, so growing and merging stream through memory rather than jumping.

use std::hash::BuildHasher;
use std::sync::Arc;

use foldhash::fast::FixedState;

/// Longest word kept inline in a slot.
const SHORT: usize = 16;

/// Short words counted at once by `add`.
const BATCH: usize = 32;

/// Bits of a slot's tag that hold the word's length plus one (so that an
/// occupied slot's tag is never 0); the rest is the word's hash.
const LEN_MASK: u64 = 0x1f;

/// Smallest table allocated, in slots.
const MIN_SLOTS: usize = 64;

/// The table grows once more than `MAX_LOAD_NUM / MAX_LOAD_DEN` of its
/// slots are taken.
const MAX_LOAD_NUM: usize = 3;
const MAX_LOAD_DEN: usize = 4;

/// Seed of the hash of long words.
const LONG_SEED: u64 = 0x5eed_0f_10;

/// A short word and its count. `tag` is 0 when the slot is empty.
#[derive(Clone, Copy, Default)]
#[repr(align(32))]
struct Slot {
    tag: u64,
    count: i64,
    lo: u64,
    hi: u64,
}

/// A short word waiting to be counted: its tag and its bytes.
#[derive(Clone, Copy, Default)]
struct Pending {
    tag: u64,
    lo: u64,
    hi: u64,
}

/// A word longer than [`SHORT`] bytes, with its hash.
struct Long {
    hash: u64,
    count: i64,
    word: Box<str>,
}

/// Counts of distinct strings. See the module doc.
pub struct WordTable {
    /// A power of two in length, or empty before the first short word.
    slots: Vec<Slot>,
    /// `64 - log2(slots.len())`: a tag's home slot is `tag >> shift`.
    shift: u32,
    /// Occupied slots.
    short_len: usize,
    /// `short_len` above which the slots grow.
    grow_at: usize,
    long: hashbrown::HashTable<Long>,
    /// Queued short words: `pending[..npending]`.
    pending: [Pending; BATCH],
    npending: usize,
}

impl Default for WordTable {
    fn default() -> Self {
        WordTable::new()
    }
}

/// The 128-bit product of `a` and `b`, folded to 64 bits.
#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// `b` (at most [`SHORT`] bytes) as two little-endian `u64`s, zero-padded.
#[inline(always)]
fn load(b: &[u8]) -> (u64, u64) {
    let n = b.len();
    debug_assert!(n <= SHORT);
    if n >= 8 {
        let lo = u64::from_le_bytes(b[..8].try_into().expect("8 bytes"));
        // The last 8 bytes, with those that are also in `lo` shifted out
        // (all of them when `n == 8`).
        let last = u64::from_le_bytes(b[n - 8..].try_into().expect("8 bytes"));
        let hi = last.checked_shr(((16 - n) * 8) as u32).unwrap_or(0);
        (lo, hi)
    } else if n >= 4 {
        let first = u64::from(u32::from_le_bytes(b[..4].try_into().expect("4 bytes")));
        let last = u64::from(u32::from_le_bytes(b[n - 4..].try_into().expect("4 bytes")));
        (first | last << ((n - 4) * 8), 0)
    } else if n > 0 {
        let lo = u64::from(b[0])
            | u64::from(b[n / 2]) << (8 * (n / 2))
            | u64::from(b[n - 1]) << (8 * (n - 1));
        (lo, 0)
    } else {
        (0, 0)
    }
}

/// The tag of a short word: its hash, with the length plus one in the low
/// bits. Slots are found by the top bits.
#[inline(always)]
fn short_tag(lo: u64, hi: u64, n: usize) -> u64 {
    const K0: u64 = 0x243f_6a88_85a3_08d3;
    const K1: u64 = 0x1319_8a2e_0370_7344;
    const K2: u64 = 0xa409_3822_299f_31d0;
    let h = fold(lo ^ K0, hi ^ K1);
    let h = fold(h ^ n as u64, K2);
    (h & !LEN_MASK) | (n as u64 + 1)
}

fn long_hash(word: &str) -> u64 {
    FixedState::with_seed(LONG_SEED).hash_one(word)
}

/// The word of a short slot.
fn short_word(s: &Slot) -> Arc<str> {
    let mut buf = [0u8; SHORT];
    buf[..8].copy_from_slice(&s.lo.to_le_bytes());
    buf[8..].copy_from_slice(&s.hi.to_le_bytes());
    let n = (s.tag & LEN_MASK) as usize - 1;
    // The bytes came from a `&str`, so they are valid UTF-8.
    Arc::from(std::str::from_utf8(&buf[..n]).expect("a stored word is UTF-8"))
}

impl WordTable {
    pub fn new() -> WordTable {
        WordTable {
            slots: Vec::new(),
            shift: 64,
            short_len: 0,
            grow_at: 0,
            long: hashbrown::HashTable::new(),
            pending: [Pending::default(); BATCH],
            npending: 0,
        }
    }

    /// Counts one occurrence of `word` (any length, any UTF-8). Short words
    /// are queued: call [`WordTable::flush`] before reading `len`.
    #[inline]
    pub fn add(&mut self, word: &str) {
        let b = word.as_bytes();
        if b.len() > SHORT {
            self.add_long(word, 1);
            return;
        }
        let (lo, hi) = load(b);
        let tag = short_tag(lo, hi, b.len());
        // `npending < BATCH` always holds here; `min` lets the compiler see it.
        let k = self.npending.min(BATCH - 1);
        self.pending[k] = Pending { tag, lo, hi };
        self.npending = k + 1;
        if self.npending == BATCH {
            self.run_batch();
        }
    }

    /// Adds `count` occurrences of `word` (counted at once, not queued).
    pub fn add_n(&mut self, word: &str, count: i64) {
        let b = word.as_bytes();
        if b.len() > SHORT {
            self.add_long(word, count);
            return;
        }
        let (lo, hi) = load(b);
        let tag = short_tag(lo, hi, b.len());
        self.reserve(1);
        self.upsert(Pending { tag, lo, hi }, count);
    }

    /// Counts the queued words. Idempotent.
    pub fn flush(&mut self) {
        if self.npending > 0 {
            self.run_batch();
        }
    }

    /// Adds the counts of `other` to this table; the smaller table's entries
    /// are moved into the larger one, without hashing them again.
    pub fn merge(&mut self, mut other: WordTable) {
        self.flush();
        other.flush();
        if other.short_len > self.short_len {
            std::mem::swap(&mut self.slots, &mut other.slots);
            std::mem::swap(&mut self.shift, &mut other.shift);
            std::mem::swap(&mut self.short_len, &mut other.short_len);
            std::mem::swap(&mut self.grow_at, &mut other.grow_at);
        }
        for s in other.slots.iter().filter(|s| s.tag != 0) {
            self.reserve(1);
            let p = Pending {
                tag: s.tag,
                lo: s.lo,
                hi: s.hi,
            };
            self.upsert(p, s.count);
        }
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
        self.short_len + self.long.len()
    }

    /// Whether no word has been counted (queued words are not, until a
    /// flush).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every distinct word with its count, in no particular order.
    pub fn into_counts(mut self) -> impl Iterator<Item = (Arc<str>, i64)> {
        self.flush();
        let short = self
            .slots
            .into_iter()
            .filter(|s| s.tag != 0)
            .map(|s| (short_word(&s), s.count));
        let long = self.long.into_iter().map(|e| (Arc::from(e.word), e.count));
        short.chain(long)
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

    /// Counts `pending[..npending]` and empties the queue.
    #[inline(never)]
    fn run_batch(&mut self) {
        let n = self.npending.min(BATCH);
        self.npending = 0;
        self.reserve(n);
        let pending = self.pending;
        // First pass: touch each word's home slot, so that the misses
        // overlap. The loads feed `black_box`, so they are not removed.
        let mut touch = 0u64;
        for p in &pending[..n] {
            touch ^= self.slots[(p.tag >> self.shift) as usize].tag;
        }
        std::hint::black_box(touch);
        // Second pass: probe and count, mostly in the cache by now.
        for &p in &pending[..n] {
            self.upsert(p, 1);
        }
    }

    /// Adds `count` to the slot of `p`, taking an empty slot if it has none.
    /// There must be room for one more word.
    #[inline(always)]
    fn upsert(&mut self, p: Pending, count: i64) {
        let mask = self.slots.len() - 1;
        let mut i = (p.tag >> self.shift) as usize;
        loop {
            let s = &mut self.slots[i];
            if s.tag == p.tag && s.lo == p.lo && s.hi == p.hi {
                s.count += count;
                return;
            }
            if s.tag == 0 {
                *s = Slot {
                    tag: p.tag,
                    count,
                    lo: p.lo,
                    hi: p.hi,
                };
                self.short_len += 1;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Makes room for `extra` more short words without passing the load
    /// limit.
    fn reserve(&mut self, extra: usize) {
        if self.short_len + extra > self.grow_at {
            self.grow(self.short_len + extra);
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
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); cap]);
        self.shift = 64 - cap.trailing_zeros();
        self.grow_at = cap / MAX_LOAD_DEN * MAX_LOAD_NUM;
        let mask = cap - 1;
        for s in old.into_iter().filter(|s| s.tag != 0) {
            let mut i = (s.tag >> self.shift) as usize;
            while self.slots[i].tag != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A small deterministic generator (xorshift).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
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
                    _ => rng.below(40) as usize,
                };
                // Short alphabets at short lengths repeat often; mix in a
                // few fully random ASCII words too.
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
    fn load_pads_with_zeros() {
        for n in 0..=SHORT {
            let b: Vec<u8> = (1..=n as u8).collect();
            let mut pad = [0u8; 16];
            pad[..n].copy_from_slice(&b);
            let want = (
                u64::from_le_bytes(pad[..8].try_into().unwrap()),
                u64::from_le_bytes(pad[8..].try_into().unwrap()),
            );
            assert_eq!(load(&b), want, "length {n}");
        }
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
            "0123456789abcdef",
            "0123456789abcdef",
            "0123456789abcdefg",
            "0123456789abcdefg",
            "0123456789abcde",
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
        for w in ["x", "y", "x", "a long word of more than sixteen bytes"] {
            t.add(w);
        }
        t.flush();
        t.flush();
        assert_eq!(t.len(), 3);
        assert!(!t.is_empty());
        t.flush();
        let got = counts(t);
        assert_eq!(got["x"], 2);
        assert_eq!(got.len(), 3);
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
    fn add_n_mixes_with_add() {
        let mut t = WordTable::new();
        t.add("w");
        t.add_n("w", 10);
        t.add("w");
        t.add_n("the quick brown fox jumps", -3);
        t.add("the quick brown fox jumps");
        t.add_n("zero", 0);
        let got = counts(t);
        assert_eq!(got["w"], 12);
        assert_eq!(got["the quick brown fox jumps"], -2);
        assert_eq!(got["zero"], 0);
        assert_eq!(got.len(), 3);
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
    fn many_distinct_words_grow_the_table() {
        let mut t = WordTable::new();
        let mut want = HashMap::new();
        for i in 0..200_000u64 {
            // Every width from 1 to 20 bytes, each number once or twice.
            let w = format!("{i:x}{}", "#".repeat((i % 14) as usize));
            let times = 1 + (i % 2) as i64;
            for _ in 0..times {
                t.add(&w);
            }
            want.insert(w, times);
        }
        t.flush();
        assert!(t.slots.len() >= 1 << 18, "grew several times");
        assert_eq!(t.len(), want.len());
        assert_eq!(counts(t), want);
    }
}
