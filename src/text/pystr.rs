//! Python 3 `str` semantics, reproduced byte for byte.
//!
//! This module owns every place where the interpreter must behave exactly like
//! CPython 3.11 (and therefore like Dask Bag pipelines written in Python) on
//! text and on the numbers that text turns into:
//!
//! * the `str.isspace()` character set ([`is_py_space`]) and the whitespace
//!   handling built on it ([`strip`], [`lstrip`], [`rstrip`],
//!   [`split_whitespace_py`]);
//! * `str.lower()` / `str.upper()` with Python's Unicode 14.0 full case
//!   mappings, including the context-sensitive final sigma ([`lower`],
//!   [`upper`]);
//! * `str.split(sep)`, `str.replace(old, new)` and `len(str)` ([`split_sep`],
//!   [`check_sep`], [`replace`], [`py_len`]);
//! * the word-count helpers: the 26 one-character delimiters ([`DELIMS`],
//!   [`not_delim`]) and [`purge`];
//! * `int(str)` / `float(str)` parsing ([`parse_int`], [`parse_float`]),
//!   `repr(float)` ([`float_repr`], [`push_float_repr`]), `round`
//!   ([`py_round`]) and Python's floor division / modulo ([`py_mod_int`],
//!   [`py_floordiv_int`], [`py_mod_float`], [`py_floordiv_float`]).
//!
//! Everything here is hot-path code for large word counts, so each function
//! has an ASCII fast path and avoids allocating when the result equals (a
//! slice of) the input.
//!
//! Unicode version: Python 3.11 ships Unicode 14.0 while Rust's standard
//! library follows newer Unicode releases. Where the two disagree (case
//! mappings of characters added after 14.0, and the `Cased` /
//! `Case_Ignorable` properties used by the final-sigma rule) this module
//! embeds Python's data; the tests check the whole code space against
//! checksums produced by CPython 3.11.

use std::borrow::Cow;
use std::fmt::Write as _;

// ---------------------------------------------------------------------------
// Whitespace
// ---------------------------------------------------------------------------

/// Byte classes for the whitespace scanners: `0` = cannot start a space
/// character (including every UTF-8 continuation byte), `1` = an ASCII space
/// (`\t\n\x0b\x0c\r`, `\x1c`..=`\x1f`, ` `), `2` = the lead byte of a
/// multi-byte sequence that may be a space (`C2`, `E1`, `E2`, `E3`).
const WS_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match i {
            0x09..=0x0D | 0x1C..=0x20 => 1,
            0xC2 | 0xE1 | 0xE2 | 0xE3 => 2,
            _ => 0,
        };
        i += 1;
    }
    t
};

/// Python's `str.isspace()` for one character.
///
/// This is Rust's [`char::is_whitespace`] plus the four ASCII information
/// separators U+001C..=U+001F. The full set (verified against CPython 3.11
/// over all code points) is: `\t \n \x0b \x0c \r`, U+001C..=U+001F, space,
/// U+0085, U+00A0, U+1680, U+2000..=U+200A, U+2028, U+2029, U+202F, U+205F
/// and U+3000. U+180E and U+200B are *not* spaces.
#[must_use]
#[inline]
pub fn is_py_space(c: char) -> bool {
    matches!(
        c as u32,
        0x09..=0x0D
            | 0x1C..=0x20
            | 0x85
            | 0xA0
            | 0x1680
            | 0x2000..=0x200A
            | 0x2028
            | 0x2029
            | 0x202F
            | 0x205F
            | 0x3000
    )
}

/// Length in bytes of the non-ASCII space character starting at `b[i]`, or 0.
/// `i` must be a character boundary.
#[inline]
fn mb_space_len(b: &[u8], i: usize) -> usize {
    match b[i] {
        0xC2 => match b.get(i + 1) {
            Some(0x85 | 0xA0) => 2,
            _ => 0,
        },
        0xE1 => (b.get(i + 1..i + 3) == Some(&[0x9A, 0x80][..])) as usize * 3,
        0xE2 => match (b.get(i + 1), b.get(i + 2)) {
            (Some(0x80), Some(0x80..=0x8A | 0xA8 | 0xA9 | 0xAF)) | (Some(0x81), Some(0x9F)) => 3,
            _ => 0,
        },
        0xE3 => (b.get(i + 1..i + 3) == Some(&[0x80, 0x80][..])) as usize * 3,
        _ => 0,
    }
}

/// Length in bytes of the Python space character starting at `b[i]`, or 0.
/// `i` must be a character boundary. When `num` is set, U+001C..=U+001F do
/// not count (this is the whitespace `int()` / `float()` accept).
#[inline]
fn space_len_at(b: &[u8], i: usize, num: bool) -> usize {
    let x = b[i];
    match WS_CLASS[x as usize] {
        0 => 0,
        1 => (!num || !(0x1C..=0x1F).contains(&x)) as usize,
        _ => mb_space_len(b, i),
    }
}

/// Length in bytes of the Python space character ending at `b[end]`
/// (exclusive), or 0. `end` must be a character boundary and `> 0`.
#[inline]
fn space_len_before(b: &[u8], end: usize, num: bool) -> usize {
    let last = b[end - 1];
    if last < 0x80 {
        return space_len_at(b, end - 1, num);
    }
    if end >= 2 && b[end - 2] == 0xC2 && (last == 0x85 || last == 0xA0) {
        return 2;
    }
    if end >= 3 && mb_space_len(b, end - 3) == 3 {
        return 3;
    }
    0
}

#[inline]
fn lstrip_ws(s: &str, num: bool) -> &str {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let n = space_len_at(b, i, num);
        if n == 0 {
            break;
        }
        i += n;
    }
    &s[i..]
}

#[inline]
fn rstrip_ws(s: &str, num: bool) -> &str {
    let b = s.as_bytes();
    let mut end = b.len();
    while end > 0 {
        let n = space_len_before(b, end, num);
        if n == 0 {
            break;
        }
        end -= n;
    }
    &s[..end]
}

/// The whitespace Python's `int()` and `float()` strip from a string: ASCII
/// `\t\n\x0b\x0c\r ` and the non-ASCII Python spaces, but *not*
/// U+001C..=U+001F (CPython only maps non-ASCII spaces to `' '` before using
/// the C-locale `isspace`).
fn trim_num_ws(s: &str) -> &str {
    rstrip_ws(lstrip_ws(s, true), true)
}

// ---------------------------------------------------------------------------
// Character sets given as strings (`strip(chars)`, `purge(s, chars)`)
// ---------------------------------------------------------------------------

/// Bit mask of the characters of `chars` when they are all ASCII.
#[inline]
fn ascii_mask(chars: &str) -> Option<u128> {
    let mut m = 0u128;
    for &b in chars.as_bytes() {
        if b >= 0x80 {
            return None;
        }
        m |= 1u128 << b;
    }
    Some(m)
}

#[inline]
fn in_mask(m: u128, b: u8) -> bool {
    b < 0x80 && (m >> b) & 1 == 1
}

// ---------------------------------------------------------------------------
// Case mapping
// ---------------------------------------------------------------------------

/// Index of the first byte of `b` that is non-ASCII or in `lo..=hi` (an
/// ASCII range). Scans eight bytes at a time.
#[inline]
fn find_case_byte(b: &[u8], lo: u8, hi: u8) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let add_lo = u64::from_ne_bytes([0x80 - lo; 8]);
    let add_hi = u64::from_ne_bytes([0x80 - (hi + 1); 8]);
    let hit = |x: u8| x >= 0x80 || (lo..=hi).contains(&x);
    let mut chunks = b.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let w = u64::from_ne_bytes([
            chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
        ]);
        // With no high bit set there are no carries between bytes: a byte
        // gets bit 7 from `w + add_lo` iff it is >= lo, and from `w + add_hi`
        // iff it is > hi. A chunk with a high bit is rescanned exactly.
        let flags = (w | (w.wrapping_add(add_lo) & !w.wrapping_add(add_hi))) & HIGH;
        if flags != 0 {
            if let Some(p) = chunk.iter().position(|&x| hit(x)) {
                return Some(base + p);
            }
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&x| hit(x))
        .map(|p| base + p)
}

/// Code points that Rust's (newer) Unicode data lowercases but Python 3.11
/// (Unicode 14.0) leaves unchanged: characters added in Unicode 15-17.
#[inline]
fn py_lower_is_identity(c: char) -> bool {
    matches!(
        c as u32,
        0x1C89
            | 0xA7CB
            | 0xA7CC
            | 0xA7CE
            | 0xA7D2
            | 0xA7D4
            | 0xA7DA
            | 0xA7DC
            | 0x10D50..=0x10D65
            | 0x16EA0..=0x16EB8
    )
}

/// Code points that Rust's (newer) Unicode data uppercases but Python 3.11
/// (Unicode 14.0) leaves unchanged. U+019B and U+0264 only gained uppercase
/// forms in Unicode 16; the rest are newer characters.
#[inline]
fn py_upper_is_identity(c: char) -> bool {
    matches!(
        c as u32,
        0x019B
            | 0x0264
            | 0x1C8A
            | 0xA7CD
            | 0xA7CF
            | 0xA7D3
            | 0xA7D5
            | 0xA7DB
            | 0x10D70..=0x10D85
            | 0x16EBB..=0x16ED3
    )
}

#[inline]
fn in_ranges(t: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    let i = t.partition_point(|&(lo, _)| lo <= cp);
    i > 0 && cp <= t[i - 1].1
}

/// CPython's `handle_capital_sigma`: is the `Σ` at byte `i` of `s` in the
/// Final_Sigma context (`\p{cased} \p{case-ignorable}* Σ
/// !(\p{case-ignorable}* \p{cased})`), using Python's Unicode 14.0 tables?
fn is_final_sigma(s: &str, i: usize) -> bool {
    let ignorable = |c: char| in_ranges(PY_CASE_IGNORABLE, c);
    match s[..i].chars().rev().find(|&c| !ignorable(c)) {
        Some(c) if in_ranges(PY_CASED, c) => {}
        _ => return false,
    }
    let after = s[i + 'Σ'.len_utf8()..].chars().find(|&c| !ignorable(c));
    !matches!(after, Some(c) if in_ranges(PY_CASED, c))
}

/// Does Python's `lower()` change `c` (ignoring context)?
#[inline]
fn lower_changes(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    if c == 'Σ' {
        return true;
    }
    if py_lower_is_identity(c) {
        return false;
    }
    let mut m = c.to_lowercase();
    !(m.len() == 1 && m.next() == Some(c))
}

/// Does Python's `upper()` change `c`?
#[inline]
fn upper_changes(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase();
    }
    if py_upper_is_identity(c) {
        return false;
    }
    let mut m = c.to_uppercase();
    !(m.len() == 1 && m.next() == Some(c))
}

/// Push Python's lowercase of `c`, found at byte `i` of `s`.
#[inline]
fn push_lower(out: &mut String, s: &str, i: usize, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if c == 'Σ' {
        out.push(if is_final_sigma(s, i) { 'ς' } else { 'σ' });
    } else if py_lower_is_identity(c) {
        out.push(c);
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Push Python's uppercase of `c`.
#[inline]
fn push_upper(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_uppercase());
    } else if py_upper_is_identity(c) {
        out.push(c);
    } else {
        out.extend(c.to_uppercase());
    }
}

/// Python's `s.lower()`.
///
/// Full Unicode lowercase mapping as in CPython 3.11 (Unicode 14.0),
/// including multi-character results (`"İ"` → `"i̇"`) and the final-sigma
/// rule (`"ΟΔΟΣ"` → `"οδος"`). Returns [`Cow::Borrowed`] without allocating
/// when nothing changes. ASCII input is handled bytewise.
#[must_use]
pub fn lower(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    let Some(i) = find_case_byte(b, b'A', b'Z') else {
        return Cow::Borrowed(s);
    };
    if b[i..].is_ascii() {
        // `b[i]` is an ASCII uppercase letter.
        let mut out = s.to_owned();
        out[i..].make_ascii_lowercase();
        return Cow::Owned(out);
    }
    // Everything before `i` is ASCII, so `i` is a character boundary.
    let Some(first) = s[i..]
        .char_indices()
        .find(|&(_, c)| lower_changes(c))
        .map(|(j, _)| i + j)
    else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for (j, c) in s[first..].char_indices() {
        push_lower(&mut out, s, first + j, c);
    }
    Cow::Owned(out)
}

/// Python's `s.upper()`.
///
/// Full Unicode uppercase mapping as in CPython 3.11 (Unicode 14.0),
/// including multi-character results (`"ß"` → `"SS"`, `"ŉ"` → `"ʼN"`).
/// Returns [`Cow::Borrowed`] without allocating when nothing changes. ASCII
/// input is handled bytewise.
#[must_use]
pub fn upper(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    let Some(i) = find_case_byte(b, b'a', b'z') else {
        return Cow::Borrowed(s);
    };
    if b[i..].is_ascii() {
        let mut out = s.to_owned();
        out[i..].make_ascii_uppercase();
        return Cow::Owned(out);
    }
    let Some(first) = s[i..]
        .char_indices()
        .find(|&(_, c)| upper_changes(c))
        .map(|(j, _)| i + j)
    else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        push_upper(&mut out, c);
    }
    Cow::Owned(out)
}

// ---------------------------------------------------------------------------
// strip
// ---------------------------------------------------------------------------

/// Python's `s.strip()` (`chars == None`: Python whitespace, see
/// [`is_py_space`]) or `s.strip(chars)` (every character of `chars`; an
/// empty `chars` strips nothing).
#[must_use]
#[inline]
pub fn strip<'a>(s: &'a str, chars: Option<&str>) -> &'a str {
    rstrip(lstrip(s, chars), chars)
}

/// Python's `s.lstrip()` / `s.lstrip(chars)`; see [`strip`].
#[must_use]
#[inline]
pub fn lstrip<'a>(s: &'a str, chars: Option<&str>) -> &'a str {
    match chars {
        None => lstrip_ws(s, false),
        Some(set) => match ascii_mask(set) {
            Some(m) => {
                // A non-ASCII byte is never in the mask, so this stops on a
                // character boundary.
                let i = s.bytes().position(|b| !in_mask(m, b)).unwrap_or(s.len());
                &s[i..]
            }
            None => s.trim_start_matches(|c: char| set.contains(c)),
        },
    }
}

/// Python's `s.rstrip()` / `s.rstrip(chars)`; see [`strip`].
#[must_use]
#[inline]
pub fn rstrip<'a>(s: &'a str, chars: Option<&str>) -> &'a str {
    match chars {
        None => rstrip_ws(s, false),
        Some(set) => match ascii_mask(set) {
            Some(m) => {
                // Everything after the last kept byte is ASCII, so `end` is
                // a character boundary.
                let end = s.bytes().rposition(|b| !in_mask(m, b)).map_or(0, |p| p + 1);
                &s[..end]
            }
            None => s.trim_end_matches(|c: char| set.contains(c)),
        },
    }
}

// ---------------------------------------------------------------------------
// split
// ---------------------------------------------------------------------------

/// Iterator returned by [`split_whitespace_py`].
#[derive(Clone, Debug)]
pub struct SplitWhitespacePy<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Iterator for SplitWhitespacePy<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let b = self.s.as_bytes();
        let len = b.len();
        let mut i = self.pos;
        // Skip a run of spaces.
        while i < len {
            let n = space_len_at(b, i, false);
            if n == 0 {
                break;
            }
            i += n;
        }
        if i >= len {
            self.pos = len;
            return None;
        }
        let start = i;
        // `b[start]` starts a non-space character; its continuation bytes
        // (class 0) are skipped byte by byte, and a space can only start on a
        // lead byte, so every stop is a character boundary.
        i += 1;
        while i < len {
            match WS_CLASS[b[i] as usize] {
                0 => i += 1,
                1 => break,
                _ => {
                    if mb_space_len(b, i) != 0 {
                        break;
                    }
                    i += 1;
                }
            }
        }
        self.pos = i;
        Some(&self.s[start..i])
    }
}

impl std::iter::FusedIterator for SplitWhitespacePy<'_> {}

/// Python's `s.split()` with no argument: the maximal runs of non-space
/// characters (see [`is_py_space`]); never yields empty pieces.
#[must_use]
#[inline]
pub fn split_whitespace_py(s: &str) -> SplitWhitespacePy<'_> {
    SplitWhitespacePy { s, pos: 0 }
}

/// Iterator returned by [`split_sep`].
#[derive(Clone, Debug)]
pub struct SplitSep<'a> {
    rest: Option<&'a str>,
    sep: &'a str,
    finder: Option<memchr::memmem::Finder<'a>>,
}

impl<'a> Iterator for SplitSep<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        let found = match (&self.finder, self.sep.as_bytes()) {
            (_, []) => None,
            (_, [b]) => memchr::memchr(*b, rest.as_bytes()),
            (Some(f), _) => f.find(rest.as_bytes()),
            (None, _) => rest.find(self.sep),
        };
        match found {
            Some(i) => {
                self.rest = Some(&rest[i + self.sep.len()..]);
                Some(&rest[..i])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

impl std::iter::FusedIterator for SplitSep<'_> {}

/// Python's `s.split(sep)` (no maxsplit): splits on every non-overlapping
/// occurrence of `sep`, left to right, keeping empty pieces (`"a,,b"` →
/// `["a", "", "b"]`, `""` → `[""]`).
///
/// `sep` must be non-empty: Python raises `ValueError: empty separator`, so
/// validate with [`check_sep`] first. For an empty `sep` this yields `s`
/// unsplit.
#[must_use]
#[inline]
pub fn split_sep<'a>(s: &'a str, sep: &'a str) -> SplitSep<'a> {
    let finder = (sep.len() > 1).then(|| memchr::memmem::Finder::new(sep.as_bytes()));
    SplitSep {
        rest: Some(s),
        sep,
        finder,
    }
}

/// Python's check on the separator of `str.split(sep)`: an empty separator
/// is a `ValueError` with the message `"empty separator"`.
pub fn check_sep(sep: &str) -> Result<(), String> {
    if sep.is_empty() {
        Err("empty separator".to_string())
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Delimiters and purge
// ---------------------------------------------------------------------------

/// The 26 one-character delimiter strings the word-count pipelines drop:
///
/// ```text
/// . , ; : ? $ @ ^ < > # % ` ! * - = ( ) [ ] { } / " '
/// ```
pub const DELIMS: [&str; 26] = [
    ".", ",", ";", ":", "?", "$", "@", "^", "<", ">", "#", "%", "`", "!", "*", "-", "=", "(", ")",
    "[", "]", "{", "}", "/", "\"", "'",
];

/// [`DELIMS`] as an ASCII bit mask.
const DELIM_MASK: u128 = {
    let mut m = 0u128;
    let mut i = 0;
    while i < DELIMS.len() {
        m |= 1u128 << DELIMS[i].as_bytes()[0];
        i += 1;
    }
    m
};

/// `s not in DELIMS`: true unless `s` is exactly one of the 26 delimiter
/// strings.
#[must_use]
#[inline]
pub fn not_delim(s: &str) -> bool {
    match s.as_bytes() {
        [b] => !in_mask(DELIM_MASK, *b),
        _ => true,
    }
}

/// Replace every character found in `chars` (default: the 26 [`DELIMS`]
/// characters) by a single space. Borrows when nothing changes (including
/// when `chars` is empty).
#[must_use]
pub fn purge<'a>(s: &'a str, chars: Option<&str>) -> Cow<'a, str> {
    let mask = match chars {
        None => DELIM_MASK,
        Some(set) => match ascii_mask(set) {
            Some(m) => m,
            None => return purge_chars(s, set),
        },
    };
    let b = s.as_bytes();
    let Some(first) = b.iter().position(|&x| in_mask(mask, x)) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (i, &x) in b.iter().enumerate().skip(first) {
        // Matches are ASCII, so `i` and `i + 1` are character boundaries.
        if in_mask(mask, x) {
            out.push_str(&s[last..i]);
            out.push(' ');
            last = i + 1;
        }
    }
    out.push_str(&s[last..]);
    Cow::Owned(out)
}

/// [`purge`] for a character set with non-ASCII members.
fn purge_chars<'a>(s: &'a str, set: &str) -> Cow<'a, str> {
    let mut out: Option<String> = None;
    let mut last = 0;
    for (i, c) in s.char_indices() {
        if set.contains(c) {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
            o.push_str(&s[last..i]);
            o.push(' ');
            last = i + c.len_utf8();
        }
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut o) => {
            o.push_str(&s[last..]);
            Cow::Owned(o)
        }
    }
}

// ---------------------------------------------------------------------------
// replace, len
// ---------------------------------------------------------------------------

/// Python's `s.replace(old, new)` (all occurrences, left to right,
/// non-overlapping). An empty `old` inserts `new` before every character and
/// at the end (`"ab".replace("", "-") == "-a-b-"`, `"".replace("", "x") ==
/// "x"`). Borrows when the result equals `s`.
#[must_use]
pub fn replace<'a>(s: &'a str, old: &str, new: &str) -> Cow<'a, str> {
    if old == new {
        return Cow::Borrowed(s);
    }
    if old.is_empty() {
        let n = py_len(s);
        let mut out = String::with_capacity(s.len() + (n + 1) * new.len());
        out.push_str(new);
        for c in s.chars() {
            out.push(c);
            out.push_str(new);
        }
        return Cow::Owned(out);
    }
    let mut hits = memchr::memmem::find_iter(s.as_bytes(), old.as_bytes());
    let Some(first) = hits.next() else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + new.len().saturating_sub(old.len()) * 4);
    out.push_str(&s[..first]);
    out.push_str(new);
    let mut last = first + old.len();
    // UTF-8 is self-synchronising: a match of a valid `old` always starts and
    // ends on character boundaries.
    for i in hits {
        out.push_str(&s[last..i]);
        out.push_str(new);
        last = i + old.len();
    }
    out.push_str(&s[last..]);
    Cow::Owned(out)
}

/// Python's `len(s)`: the number of code points.
#[must_use]
#[inline]
pub fn py_len(s: &str) -> usize {
    s.chars().count()
}

// ---------------------------------------------------------------------------
// int(), float()
// ---------------------------------------------------------------------------

/// The zero of every run of ten Unicode decimal digits (general category Nd)
/// that Python 3.11 (Unicode 14.0) accepts in `int()` / `float()`; each run
/// is `zero..=zero + 9`. Covers all 660 code points with `str.isdecimal()`.
#[rustfmt::skip]
const PY_DECIMAL_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// The characters Python 3.11's `\\d` matches in a str pattern (the
/// decimal digits of every script, Unicode 14.0), as a Rust regex class.
pub fn py_digit_class() -> String {
    let mut out = String::from("[");
    for z in PY_DECIMAL_ZEROS {
        out.push_str(&format!("\\x{{{z:x}}}-\\x{{{:x}}}", z + 9));
    }
    out.push(']');
    out
}

/// The value of a decimal digit of any script, as Python's `int()` reads it.
pub fn decimal_value(c: char) -> Option<u32> {
    py_decimal(c)
}

/// Python's `unicodedata.decimal(c)` (Unicode 14.0): the value of a decimal
/// digit of any script, or `None`.
#[inline]
fn py_decimal(c: char) -> Option<u32> {
    let cp = c as u32;
    let i = PY_DECIMAL_ZEROS.partition_point(|&z| z <= cp);
    if i == 0 {
        return None;
    }
    let d = cp - PY_DECIMAL_ZEROS[i - 1];
    (d < 10).then_some(d)
}

/// Python's `int(s)` for a `str` (base 10), when the value fits in an `i64`.
///
/// Accepts surrounding whitespace (ASCII `\t\n\x0b\x0c\r ` and the non-ASCII
/// Python spaces, but not U+001C..=U+001F, exactly as CPython 3.11), one
/// optional sign directly before the digits, leading zeros, single
/// underscores between digits (`"1_000"`) and decimal digits of any script
/// (`"٣"`, `"１２"`; see `PY_DECIMAL_ZEROS`). Returns `None` where Python
/// raises `ValueError`, and also when the value does not fit in an `i64`
/// (Python would return a big int).
#[must_use]
pub fn parse_int(s: &str) -> Option<i64> {
    let t = trim_num_ws(s);
    let b = t.as_bytes();
    let mut i = 0;
    let neg = match b.first()? {
        b'-' => {
            i = 1;
            true
        }
        b'+' => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut acc: u64 = 0;
    let mut prev_digit = false;
    while i < b.len() {
        let x = b[i];
        let d = if x.is_ascii_digit() {
            i += 1;
            u32::from(x - b'0')
        } else if x == b'_' {
            if !prev_digit {
                return None;
            }
            prev_digit = false;
            i += 1;
            continue;
        } else if x >= 0x80 {
            let c = t[i..].chars().next()?;
            i += c.len_utf8();
            py_decimal(c)?
        } else {
            return None;
        };
        acc = acc.checked_mul(10)?.checked_add(u64::from(d))?;
        prev_digit = true;
    }
    // Also rejects "", "+", "-" and a trailing underscore.
    if !prev_digit {
        return None;
    }
    if neg {
        0i64.checked_sub_unsigned(acc)
    } else {
        i64::try_from(acc).ok()
    }
}

/// Python's `float(s)` for a `str`.
///
/// Accepts the same surrounding whitespace as [`parse_int`], an optional
/// sign, `inf` / `infinity` / `nan` in any case, decimal digits of any
/// script, single underscores between digits (also in the exponent:
/// `"1e1_0"`), `"1."`, `".5"` and an `e`/`E` exponent. The result is
/// correctly rounded (out-of-range values become `±inf` or `±0.0`, as in
/// Python). Returns `None` where Python raises `ValueError`.
#[must_use]
pub fn parse_float(s: &str) -> Option<f64> {
    let t = trim_num_ws(s);
    if !t.bytes().any(|x| x == b'_' || x >= 0x80) {
        return parse_float_ascii(t);
    }
    // CPython maps non-ASCII decimal digits to ASCII, then removes the
    // underscores, each of which must sit between two ASCII digits.
    let mut buf = String::with_capacity(t.len());
    let mut prev = '\0';
    for c in t.chars() {
        let a = if c.is_ascii() {
            c
        } else {
            char::from(b'0' + py_decimal(c)? as u8)
        };
        if a == '_' {
            if !prev.is_ascii_digit() {
                return None;
            }
        } else {
            if prev == '_' && !a.is_ascii_digit() {
                return None;
            }
            buf.push(a);
        }
        prev = a;
    }
    if prev == '_' {
        return None;
    }
    parse_float_ascii(&buf)
}

/// Validate `t` against Python's float grammar, then convert it.
fn parse_float_ascii(t: &str) -> Option<f64> {
    let b = t.as_bytes();
    let (neg, body) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    if body.first().is_some_and(u8::is_ascii_alphabetic) {
        let v = if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
            f64::INFINITY
        } else if body.eq_ignore_ascii_case(b"nan") {
            f64::NAN
        } else {
            return None;
        };
        return Some(if neg { -v } else { v });
    }
    let digits = |mut i: usize| {
        let start = i;
        while i < body.len() && body[i].is_ascii_digit() {
            i += 1;
        }
        (i, i - start)
    };
    let (mut i, int_digits) = digits(0);
    let mut frac_digits = 0;
    if body.get(i) == Some(&b'.') {
        (i, frac_digits) = digits(i + 1);
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if i == body.len() && int_digits + frac_digits <= 15 {
        // Clinger's fast path: at most 15 digits is an integer below 2^53,
        // exact as a float, and so is 10^k for k ≤ 22; one correctly
        // rounded division gives the correctly rounded value.
        const POW10: [f64; 16] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        ];
        let m = body
            .iter()
            .filter(|c| **c != b'.')
            .fold(0u64, |m, c| m * 10 + u64::from(c - b'0'));
        let v = m as f64 / POW10[frac_digits];
        return Some(if neg { -v } else { v });
    }
    if matches!(body.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(body.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits;
        (i, exp_digits) = digits(i);
        if exp_digits == 0 {
            return None;
        }
    }
    if i != body.len() {
        return None;
    }
    t.parse::<f64>().ok()
}

// ---------------------------------------------------------------------------
// repr(float)
// ---------------------------------------------------------------------------

/// A small stack buffer for formatting without allocating.
struct StackBuf {
    buf: [u8; 48],
    len: usize,
}

impl std::fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Python's `repr(f)` (also `str(f)`): the shortest digit string that
/// round-trips, in positional notation when the decimal exponent is in
/// `-4..16` (`0.0001`, `123456789012345.6`, `1.0`) and in exponent notation
/// otherwise (`1e-05`, `1e+16`, `1.5e+300`); `inf`, `-inf`, `nan`, `-0.0`.
#[must_use]
pub fn float_repr(f: f64) -> String {
    let mut out = String::with_capacity(24);
    push_float_repr(&mut out, f);
    out
}

/// Append [`float_repr`]`(f)` to `out`.
pub fn push_float_repr(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("nan");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "inf" } else { "-inf" });
        return;
    }
    if f.is_sign_negative() {
        out.push('-');
    }
    let a = f.abs();
    if a < 1e16 && a.fract() == 0.0 {
        // Integral values below 1e16 print as the exact integer: it has at
        // most 16 digits and no shorter string round-trips to it.
        let _ = write!(out, "{}.0", a as u64);
        return;
    }
    let mut sb = StackBuf {
        buf: [0; 48],
        len: 0,
    };
    // `{:e}` gives the shortest round-trip digits, e.g. "1.2345e-5".
    let _ = write!(sb, "{a:e}");
    let mut sci = std::str::from_utf8(&sb.buf[..sb.len]).unwrap_or("0e0");
    // When the exact value lies exactly halfway between two shortest
    // candidates, Rust picks the upper one and CPython (David Gay's dtoa)
    // the one with the even last digit, e.g. 1113178120592002.25 prints as
    // `1113178120592002.2` in Python. Such ties need at least 16
    // significant digits (below that, decimal spacing exceeds the binary
    // ulp), and only differ when Rust's last digit is odd. Rust's
    // fixed-precision `{:.*e}` rounds the exact value half to even, so it
    // yields Python's choice; keep it only if it still round-trips.
    let mut alt = StackBuf {
        buf: [0; 48],
        len: 0,
    };
    let mant_len = sci.find('e').unwrap_or(sci.len());
    let n_digits = mant_len - usize::from(mant_len > 1);
    if n_digits >= 16 && (sci.as_bytes()[mant_len - 1] - b'0') % 2 == 1 {
        let _ = write!(alt, "{:.*e}", n_digits - 1, a);
        let cand = std::str::from_utf8(&alt.buf[..alt.len]).unwrap_or("");
        if cand.parse::<f64>() == Ok(a) {
            sci = cand;
        }
    }
    let (mant, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (d0, rest) = mant.split_at(1);
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    if !(-4..16).contains(&exp) {
        out.push_str(d0);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push_str(if exp < 0 { "e-" } else { "e+" });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        let _ = write!(out, "{e}");
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(d0);
        out.push_str(rest);
    } else {
        // `exp + 1` digits before the point.
        let k = exp as usize;
        out.push_str(d0);
        if rest.len() <= k {
            out.push_str(rest);
            for _ in rest.len()..k {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push_str(&rest[..k]);
            out.push('.');
            out.push_str(&rest[k..]);
        }
    }
}

// ---------------------------------------------------------------------------
// round
// ---------------------------------------------------------------------------

/// Python's `round(f)` / `round(f, ndigits)` for a float.
///
/// * `ndigits == None`: rounds half to even and returns the integral value
///   as an `f64` (Python returns an `int`; the caller converts; zero is
///   always `+0.0`). Python
///   raises for `nan` / `inf` here; this returns them unchanged, so check
///   first.
/// * `Some(n)`: CPython's `double_round`: the exact binary value is
///   correctly rounded (half to even) to `n` decimal places (negative `n`:
///   to a multiple of `10**-n`) and converted back. `nan` / `inf` and
///   `n > 323` return `f`; `n < -308` returns `0.0` with the sign of `f`;
///   the sign of zero results is kept (`round(-0.4, 0) == -0.0`). Where
///   Python raises `OverflowError` ("rounded value too large to
///   represent"), this returns `±inf`.
#[must_use]
pub fn py_round(f: f64, ndigits: Option<i64>) -> f64 {
    let Some(n) = ndigits else {
        // `+ 0.0` turns -0.0 into 0.0: Python's int has no negative zero.
        return f.round_ties_even() + 0.0;
    };
    if !f.is_finite() || n > 323 {
        return f;
    }
    if n < -308 {
        return 0.0 * f;
    }
    if n >= 0 {
        if f.fract() == 0.0 {
            return f;
        }
        // Rust's fixed-precision formatting is exact and rounds half to even.
        let s = format!("{:.*}", n as usize, f);
        return s.parse().unwrap_or(f);
    }
    // Round to a multiple of 10^k from the exact decimal digits of the
    // integer part plus whether a fraction remains.
    let k = n.unsigned_abs() as usize;
    let t = f.trunc();
    let frac_nonzero = f != t;
    let int_digits = format!("{:.0}", t.abs());
    let mut padded = String::with_capacity(int_digits.len() + k + 1);
    for _ in int_digits.len()..k + 1 {
        padded.push('0');
    }
    padded.push_str(&int_digits);
    let (head, tail) = padded.split_at(padded.len() - k);
    let tb = tail.as_bytes();
    let round_up = match tb[0].cmp(&b'5') {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => {
            if tb[1..].iter().any(|&x| x != b'0') || frac_nonzero {
                true
            } else {
                // Exact tie: to even.
                (head.as_bytes()[head.len() - 1] - b'0') % 2 == 1
            }
        }
    };
    let mut digits = head.as_bytes().to_vec();
    if round_up {
        let mut j = digits.len();
        loop {
            if j == 0 {
                digits.insert(0, b'1');
                break;
            }
            j -= 1;
            if digits[j] == b'9' {
                digits[j] = b'0';
            } else {
                digits[j] += 1;
                break;
            }
        }
    }
    let mut s = String::with_capacity(digits.len() + 8);
    if f.is_sign_negative() {
        s.push('-');
    }
    s.extend(digits.iter().map(|&x| char::from(x)));
    let _ = write!(s, "e{k}");
    s.parse().unwrap_or(f)
}

// ---------------------------------------------------------------------------
// Floor division and modulo
// ---------------------------------------------------------------------------

/// Python's `a % b` for ints: the result has the sign of `b`. `None` when
/// `b == 0` (`ZeroDivisionError`).
#[must_use]
#[inline]
pub fn py_mod_int(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    let r = a.wrapping_rem(b);
    Some(if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    })
}

/// Python's `a // b` for ints (rounds toward negative infinity). `None`
/// when `b == 0` (`ZeroDivisionError`) and for `i64::MIN // -1`, whose
/// value does not fit in an `i64`.
#[must_use]
#[inline]
pub fn py_floordiv_int(a: i64, b: i64) -> Option<i64> {
    let q = a.checked_div(b)?;
    let r = a % b;
    Some(if r != 0 && ((r < 0) != (b < 0)) {
        q - 1
    } else {
        q
    })
}

/// Python's `a % b` for floats (CPython `float_rem`): `fmod`, moved to the
/// sign of `b`; a zero result takes the sign of `b`. `None` when `b == 0.0`
/// (`ZeroDivisionError`).
#[must_use]
#[inline]
pub fn py_mod_float(a: f64, b: f64) -> Option<f64> {
    if b == 0.0 {
        return None;
    }
    let m = a % b;
    Some(if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m + b
        } else {
            m
        }
    } else {
        0.0f64.copysign(b)
    })
}

/// Python's `a // b` for floats (CPython `_float_div_mod`). `None` when
/// `b == 0.0` (`ZeroDivisionError`).
#[must_use]
pub fn py_floordiv_float(a: f64, b: f64) -> Option<f64> {
    if b == 0.0 {
        return None;
    }
    let m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && (b < 0.0) != (m < 0.0) {
        div -= 1.0;
    }
    Some(if div != 0.0 {
        let fl = div.floor();
        if div - fl > 0.5 {
            fl + 1.0
        } else {
            fl
        }
    } else {
        0.0f64.copysign(a / b)
    })
}

// ---------------------------------------------------------------------------
// Python 3.11 Unicode 14.0 property tables (generated with CPython 3.11.7)
// ---------------------------------------------------------------------------

/// Python 3.11 (Unicode 14.0) `Case_Ignorable` code point ranges.
#[rustfmt::skip]
const PY_CASE_IGNORABLE: &[(u32, u32)] = &[
    (0x27, 0x27), (0x2E, 0x2E), (0x3A, 0x3A), (0x5E, 0x5E), (0x60, 0x60), (0xA8, 0xA8),
    (0xAD, 0xAD), (0xAF, 0xAF), (0xB4, 0xB4), (0xB7, 0xB8), (0x2B0, 0x36F), (0x374, 0x375),
    (0x37A, 0x37A), (0x384, 0x385), (0x387, 0x387), (0x483, 0x489), (0x559, 0x559), (0x55F, 0x55F),
    (0x591, 0x5BD), (0x5BF, 0x5BF), (0x5C1, 0x5C2), (0x5C4, 0x5C5), (0x5C7, 0x5C7), (0x5F4, 0x5F4),
    (0x600, 0x605), (0x610, 0x61A), (0x61C, 0x61C), (0x640, 0x640), (0x64B, 0x65F), (0x670, 0x670),
    (0x6D6, 0x6DD), (0x6DF, 0x6E8), (0x6EA, 0x6ED), (0x70F, 0x70F), (0x711, 0x711), (0x730, 0x74A),
    (0x7A6, 0x7B0), (0x7EB, 0x7F5), (0x7FA, 0x7FA), (0x7FD, 0x7FD), (0x816, 0x82D), (0x859, 0x85B),
    (0x888, 0x888), (0x890, 0x891), (0x898, 0x89F), (0x8C9, 0x902), (0x93A, 0x93A), (0x93C, 0x93C),
    (0x941, 0x948), (0x94D, 0x94D), (0x951, 0x957), (0x962, 0x963), (0x971, 0x971), (0x981, 0x981),
    (0x9BC, 0x9BC), (0x9C1, 0x9C4), (0x9CD, 0x9CD), (0x9E2, 0x9E3), (0x9FE, 0x9FE), (0xA01, 0xA02),
    (0xA3C, 0xA3C), (0xA41, 0xA42), (0xA47, 0xA48), (0xA4B, 0xA4D), (0xA51, 0xA51), (0xA70, 0xA71),
    (0xA75, 0xA75), (0xA81, 0xA82), (0xABC, 0xABC), (0xAC1, 0xAC5), (0xAC7, 0xAC8), (0xACD, 0xACD),
    (0xAE2, 0xAE3), (0xAFA, 0xAFF), (0xB01, 0xB01), (0xB3C, 0xB3C), (0xB3F, 0xB3F), (0xB41, 0xB44),
    (0xB4D, 0xB4D), (0xB55, 0xB56), (0xB62, 0xB63), (0xB82, 0xB82), (0xBC0, 0xBC0), (0xBCD, 0xBCD),
    (0xC00, 0xC00), (0xC04, 0xC04), (0xC3C, 0xC3C), (0xC3E, 0xC40), (0xC46, 0xC48), (0xC4A, 0xC4D),
    (0xC55, 0xC56), (0xC62, 0xC63), (0xC81, 0xC81), (0xCBC, 0xCBC), (0xCBF, 0xCBF), (0xCC6, 0xCC6),
    (0xCCC, 0xCCD), (0xCE2, 0xCE3), (0xD00, 0xD01), (0xD3B, 0xD3C), (0xD41, 0xD44), (0xD4D, 0xD4D),
    (0xD62, 0xD63), (0xD81, 0xD81), (0xDCA, 0xDCA), (0xDD2, 0xDD4), (0xDD6, 0xDD6), (0xE31, 0xE31),
    (0xE34, 0xE3A), (0xE46, 0xE4E), (0xEB1, 0xEB1), (0xEB4, 0xEBC), (0xEC6, 0xEC6), (0xEC8, 0xECD),
    (0xF18, 0xF19), (0xF35, 0xF35), (0xF37, 0xF37), (0xF39, 0xF39), (0xF71, 0xF7E), (0xF80, 0xF84),
    (0xF86, 0xF87), (0xF8D, 0xF97), (0xF99, 0xFBC), (0xFC6, 0xFC6), (0x102D, 0x1030),
    (0x1032, 0x1037), (0x1039, 0x103A), (0x103D, 0x103E), (0x1058, 0x1059), (0x105E, 0x1060),
    (0x1071, 0x1074), (0x1082, 0x1082), (0x1085, 0x1086), (0x108D, 0x108D), (0x109D, 0x109D),
    (0x10FC, 0x10FC), (0x135D, 0x135F), (0x1712, 0x1714), (0x1732, 0x1733), (0x1752, 0x1753),
    (0x1772, 0x1773), (0x17B4, 0x17B5), (0x17B7, 0x17BD), (0x17C6, 0x17C6), (0x17C9, 0x17D3),
    (0x17D7, 0x17D7), (0x17DD, 0x17DD), (0x180B, 0x180F), (0x1843, 0x1843), (0x1885, 0x1886),
    (0x18A9, 0x18A9), (0x1920, 0x1922), (0x1927, 0x1928), (0x1932, 0x1932), (0x1939, 0x193B),
    (0x1A17, 0x1A18), (0x1A1B, 0x1A1B), (0x1A56, 0x1A56), (0x1A58, 0x1A5E), (0x1A60, 0x1A60),
    (0x1A62, 0x1A62), (0x1A65, 0x1A6C), (0x1A73, 0x1A7C), (0x1A7F, 0x1A7F), (0x1AA7, 0x1AA7),
    (0x1AB0, 0x1ACE), (0x1B00, 0x1B03), (0x1B34, 0x1B34), (0x1B36, 0x1B3A), (0x1B3C, 0x1B3C),
    (0x1B42, 0x1B42), (0x1B6B, 0x1B73), (0x1B80, 0x1B81), (0x1BA2, 0x1BA5), (0x1BA8, 0x1BA9),
    (0x1BAB, 0x1BAD), (0x1BE6, 0x1BE6), (0x1BE8, 0x1BE9), (0x1BED, 0x1BED), (0x1BEF, 0x1BF1),
    (0x1C2C, 0x1C33), (0x1C36, 0x1C37), (0x1C78, 0x1C7D), (0x1CD0, 0x1CD2), (0x1CD4, 0x1CE0),
    (0x1CE2, 0x1CE8), (0x1CED, 0x1CED), (0x1CF4, 0x1CF4), (0x1CF8, 0x1CF9), (0x1D2C, 0x1D6A),
    (0x1D78, 0x1D78), (0x1D9B, 0x1DFF), (0x1FBD, 0x1FBD), (0x1FBF, 0x1FC1), (0x1FCD, 0x1FCF),
    (0x1FDD, 0x1FDF), (0x1FED, 0x1FEF), (0x1FFD, 0x1FFE), (0x200B, 0x200F), (0x2018, 0x2019),
    (0x2024, 0x2024), (0x2027, 0x2027), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F),
    (0x2071, 0x2071), (0x207F, 0x207F), (0x2090, 0x209C), (0x20D0, 0x20F0), (0x2C7C, 0x2C7D),
    (0x2CEF, 0x2CF1), (0x2D6F, 0x2D6F), (0x2D7F, 0x2D7F), (0x2DE0, 0x2DFF), (0x2E2F, 0x2E2F),
    (0x3005, 0x3005), (0x302A, 0x302D), (0x3031, 0x3035), (0x303B, 0x303B), (0x3099, 0x309E),
    (0x30FC, 0x30FE), (0xA015, 0xA015), (0xA4F8, 0xA4FD), (0xA60C, 0xA60C), (0xA66F, 0xA672),
    (0xA674, 0xA67D), (0xA67F, 0xA67F), (0xA69C, 0xA69F), (0xA6F0, 0xA6F1), (0xA700, 0xA721),
    (0xA770, 0xA770), (0xA788, 0xA78A), (0xA7F2, 0xA7F4), (0xA7F8, 0xA7F9), (0xA802, 0xA802),
    (0xA806, 0xA806), (0xA80B, 0xA80B), (0xA825, 0xA826), (0xA82C, 0xA82C), (0xA8C4, 0xA8C5),
    (0xA8E0, 0xA8F1), (0xA8FF, 0xA8FF), (0xA926, 0xA92D), (0xA947, 0xA951), (0xA980, 0xA982),
    (0xA9B3, 0xA9B3), (0xA9B6, 0xA9B9), (0xA9BC, 0xA9BD), (0xA9CF, 0xA9CF), (0xA9E5, 0xA9E6),
    (0xAA29, 0xAA2E), (0xAA31, 0xAA32), (0xAA35, 0xAA36), (0xAA43, 0xAA43), (0xAA4C, 0xAA4C),
    (0xAA70, 0xAA70), (0xAA7C, 0xAA7C), (0xAAB0, 0xAAB0), (0xAAB2, 0xAAB4), (0xAAB7, 0xAAB8),
    (0xAABE, 0xAABF), (0xAAC1, 0xAAC1), (0xAADD, 0xAADD), (0xAAEC, 0xAAED), (0xAAF3, 0xAAF4),
    (0xAAF6, 0xAAF6), (0xAB5B, 0xAB5F), (0xAB69, 0xAB6B), (0xABE5, 0xABE5), (0xABE8, 0xABE8),
    (0xABED, 0xABED), (0xFB1E, 0xFB1E), (0xFBB2, 0xFBC2), (0xFE00, 0xFE0F), (0xFE13, 0xFE13),
    (0xFE20, 0xFE2F), (0xFE52, 0xFE52), (0xFE55, 0xFE55), (0xFEFF, 0xFEFF), (0xFF07, 0xFF07),
    (0xFF0E, 0xFF0E), (0xFF1A, 0xFF1A), (0xFF3E, 0xFF3E), (0xFF40, 0xFF40), (0xFF70, 0xFF70),
    (0xFF9E, 0xFF9F), (0xFFE3, 0xFFE3), (0xFFF9, 0xFFFB), (0x101FD, 0x101FD), (0x102E0, 0x102E0),
    (0x10376, 0x1037A), (0x10780, 0x10785), (0x10787, 0x107B0), (0x107B2, 0x107BA),
    (0x10A01, 0x10A03), (0x10A05, 0x10A06), (0x10A0C, 0x10A0F), (0x10A38, 0x10A3A),
    (0x10A3F, 0x10A3F), (0x10AE5, 0x10AE6), (0x10D24, 0x10D27), (0x10EAB, 0x10EAC),
    (0x10F46, 0x10F50), (0x10F82, 0x10F85), (0x11001, 0x11001), (0x11038, 0x11046),
    (0x11070, 0x11070), (0x11073, 0x11074), (0x1107F, 0x11081), (0x110B3, 0x110B6),
    (0x110B9, 0x110BA), (0x110BD, 0x110BD), (0x110C2, 0x110C2), (0x110CD, 0x110CD),
    (0x11100, 0x11102), (0x11127, 0x1112B), (0x1112D, 0x11134), (0x11173, 0x11173),
    (0x11180, 0x11181), (0x111B6, 0x111BE), (0x111C9, 0x111CC), (0x111CF, 0x111CF),
    (0x1122F, 0x11231), (0x11234, 0x11234), (0x11236, 0x11237), (0x1123E, 0x1123E),
    (0x112DF, 0x112DF), (0x112E3, 0x112EA), (0x11300, 0x11301), (0x1133B, 0x1133C),
    (0x11340, 0x11340), (0x11366, 0x1136C), (0x11370, 0x11374), (0x11438, 0x1143F),
    (0x11442, 0x11444), (0x11446, 0x11446), (0x1145E, 0x1145E), (0x114B3, 0x114B8),
    (0x114BA, 0x114BA), (0x114BF, 0x114C0), (0x114C2, 0x114C3), (0x115B2, 0x115B5),
    (0x115BC, 0x115BD), (0x115BF, 0x115C0), (0x115DC, 0x115DD), (0x11633, 0x1163A),
    (0x1163D, 0x1163D), (0x1163F, 0x11640), (0x116AB, 0x116AB), (0x116AD, 0x116AD),
    (0x116B0, 0x116B5), (0x116B7, 0x116B7), (0x1171D, 0x1171F), (0x11722, 0x11725),
    (0x11727, 0x1172B), (0x1182F, 0x11837), (0x11839, 0x1183A), (0x1193B, 0x1193C),
    (0x1193E, 0x1193E), (0x11943, 0x11943), (0x119D4, 0x119D7), (0x119DA, 0x119DB),
    (0x119E0, 0x119E0), (0x11A01, 0x11A0A), (0x11A33, 0x11A38), (0x11A3B, 0x11A3E),
    (0x11A47, 0x11A47), (0x11A51, 0x11A56), (0x11A59, 0x11A5B), (0x11A8A, 0x11A96),
    (0x11A98, 0x11A99), (0x11C30, 0x11C36), (0x11C38, 0x11C3D), (0x11C3F, 0x11C3F),
    (0x11C92, 0x11CA7), (0x11CAA, 0x11CB0), (0x11CB2, 0x11CB3), (0x11CB5, 0x11CB6),
    (0x11D31, 0x11D36), (0x11D3A, 0x11D3A), (0x11D3C, 0x11D3D), (0x11D3F, 0x11D45),
    (0x11D47, 0x11D47), (0x11D90, 0x11D91), (0x11D95, 0x11D95), (0x11D97, 0x11D97),
    (0x11EF3, 0x11EF4), (0x13430, 0x13438), (0x16AF0, 0x16AF4), (0x16B30, 0x16B36),
    (0x16B40, 0x16B43), (0x16F4F, 0x16F4F), (0x16F8F, 0x16F9F), (0x16FE0, 0x16FE1),
    (0x16FE3, 0x16FE4), (0x1AFF0, 0x1AFF3), (0x1AFF5, 0x1AFFB), (0x1AFFD, 0x1AFFE),
    (0x1BC9D, 0x1BC9E), (0x1BCA0, 0x1BCA3), (0x1CF00, 0x1CF2D), (0x1CF30, 0x1CF46),
    (0x1D167, 0x1D169), (0x1D173, 0x1D182), (0x1D185, 0x1D18B), (0x1D1AA, 0x1D1AD),
    (0x1D242, 0x1D244), (0x1DA00, 0x1DA36), (0x1DA3B, 0x1DA6C), (0x1DA75, 0x1DA75),
    (0x1DA84, 0x1DA84), (0x1DA9B, 0x1DA9F), (0x1DAA1, 0x1DAAF), (0x1E000, 0x1E006),
    (0x1E008, 0x1E018), (0x1E01B, 0x1E021), (0x1E023, 0x1E024), (0x1E026, 0x1E02A),
    (0x1E130, 0x1E13D), (0x1E2AE, 0x1E2AE), (0x1E2EC, 0x1E2EF), (0x1E8D0, 0x1E8D6),
    (0x1E944, 0x1E94B), (0x1F3FB, 0x1F3FF), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
    (0xE0100, 0xE01EF),
];

/// Python 3.11 (Unicode 14.0) `Cased` ranges (minus `Case_Ignorable`).
#[rustfmt::skip]
const PY_CASED: &[(u32, u32)] = &[
    (0x41, 0x5A), (0x61, 0x7A), (0xAA, 0xAA), (0xB5, 0xB5), (0xBA, 0xBA), (0xC0, 0xD6),
    (0xD8, 0xF6), (0xF8, 0x1BA), (0x1BC, 0x1BF), (0x1C4, 0x293), (0x295, 0x2AF), (0x370, 0x373),
    (0x376, 0x377), (0x37B, 0x37D), (0x37F, 0x37F), (0x386, 0x386), (0x388, 0x38A), (0x38C, 0x38C),
    (0x38E, 0x3A1), (0x3A3, 0x3F5), (0x3F7, 0x481), (0x48A, 0x52F), (0x531, 0x556), (0x560, 0x588),
    (0x10A0, 0x10C5), (0x10C7, 0x10C7), (0x10CD, 0x10CD), (0x10D0, 0x10FA), (0x10FD, 0x10FF),
    (0x13A0, 0x13F5), (0x13F8, 0x13FD), (0x1C80, 0x1C88), (0x1C90, 0x1CBA), (0x1CBD, 0x1CBF),
    (0x1D00, 0x1D2B), (0x1D6B, 0x1D77), (0x1D79, 0x1D9A), (0x1E00, 0x1F15), (0x1F18, 0x1F1D),
    (0x1F20, 0x1F45), (0x1F48, 0x1F4D), (0x1F50, 0x1F57), (0x1F59, 0x1F59), (0x1F5B, 0x1F5B),
    (0x1F5D, 0x1F5D), (0x1F5F, 0x1F7D), (0x1F80, 0x1FB4), (0x1FB6, 0x1FBC), (0x1FBE, 0x1FBE),
    (0x1FC2, 0x1FC4), (0x1FC6, 0x1FCC), (0x1FD0, 0x1FD3), (0x1FD6, 0x1FDB), (0x1FE0, 0x1FEC),
    (0x1FF2, 0x1FF4), (0x1FF6, 0x1FFC), (0x2102, 0x2102), (0x2107, 0x2107), (0x210A, 0x2113),
    (0x2115, 0x2115), (0x2119, 0x211D), (0x2124, 0x2124), (0x2126, 0x2126), (0x2128, 0x2128),
    (0x212A, 0x212D), (0x212F, 0x2134), (0x2139, 0x2139), (0x213C, 0x213F), (0x2145, 0x2149),
    (0x214E, 0x214E), (0x2160, 0x217F), (0x2183, 0x2184), (0x24B6, 0x24E9), (0x2C00, 0x2C7B),
    (0x2C7E, 0x2CE4), (0x2CEB, 0x2CEE), (0x2CF2, 0x2CF3), (0x2D00, 0x2D25), (0x2D27, 0x2D27),
    (0x2D2D, 0x2D2D), (0xA640, 0xA66D), (0xA680, 0xA69B), (0xA722, 0xA76F), (0xA771, 0xA787),
    (0xA78B, 0xA78E), (0xA790, 0xA7CA), (0xA7D0, 0xA7D1), (0xA7D3, 0xA7D3), (0xA7D5, 0xA7D9),
    (0xA7F5, 0xA7F6), (0xA7FA, 0xA7FA), (0xAB30, 0xAB5A), (0xAB60, 0xAB68), (0xAB70, 0xABBF),
    (0xFB00, 0xFB06), (0xFB13, 0xFB17), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A), (0x10400, 0x1044F),
    (0x104B0, 0x104D3), (0x104D8, 0x104FB), (0x10570, 0x1057A), (0x1057C, 0x1058A),
    (0x1058C, 0x10592), (0x10594, 0x10595), (0x10597, 0x105A1), (0x105A3, 0x105B1),
    (0x105B3, 0x105B9), (0x105BB, 0x105BC), (0x10C80, 0x10CB2), (0x10CC0, 0x10CF2),
    (0x118A0, 0x118DF), (0x16E40, 0x16E7F), (0x1D400, 0x1D454), (0x1D456, 0x1D49C),
    (0x1D49E, 0x1D49F), (0x1D4A2, 0x1D4A2), (0x1D4A5, 0x1D4A6), (0x1D4A9, 0x1D4AC),
    (0x1D4AE, 0x1D4B9), (0x1D4BB, 0x1D4BB), (0x1D4BD, 0x1D4C3), (0x1D4C5, 0x1D505),
    (0x1D507, 0x1D50A), (0x1D50D, 0x1D514), (0x1D516, 0x1D51C), (0x1D51E, 0x1D539),
    (0x1D53B, 0x1D53E), (0x1D540, 0x1D544), (0x1D546, 0x1D546), (0x1D54A, 0x1D550),
    (0x1D552, 0x1D6A5), (0x1D6A8, 0x1D6C0), (0x1D6C2, 0x1D6DA), (0x1D6DC, 0x1D6FA),
    (0x1D6FC, 0x1D714), (0x1D716, 0x1D734), (0x1D736, 0x1D74E), (0x1D750, 0x1D76E),
    (0x1D770, 0x1D788), (0x1D78A, 0x1D7A8), (0x1D7AA, 0x1D7C2), (0x1D7C4, 0x1D7CB),
    (0x1DF00, 0x1DF09), (0x1DF0B, 0x1DF1E), (0x1E900, 0x1E943), (0x1F130, 0x1F149),
    (0x1F150, 0x1F169), (0x1F170, 0x1F189),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// FNV-1a, 64 bit (the checksums below were computed the same way in
    /// CPython 3.11.7).
    fn fnv(h: &mut u64, data: &[u8]) {
        for &b in data {
            *h ^= u64::from(b);
            *h = h.wrapping_mul(0x100000001b3);
        }
    }

    const FNV_INIT: u64 = 0xcbf29ce484222325;

    fn all_chars() -> impl Iterator<Item = char> {
        (0u32..0x110000).filter_map(char::from_u32)
    }

    #[allow(clippy::ptr_arg)] // a `&str` would lose the Borrowed/Owned distinction
    fn borrowed(c: &Cow<'_, str>) -> bool {
        matches!(c, Cow::Borrowed(_))
    }

    // -- whitespace ---------------------------------------------------------

    #[test]
    fn py_space_set_matches_python() {
        // [hex(c) for c in range(0x110000) if chr(c).isspace()]
        let expected: Vec<u32> = vec![
            0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000,
            0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028,
            0x2029, 0x202f, 0x205f, 0x3000,
        ];
        let got: Vec<u32> = all_chars()
            .filter(|&c| is_py_space(c))
            .map(|c| c as u32)
            .collect();
        assert_eq!(got, expected);
        assert!(!is_py_space('\u{180E}'));
        assert!(!is_py_space('\u{200B}'));
        // Rust's is_whitespace differs exactly by U+001C..=U+001F.
        for c in all_chars() {
            let rust = c.is_whitespace() || ('\u{1C}'..='\u{1F}').contains(&c);
            assert_eq!(is_py_space(c), rust, "{:x}", c as u32);
        }
    }

    #[test]
    fn byte_scanners_agree_with_is_py_space() {
        for c in all_chars() {
            let s = format!("a{c}b");
            let b = s.as_bytes();
            let want = if is_py_space(c) { c.len_utf8() } else { 0 };
            assert_eq!(space_len_at(b, 1, false), want, "{:x}", c as u32);
            assert_eq!(
                space_len_before(b, 1 + c.len_utf8(), false),
                want,
                "{:x}",
                c as u32
            );
            let num = if ('\u{1C}'..='\u{1F}').contains(&c) {
                0
            } else {
                want
            };
            assert_eq!(space_len_at(b, 1, true), num);
            assert_eq!(space_len_before(b, 1 + c.len_utf8(), true), num);
            let parts: Vec<&str> = split_whitespace_py(&s).collect();
            if is_py_space(c) {
                assert_eq!(parts, ["a", "b"]);
            } else {
                assert_eq!(parts, [s.as_str()]);
            }
        }
    }

    // -- case mapping -------------------------------------------------------

    #[test]
    fn lower_all_code_points_match_python() {
        // h = FNV over c.lower().encode() + b'\xff' for every non-surrogate c.
        let mut h = FNV_INIT;
        let mut changed = 0;
        for c in all_chars() {
            let s = c.to_string();
            let l = lower(&s);
            if l != s {
                changed += 1;
            }
            assert_eq!(borrowed(&l), l == s);
            fnv(&mut h, l.as_bytes());
            fnv(&mut h, b"\xff");
        }
        assert_eq!(changed, 1433);
        assert_eq!(h, 0x6b763109dc190e82);
    }

    #[test]
    fn upper_all_code_points_match_python() {
        let mut h = FNV_INIT;
        let mut changed = 0;
        for c in all_chars() {
            let s = c.to_string();
            let u = upper(&s);
            if u != s {
                changed += 1;
            }
            assert_eq!(borrowed(&u), u == s);
            fnv(&mut h, u.as_bytes());
            fnv(&mut h, b"\xff");
        }
        assert_eq!(changed, 1525);
        assert_eq!(h, 0x893bb44e6576b5e4);
    }

    #[test]
    fn final_sigma_context_matches_python() {
        // For every c: lower() of c+"Σ", "A"+c+"Σ", "AΣ"+c, hashed in order.
        let mut h = FNV_INIT;
        for c in all_chars() {
            for s in [format!("{c}Σ"), format!("A{c}Σ"), format!("AΣ{c}")] {
                fnv(&mut h, lower(&s).as_bytes());
                fnv(&mut h, b"\xff");
            }
        }
        assert_eq!(h, 0x11dd89448f455c1e);
    }

    #[test]
    fn case_examples() {
        // Expected values printed by python3.11.
        let cases: &[(&str, &str, &str)] = &[
            ("", "", ""),
            ("hello", "hello", "HELLO"),
            ("Hello World", "hello world", "HELLO WORLD"),
            ("ǅ", "ǆ", "Ǆ"),
            ("İ", "i\u{307}", "İ"),
            ("ß", "ß", "SS"),
            ("ŉ", "ŉ", "ʼN"),
            ("ΣΑΣ", "σας", "ΣΑΣ"),
            ("ΟΔΟΣ ΟΔΟΣ.", "οδος οδος.", "ΟΔΟΣ ΟΔΟΣ."),
            ("Σ", "σ", "Σ"),
            ("AΣ'", "aς'", "AΣ'"),
            ("AΣ'b", "aσ'b", "AΣ'B"),
            ("A'Σ", "a'ς", "A'Σ"),
            ("ὈΔΥΣΣΕΎΣ", "ὀδυσσεύς", "ὈΔΥΣΣΕΎΣ"),
            ("Straße ÉTÉ ﬁ", "straße été ﬁ", "STRASSE ÉTÉ FI"),
            ("ΐ", "ΐ", "\u{399}\u{308}\u{301}"),
            ("ᾳ", "ᾳ", "\u{391}\u{399}"),
            (
                "ABCDEFGHIJKLMNOPQRSTUVWXYZé",
                "abcdefghijklmnopqrstuvwxyzé",
                "ABCDEFGHIJKLMNOPQRSTUVWXYZÉ",
            ),
            (
                "\u{1C89}\u{A7CB}\u{10D50}",
                "\u{1C89}\u{A7CB}\u{10D50}",
                "\u{1C89}\u{A7CB}\u{10D50}",
            ),
            (
                "\u{19B}\u{264}\u{10D70}",
                "\u{19B}\u{264}\u{10D70}",
                "\u{19B}\u{264}\u{10D70}",
            ),
        ];
        for &(s, l, u) in cases {
            assert_eq!(lower(s), l, "lower({s:?})");
            assert_eq!(upper(s), u, "upper({s:?})");
        }
    }

    #[test]
    fn case_borrows_when_unchanged() {
        for s in [
            "",
            "abc def",
            "already lower with digits 123 and ünïcödé",
            "αβγ",
            "🙂 x",
        ] {
            assert!(borrowed(&lower(s)), "{s:?}");
        }
        for s in ["", "ABC DEF", "UPPER 123 ÜNÏCÖDÉ", "ΑΒΓ", "🙂 X"] {
            assert!(borrowed(&upper(s)), "{s:?}");
        }
        assert!(!borrowed(&lower("abcdefghijklmnopqrstuvwxyZ")));
        assert!(!borrowed(&lower("abcdefghijklmnopqrstuvwxyΣ")));
    }

    #[test]
    fn case_long_strings_every_position() {
        // Exercise the eight-byte scanner at every offset.
        for n in 0..40 {
            for pos in 0..n {
                let mut v = vec![b'a'; n];
                v[pos] = b'Q';
                let s = String::from_utf8(v).unwrap();
                assert_eq!(lower(&s), s.to_ascii_lowercase());
                assert_eq!(upper(&s), s.to_ascii_uppercase());
                let t = s.replacen('Q', "É", 1);
                assert_eq!(lower(&t), t.to_lowercase());
                assert_eq!(upper(&t), t.to_uppercase());
            }
            let s = "z".repeat(n) + "@[`{";
            assert!(borrowed(&lower(&s)));
            assert_eq!(upper(&s), s.to_ascii_uppercase());
        }
    }

    // -- strip ----------------------------------------------------------------

    #[test]
    fn strip_examples() {
        // (s, chars, strip, lstrip, rstrip) from python3.11.
        let cases: &[(&str, Option<&str>, &str, &str, &str)] = &[
            ("", None, "", "", ""),
            ("   ", None, "", "", ""),
            ("  a b  ", None, "a b", "a b  ", "  a b"),
            (
                "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f x \u{85}\u{a0}\u{3000}",
                None,
                "x",
                "x \u{85}\u{a0}\u{3000}",
                "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f x",
            ),
            (
                "\u{200b}x\u{200b}",
                None,
                "\u{200b}x\u{200b}",
                "\u{200b}x\u{200b}",
                "\u{200b}x\u{200b}",
            ),
            (
                "\u{2000}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{1680}é\u{a0}",
                None,
                "é",
                "é\u{a0}",
                "\u{2000}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{1680}é",
            ),
            ("xxhixx", Some("x"), "hi", "hixx", "xxhi"),
            ("..,hi,..", Some(".,"), "hi", "hi,..", "..,hi"),
            ("  hi  ", Some(""), "  hi  ", "  hi  ", "  hi  "),
            ("éaéhiaé", Some("aé"), "hi", "hiaé", "éaéhi"),
            ("éhié", Some("h"), "éhié", "éhié", "éhié"),
            ("aaa", Some("a"), "", "", ""),
            ("«word»", Some("«»"), "word", "word»", "«word"),
        ];
        for &(s, chars, st, l, r) in cases {
            assert_eq!(strip(s, chars), st, "strip({s:?}, {chars:?})");
            assert_eq!(lstrip(s, chars), l, "lstrip({s:?}, {chars:?})");
            assert_eq!(rstrip(s, chars), r, "rstrip({s:?}, {chars:?})");
        }
    }

    // -- split ----------------------------------------------------------------

    #[test]
    fn split_whitespace_examples() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("   ", &[]),
            ("a", &["a"]),
            ("  hello   world  ", &["hello", "world"]),
            (
                "a\tb\nc\x0bd\x0ce\rf\x1cg\x1dh\x1ei\x1fj",
                &["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"],
            ),
            (
                "é\u{a0}ü\u{85}x\u{3000}y\u{2009}z",
                &["é", "ü", "x", "y", "z"],
            ),
            ("a\u{200b}b\u{180e}c", &["a\u{200b}b\u{180e}c"]),
            ("\u{2000}α\u{205f}\u{1680}β\u{2029}", &["α", "β"]),
            ("Â\u{a0}â\u{2030}ã", &["Â", "â\u{2030}ã"]),
        ];
        for &(s, want) in cases {
            let got: Vec<&str> = split_whitespace_py(s).collect();
            assert_eq!(got, want, "{s:?}.split()");
        }
    }

    #[test]
    fn split_sep_examples() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("", ",", &[""]),
            ("a", ",", &["a"]),
            ("a,b,,c,", ",", &["a", "b", "", "c", ""]),
            (",", ",", &["", ""]),
            ("a::b:::c", "::", &["a", "b", ":c"]),
            ("aaaa", "aa", &["", "", ""]),
            ("xéyéz", "é", &["x", "y", "z"]),
            ("one two  three", " ", &["one", "two", "", "three"]),
            ("a--b--", "--", &["a", "b", ""]),
            ("abc", "abcd", &["abc"]),
        ];
        for &(s, sep, want) in cases {
            assert!(check_sep(sep).is_ok());
            let got: Vec<&str> = split_sep(s, sep).collect();
            assert_eq!(got, want, "{s:?}.split({sep:?})");
        }
        assert_eq!(check_sep(""), Err("empty separator".to_string()));
        assert_eq!(split_sep("ab", "").collect::<Vec<_>>(), ["ab"]);
    }

    // -- delimiters, purge ----------------------------------------------------

    #[test]
    fn delims() {
        let all: String = DELIMS.concat();
        assert_eq!(all, ".,;:?$@^<>#%`!*-=()[]{}/\"'");
        for d in DELIMS {
            assert!(!not_delim(d), "{d:?}");
        }
        for s in [
            "", "a", " ", "..", "--", "_", "+", "&", "|", "\\", "~", "é", "word", "a.", ".a",
        ] {
            assert!(not_delim(s), "{s:?}");
        }
        for b in 0u8..128 {
            let s = (b as char).to_string();
            assert_eq!(not_delim(&s), !DELIMS.contains(&s.as_str()));
        }
    }

    #[test]
    fn purge_examples() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("", None, ""),
            ("hello world", None, "hello world"),
            ("Hello, world!", None, "Hello  world "),
            ("(a)[b]{c}<d>", None, " a  b  c  d "),
            (
                "it's \"x\" - y/z #1 50% a@b $5 ^ `q` *=;:?",
                None,
                "it s  x    y z  1 50  a b  5    q       ",
            ),
            ("é.ü,ö", None, "é ü ö"),
            ("a-b_c", Some("_"), "a-b c"),
            ("abc", Some(""), "abc"),
            ("x«y»z", Some("«»"), "x y z"),
            ("x«y»z.", Some("«."), "x y»z "),
        ];
        for &(s, chars, want) in cases {
            let got = purge(s, chars);
            assert_eq!(got, want, "purge({s:?}, {chars:?})");
            assert_eq!(borrowed(&got), got == s);
        }
    }

    // -- replace, len ---------------------------------------------------------

    #[test]
    fn replace_examples() {
        let cases: &[(&str, &str, &str, &str)] = &[
            ("", "", "x", "x"),
            ("ab", "", "-", "-a-b-"),
            ("éü", "", "|", "|é|ü|"),
            ("abc", "", "", "abc"),
            ("hello", "l", "L", "heLLo"),
            ("hello", "ll", "", "heo"),
            ("aaaa", "aa", "b", "bb"),
            ("aaa", "aa", "b", "ba"),
            ("hello", "z", "y", "hello"),
            ("hello", "hello", "", ""),
            ("a.b.c", ".", "..", "a..b..c"),
            ("xéyéz", "é", "e", "xeyez"),
            ("same", "m", "m", "same"),
        ];
        for &(s, old, new, want) in cases {
            let got = replace(s, old, new);
            assert_eq!(got, want, "{s:?}.replace({old:?}, {new:?})");
            if got == s {
                assert!(borrowed(&got));
            }
        }
    }

    #[test]
    fn py_len_counts_code_points() {
        assert_eq!(py_len(""), 0);
        assert_eq!(py_len("abc"), 3);
        assert_eq!(py_len("héllo"), 5);
        assert_eq!(py_len("🙂👍🏽"), 3);
        assert_eq!(py_len("i\u{307}"), 2);
    }

    // -- int(), float() -------------------------------------------------------

    #[test]
    fn decimal_digits_match_python() {
        // len([c for c in range(0x110000) if chr(c).isdecimal()]) == 660
        // sum(c * (int(chr(c)) + 1) for c ... if chr(c).isdecimal()) == 169441580
        let mut n = 0u64;
        let mut sum = 0u64;
        for c in all_chars() {
            if let Some(d) = py_decimal(c) {
                n += 1;
                sum += u64::from(c as u32) * u64::from(d + 1);
            }
        }
        assert_eq!(n, 660);
        assert_eq!(sum, 169441580);
    }

    #[test]
    fn parse_int_matches_python() {
        // (s, int(s) if it is valid and fits in i64) from python3.11.
        let cases: &[(&str, Option<i64>)] = &[
            ("0", Some(0)),
            ("5", Some(5)),
            (" 5 ", Some(5)),
            ("\u{9}-12\u{a}", Some(-12)),
            ("+7", Some(7)),
            ("-0", Some(0)),
            ("1_000", Some(1000)),
            ("1_2_3", Some(123)),
            ("_1", None),
            ("1_", None),
            ("1__0", None),
            ("+_1", None),
            ("-_1", None),
            ("\u{663}", Some(3)),
            ("1\u{663}", Some(13)),
            ("\u{ff11}\u{ff12}", Some(12)),
            ("\u{663}_\u{664}", Some(34)),
            ("0x10", None),
            ("010", Some(10)),
            ("00", Some(0)),
            ("1 2", None),
            ("", None),
            (" ", None),
            ("+", None),
            ("-", None),
            ("9223372036854775807", Some(9223372036854775807)),
            ("9223372036854775808", None),
            ("-9223372036854775808", Some(-9223372036854775808)),
            ("-9223372036854775809", None),
            ("99999999999999999999999", None),
            ("\u{1c}5", None),
            ("5\u{1c}", None),
            ("\u{85}5\u{85}", Some(5)),
            ("\u{a0}5\u{3000}", Some(5)),
            ("\u{2000}5\u{205f}", Some(5)),
            ("\u{200b}1", None),
            ("1\u{200b}", None),
            ("- 5", None),
            ("-\u{3000}5", None),
            ("1.0", None),
            ("1e3", None),
            ("\u{661}\u{662}\u{663}\u{664}\u{665}", Some(12345)),
            ("\u{1d7d7}", Some(9)),
            ("\u{1d7ce}7", Some(7)),
            ("5\u{0}", None),
            (" \u{b}\u{c}5\u{d}", Some(5)),
            ("\u{2177}", None),
            ("\u{b2}", None),
            ("\u{bd}", None),
            ("\u{663}\u{a0}", Some(3)),
        ];
        for &(s, want) in cases {
            assert_eq!(parse_int(s), want, "int({s:?})");
        }
    }

    #[test]
    fn short_decimals_parse_as_the_standard_library_rounds() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for n in 0..200_000u32 {
            crate::text::xorshift(&mut x);
            let digits = (x % 10u64.pow(1 + n % 15)).to_string();
            let cut = (x >> 40) as usize % (digits.len() + 1);
            let t = format!(
                "{}{}.{}",
                if n % 3 == 0 { "-" } else { "" },
                &digits[..cut],
                &digits[cut..]
            );
            let want: f64 = t.parse().unwrap();
            let got = parse_float(&t).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{t}");
        }
        assert_eq!(
            parse_float("-0.0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert_eq!(parse_float("999999999999999.9"), Some(999999999999999.9));
    }

    #[test]
    fn parse_float_matches_python() {
        // (s, bits of float(s)) from python3.11; None = ValueError.
        let long_nines = "9".repeat(400);
        let long_tiny = format!("0.{}1", "0".repeat(400));
        let cases: &[(&str, Option<u64>)] = &[
            ("0", Some(0x0000000000000000)),
            ("1.5", Some(0x3FF8000000000000)),
            (" 1.5 ", Some(0x3FF8000000000000)),
            ("-2", Some(0xC000000000000000)),
            ("+3.", Some(0x4008000000000000)),
            ("  .5", Some(0x3FE0000000000000)),
            ("-.5e-3", Some(0xBF40624DD2F1A9FC)),
            ("1e5", Some(0x40F86A0000000000)),
            ("1E+05", Some(0x40F86A0000000000)),
            ("1e-400", Some(0x0000000000000000)),
            ("1e400", Some(0x7FF0000000000000)),
            ("-1e400", Some(0xFFF0000000000000)),
            ("inf", Some(0x7FF0000000000000)),
            ("-Infinity", Some(0xFFF0000000000000)),
            ("+nan", Some(0x7FF8000000000000)),
            ("-nan", Some(0xFFF8000000000000)),
            ("nAn", Some(0x7FF8000000000000)),
            ("iNfInItY", Some(0x7FF0000000000000)),
            ("INF", Some(0x7FF0000000000000)),
            ("infin", None),
            ("in f", None),
            ("1_0.5", Some(0x4025000000000000)),
            ("1_0.5_1", Some(0x4025051EB851EB85)),
            ("1e1_0", Some(0x4202A05F20000000)),
            ("1__0.5", None),
            ("_1.0", None),
            ("1._5", None),
            ("1_.5", None),
            ("1.e5", Some(0x40F86A0000000000)),
            ("1_e5", None),
            ("1e_5", None),
            ("1.5e-3_0", Some(0x39BE6C71FE61A3EF)),
            ("1_000", Some(0x408F400000000000)),
            ("1.5_", None),
            ("_", None),
            ("1.", Some(0x3FF0000000000000)),
            (".", None),
            (" . ", None),
            ("e5", None),
            ("1e", None),
            ("1e+", None),
            ("1e-", None),
            ("0x1p3", None),
            ("\u{663}.\u{665}", Some(0x400C000000000000)),
            ("\u{661}e5", Some(0x40F86A0000000000)),
            ("\u{ff11}.\u{ff15}", Some(0x3FF8000000000000)),
            ("1\u{a0}", Some(0x3FF0000000000000)),
            ("\u{a0}-1.25\u{3000}", Some(0xBFF4000000000000)),
            ("\u{1c}1.5", None),
            ("1.5\u{1c}", None),
            ("nan(1)", None),
            ("+-1", None),
            ("--1", None),
            ("1.5.2", None),
            ("1e5e5", None),
            ("", None),
            ("   ", None),
            ("0.1", Some(0x3FB999999999999A)),
            ("0.30000000000000004", Some(0x3FD3333333333334)),
            ("123456789012345678901234567890", Some(0x45F8EE90FF6C373E)),
            ("2.2250738585072014e-308", Some(0x0010000000000000)),
            ("4.9e-324", Some(0x0000000000000001)),
            ("2e-324", Some(0x0000000000000000)),
            ("1.7976931348623157e308", Some(0x7FEFFFFFFFFFFFFF)),
            ("1.7976931348623159e308", Some(0x7FF0000000000000)),
            ("\u{661}_\u{662}.\u{665}", Some(0x4029000000000000)),
            ("infinity ", Some(0x7FF0000000000000)),
            (" nan", Some(0x7FF8000000000000)),
            ("+inf_", None),
            ("1.5\u{200b}", None),
            ("\u{661}\u{66b}\u{665}", None),
        ];
        for &(s, want) in cases {
            let got = parse_float(s);
            match (got, want) {
                (None, None) => {}
                (Some(g), Some(w)) => {
                    let w = f64::from_bits(w);
                    if w.is_nan() {
                        assert!(g.is_nan(), "float({s:?})");
                        assert_eq!(g.is_sign_negative(), w.is_sign_negative(), "float({s:?})");
                    } else {
                        assert_eq!(g.to_bits(), w.to_bits(), "float({s:?}) = {g:?}, want {w:?}");
                    }
                }
                _ => panic!("float({s:?}) = {got:?}, want {want:?}"),
            }
        }
        assert_eq!(parse_float(&long_nines), Some(f64::INFINITY));
        assert_eq!(parse_float(&long_tiny).map(f64::to_bits), Some(0));
        assert_eq!(parse_float(&format!("1_{long_nines}")), Some(f64::INFINITY));
    }

    // -- repr(float) -------------------------------------------------------------

    #[test]
    fn float_repr_matches_python() {
        // (bits, repr(float)) from python3.11; random bit patterns included.
        let cases: &[(u64, &str)] = &[
            (0x0000000000000000, "0.0"),
            (0x8000000000000000, "-0.0"),
            (0x3FF0000000000000, "1.0"),
            (0xBFF0000000000000, "-1.0"),
            (0x3FB999999999999A, "0.1"),
            (0x3FC999999999999A, "0.2"),
            (0x3FD3333333333333, "0.3"),
            (0x3FD5555555555555, "0.3333333333333333"),
            (0x3FE5555555555555, "0.6666666666666666"),
            (0x4341C37937E08000, "1e+16"),
            (0x430C6BF526340000, "1000000000000000.0"),
            (0x4341C37937E07FFF, "9999999999999998.0"),
            (0x4376345785D8A000, "1e+17"),
            (0x3F1A36E2EB1C432D, "0.0001"),
            (0x3EE4F8B588E368F1, "1e-05"),
            (0x3F1A36E2EB1C432D, "0.0001"),
            (0x3EE9E0FCAF9380FC, "1.234e-05"),
            (0x3EEF75104D551D69, "1.5e-05"),
            (0x42DC12218377DE66, "123456789012345.6"),
            (0x43118B54F22AEB03, "1234567890123456.8"),
            (0x4345EE2A2EB5A5C4, "1.2345678901234568e+16"),
            (0x0000000000000001, "5e-324"),
            (0x0010000000000000, "2.2250738585072014e-308"),
            (0x7FEFFFFFFFFFFFFF, "1.7976931348623157e+308"),
            (0x4480F0CF064DD592, "1e+22"),
            (0x44B52D02C7E14AF6, "1e+23"),
            (0x54B249AD2594C37D, "1e+100"),
            (0x3FF8000000000000, "1.5"),
            (0x4004000000000000, "2.5"),
            (0x4059000000000000, "100.0"),
            (0x7E37E43C8800759C, "1e+300"),
            (0x81A56E1FC2F8F359, "-1e-300"),
            (0x400921F9F01B866E, "3.14159"),
            (0x4005BF0A8B145769, "2.718281828459045"),
            (0x3FD3333333333334, "0.30000000000000004"),
            (0x7FF0000000000000, "inf"),
            (0xFFF0000000000000, "-inf"),
            (0x405EDD2F1A9FBE77, "123.456"),
            (0x3E7AD7F29ABCAF48, "1e-07"),
            (0x4011666666666666, "4.35"),
            (0x3F50624DD2F1A9FC, "0.001"),
            (0x412E848000000000, "1000000.0"),
            (0x41678C29DCCCCCCD, "12345678.9"),
            (0x4340000000000000, "9007199254740992.0"),
            (0x4340000000000000, "9007199254740992.0"),
            (0x3FE0000000000000, "0.5"),
            (0x3DDB7CDFD9D7BDBB, "1e-10"),
            (0x44DFE185CA57C517, "6.02214076e+23"),
            (0x3FF0000000000001, "1.0000000000000002"),
            (0x3FEFFFFFFFFFFFFF, "0.9999999999999999"),
            (0x4341C37937E07FFF, "9999999999999998.0"),
            (0x3F33A92A30553262, "0.00030000000000000003"),
            (0x42D6BCC41E8FFFFF, "99999999999999.98"),
            (0xF2A74DE452E6B438, "-1.989032661366619e+244"),
            (0x6513270E269E0D37, "7.761117632285041e+178"),
            (0x0C5C7FD0A6A3A450, "3.980498358697587e-249"),
            (0xD23F0824128B2F33, "-1.5432835417340557e+88"),
            (0x1818E811892F902B, "1.3647584518757569e-192"),
            (0x9531985D5D9DC9F8, "-1.3701135617873088e-206"),
            (0xE8E25D940ED90475, "-1.7160537630466207e+197"),
            (0x36F675CC81E74EF5, "6.294675241195386e-44"),
            (0x1600A35A099950D8, "1.0613447212142254e-202"),
            (0x6B0D549B6F03675A, "4.708325160387546e+207"),
            (0x3D9C172411E20B8F, "6.387016158513563e-12"),
            (0x8D116ECE1738F7D9, "-9.973130378568733e-246"),
            (0x0F21DDB66CAD4A26, "8.779753225680271e-236"),
            (0x90C192CFD3AC94AF, "-5.795503248498993e-228"),
            (0xF28C105D1FB17C23, "-5.988180159386011e+243"),
            (0xA170B33839263059, "-1.306052388527796e-147"),
            (0x953F48F1A09F76B5, "-2.436117699484841e-206"),
            (0x0FD630F1F29D0DA9, "2.233386999150174e-232"),
            (0x95E60AF593BD04CF, "-3.51527970626667e-203"),
            (0x0CB1E29C658CDA14, "1.5987381841032883e-247"),
            (0x3898D190F9EBDACC, "4.6678633181812096e-36"),
            (0x8E81973E0BECD7B0, "-8.441872792105456e-239"),
            (0x2217BEADDBC496CB, "1.9015657400796622e-144"),
            (0x6B4CB2424A23D596, "7.370437700706684e+208"),
            (0x8A6A63EC24EDE6A4, "-1.7163996725272777e-258"),
            (0x922766581E27A1C0, "-3.2367190832119987e-221"),
            (0x8F6D05584EF8AA38, "-2.2818334634712625e-234"),
            (0xAE97BA94D0EDA82F, "-3.0536383926309363e-84"),
            (0x1A61DBE22E44158B, "1.3449551894627777e-181"),
            (0x923A736994E3BF91, "-7.317495976062606e-221"),
            (0x301850C5A38FD547, "5.249822308814304e-77"),
            (0x18F135D25F557203, "1.5450754142984396e-188"),
            (0xB64CE4228C38FB29, "-3.953625698224792e-47"),
            (0x907A70C31012F037, "-2.72491267476498e-229"),
            (0x9E7769B10F4205B4, "-6.505141861548772e-162"),
            (0x7F15052434B9B5DF, "1.441484839555994e+304"),
            (0x881ED162AE2EB154, "-1.4583679262758548e-269"),
            (0xC6F877186D76B07E, "-7.939416668807721e+33"),
            (0x7731AF10506BF2EF, "1.4255183989699612e+266"),
            (0xEC66A78795E761D1, "-1.525315701232403e+214"),
            (0x5C90A9587403E430, "7.750545741548908e+137"),
            (0x3F98E2774CBD87AD, "0.024301399287089676"),
            (0x2E05319ACB5C7427, "5.326960081783017e-87"),
            (0xC7A2EA20B2F14C94, "-1.2570882301712172e+37"),
            (0x14F4733F3E7D1BFB, "9.952684009002448e-208"),
            (0x4CDD2055930D6EAF, "1.8721667527122837e+62"),
            (0x7EBFF20686734721, "3.422978398947072e+302"),
            (0x57EE05CDE00902C7, "3.6967297937384553e+115"),
            (0x72E6CC3ABABCED20, "3.113284956169447e+245"),
            (0x9BE4BCFC49B64A08, "-2.6202582260546103e-174"),
            (0x12BD4ACEFAECBD38, "2.0745096302730225e-218"),
            (0x830E07BC1E398F10, "-5.877500503097409e-294"),
            (0x2A3AF4D46B0A18E8, "2.938345597354166e-105"),
            (0x5790F82EC1D3FCFF, "6.529598674765832e+113"),
            (0xEEEACBE226E87555, "-1.9837344250050814e+226"),
            (0x6BF46C697D2CAF82, "1.0743030475716402e+212"),
            (0xF646E1F40A097C97, "-5.629271400715247e+261"),
            (0x13DEEF86AB1031D0, "5.743310614918485e-213"),
            (0x8EDE0D7AC3BAEA9E, "-4.61515470702556e-237"),
            (0xCA02135E92B1D3F2, "-3.302201168194502e+48"),
            (0xD17F9ACAE01F5057, "-3.8373366379117136e+84"),
            (0x571242425051C1CC, "2.7444240984593666e+111"),
            (0x59A54A7BB1FEE08F, "7.037254769664525e+123"),
            (0x7F26144B98289FCD, "3.0282415270685036e+304"),
            (0xCC011CDD9474031B, "-1.3427313830183207e+58"),
            (0x119A72D174C9DF6A, "7.145365052251808e-224"),
            (0x17F5E837D70820FE, "3.0010119427191346e-193"),
            (0x451ABD81F1D69ED6, "8.08174890787967e+24"),
            (0xB2715945795E8229, "-1.029599445714058e-65"),
            (0x10A3D6B2AA05E11A, "1.6356324386913733e-228"),
            (0xBB2D420F0F88080B, "-1.210084267904234e-23"),
            (0x4F426DCBB394FB36, "6.512205859834416e+73"),
            (0x93F448B3A5AA3C81, "-1.5063173670565552e-212"),
            (0xAE658F33FE3B890B, "-3.468068334360956e-85"),
            (0x72158370D269A9A5, "3.5862982565236525e+241"),
            (0xB774EB5248DB40AF, "-1.500880737539812e-41"),
            (0xE315128862C33A4F, "-1.9881605394901064e+169"),
            (0x58D5563DAB2CD31E, "8.608929980762736e+119"),
            (0xF0CE583505C6AF07, "-2.412056419517317e+235"),
            (0x5AFFB2297631A992, "2.1970596639628e+130"),
            (0x9C6539382B0537E6, "-6.864829614150003e-172"),
            (0x7E62AA0A1DF9FD78, "6.249646571111859e+300"),
            (0x37DC76FB0F17A300, "1.3070380624806793e-39"),
            (0x49952399C4AAEAC1, "3.0170681842882087e+46"),
            (0xBD0561E6211C70CF, "-9.495701001087435e-15"),
            (0x65DC9F503F63AF83, "4.750750204750985e+182"),
            (0xEAB477D26415479C, "-1.0267710304426359e+206"),
            (0x7F1B103CDF1582B0, "1.8559166032057722e+304"),
            (0x2A96FB1A14A0F9E7, "1.6032007377980954e-103"),
            (0x66D2287672FDF202, "1.9751801151887592e+187"),
            (0x4720771F8CA81811, "4.274642804177215e+34"),
            (0x230D977EE2257159, "7.765387138513795e-140"),
            (0x6E36AAB0D1BC52D9, "8.193439767873551e+222"),
            (0x8CDB305FDD2E1609, "-9.721565446084252e-247"),
            (0xB4D66A3A47469A4D, "-3.6566096214330605e-54"),
            (0xFC891B4A6A50DF4D, "-7.829495745681799e+291"),
            (0xAEC6F0245BD86D40, "-2.361499160522349e-83"),
            (0x616499C9E25A7605, "1.448139668433268e+161"),
            (0x3B1287FFF52DDF5D, "3.8321725482165366e-24"),
            (0x153E7C2A26A2C0BD, "2.373829056313949e-206"),
            (0x26BB7DBD2D1C9AF0, "4.1586747791282524e-122"),
            (0xA8948C893B618676, "-3.337733639824717e-113"),
            (0x0316909E3BBBE9EA, "8.832790543982714e-294"),
            (0xD4C28C2E7C26847F, "-2.0284108606212458e+100"),
            (0x2EAE05CF96D0CC5F, "7.7271785554382585e-84"),
            (0x482C9CBC43435CC5, "4.868121678598285e+39"),
            (0x254B0C4E010C4759, "4.877621251706118e-129"),
            (0x88DAF4016B4013EF, "-5.224362650831876e-266"),
            (0x9C1CAAF75E8766ED, "-2.8977267740353203e-173"),
            (0x519088F590FBBD11, "8.030506098092244e+84"),
            (0x20203626F3FE39C0, "6.045556425707975e-154"),
            (0xDBF4A8B2B0C4312D, "-9.38484012349791e+134"),
            (0xF341E07A83F73F16, "-1.5624204901097633e+247"),
            (0xA7ABE1C29E1A8EF4, "-1.3820816268679183e-117"),
            (0xBD628881AD1B72DB, "-5.267460409693142e-13"),
            (0x74E69A5D0DD27A65, "1.3257208647146701e+255"),
            (0xDEF88334E647CB8F, "-3.1343387564175544e+149"),
            (0xF3AED0B6C7AC1491, "-1.7236642596087033e+249"),
            (0xAE3A2B7FDFE01893, "-5.26215508230537e-86"),
            (0x8F2C6EC8CC4169A3, "-1.3972441246414233e-235"),
            (0x65E7E4236472F1A3, "7.930940904982885e+182"),
            (0x64E50CAD66237A04, "1.0662269838816983e+178"),
            (0x7B45145C1A81682C, "6.269123622077618e+285"),
            (0x66836886A260CD0B, "6.597432204635068e+185"),
            (0x30CBC97D0FEF7928, "1.2286657182299287e-73"),
            (0xFC132D0D113DB17D, "-4.671898820796292e+289"),
            (0x70CCEC313571810A, "2.2990284766219708e+235"),
            (0x1C2442F9298CB3A5, "4.0960622500000236e-173"),
            (0x99C94309570DC195, "-1.8578815093690756e-184"),
            (0x1A358CA00D75985D, "2.028598735161868e-182"),
            (0x9118BB16000F49C8, "-2.6098858497543247e-226"),
            (0x895FD7B326B94C7F, "-1.5800543282391385e-263"),
            (0xF2EE4E4519F9919C, "-4.138580468110595e+245"),
            (0x9D1DE2A05D158A2F, "-1.979700384530873e-168"),
            (0x1200339D068739FA, "5.602624368784844e-222"),
            (0x353C631CDFD43F37, "2.9637577225244357e-52"),
            (0x6050914A9D33A01C, "8.885378326057658e+155"),
            (0xA268AA872607679D, "-6.321104805376388e-143"),
            (0xF4998D7C4093F6DE, "-4.683524268002167e+253"),
            (0x9A2EF80F58EE8571, "-1.4576712926495294e-182"),
            (0x7961FD925D39D0A8, "4.982985442018492e+276"),
            (0x1D87CEC31F7296AB, "2.018688023533605e-166"),
            (0x7CF20724D953EE26, "7.19616430630608e+293"),
            (0xFA529BA3FE3BFADA, "-1.6888652122551737e+281"),
            (0x7AFB2C68774B15D7, "2.5254629938390568e+284"),
            (0x4FD58DBE7BDC968B, "3.899603970996924e+76"),
            (0x24E4E25A15FC899E, "5.884498686465263e-131"),
            (0xBFEAA1551A28F7B3, "-0.8321939001977995"),
            (0xBD87A86557B6FB7E, "-2.6895800563014877e-12"),
            (0x7A86F7A243C71B9A, "1.667616833822443e+282"),
            (0x4124125D851EB852, "657710.76"),
            (0x40DFE7426E978D50, "32669.038"),
            (0x412B86A64A9FAA55, "901971.1457494"),
            (0xC110E03C53F3158C, "-276495.08198198"),
            (0x4129470721941144, "828291.56558279"),
            (0xC118A5B266666666, "-403820.6"),
            (0x4117F3264985F06F, "392393.5718"),
            (0x40E1F736B851EB85, "36793.71"),
            (0xC1119D7EA3D70A3D, "-288607.66"),
            (0x40EFD4197085FA00, "65184.79498576"),
            (0xC114CAF80A3D70A4, "-340670.01"),
            (0x410BA4C3916872B0, "226456.446"),
            (0x4122AE7A56D20297, "612157.169571"),
            (0x411D480829FBE76D, "479746.041"),
            (0xC12250C81100DC9F, "-600164.0332097"),
            (0xC111A1AC00000000, "-288875.0"),
            (0x412DE20E58C7E282, "979207.1734"),
            (0xC0EB1BFC00000000, "-55519.875"),
            (0x4117804F889A0275, "385043.8834"),
            (0xC0F9C48A4FBFC654, "-105544.64447"),
            (0x412BC5628678C005, "910001.26264"),
            (0xC1299A1766666666, "-838923.7"),
            (0xC120AC08B1A9FBE7, "-546308.347"),
            (0xC113CEB4294A6803, "-324525.0403229"),
            (0x410E4A2800000000, "248133.0"),
            (0xC0E40BA4B827FA1A, "-41053.14748"),
            (0x412249EF00000000, "599287.5"),
            (0x41246CE333333333, "669297.6"),
            (0x412902C48CCCCCCD, "819554.275"),
            (0xC0E573D051EB851F, "-43934.51"),
            (0xC10021AEC9BA5E35, "-132149.8485"),
            (0xC129390891BEF49D, "-826500.28466"),
            (0xC0F1FCEE66666666, "-73678.9"),
            (0x411B70F551EB851F, "449597.33"),
            (0x412E18E200000000, "986225.0"),
            (0xC1254AC532CF312B, "-697698.599237"),
            (0x4122B517EB851EB8, "613003.96"),
            (0x410B3D55653C9ABB, "223146.674432"),
            (0x411332A25785729B, "314536.58547"),
            (0xC125005E4C0D05F8, "-688175.14853686"),
            (0xC12685E000000000, "-738032.0"),
            (0x4122457400000000, "598714.0"),
            (0x40E9F542E147AE14, "53162.09"),
            (0xC10028E9020C49BA, "-132381.126"),
            (0x4123E82D020C49BA, "652310.504"),
            (0xC12CCF191916872B, "-944012.549"),
            (0xC11945CAC7AE147B, "-414066.695"),
            (0x412017FF2342EDBB, "527359.56887"),
            (0xC11D5FD9A3497B74, "-481270.40946"),
            (0x412465CC00000000, "668390.0"),
            (0x4129068439AAA3AD, "820034.11263"),
            (0x41284620013BB893, "795408.00240876"),
            (0xC10360BBAB2CF8B2, "-158743.45858187"),
            (0xC1268952F5C28F5C, "-738473.48"),
            (0x40E6F4A000000000, "47013.0"),
            (0x4126C11666666666, "745611.2"),
            (0x410A80AA3D70A3D7, "217109.28"),
            (0xC123FF9526B18472, "-655306.5755731"),
            (0x410D13D400000000, "238202.5"),
            (0x40FB9373FF2E48E9, "112951.2498"),
            (0x4298D2B4BE9C665D, "6823313647385.591"),
            (0x3CF903CF0EE60FEC, "5.554418748802468e-15"),
            (0x3C645DA823084826, "8.832278144381653e-18"),
            (0x3F30490AFB6C5583, "0.00024849432104309"),
            (0x3CBE685275C1BF51, "4.219889471129401e-16"),
            (0x42FCDC36020D6C09, "507713991792320.56"),
            (0x3C49B39DBB21C6CC, "2.7865758240171788e-18"),
            (0x43CEC1AC53E03A98, "4.432483935774388e+18"),
            (0x43AB0423FBCF58F6, "9.733602516766871e+17"),
            (0x44DB1D150F380941, "5.1216147243531937e+23"),
            (0x42502262EC30D0D6, "277185540291.26306"),
            (0x41F3DDCE667CAAD7, "5332854375.791709"),
            (0x3ED54BF1AEEB90C0, "5.077518592886711e-06"),
            (0x3F12545F2CB8F2B4, "6.992178821802858e-05"),
            (0x3E43D10F532D19B3, "9.227842134201064e-09"),
            (0x3D6D8E0BA0D6D7C1, "8.399997833932058e-13"),
            (0x40E457F694AB88C8, "41663.70564820018"),
            (0x3C897C82E9C998D1, "4.421180882750436e-17"),
            (0x41599A409E200B9C, "6711554.470705893"),
            (0x4443D1C5BEC18FD8, "7.312076697267434e+20"),
            (0x3D210B854FCF4C87, "3.0278007525157936e-14"),
            (0x3DA3B9CF54B17F01, "8.970264328787667e-12"),
            (0x4449771F869F1C0A, "9.395046585509172e+20"),
            (0x3D9D09D3D6597113, "6.6025651519137084e-12"),
            (0x3D51CF95E00AF5DC, "2.5310783745968957e-13"),
            (0x3EB03B92BD2AE3B6, "9.675447826663838e-07"),
            (0x3D00D05446D7BB56, "7.466820921935448e-15"),
            (0x42228B97875F7452, "39825687471.72719"),
            (0x4456101793E5B0AA, "1.6279517106616082e+21"),
            (0x3DD6E1CF00563E8A, "8.324446694829476e-11"),
            (0x42648E85430DD046, "706323552366.5085"),
            (0x4118A5870124B612, "403809.75111660466"),
            (0x3FC90E2945B4B1B4, "0.19574466613393116"),
            (0x40570C6AEC9134E8, "92.19402612858141"),
            (0x42B1B8390178A928, "19482928052393.156"),
            (0x450E5A2F5FD91F64, "4.586707684431828e+24"),
            (0x3FC7251A7D7EC0B0, "0.18081980827037603"),
            (0x3F7531AFEEB6E9E8, "0.005174338566059401"),
            (0x3C8D87A831AE9F2C, "5.1226228446345556e-17"),
            (0x3E7E4AFD7561E21D, "1.1284995812984732e-07"),
            // Exact ties between two shortest candidates: Python takes the even digit.
            (0xC30FA36FD398D412, "-1113178120592002.2"),
            (0xC2EA97257F2320B4, "-233891771783429.62"),
            (0x42D9636D03665F08, "111659285584252.12"),
            (0xC2BEA9A902E407D0, "-33714033845255.812"),
        ];
        for &(bits, want) in cases {
            let f = f64::from_bits(bits);
            assert_eq!(float_repr(f), want, "repr({f:?})");
            let mut s = String::from("x=");
            push_float_repr(&mut s, f);
            assert_eq!(&s[2..], want);
            if f.is_finite() {
                assert_eq!(parse_float(want).map(f64::to_bits), Some(bits));
            }
        }
        assert_eq!(float_repr(f64::NAN), "nan");
        assert_eq!(float_repr(-f64::NAN), "nan");
    }

    // -- round ------------------------------------------------------------------

    #[test]
    fn py_round_matches_python() {
        // (bits of x, ndigits, bits of round(x, ndigits)) from python3.11;
        // for ndigits None the expected value is float(round(x)).
        let cases: &[(u64, Option<i64>, u64)] = &[
            (0xC11B0AFF00000000, Some(1), 0xC11B0AFF33333333), // round(-443071.75, 1) = -443071.8
            (0x44D57D9E74475E5B, Some(15), 0x44D57D9E74475E5B), // round(4.0594782791560845e+23, 15) = 4.0594782791560845e+23
            (0x4124A7F100000000, None, 0x4124A7F000000000),     // round(676856.5, None) = 676856.0
            (0x3F1176F66F10C68F, None, 0x0000000000000000), // round(6.662253487446145e-05, None) = 0.0
            (0x402539DB22D0E560, Some(0), 0x4026000000000000), // round(10.613, 0) = 11.0
            (0xC122EC9B00000000, Some(5), 0xC122EC9B00000000), // round(-620109.5, 5) = -620109.5
            (0x40E7CF3000000000, None, 0x40E7CF4000000000), // round(48761.5, None) = 48762.0
            (0x40E91BEFB7785041, Some(0), 0x40E91BE000000000), // round(51423.49114623713, 0) = 51423.0
            (0x4116FF8080000000, Some(15), 0x4116FF8080000000), // round(376800.125, 15) = 376800.125
            (0xC081CD1A22531E72, Some(1), 0xC081CCCCCCCCCCCD), // round(-569.6377607816378, 1) = -569.6
            (0xC08E5BEAFD828DED, Some(-20), 0x8000000000000000), // round(-971.4897413444102, -20) = -0.0
            (0x4085544DBFE9C378, Some(-3), 0x408F400000000000), // round(682.537963701513, -3) = 1000.0
            (0xC12E492580000000, Some(2), 0xC12E492580000000),  // round(-992402.75, 2) = -992402.75
            (0x42110A0E53770003, Some(0), 0x42110A0E53780000), // round(18295788765.75001, 0) = 18295788766.0
            (0xC0495B3B3C2246C0, Some(3), 0xC0495B4395810625), // round(-50.712745205627925, 3) = -50.713
            (0x410C269000000000, Some(-20), 0x0000000000000000), // round(230610.0, -20) = 0.0
            (0x45B53F12E38E0A9A, Some(-1), 0x45B53F12E38E0A9A), // round(6.575436733126727e+27, -1) = 6.575436733126727e+27
            (0x4437BCD0A2919AE5, Some(15), 0x4437BCD0A2919AE5), // round(4.378806669158586e+20, 15) = 4.378806669158586e+20
            (0x3FF1BA5E353F7CEE, Some(0), 0x3FF0000000000000),  // round(1.108, 0) = 1.0
            (0xC08D4D6E7BFC469B, Some(-20), 0x8000000000000000), // round(-937.678947420983, -20) = -0.0
            (0xC08E128C981B8C0E, Some(15), 0xC08E128C981B8C0E), // round(-962.318649497234, 15) = -962.318649497234
            (0xC128A22000000000, Some(0), 0xC128A22000000000),  // round(-807184.0, 0) = -807184.0
            (0x43C002B26CDF907C, Some(-2), 0x43C002B26CDF907C), // round(2.307361270474537e+18, -2) = 2.307361270474537e+18
            (0xC08A74297A51FACE, Some(10), 0xC08A74297A51FB81), // round(-846.5202528385796, 10) = -846.5202528386
            (0xC0860932E6C87442, Some(-3), 0xC08F400000000000), // round(-705.1498542461852, -3) = -1000.0
            (0x4118FB2400000000, Some(15), 0x4118FB2400000000), // round(409289.0, 15) = 409289.0
            (0xC01C449BA5E353F8, Some(3), 0xC01C449BA5E353F8),  // round(-7.067, 3) = -7.067
            (0x446F19DFE6B13362, Some(3), 0x446F19DFE6B13362), // round(4.5897082296359715e+21, 3) = 4.5897082296359715e+21
            (0x4054D3E76C8B4396, Some(15), 0x4054D3E76C8B4396), // round(83.311, 15) = 83.311
            (0x4056A3126E978D50, Some(-3), 0x0000000000000000), // round(90.548, -3) = 0.0
            (0x43C8E9F57AF13011, Some(-2), 0x43C8E9F57AF13011), // round(3.5904716697302554e+18, -2) = 3.5904716697302554e+18
            (0xC078C19111E344DA, Some(-1), 0xC079000000000000), // round(-396.0979174497312, -1) = -400.0
            (0xC126D5BF00000000, Some(-1), 0xC126D5C800000000), // round(-748255.5, -1) = -748260.0
            (0x4129291E00000000, None, 0x4129291E00000000),     // round(824463.0, None) = 824463.0
            (0xC0566B4395810625, Some(3), 0xC0566B4395810625),  // round(-89.676, 3) = -89.676
            (0xC05FE12F4D9097A8, Some(-20), 0x8000000000000000), // round(-127.51851214523651, -20) = -0.0
            (0x3E7350DD7931B1F4, Some(-3), 0x0000000000000000), // round(7.19572581951148e-08, -3) = 0.0
            (0xC052123D70A3D70A, Some(1), 0xC052133333333333),  // round(-72.285, 1) = -72.3
            (0x41268DB1028EDE51, Some(-20), 0x0000000000000000), // round(739032.5049962496, -20) = 0.0
            (0xC080555C0F9653D3, Some(2), 0xC080555C28F5C28F), // round(-522.6699516052562, 2) = -522.67
            (0x42251803CBB3274F, Some(-2), 0x42251803CBE00000), // round(45298607577.576775, -2) = 45298607600.0
            (0xC128B63B00000000, Some(2), 0xC128B63B00000000),  // round(-809757.5, 2) = -809757.5
            (0x433AA218A20B61C3, Some(-2), 0x433AA218A20B61D0), // round(7496576076046787.0, -2) = 7496576076046800.0
            (0xC11A71C700000000, Some(10), 0xC11A71C700000000), // round(-433265.75, 10) = -433265.75
            (0x40C215E86961E166, Some(-2), 0x40C22A0000000000), // round(9259.815716013964, -2) = 9300.0
            (0x43469A8649CD54C5, Some(10), 0x43469A8649CD54C5), // round(1.2724702084245898e+16, 10) = 1.2724702084245898e+16
            (0xC03459ED35F49080, Some(2), 0xC03459999999999A), // round(-20.351275798996085, 2) = -20.35
            (0xC08599F2220FDD12, Some(5), 0xC08599F22291FB40), // round(-691.2432290305462, 5) = -691.24323
            (0xC12679D300000000, Some(1), 0xC12679D300000000), // round(-736489.5, 1) = -736489.5
            (0x40169A9FBE76C8B4, Some(-2), 0x0000000000000000), // round(5.651, -2) = 0.0
            (0xC12E71A200000000, Some(-1), 0xC12E719800000000), // round(-997585.0, -1) = -997580.0
            (0x3E02CB7B882230BD, Some(15), 0x3E02CB7B006E754B), // round(5.470022354055821e-10, 15) = 5.47002e-10
            (0x4072B4CCA2CD9760, Some(3), 0x4072B4CCCCCCCCCD), // round(299.29995994862657, 3) = 299.3
            (0x4226F4580724839E, Some(-1), 0x4226F458072C0000), // round(49294345106.257065, -1) = 49294345110.0
            (0x4076D22244516ECC, Some(2), 0x4076D2147AE147AE), // round(365.13336593446434, 2) = 365.13
            (0x41227F4D00000000, Some(3), 0x41227F4D00000000), // round(606118.5, 3) = 606118.5
            (0x44484C8D98743C0B, Some(-20), 0x4448650127CC3DC8), // round(8.964761810252379e+20, -20) = 9e+20
            (0x4032F5C28F5C28F6, Some(-2), 0x0000000000000000),  // round(18.96, -2) = 0.0
            (0xC08C028D24444868, Some(0), 0xC08C000000000000), // round(-896.3189168295476, 0) = -896.0
            (0xC122A511C0000000, Some(-1), 0xC122A50C00000000), // round(-610952.875, -1) = -610950.0
            (0xC05CC84D1D6BD338, Some(5), 0xC05CC84D2B2BFDB5), // round(-115.12970672158997, 5) = -115.12971
            (0x408D0456E65D9C24, None, 0x408D080000000000), // round(928.5424315751338, None) = 929.0
            (0x427C16C92C70D779, None, 0x427C16C92C70D000), // round(1930261874445.467, None) = 1930261874445.0
            (0x3DFBEF220194102D, Some(0), 0x0000000000000000), // round(4.064948391592249e-10, 0) = 0.0
            (0xC1220A9600000000, Some(3), 0xC1220A9600000000), // round(-591179.0, 3) = -591179.0
            (0xC12BBA6580000000, Some(3), 0xC12BBA6580000000), // round(-908594.75, 3) = -908594.75
            (0xC08F03A7760CDB1B, Some(-3), 0xC08F400000000000), // round(-992.4567681316724, -3) = -1000.0
            (0x4371897C9A36F886, Some(1), 0x4371897C9A36F886), // round(7.897988576519997e+16, 1) = 7.897988576519997e+16
            (0xC04FB4BC6A7EF9DB, Some(-1), 0xC04E000000000000), // round(-63.412, -1) = -60.0
            (0xC01F604189374BC7, Some(2), 0xC01F5C28F5C28F5C), // round(-7.844, 2) = -7.84
            (0xC0670F911A3A22C8, Some(0), 0xC067000000000000), // round(-184.4864627013651, 0) = -184.0
            (0xC054CBB645A1CAC1, Some(2), 0xC054CB851EB851EC), // round(-83.183, 2) = -83.18
            (0x412A85F300000000, Some(3), 0x412A85F300000000), // round(869113.5, 3) = 869113.5
            (0xC0473BC6A7EF9DB2, Some(2), 0xC0473C28F5C28F5C), // round(-46.467, 2) = -46.47
            (0x412B911900000000, Some(2), 0x412B911900000000), // round(903308.5, 2) = 903308.5
            (0x402D4C4D33278500, None, 0x402E000000000000), // round(14.649026487898027, None) = 15.0
            (0x4127472C40000000, Some(2), 0x4127472C3D70A3D7), // round(762774.125, 2) = 762774.12
            (0xC04F0AE147AE147B, Some(-3), 0x8000000000000000), // round(-62.085, -3) = -0.0
            (0x41180DB400000000, Some(2), 0x41180DB400000000), // round(394093.0, 2) = 394093.0
            (0xC03FFF3B645A1CAC, None, 0xC040000000000000), // round(-31.997, None) = -32.0
            (0xC0323374BC6A7EFA, None, 0xC032000000000000), // round(-18.201, None) = -18.0
            (0x402337CED916872B, Some(-20), 0x0000000000000000), // round(9.609, -20) = 0.0
            (0xC1043D9E00000000, Some(-2), 0xC1043D4000000000), // round(-165811.75, -2) = -165800.0
            (0x4106F57200000000, Some(-20), 0x0000000000000000), // round(188078.25, -20) = 0.0
            (0x3FDBC958C7368A18, Some(0), 0x0000000000000000), // round(0.43416423277281657, 0) = 0.0
            (0xC032C189374BC6A8, None, 0xC033000000000000),    // round(-18.756, None) = -19.0
            (0x412518AC40000000, Some(15), 0x412518AC40000000), // round(691286.125, 15) = 691286.125
            (0x4021DA2D2DD7C380, Some(-2), 0x0000000000000000), // round(8.926125938976611, -2) = 0.0
            (0x3E29E897244DE9C6, Some(-1), 0x0000000000000000), // round(3.016152912873801e-09, -1) = 0.0
            (0x40554EF9DB22D0E5, Some(-20), 0x0000000000000000), // round(85.234, -20) = 0.0
            (0xC04BCAE147AE147B, None, 0xC04C000000000000),     // round(-55.585, None) = -56.0
            (0x400CA1CAC083126F, None, 0x4010000000000000),     // round(3.579, None) = 4.0
            (0x4087FDCCDC04AFC0, Some(-2), 0x4089000000000000), // round(767.7250290266165, -2) = 800.0
            (0x4024051EB851EB85, Some(-2), 0x0000000000000000), // round(10.01, -2) = 0.0
            (0x3DB3A7C1C9E2753F, Some(-3), 0x0000000000000000), // round(1.7876391875278407e-11, -3) = 0.0
            (0x441223C228156034, Some(0), 0x441223C228156034), // round(8.365451483396368e+19, 0) = 8.365451483396368e+19
            (0xC08B0E11C99F1697, None, 0xC08B100000000000), // round(-865.758685343625, None) = -866.0
            (0x40710DFC15E91578, None, 0x4071100000000000), // round(272.8740443329657, None) = 273.0
            (0x407F81E25D1FB23C, Some(2), 0x407F81EB851EB852), // round(504.1177645910391, 2) = 504.12
            (0xC087061ECE748B3A, Some(-1), 0xC087200000000000), // round(-736.7650422196377, -1) = -740.0
            (0xC048C72B020C49BA, Some(3), 0xC048C72B020C49BA),  // round(-49.556, 3) = -49.556
            (0xC1212F5580000000, Some(-1), 0xC1212F4C00000000), // round(-563114.75, -1) = -563110.0
            (0xC04FCA5E353F7CEE, Some(3), 0xC04FCA5E353F7CEE),  // round(-63.581, 3) = -63.581
            (0xC0880EBDA42F77F3, Some(3), 0xC0880EBE76C8B439), // round(-769.842598315094, 3) = -769.843
            (0x4039F47AE147AE14, Some(-1), 0x403E000000000000), // round(25.955, -1) = 30.0
            (0xC11F96CE00000000, Some(5), 0xC11F96CE00000000), // round(-517555.5, 5) = -517555.5
            (0x403BD916872B020C, Some(1), 0x403BCCCCCCCCCCCD), // round(27.848, 1) = 27.8
            (0x3F825738BB009739, Some(2), 0x3F847AE147AE147B), // round(0.008955424506051567, 2) = 0.01
            (0x406C213E63E8DE08, Some(5), 0x406C213E6C4C5975), // round(225.03886600000283, 5) = 225.03887
            (0x410B543200000000, Some(10), 0x410B543200000000), // round(223878.25, 10) = 223878.25
            (0x4084878C16C5CDBA, Some(0), 0x4084880000000000), // round(656.9434028104217, 0) = 657.0
            (0x407146B91C62C438, None, 0x4071400000000000), // round(276.42019308643967, None) = 276.0
            (0x44A97D9CA7B1E530, Some(2), 0x44A97D9CA7B1E530), // round(6.018814663377188e+22, 2) = 6.018814663377188e+22
            (0xC058FAE147AE147B, None, 0xC059000000000000),    // round(-99.92, None) = -100.0
            (0x402C740C0E545745, Some(10), 0x402C740C0E54773E), // round(14.226654479785461, 10) = 14.2266544798
            (0xC08455C4B636D916, Some(-2), 0xC085E00000000000), // round(-650.7210506711006, -2) = -700.0
            (0x404884BC6A7EF9DB, Some(2), 0x4048851EB851EB85),  // round(49.037, 2) = 49.04
            (0x408F09C484F29038, Some(3), 0x408F09C49BA5E354), // round(993.2209567022574, 3) = 993.221
            (0x4070FBB5C44726A8, Some(5), 0x4070FBB5C7CD898B), // round(271.73187663834915, 5) = 271.73188
            (0xC047F6872B020C4A, Some(-2), 0x8000000000000000), // round(-47.926, -2) = -0.0
            (0xC0756E47E0DB138A, None, 0xC075700000000000), // round(-342.8925484235448, None) = -343.0
            (0xC05F649B5944DAF8, Some(10), 0xC05F649B5944DB4A), // round(-125.57198173259883, 10) = -125.5719817326
            (0xC12CCBBC00000000, Some(1), 0xC12CCBBC00000000),  // round(-943582.0, 1) = -943582.0
            (0x407917AC92B2EE34, Some(10), 0x407917AC92B2ECF4), // round(401.4796320905182, 10) = 401.4796320905
            (0x40805C4C5B56CFEE, Some(2), 0x40805C51EB851EB8), // round(523.5372835905271, 2) = 523.54
            (0xC12C507400000000, Some(-3), 0xC12C520000000000), // round(-927802.0, -3) = -928000.0
            (0x421B6C75889359CE, Some(3), 0x421B6C7588935A1D), // round(29445939748.8377, 3) = 29445939748.838
            (0xC118DD0000000000, Some(10), 0xC118DD0000000000), // round(-407360.0, 10) = -407360.0
            (0x3E0B1C9BD506EE53, Some(5), 0x0000000000000000), // round(7.890558571586084e-10, 5) = 0.0
            (0x4081106A07649958, Some(10), 0x4081106A07649AAC), // round(546.0517719134614, 10) = 546.0517719135
            (0x4083FCFA7B1E3828, Some(-1), 0x4084000000000000), // round(639.6223051415336, -1) = 640.0
            (0x412479CF00000000, Some(5), 0x412479CF00000000),  // round(670951.5, 5) = 670951.5
            (0x40C2537236FD2CAA, Some(1), 0x40C2537333333333), // round(9382.892303129967, 1) = 9382.9
            (0xC088613A657A93CE, Some(-20), 0x8000000000000000), // round(-780.1535138679844, -20) = -0.0
            (0x3EE2B409EE826F3A, Some(-20), 0x0000000000000000), // round(8.91841723698433e-06, -20) = 0.0
            (0xC04D6374BC6A7EFA, Some(-2), 0xC059000000000000),  // round(-58.777, -2) = -100.0
            (0x408E268EEC97F50E, Some(-1), 0x408E000000000000), // round(964.819787203947, -1) = 960.0
            (0x4011624DD2F1A9FC, Some(-3), 0x0000000000000000), // round(4.346, -3) = 0.0
            (0x404B57EF9DB22D0E, Some(5), 0x404B57EF9DB22D0E),  // round(54.687, 5) = 54.687
            (0x411CF85A00000000, Some(10), 0x411CF85A00000000), // round(474646.5, 10) = 474646.5
            (0xC050F428F5C28F5C, Some(-20), 0x8000000000000000), // round(-67.815, -20) = -0.0
            (0xC125067180000000, Some(2), 0xC125067180000000),  // round(-688952.75, 2) = -688952.75
            (0xC0886B88ECC409CE, None, 0xC088680000000000), // round(-781.4418578448765, None) = -781.0
            (0x411BB99E00000000, Some(-3), 0x411BB5C000000000), // round(454247.5, -3) = 454000.0
            (0x40813E20B1CE9421, Some(15), 0x40813E20B1CE9421), // round(551.7659641398387, 15) = 551.7659641398387
            (0x4048E8F5C28F5C29, Some(-20), 0x0000000000000000), // round(49.82, -20) = 0.0
            (0x3EFB3E2B8D5ADE18, Some(2), 0x0000000000000000), // round(2.5980808308926918e-05, 2) = 0.0
            (0x435635BA87080D36, Some(-3), 0x435635BA87080D6C), // round(2.5006098933101784e+16, -3) = 2.5006098933102e+16
            (0xC08E057BA774DCCA, Some(-2), 0xC08F400000000000), // round(-960.6853779916648, -2) = -1000.0
            (0x405468D4FDF3B646, Some(15), 0x405468D4FDF3B646), // round(81.638, 15) = 81.638
            (0x4520B9336656B658, Some(5), 0x4520B9336656B658), // round(1.010869953569732e+25, 5) = 1.010869953569732e+25
            (0x433288BA2840EF4D, Some(2), 0x433288BA2840EF4D), // round(5216882701430605.0, 2) = 5216882701430605.0
            (0x40F2EBC000000000, Some(-20), 0x0000000000000000), // round(77500.0, -20) = 0.0
            (0x42DE42791A789CAE, Some(-20), 0x0000000000000000), // round(133083393811058.72, -20) = 0.0
            (0xC03D933333333333, Some(-2), 0x8000000000000000),  // round(-29.575, -2) = -0.0
            (0xC050C5F3B645A1CB, Some(-3), 0x8000000000000000),  // round(-67.093, -3) = -0.0
            (0x4611D41ED68CB896, Some(-3), 0x4611D41ED68CB896), // round(3.531317164453699e+29, -3) = 3.531317164453699e+29
            (0x41161D5600000000, Some(2), 0x41161D5600000000),  // round(362325.5, 2) = 362325.5
            (0xC07D126A9FBF32E2, Some(15), 0xC07D126A9FBF32E2), // round(-465.1510312527372, 15) = -465.1510312527372
            (0x44315D57116500E7, Some(10), 0x44315D57116500E7), // round(3.20320512947068e+20, 10) = 3.20320512947068e+20
            (0x407129A35E15AFA0, Some(0), 0x4071300000000000), // round(274.6023846480475, 0) = 275.0
            (0x40847E65E5E92DB8, Some(-20), 0x0000000000000000), // round(655.7997549264028, -20) = 0.0
            (0x405696A7EF9DB22D, Some(2), 0x4056966666666666),   // round(90.354, 2) = 90.35
            (0xC023374BC6A7EF9E, Some(10), 0xC023374BC6A7EF9E),  // round(-9.608, 10) = -9.608
            (0x41237C0200000000, Some(2), 0x41237C0200000000),   // round(638465.0, 2) = 638465.0
            (0xC0262755ED9A88C0, Some(3), 0xC026276C8B439581), // round(-11.076827454675708, 3) = -11.077
            (0x44082A32653B2CF8, Some(1), 0x44082A32653B2CF8), // round(5.572030772153621e+19, 1) = 5.572030772153621e+19
            (0x41D7E5264D991045, Some(15), 0x41D7E5264D991045), // round(1603574070.391618, 15) = 1603574070.391618
            (0x405F48D46019B430, Some(1), 0x405F466666666666), // round(125.13796236524718, 1) = 125.1
            (0x4071214F2EA1803C, Some(5), 0x4071214F2CF95D4F), // round(274.08183158003135, 5) = 274.08183
            (0x4049B78D4FDF3B64, Some(-1), 0x4049000000000000), // round(51.434, -1) = 50.0
            (0x403FCE147AE147AE, Some(3), 0x403FCE147AE147AE), // round(31.805, 3) = 31.805
            (0x4103C2C000000000, Some(-3), 0x4103C68000000000), // round(161880.0, -3) = 162000.0
            (0xC068114C8FD239B0, Some(-1), 0xC067C00000000000), // round(-192.54059592303884, -1) = -190.0
            (0x3E40D7454658C5B4, Some(15), 0x3E40D74556B70D8B), // round(7.842155545688864e-09, 15) = 7.842156e-09
            (0x405B25A420599F20, None, 0x405B400000000000), // round(108.58814247848613, None) = 109.0
            (0x44E4E2A7A31FE228, Some(10), 0x44E4E2A7A31FE228), // round(7.89026986813864e+23, 10) = 7.89026986813864e+23
            (0x4605750840D42B46, Some(-20), 0x4605750840E467D6), // round(2.1250139206256103e+29, -20) = 2.125013921e+29
            (0x40806ACBCEABCF04, Some(-1), 0x4080900000000000), // round(525.3495152876426, -1) = 530.0
            (0x40213FBF1DC14E4B, None, 0x4022000000000000), // round(8.624504976126579, None) = 9.0
            (0xC076B0BBB44E6E8C, Some(0), 0xC076B00000000000), // round(-363.04582625043327, 0) = -363.0
            (0x3DC88B87CB95C022, Some(10), 0x0000000000000000), // round(4.464716916324112e-11, 10) = 0.0
            (0x4066FE21F9890288, Some(0), 0x4067000000000000), // round(183.9416473079657, 0) = 184.0
            (0x4072102FB740C520, Some(0), 0x4072100000000000), // round(289.011649373062, 0) = 289.0
            (0xC052EEC8B4395810, Some(-3), 0x8000000000000000), // round(-75.731, -3) = -0.0
            (0x407D31D669E0D454, Some(3), 0x407D31D70A3D70A4), // round(467.11484706710803, 3) = 467.115
            (0x407013F0E195F4A8, None, 0x4070100000000000), // round(257.24630888534966, None) = 257.0
            (0x40532A9FBE76C8B4, Some(-3), 0x0000000000000000), // round(76.666, -3) = 0.0
            (0xC0425F3B645A1CAC, Some(0), 0xC042800000000000), // round(-36.744, 0) = -37.0
            (0x4113913880000000, Some(10), 0x4113913880000000), // round(320590.125, 10) = 320590.125
            (0xC046026E978D4FDF, Some(10), 0xC046026E978D4FDF), // round(-44.019, 10) = -44.019
            (0x4030EF1A9FBE76C9, Some(-3), 0x0000000000000000), // round(16.934, -3) = 0.0
            (0xC07B161A255DC880, Some(3), 0xC07B16189374BC6A), // round(-433.38138329156936, 3) = -433.381
            (0x45021F2D58875698, Some(-1), 0x45021F2D58875698), // round(2.738486824584776e+24, -1) = 2.738486824584776e+24
            (0x40D03B0800000000, Some(10), 0x40D03B0800000000), // round(16620.125, 10) = 16620.125
            (0xC08BA7077484AD12, Some(-2), 0xC08C200000000000), // round(-884.878640209705, -2) = -900.0
            (0x40BE29A9A9F449FF, Some(10), 0x40BE29A9A9F449F0), // round(7721.662749546113, 10) = 7721.6627495461
            (0xC0480BC6A7EF9DB2, Some(2), 0xC0480B851EB851EC),  // round(-48.092, 2) = -48.09
            (0x41250ECA80000000, Some(-2), 0x41250EA000000000), // round(690021.25, -2) = 690000.0
            (0xC11D821800000000, Some(0), 0xC11D821800000000),  // round(-483462.0, 0) = -483462.0
            (0xC129494700000000, Some(3), 0xC129494700000000),  // round(-828579.5, 3) = -828579.5
            (0x45547B2894B15694, Some(10), 0x45547B2894B15694), // round(9.904046421555472e+25, 10) = 9.904046421555472e+25
            (0xC047D72B020C49BA, Some(3), 0xC047D72B020C49BA),  // round(-47.681, 3) = -47.681
            (0x40857BF2832BBDB4, Some(5), 0x40857BF280F12C28), // round(687.493414251067, 5) = 687.49341
            (0x4625C8D07FCC0EA5, Some(0), 0x4625C8D07FCC0EA5), // round(8.629702374195172e+29, 0) = 8.629702374195172e+29
            (0x4475B49AF4156494, Some(1), 0x4475B49AF4156494), // round(6.406329727901759e+21, 1) = 6.406329727901759e+21
            (0xC11EF04E00000000, None, 0xC11EF05000000000),    // round(-506899.5, None) = -506900.0
            (0x446179E87D4DF588, None, 0x446179E87D4DF588), // round(2.5790324648002705e+21, None) = 2.5790324648002705e+21
            (0x41C42C4129E7C277, Some(-20), 0x0000000000000000), // round(676889171.8106221, -20) = 0.0
            (0x43E58914F1BAD594, Some(1), 0x43E58914F1BAD594), // round(1.2414356600480637e+19, 1) = 1.2414356600480637e+19
            (0xC05D4EBDD898AE40, Some(1), 0xC05D4CCCCCCCCCCD), // round(-117.23033728513929, 1) = -117.2
            (0x3F8233631665CD70, Some(0), 0x0000000000000000), // round(0.008887075539610406, 0) = 0.0
            (0xC12D206200000000, Some(2), 0xC12D206200000000), // round(-954417.0, 2) = -954417.0
            (0x4039A3126E978D50, Some(15), 0x4039A3126E978D50), // round(25.637, 15) = 25.637
            (0x4053773B645A1CAC, Some(1), 0x405379999999999A), // round(77.863, 1) = 77.9
            (0x41288A60DB5B3D76, Some(0), 0x41288A6000000000), // round(804144.4284304816, 0) = 804144.0
            (0x4054289374BC6A7F, Some(5), 0x4054289374BC6A7F), // round(80.634, 5) = 80.634
            (0xC11C09A200000000, Some(2), 0xC11C09A200000000), // round(-459368.5, 2) = -459368.5
            (0xC117FD0380000000, Some(1), 0xC117FD039999999A), // round(-393024.875, 1) = -393024.9
            (0x408DEA19510F9E70, Some(5), 0x408DEA1950331E3A), // round(957.2623616428591, 5) = 957.26236
            (0xC03BFAE147AE147B, Some(1), 0xC03C000000000000), // round(-27.98, 1) = -28.0
            (0x408575F17018427E, Some(10), 0x408575F1701840E9), // round(686.742889585046, 10) = 686.742889585
            (0x404A20C49BA5E354, Some(10), 0x404A20C49BA5E354), // round(52.256, 10) = 52.256
            (0x411B926880000000, Some(-1), 0x411B927000000000), // round(451738.125, -1) = 451740.0
            (0x4309AC5F2CDF7661, Some(1), 0x4309AC5F2CDF7661), // round(903299899059916.1, 1) = 903299899059916.1
            (0x40874037FEC2F6E8, Some(-1), 0x4087200000000000), // round(744.0273413879013, -1) = 740.0
            (0x40F3DC0000000000, Some(15), 0x40F3DC0000000000), // round(81344.0, 15) = 81344.0
            (0x3EFE920310C3CA76, Some(-3), 0x0000000000000000), // round(2.915416648447763e-05, -3) = 0.0
            (0x40186872B020C49C, Some(10), 0x40186872B020C49C), // round(6.102, 10) = 6.102
            (0xC11CFA0000000000, None, 0xC11CFA0000000000), // round(-474752.0, None) = -474752.0
            (0xC0DA69E000000000, Some(0), 0xC0DA6A0000000000), // round(-27047.5, 0) = -27048.0
            (0xC126A477C0000000, Some(0), 0xC126A47800000000), // round(-741947.875, 0) = -741948.0
            (0x3FB60B3DB3ED2F83, Some(15), 0x3FB60B3DB3ED2F7F), // round(0.08610902445542305, 15) = 0.086109024455423
            (0xC069D8D046DD6A70, Some(-2), 0xC069000000000000), // round(-206.7754244160201, -2) = -200.0
            (0x4222A8CC1B35D4FD, Some(10), 0x4222A8CC1B35D4FD), // round(40070679962.91599, 10) = 40070679962.91599
            (0x4125A52A40000000, Some(5), 0x4125A52A40000000),  // round(709269.125, 5) = 709269.125
            (0xC08615EEBD54472E, Some(-1), 0xC086300000000000), // round(-706.741572054312, -1) = -710.0
            (0xC04F4020C49BA5E3, Some(1), 0xC04F400000000000),  // round(-62.501, 1) = -62.5
            (0xC063D168F8F26E40, Some(-20), 0x8000000000000000), // round(-158.54406401967753, -20) = -0.0
            (0x406E3B42084E2D08, Some(3), 0x406E3B4395810625), // round(241.85181060093623, 3) = 241.852
            (0xC11EBE6400000000, Some(-20), 0x8000000000000000), // round(-503705.0, -20) = -0.0
            (0xC055FBA5E353F7CF, Some(-3), 0x8000000000000000), // round(-87.932, -3) = -0.0
            (0xC0526E76C8B43958, Some(15), 0xC0526E76C8B43958), // round(-73.726, 15) = -73.726
            (0x402286A7EF9DB22D, Some(-20), 0x0000000000000000), // round(9.263, -20) = 0.0
            (0x41CA93F73C43B2B2, Some(-3), 0x41CA93F674000000), // round(891809400.5288908, -3) = 891809000.0
            (0x44C3FD8B862A9F34, Some(10), 0x44C3FD8B862A9F34), // round(1.8880408639050637e+23, 10) = 1.8880408639050637e+23
            (0x41E822E763E01BC4, Some(3), 0x41E822E763E01893), // round(3239525151.0033894, 3) = 3239525151.003
            (0xC07AE5C2B5068276, Some(10), 0xC07AE5C2B50685CC), // round(-430.36003592055147, 10) = -430.3600359206
            (0x4087345DED87FD64, Some(5), 0x4087345DEBD9018E), // round(742.545863211079, 5) = 742.54586
            (0x4056F71A9FBE76C9, Some(-20), 0x0000000000000000), // round(91.861, -20) = 0.0
            (0xC1199C8C00000000, Some(-20), 0x8000000000000000), // round(-419619.0, -20) = -0.0
            (0x3DD7EFE49E3785B5, Some(5), 0x0000000000000000), // round(8.708259769034127e-11, 5) = 0.0
            (0x406575695E6B9508, Some(-2), 0x4069000000000000), // round(171.66911240589275, -2) = 200.0
            (0x42F0A687BEBD7679, Some(-20), 0x0000000000000000), // round(292918848640871.56, -20) = 0.0
            (0x404CB53F7CED9168, Some(5), 0x404CB53F7CED9168),   // round(57.416, 5) = 57.416
            (0x41093D9100000000, Some(-1), 0x41093D9000000000),  // round(206770.125, -1) = 206770.0
            (0x408D4F32F706C7A0, None, 0x408D500000000000), // round(937.8998852281256, None) = 938.0
            (0x41CB6D6C09BDF742, Some(5), 0x41CB6D6C09BDF751), // round(920311827.4841082, 5) = 920311827.48411
            (0xC0F7F3AE00000000, Some(-3), 0xC0F7ED0000000000), // round(-98106.875, -3) = -98000.0
            (0x426CCD8FDE7A704B, Some(-20), 0x0000000000000000), // round(989662737363.5092, -20) = 0.0
            (0x444A245CAF4D4884, Some(-3), 0x444A245CAF4D4884), // round(9.644710154922702e+20, -3) = 9.644710154922702e+20
            (0x4053F52F1A9FBE77, Some(-1), 0x4054000000000000), // round(79.831, -1) = 80.0
            (0x4126592A80000000, Some(15), 0x4126592A80000000), // round(732309.25, 15) = 732309.25
            (0x40F067F200000000, Some(5), 0x40F067F200000000),  // round(67199.125, 5) = 67199.125
            (0xC082434AFC0E39AA, Some(-1), 0xC082200000000000), // round(-584.4116135703418, -1) = -580.0
            (0x4061777C8F8DFD90, Some(3), 0x4061777CED916873), // round(139.7339551709415, 3) = 139.734
            (0x407A5469066ACA9C, Some(-20), 0x0000000000000000), // round(421.2756408855, -20) = 0.0
            (0xC0503D810624DD2F, Some(10), 0xC0503D810624DD2F), // round(-64.961, 10) = -64.961
            (0xC082D73EB849CC90, None, 0xC082D80000000000), // round(-602.9056249394944, None) = -603.0
            (0x45F09F89D268B745, None, 0x45F09F89D268B745), // round(8.23140833284837e+28, None) = 8.23140833284837e+28
            (0x410A1D0A00000000, Some(3), 0x410A1D0A00000000), // round(213921.25, 3) = 213921.25
            (0x43935E137035E5BA, None, 0x43935E137035E5BA), // round(3.488935767982363e+17, None) = 3.488935767982363e+17
            (0x405386E978D4FDF4, Some(2), 0x4053870A3D70A3D7), // round(78.108, 2) = 78.11
            (0x410C337400000000, Some(-2), 0x410C32C000000000), // round(231022.5, -2) = 231000.0
            (0x405700624DD2F1AA, Some(-2), 0x4059000000000000), // round(92.006, -2) = 100.0
            (0xC077DAF2A3459BBA, Some(1), 0xC077DB3333333333), // round(-381.6842377394747, 1) = -381.7
            (0xC084A1360A53353A, Some(-1), 0xC084A00000000000), // round(-660.1513868809336, -1) = -660.0
            (0xC102DA2800000000, Some(5), 0xC102DA2800000000),  // round(-154437.0, 5) = -154437.0
            (0xC118BC6F00000000, Some(-20), 0x8000000000000000), // round(-405275.75, -20) = -0.0
            (0x404E7CAC083126E9, Some(5), 0x404E7CAC083126E9),  // round(60.974, 5) = 60.974
            (0x4050D0D4FDF3B646, Some(15), 0x4050D0D4FDF3B646), // round(67.263, 15) = 67.263
            (0x4039DE76C8B43958, Some(2), 0x4039DEB851EB851F),  // round(25.869, 2) = 25.87
            (0x412DC6A880000000, Some(5), 0x412DC6A880000000),  // round(975700.25, 5) = 975700.25
            (0xC07FB7FAC20F65C4, Some(5), 0xC07FB7FAC1D29DC7), // round(-507.4987202264276, 5) = -507.49872
            (0x40479810624DD2F2, Some(3), 0x40479810624DD2F2), // round(47.188, 3) = 47.188
            (0x411BE1BA00000000, Some(2), 0x411BE1BA00000000), // round(456814.5, 2) = 456814.5
            (0xC0538D4FDF3B645A, Some(0), 0xC053800000000000), // round(-78.208, 0) = -78.0
            (0xC118193200000000, Some(-1), 0xC118193800000000), // round(-394828.5, -1) = -394830.0
            (0xC06827CC631D1814, Some(-1), 0xC067C00000000000), // round(-193.24369960482056, -1) = -190.0
            (0x40405C6A7EF9DB23, Some(-2), 0x0000000000000000), // round(32.722, -2) = 0.0
            (0x4039C3D70A3D70A4, Some(15), 0x4039C3D70A3D70A4), // round(25.765, 15) = 25.765
            (0xC033116872B020C5, Some(-2), 0x8000000000000000), // round(-19.068, -2) = -0.0
            (0x40B60D7FA0C554EB, Some(15), 0x40B60D7FA0C554EB), // round(5645.4985469181365, 15) = 5645.4985469181365
            (0x4118BDF100000000, None, 0x4118BDF000000000),     // round(405372.25, None) = 405372.0
            (0x408771CC141C4B92, Some(-1), 0x4087700000000000), // round(750.2246477327883, -1) = 750.0
            (0x4054B95810624DD3, Some(3), 0x4054B95810624DD3),  // round(82.896, 3) = 82.896
            (0x42249BB13624F6D3, Some(5), 0x42249BB13624F6D3), // round(44255714066.48208, 5) = 44255714066.48208
            (0xC08BDB30BA06D2F2, Some(15), 0xC08BDB30BA06D2F2), // round(-891.3987923176885, 15) = -891.3987923176885
            (0x4027A66666666666, Some(5), 0x4027A66666666666),  // round(11.825, 5) = 11.825
            (0x40572E24DD2F1AA0, Some(-20), 0x0000000000000000), // round(92.721, -20) = 0.0
            (0x3FE0000000000000, None, 0x0000000000000000),     // round(0.5, None) = 0.0
            (0x3FF8000000000000, None, 0x4000000000000000),     // round(1.5, None) = 2.0
            (0x4004000000000000, None, 0x4000000000000000),     // round(2.5, None) = 2.0
            (0xBFE0000000000000, None, 0x0000000000000000),     // round(-0.5, None) = 0.0
            (0xC004000000000000, None, 0xC000000000000000),     // round(-2.5, None) = -2.0
            (0x3FC0000000000000, Some(2), 0x3FBEB851EB851EB8),  // round(0.125, 2) = 0.12
            (0x3FD8000000000000, Some(2), 0x3FD851EB851EB852),  // round(0.375, 2) = 0.38
            (0x4005666666666666, Some(2), 0x40055C28F5C28F5C),  // round(2.675, 2) = 2.67
            (0x40938A0000000000, Some(-2), 0x4094500000000000), // round(1250.5, -2) = 1300.0
            (0x4093880000000000, Some(-2), 0x4092C00000000000), // round(1250.0, -2) = 1200.0
            (0x4095180000000000, Some(-2), 0x4095E00000000000), // round(1350.0, -2) = 1400.0
            (0x4014000000000000, Some(-1), 0x0000000000000000), // round(5.0, -1) = 0.0
            (0x402E000000000000, Some(-1), 0x4034000000000000), // round(15.0, -1) = 20.0
            (0x4039000000000000, Some(-1), 0x4034000000000000), // round(25.0, -1) = 20.0
            (0xC010000000000000, Some(-1), 0x8000000000000000), // round(-4.0, -1) = -0.0
            (0xBFD999999999999A, Some(0), 0x8000000000000000),  // round(-0.4, 0) = -0.0
            (0x7E37E43C8800759C, Some(-300), 0x7E37E43C8800759C), // round(1e+300, -300) = 1e+300
            (0x7E41EB2D66005835, Some(-300), 0x7E47E43C8800759C), // round(1.5e+300, -300) = 2e+300
            (0x7E4DDD4BAA009303, Some(-300), 0x7E51EB2D66005835), // round(2.5e+300, -300) = 3e+300
            (0x0000000000000001, Some(323), 0x0000000000000000), // round(5e-324, 323) = 0.0
            (0x0000000000000001, Some(400), 0x0000000000000001), // round(5e-324, 400) = 5e-324
            (0x3FF0000000000000, Some(-400), 0x0000000000000000), // round(1.0, -400) = 0.0
            (0xBFF0000000000000, Some(-400), 0x8000000000000000), // round(-1.0, -400) = -0.0
            (0x405EDD2F1A9FBE77, Some(-400), 0x0000000000000000), // round(123.456, -400) = 0.0
            (0x4480F0CF064DD592, Some(-22), 0x4480F0CF064DD592), // round(1e+22, -22) = 1e+22
            (0x44A52D02C7E14AF6, Some(-23), 0x0000000000000000), // round(5e+22, -23) = 0.0
            (0x44A52D02C7E14AF6, Some(-23), 0x0000000000000000), // round(5e+22, -23) = 0.0
            (0x7FE55C576D815726, Some(-308), 0x7FE1CCF385EBC8A0), // round(1.2e+308, -308) = 1e+308
            (0x3FB999999999999A, Some(1), 0x3FB999999999999A),  // round(0.1, 1) = 0.1
            (0x3FC3333333333333, Some(1), 0x3FB999999999999A),  // round(0.15, 1) = 0.1
            (0x3FD0000000000000, Some(1), 0x3FC999999999999A),  // round(0.25, 1) = 0.2
            (0x3FD6666666666666, Some(1), 0x3FD3333333333333),  // round(0.35, 1) = 0.3
            (0x8000000000000000, None, 0x0000000000000000),     // round(-0.0, None) = 0.0
            (0x8000000000000000, Some(2), 0x8000000000000000),  // round(-0.0, 2) = -0.0
            (0x40FE240C9FBE76C9, Some(-5), 0x40F86A0000000000), // round(123456.789, -5) = 100000.0
            (0x408F3C0000000000, Some(0), 0x408F400000000000),  // round(999.5, 0) = 1000.0
            (0x4023FD70A3D70A3D, Some(2), 0x4023FAE147AE147B),  // round(9.995, 2) = 9.99
            (0x00000000000007E8, Some(320), 0x00000000000007E8), // round(1e-320, 320) = 1e-320
            (0x4012000000000000, Some(0), 0x4010000000000000),  // round(4.5, 0) = 4.0
            (0xC012000000000000, Some(0), 0xC010000000000000),  // round(-4.5, 0) = -4.0
        ];
        for &(x, nd, want) in cases {
            let x = f64::from_bits(x);
            let got = py_round(x, nd);
            assert_eq!(
                got.to_bits(),
                want,
                "round({x:?}, {nd:?}) = {got:?}, want {:?}",
                f64::from_bits(want)
            );
        }
        assert!(py_round(f64::NAN, Some(2)).is_nan());
        assert_eq!(py_round(f64::INFINITY, Some(-2)), f64::INFINITY);
        // Python: OverflowError ("rounded value too large to represent").
        assert_eq!(py_round(f64::MAX, Some(-308)), f64::INFINITY);
        assert_eq!(py_round(-f64::MAX, Some(-308)), f64::NEG_INFINITY);
    }

    // -- arithmetic ---------------------------------------------------------------

    #[test]
    fn int_mod_floordiv_match_python() {
        // (a, b, a % b, a // b) from python3.11; None = ZeroDivisionError or
        // a quotient outside i64.
        let cases: &[(i64, i64, Option<i64>, Option<i64>)] = &[
            (7, 3, Some(1), Some(2)),
            (7, -3, Some(-2), Some(-3)),
            (7, 1, Some(0), Some(7)),
            (7, -1, Some(0), Some(-7)),
            (7, 0, None, None),
            (7, 2, Some(1), Some(3)),
            (
                7,
                -9223372036854775808,
                Some(-9223372036854775801),
                Some(-1),
            ),
            (7, 9223372036854775807, Some(7), Some(0)),
            (-7, 3, Some(2), Some(-3)),
            (-7, -3, Some(-1), Some(2)),
            (-7, 1, Some(0), Some(-7)),
            (-7, -1, Some(0), Some(7)),
            (-7, 0, None, None),
            (-7, 2, Some(1), Some(-4)),
            (-7, -9223372036854775808, Some(-7), Some(0)),
            (-7, 9223372036854775807, Some(9223372036854775800), Some(-1)),
            (0, 3, Some(0), Some(0)),
            (0, -3, Some(0), Some(0)),
            (0, 1, Some(0), Some(0)),
            (0, -1, Some(0), Some(0)),
            (0, 0, None, None),
            (0, 2, Some(0), Some(0)),
            (0, -9223372036854775808, Some(0), Some(0)),
            (0, 9223372036854775807, Some(0), Some(0)),
            (1, 3, Some(1), Some(0)),
            (1, -3, Some(-2), Some(-1)),
            (1, 1, Some(0), Some(1)),
            (1, -1, Some(0), Some(-1)),
            (1, 0, None, None),
            (1, 2, Some(1), Some(0)),
            (
                1,
                -9223372036854775808,
                Some(-9223372036854775807),
                Some(-1),
            ),
            (1, 9223372036854775807, Some(1), Some(0)),
            (-1, 3, Some(2), Some(-1)),
            (-1, -3, Some(-1), Some(0)),
            (-1, 1, Some(0), Some(-1)),
            (-1, -1, Some(0), Some(1)),
            (-1, 0, None, None),
            (-1, 2, Some(1), Some(-1)),
            (-1, -9223372036854775808, Some(-1), Some(0)),
            (-1, 9223372036854775807, Some(9223372036854775806), Some(-1)),
            (9223372036854775807, 3, Some(1), Some(3074457345618258602)),
            (
                9223372036854775807,
                -3,
                Some(-2),
                Some(-3074457345618258603),
            ),
            (9223372036854775807, 1, Some(0), Some(9223372036854775807)),
            (9223372036854775807, -1, Some(0), Some(-9223372036854775807)),
            (9223372036854775807, 0, None, None),
            (9223372036854775807, 2, Some(1), Some(4611686018427387903)),
            (
                9223372036854775807,
                -9223372036854775808,
                Some(-1),
                Some(-1),
            ),
            (9223372036854775807, 9223372036854775807, Some(0), Some(1)),
            (-9223372036854775808, 3, Some(1), Some(-3074457345618258603)),
            (
                -9223372036854775808,
                -3,
                Some(-2),
                Some(3074457345618258602),
            ),
            (-9223372036854775808, 1, Some(0), Some(-9223372036854775808)),
            (-9223372036854775808, -1, Some(0), None),
            (-9223372036854775808, 0, None, None),
            (-9223372036854775808, 2, Some(0), Some(-4611686018427387904)),
            (-9223372036854775808, -9223372036854775808, Some(0), Some(1)),
            (
                -9223372036854775808,
                9223372036854775807,
                Some(9223372036854775806),
                Some(-2),
            ),
            (13, 3, Some(1), Some(4)),
            (13, -3, Some(-2), Some(-5)),
            (13, 1, Some(0), Some(13)),
            (13, -1, Some(0), Some(-13)),
            (13, 0, None, None),
            (13, 2, Some(1), Some(6)),
            (
                13,
                -9223372036854775808,
                Some(-9223372036854775795),
                Some(-1),
            ),
            (13, 9223372036854775807, Some(13), Some(0)),
            (-13, 3, Some(2), Some(-5)),
            (-13, -3, Some(-1), Some(4)),
            (-13, 1, Some(0), Some(-13)),
            (-13, -1, Some(0), Some(13)),
            (-13, 0, None, None),
            (-13, 2, Some(1), Some(-7)),
            (-13, -9223372036854775808, Some(-13), Some(0)),
            (
                -13,
                9223372036854775807,
                Some(9223372036854775794),
                Some(-1),
            ),
        ];
        for &(a, b, m, d) in cases {
            assert_eq!(py_mod_int(a, b), m, "{a} % {b}");
            assert_eq!(py_floordiv_int(a, b), d, "{a} // {b}");
        }
    }

    #[test]
    fn float_mod_floordiv_match_python() {
        // (bits a, bits b, bits a % b, bits a // b) from python3.11.
        let cases: &[(u64, u64, Option<u64>, Option<u64>)] = &[
            (
                0x401E000000000000,
                0x4000000000000000,
                Some(0x3FF8000000000000),
                Some(0x4008000000000000),
            ), // 7.5, 2.0
            (
                0x401E000000000000,
                0xC000000000000000,
                Some(0xBFE0000000000000),
                Some(0xC010000000000000),
            ), // 7.5, -2.0
            (0x401E000000000000, 0x0000000000000000, None, None), // 7.5, 0.0
            (0x401E000000000000, 0x8000000000000000, None, None), // 7.5, -0.0
            (
                0x401E000000000000,
                0x7FF0000000000000,
                Some(0x401E000000000000),
                Some(0x0000000000000000),
            ), // 7.5, inf
            (
                0x401E000000000000,
                0xFFF0000000000000,
                Some(0xFFF0000000000000),
                Some(0xBFF0000000000000),
            ), // 7.5, -inf
            (
                0x401E000000000000,
                0x3FB999999999999A,
                Some(0x3FB999999999997C),
                Some(0x4052800000000000),
            ), // 7.5, 0.1
            (
                0x401E000000000000,
                0xBFB999999999999A,
                Some(0xBCBE000000000000),
                Some(0xC052C00000000000),
            ), // 7.5, -0.1
            (
                0x401E000000000000,
                0x4008000000000000,
                Some(0x3FF8000000000000),
                Some(0x4000000000000000),
            ), // 7.5, 3.0
            (
                0x401E000000000000,
                0x01A56E1FC2F8F359,
                Some(0x019EF63DBEB6F3CE),
                Some(0x7E6665F8BF806E42),
            ), // 7.5, 1e-300
            (
                0x401E000000000000,
                0x7E37E43C8800759C,
                Some(0x401E000000000000),
                Some(0x0000000000000000),
            ), // 7.5, 1e+300
            (
                0xC01E000000000000,
                0x4000000000000000,
                Some(0x3FE0000000000000),
                Some(0xC010000000000000),
            ), // -7.5, 2.0
            (
                0xC01E000000000000,
                0xC000000000000000,
                Some(0xBFF8000000000000),
                Some(0x4008000000000000),
            ), // -7.5, -2.0
            (0xC01E000000000000, 0x0000000000000000, None, None), // -7.5, 0.0
            (0xC01E000000000000, 0x8000000000000000, None, None), // -7.5, -0.0
            (
                0xC01E000000000000,
                0x7FF0000000000000,
                Some(0x7FF0000000000000),
                Some(0xBFF0000000000000),
            ), // -7.5, inf
            (
                0xC01E000000000000,
                0xFFF0000000000000,
                Some(0xC01E000000000000),
                Some(0x0000000000000000),
            ), // -7.5, -inf
            (
                0xC01E000000000000,
                0x3FB999999999999A,
                Some(0x3CBE000000000000),
                Some(0xC052C00000000000),
            ), // -7.5, 0.1
            (
                0xC01E000000000000,
                0xBFB999999999999A,
                Some(0xBFB999999999997C),
                Some(0x4052800000000000),
            ), // -7.5, -0.1
            (
                0xC01E000000000000,
                0x4008000000000000,
                Some(0x3FF8000000000000),
                Some(0xC008000000000000),
            ), // -7.5, 3.0
            (
                0xC01E000000000000,
                0x01A56E1FC2F8F359,
                Some(0x0187CC038E75E5C8),
                Some(0xFE6665F8BF806E42),
            ), // -7.5, 1e-300
            (
                0xC01E000000000000,
                0x7E37E43C8800759C,
                Some(0x7E37E43C8800759C),
                Some(0xBFF0000000000000),
            ), // -7.5, 1e+300
            (
                0x0000000000000000,
                0x4000000000000000,
                Some(0x0000000000000000),
                Some(0x0000000000000000),
            ), // 0.0, 2.0
            (
                0x0000000000000000,
                0xC000000000000000,
                Some(0x8000000000000000),
                Some(0x8000000000000000),
            ), // 0.0, -2.0
            (0x0000000000000000, 0x0000000000000000, None, None), // 0.0, 0.0
            (0x0000000000000000, 0x8000000000000000, None, None), // 0.0, -0.0
            (
                0x0000000000000000,
                0x7FF0000000000000,
                Some(0x0000000000000000),
                Some(0x0000000000000000),
            ), // 0.0, inf
            (
                0x0000000000000000,
                0xFFF0000000000000,
                Some(0x8000000000000000),
                Some(0x8000000000000000),
            ), // 0.0, -inf
            (
                0x0000000000000000,
                0x3FB999999999999A,
                Some(0x0000000000000000),
                Some(0x0000000000000000),
            ), // 0.0, 0.1
            (
                0x0000000000000000,
                0xBFB999999999999A,
                Some(0x8000000000000000),
                Some(0x8000000000000000),
            ), // 0.0, -0.1
            (
                0x0000000000000000,
                0x4008000000000000,
                Some(0x0000000000000000),
                Some(0x0000000000000000),
            ), // 0.0, 3.0
            (
                0x0000000000000000,
                0x01A56E1FC2F8F359,
                Some(0x0000000000000000),
                Some(0x0000000000000000),
            ), // 0.0, 1e-300
            (
                0x0000000000000000,
                0x7E37E43C8800759C,
                Some(0x0000000000000000),
                Some(0x0000000000000000),
            ), // 0.0, 1e+300
            (
                0x8000000000000000,
                0x4000000000000000,
                Some(0x0000000000000000),
                Some(0x8000000000000000),
            ), // -0.0, 2.0
            (
                0x8000000000000000,
                0xC000000000000000,
                Some(0x8000000000000000),
                Some(0x0000000000000000),
            ), // -0.0, -2.0
            (0x8000000000000000, 0x0000000000000000, None, None), // -0.0, 0.0
            (0x8000000000000000, 0x8000000000000000, None, None), // -0.0, -0.0
            (
                0x8000000000000000,
                0x7FF0000000000000,
                Some(0x0000000000000000),
                Some(0x8000000000000000),
            ), // -0.0, inf
            (
                0x8000000000000000,
                0xFFF0000000000000,
                Some(0x8000000000000000),
                Some(0x0000000000000000),
            ), // -0.0, -inf
            (
                0x8000000000000000,
                0x3FB999999999999A,
                Some(0x0000000000000000),
                Some(0x8000000000000000),
            ), // -0.0, 0.1
            (
                0x8000000000000000,
                0xBFB999999999999A,
                Some(0x8000000000000000),
                Some(0x0000000000000000),
            ), // -0.0, -0.1
            (
                0x8000000000000000,
                0x4008000000000000,
                Some(0x0000000000000000),
                Some(0x8000000000000000),
            ), // -0.0, 3.0
            (
                0x8000000000000000,
                0x01A56E1FC2F8F359,
                Some(0x0000000000000000),
                Some(0x8000000000000000),
            ), // -0.0, 1e-300
            (
                0x8000000000000000,
                0x7E37E43C8800759C,
                Some(0x0000000000000000),
                Some(0x8000000000000000),
            ), // -0.0, 1e+300
            (
                0x7FE1CCF385EBC8A0,
                0x4000000000000000,
                Some(0x0000000000000000),
                Some(0x7FD1CCF385EBC8A0),
            ), // 1e+308, 2.0
            (
                0x7FE1CCF385EBC8A0,
                0xC000000000000000,
                Some(0x8000000000000000),
                Some(0xFFD1CCF385EBC8A0),
            ), // 1e+308, -2.0
            (0x7FE1CCF385EBC8A0, 0x0000000000000000, None, None), // 1e+308, 0.0
            (0x7FE1CCF385EBC8A0, 0x8000000000000000, None, None), // 1e+308, -0.0
            (
                0x7FE1CCF385EBC8A0,
                0x7FF0000000000000,
                Some(0x7FE1CCF385EBC8A0),
                Some(0x0000000000000000),
            ), // 1e+308, inf
            (
                0x7FE1CCF385EBC8A0,
                0xFFF0000000000000,
                Some(0xFFF0000000000000),
                Some(0xBFF0000000000000),
            ), // 1e+308, -inf
            (
                0x7FE1CCF385EBC8A0,
                0x3FB999999999999A,
                Some(0x3FAF32984EB743E8),
                Some(0x7FF0000000000000),
            ), // 1e+308, 0.1
            (
                0x7FE1CCF385EBC8A0,
                0xBFB999999999999A,
                Some(0xBFA4009AE47BEF4C),
                Some(0xFFF0000000000000),
            ), // 1e+308, -0.1
            (
                0x7FE1CCF385EBC8A0,
                0x4008000000000000,
                Some(0x4000000000000000),
                Some(0x7FC7BBEF5D3A60D5),
            ), // 1e+308, 3.0
            (
                0x7FE1CCF385EBC8A0,
                0x01A56E1FC2F8F359,
                Some(0x0189E2240F9C9620),
                Some(0x7FF0000000000000),
            ), // 1e+308, 1e-300
            (
                0x7FE1CCF385EBC8A0,
                0x7E37E43C8800759C,
                Some(0x7E37E43C8656599C),
                Some(0x4197D783FC000000),
            ), // 1e+308, 1e+300
            (
                0xC008000000000000,
                0x4000000000000000,
                Some(0x3FF0000000000000),
                Some(0xC000000000000000),
            ), // -3.0, 2.0
            (
                0xC008000000000000,
                0xC000000000000000,
                Some(0xBFF0000000000000),
                Some(0x3FF0000000000000),
            ), // -3.0, -2.0
            (0xC008000000000000, 0x0000000000000000, None, None), // -3.0, 0.0
            (0xC008000000000000, 0x8000000000000000, None, None), // -3.0, -0.0
            (
                0xC008000000000000,
                0x7FF0000000000000,
                Some(0x7FF0000000000000),
                Some(0xBFF0000000000000),
            ), // -3.0, inf
            (
                0xC008000000000000,
                0xFFF0000000000000,
                Some(0xC008000000000000),
                Some(0x0000000000000000),
            ), // -3.0, -inf
            (
                0xC008000000000000,
                0x3FB999999999999A,
                Some(0x3CA8000000000000),
                Some(0xC03E000000000000),
            ), // -3.0, 0.1
            (
                0xC008000000000000,
                0xBFB999999999999A,
                Some(0xBFB999999999998E),
                Some(0x403D000000000000),
            ), // -3.0, -0.1
            (
                0xC008000000000000,
                0x4008000000000000,
                Some(0x0000000000000000),
                Some(0xBFF0000000000000),
            ), // -3.0, 3.0
            (
                0xC008000000000000,
                0x01A56E1FC2F8F359,
                Some(0x018AA9B46E8FEB64),
                Some(0xFE51EB2D66005835),
            ), // -3.0, 1e-300
            (
                0xC008000000000000,
                0x7E37E43C8800759C,
                Some(0x7E37E43C8800759C),
                Some(0xBFF0000000000000),
            ), // -3.0, 1e+300
            (
                0x4008000000000000,
                0x4000000000000000,
                Some(0x3FF0000000000000),
                Some(0x3FF0000000000000),
            ), // 3.0, 2.0
            (
                0x4008000000000000,
                0xC000000000000000,
                Some(0xBFF0000000000000),
                Some(0xC000000000000000),
            ), // 3.0, -2.0
            (0x4008000000000000, 0x0000000000000000, None, None), // 3.0, 0.0
            (0x4008000000000000, 0x8000000000000000, None, None), // 3.0, -0.0
            (
                0x4008000000000000,
                0x7FF0000000000000,
                Some(0x4008000000000000),
                Some(0x0000000000000000),
            ), // 3.0, inf
            (
                0x4008000000000000,
                0xFFF0000000000000,
                Some(0xFFF0000000000000),
                Some(0xBFF0000000000000),
            ), // 3.0, -inf
            (
                0x4008000000000000,
                0x3FB999999999999A,
                Some(0x3FB999999999998E),
                Some(0x403D000000000000),
            ), // 3.0, 0.1
            (
                0x4008000000000000,
                0xBFB999999999999A,
                Some(0xBCA8000000000000),
                Some(0xC03E000000000000),
            ), // 3.0, -0.1
            (
                0x4008000000000000,
                0x4008000000000000,
                Some(0x0000000000000000),
                Some(0x3FF0000000000000),
            ), // 3.0, 3.0
            (
                0x4008000000000000,
                0x01A56E1FC2F8F359,
                Some(0x019D87654EA9F100),
                Some(0x7E51EB2D66005835),
            ), // 3.0, 1e-300
            (
                0x4008000000000000,
                0x7E37E43C8800759C,
                Some(0x4008000000000000),
                Some(0x0000000000000000),
            ), // 3.0, 1e+300
            (
                0x7FF0000000000000,
                0x4000000000000000,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // inf, 2.0
            (
                0x7FF0000000000000,
                0xC000000000000000,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // inf, -2.0
            (0x7FF0000000000000, 0x0000000000000000, None, None), // inf, 0.0
            (0x7FF0000000000000, 0x8000000000000000, None, None), // inf, -0.0
            (
                0x7FF0000000000000,
                0x7FF0000000000000,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // inf, inf
            (
                0x7FF0000000000000,
                0xFFF0000000000000,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // inf, -inf
            (
                0x7FF0000000000000,
                0x3FB999999999999A,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // inf, 0.1
            (
                0x7FF0000000000000,
                0xBFB999999999999A,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // inf, -0.1
            (
                0x7FF0000000000000,
                0x4008000000000000,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // inf, 3.0
            (
                0x7FF0000000000000,
                0x01A56E1FC2F8F359,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // inf, 1e-300
            (
                0x7FF0000000000000,
                0x7E37E43C8800759C,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // inf, 1e+300
            (
                0xFFF0000000000000,
                0x4000000000000000,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // -inf, 2.0
            (
                0xFFF0000000000000,
                0xC000000000000000,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // -inf, -2.0
            (0xFFF0000000000000, 0x0000000000000000, None, None), // -inf, 0.0
            (0xFFF0000000000000, 0x8000000000000000, None, None), // -inf, -0.0
            (
                0xFFF0000000000000,
                0x7FF0000000000000,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // -inf, inf
            (
                0xFFF0000000000000,
                0xFFF0000000000000,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // -inf, -inf
            (
                0xFFF0000000000000,
                0x3FB999999999999A,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // -inf, 0.1
            (
                0xFFF0000000000000,
                0xBFB999999999999A,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // -inf, -0.1
            (
                0xFFF0000000000000,
                0x4008000000000000,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // -inf, 3.0
            (
                0xFFF0000000000000,
                0x01A56E1FC2F8F359,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // -inf, 1e-300
            (
                0xFFF0000000000000,
                0x7E37E43C8800759C,
                Some(0xFFF8000000000000),
                Some(0xFFF8000000000000),
            ), // -inf, 1e+300
            (
                0x01A56E1FC2F8F359,
                0x4000000000000000,
                Some(0x01A56E1FC2F8F359),
                Some(0x0000000000000000),
            ), // 1e-300, 2.0
            (
                0x01A56E1FC2F8F359,
                0xC000000000000000,
                Some(0xC000000000000000),
                Some(0xBFF0000000000000),
            ), // 1e-300, -2.0
            (0x01A56E1FC2F8F359, 0x0000000000000000, None, None), // 1e-300, 0.0
            (0x01A56E1FC2F8F359, 0x8000000000000000, None, None), // 1e-300, -0.0
            (
                0x01A56E1FC2F8F359,
                0x7FF0000000000000,
                Some(0x01A56E1FC2F8F359),
                Some(0x0000000000000000),
            ), // 1e-300, inf
            (
                0x01A56E1FC2F8F359,
                0xFFF0000000000000,
                Some(0xFFF0000000000000),
                Some(0xBFF0000000000000),
            ), // 1e-300, -inf
            (
                0x01A56E1FC2F8F359,
                0x3FB999999999999A,
                Some(0x01A56E1FC2F8F359),
                Some(0x0000000000000000),
            ), // 1e-300, 0.1
            (
                0x01A56E1FC2F8F359,
                0xBFB999999999999A,
                Some(0xBFB999999999999A),
                Some(0xBFF0000000000000),
            ), // 1e-300, -0.1
            (
                0x01A56E1FC2F8F359,
                0x4008000000000000,
                Some(0x01A56E1FC2F8F359),
                Some(0x0000000000000000),
            ), // 1e-300, 3.0
            (
                0x01A56E1FC2F8F359,
                0x01A56E1FC2F8F359,
                Some(0x0000000000000000),
                Some(0x3FF0000000000000),
            ), // 1e-300, 1e-300
            (
                0x01A56E1FC2F8F359,
                0x7E37E43C8800759C,
                Some(0x01A56E1FC2F8F359),
                Some(0x0000000000000000),
            ), // 1e-300, 1e+300
            (
                0x4014000000000000,
                0x4000000000000000,
                Some(0x3FF0000000000000),
                Some(0x4000000000000000),
            ), // 5.0, 2.0
            (
                0x4014000000000000,
                0xC000000000000000,
                Some(0xBFF0000000000000),
                Some(0xC008000000000000),
            ), // 5.0, -2.0
            (0x4014000000000000, 0x0000000000000000, None, None), // 5.0, 0.0
            (0x4014000000000000, 0x8000000000000000, None, None), // 5.0, -0.0
            (
                0x4014000000000000,
                0x7FF0000000000000,
                Some(0x4014000000000000),
                Some(0x0000000000000000),
            ), // 5.0, inf
            (
                0x4014000000000000,
                0xFFF0000000000000,
                Some(0xFFF0000000000000),
                Some(0xBFF0000000000000),
            ), // 5.0, -inf
            (
                0x4014000000000000,
                0x3FB999999999999A,
                Some(0x3FB9999999999986),
                Some(0x4048800000000000),
            ), // 5.0, 0.1
            (
                0x4014000000000000,
                0xBFB999999999999A,
                Some(0xBCB4000000000000),
                Some(0xC049000000000000),
            ), // 5.0, -0.1
            (
                0x4014000000000000,
                0x4008000000000000,
                Some(0x4000000000000000),
                Some(0x3FF0000000000000),
            ), // 5.0, 3.0
            (
                0x4014000000000000,
                0x01A56E1FC2F8F359,
                Some(0x0194A42929CF4D34),
                Some(0x7E5DDD4BAA009302),
            ), // 5.0, 1e-300
            (
                0x4014000000000000,
                0x7E37E43C8800759C,
                Some(0x4014000000000000),
                Some(0x0000000000000000),
            ), // 5.0, 1e+300
            (
                0x3FB999999999999A,
                0x4000000000000000,
                Some(0x3FB999999999999A),
                Some(0x0000000000000000),
            ), // 0.1, 2.0
            (
                0x3FB999999999999A,
                0xC000000000000000,
                Some(0xBFFE666666666666),
                Some(0xBFF0000000000000),
            ), // 0.1, -2.0
            (0x3FB999999999999A, 0x0000000000000000, None, None), // 0.1, 0.0
            (0x3FB999999999999A, 0x8000000000000000, None, None), // 0.1, -0.0
            (
                0x3FB999999999999A,
                0x7FF0000000000000,
                Some(0x3FB999999999999A),
                Some(0x0000000000000000),
            ), // 0.1, inf
            (
                0x3FB999999999999A,
                0xFFF0000000000000,
                Some(0xFFF0000000000000),
                Some(0xBFF0000000000000),
            ), // 0.1, -inf
            (
                0x3FB999999999999A,
                0x3FB999999999999A,
                Some(0x0000000000000000),
                Some(0x3FF0000000000000),
            ), // 0.1, 0.1
            (
                0x3FB999999999999A,
                0xBFB999999999999A,
                Some(0x8000000000000000),
                Some(0xBFF0000000000000),
            ), // 0.1, -0.1
            (
                0x3FB999999999999A,
                0x4008000000000000,
                Some(0x3FB999999999999A),
                Some(0x0000000000000000),
            ), // 0.1, 3.0
            (
                0x3FB999999999999A,
                0x01A56E1FC2F8F359,
                Some(0x0177350D4134AEC0),
                Some(0x7E031CFD3999F7B0),
            ), // 0.1, 1e-300
            (
                0x3FB999999999999A,
                0x7E37E43C8800759C,
                Some(0x3FB999999999999A),
                Some(0x0000000000000000),
            ), // 0.1, 1e+300
            (
                0xBFB999999999999A,
                0x4000000000000000,
                Some(0x3FFE666666666666),
                Some(0xBFF0000000000000),
            ), // -0.1, 2.0
            (
                0xBFB999999999999A,
                0xC000000000000000,
                Some(0xBFB999999999999A),
                Some(0x0000000000000000),
            ), // -0.1, -2.0
            (0xBFB999999999999A, 0x0000000000000000, None, None), // -0.1, 0.0
            (0xBFB999999999999A, 0x8000000000000000, None, None), // -0.1, -0.0
            (
                0xBFB999999999999A,
                0x7FF0000000000000,
                Some(0x7FF0000000000000),
                Some(0xBFF0000000000000),
            ), // -0.1, inf
            (
                0xBFB999999999999A,
                0xFFF0000000000000,
                Some(0xBFB999999999999A),
                Some(0x0000000000000000),
            ), // -0.1, -inf
            (
                0xBFB999999999999A,
                0x3FB999999999999A,
                Some(0x0000000000000000),
                Some(0xBFF0000000000000),
            ), // -0.1, 0.1
            (
                0xBFB999999999999A,
                0xBFB999999999999A,
                Some(0x8000000000000000),
                Some(0x3FF0000000000000),
            ), // -0.1, -0.1
            (
                0xBFB999999999999A,
                0x4008000000000000,
                Some(0x4007333333333333),
                Some(0xBFF0000000000000),
            ), // -0.1, 3.0
            (
                0xBFB999999999999A,
                0x01A56E1FC2F8F359,
                Some(0x01A2877E1AD25D81),
                Some(0xFE031CFD3999F7B0),
            ), // -0.1, 1e-300
            (
                0xBFB999999999999A,
                0x7E37E43C8800759C,
                Some(0x7E37E43C8800759C),
                Some(0xBFF0000000000000),
            ), // -0.1, 1e+300
        ];
        let same = |g: Option<f64>, w: Option<u64>| match (g, w) {
            (None, None) => true,
            (Some(g), Some(w)) => {
                let w = f64::from_bits(w);
                (g.is_nan() && w.is_nan()) || g.to_bits() == w.to_bits()
            }
            _ => false,
        };
        for &(a, b, m, d) in cases {
            let (a, b) = (f64::from_bits(a), f64::from_bits(b));
            assert!(
                same(py_mod_float(a, b), m),
                "{a:?} % {b:?} = {:?}",
                py_mod_float(a, b)
            );
            assert!(
                same(py_floordiv_float(a, b), d),
                "{a:?} // {b:?} = {:?}",
                py_floordiv_float(a, b)
            );
        }
    }
}
