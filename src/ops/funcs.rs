//! The expression functions of SPEC §3 (`len`, `lower`, `matches`, …): one
//! [`FuncDef`] each, with arity, type rule and help. A bare function name
//! (`filter not_delim`) is the function applied to `it`; a call with one
//! argument fewer than the function takes (`filter starts_with("a")`) gets
//! `it` as its first argument.

use super::PKind;
use crate::types::Type;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FnId {
    Len,
    Lower,
    Upper,
    Strip,
    Split,
    Replace,
    StartsWith,
    EndsWith,
    Contains,
    Matches,
    NotDelim,
    Int,
    Float,
    Str,
    Abs,
    Round,
}

#[derive(Debug)]
pub struct FuncDef {
    pub id: FnId,
    pub name: &'static str,
    /// Fewest and most arguments.
    pub arity: (usize, usize),
    pub signature: &'static str,
    pub summary: &'static str,
    /// The result type, given the argument types; `Err` says which argument is wrong.
    pub rule: fn(&[Type]) -> Result<Type, String>,
    /// Arguments whose constant values are checked as a parameter of this
    /// kind is (an empty `split` separator, a bad regex): (index, kind).
    pub checked: &'static [(usize, PKind)],
}

pub fn lookup(name: &str) -> Option<&'static FuncDef> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// The table entry for an id.
pub fn def(id: FnId) -> &'static FuncDef {
    FUNCTIONS
        .iter()
        .find(|f| f.id == id)
        .expect("every FnId has an entry")
}

fn want(args: &[Type], i: usize, t: &Type, f: &str) -> Result<(), String> {
    match args.get(i) {
        Some(a) if !a.fits(t) => Err(format!(
            "argument {} of `{f}` must be {t}, but it is {a}",
            i + 1
        )),
        _ => Ok(()),
    }
}

fn strs(args: &[Type], f: &str) -> Result<(), String> {
    (0..args.len()).try_for_each(|i| want(args, i, &Type::Str, f))
}

fn r_len(a: &[Type]) -> Result<Type, String> {
    match &a[0] {
        Type::Str | Type::List(_) | Type::Record(_) | Type::Any => Ok(Type::Int),
        t => Err(format!(
            "`len` needs a str, list or record, but this is {t}"
        )),
    }
}
fn r_str_str(a: &[Type]) -> Result<Type, String> {
    strs(a, "this function").map(|_| Type::Str)
}
fn r_split(a: &[Type]) -> Result<Type, String> {
    strs(a, "split").map(|_| Type::list(Type::Str))
}
fn r_str_bool(a: &[Type]) -> Result<Type, String> {
    strs(a, "this function").map(|_| Type::Bool)
}
fn r_contains(a: &[Type]) -> Result<Type, String> {
    match &a[0] {
        Type::Str => want(a, 1, &Type::Str, "contains").map(|_| Type::Bool),
        Type::List(_) | Type::Record(_) | Type::Any => Ok(Type::Bool),
        t => Err(format!(
            "`contains` needs a str, list or record, but this is {t}"
        )),
    }
}
fn r_int(a: &[Type]) -> Result<Type, String> {
    match &a[0] {
        Type::Str | Type::Int | Type::Float | Type::Bool | Type::Any => Ok(Type::Int),
        t => Err(format!("`int` converts str, int, float or bool, not {t}")),
    }
}
fn r_float(a: &[Type]) -> Result<Type, String> {
    match &a[0] {
        Type::Str | Type::Int | Type::Float | Type::Bool | Type::Any => Ok(Type::Float),
        t => Err(format!("`float` converts str, int, float or bool, not {t}")),
    }
}
fn r_str(_: &[Type]) -> Result<Type, String> {
    Ok(Type::Str)
}
fn r_abs(a: &[Type]) -> Result<Type, String> {
    match &a[0] {
        t @ (Type::Int | Type::Float | Type::Any) => Ok(t.clone()),
        Type::Bool => Ok(Type::Int),
        t => Err(format!("`abs` needs a number, not {t}")),
    }
}
fn r_round(a: &[Type]) -> Result<Type, String> {
    want(a, 1, &Type::Int, "round")?;
    match (&a[0], a.len()) {
        (Type::Int | Type::Bool, _) => Ok(Type::Int),
        (Type::Float, 1) => Ok(Type::Int),
        (Type::Float, _) => Ok(Type::Float),
        (Type::Any, _) => Ok(Type::Any),
        (t, _) => Err(format!("`round` needs a number, not {t}")),
    }
}

macro_rules! func {
    ($id:ident, $name:literal, $arity:expr, $sig:literal, $rule:expr, $summary:literal) => {
        FuncDef {
            id: FnId::$id,
            name: $name,
            arity: $arity,
            signature: $sig,
            rule: $rule,
            summary: $summary,
            checked: &[],
        }
    };
    ($id:ident, $name:literal, $arity:expr, $sig:literal, $rule:expr, $summary:literal, $checked:expr) => {
        FuncDef {
            checked: $checked,
            ..func!($id, $name, $arity, $sig, $rule, $summary)
        }
    };
}

pub static FUNCTIONS: &[FuncDef] = &[
    func!(
        Len,
        "len",
        (1, 1),
        "len(x)",
        r_len,
        "code points of a str, items of a list, keys of a record"
    ),
    func!(
        Lower,
        "lower",
        (1, 1),
        "lower(s)",
        r_str_str,
        "Python's s.lower()"
    ),
    func!(
        Upper,
        "upper",
        (1, 1),
        "upper(s)",
        r_str_str,
        "Python's s.upper()"
    ),
    func!(
        Strip,
        "strip",
        (1, 2),
        "strip(s, [chars])",
        r_str_str,
        "Python's s.strip() / s.strip(chars)"
    ),
    func!(
        Split,
        "split",
        (1, 2),
        "split(s, [sep])",
        r_split,
        "Python's s.split() / s.split(sep), as a list",
        &[(1, PKind::Sep)]
    ),
    func!(
        Replace,
        "replace",
        (3, 3),
        "replace(s, old, new)",
        r_str_str,
        "Python's s.replace(old, new)"
    ),
    func!(
        StartsWith,
        "starts_with",
        (2, 2),
        "starts_with(s, prefix)",
        r_str_bool,
        "s starts with prefix"
    ),
    func!(
        EndsWith,
        "ends_with",
        (2, 2),
        "ends_with(s, suffix)",
        r_str_bool,
        "s ends with suffix"
    ),
    func!(
        Contains,
        "contains",
        (2, 2),
        "contains(x, part)",
        r_contains,
        "substring of a str, item of a list, key of a record"
    ),
    func!(
        Matches,
        "matches",
        (2, 2),
        "matches(s, regex)",
        r_str_bool,
        "the regex matches anywhere in s (Python's re.search); anchor with ^…$",
        &[(1, PKind::Regex)]
    ),
    func!(
        NotDelim,
        "not_delim",
        (1, 1),
        "not_delim(s)",
        r_str_bool,
        "s is not one of the 26 one-character delimiters"
    ),
    func!(
        Int,
        "int",
        (1, 1),
        "int(x)",
        r_int,
        "Python's int(x): parses a str, truncates a float"
    ),
    func!(
        Float,
        "float",
        (1, 1),
        "float(x)",
        r_float,
        "Python's float(x)"
    ),
    func!(Str, "str", (1, 1), "str(x)", r_str, "Python's str(x)"),
    func!(Abs, "abs", (1, 1), "abs(x)", r_abs, "absolute value"),
    func!(
        Round,
        "round",
        (1, 2),
        "round(x, [ndigits])",
        r_round,
        "Python's round: half to even"
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_unique() {
        for (i, a) in FUNCTIONS.iter().enumerate() {
            for b in &FUNCTIONS[i + 1..] {
                assert_ne!(a.name, b.name);
            }
        }
    }

    #[test]
    fn rules() {
        assert_eq!((lookup("len").unwrap().rule)(&[Type::Str]), Ok(Type::Int));
        assert!((lookup("len").unwrap().rule)(&[Type::Int]).is_err());
        assert_eq!(
            (lookup("round").unwrap().rule)(&[Type::Float]),
            Ok(Type::Int)
        );
        assert!((lookup("starts_with").unwrap().rule)(&[Type::Str, Type::Int]).is_err());
    }
}
