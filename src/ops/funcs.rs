//! The expression functions of SPEC §3 (`len`, `lower`, `matches`, …): one
//! [`FuncDef`] each, with arity, type rule and help. A bare function name
//! (`filter not_delim`) is the function applied to `it`; a call with one
//! argument fewer than the function takes (`filter starts_with("a")`) gets
//! `it` as its first argument.

use super::{Invalid, PKind};
use crate::types::Type;
use crate::value::Value;

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
    Lstrip,
    Rstrip,
    Find,
    Join,
    Keys,
    Values,
    Type,
    Extract,
    ExtractAll,
    Captures,
    Sub,
    ParseTime,
    FormatTime,
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
    /// `EXPR → RESULT`: a call and its result as JSON, shown in help,
    /// optionally after `it = JSON; ` giving the element; a test evaluates
    /// every example and compares, so help cannot lie.
    pub example: &'static str,
    /// Checks that take several constant arguments together (a group of
    /// a constant regex, a replacement's group references): given each
    /// argument's constant value (`None` when computed), the argument to
    /// blame and why.
    pub consts: Option<ConstCheck>,
}

/// See [`FuncDef::consts`].
pub type ConstCheck = fn(&[Option<&Value>]) -> Result<(), (usize, Invalid)>;

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

fn r_find(a: &[Type]) -> Result<Type, String> {
    strs(a, "find").map(|_| Type::Int)
}
fn r_join(a: &[Type]) -> Result<Type, String> {
    match &a[0] {
        Type::List(t) if !t.fits(&Type::Str) => {
            return Err(format!("`join` joins a list of str, but this is {}", a[0]))
        }
        Type::List(_) | Type::Any => {}
        t => return Err(format!("`join` joins a list of str, not {t}")),
    }
    want(a, 1, &Type::Str, "join").map(|_| Type::Str)
}
fn r_keys(a: &[Type]) -> Result<Type, String> {
    match &a[0] {
        Type::Record(_) | Type::Any => Ok(Type::list(Type::Str)),
        t => Err(format!("`keys` needs a record, not {t}")),
    }
}
fn r_values(a: &[Type]) -> Result<Type, String> {
    match &a[0] {
        Type::Record(Some(fields)) => Ok(Type::list(
            fields
                .iter()
                .map(|(_, t)| t.clone())
                .reduce(|x, y| x.join(&y))
                .unwrap_or(Type::Any),
        )),
        Type::Record(None) | Type::Any => Ok(Type::list(Type::Any)),
        t => Err(format!("`values` needs a record, not {t}")),
    }
}
fn r_type(_: &[Type]) -> Result<Type, String> {
    Ok(Type::Str)
}
fn r_extract(a: &[Type]) -> Result<Type, String> {
    strs(&a[..2], "extract")?;
    match a.get(2) {
        None | Some(Type::Int | Type::Str | Type::Any) => Ok(Type::Any),
        Some(t) => Err(format!(
            "argument 3 of `extract` names a group by int or str, but it is {t}"
        )),
    }
}
fn r_extract_all(a: &[Type]) -> Result<Type, String> {
    strs(a, "extract_all").map(|_| Type::list(Type::Str))
}
fn r_captures(a: &[Type]) -> Result<Type, String> {
    // A record of the named groups, or null when nothing matches.
    strs(a, "captures").map(|_| Type::Any)
}
fn r_parse_time(a: &[Type]) -> Result<Type, String> {
    strs(a, "parse_time").map(|_| Type::Float)
}
fn r_format_time(a: &[Type]) -> Result<Type, String> {
    match &a[0] {
        Type::Int | Type::Float | Type::Any => {}
        t => {
            return Err(format!(
                "`format_time` needs epoch seconds (int or float), not {t}"
            ))
        }
    }
    want(a, 1, &Type::Str, "format_time").map(|_| Type::Str)
}

/// A constant regex argument, compiled (it was checked to compile).
fn const_regex(c: &[Option<&Value>], i: usize) -> Option<regex::Regex> {
    match c.get(i) {
        Some(Some(Value::Str(p))) => crate::text::regex::py_regex(p).ok(),
        _ => None,
    }
}

fn c_extract(c: &[Option<&Value>]) -> Result<(), (usize, Invalid)> {
    use crate::text::pyre::{resolve_group, GroupRef};
    let Some(re) = const_regex(c, 1) else {
        return Ok(());
    };
    let g = match c.get(2) {
        Some(Some(Value::Int(i))) => GroupRef::Index(*i),
        Some(Some(Value::Str(n))) => GroupRef::Name(n),
        _ => return Ok(()),
    };
    resolve_group(&re, g).map(|_| ()).map_err(|m| {
        (
            2,
            Invalid {
                code: "flow::plan::bad_group",
                message: m,
                label: "no such group",
                help: Some("groups are numbered from 1 by their `(`, 0 is the whole match; `(?P<name>…)` names one"),
            },
        )
    })
}

fn c_extract_all(c: &[Option<&Value>]) -> Result<(), (usize, Invalid)> {
    match const_regex(c, 1) {
        Some(re) if crate::text::pyre::group_count(&re) > 1 => Err((
            1,
            Invalid {
                code: "flow::plan::too_many_groups",
                message: format!(
                    "`extract_all` takes a regex with at most one group, but this one has {}",
                    crate::text::pyre::group_count(&re)
                ),
                label: "more than one group",
                help: Some("write `(?:…)` for a group that only groups, or use `captures` to get several named groups of a match"),
            },
        )),
        _ => Ok(()),
    }
}

fn c_sub(c: &[Option<&Value>]) -> Result<(), (usize, Invalid)> {
    let (Some(re), Some(Some(Value::Str(t)))) = (const_regex(c, 1), c.get(2)) else {
        return Ok(());
    };
    crate::text::pyre::parse_template(t, &re)
        .map(|_| ())
        .map_err(|m| {
            (
                2,
                Invalid {
                    code: "flow::plan::bad_replacement",
                    message: format!("invalid replacement: {m}"),
                    label: "this replacement",
                    help: Some("as Python's re.sub: \\1 or \\g<1> is group 1, \\g<name> a named group, \\\\ a backslash"),
                },
            )
        })
}

fn time_format_invalid(m: String) -> (usize, Invalid) {
    (
        1,
        Invalid {
            code: "flow::plan::bad_time_format",
            message: format!("invalid time format: {m}"),
            label: "this format",
            help: Some(
                "the directives are Python's: %Y %m %d %H %M %S %f %z %b %B %a %A %j %y %p %I %%",
            ),
        },
    )
}

fn c_parse_time(c: &[Option<&Value>]) -> Result<(), (usize, Invalid)> {
    match c.get(1) {
        Some(Some(Value::Str(f))) => crate::text::pytime::Strptime::new(f)
            .map(|_| ())
            .map_err(time_format_invalid),
        _ => Ok(()),
    }
}

fn c_format_time(c: &[Option<&Value>]) -> Result<(), (usize, Invalid)> {
    match c.get(1) {
        Some(Some(Value::Str(f))) => {
            crate::text::pytime::check_strftime(f).map_err(time_format_invalid)
        }
        _ => Ok(()),
    }
}

macro_rules! func {
    ($id:ident, $name:literal, $arity:expr, $sig:literal, $rule:expr, $summary:literal, $example:literal) => {
        FuncDef {
            id: FnId::$id,
            name: $name,
            arity: $arity,
            signature: $sig,
            rule: $rule,
            summary: $summary,
            checked: &[],
            example: $example,
            consts: None,
        }
    };
    ($id:ident, $name:literal, $arity:expr, $sig:literal, $rule:expr, $summary:literal, $example:literal, $checked:expr) => {
        FuncDef {
            checked: $checked,
            ..func!($id, $name, $arity, $sig, $rule, $summary, $example)
        }
    };
    ($id:ident, $name:literal, $arity:expr, $sig:literal, $rule:expr, $summary:literal, $example:literal, $checked:expr, $consts:expr) => {
        FuncDef {
            consts: Some($consts),
            ..func!($id, $name, $arity, $sig, $rule, $summary, $example, $checked)
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
        "code points of a str, items of a list, keys of a record",
        "len(\"héllo\") → 5"
    ),
    func!(
        Lower,
        "lower",
        (1, 1),
        "lower(s)",
        r_str_str,
        "Python's s.lower()",
        "lower(\"ÀB\") → \"àb\""
    ),
    func!(
        Upper,
        "upper",
        (1, 1),
        "upper(s)",
        r_str_str,
        "Python's s.upper()",
        "upper(\"straße\") → \"STRASSE\""
    ),
    func!(
        Strip,
        "strip",
        (1, 2),
        "strip(s, [chars])",
        r_str_str,
        "Python's s.strip() / s.strip(chars)",
        "strip(\"xxhixx\", \"x\") → \"hi\""
    ),
    func!(
        Split,
        "split",
        (1, 2),
        "split(s, [sep])",
        r_split,
        "Python's s.split() / s.split(sep), as a list",
        "split(\"a,b,,c\", \",\") → [\"a\",\"b\",\"\",\"c\"]",
        &[(1, PKind::Sep)]
    ),
    func!(
        Replace,
        "replace",
        (3, 3),
        "replace(s, old, new)",
        r_str_str,
        "Python's s.replace(old, new)",
        "replace(\"a-b-c\", \"-\", \"+\") → \"a+b+c\""
    ),
    func!(
        StartsWith,
        "starts_with",
        (2, 2),
        "starts_with(s, prefix)",
        r_str_bool,
        "s starts with prefix",
        "starts_with(\"flow\", \"fl\") → true"
    ),
    func!(
        EndsWith,
        "ends_with",
        (2, 2),
        "ends_with(s, suffix)",
        r_str_bool,
        "s ends with suffix",
        "ends_with(\"flow\", \"fl\") → false"
    ),
    func!(
        Contains,
        "contains",
        (2, 2),
        "contains(x, part)",
        r_contains,
        "substring of a str, item of a list, key of a record",
        "contains([1, 2], 2) → true"
    ),
    func!(
        Matches,
        "matches",
        (2, 2),
        "matches(s, regex)",
        r_str_bool,
        "the regex matches anywhere in s (Python's re.search); anchor with ^…$",
        "matches(\"GET /a\", \"^(GET|POST) \") → true",
        &[(1, PKind::Regex)]
    ),
    func!(
        NotDelim,
        "not_delim",
        (1, 1),
        "not_delim(s)",
        r_str_bool,
        "s is not one of the 26 one-character delimiters",
        "not_delim(\";\") → false"
    ),
    func!(
        Int,
        "int",
        (1, 1),
        "int(x)",
        r_int,
        "Python's int(x): parses a str, truncates a float",
        "int(\" -12 \") → -12"
    ),
    func!(
        Float,
        "float",
        (1, 1),
        "float(x)",
        r_float,
        "Python's float(x)",
        "float(\"1e3\") → 1000.0"
    ),
    func!(
        Str,
        "str",
        (1, 1),
        "str(x)",
        r_str,
        "Python's str(x)",
        "str(2.50) → \"2.5\""
    ),
    func!(
        Abs,
        "abs",
        (1, 1),
        "abs(x)",
        r_abs,
        "absolute value",
        "abs(-3) → 3"
    ),
    func!(
        Round,
        "round",
        (1, 2),
        "round(x, [ndigits])",
        r_round,
        "Python's round: half to even",
        "round(2.675, 2) → 2.67"
    ),
    func!(
        Lstrip,
        "lstrip",
        (1, 2),
        "lstrip(s, [chars])",
        r_str_str,
        "Python's s.lstrip() / s.lstrip(chars)",
        "lstrip(\"  a b \") → \"a b \""
    ),
    func!(
        Rstrip,
        "rstrip",
        (1, 2),
        "rstrip(s, [chars])",
        r_str_str,
        "Python's s.rstrip() / s.rstrip(chars)",
        "rstrip(\"path///\", \"/\") → \"path\""
    ),
    func!(
        Find,
        "find",
        (2, 2),
        "find(s, sub)",
        r_find,
        "Python's s.find(sub): the first index of sub in code points, -1 when absent",
        "find(\"héllo\", \"l\") → 2"
    ),
    func!(
        Join,
        "join",
        (2, 2),
        "join(list, sep)",
        r_join,
        "Python's sep.join(list): the strs of the list with sep between them",
        "join([\"a\", \"b\", \"c\"], \"-\") → \"a-b-c\""
    ),
    func!(
        Keys,
        "keys",
        (1, 1),
        "keys(r)",
        r_keys,
        "the keys of a record, in order",
        "it = {\"b\": 1, \"a\": 2}; keys(it) → [\"b\",\"a\"]"
    ),
    func!(
        Values,
        "values",
        (1, 1),
        "values(r)",
        r_values,
        "the values of a record, in order",
        "it = {\"b\": 1, \"a\": 2}; values(it) → [1,2]"
    ),
    func!(
        Type,
        "type",
        (1, 1),
        "type(x)",
        r_type,
        "the type of a value: \"str\" \"int\" \"float\" \"bool\" \"null\" \"list\" \"record\"",
        "type(2.5) → \"float\""
    ),
    func!(
        Extract,
        "extract",
        (2, 3),
        "extract(s, regex, [group])",
        r_extract,
        "group 1 of the first match (the whole match when the regex has no group), or a group by number or name; null when nothing matches or the group took no part",
        "extract(\"GET /index.html HTTP/1.1\", \"GET (\\\\S+)\") → \"/index.html\"",
        &[(1, PKind::Regex)],
        c_extract
    ),
    func!(
        ExtractAll,
        "extract_all",
        (2, 2),
        "extract_all(s, regex)",
        r_extract_all,
        "Python's re.findall: every match, or its group when the regex has one (at most one)",
        "extract_all(\"a1b22c333\", \"\\\\d+\") → [\"1\",\"22\",\"333\"]",
        &[(1, PKind::Regex)],
        c_extract_all
    ),
    func!(
        Captures,
        "captures",
        (2, 2),
        "captures(s, regex)",
        r_captures,
        "a record of the named groups (?P<name>…) of the first match, or null when nothing matches",
        "captures(\"2024-05\", \"(?P<y>\\\\d+)-(?P<m>\\\\d+)\") → {\"y\":\"2024\",\"m\":\"05\"}",
        &[(1, PKind::Regex)]
    ),
    func!(
        Sub,
        "sub",
        (3, 3),
        "sub(s, regex, repl)",
        r_str_str,
        "Python's re.sub: every match replaced by repl, where \\1 and \\g<name> are groups",
        "sub(\"2024-05-01\", \"(\\\\d+)-(\\\\d+)-(\\\\d+)\", \"\\\\3/\\\\2/\\\\1\") → \"01/05/2024\"",
        &[(1, PKind::Regex)],
        c_sub
    ),
    func!(
        ParseTime,
        "parse_time",
        (2, 2),
        "parse_time(s, format)",
        r_parse_time,
        "seconds since the Unix epoch of a time read as Python's datetime.strptime reads it (UTC unless the format has %z)",
        "parse_time(\"10/Oct/2000:13:55:36 -0700\", \"%d/%b/%Y:%H:%M:%S %z\") → 971211336.0",
        &[],
        c_parse_time
    ),
    func!(
        FormatTime,
        "format_time",
        (2, 2),
        "format_time(t, format)",
        r_format_time,
        "epoch seconds written in UTC as Python's strftime writes them",
        "format_time(971211336, \"%Y-%m-%d %H:00\") → \"2000-10-10 20:00\"",
        &[],
        c_format_time
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
