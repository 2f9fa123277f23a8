//! The fast JSON reader of `read_json`: one line of JSON Lines straight into
//! a [`Value`] (no intermediate tree), building only the parts of a record a
//! pipeline reads (a [`Projection`], computed by the `project` pass) and
//! skipping the rest structurally: a skipped value is still checked, so a
//! line is valid here exactly when it is valid JSON.
//!
//! It accepts what serde_json accepts (RFC 8259) and gives the same values
//! as [`super::format::parse_json`]: integers that fit `i64` are ints, any
//! other number a float (rounded as `float()` does, beyond range ±inf), a
//! repeated key keeps its first place and its last value. On anything it is
//! not sure of — invalid JSON, an escaped UTF-16 surrogate that is not half
//! of a pair, nesting deeper than [`FAST_DEPTH`] — it gives up (`None`) and
//! the caller parses the line with `parse_json`, which gives the value or
//! the diagnostic, so errors read the same on both paths.

use std::sync::Arc;

use hashbrown::HashMap;

use super::{Record, Value};

/// The parts of a record a pipeline reads: each key it reads, with what it
/// reads of that key's value (`None`: all of it; `Some`: when the value is
/// an object, only those keys — an empty projection when only the key's
/// presence is tested). Keys in the order first read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Projection(pub Vec<(String, Option<Projection>)>);

impl Projection {
    /// Adds `path` (a chain of keys): its last key's value wholly (`whole`)
    /// or only its presence.
    pub fn add(&mut self, path: &[String], whole: bool) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        let slot = match self.0.iter().position(|(k, _)| k == first) {
            Some(i) => &mut self.0[i].1,
            None => {
                self.0.push((first.clone(), Some(Projection::default())));
                &mut self.0.last_mut().expect("just pushed").1
            }
        };
        let Some(sub) = slot else {
            return;
        };
        if rest.is_empty() {
            if whole {
                *slot = None;
            }
        } else {
            sub.add(rest, whole);
        }
    }

    fn get(&self, key: &[u8]) -> Option<&Option<Projection>> {
        self.0
            .iter()
            .find(|(k, _)| k.as_bytes() == key)
            .map(|(_, p)| p)
    }
}

/// How deeply the fast reader follows nesting before it hands the line to
/// the general parser (which grows its stack as it goes).
pub const FAST_DEPTH: usize = 128;

/// Keys already seen, shared by the records of one reader: one allocation
/// per distinct key, not one per record.
const MAX_KEYS: usize = 4096;

/// Reads JSON values; keeps the keys it has seen (make one per task, so
/// threads do not share reference counts).
#[derive(Default)]
pub struct Reader {
    keys: HashMap<Box<[u8]>, Arc<str>, foldhash::fast::RandomState>,
    strings: super::strings::Strings,
    scratch: String,
}

struct Cur<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
}

impl<'a> Cur<'a> {
    #[inline]
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.i += 1;
        }
    }
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    #[inline]
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }
    #[inline]
    fn lit(&mut self, word: &[u8]) -> Option<()> {
        if self.b.get(self.i..self.i + word.len())? == word {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }
    /// After an item of a container: `,` (another follows: true) or its
    /// closing bracket (false).
    #[inline]
    fn more(&mut self, close: u8) -> Option<bool> {
        self.ws();
        match self.next()? {
            b',' => Some(true),
            c if c == close => Some(false),
            _ => None,
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= FAST_DEPTH).then_some(())
    }

    /// The raw bytes of a string whose opening quote is at `i`, when it
    /// holds no escape (`Ok`), or where its first backslash is (`Err`).
    #[inline]
    fn plain_string(&mut self) -> Option<Result<&'a str, usize>> {
        let start = self.i + 1;
        let j = string_end(self.b, start);
        match *self.b.get(j)? {
            b'"' => {
                self.i = j + 1;
                // Cut at ASCII quotes, so on character boundaries.
                Some(Ok(self.s.get(start..j)?))
            }
            b'\\' => Some(Err(j)),
            _ => None,
        }
    }

    /// Decodes a string with escapes into `out`, from its opening quote.
    fn escaped_string(&mut self, out: &mut String) -> Option<()> {
        out.clear();
        let b = self.b;
        let mut j = self.i + 1;
        let mut run = j;
        loop {
            let c = *b.get(j)?;
            match c {
                b'"' => {
                    out.push_str(std::str::from_utf8(&b[run..j]).ok()?);
                    self.i = j + 1;
                    return Some(());
                }
                b'\\' => {
                    out.push_str(std::str::from_utf8(&b[run..j]).ok()?);
                    let e = *b.get(j + 1)?;
                    j += 2;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let (cp, end) = unicode_escape(b, j)?;
                            j = end;
                            out.push(char::from_u32(cp)?);
                        }
                        _ => return None,
                    }
                    run = j;
                }
                0..=0x1f => return None,
                _ => j += 1,
            }
        }
    }

    /// Checks a string from its opening quote, and steps past it.
    fn skip_string(&mut self) -> Option<()> {
        let b = self.b;
        let mut j = self.i + 1;
        loop {
            j = string_end(b, j);
            let c = *b.get(j)?;
            match c {
                b'"' => {
                    self.i = j + 1;
                    return Some(());
                }
                b'\\' => match *b.get(j + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => j += 2,
                    b'u' => j = unicode_escape(b, j + 2)?.1,
                    _ => return None,
                },
                0..=0x1f => return None,
                _ => j += 1,
            }
        }
    }

    /// Steps over a number, checking its grammar; whether it is an integer.
    #[inline]
    fn number(&mut self) -> Option<bool> {
        let b = self.b;
        let mut j = self.i;
        if b.get(j) == Some(&b'-') {
            j += 1;
        }
        match *b.get(j)? {
            b'0' => j += 1,
            b'1'..=b'9' => {
                while b.get(j).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                }
            }
            _ => return None,
        }
        let mut int = true;
        if b.get(j) == Some(&b'.') {
            int = false;
            j += 1;
            if !b.get(j).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
        }
        if matches!(b.get(j), Some(b'e' | b'E')) {
            int = false;
            j += 1;
            if matches!(b.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if !b.get(j).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
        }
        self.i = j;
        Some(int)
    }

    /// Steps through an object or array from its opening `{` or `[` to
    /// past its `close`: `item` is called at each item (for an object, at
    /// its key's opening quote, and must read the key, [`Cur::colon`] and
    /// the value) and must step past it.
    #[inline]
    fn seq(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.enter()?;
        self.i += 1;
        self.ws();
        if self.peek()? == close {
            self.i += 1;
        } else {
            loop {
                self.ws();
                if close == b'}' && self.peek()? != b'"' {
                    return None;
                }
                item(self)?;
                if !self.more(close)? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    /// The `:` after a key, and the whitespace around it.
    #[inline]
    fn colon(&mut self) -> Option<()> {
        self.ws();
        if self.next()? != b':' {
            return None;
        }
        self.ws();
        Some(())
    }

    /// Checks one value and steps past it.
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' => self.seq(b'}', |c| {
                c.skip_string()?;
                c.colon()?;
                c.skip()
            }),
            b'[' => self.seq(b']', Cur::skip),
            b't' => self.lit(b"true"),
            b'f' => self.lit(b"false"),
            b'n' => self.lit(b"null"),
            _ => self.number().map(|_| ()),
        }
    }
}

/// The first byte at or after `j` that ends a plain run of a string: `"`,
/// `\\` or a control character (or `b.len()`). Eight bytes at a time.
#[inline]
fn string_end(b: &[u8], mut j: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = b.get(j..j + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        // A zero byte of `x ^ c` is a byte equal to `c`; `x - 0x20` borrows
        // into the top bit of a byte below 0x20. Bytes of 0x80 and up (UTF-8)
        // are masked out by `!x`, except where a borrow from a lower byte hit
        // them, which can only happen above a byte that matched already.
        let quote = x ^ (LO * b'"' as u64);
        let slash = x ^ (LO * b'\\' as u64);
        let hit = (quote.wrapping_sub(LO) & !quote
            | slash.wrapping_sub(LO) & !slash
            | x.wrapping_sub(LO * 0x20) & !x)
            & HI;
        if hit != 0 {
            return j + (hit.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while let Some(&c) = b.get(j) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        j += 1;
    }
    j
}

/// An integer of at most 18 digits (it cannot overflow), checked already.
#[inline]
fn small_int(t: &[u8]) -> Option<i64> {
    let (neg, digits) = match t.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, t),
    };
    if digits.len() > 18 {
        return None;
    }
    let n = digits
        .iter()
        .fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'));
    Some(if neg { -n } else { n })
}

/// The code point of the `\\u` escape whose hex digits start at `j` (with
/// its low half, for a high surrogate), and where the escape ends; `None`
/// for a surrogate that is not half of a pair.
fn unicode_escape(b: &[u8], j: usize) -> Option<(u32, usize)> {
    let hi = hex4(b.get(j..j + 4)?)?;
    let j = j + 4;
    match hi {
        0xD800..=0xDBFF => {
            if b.get(j..j + 2)? != b"\\u" {
                return None;
            }
            let lo = hex4(b.get(j + 2..j + 6)?)?;
            if !(0xDC00..=0xDFFF).contains(&lo) {
                return None;
            }
            Some((0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), j + 6))
        }
        0xDC00..=0xDFFF => None,
        _ => Some((hi, j)),
    }
}

fn hex4(h: &[u8]) -> Option<u32> {
    h.iter()
        .try_fold(0u32, |n, &c| Some(n << 4 | (c as char).to_digit(16)?))
}

/// A field of a record read without building the record
/// ([`Reader::read_fields`]): a string lent from the text, or a value.
#[derive(Debug)]
pub enum Field<'t> {
    Str(&'t str),
    Value(Value),
}

impl Reader {
    /// The fields `p` reads of the JSON object `text` (leading and trailing
    /// whitespace allowed), each given to `push` with its key, in the
    /// object's order (a repeated key again each time): strings without
    /// escapes are lent from `text`, nothing else of the record is built.
    /// `None` (perhaps after some pushes) when `text` is not an object the
    /// fast reader is sure of: the caller then reads it with [`Reader::read`].
    pub fn read_fields<'t>(
        &mut self,
        text: &'t str,
        p: &Projection,
        mut push: impl FnMut(&'t str, Field<'t>),
    ) -> Option<()> {
        let mut c = Cur {
            s: text,
            b: text.as_bytes(),
            i: 0,
            depth: 0,
        };
        c.ws();
        if c.peek()? != b'{' {
            return None;
        }
        c.seq(b'}', |c| {
            // A key with escapes: the record path decides.
            let key = c.plain_string()?.ok()?;
            c.colon()?;
            match p.get(key.as_bytes()) {
                Some(sub) => {
                    let v = match (sub, c.peek()?) {
                        (Some(sp), b'{') => Field::Value(self.object(c, Some(sp))?),
                        (_, b'"') => match c.plain_string()? {
                            Ok(raw) => Field::Str(raw),
                            Err(_) => Field::Value(self.value(c, None)?),
                        },
                        _ => Field::Value(self.value(c, None)?),
                    };
                    push(key, v);
                    Some(())
                }
                None => c.skip(),
            }
        })?;
        c.ws();
        (c.i == c.b.len()).then_some(())
    }

    /// The value of one JSON text (leading and trailing whitespace allowed),
    /// records cut down to `p`; `None` when the general parser must decide.
    pub fn read(&mut self, text: &str, p: Option<&Projection>) -> Option<Value> {
        let mut c = Cur {
            s: text,
            b: text.as_bytes(),
            i: 0,
            depth: 0,
        };
        c.ws();
        let v = self.value(&mut c, p)?;
        c.ws();
        (c.i == c.b.len()).then_some(v)
    }

    fn key(&mut self, raw: &[u8]) -> Option<Arc<str>> {
        if let Some(k) = self.keys.get(raw) {
            return Some(k.clone());
        }
        let k: Arc<str> = Arc::from(std::str::from_utf8(raw).ok()?);
        if self.keys.len() < MAX_KEYS {
            self.keys.insert(raw.into(), k.clone());
        }
        Some(k)
    }

    fn value(&mut self, c: &mut Cur, p: Option<&Projection>) -> Option<Value> {
        Some(match c.peek()? {
            b'"' => match c.plain_string()? {
                Ok(raw) => Value::Str(self.strings.get(raw)),
                Err(_) => {
                    let mut s = std::mem::take(&mut self.scratch);
                    let r = c.escaped_string(&mut s);
                    let v = r.map(|()| Value::str(&s));
                    self.scratch = s;
                    v?
                }
            },
            b'{' => self.object(c, p)?,
            b'[' => {
                let mut items = Vec::new();
                c.seq(b']', |c| {
                    items.push(self.value(c, None)?);
                    Some(())
                })?;
                Value::List(Arc::new(items))
            }
            b't' => {
                c.lit(b"true")?;
                Value::Bool(true)
            }
            b'f' => {
                c.lit(b"false")?;
                Value::Bool(false)
            }
            b'n' => {
                c.lit(b"null")?;
                Value::Null
            }
            _ => {
                let start = c.i;
                let int = c.number()?;
                // The grammar was checked: ASCII digits, sign, `.`, `e`.
                let text = c.s.get(start..c.i)?;
                match int.then(|| small_int(text.as_bytes())).flatten() {
                    Some(i) => Value::Int(i),
                    None => match int.then(|| text.parse::<i64>().ok()).flatten() {
                        Some(i) => Value::Int(i),
                        None => Value::Float(text.parse::<f64>().ok()?),
                    },
                }
            }
        })
    }

    fn object(&mut self, c: &mut Cur, p: Option<&Projection>) -> Option<Value> {
        let mut rec = Record::with_capacity(p.map_or(8, |p| p.0.len()));
        c.seq(b'}', |c| {
            let key = match c.plain_string()? {
                Ok(raw) => {
                    let raw = raw.as_bytes();
                    match p {
                        Some(p) => match p.get(raw) {
                            Some(sub) => Some((self.key(raw)?, sub.as_ref())),
                            None => None,
                        },
                        None => Some((self.key(raw)?, None)),
                    }
                }
                Err(_) => {
                    let mut s = std::mem::take(&mut self.scratch);
                    let r = c.escaped_string(&mut s);
                    let k = match (r, p) {
                        (None, _) => None,
                        (Some(()), Some(p)) => Some(
                            p.get(s.as_bytes())
                                .map(|sub| (Arc::<str>::from(s.as_str()), sub.as_ref())),
                        ),
                        (Some(()), None) => Some(Some((Arc::from(s.as_str()), None))),
                    };
                    self.scratch = s;
                    k?
                }
            };
            c.colon()?;
            match key {
                Some((k, sub)) => {
                    let v = match sub {
                        Some(sp) if c.peek()? == b'{' => self.object(c, Some(sp))?,
                        _ => self.value(c, None)?,
                    };
                    rec.insert(k, v);
                    Some(())
                }
                None => c.skip(),
            }
        })?;
        Some(Value::Record(Arc::new(rec)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::format::parse_json;

    fn same(text: &str) {
        let general = parse_json(text).ok();
        let fast = Reader::default().read(text, None);
        match (&general, &fast) {
            (Some(g), Some(f)) => assert!(
                g == f && g.to_string() == f.to_string(),
                "{text:?}: {g} vs {f}"
            ),
            // The fast reader may give up on valid JSON (the general parser
            // then reads it), never accept what the general parser refuses.
            (Some(_), None) | (None, None) => {}
            (None, Some(f)) => panic!("{text:?} is invalid JSON but the fast reader gave {f}"),
        }
    }

    #[test]
    fn agrees_with_the_general_parser() {
        for t in [
            "{}",
            "[]",
            " {\"a\": 1, \"b\": [true, false, null], \"c\": {\"d\": -2.5e3}} ",
            "{\"a\": 1, \"a\": 2, \"b\": 3}",
            "12345678901234567890",
            "-9223372036854775808",
            "-9223372036854775809",
            "-0",
            "-0.0",
            "1e400",
            "-1e400",
            "0.1",
            "1E+2",
            "\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\\b\\f\\r\"",
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "\"a\u{1}\"",
            "01",
            "1.",
            ".5",
            "+1",
            "-",
            "1e",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "[1 2]",
            "tru",
            "nulll",
            "NaN",
            "\"\\x\"",
            "\"unterminated",
            "{\"a\":1} x",
            "\"é\"",
            "[[[[[]]]]]",
            "{\"k\\u0041\": 1}",
        ] {
            same(t);
        }
    }

    #[test]
    fn projection_keeps_read_keys_and_checks_the_rest() {
        let mut p = Projection::default();
        p.add(&["status".into()], true);
        p.add(&["user".into(), "id".into()], true);
        p.add(&["tags".into()], false);
        let mut r = Reader::default();
        let line = r#"{"ts": "x", "user": {"id": 7, "name": "A"}, "status": 200, "tags": ["a"]}"#;
        let v = r.read(line, Some(&p)).expect("valid");
        assert_eq!(
            v.to_string(),
            r#"{"user": {"id": 7}, "status": 200, "tags": ["a"]}"#
        );
        // A skipped value is still checked.
        assert!(r.read(r#"{"ts": [1,], "status": 1}"#, Some(&p)).is_none());
        assert!(r.read(r#"{"ts": "\q", "status": 1}"#, Some(&p)).is_none());
        // A key's presence keeps the key, its value cut to nothing when an object.
        let v = r.read(r#"{"tags": {"x": 1}}"#, Some(&p)).expect("valid");
        assert_eq!(v.to_string(), r#"{"tags": {}}"#);
    }

    #[test]
    fn fields_are_the_cut_down_record() {
        let mut p = Projection::default();
        p.add(&["status".into()], true);
        p.add(&["user".into(), "id".into()], true);
        p.add(&["tags".into()], false);
        p.add(&["k\"q".into()], true);
        let mut r = Reader::default();
        for t in [
            r#"{"ts": "x", "user": {"id": 7, "name": "A"}, "status": 200, "tags": ["a"]}"#,
            r#" {"status": "a\nb", "status": "plain", "user": 3} "#,
            r#"{"user": {"id": "\u00e9"}, "tags": {"x": 1}, "status": null}"#,
            r#"{}"#,
            r#"{"other": [1, {"status": 2}]}"#,
            r#"{"k\"q": 1, "status": 2}"#,
            r#"[1]"#,
            r#""status""#,
            r#"{"status": 1,}"#,
            r#"{"status": 1} x"#,
            r#"{"ts": [1,], "status": 1}"#,
        ] {
            let mut rec = Record::new();
            let got = r.read_fields(t, &p, |k, v| {
                let v = match v {
                    Field::Str(s) => Value::str(s),
                    Field::Value(v) => v,
                };
                rec.insert(k.into(), v);
            });
            let want = r.read(t, Some(&p));
            match got {
                // Read as fields: the record `read` cuts down, field by field.
                Some(()) => assert_eq!(Some(Value::Record(Arc::new(rec))), want, "{t}"),
                // Not: left to `read` (an escaped key, not an object, not JSON).
                None => assert!(
                    want.is_none() || t.contains("k\\\"q") || !t.trim().starts_with('{'),
                    "{t}"
                ),
            }
        }
    }

    #[test]
    fn deep_values_go_to_the_general_parser() {
        let deep = format!(
            "{}{}",
            "[".repeat(FAST_DEPTH + 1),
            "]".repeat(FAST_DEPTH + 1)
        );
        assert!(Reader::default().read(&deep, None).is_none());
        let ok = format!("{}{}", "[".repeat(FAST_DEPTH), "]".repeat(FAST_DEPTH));
        assert!(Reader::default().read(&ok, None).is_some());
    }
}
