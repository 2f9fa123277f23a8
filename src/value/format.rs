//! Values as text: Python's `str()` (what `str(x)` and `to_json` of a string
//! give, as in an exported Dask program), compact JSON, and output cells.

use std::fmt::Write;

use crate::text::pystr::push_float_repr;
use crate::value::Value;

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
                py_repr(it, out);
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
                py_repr(v, out);
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
                json(it, out);
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
                json(v, out);
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

/// Converts parsed JSON into a value (integers beyond i64 become floats).
pub fn from_json(j: serde_json::Value) -> Value {
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
        serde_json::Value::Array(a) => {
            Value::List(std::sync::Arc::new(a.into_iter().map(from_json).collect()))
        }
        serde_json::Value::Object(o) => {
            Value::Record(std::sync::Arc::new(crate::value::Record::from_unique(
                o.into_iter()
                    .map(|(k, v)| (k.into(), from_json(v)))
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
}
