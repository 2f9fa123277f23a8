//! The Dask program writer (SPEC §7): a checked plan as one self-contained
//! Python program using `dask.bag` that computes the same outputs with
//! flow's semantics and prints them as `flow --format json` does, so the two
//! can be compared byte for byte. See [`dask`].
//!
//! The program is written from the plan as the user wrote it (not
//! optimized): one Python statement per flow stage, named after the plan's
//! nodes (`n3`, as `--visualize --no-optimize` shows them), the source line
//! as a comment above each pipeline. flow's semantics that Python and Dask
//! do not share (line splitting, exact sums, flow's total order, output
//! order, all-or-nothing sinks, JSON formatting) are helper functions from
//! [`prelude`], printed once at the top, only those the program calls.
//! Every output and sink is computed in ONE `dask.compute`, so work shared
//! by several outputs is shared, as in flow.
//!
//! The walk is an exhaustive `match` on [`OpId`]: a new operator does not
//! compile until it says how it exports. Expressions go through [`expr`];
//! what cannot be given flow's meaning is a diagnostic
//! (`flow::export::unsupported`, exit 2), never different code.

pub mod expr;
pub mod prelude;

use std::collections::HashMap;
use std::fmt::Write;

use crate::diag::{Diag, Diags};
use crate::ops::{Arg, OpId};
use crate::plan::{NodeId, Plan, Step};
use crate::types::{Coll, Type};
use crate::value::Value;
use expr::py_literal as literal;
use prelude::Helpers;

/// The script a program is written from, for its header.
pub struct Source<'a> {
    /// How the user named it: a file name, `-e` or `<stdin>`.
    pub name: &'a str,
    pub text: &'a str,
}

/// The Python program that computes `plan`'s outputs on Dask.
pub fn dask(plan: &Plan, src: &Source) -> Result<String, Diags> {
    let mut w = Writer {
        plan,
        src,
        h: Helpers::default(),
        body: String::new(),
        names: HashMap::new(),
        last_line: 0,
        sink_paths: Vec::new(),
        diags: Vec::new(),
    };
    for n in plan.topo() {
        w.node(n);
    }
    if !w.diags.is_empty() {
        return Err(Diags(w.diags));
    }
    let mut outputs = Vec::new();
    for o in &plan.outputs {
        let kind = match plan.graph[o.node].ty() {
            Coll::Bag(_) => "bag",
            Coll::Scalar(_) => "scalar",
            Coll::Written => "written",
        };
        let var = if kind == "written" {
            "None".to_string()
        } else {
            w.names[&o.node].clone()
        };
        outputs.push(format!("({var}, \"{kind}\")"));
    }
    let run = w.h.need("_run");
    // Flow errors raised while the graph is built are reported too.
    w.h.need("_main");
    let _ = writeln!(
        w.body,
        "\n    outputs = [{}]\n    {run}(outputs, sinks, [{}])",
        outputs.join(", "),
        w.sink_paths.join(", ")
    );
    Ok(w.finish())
}

struct Writer<'a> {
    plan: &'a Plan,
    src: &'a Source<'a>,
    h: Helpers,
    body: String,
    /// The Python variable holding each node's collection.
    names: HashMap<NodeId, String>,
    /// The source line last written as a comment.
    last_line: usize,
    /// The sinks' paths, as Python literals (their temporaries are removed on failure).
    sink_paths: Vec<String>,
    diags: Vec<Diag>,
}

impl Writer<'_> {
    fn finish(self) -> String {
        let mut out = String::new();
        out += "#!/usr/bin/env python3\n";
        let _ = writeln!(
            out,
            "# Written by flow {} (`flow export --target dask {}`): the outputs of",
            env!("CARGO_PKG_VERSION"),
            self.src.name
        );
        out += "# the flow script below, computed with dask.bag with flow's semantics and\n";
        out += "# printed as JSON Lines, as `flow --format json` prints them.\n";
        out += "#\n";
        out += "#   python3 THIS.py                                   # Dask's local scheduler\n";
        out += "#   DASK_SCHEDULER_ADDRESS=tcp://HOST:8786 python3 THIS.py   # a cluster\n";
        out += "#\n";
        out += "# Needs: pip install \"dask[bag,distributed]\"\n";
        out += "#\n";
        for line in self.src.text.lines() {
            out += "#   ";
            out += line;
            out = out.trim_end().to_string();
            out += "\n";
        }
        out += "\nimport os\nimport sys\n\nimport dask\nimport dask.bag as db\n\n\n";
        out += &self.h.render();
        out += "def main():\n    sinks = []\n";
        out += &self.body;
        out += "\n\nif __name__ == \"__main__\":\n    _main(main)\n";
        out
    }

    /// Writes the statements of node `n`, one per step.
    fn node(&mut self, n: NodeId) {
        let node = &self.plan.graph[n];
        let inputs: Vec<String> = self
            .plan
            .inputs(n)
            .iter()
            .map(|i| self.names.get(i).cloned().unwrap_or_default())
            .collect();
        let var = format!("n{}", n.index());
        let mut cur = inputs.first().cloned().unwrap_or_default();
        for step in &node.steps {
            let line = step.pos.0;
            if line != self.last_line {
                self.last_line = line;
                let text = self.src.text.lines().nth(line - 1).unwrap_or("").trim();
                let _ = writeln!(self.body, "\n    # {line}: {text}");
            }
            match self.step(step, &cur, &inputs) {
                // A sink has written its own statement.
                Ok(expr) if expr.is_empty() => {}
                Ok(expr) => {
                    let _ = writeln!(self.body, "    {var} = {expr}");
                }
                Err(d) => self.diags.push(d),
            }
            cur = var.clone();
        }
        if !node.names.is_empty() {
            // The binding's name, for the reader.
            let _ = writeln!(self.body, "    # {var} is `{}`", node.names.join("`, `"));
        }
        self.names.insert(n, var);
    }

    /// The Python expression of one step over `input` (its collection).
    fn step(&mut self, step: &Step, input: &str, inputs: &[String]) -> Result<String, Diag> {
        let b = input;
        let h = &mut self.h;
        let s = |i: usize| match step.arg(i) {
            Some(Arg::Value(v)) => Some(literal(v)),
            _ => None,
        };
        let opt = |name: &str| match step.opt(name) {
            Some(Arg::Value(v)) => Some(literal(v)),
            _ => None,
        };
        // Options that differ from their defaults, as Python keyword arguments.
        let kwargs = |names: &[&str]| -> String {
            let mut out = String::new();
            for name in names {
                let (Some(Arg::Value(v)), Some(o)) = (step.opt(name), step.op.option(name)) else {
                    continue;
                };
                if o.default.value().as_ref() == Some(v) {
                    continue;
                }
                let _ = write!(out, ", {name}={}", literal(v));
            }
            out
        };
        let lambda = |h: &mut Helpers, i: Option<&Arg>| -> Result<Option<String>, Diag> {
            match i {
                Some(Arg::Expr(e)) => Ok(Some(format!("lambda it: {}", expr::py(e, h)?))),
                _ => Ok(None),
            }
        };
        let path = s(0).unwrap_or_default();
        Ok(match step.op.id {
            OpId::ReadText => format!(
                "{}({path}{})",
                h.need("_read_text"),
                kwargs(&["blocksize", "encoding", "errors", "compression"])
            ),
            OpId::ReadJson => format!(
                "{}({path}{})",
                h.need("_read_json"),
                kwargs(&["blocksize", "encoding", "errors", "compression"])
            ),
            OpId::ReadCsv => {
                // The columns of the first file's header, read when the script
                // was checked: the program checks every file against them.
                let columns = match &step.ty {
                    Coll::Bag(Type::Record(Some(fields)))
                        if !matches!(step.opt("header"), Some(Arg::Value(Value::Bool(false)))) =>
                    {
                        format!(
                            ", columns=[{}]",
                            fields
                                .iter()
                                .map(|(k, _)| literal(&Value::str(k)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                    _ => String::new(),
                };
                format!(
                    "{}({path}{}{columns})",
                    h.need("_read_csv"),
                    kwargs(&["sep", "header", "types", "encoding", "compression"])
                )
            }
            OpId::Range => format!("{}({path})", h.need("_range")),
            OpId::From => format!("db.from_sequence({path}, npartitions=1)"),
            OpId::Stdin => format!("{}()", h.need("_stdin")),
            OpId::Lower => format!("{b}.map({}(\"lower\", str.lower))", h.need("_str_op")),
            OpId::Upper => format!("{b}.map({}(\"upper\", str.upper))", h.need("_str_op")),
            OpId::Strip => format!(
                "{b}.map({}(\"strip\", lambda s: s.strip({})))",
                h.need("_str_op"),
                s(0).unwrap_or_default()
            ),
            OpId::Purge => format!(
                "{b}.map({}(\"purge\", {}({})))",
                h.need("_str_op"),
                h.need("_purge"),
                s(0).unwrap_or_else(|| "None".into())
            ),
            OpId::Replace => format!(
                "{b}.map({}(\"replace\", lambda s: s.replace({}, {})))",
                h.need("_str_op"),
                s(0).unwrap_or_default(),
                s(1).unwrap_or_default()
            ),
            OpId::Split => format!(
                "{}({b}, {})",
                h.need("_split_stage"),
                s(0).unwrap_or_else(|| "None".into())
            ),
            OpId::Map => {
                let f = lambda(h, step.arg(0))?.unwrap_or_default();
                format!("{b}.map({f})")
            }
            OpId::Filter => {
                let f = lambda(h, step.arg(0))?.unwrap_or_default();
                match step.arg(0) {
                    // A bool expression needs no check of its result.
                    Some(Arg::Expr(e)) if e.ty == Type::Bool => format!("{b}.filter({f})"),
                    _ => format!("{b}.filter({}({f}))", h.need("_filter")),
                }
            }
            OpId::Flatten => format!("{}({b})", h.need("_flatten")),
            OpId::Pluck => {
                let default = opt("default").map(|d| format!(", {d}")).unwrap_or_default();
                format!(
                    "{b}.map({}({}{default}))",
                    h.need("_pluck"),
                    s(0).unwrap_or_default()
                )
            }
            OpId::ParseJson => format!("{b}.map({})", h.need("_parse_json")),
            OpId::ToJson => format!("{b}.map({})", h.need("_to_json")),
            OpId::Count => format!("{}({b})", h.need("_count")),
            OpId::Sum | OpId::Mean => {
                let f = lambda(h, step.arg(0))?
                    .map(|f| format!(", {f}"))
                    .unwrap_or_default();
                let name = if step.op.id == OpId::Sum {
                    "_sum"
                } else {
                    "_mean"
                };
                format!("{}({b}{f})", h.need(name))
            }
            OpId::Min | OpId::Max => {
                let f = lambda(h, step.arg(0))?
                    .map(|f| format!(", {f}"))
                    .unwrap_or_default();
                format!("{}({b}, \"{}\"{f})", h.need("_minmax"), step.op.name)
            }
            OpId::Distinct => format!("{}({b})", h.need("_distinct")),
            OpId::Frequencies => format!("{}({b})", h.need("_frequencies")),
            OpId::Topk => {
                let by = lambda(h, step.opt("by"))?
                    .map(|f| format!(", by={f}"))
                    .unwrap_or_default();
                format!("{}({b}, {}{by})", h.need("_topk"), s(0).unwrap_or_default())
            }
            OpId::Sort => {
                let mut args = lambda(h, step.opt("by"))?
                    .map(|f| format!(", by={f}"))
                    .unwrap_or_default();
                if let Some(Arg::Value(Value::Bool(true))) = step.opt("desc") {
                    args += ", desc=True";
                }
                if let Some(limit) = opt("limit") {
                    let _ = write!(args, ", limit={limit}");
                }
                format!("{}({b}{args})", h.need("_sort"))
            }
            OpId::Take => format!("{}({b}, {})", h.need("_take"), s(0).unwrap_or_default()),
            OpId::Groupby => {
                let key = lambda(h, step.arg(0))?.unwrap_or_default();
                let agg = match step.arg(1) {
                    Some(Arg::Agg(a)) => a.name(),
                    _ => "count",
                };
                let f = lambda(h, step.arg(2))?
                    .map(|f| format!(", {f}"))
                    .unwrap_or_default();
                format!("{}({b}, {key}, \"{agg}\"{f})", h.need("_groupby"))
            }
            OpId::Concat => format!("db.concat([{}])", inputs.join(", ")),
            OpId::Join => {
                let on = lambda(h, step.opt("on"))?.unwrap_or_default();
                let other_on = lambda(h, step.opt("other_on"))?.unwrap_or_default();
                let how = opt("how").unwrap_or_else(|| "\"inner\"".into());
                let other = inputs.get(1).cloned().unwrap_or_default();
                format!("{}({b}, {other}, {on}, {other_on}, {how})", h.need("_join"))
            }
            OpId::WriteText | OpId::WriteJson | OpId::WriteCsv => {
                let fmt = match step.op.id {
                    OpId::WriteText => "text",
                    OpId::WriteJson => "json",
                    _ => "csv",
                };
                self.sink_paths.push(path.clone());
                let _ = writeln!(
                    self.body,
                    "    sinks += {}({b}, {path}, \"{fmt}\")",
                    h.need("_sink")
                );
                String::new()
            }
        })
    }
}
