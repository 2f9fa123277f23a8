//! THE operator catalog: one [`OpDef`] per operator of SPEC §2 — its name,
//! kind, parameters and options (types, defaults), type rule, help and example.
//! The planner, type checker, optimizer, visualizer, REPL help/completion and
//! executor all read this table; nothing else in the crate knows an
//! operator's name. Expression functions have their own table in [`funcs`].
//!
//! Adding an operator = one `OpDef` in [`OPERATORS`] + a new [`OpId`] (the
//! executor's exhaustive `match` on it then asks for the kernel).

pub mod aliases;
pub mod expr;
pub mod funcs;

use crate::syntax::ast::Span;
use crate::types::{Coll, Type};
use crate::value::Value;
use expr::TExpr;

/// Identifies an operator; the executor matches on it exhaustively.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpId {
    ReadText,
    ReadJson,
    ReadCsv,
    Range,
    From,
    Stdin,
    Lower,
    Upper,
    Strip,
    Split,
    Purge,
    Replace,
    Map,
    Filter,
    Flatten,
    Pluck,
    ParseJson,
    ToJson,
    Count,
    Sum,
    Min,
    Max,
    Mean,
    Distinct,
    Frequencies,
    Topk,
    Sort,
    Take,
    Groupby,
    Concat,
    Join,
    WriteText,
    WriteJson,
    WriteCsv,
}

/// What an operator does to partitions; fusion and combining read this, not names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Produces partitions from outside data.
    Source,
    /// One element in, zero or more out, no state: fusable.
    Elementwise,
    /// Needs all elements: split into a per-partition partial step and a merge.
    Aggregate,
    /// Joins several collections.
    Combine,
    /// Pairs each element of its input with the matching elements of a
    /// second collection, held as a hash table built once (`join`): the
    /// input streams partition by partition.
    Join,
    /// Writes a collection to files, in this format.
    Sink(SinkFormat),
}

/// What a sink writes: one line per element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SinkFormat {
    /// The element as text (`str()` of a non-string).
    Text,
    /// The element as compact JSON.
    Json,
    /// A record as a CSV row, under a header row.
    Csv,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Source => "source",
            Kind::Elementwise => "elementwise",
            Kind::Aggregate => "aggregation",
            Kind::Combine => "combining",
            Kind::Join => "join",
            Kind::Sink(_) => "sink",
        }
    }
    pub fn fusable(self) -> bool {
        self == Kind::Elementwise
    }
}

/// What a parameter or option accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PKind {
    /// A path or glob (a string); file errors point at its span.
    Path,
    Str,
    Int,
    /// A byte count: a size literal (`1MiB`) or an integer.
    Size,
    Bool,
    /// Any constant value.
    Value,
    /// A list literal.
    List,
    /// A per-element expression, typed against the input element.
    Expr,
    /// A per-element expression typed against the element of the second
    /// input, the collection argument (`join other_on=`).
    OtherExpr,
    /// An aggregate name: one of [`Agg::ALL`].
    Agg,
    /// A separator string: not empty (`split SEP`, `split(s, SEP)`).
    Sep,
    /// A field separator: one single-byte character (`read_csv sep=`).
    CsvSep,
    /// A regular expression in flow's dialect (`matches(s, RE)`).
    Regex,
    /// A bound collection name.
    Input,
    /// A string, one of the listed choices.
    Choice(&'static [&'static str]),
    /// A record literal of field names → type names (`read_csv types={age: int}`),
    /// held as a record of strings; the names are [`CSV_TYPES`].
    Types,
}

/// The types a `read_csv types=` entry may name.
pub const CSV_TYPES: &[&str] = &["int", "float", "bool", "str"];

impl PKind {
    /// The static type a `types=` entry names.
    pub fn csv_type(name: &str) -> Option<Type> {
        Some(match name {
            "int" => Type::Int,
            "float" => Type::Float,
            "bool" => Type::Bool,
            "str" => Type::Str,
            _ => return None,
        })
    }
}

impl PKind {
    pub fn describe(self) -> String {
        match self {
            PKind::Path => "a path (string)".into(),
            PKind::Str => "a string".into(),
            PKind::Int => "an integer".into(),
            PKind::Size => "a size such as 64KiB".into(),
            PKind::Bool => "true or false".into(),
            PKind::Value => "a value".into(),
            PKind::List => "a list".into(),
            PKind::Expr | PKind::OtherExpr => "an expression".into(),
            PKind::Agg => format!("one of {}", Agg::names().join(" ")),
            PKind::Sep => "a non-empty string".into(),
            PKind::CsvSep => "one single-byte character".into(),
            PKind::Regex => "a regular expression (a string)".into(),
            PKind::Input => "a bound collection name".into(),
            PKind::Types => "a record of type names, such as {age: int, price: float}".into(),
            PKind::Choice(c) => format!(
                "one of {}",
                c.iter()
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Why a constant does not suit its parameter, beyond its type.
#[derive(Debug, PartialEq)]
pub struct Invalid {
    pub code: &'static str,
    pub message: String,
    pub label: &'static str,
    pub help: Option<&'static str>,
}

impl Invalid {
    /// The diagnostic, pointing at the value.
    pub fn at(self, span: Span) -> crate::diag::Diag {
        let d = crate::diag::Diag::script(self.code, self.message).at(span, self.label);
        match self.help {
            Some(h) => d.help(h),
            None => d,
        }
    }
}

impl PKind {
    /// Checks a constant of the right type against what this kind of
    /// parameter accepts — the one place a value is validated, so `flow check`
    /// and a run agree, for operator arguments and function arguments alike.
    pub fn check(self, v: &Value) -> Result<(), Invalid> {
        let invalid = |message: &str, label, help| {
            Err(Invalid {
                code: "flow::plan::bad_option_value",
                message: message.into(),
                label,
                help,
            })
        };
        match (self, v) {
            (PKind::Sep, Value::Str(s)) if s.is_empty() => invalid(
                "empty separator",
                "empty",
                Some("`split` with no separator splits on runs of whitespace"),
            ),
            (PKind::CsvSep, Value::Str(s)) if s.chars().count() != 1 => {
                invalid("`sep` must be one character", "not one character", None)
            }
            (PKind::CsvSep, Value::Str(s)) if s.len() != 1 => invalid(
                "`sep` must be a single-byte character",
                "more than one byte in UTF-8",
                Some("CSV separators are ASCII, such as \",\" \";\" \"|\" or \"\\t\""),
            ),
            (PKind::Size, Value::Int(0)) => invalid(
                "a size of 0 bytes",
                "zero",
                Some("give a size such as 64KiB, or leave the option out for an automatic one"),
            ),
            (PKind::Regex, Value::Str(re)) => match crate::text::regex::py_regex(re) {
                Ok(_) => Ok(()),
                Err(e) => Err(Invalid {
                    code: "flow::plan::bad_regex",
                    message: format!(
                        "invalid regular expression: {}",
                        crate::text::regex::regex_reason(&e)
                    ),
                    label: "this regex",
                    help: Some("regexes use Rust's `regex` syntax: like Python's `re` (`\\s` and `\\w` as in Python), without look-around or backreferences"),
                }),
            },
            _ => Ok(()),
        }
    }
}

/// A positional parameter.
#[derive(Debug)]
pub struct Param {
    pub name: &'static str,
    pub kind: PKind,
    pub required: bool,
    /// Takes all remaining positional arguments (at least one when required).
    pub variadic: bool,
}

/// A required positional parameter.
const fn req(name: &'static str, kind: PKind) -> Param {
    Param {
        name,
        kind,
        required: true,
        variadic: false,
    }
}

/// An optional positional parameter.
const fn opt(name: &'static str, kind: PKind) -> Param {
    Param {
        name,
        kind,
        required: false,
        variadic: false,
    }
}

/// The default of an option.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dflt {
    /// Absent unless given (e.g. `by=`, `blocksize=` → automatic).
    None,
    Str(&'static str),
    Int(i64),
    Bool(bool),
    /// Must be given (`join on=`).
    Required,
    /// The expression given for the named option, typed anew for this
    /// option's kind (`join`'s `other_on` defaults to `on`).
    Same(&'static str),
}

impl Dflt {
    pub fn value(self) -> Option<Value> {
        match self {
            Dflt::None | Dflt::Required | Dflt::Same(_) => None,
            Dflt::Str(s) => Some(Value::str(s)),
            Dflt::Int(i) => Some(Value::Int(i)),
            Dflt::Bool(b) => Some(Value::Bool(b)),
        }
    }
}

/// A named option `name=value`.
#[derive(Debug)]
pub struct OptDef {
    pub name: &'static str,
    pub kind: PKind,
    pub default: Dflt,
    pub doc: &'static str,
}

/// What an operator needs from its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// A source: no input.
    None,
    /// A bag whose elements are of this kind.
    Bag(Need),
    /// A bag or a scalar.
    Any,
}

/// The kind of element an operator needs (`any` elements pass, checked at run time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    Any,
    Str,
    List,
    Record,
}

impl Need {
    pub fn accepts(self, t: &Type) -> bool {
        match self {
            Need::Any => true,
            Need::Str => t.fits(&Type::Str),
            Need::List => matches!(t, Type::List(_) | Type::Any),
            Need::Record => matches!(t, Type::Record(_) | Type::Any),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Need::Any => "any",
            Need::Str => "str",
            Need::List => "list",
            Need::Record => "record",
        }
    }
}

/// The aggregates `groupby` accepts; each names the field it makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Agg {
    Count,
    Sum,
    Min,
    Max,
    Mean,
    Collect,
}

impl Agg {
    pub const ALL: [Agg; 6] = [
        Agg::Count,
        Agg::Sum,
        Agg::Min,
        Agg::Max,
        Agg::Mean,
        Agg::Collect,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Agg::Count => "count",
            Agg::Sum => "sum",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Mean => "mean",
            Agg::Collect => "collect",
        }
    }
    pub fn parse(name: &str) -> Option<Agg> {
        Agg::ALL.into_iter().find(|a| a.name() == name)
    }
    pub fn names() -> Vec<&'static str> {
        Agg::ALL.iter().map(|a| a.name()).collect()
    }
}

impl std::fmt::Display for Agg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A resolved argument of one operator instance.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// A literal or bound constant (sizes are `Int` byte counts).
    Value(Value),
    /// A per-element expression.
    Expr(TExpr),
    /// An aggregate (`groupby`).
    Agg(Agg),
    /// A bound collection (its node becomes an input edge).
    Input(String),
}

/// An argument with where it was written (`None` for a default).
#[derive(Clone, Debug, PartialEq)]
pub struct ArgVal {
    pub arg: Arg,
    pub span: Option<Span>,
}

/// Why a type rule rejected a stage: a message, and the positional argument
/// it is about (`None`: the input or the stage as a whole).
#[derive(Debug, PartialEq)]
pub struct Bad {
    pub msg: String,
    pub arg: Option<usize>,
}

impl From<String> for Bad {
    fn from(msg: String) -> Bad {
        Bad { msg, arg: None }
    }
}

fn bad_arg(i: usize, msg: impl Into<String>) -> Bad {
    Bad {
        msg: msg.into(),
        arg: Some(i),
    }
}

/// What a type rule sees.
pub struct Cx<'a> {
    /// The element type of the input (`None` for sources).
    pub elem: Option<&'a Type>,
    /// The collection types of all inputs (the pipeline input first).
    pub inputs: &'a [Coll],
    pub args: &'a [ArgVal],
    pub opts: &'a [(&'static str, Option<ArgVal>)],
    /// A file source's field names, when the driver read them while checking
    /// (the header of `read_csv`'s first file).
    pub schema: Option<&'a [String]>,
}

impl Cx<'_> {
    pub fn arg(&self, i: usize) -> Option<&Arg> {
        self.args.get(i).map(|a| &a.arg)
    }
    pub fn opt(&self, name: &str) -> Option<&Arg> {
        self.opts
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, a)| a.as_ref().map(|a| &a.arg))
    }
    fn elem(&self) -> Type {
        self.elem.cloned().unwrap_or(Type::Any)
    }
    /// The type of the expression argument `i`, or of the element when absent.
    fn expr_or_elem(&self, i: usize) -> Type {
        match self.arg(i) {
            Some(Arg::Expr(e)) => e.ty.clone(),
            _ => self.elem(),
        }
    }
}

/// One entry of the catalog.
#[derive(Debug)]
pub struct OpDef {
    pub id: OpId,
    pub name: &'static str,
    pub kind: Kind,
    pub params: &'static [Param],
    pub options: &'static [OptDef],
    pub input: Input,
    /// The output collection type, given resolved arguments; `Err` is a message
    /// about the arguments (the input itself is checked against `input` first).
    pub rule: fn(&Cx) -> Result<Coll, Bad>,
    pub summary: &'static str,
    pub example: &'static str,
    /// Whether the result depends on the order of the input elements. When
    /// it does not (`count`, `topk`, …), the step that feeds it may skip
    /// ordering its output (e.g. `frequencies` need not sort before `topk`).
    pub sees_order: bool,
    /// The merged result is `{value, count}` records, so a `topk N` by
    /// count right after it needs only the N best candidates made into
    /// records (the merge keeps counts unboxed until then).
    pub yields_counts: bool,
}

/// Operators are unique by id; comparing the entries compares the ids.
impl PartialEq for OpDef {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl OpDef {
    /// `read_text GLOB [blocksize=SIZE] ...`
    pub fn signature(&self) -> String {
        let mut s = self.name.to_string();
        for p in self.params {
            let name = p.name.to_uppercase();
            let name = if p.variadic {
                format!("{name}...")
            } else {
                name
            };
            if p.required {
                s += &format!(" {name}");
            } else {
                s += &format!(" [{name}]");
            }
        }
        for o in self.options {
            if o.default == Dflt::Required {
                let v = if o.kind == PKind::Expr { "EXPR" } else { "V" };
                s += &format!(" {}={v}", o.name);
                continue;
            }
            s += &format!(" [{}=", o.name);
            s += &match (o.kind, o.default) {
                (PKind::Choice(c), _) => c
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join("|"),
                (_, Dflt::Str(d)) => format!("\"{d}\""),
                (_, Dflt::Int(d)) => d.to_string(),
                (_, Dflt::Bool(d)) => d.to_string(),
                (_, Dflt::Same(o)) => o.to_uppercase(),
                (_, Dflt::Required) => unreachable!("written above"),
                (k, Dflt::None) => match k {
                    PKind::Size => "SIZE".into(),
                    PKind::Expr => "EXPR".into(),
                    PKind::Types => "{FIELD: TYPE, ...}".into(),
                    _ => "V".into(),
                },
            };
            s += "]";
        }
        s
    }
    pub fn option(&self, name: &str) -> Option<&'static OptDef> {
        let all: &'static [OptDef] = self.options;
        all.iter().find(|o| o.name == name)
    }
}

/// Looks an operator up by name.
pub fn lookup(name: &str) -> Option<&'static OpDef> {
    OPERATORS.iter().find(|o| o.name == name)
}

/// The catalog entry for an id.
pub fn def(id: OpId) -> &'static OpDef {
    OPERATORS
        .iter()
        .find(|o| o.id == id)
        .expect("every OpId has an entry")
}

/// The closest operator name, for "did you mean …?".
pub fn closest(name: &str) -> Option<&'static str> {
    closest_in(name, OPERATORS.iter().map(|o| o.name))
}

/// The candidate closest to `name` by edit distance, if close enough to be a typo.
pub fn closest_in<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3) && *d < c.len().max(name.len()))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

// ---- type rules -------------------------------------------------------------

fn same(cx: &Cx) -> Result<Coll, Bad> {
    Ok(Coll::Bag(cx.elem()))
}
fn bag_str(_: &Cx) -> Result<Coll, Bad> {
    Ok(Coll::Bag(Type::Str))
}
fn bag_any(_: &Cx) -> Result<Coll, Bad> {
    Ok(Coll::Bag(Type::Any))
}
fn written(_: &Cx) -> Result<Coll, Bad> {
    Ok(Coll::Written)
}

fn rule_range(_: &Cx) -> Result<Coll, Bad> {
    Ok(Coll::Bag(Type::Int))
}
/// A record with the fields of the header read at check time (every field
/// `str` unless `types=` names it), or a record of unknown fields when the
/// file could not be read then (the run reports why).
fn rule_read_csv(cx: &Cx) -> Result<Coll, Bad> {
    let Some(names) = cx.schema else {
        return Ok(Coll::Bag(Type::Record(None)));
    };
    let types = match cx.opt("types") {
        Some(Arg::Value(Value::Record(r))) => Some(r),
        _ => None,
    };
    let fields = names
        .iter()
        .map(|n| {
            let t = match types.and_then(|r| r.get(n)) {
                Some(Value::Str(t)) => PKind::csv_type(t).unwrap_or(Type::Str),
                _ => Type::Str,
            };
            (n.clone(), t)
        })
        .collect();
    Ok(Coll::Bag(Type::Record(Some(fields))))
}
fn rule_from(cx: &Cx) -> Result<Coll, Bad> {
    match cx.arg(0) {
        Some(Arg::Value(v @ Value::List(_))) => match v.type_of() {
            Type::List(t) => Ok(Coll::Bag(*t)),
            _ => unreachable!(),
        },
        _ => Err(bad_arg(0, "`from` takes a list, e.g. `from [1, 2, 3]`")),
    }
}
fn rule_map(cx: &Cx) -> Result<Coll, Bad> {
    Ok(Coll::Bag(cx.expr_or_elem(0)))
}
fn rule_filter(cx: &Cx) -> Result<Coll, Bad> {
    let t = cx.expr_or_elem(0);
    if !t.fits(&Type::Bool) {
        return Err(bad_arg(
            0,
            format!("the condition of `filter` must be bool, but this is {t}"),
        ));
    }
    Ok(Coll::Bag(cx.elem()))
}
fn rule_flatten(cx: &Cx) -> Result<Coll, Bad> {
    Ok(Coll::Bag(match cx.elem() {
        Type::List(t) => *t,
        _ => Type::Any,
    }))
}
fn rule_pluck(cx: &Cx) -> Result<Coll, Bad> {
    let elem = cx.elem();
    let t = match (cx.arg(0), &elem) {
        (Some(Arg::Value(Value::Str(k))), _) => match elem.field(k) {
            Some(t) => t,
            None if matches!(elem, Type::List(_)) => {
                return Err(bad_arg(
                    0,
                    format!("elements are {elem}: pluck a list by index, e.g. `pluck 0`"),
                ))
            }
            None if cx.opt("default").is_some() => Type::Any,
            None => {
                return Err(bad_arg(
                    0,
                    format!("elements are {elem}, which has no field \"{k}\""),
                ))
            }
        },
        (Some(Arg::Value(Value::Int(_))), Type::List(t)) => (**t).clone(),
        (Some(Arg::Value(Value::Int(_))), Type::Any) => Type::Any,
        (Some(Arg::Value(Value::Int(_))), _) => {
            return Err(bad_arg(
                0,
                format!("elements are {elem}: an integer key needs list elements"),
            ))
        }
        _ => {
            return Err(bad_arg(
                0,
                "`pluck` takes a field name (string) or a list index (integer)",
            ))
        }
    };
    Ok(Coll::Bag(match cx.opt("default") {
        Some(Arg::Value(v)) if v.type_of() != t => Type::Any,
        _ => t,
    }))
}
fn rule_count(_: &Cx) -> Result<Coll, Bad> {
    Ok(Coll::Scalar(Type::Int))
}
fn numeric(cx: &Cx, op: &str) -> Result<Type, Bad> {
    let t = cx.expr_or_elem(0);
    match t {
        Type::Int | Type::Float | Type::Any => Ok(t),
        Type::Bool => Ok(Type::Int),
        t => Err(Bad {
            msg: format!("`{op}` needs numbers, but the values are {t}"),
            arg: cx.arg(0).map(|_| 0),
        }),
    }
}
fn rule_sum(cx: &Cx) -> Result<Coll, Bad> {
    numeric(cx, "sum").map(Coll::Scalar)
}
fn rule_mean(cx: &Cx) -> Result<Coll, Bad> {
    numeric(cx, "mean").map(|_| Coll::Scalar(Type::Float))
}
fn rule_minmax(cx: &Cx) -> Result<Coll, Bad> {
    Ok(Coll::Scalar(cx.expr_or_elem(0)))
}
fn rule_frequencies(cx: &Cx) -> Result<Coll, Bad> {
    Ok(Coll::Bag(Type::record(&[
        ("value", cx.elem()),
        ("count", Type::Int),
    ])))
}
fn positive_n(cx: &Cx, op: &str) -> Result<(), Bad> {
    match cx.arg(0) {
        Some(Arg::Value(Value::Int(n))) if *n >= 0 => Ok(()),
        _ => Err(bad_arg(0, format!("`{op}` takes a count N ≥ 0"))),
    }
}
fn rule_topk(cx: &Cx) -> Result<Coll, Bad> {
    positive_n(cx, "topk")?;
    same(cx)
}
fn rule_sort(cx: &Cx) -> Result<Coll, Bad> {
    match cx.opt("limit") {
        Some(Arg::Value(Value::Int(n))) if *n < 0 => {
            Err("`sort … limit=N` takes a count N ≥ 0".to_string().into())
        }
        _ => same(cx),
    }
}
fn rule_take(cx: &Cx) -> Result<Coll, Bad> {
    positive_n(cx, "take")?;
    same(cx)
}
fn rule_groupby(cx: &Cx) -> Result<Coll, Bad> {
    let key = cx.expr_or_elem(0);
    let agg = match cx.arg(1) {
        Some(Arg::Agg(a)) => *a,
        _ => {
            return Err(bad_arg(
                1,
                format!("`groupby` needs an aggregate: {}", Agg::names().join(" ")),
            ))
        }
    };
    let vals = cx.expr_or_elem(2);
    let vt = match agg {
        Agg::Count => Type::Int,
        Agg::Sum => match vals {
            Type::Int | Type::Float | Type::Any => vals,
            Type::Bool => Type::Int,
            t => {
                return Err(Bad {
                    msg: format!("`groupby … sum` needs numbers, but the values are {t}"),
                    arg: cx.arg(2).map(|_| 2),
                })
            }
        },
        Agg::Mean => match vals {
            Type::Int | Type::Float | Type::Any | Type::Bool => Type::Float,
            t => {
                return Err(Bad {
                    msg: format!("`groupby … mean` needs numbers, but the values are {t}"),
                    arg: cx.arg(2).map(|_| 2),
                })
            }
        },
        Agg::Collect => Type::list(vals),
        Agg::Min | Agg::Max => vals,
    };
    Ok(Coll::Bag(Type::record(&[("key", key), (agg.name(), vt)])))
}
fn rule_concat(cx: &Cx) -> Result<Coll, Bad> {
    let mut t: Option<Type> = None;
    for c in cx.inputs {
        match c {
            Coll::Bag(e) => t = Some(t.map_or(e.clone(), |t| t.join(e))),
            other => return Err(format!("`concat` joins bags, but one input is {other}").into()),
        }
    }
    Ok(Coll::Bag(t.unwrap_or(Type::Any)))
}

fn rule_join(cx: &Cx) -> Result<Coll, Bad> {
    let Some(left) = cx.elem else {
        return Err("`join` needs an input: the left side, e.g. `orders | join users on=.user_id other_on=.id`".to_string().into());
    };
    let right = match cx.inputs.get(1) {
        Some(Coll::Bag(t)) => t.clone(),
        Some(other) => {
            return Err(bad_arg(
                0,
                format!("`join` pairs elements with a bag, but this is {other}"),
            ))
        }
        None => Type::Any,
    };
    // With how="left" the right side may be null.
    let right = match cx.opt("how") {
        Some(Arg::Value(Value::Str(h))) if &**h == "left" => right.join(&Type::Null),
        _ => right,
    };
    Ok(Coll::Bag(Type::record(&[
        ("left", left.clone()),
        ("right", right),
    ])))
}

// ---- the table ----------------------------------------------------------------

const HOWS: &[&str] = &["inner", "left"];
const ENCODINGS: &[&str] = &["utf-8", "latin-1"];
const ERRORS: &[&str] = &["strict", "replace", "ignore"];
const COMPRESSIONS: &[&str] = &["infer", "gzip", "none"];

const GLOB: &[Param] = &[req("glob", PKind::Path)];
const PATH: &[Param] = &[req("path", PKind::Path)];
const NONE: &[Param] = &[];
const OPT_EXPR: &[Param] = &[opt("expr", PKind::Expr)];
const EXPR: &[Param] = &[req("expr", PKind::Expr)];
const N: &[Param] = &[req("n", PKind::Int)];
const CHARS: &[Param] = &[opt("chars", PKind::Str)];

const TEXT_OPTS: &[OptDef] = &[
    OptDef {
        name: "blocksize",
        kind: PKind::Size,
        default: Dflt::None,
        doc: "split files into partitions of about this many bytes (default: automatic)",
    },
    OptDef {
        name: "encoding",
        kind: PKind::Choice(ENCODINGS),
        default: Dflt::Str("utf-8"),
        doc: "how the bytes are decoded",
    },
    OptDef {
        name: "errors",
        kind: PKind::Choice(ERRORS),
        default: Dflt::Str("strict"),
        doc: "what to do with bytes that are not valid in the encoding",
    },
    OptDef {
        name: "compression",
        kind: PKind::Choice(COMPRESSIONS),
        default: Dflt::Str("infer"),
        doc: "`infer` decompresses files ending in .gz",
    },
];
const CSV_OPTS: &[OptDef] = &[
    OptDef {
        name: "blocksize",
        kind: PKind::Size,
        default: Dflt::None,
        doc: "split files into partitions of about this many bytes, each starting at a row (default: automatic)",
    },
    OptDef {
        name: "sep",
        kind: PKind::CsvSep,
        default: Dflt::Str(","),
        doc: "the field separator (one character)",
    },
    OptDef {
        name: "header",
        kind: PKind::Bool,
        default: Dflt::Bool(true),
        doc: "the first row names the fields; otherwise fields are named c0, c1, …",
    },
    OptDef {
        name: "types",
        kind: PKind::Types,
        default: Dflt::None,
        doc: "fields converted from text: {FIELD: int|float|bool|str, ...}; an empty field is null",
    },
    OptDef {
        name: "encoding",
        kind: PKind::Choice(ENCODINGS),
        default: Dflt::Str("utf-8"),
        doc: "how the bytes are decoded",
    },
    OptDef {
        name: "compression",
        kind: PKind::Choice(COMPRESSIONS),
        default: Dflt::Str("infer"),
        doc: "`infer` decompresses files ending in .gz",
    },
];
const NO_OPTS: &[OptDef] = &[];
const BY_OPT: &[OptDef] = &[OptDef {
    name: "by",
    kind: PKind::Expr,
    default: Dflt::None,
    doc: "the sort key (default: the `count` field of a record that has one, else the element)",
}];

macro_rules! op {
    ($id:ident, $name:literal, $kind:expr, $params:expr, $opts:expr, $input:expr, $rule:expr, $summary:literal, $example:literal) => {
        OpDef {
            id: OpId::$id,
            name: $name,
            kind: $kind,
            params: $params,
            options: $opts,
            input: $input,
            rule: $rule,
            summary: $summary,
            example: $example,
            sees_order: !matches!(
                OpId::$id,
                OpId::Count
                    | OpId::Sum
                    | OpId::Min
                    | OpId::Max
                    | OpId::Mean
                    | OpId::Distinct
                    | OpId::Frequencies
                    | OpId::Topk
            ),
            yields_counts: matches!(OpId::$id, OpId::Frequencies),
        }
    };
}

/// Every operator, in the order `:ops` lists them.
pub static OPERATORS: &[OpDef] = &[
    // sources
    op!(
        ReadText,
        "read_text",
        Kind::Source,
        GLOB,
        TEXT_OPTS,
        Input::None,
        bag_str,
        "lines of every file the glob matches (sorted by path), without line endings",
        r#"read_text "data/*.txt" blocksize=1MiB"#
    ),
    op!(
        ReadJson,
        "read_json",
        Kind::Source,
        GLOB,
        TEXT_OPTS,
        Input::None,
        bag_any,
        "one JSON value per non-blank line (JSON Lines)",
        r#"read_json "data/events.jsonl" | pluck "user""#
    ),
    op!(
        ReadCsv,
        "read_csv",
        Kind::Source,
        GLOB,
        CSV_OPTS,
        Input::None,
        rule_read_csv,
        "one record per CSV row, fields as strings unless `types=` converts them",
        r#"read_csv "data/people.csv" | pluck "name""#
    ),
    op!(
        Range,
        "range",
        Kind::Source,
        N,
        NO_OPTS,
        Input::None,
        rule_range,
        "the integers 0 .. N-1",
        "range 10 | map it * it"
    ),
    op!(
        From,
        "from",
        Kind::Source,
        &[req("values", PKind::List)],
        NO_OPTS,
        Input::None,
        rule_from,
        "a literal sequence of values",
        r#"from ["a", "b", "a"] | frequencies"#
    ),
    op!(
        Stdin,
        "stdin",
        Kind::Source,
        NONE,
        NO_OPTS,
        Input::None,
        bag_str,
        "lines of standard input",
        "stdin | count"
    ),
    // elementwise
    op!(
        Lower,
        "lower",
        Kind::Elementwise,
        NONE,
        NO_OPTS,
        Input::Bag(Need::Str),
        bag_str,
        "lower-case each string (Python's str.lower, full Unicode)",
        r#"from ["ÀB"] | lower"#
    ),
    op!(
        Upper,
        "upper",
        Kind::Elementwise,
        NONE,
        NO_OPTS,
        Input::Bag(Need::Str),
        bag_str,
        "upper-case each string (Python's str.upper, full Unicode)",
        r#"from ["straße"] | upper"#
    ),
    op!(
        Strip,
        "strip",
        Kind::Elementwise,
        CHARS,
        NO_OPTS,
        Input::Bag(Need::Str),
        bag_str,
        "remove leading and trailing whitespace, or the given characters",
        r#"from ["  a  ", "--b--"] | strip | strip "-""#
    ),
    op!(
        Split,
        "split",
        Kind::Elementwise,
        &[opt("sep", PKind::Sep)],
        NO_OPTS,
        Input::Bag(Need::Str),
        bag_str,
        "split each string into pieces, each piece an element (Python's str.split)",
        r#"from ["a b  c", "x,y"] | split"#
    ),
    op!(
        Purge,
        "purge",
        Kind::Elementwise,
        CHARS,
        NO_OPTS,
        Input::Bag(Need::Str),
        bag_str,
        "replace every listed character by a space (default: the 26 delimiters)",
        r#"from ["end. (start)"] | purge"#
    ),
    op!(
        Replace,
        "replace",
        Kind::Elementwise,
        &[req("old", PKind::Str), req("new", PKind::Str)],
        NO_OPTS,
        Input::Bag(Need::Str),
        bag_str,
        "replace every occurrence of OLD by NEW (Python's str.replace)",
        r#"from ["a-b-c"] | replace "-" "+""#
    ),
    op!(
        Map,
        "map",
        Kind::Elementwise,
        EXPR,
        NO_OPTS,
        Input::Bag(Need::Any),
        rule_map,
        "the value of EXPR for each element",
        "range 5 | map it * 2 + 1"
    ),
    op!(
        Filter,
        "filter",
        Kind::Elementwise,
        EXPR,
        NO_OPTS,
        Input::Bag(Need::Any),
        rule_filter,
        "keep the elements for which EXPR is true",
        "range 10 | filter it % 3 == 0"
    ),
    op!(
        Flatten,
        "flatten",
        Kind::Elementwise,
        NONE,
        NO_OPTS,
        Input::Bag(Need::List),
        rule_flatten,
        "each item of each list, as an element",
        "from [[1, 2], [3]] | flatten"
    ),
    op!(
        Pluck,
        "pluck",
        Kind::Elementwise,
        &[req("key", PKind::Value)],
        &[OptDef {
            name: "default",
            kind: PKind::Value,
            default: Dflt::None,
            doc: "the value when the key is missing (default: a missing key is an error)"
        }],
        Input::Bag(Need::Any),
        rule_pluck,
        "the field KEY of each record (or item KEY of each list)",
        r#"read_json "data/events.jsonl" | pluck "user""#
    ),
    op!(
        ParseJson,
        "parse_json",
        Kind::Elementwise,
        NONE,
        NO_OPTS,
        Input::Bag(Need::Str),
        bag_any,
        "parse each string as JSON",
        r#"from ["{\"a\": 1}"] | parse_json | pluck "a""#
    ),
    op!(
        ToJson,
        "to_json",
        Kind::Elementwise,
        NONE,
        NO_OPTS,
        Input::Bag(Need::Any),
        bag_str,
        "each element as a line of JSON",
        "range 3 | map [it, it * 2] | to_json"
    ),
    // aggregations
    op!(
        Count,
        "count",
        Kind::Aggregate,
        NONE,
        NO_OPTS,
        Input::Bag(Need::Any),
        rule_count,
        "the number of elements",
        r#"read_text "data/*.txt" | count"#
    ),
    op!(
        Sum,
        "sum",
        Kind::Aggregate,
        OPT_EXPR,
        NO_OPTS,
        Input::Bag(Need::Any),
        rule_sum,
        "the sum of the elements, or of EXPR over them",
        "range 101 | sum"
    ),
    op!(
        Min,
        "min",
        Kind::Aggregate,
        OPT_EXPR,
        NO_OPTS,
        Input::Bag(Need::Any),
        rule_minmax,
        "the smallest element, or smallest EXPR (null when empty)",
        "from [3, 1, 2] | min"
    ),
    op!(
        Max,
        "max",
        Kind::Aggregate,
        OPT_EXPR,
        NO_OPTS,
        Input::Bag(Need::Any),
        rule_minmax,
        "the largest element, or largest EXPR (null when empty)",
        r#"from ["a", "ccc", "bb"] | max len"#
    ),
    op!(
        Mean,
        "mean",
        Kind::Aggregate,
        OPT_EXPR,
        NO_OPTS,
        Input::Bag(Need::Any),
        rule_mean,
        "the arithmetic mean (null when empty)",
        "range 10 | mean"
    ),
    op!(
        Distinct,
        "distinct",
        Kind::Aggregate,
        NONE,
        NO_OPTS,
        Input::Bag(Need::Any),
        same,
        "each value once, sorted by value",
        r#"from ["b", "a", "b"] | distinct"#
    ),
    op!(
        Frequencies,
        "frequencies",
        Kind::Aggregate,
        NONE,
        NO_OPTS,
        Input::Bag(Need::Any),
        rule_frequencies,
        "how often each value occurs, by count descending then value ascending",
        r#"from ["b", "a", "b"] | frequencies"#
    ),
    op!(
        Topk,
        "topk",
        Kind::Aggregate,
        N,
        BY_OPT,
        Input::Bag(Need::Any),
        rule_topk,
        "the N largest elements by EXPR; ties by value ascending",
        "range 100 | topk 3 by=(it % 7)"
    ),
    op!(
        Sort,
        "sort",
        Kind::Aggregate,
        NONE,
        &[
            OptDef {
                name: "by",
                kind: PKind::Expr,
                default: Dflt::None,
                doc: "the sort key (default: the element)"
            },
            OptDef {
                name: "desc",
                kind: PKind::Bool,
                default: Dflt::Bool(false),
                doc: "largest first"
            },
            OptDef {
                name: "limit",
                kind: PKind::Int,
                default: Dflt::None,
                doc: "keep only the first N in sorted order (what `sort | take N` becomes)"
            },
        ],
        Input::Bag(Need::Any),
        rule_sort,
        "a stable global sort",
        r#"from ["bb", "a", "ccc"] | sort by=len desc=true"#
    ),
    op!(
        Take,
        "take",
        Kind::Aggregate,
        N,
        NO_OPTS,
        Input::Bag(Need::Any),
        rule_take,
        "the first N elements in input order; reading stops once they are known",
        r#"read_text "data/*.txt" | take 5"#
    ),
    op!(
        Groupby,
        "groupby",
        Kind::Aggregate,
        &[
            req("key", PKind::Expr),
            req("agg", PKind::Agg),
            opt("expr", PKind::Expr),
        ],
        NO_OPTS,
        Input::Bag(Need::Any),
        rule_groupby,
        "one record {key, AGG} per key, ordered by key; AGG is count sum min max mean collect",
        r#"from ["apple", "bob", "cat", "anna"] | groupby len count"#
    ),
    // combining
    op!(
        Concat,
        "concat",
        Kind::Combine,
        &[Param {
            name: "inputs",
            kind: PKind::Input,
            required: true,
            variadic: true
        }],
        NO_OPTS,
        Input::Bag(Need::Any),
        rule_concat,
        "the elements of the bound collections, in order",
        "let a = range 3\nlet b = range 2\nconcat a b"
    ),
    op!(
        Join,
        "join",
        Kind::Join,
        &[req("other", PKind::Input)],
        &[
            OptDef {
                name: "on",
                kind: PKind::Expr,
                default: Dflt::Required,
                doc: "the key of each element, compared with `other_on` of OTHER's",
            },
            OptDef {
                name: "other_on",
                kind: PKind::OtherExpr,
                default: Dflt::Same("on"),
                doc: "the key of each element of OTHER (default: the `on` expression)",
            },
            OptDef {
                name: "how",
                kind: PKind::Choice(HOWS),
                default: Dflt::Str("inner"),
                doc: "\"left\" also keeps elements that match nothing, paired with null",
            },
        ],
        Input::Bag(Need::Any),
        rule_join,
        "pairs each element with every element of OTHER whose key is equal: {left, right}",
        "let lengths = from [3, 5]\nfrom [\"ann\", \"bob\", \"cathy\"] | join lengths on=len other_on=it"
    ),
    // sinks
    op!(
        WriteText,
        "write_text",
        Kind::Sink(SinkFormat::Text),
        PATH,
        NO_OPTS,
        Input::Bag(Need::Str),
        written,
        "write one line per element; a `*` in PATH writes one file per partition",
        r#"range 3 | map str(it) | write_text "out/numbers.txt""#
    ),
    op!(
        WriteJson,
        "write_json",
        Kind::Sink(SinkFormat::Json),
        PATH,
        NO_OPTS,
        Input::Any,
        written,
        "write one JSON value per line; a `*` in PATH writes one file per partition",
        r#"from ["b", "a"] | frequencies | write_json "out/freq.jsonl""#
    ),
    op!(
        WriteCsv,
        "write_csv",
        Kind::Sink(SinkFormat::Csv),
        PATH,
        NO_OPTS,
        Input::Bag(Need::Record),
        written,
        "write records as CSV with a header row; a `*` in PATH writes one file per partition",
        r#"from ["b", "a"] | frequencies | write_csv "out/freq.csv""#
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_ids_map_back() {
        for (i, a) in OPERATORS.iter().enumerate() {
            assert!(!a.summary.is_empty() && !a.example.is_empty(), "{}", a.name);
            assert_eq!(def(a.id).name, a.name);
            for b in &OPERATORS[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.id, b.id);
            }
        }
    }

    #[test]
    fn typos_suggest_the_operator() {
        assert_eq!(closest("lowr"), Some("lower"));
        assert_eq!(closest("frequences"), Some("frequencies"));
        assert_eq!(closest("read_txt"), Some("read_text"));
        assert_eq!(closest("zzzzzzzz"), None);
    }

    #[test]
    fn signatures_show_options_and_defaults() {
        assert_eq!(
            lookup("read_text").unwrap().signature(),
            r#"read_text GLOB [blocksize=SIZE] [encoding="utf-8"|"latin-1"] [errors="strict"|"replace"|"ignore"] [compression="infer"|"gzip"|"none"]"#
        );
        assert_eq!(lookup("concat").unwrap().signature(), "concat INPUTS...");
    }
}
