//! Values as text: Python's `str()` (what `str(x)` and `to_json` of a string
//! give, as in an exported Dask program), compact JSON, and output cells;
//! and JSON text read into values, as Python's `json.loads` reads it.

use std::fmt::Write;

use crate::text::pystr::push_float_repr;
use crate::value::{deep, Value};

/// Python's `str(v)`.
pub fn py_str(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        _ => {
            let mut out = String::new();
            py_repr(v, &mut out);
            out
        }
    }
}

/// Python's `repr(v)` (lists and dicts print their items with repr).
pub fn py_repr(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(x) => push_float_repr(out, *x),
        Value::Str(s) => py_repr_str(s, out),
        Value::List(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                deep(|| py_repr(it, out));
            }
            out.push(']');
        }
        Value::Record(r) => {
            out.push('{');
            for (i, (k, v)) in r.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                py_repr_str(k, out);
                out.push_str(": ");
                deep(|| py_repr(v, out));
            }
            out.push('}');
        }
    }
}

fn py_repr_str(s: &str, out: &mut String) {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                if (c as u32) < 0x100 {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                } else {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push(q);
}

/// Compact JSON (`{"value":"the","count":1234}`). NaN and the infinities are
/// written as Python's `json.dumps` writes them: `NaN`, `Infinity`,
/// `-Infinity` (not strict JSON, but what Python, and so Dask, reads back).
pub fn json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(x) if x.is_nan() => out.push_str("NaN"),
        Value::Float(x) if x.is_infinite() => {
            out.push_str(if *x > 0.0 { "Infinity" } else { "-Infinity" })
        }
        Value::Float(x) => push_float_repr(out, *x),
        Value::Str(s) => json_str(s, out),
        Value::List(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                deep(|| json(it, out));
            }
            out.push(']');
        }
        Value::Record(r) => {
            out.push('{');
            for (i, (k, v)) in r.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_str(k, out);
                out.push(':');
                deep(|| json(v, out));
            }
            out.push('}');
        }
    }
}

pub fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A value as one cell of table/TSV/CSV output: strings raw, nested values as JSON.
pub fn cell(v: &Value, null: &str) -> String {
    match v {
        Value::Null => null.to_string(),
        Value::Str(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(x) => {
            let mut s = String::new();
            push_float_repr(&mut s, *x);
            s
        }
        _ => {
            let mut s = String::new();
            json(v, &mut s);
            s
        }
    }
}

/// One JSON text as a value, as Python's `json.loads` reads it — except a
/// `\u` escape of an unpaired UTF-16 surrogate (`"\ud800"`): `json.loads`
/// keeps it as a lone code point, which a Rust string cannot hold, so it
/// reads as U+FFFD, what encoding it to UTF-8 would come to anyway. The
/// error is serde_json's, positions relative to `text`.
///
/// Nesting is limited only by [`super::MAX_DEPTH`] (Python's own `json`
/// stops at its recursion limit, about 1000): the parser grows its stack
/// as it goes down.
pub fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    // A text shorter than twice the limit cannot nest deeper than it, so
    // only a long one is scanned.
    if text.len() > 2 * super::MAX_DEPTH && nesting(text) > super::MAX_DEPTH {
        return Err(serde::de::Error::custom(format_args!(
            "nested more than {} levels deep",
            super::MAX_DEPTH
        )));
    }
    match from_str(text) {
        Ok(v) => Ok(v),
        // serde_json refuses unpaired surrogates. Only a text it refused is
        // scanned for them, so valid JSON costs no extra pass; a text with
        // none fails as it did, and one with some is parsed again with each
        // written `\ufffd`, same length, so a later fault is reported at
        // the same column.
        Err(e) => match unpaired_surrogates_replaced(text) {
            Some(fixed) => from_str(&fixed),
            None => Err(e),
        },
    }
}

/// serde_json without its recursion limit, on a stack that grows.
fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    use serde::Deserialize;
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let j = serde_json::Value::deserialize(serde_stacker::Deserializer::new(&mut de))?;
    de.end()?;
    Ok(from_json(j))
}

/// The deepest nesting of arrays and objects in JSON text (brackets inside
/// strings do not count).
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest, mut in_str, mut esc) = (0usize, 0usize, false, false);
    for &b in text.as_bytes() {
        if in_str {
            match b {
                _ if esc => esc = false,
                b'\\' => esc = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// `text` with each `\u` escape of a UTF-16 surrogate that is not one half
/// of a high-low pair written `\ufffd`, or `None` when it has none.
fn unpaired_surrogates_replaced(text: &str) -> Option<String> {
    let b = text.as_bytes();
    // The code unit of the `\uXXXX` escape starting at byte `i`, if one does.
    let escape = |i: usize| -> Option<u16> {
        let hex = b.get(i..i + 6)?.strip_prefix(b"\\u")?;
        hex.iter().try_fold(0u16, |n, &c| {
            Some(n << 4 | (c as char).to_digit(16)? as u16)
        })
    };
    let (mut out, mut copied, mut i) = (String::new(), 0, 0);
    // Escapes are found from backslash to backslash: a backslash always
    // starts one (`\\` is one escape, so `\\ud800` is a backslash and
    // text), and hex digits hold none.
    while let Some(k) = b.get(i..).and_then(|r| memchr::memchr(b'\\', r)) {
        let at = i + k;
        i = match escape(at) {
            Some(0xD800..=0xDBFF) if matches!(escape(at + 6), Some(0xDC00..=0xDFFF)) => at + 12,
            Some(0xD800..=0xDFFF) => {
                out.push_str(&text[copied..at]);
                out.push_str("\\ufffd");
                copied = at + 6;
                at + 6
            }
            _ => at + 2,
        };
    }
    // A replacement leaves `copied` past it; none leaves it at 0.
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// Converts parsed JSON into a value (integers beyond i64 become floats).
fn from_json(j: serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            // Beyond f64's range, serde gives up where Python's `json`
            // (like `float()`) rounds to ±inf.
            None => Value::Float(
                n.as_f64()
                    .or_else(|| n.to_string().parse().ok())
                    .unwrap_or(f64::NAN),
            ),
        },
        serde_json::Value::String(s) => Value::Str(s.into()),
        serde_json::Value::Array(a) => Value::List(std::sync::Arc::new(
            a.into_iter().map(|j| deep(|| from_json(j))).collect(),
        )),
        serde_json::Value::Object(o) => {
            Value::Record(std::sync::Arc::new(crate::value::Record::from_unique(
                o.into_iter()
                    .map(|(k, v)| (k.into(), deep(|| from_json(v))))
                    .collect(),
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn list(v: Vec<Value>) -> Value {
        Value::List(Arc::new(v))
    }

    #[test]
    fn python_str_and_repr() {
        assert_eq!(py_str(&Value::Float(1.0)), "1.0");
        assert_eq!(py_str(&Value::Bool(true)), "True");
        assert_eq!(py_str(&Value::Null), "None");
        assert_eq!(
            py_str(&list(vec![
                Value::Int(1),
                Value::str("a'b"),
                Value::str("c")
            ])),
            "[1, \"a'b\", 'c']"
        );
        assert_eq!(py_str(&Value::str("x\ny")), "x\ny");
    }

    #[test]
    fn compact_json() {
        let mut r = crate::value::Record::new();
        r.insert("value".into(), Value::str("the \"x\""));
        r.insert("count".into(), Value::Int(3));
        let mut s = String::new();
        json(&Value::Record(Arc::new(r)), &mut s);
        assert_eq!(s, r#"{"value":"the \"x\"","count":3}"#);
        let mut s = String::new();
        json(
            &list(vec![
                Value::Float(0.5),
                Value::Float(f64::NAN),
                Value::Float(f64::INFINITY),
                Value::Float(f64::NEG_INFINITY),
                Value::Null,
            ]),
            &mut s,
        );
        // As Python's json.dumps([0.5, nan, inf, -inf, None]), without spaces.
        assert_eq!(s, "[0.5,NaN,Infinity,-Infinity,null]");
    }

    #[test]
    fn unpaired_surrogate_escapes_are_found_by_counting_backslashes() {
        let r = unpaired_surrogates_replaced;
        assert_eq!(r(r#""\ud800""#).as_deref(), Some(r#""\ufffd""#));
        assert_eq!(r(r#""\\\uDBFF\\""#).as_deref(), Some(r#""\\\ufffd\\""#));
        assert_eq!(
            r(r#""\udc00\ud800\udc00""#).as_deref(),
            Some(r#""\ufffd\ud800\udc00""#)
        );
        // Nothing to replace: an escaped backslash, a pair, other escapes.
        for text in [r#""\\ud800""#, r#""\ud83d\ude00""#, r#""\u00e9\n""#, "{}"] {
            assert_eq!(r(text), None, "{text}");
        }
        // Cut short, at every length: no panic, and nothing invented.
        let text = r#""\ud800\udc00\ud800\"#;
        for end in 0..=text.len() {
            let _ = parse_json(&text[..end]);
        }
        assert!(parse_json(r#""\ud800\u12""#).is_err());
        assert_eq!(
            parse_json(r#"["\ud800", "\ud83d\ude00"]"#).unwrap(),
            list(vec![Value::str("\u{fffd}"), Value::str("\u{1f600}")])
        );
    }
}
