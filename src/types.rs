//! Static types: element types and collection types (SPEC §1 "Values and types").
//! Checked before any data is read.

use std::fmt;

/// The type of one element.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// Unknown until run (e.g. parsed JSON); every use is checked at run time.
    Any,
    Null,
    Bool,
    Int,
    Float,
    Str,
    List(Box<Type>),
    /// Ordered string keys → values. `None` when the keys are not known statically.
    Record(Option<Vec<(String, Type)>>),
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn record(fields: &[(&str, Type)]) -> Type {
        Type::Record(Some(
            fields
                .iter()
                .map(|(k, t)| (k.to_string(), t.clone()))
                .collect(),
        ))
    }
    /// How many levels of lists and records nest in this type (a scalar is 1).
    /// Walks with its own stack: a type is measured before it is trusted.
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(self, 1)];
        while let Some((t, d)) = stack.pop() {
            deepest = deepest.max(d);
            match t {
                Type::List(inner) => stack.push((inner, d + 1)),
                Type::Record(Some(fields)) => stack.extend(fields.iter().map(|(_, t)| (t, d + 1))),
                Type::Any
                | Type::Null
                | Type::Bool
                | Type::Int
                | Type::Float
                | Type::Str
                | Type::Record(None) => {}
            }
        }
        deepest
    }
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Float)
    }
    /// The type of a field access on a value of this type, or `None` if it cannot have one.
    pub fn field(&self, name: &str) -> Option<Type> {
        match self {
            Type::Any => Some(Type::Any),
            Type::Record(None) => Some(Type::Any),
            Type::Record(Some(fields)) => fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, t)| t.clone()),
            _ => None,
        }
    }
    /// Can a value of type `self` be used where `want` is required? `Any` defers to run time.
    pub fn fits(&self, want: &Type) -> bool {
        match (self, want) {
            (_, Type::Any) | (Type::Any, _) => true,
            (Type::List(a), Type::List(b)) => a.fits(b),
            (Type::Record(_), Type::Record(None)) => true,
            (a, b) => a == b,
        }
    }
    /// The least type holding both (used for list literals and `concat`).
    pub fn join(&self, other: &Type) -> Type {
        match (self, other) {
            (a, b) if a == b => a.clone(),
            (Type::List(a), Type::List(b)) => Type::list(a.join(b)),
            (Type::Record(_), Type::Record(_)) => Type::Record(None),
            _ => Type::Any,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Any => f.write_str("any"),
            Type::Null => f.write_str("null"),
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::Str => f.write_str("str"),
            Type::List(t) => write!(f, "list<{t}>"),
            Type::Record(None) => f.write_str("record"),
            Type::Record(Some(fields)) => {
                f.write_str("record{")?;
                for (i, (k, t)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {t}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// The type of a whole pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Coll {
    /// A partitioned sequence; order = input order.
    Bag(Type),
    /// One value, e.g. from `count`.
    Scalar(Type),
    /// The result of a sink: files were written, nothing is printed.
    Written,
}

impl Coll {
    pub fn elem(&self) -> Option<&Type> {
        match self {
            Coll::Bag(t) | Coll::Scalar(t) => Some(t),
            Coll::Written => None,
        }
    }
}

impl fmt::Display for Coll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Coll::Bag(t) => write!(f, "bag<{t}>"),
            Coll::Scalar(t) => write!(f, "scalar<{t}>"),
            Coll::Written => f.write_str("written"),
        }
    }
}
