//! One element in flight, borrowed or owned: what a source hands a kernel,
//! what a kernel step passes to the next and to its sink, the current
//! element of an expression, and what evaluating an expression gives.
//!
//! A string is kept borrowed (from the input buffer, the plan, or the
//! element a step was given) until a step must make a new one, so that a
//! word of a `split` reaches `frequencies` without being copied; and a
//! value read from a partition or a literal is lent, not cloned, to
//! whatever looks at it. A step that derives an element from a borrowed
//! view of its input (`map .user`, `strip`, `split`) passes the result on
//! before its input is dropped, so it need not own it.

use std::borrow::Cow;

use crate::value::format;
use crate::value::{Record, Value};

/// An element: a string or a value, each borrowed or owned.
#[derive(Clone, Debug)]
pub enum Elem<'a> {
    /// A borrowed string.
    Str(&'a str),
    /// A string a step made (`lower` of a word with capitals, `to_json`).
    String(String),
    /// A borrowed value.
    Val(&'a Value),
    /// A value a step made or a source parsed.
    Value(Value),
    /// A record a source has not built (see [`Row`]).
    Row(Row<'a>),
}

/// A record as a source lends it when the pipeline reads it only through
/// its fields (the projection pass decided so): the fields it reads, each
/// borrowed from the input where it can be, in the order the record has
/// them. A path (`.status`), `it["k"]` or `pluck` reads a field from it
/// without building anything; whatever else needs the record builds it
/// ([`Row::to_value`]), the same record the source would have made. The
/// source owns the fields (a vector it reuses) and lends them.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    pub fields: &'a [(&'a str, Elem<'a>)],
}

impl<'a> Row<'a> {
    /// The field `name`, lent. Of repeated names, the last one's value (as
    /// [`Record::insert`] keeps).
    #[inline]
    pub fn get(self, name: &str) -> Option<Elem<'a>> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.view())
    }
    /// The record built.
    pub fn to_record(&self) -> Record {
        let mut r = Record::with_capacity(self.fields.len());
        for (k, v) in self.fields {
            r.insert((*k).into(), v.clone().into_value());
        }
        r
    }
    pub fn to_value(&self) -> Value {
        Value::Record(std::sync::Arc::new(self.to_record()))
    }
}

impl<'a> Elem<'a> {
    /// The string, if the element is one.
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Elem::Str(s) => Some(s),
            Elem::String(s) => Some(s),
            Elem::Val(Value::Str(s)) | Elem::Value(Value::Str(s)) => Some(s),
            Elem::Val(_) | Elem::Value(_) | Elem::Row(_) => None,
        }
    }

    /// The value, if the element is held as one (a string may be either).
    #[inline]
    pub fn value(&self) -> Option<&Value> {
        match self {
            Elem::Val(v) => Some(v),
            Elem::Value(v) => Some(v),
            Elem::Str(_) | Elem::String(_) | Elem::Row(_) => None,
        }
    }

    /// The element with a [`Row`] built into its record: for what looks at
    /// an element as a value rather than through its fields.
    #[inline]
    pub fn built(self) -> Elem<'a> {
        match self {
            Elem::Row(r) => Elem::Value(r.to_value()),
            other => other,
        }
    }

    /// The element lent: `Str` or `Val`, borrowing what `self` owns.
    #[inline]
    pub fn view(&self) -> Elem<'_> {
        match self {
            Elem::Str(s) => Elem::Str(s),
            Elem::String(s) => Elem::Str(s),
            Elem::Val(v) => Elem::Val(v),
            Elem::Value(v) => Elem::Val(v),
            Elem::Row(r) => Elem::Row(*r),
        }
    }

    /// A part of the value (a field, an item) that `part` picks: lent from a
    /// borrowed value, cloned from an owned one; `None` for a string or if
    /// `part` finds nothing.
    #[inline]
    pub fn project(
        &self,
        part: impl for<'v> FnOnce(&'v Value) -> Option<&'v Value>,
    ) -> Option<Elem<'a>> {
        match self {
            Elem::Val(v) => part(v).map(Elem::Val),
            Elem::Value(v) => part(v).cloned().map(Elem::Value),
            Elem::Str(_) | Elem::String(_) => None,
            // Not reached: a path on a row reads the row's field itself.
            Elem::Row(r) => part(&r.to_value()).cloned().map(Elem::Value),
        }
    }

    /// The element as a [`Value`] of its own (copying a borrowed string,
    /// cloning a borrowed value).
    #[inline]
    pub fn into_value(self) -> Value {
        match self {
            Elem::Str(s) => Value::str(s),
            Elem::String(s) => Value::str(&s),
            Elem::Val(v) => v.clone(),
            Elem::Value(v) => v,
            Elem::Row(r) => r.to_value(),
        }
    }

    /// The name of the element's type, for run-time error messages.
    pub fn type_name(&self) -> &'static str {
        match (self, self.value()) {
            (Elem::Row(_), _) => "record",
            (_, Some(v)) => v.type_name(),
            (_, None) => "str",
        }
    }

    /// Python's `repr` of the element, cut to `max` characters (ending
    /// `...`), for run-time error messages.
    pub fn repr(&self, max: usize) -> String {
        let mut s = String::new();
        match (self.value(), self.as_str()) {
            _ if matches!(self, Elem::Row(_)) => {
                format::py_repr(&self.clone().into_value(), &mut s)
            }
            (Some(v), _) => format::py_repr(v, &mut s),
            (None, x) => format::py_repr(&Value::str(x.unwrap_or_default()), &mut s),
        }
        if s.chars().count() > max {
            s = s.chars().take(max.saturating_sub(3)).collect::<String>() + "...";
        }
        s
    }
}

/// A string that a string function may have left as it was (borrowed) or
/// made anew (owned).
impl<'a> From<Cow<'a, str>> for Elem<'a> {
    #[inline]
    fn from(s: Cow<'a, str>) -> Elem<'a> {
        match s {
            Cow::Borrowed(s) => Elem::Str(s),
            Cow::Owned(s) => Elem::String(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_values_read_alike() {
        let v = Value::str("ab");
        let n = Value::Int(3);
        let all = [
            Elem::Str("ab"),
            Elem::String("ab".into()),
            Elem::Val(&v),
            Elem::Value(v.clone()),
        ];
        for e in &all {
            assert_eq!(e.as_str(), Some("ab"));
            assert_eq!(e.type_name(), "str");
            assert_eq!(e.repr(60), "'ab'");
            assert_eq!(e.view().as_str(), Some("ab"));
            assert_eq!(e.clone().into_value(), v);
        }
        assert_eq!(Elem::Val(&n).as_str(), None);
        assert_eq!(Elem::Val(&n).repr(60), "3");
        assert_eq!(Elem::Str(&"x".repeat(100)).repr(10), "'xxxxxx...");
    }

    #[test]
    fn a_row_reads_as_the_record_it_stands_for() {
        let fields = [
            ("a", Elem::Str("x")),
            ("b", Elem::Value(Value::Int(1))),
            ("a", Elem::String("y".into())),
        ];
        let row = Row { fields: &fields };
        let mut want = Record::new();
        want.insert("a".into(), Value::str("x"));
        want.insert("b".into(), Value::Int(1));
        want.insert("a".into(), Value::str("y"));
        // A repeated name: its first place, its last value.
        assert_eq!(row.to_record(), want);
        assert_eq!(
            row.get("a").and_then(|e| e.as_str().map(String::from)),
            Some("y".into())
        );
        assert!(row.get("c").is_none());
        let e = Elem::Row(row);
        assert_eq!(e.type_name(), "record");
        assert_eq!(e.repr(60), "{'a': 'y', 'b': 1}");
        assert_eq!(e.as_str(), None);
        assert!(e.value().is_none());
        assert_eq!(
            e.clone().into_value(),
            Value::Record(std::sync::Arc::new(want.clone()))
        );
        assert!(matches!(e.built(), Elem::Value(Value::Record(r)) if *r == want));
    }

    #[test]
    fn parts_are_lent_from_a_borrowed_value() {
        let l = Value::List(std::sync::Arc::new(vec![Value::Int(1), Value::Int(2)]));
        fn second(v: &Value) -> Option<&Value> {
            match v {
                Value::List(items) => items.get(1),
                _ => None,
            }
        }
        assert!(matches!(
            Elem::Val(&l).project(second),
            Some(Elem::Val(Value::Int(2)))
        ));
        assert!(matches!(
            Elem::Value(l.clone()).project(second),
            Some(Elem::Value(Value::Int(2)))
        ));
        assert!(Elem::Str("ab").project(second).is_none());
    }
}
