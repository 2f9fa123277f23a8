//! Run-time values: what flows between operators. Holds text, numbers, lists
//! and records (JSON objects with ordered keys), so JSON and CSV sources fit.

pub mod format;
pub mod json;
pub mod strings;

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use smallvec::SmallVec;

use crate::types::Type;

/// How deeply values read from data (JSON) may nest. Every function that
/// walks a value recurses through [`deep`], which grows the stack as it
/// goes, so any depth up to this works; beyond it, reading is a diagnostic
/// (a value must also be dropped, and dropping recurses on the stack of
/// whichever thread lets go of it, without growing it: `cli::main` and the
/// workers have stacks for this depth).
pub const MAX_DEPTH: usize = 100_000;

/// Runs `f`, one level down a value, on a fresh stack segment when the
/// current one is nearly used up (a check of the stack pointer otherwise).
#[inline]
pub fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(64 * 1024, 4 << 20, f)
}

/// A record: ordered string keys → values, as from a JSON object. Stored as
/// a vector: records in dataflows are small (`{value, count}`, a log line's
/// fields), where a scan beats hashing and one allocation beats two.
/// Inserting an existing key replaces its value in place (as a JSON parser
/// and Python's dict do). Up to two fields are held inline: a record a
/// source cut down to the fields a pipeline reads costs one allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Record(SmallVec<[(Arc<str>, Value); 2]>);

impl Record {
    pub fn new() -> Record {
        Record(SmallVec::new())
    }
    pub fn with_capacity(n: usize) -> Record {
        Record(SmallVec::with_capacity(n))
    }
    /// A record from pairs whose keys are known to be distinct (e.g. a parsed JSON object).
    pub fn from_unique(pairs: Vec<(Arc<str>, Value)>) -> Record {
        Record(SmallVec::from_vec(pairs))
    }
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    pub fn insert(&mut self, key: Arc<str>, value: Value) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
    pub fn keys(&self) -> impl Iterator<Item = &Arc<str>> {
        self.0.iter().map(|(k, _)| k)
    }
}

impl FromIterator<(Arc<str>, Value)> for Record {
    fn from_iter<I: IntoIterator<Item = (Arc<str>, Value)>>(iter: I) -> Record {
        let mut r = Record::new();
        for (k, v) in iter {
            r.insert(k, v);
        }
        r
    }
}

#[derive(Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    List(Arc<Vec<Value>>),
    Record(Arc<Record>),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    /// The static type of this value (lists of mixed types are `list<any>`).
    pub fn type_of(&self) -> Type {
        match self {
            Value::Null => Type::Null,
            Value::Bool(_) => Type::Bool,
            Value::Int(_) => Type::Int,
            Value::Float(_) => Type::Float,
            Value::Str(_) => Type::Str,
            Value::List(items) => {
                let mut t: Option<Type> = None;
                for v in items.iter() {
                    let vt = deep(|| v.type_of());
                    t = Some(match t {
                        None => vt,
                        Some(t) => t.join(&vt),
                    });
                }
                Type::list(t.unwrap_or(Type::Any))
            }
            Value::Record(r) => Type::Record(Some(
                r.iter()
                    .map(|(k, v)| (k.to_string(), deep(|| v.type_of())))
                    .collect(),
            )),
        }
    }

    /// The name of this value's type, for run-time error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Record(_) => "record",
        }
    }

    /// [`Ord`], then the representation: a total order that also tells apart
    /// values that are equal but print differently (`1` and `1.0`, `0.0` and
    /// `-0.0`), so aggregations can tell when such values meet.
    pub fn cmp_exact(&self, other: &Value) -> Ordering {
        self.cmp(other).then_with(|| {
            if self.type_name() == other.type_name() && !self.has_float() {
                Ordering::Equal
            } else {
                format!("{self:?}").cmp(&format!("{other:?}"))
            }
        })
    }

    fn has_float(&self) -> bool {
        match self {
            Value::Float(_) => true,
            Value::List(items) => items.iter().any(|v| deep(|| v.has_float())),
            Value::Record(r) => r.iter().any(|(_, v)| deep(|| v.has_float())),
            _ => false,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Int(_) | Value::Float(_) => 2,
            Value::Str(_) => 3,
            Value::List(_) => 4,
            Value::Record(_) => 5,
        }
    }
}

/// A total order, so that sorting and tie-breaking are deterministic on any
/// input: null < bool < numbers (compared by value; NaN last) < str (by code
/// point, as Python) < list (lexicographic) < record.
impl Ord for Value {
    fn cmp(&self, other: &Self) -> Ordering {
        use Value::*;
        match (self, other) {
            (Bool(a), Bool(b)) => a.cmp(b),
            (Int(a), Int(b)) => a.cmp(b),
            (Int(a), Float(b)) => cmp_int_float(*a, *b),
            (Float(a), Int(b)) => cmp_int_float(*b, *a).reverse(),
            (Float(a), Float(b)) => cmp_float(*a, *b),
            (Str(a), Str(b)) => a.cmp(b),
            (List(a), List(b)) => deep(|| a.iter().cmp(b.iter())),
            (Record(a), Record(b)) => deep(|| a.cmp(b)),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

fn cmp_float(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        // -0.0 == 0.0, as in Python.
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

fn cmp_int_float(a: i64, b: f64) -> Ordering {
    if b.is_nan() || b == f64::INFINITY {
        return Ordering::Less;
    }
    if b == f64::NEG_INFINITY {
        return Ordering::Greater;
    }
    // Exact: compare the integer with floor(b), then the fraction.
    let fl = b.floor();
    if fl.abs() >= 1.0e38 {
        return if b > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    match (a as i128).cmp(&(fl as i128)) {
        Ordering::Equal if b != fl => Ordering::Less,
        o => o,
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Value {}

/// Consistent with `Eq`: `1` and `1.0` hash alike, as in Python.
impl Value {
    /// How `Value::Str(s)` hashes, for looking a string up without making
    /// a value of it.
    #[inline]
    pub fn hash_str<H: Hasher>(s: &str, h: &mut H) {
        h.write_u8(3);
        s.hash(h)
    }
}

impl Hash for Value {
    fn hash<H: Hasher>(&self, h: &mut H) {
        match self {
            Value::Null => h.write_u8(0),
            Value::Bool(b) => {
                h.write_u8(1);
                b.hash(h)
            }
            Value::Int(i) => {
                h.write_u8(2);
                i.hash(h)
            }
            Value::Float(x) => {
                h.write_u8(2);
                if x.fract() == 0.0 && *x >= i64::MIN as f64 && *x < i64::MAX as f64 {
                    (*x as i64).hash(h)
                } else if x.is_nan() {
                    h.write_u64(u64::MAX)
                } else {
                    x.to_bits().hash(h)
                }
            }
            Value::Str(s) => Value::hash_str(s, h),
            Value::List(items) => {
                h.write_u8(4);
                for v in items.iter() {
                    deep(|| v.hash(h))
                }
            }
            Value::Record(r) => {
                h.write_u8(5);
                for (k, v) in r.iter() {
                    k.hash(h);
                    deep(|| v.hash(h));
                }
            }
        }
    }
}

/// As `#[derive(Debug)]` would write it, one level at a time through [`deep`].
impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("Null"),
            Value::Bool(b) => f.debug_tuple("Bool").field(b).finish(),
            Value::Int(i) => f.debug_tuple("Int").field(i).finish(),
            Value::Float(x) => f.debug_tuple("Float").field(x).finish(),
            Value::Str(s) => f.debug_tuple("Str").field(s).finish(),
            Value::List(items) => deep(|| f.debug_tuple("List").field(items).finish()),
            Value::Record(r) => deep(|| f.debug_tuple("Record").field(r).finish()),
        }
    }
}

/// Flow-literal notation (used in plans and diagnostics): strings quoted.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => {
                if x.fract() == 0.0 && x.abs() < 1e16 {
                    write!(f, "{x:.1}")
                } else {
                    write!(f, "{x}")
                }
            }
            Value::Str(s) => f.write_str(&crate::text::quote(s)),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    deep(|| write!(f, "{v}"))?;
                }
                f.write_str("]")
            }
            Value::Record(r) => {
                f.write_str("{")?;
                for (i, (k, v)) in r.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    deep(|| write!(f, "{}: {v}", crate::text::quote(k)))?;
                }
                f.write_str("}")
            }
        }
    }
}
