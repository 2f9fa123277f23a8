//! Aggregations as a per-partition partial state plus a merge. Merging is
//! done in partition order and every output order is a total order (ties
//! broken by value), so results are identical for any thread count or
//! blocksize. Float sums are exact until the final rounding (Shewchuk's
//! algorithm, as Python's `math.fsum`), so they do not depend on partitioning.

use std::sync::Arc;

use foldhash::fast::FixedState;
use hashbrown::HashMap;

use super::elem::Elem;
use super::eval::{eval, Env};
use super::kernel::Sink;
use super::wordtable::WordTable;
use super::Ctl;
use crate::diag::Diag;
use crate::ops::{Agg, Arg, OpId};
use crate::plan::expr::TExpr;
use crate::plan::Step;
use crate::value::{Record, Value};

type Map<K, V> = HashMap<K, V, FixedState>;

/// What an aggregation step computes, read once from its step.
pub struct Spec<'p> {
    pub id: OpId,
    pub step: &'p Step,
    /// `sum EXPR`, `groupby KEY AGG EXPR`'s EXPR.
    expr: Option<&'p TExpr>,
    /// `topk`/`sort` `by=`, `groupby` KEY.
    key: Option<&'p TExpr>,
    n: usize,
    desc: bool,
    agg: Agg,
}

impl<'p> Spec<'p> {
    /// `n`, for a `topk n` by its default key (a record's `count`).
    pub fn top_by_count(&self) -> Option<usize> {
        (self.id == OpId::Topk && self.key.is_none()).then_some(self.n)
    }

    pub fn new(step: &'p Step) -> Spec<'p> {
        let expr_arg = |i: usize| match step.arg(i) {
            Some(Arg::Expr(e)) => Some(e),
            _ => None,
        };
        let by = match step.opt("by") {
            Some(Arg::Expr(e)) => Some(e),
            _ => None,
        };
        let n = match (step.op.id, step.arg(0), step.opt("limit")) {
            (OpId::Sort, _, Some(Arg::Value(Value::Int(n)))) => (*n).max(0) as usize,
            (OpId::Sort, _, _) => usize::MAX,
            (_, Some(Arg::Value(Value::Int(n))), _) => (*n).max(0) as usize,
            _ => 0,
        };
        let id = step.op.id;
        let (expr, key) = match id {
            OpId::Groupby => (expr_arg(2), expr_arg(0)),
            OpId::Topk | OpId::Sort => (None, by),
            OpId::Count
            | OpId::Sum
            | OpId::Min
            | OpId::Max
            | OpId::Mean
            | OpId::Distinct
            | OpId::Frequencies
            | OpId::Take => (expr_arg(0), None),
            other @ (OpId::ReadText
            | OpId::ReadJson
            | OpId::ReadCsv
            | OpId::Range
            | OpId::From
            | OpId::Stdin
            | OpId::Lower
            | OpId::Upper
            | OpId::Strip
            | OpId::Split
            | OpId::Purge
            | OpId::Replace
            | OpId::Map
            | OpId::Filter
            | OpId::Flatten
            | OpId::Pluck
            | OpId::ParseJson
            | OpId::ToJson
            | OpId::Concat
            | OpId::Join
            | OpId::WriteText
            | OpId::WriteJson
            | OpId::WriteCsv) => {
                unreachable!("{other:?} is not an aggregation")
            }
        };
        Spec {
            id,
            step,
            expr,
            key,
            n,
            desc: matches!(step.opt("desc"), Some(Arg::Value(Value::Bool(true)))),
            agg: match step.arg(1) {
                Some(Arg::Agg(a)) => *a,
                _ => Agg::Count,
            },
        }
    }

    pub fn take_limit(&self) -> Option<usize> {
        (self.id == OpId::Take).then_some(self.n)
    }
}

fn run_err(step: &Step, msg: String) -> Diag {
    Diag::run("flow::exec::aggregate", msg).at(step.span, format!("in `{}`", step.op.name))
}

fn eval_item(e: &TExpr, item: &Elem, env: &Env, step: &Step) -> Result<Value, Diag> {
    eval(e, item.view(), env)
        .map(Elem::into_value)
        .map_err(|e| super::kernel::eval_diag(e, step))
}

/// An exact running sum of ints and floats.
#[derive(Clone, Debug, Default)]
pub struct Sum {
    int: i128,
    /// Floats that are whole multiples of 2^-64 below 2^62 (the usual
    /// measurements: `101.819`, `0.5`), summed exactly as integers in units
    /// of 2^-64: an add costs an integer add instead of a pass over the
    /// partials. The rest go to the partials.
    fixed: i128,
    // Rarely more than a few: held inline.
    partials: smallvec::SmallVec<[f64; 4]>,
    special: Option<f64>,
    floats: bool,
}

impl Sum {
    fn add(&mut self, v: &Value, step: &Step) -> Result<(), Diag> {
        match v {
            Value::Int(i) => self.int += *i as i128,
            Value::Bool(b) => self.int += *b as i128,
            Value::Float(x) => {
                self.floats = true;
                self.add_float(*x);
            }
            other => {
                let mut s = String::new();
                crate::value::format::py_repr(other, &mut s);
                return Err(run_err(
                    step,
                    format!(
                        "`{}` needs numbers, but got {} {s}",
                        step.op.name,
                        other.type_name()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Adds `x`, exactly.
    #[inline]
    fn add_float(&mut self, x: f64) {
        if let Some(f) = fixed_units(x) {
            if let Some(sum) = self.fixed.checked_add(f) {
                self.fixed = sum;
                return;
            }
        }
        self.add_partial(x)
    }

    /// Moves the fixed-point total into the partials, exactly: in pieces
    /// of at most 52 bits, each a float times a power of two.
    fn flush_fixed(&mut self) {
        let f = std::mem::take(&mut self.fixed);
        let (neg, mut u) = (f < 0, f.unsigned_abs());
        let mut scale = 2f64.powi(-64);
        while u != 0 {
            let piece = (u & ((1 << 52) - 1)) as f64 * scale;
            self.add_partial(if neg { -piece } else { piece });
            u >>= 52;
            scale *= 2f64.powi(52);
        }
    }

    /// Shewchuk's step: adds `x` to the non-overlapping partials.
    fn add_partial(&mut self, mut x: f64) {
        if !x.is_finite() {
            self.special = Some(self.special.map_or(x, |s| s + x));
            return;
        }
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            if hi.is_infinite() {
                // The total overflows: as Python's `sum`, it is infinite
                // (an infinity of the other sign later makes it NaN).
                self.special = Some(self.special.map_or(hi, |s| s + hi));
                self.partials.clear();
                return;
            }
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        self.partials.push(x);
    }

    fn merge(&mut self, mut other: Sum) {
        match self.fixed.checked_add(other.fixed) {
            Some(f) => {
                self.fixed = f;
                other.fixed = 0;
            }
            None => other.flush_fixed(),
        }
        self.int += other.int;
        self.floats |= other.floats;
        if let Some(s) = other.special {
            self.special = Some(self.special.map_or(s, |t| t + s));
        }
        for p in other.partials {
            self.add_partial(p);
        }
    }

    /// The correctly rounded float total (CPython's fsum final step).
    fn float_total(mut self) -> f64 {
        self.flush_fixed();
        if self.int != 0 {
            // Split so the i128 is added exactly enough.
            let hi = self.int as f64;
            let lo = (self.int - hi as i128) as f64;
            self.add_partial(hi);
            self.add_partial(lo);
        }
        if let Some(s) = self.special {
            return s;
        }
        let p = &mut self.partials;
        let Some(mut hi) = p.pop() else { return 0.0 };
        let mut lo = 0.0;
        while let Some(y) = p.pop() {
            let x = hi;
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        if let Some(&last) = p.last() {
            if (lo < 0.0 && last < 0.0) || (lo > 0.0 && last > 0.0) {
                let y = lo * 2.0;
                let x = hi + y;
                if y == x - hi {
                    hi = x;
                }
            }
        }
        hi
    }

    fn total(self, step: &Step) -> Result<Value, Diag> {
        if self.floats || self.special.is_some() {
            return Ok(Value::Float(self.float_total()));
        }
        i64::try_from(self.int)
            .map(Value::Int)
            .map_err(|_| run_err(step, "the sum overflows a 64-bit integer".into()))
    }
}

/// `x` in units of 2^-64, when it is a whole number of them below 2^126
/// (a normal float of magnitude below 2^62 whose last bit is worth at
/// least 2^-64); zeros keep to the partials, which keep `-0.0`'s sign.
#[inline]
fn fixed_units(x: f64) -> Option<i128> {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    // x = m * 2^(exp - 1075) with m of 53 bits; in units: m << (exp - 1011).
    let shift = exp - 1075 + 64;
    if exp == 0 || !(0..=73).contains(&shift) {
        return None;
    }
    let m = ((bits & ((1 << 52) - 1)) | (1 << 52)) as i128;
    let v = m << shift;
    Some(if bits >> 63 == 1 { -v } else { v })
}

/// Where an element was seen: (partition, index in the partition).
pub type Pos = (u64, u64);

/// A string key looked up without making a value of it: it hashes and
/// compares as the `Value::Str` it would become.
struct StrKey<'s>(&'s str);

impl std::hash::Hash for StrKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        Value::hash_str(self.0, h)
    }
}

impl hashbrown::Equivalent<Value> for StrKey<'_> {
    fn equivalent(&self, key: &Value) -> bool {
        matches!(key, Value::Str(s) if **s == *self.0)
    }
}

/// The entry for `key`, created by `init` if absent. Of equal keys that
/// print differently (`1`, `1.0`), the first seen is kept, as a Python dict
/// does, whatever order the partitions were run in.
fn slot<V>(
    map: &mut Map<Value, (V, Pos)>,
    key: Value,
    pos: Pos,
    init: impl FnOnce() -> V,
) -> &mut V {
    let earlier = match map.get_key_value(&key) {
        Some((k, (_, p))) => (pos < *p).then(|| key.cmp_exact(k) != std::cmp::Ordering::Equal),
        None => None,
    };
    match earlier {
        // An earlier, differently printed key: it becomes the representative.
        Some(true) => {
            let (_, (v, _)) = map.remove_entry(&key).expect("the key is present");
            map.insert(key.clone(), (v, pos));
        }
        Some(false) => {
            if let Some((_, p)) = map.get_mut(&key) {
                *p = pos;
            }
        }
        None => {}
    }
    &mut map.entry(key).or_insert_with(|| (init(), pos)).0
}

/// A candidate for `min`/`max` with where it was seen.
#[derive(Clone, Debug)]
pub struct Seen {
    value: Value,
    pos: Pos,
}

/// Replaces `cur` by `(v, pos)` if it is smaller (`min`) or larger; of equal
/// values the first seen wins, as Python's `min` and `max` do.
fn pick(min: bool, cur: &mut Option<Seen>, v: Value, pos: Pos) {
    let better = match cur {
        None => true,
        Some(c) => match v.cmp(&c.value) {
            std::cmp::Ordering::Less => min,
            std::cmp::Ordering::Greater => !min,
            std::cmp::Ordering::Equal => pos < c.pos,
        },
    };
    if better {
        *cur = Some(Seen { value: v, pos });
    }
}

/// Counts per distinct value. Strings (the common case) go to a
/// [`WordTable`], which looks words up without allocating and copies a word
/// only when it is new; other values to a map that remembers where each key
/// was first seen.
#[derive(Default)]
pub struct Counts {
    words: WordTable,
    vals: Map<Value, (i64, Pos)>,
}

impl Counts {
    /// Counts one word (the word-count hot path).
    #[inline]
    fn add_word(&mut self, s: &str) {
        self.words.add(s);
    }
    fn flush(&mut self) {
        self.words.flush();
    }
    fn add(&mut self, item: Elem, pos: Pos) {
        match item.as_str() {
            Some(s) => self.words.add(s),
            None => *slot(&mut self.vals, item.into_value(), pos, || 0) += 1,
        }
    }
    fn merge(&mut self, other: Counts) {
        self.words.merge(other.words);
        for (k, (c, pos)) in other.vals {
            *slot(&mut self.vals, k, pos, || 0) += c;
        }
    }
    /// The pairs that can be among the `n` with the highest counts: those
    /// counted at least as often as the `n`-th most frequent (ties kept,
    /// since which of them win is decided later).
    fn into_top_pairs(mut self, n: usize) -> Vec<(Value, i64)> {
        let mut counts: Vec<i64> = self.words.counts().collect();
        counts.extend(self.vals.values().map(|(c, _)| *c));
        if n == 0 || counts.len() <= n {
            return self.into_pairs();
        }
        let (_, &mut min, _) = counts.select_nth_unstable_by(n - 1, |a, b| b.cmp(a));
        let mut out: Vec<(Value, i64)> = self
            .words
            .into_counts_from(min)
            .map(|(k, c)| (Value::Str(k), c))
            .collect();
        out.extend(
            self.vals
                .into_iter()
                .filter(|(_, (c, _))| *c >= min)
                .map(|(k, (c, _))| (k, c)),
        );
        out
    }

    fn into_pairs(self) -> Vec<(Value, i64)> {
        let mut out: Vec<(Value, i64)> = Vec::with_capacity(self.words.len() + self.vals.len());
        out.extend(self.words.into_counts().map(|(k, c)| (Value::Str(k), c)));
        out.extend(self.vals.into_iter().map(|(k, (c, _))| (k, c)));
        out
    }
}

/// The per-key accumulator of `groupby`.
#[derive(Clone, Debug)]
pub enum Acc {
    Count(i64),
    Sum(Sum),
    Min(Option<Seen>),
    Max(Option<Seen>),
    Mean(Sum, i64),
    Collect(Vec<Value>),
}

impl Acc {
    fn new(agg: Agg) -> Acc {
        match agg {
            Agg::Count => Acc::Count(0),
            Agg::Sum => Acc::Sum(Sum::default()),
            Agg::Min => Acc::Min(None),
            Agg::Max => Acc::Max(None),
            Agg::Mean => Acc::Mean(Sum::default(), 0),
            Agg::Collect => Acc::Collect(Vec::new()),
        }
    }
    fn add(&mut self, v: Value, pos: Pos, step: &Step) -> Result<(), Diag> {
        match self {
            Acc::Count(c) => *c += 1,
            Acc::Sum(s) => s.add(&v, step)?,
            Acc::Min(m) => pick(true, m, v, pos),
            Acc::Max(m) => pick(false, m, v, pos),
            Acc::Mean(s, n) => {
                s.add(&v, step)?;
                *n += 1;
            }
            Acc::Collect(items) => items.push(v),
        }
        Ok(())
    }
    fn merge(&mut self, other: Acc) {
        match (self, other) {
            (Acc::Count(a), Acc::Count(b)) => *a += b,
            (Acc::Sum(a), Acc::Sum(b)) => a.merge(b),
            (Acc::Min(a), Acc::Min(Some(b))) => pick(true, a, b.value, b.pos),
            (Acc::Max(a), Acc::Max(Some(b))) => pick(false, a, b.value, b.pos),
            (Acc::Min(_), Acc::Min(None)) | (Acc::Max(_), Acc::Max(None)) => {}
            (Acc::Mean(a, n), Acc::Mean(b, m)) => {
                a.merge(b);
                *n += m;
            }
            (Acc::Collect(a), Acc::Collect(b)) => a.extend(b),
            _ => unreachable!("accumulators of one groupby have one kind"),
        }
    }
    fn finish(self, step: &Step) -> Result<Value, Diag> {
        Ok(match self {
            Acc::Count(c) => Value::Int(c),
            Acc::Sum(s) => s.total(step)?,
            Acc::Min(m) | Acc::Max(m) => m.map_or(Value::Null, |m| m.value),
            Acc::Mean(_, 0) => Value::Null,
            Acc::Mean(s, n) => Value::Float(s.float_total() / n as f64),
            Acc::Collect(items) => Value::List(Arc::new(items)),
        })
    }
}

/// The per-partition state of one aggregation.
pub enum Partial {
    Count(i64),
    Sum(Sum),
    Mean(Sum, i64),
    Min(Option<Seen>),
    Max(Option<Seen>),
    Distinct(Counts),
    Freq(Counts),
    /// (key, element) pairs: `topk` keeps the best, `sort` all.
    Keyed(Vec<Keyed>),
    Take(Vec<Value>),
    Group(Map<Value, (Acc, Pos)>),
}

impl Partial {
    /// The partial of an empty partition.
    pub fn empty(id: OpId) -> Partial {
        match id {
            OpId::Count => Partial::Count(0),
            OpId::Sum => Partial::Sum(Sum::default()),
            OpId::Mean => Partial::Mean(Sum::default(), 0),
            OpId::Min => Partial::Min(None),
            OpId::Max => Partial::Max(None),
            OpId::Distinct => Partial::Distinct(Counts::default()),
            OpId::Frequencies => Partial::Freq(Counts::default()),
            OpId::Topk | OpId::Sort => Partial::Keyed(Vec::new()),
            OpId::Take => Partial::Take(Vec::new()),
            OpId::Groupby => Partial::Group(Map::default()),
            other @ (OpId::ReadText
            | OpId::ReadJson
            | OpId::ReadCsv
            | OpId::Range
            | OpId::From
            | OpId::Stdin
            | OpId::Lower
            | OpId::Upper
            | OpId::Strip
            | OpId::Split
            | OpId::Purge
            | OpId::Replace
            | OpId::Map
            | OpId::Filter
            | OpId::Flatten
            | OpId::Pluck
            | OpId::ParseJson
            | OpId::ToJson
            | OpId::Concat
            | OpId::Join
            | OpId::WriteText
            | OpId::WriteJson
            | OpId::WriteCsv) => {
                unreachable!("{other:?} is not an aggregation")
            }
        }
    }
}

/// A partial aggregation as the sink of a per-partition kernel.
pub struct PartialSink<'p> {
    pub spec: &'p Spec<'p>,
    pub env: &'p Env,
    pub state: Partial,
    /// The partition being fed and the index of the next element in it.
    part: u64,
    next: u64,
}

impl<'p> PartialSink<'p> {
    pub fn new(spec: &'p Spec<'p>, env: &'p Env) -> PartialSink<'p> {
        PartialSink {
            spec,
            env,
            state: Partial::empty(spec.id),
            part: 0,
            next: 0,
        }
    }

    fn value(&self, item: Elem) -> Result<Value, Diag> {
        match self.spec.expr {
            Some(e) => eval_item(e, &item, self.env, self.spec.step),
            None => Ok(item.into_value()),
        }
    }

    /// The elements a `take` holds so far (none for other aggregations).
    pub fn taken(&self) -> usize {
        match &self.state {
            Partial::Take(items) => items.len(),
            _ => 0,
        }
    }

    /// The partial result, pruned (`topk` keeps N, `sort` is sorted).
    pub fn finish(self) -> Partial {
        match self.state {
            Partial::Keyed(pairs) => Partial::Keyed(order_keyed(self.spec, pairs)),
            Partial::Freq(mut c) => {
                c.flush();
                Partial::Freq(c)
            }
            Partial::Distinct(mut c) => {
                c.flush();
                Partial::Distinct(c)
            }
            s => s,
        }
    }
}

/// The `topk` key when no `by=` is given: a record's `count` field, else the element.
fn default_topk_key(v: &Value) -> Value {
    if let Value::Record(r) = v {
        if let Some(c) = r.get("count") {
            return c.clone();
        }
    }
    v.clone()
}

/// A `topk`/`sort` candidate: its key, the element, and where it was seen.
pub type Keyed = (Value, Value, Pos);

/// `topk`: key descending, then element ascending, then input order; first N.
/// `sort`: by key, ties in input order (stable).
fn order_keyed(spec: &Spec, mut pairs: Vec<Keyed>) -> Vec<Keyed> {
    if spec.id == OpId::Topk {
        let cmp = |a: &Keyed, b: &Keyed| {
            b.0.cmp(&a.0)
                .then_with(|| a.1.cmp(&b.1))
                .then(a.2.cmp(&b.2))
        };
        if pairs.len() > spec.n && spec.n > 0 {
            pairs.select_nth_unstable_by(spec.n - 1, cmp);
        }
        pairs.truncate(spec.n);
        pairs.sort_by(cmp);
    } else {
        if spec.desc {
            pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)));
        } else {
            pairs.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(&b.2)));
        }
        // `sort … limit=N`: the first N in sorted order (ties by input position).
        pairs.truncate(spec.n);
    }
    pairs
}

/// Whether a `topk` or a limited `sort` holds enough candidates to prune
/// to its N (keeping memory bounded by N, not by the input).
fn prune_keyed(spec: &Spec, held: usize, factor: usize) -> bool {
    let limited = spec.id == OpId::Topk || (spec.id == OpId::Sort && spec.n != usize::MAX);
    limited && held >= factor.saturating_mul(spec.n.max(512))
}

impl Sink for PartialSink<'_> {
    fn start(&mut self, partition: u64) {
        self.part = partition;
        self.next = 0;
    }
    /// Accepts one string element: the word-count fast path.
    #[inline]
    fn accept_str(&mut self, s: &str) -> Result<Ctl, Diag> {
        match &mut self.state {
            Partial::Count(c) => {
                *c += 1;
                Ok(Ctl::Continue)
            }
            Partial::Freq(c) | Partial::Distinct(c) => {
                c.add_word(s);
                Ok(Ctl::Continue)
            }
            _ => self.accept(Elem::Str(s)),
        }
    }

    fn word_table(&mut self) -> Option<&mut WordTable> {
        match &mut self.state {
            Partial::Freq(c) | Partial::Distinct(c) => Some(&mut c.words),
            _ => None,
        }
    }

    fn accept(&mut self, item: Elem<'_>) -> Result<Ctl, Diag> {
        let step = self.spec.step;
        let pos = (self.part, self.next);
        self.next += 1;
        match self.spec.id {
            OpId::Count => {
                if let Partial::Count(c) = &mut self.state {
                    *c += 1;
                }
            }
            OpId::Sum | OpId::Mean => {
                let v = self.value(item)?;
                match &mut self.state {
                    Partial::Sum(s) => s.add(&v, step)?,
                    Partial::Mean(s, n) => {
                        s.add(&v, step)?;
                        *n += 1;
                    }
                    _ => {}
                }
            }
            OpId::Min | OpId::Max => {
                let v = self.value(item)?;
                let min = self.spec.id == OpId::Min;
                if let Partial::Min(m) | Partial::Max(m) = &mut self.state {
                    pick(min, m, v, pos);
                }
            }
            OpId::Distinct | OpId::Frequencies => {
                if let Partial::Distinct(c) | Partial::Freq(c) = &mut self.state {
                    c.add(item, pos);
                }
            }
            OpId::Topk | OpId::Sort => {
                let key = match self.spec.key {
                    Some(e) => Some(eval_item(e, &item, self.env, step)?),
                    None => None,
                };
                let v = item.into_value();
                let key = key.unwrap_or_else(|| {
                    if self.spec.id == OpId::Topk {
                        default_topk_key(&v)
                    } else {
                        v.clone()
                    }
                });
                if let Partial::Keyed(pairs) = &mut self.state {
                    pairs.push((key, v, pos));
                    // Keep topk's memory bounded: prune to N when 2N are held.
                    if prune_keyed(self.spec, pairs.len(), 2) {
                        let kept = order_keyed(self.spec, std::mem::take(pairs));
                        *pairs = kept;
                    }
                }
            }
            OpId::Take => {
                if let Partial::Take(items) = &mut self.state {
                    if items.len() < self.spec.n {
                        items.push(item.into_value());
                    }
                    if items.len() >= self.spec.n {
                        return Ok(Ctl::Stop);
                    }
                }
            }
            OpId::Groupby => {
                let key = match self.spec.key {
                    Some(e) => eval(e, item.view(), self.env)
                        .map_err(|e| super::kernel::eval_diag(e, step))?,
                    None => item.view().built(),
                };
                let v = if self.spec.agg == Agg::Count {
                    Value::Null
                } else {
                    self.value(item.view())?
                };
                if let Partial::Group(g) = &mut self.state {
                    // A string key (the common case) is found without
                    // being copied; it is copied only into a new entry.
                    if let Some(s) = key.as_str() {
                        if let Some((acc, p)) = g.get_mut(&StrKey(s)) {
                            // Equal strings print the same: only where the
                            // key was first seen may change.
                            if pos < *p {
                                *p = pos;
                            }
                            acc.add(v, pos, step)?;
                            return Ok(Ctl::Continue);
                        }
                    }
                    slot(g, key.into_value(), pos, || Acc::new(self.spec.agg)).add(v, pos, step)?;
                }
            }
            other @ (OpId::ReadText
            | OpId::ReadJson
            | OpId::ReadCsv
            | OpId::Range
            | OpId::From
            | OpId::Stdin
            | OpId::Lower
            | OpId::Upper
            | OpId::Strip
            | OpId::Split
            | OpId::Purge
            | OpId::Replace
            | OpId::Map
            | OpId::Filter
            | OpId::Flatten
            | OpId::Pluck
            | OpId::ParseJson
            | OpId::ToJson
            | OpId::Concat
            | OpId::Join
            | OpId::WriteText
            | OpId::WriteJson
            | OpId::WriteCsv) => {
                unreachable!("{other:?} is not an aggregation")
            }
        }
        Ok(Ctl::Continue)
    }
}

/// A two-field record; the keys are distinct by construction.
fn record(k1: &Arc<str>, v1: Value, k2: &Arc<str>, v2: Value) -> Value {
    Value::Record(Arc::new(Record::from_unique(vec![
        (k1.clone(), v1),
        (k2.clone(), v2),
    ])))
}

/// Combines two partials, `a` from earlier partitions than `b`.
pub fn combine(spec: &Spec, mut acc: Partial, p: Partial) -> Partial {
    match (&mut acc, p) {
        (Partial::Count(a), Partial::Count(b)) => *a += b,
        (Partial::Sum(a), Partial::Sum(b)) => a.merge(b),
        (Partial::Mean(a, n), Partial::Mean(b, m)) => {
            a.merge(b);
            *n += m;
        }
        (Partial::Min(a), Partial::Min(Some(b))) => pick(true, a, b.value, b.pos),
        (Partial::Max(a), Partial::Max(Some(b))) => pick(false, a, b.value, b.pos),
        (Partial::Min(_), Partial::Min(None)) | (Partial::Max(_), Partial::Max(None)) => {}
        (Partial::Distinct(a), Partial::Distinct(b)) | (Partial::Freq(a), Partial::Freq(b)) => {
            a.merge(b)
        }
        (Partial::Keyed(a), Partial::Keyed(b)) => {
            a.extend(b);
            if prune_keyed(spec, a.len(), 4) {
                let kept = order_keyed(spec, std::mem::take(a));
                *a = kept;
            }
        }
        (Partial::Take(a), Partial::Take(b)) => {
            let room = spec.n.saturating_sub(a.len());
            a.extend(b.into_iter().take(room));
        }
        (Partial::Group(a), Partial::Group(b)) => {
            // Merge the smaller map into the larger; `a`'s values come first.
            let (small, small_first) = if b.len() > a.len() {
                (std::mem::replace(a, b), true)
            } else {
                (b, false)
            };
            for (k, (v, pos)) in small {
                let entry = slot(a, k, pos, || Acc::new(spec.agg));
                if small_first {
                    let later = std::mem::replace(entry, v);
                    entry.merge(later);
                } else {
                    entry.merge(v);
                }
            }
        }
        _ => unreachable!("partials of one aggregation have one kind"),
    }
    acc
}

/// The result of a fully merged partial.
/// Merges partials into the aggregation's result — one value for a scalar,
/// the elements of the output bag otherwise — streamed into `emit`, so a
/// consumer that keeps little (`topk` after `frequencies`) never holds the
/// whole result. Partials combine pairwise in a tree on the pool; the tree
/// keeps partition order, so `take`, `sort` and `collect` see input order.
///
/// With `ordered` false the consumer ignores element order (it is `count`,
/// `topk`, …), so set-like results skip their final sort.
/// What the consumer of a merged aggregation needs of it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Needs {
    /// Every element, in no particular order.
    Set,
    /// Every element, in the aggregation's order.
    Ordered,
    /// Only those that can be among the `n` with the highest `count`: what
    /// follows is `topk n` by count, so the rest of `frequencies` (most of
    /// a word count's table) is never made into records.
    TopCount(usize),
}

pub fn merge_into(
    spec: &Spec,
    parts: Vec<Partial>,
    needs: Needs,
    emit: &mut dyn FnMut(Value) -> Result<Ctl, Diag>,
) -> Result<(), Diag> {
    use rayon::prelude::*;
    let acc = parts
        .into_par_iter()
        .reduce_with(|a, b| combine(spec, a, b))
        .unwrap_or_else(|| Partial::empty(spec.id));
    emit_finished(spec, acc, needs, emit)
}

fn emit_finished(
    spec: &Spec,
    acc: Partial,
    needs: Needs,
    emit: &mut dyn FnMut(Value) -> Result<Ctl, Diag>,
) -> Result<(), Diag> {
    let ordered = needs == Needs::Ordered;
    let step = spec.step;
    let mut all = |vals: &mut dyn Iterator<Item = Result<Value, Diag>>| -> Result<(), Diag> {
        for v in vals {
            if emit(v?)? == Ctl::Stop {
                break;
            }
        }
        Ok(())
    };
    match acc {
        Partial::Count(c) => all(&mut std::iter::once(Ok(Value::Int(c)))),
        Partial::Sum(s) => all(&mut std::iter::once(s.total(step))),
        Partial::Mean(_, 0) => all(&mut std::iter::once(Ok(Value::Null))),
        Partial::Mean(s, n) => all(&mut std::iter::once(Ok(Value::Float(
            s.float_total() / n as f64,
        )))),
        Partial::Min(m) | Partial::Max(m) => {
            all(&mut std::iter::once(Ok(m.map_or(Value::Null, |m| m.value))))
        }
        Partial::Distinct(c) => {
            let mut vals: Vec<Value> = c.into_pairs().into_iter().map(|(v, _)| v).collect();
            // Values are distinct: an unstable sort gives the one order.
            if ordered {
                vals.sort_unstable();
            }
            all(&mut vals.into_iter().map(Ok))
        }
        Partial::Freq(c) => {
            let mut pairs = match needs {
                Needs::TopCount(n) => c.into_top_pairs(n),
                Needs::Set | Needs::Ordered => c.into_pairs(),
            };
            if ordered {
                pairs.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            }
            let (kv, kc): (Arc<str>, Arc<str>) = ("value".into(), "count".into());
            all(&mut pairs
                .into_iter()
                .map(|(v, c)| Ok(record(&kv, v, &kc, Value::Int(c)))))
        }
        Partial::Keyed(pairs) => {
            all(&mut order_keyed(spec, pairs).into_iter().map(|(_, v, _)| Ok(v)))
        }
        Partial::Take(items) => all(&mut items.into_iter().map(Ok)),
        Partial::Group(g) => {
            let mut groups: Vec<(Value, Acc)> =
                g.into_iter().map(|(k, (acc, _))| (k, acc)).collect();
            if ordered {
                groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            }
            let (kk, ka): (Arc<str>, Arc<str>) = ("key".into(), spec.agg.name().into());
            all(&mut groups
                .into_iter()
                .map(|(k, acc)| Ok(record(&kk, k, &ka, acc.finish(step)?))))
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_str_key_finds_the_value_it_stands_for() {
        use std::hash::BuildHasher;
        let h = foldhash::fast::FixedState::default();
        for s in ["", "a", "/api/v2/users", "é"] {
            assert_eq!(h.hash_one(super::StrKey(s)), h.hash_one(Value::str(s)));
        }
        let mut m: super::Map<Value, i32> = super::Map::default();
        m.insert(Value::str("x"), 1);
        m.insert(Value::Int(1), 2);
        assert_eq!(m.get(&super::StrKey("x")), Some(&1));
        assert_eq!(m.get(&super::StrKey("1")), None);
    }

    use super::*;

    #[test]
    fn fsum_is_exact_and_order_independent() {
        let xs = [1e16, 1.0, -1e16, 0.1, 0.2, 0.3, 1e-10];
        let mut a = Sum::default();
        for x in xs {
            a.add_float(x);
        }
        let mut b1 = Sum::default();
        let mut b2 = Sum::default();
        for x in &xs[..3] {
            b2.add_float(*x);
        }
        for x in &xs[3..] {
            b1.add_float(*x);
        }
        b1.merge(b2);
        let (ta, tb) = (a.float_total(), b1.float_total());
        assert_eq!(ta.to_bits(), tb.to_bits());
        assert_eq!(ta, 1.6000000001); // math.fsum gives 1.6000000001
    }

    #[test]
    fn fixed_point_sums_are_the_partials_sums() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || crate::text::xorshift(&mut x);
        for case in 0..3000 {
            let n = 1 + next() % 40;
            let xs: Vec<f64> = (0..n)
                .map(|_| {
                    let r = next();
                    let v = match r % 7 {
                        // Measurements: a few decimals.
                        0 | 1 => (r >> 20) as f64 % 100_000.0 / 1000.0,
                        // Any magnitude, any bits.
                        2 => f64::from_bits(r >> 1) % 1e300,
                        3 => (r >> 11) as f64 * 2f64.powi((r % 160) as i32 - 120),
                        4 => 4.0e18 + (r % 1000) as f64 * 1024.0,
                        5 => -0.0,
                        _ => (r % 1_000_000) as f64 * 0.1,
                    };
                    if r & (1 << 62) != 0 {
                        -v
                    } else {
                        v
                    }
                })
                .collect();
            // The reference: every float through the partials.
            let mut want = Sum::default();
            for &v in &xs {
                want.add_partial(v);
            }
            let mut one = Sum::default();
            let mut parts = [Sum::default(), Sum::default(), Sum::default()];
            for (i, &v) in xs.iter().enumerate() {
                one.add_float(v);
                parts[(i * 3) / xs.len()].add_float(v);
            }
            let [mut a, b, c] = parts;
            a.merge(b);
            a.merge(c);
            let want = want.float_total().to_bits();
            assert_eq!(one.float_total().to_bits(), want, "case {case}: {xs:?}");
            assert_eq!(a.float_total().to_bits(), want, "case {case}: {xs:?}");
        }
    }
}
