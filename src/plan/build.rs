//! AST → typed [`Plan`]. Resolves names (a binding used twice is ONE node
//! with two consumers), matches arguments to the catalog's parameters,
//! applies `--set` overrides, and type-checks every stage. Errors are
//! collected per statement, so independent mistakes are all reported.

use std::collections::HashMap;

use super::expr::{self, NameRef};
use super::{Node, NodeId, Output, Phase, Plan, Step};
use crate::diag::{Diag, Diags};
use crate::ops::{self, Arg, ArgVal, Cx, Input, Kind, OpDef, PKind};
use crate::syntax::ast::{Expr, ExprKind, Pipeline, Program, Span, Stage, Stmt};
use crate::types::{Coll, Type};
use crate::value::Value;

/// `--set NAME=VALUE` overrides of `let NAME = LITERAL` constants.
pub type Overrides = [(String, String)];

#[derive(Clone)]
enum Binding {
    Const(Value),
    Coll(NodeId),
    /// A binding whose definition had an error: uses of it report nothing more.
    Poisoned,
}

/// How deep element types may nest (lists in lists, records in records).
const MAX_TYPE_DEPTH: usize = crate::syntax::MAX_DEPTH as usize;

/// What the driver knows about a file source before it runs: the field
/// names of `read_csv`'s first file (its header), or `None` when it does not
/// know (no such file yet, or not a source with fields). The planner does no
/// IO; the driver reads the headers and answers through this.
pub type Schemas<'a> = &'a dyn Fn(&Step) -> Option<Vec<String>>;

struct Builder<'a> {
    src: &'a str,
    schemas: Schemas<'a>,
    lines: super::Lines,
    plan: Plan,
    env: HashMap<String, Binding>,
    diags: Diags,
}

/// Builds and type-checks the plan of a program, knowing no file's fields.
pub fn build(src: &str, program: &Program, overrides: &Overrides) -> Result<Plan, Diags> {
    build_with(src, program, overrides, &|_| None)
}

/// Builds and type-checks the plan of a program; `schemas` tells the fields
/// of file sources (so `.nmae` on a CSV record is caught here).
pub fn build_with(
    src: &str,
    program: &Program,
    overrides: &Overrides,
    schemas: Schemas,
) -> Result<Plan, Diags> {
    let mut b = Builder {
        src,
        schemas,
        lines: super::Lines::new(src),
        plan: Plan::default(),
        env: HashMap::new(),
        diags: Diags::default(),
    };
    let mut used_overrides = vec![false; overrides.len()];
    for stmt in &program.stmts {
        match stmt {
            Stmt::Const { name, value, .. } => {
                if !b.check_new_name(&name.name, name.span) {
                    b.env.insert(name.name.clone(), Binding::Poisoned);
                    continue;
                }
                let over = overrides.iter().position(|(n, _)| *n == name.name);
                let v = match over {
                    Some(i) => {
                        used_overrides[i] = true;
                        Ok(parse_override(&overrides[i].1))
                    }
                    None => literal_value(value),
                };
                match v {
                    Ok(v) => {
                        b.env.insert(name.name.clone(), Binding::Const(v));
                    }
                    Err(d) => {
                        b.diags.push(d);
                        b.env.insert(name.name.clone(), Binding::Poisoned);
                    }
                }
            }
            Stmt::Let { name, pipeline, .. } => {
                let ok = b.check_new_name(&name.name, name.span);
                match b.pipeline(pipeline) {
                    Some(n) if ok => {
                        if *b.plan.graph[n].ty() == Coll::Written {
                            b.diags.push(
                                Diag::script("flow::plan::bound_sink", format!("`{}` is bound to a sink", name.name))
                                    .at(pipeline.span, "this writes files and has no value")
                                    .help("a sink ends an output statement; bind the pipeline before the sink"),
                            );
                            b.env.insert(name.name.clone(), Binding::Poisoned);
                            continue;
                        }
                        b.plan.graph[n].names.push(name.name.clone());
                        b.env.insert(name.name.clone(), Binding::Coll(n));
                    }
                    _ => {
                        b.env.insert(name.name.clone(), Binding::Poisoned);
                    }
                }
            }
            Stmt::Output(p) => {
                if let Some(n) = b.pipeline(p) {
                    b.plan.outputs.push(Output {
                        node: n,
                        span: p.span,
                    });
                }
            }
        }
    }
    for (i, (name, _)) in overrides.iter().enumerate() {
        if !used_overrides[i] {
            let consts = program.stmts.iter().filter_map(|s| match s {
                Stmt::Const { name, .. } => Some(name.name.as_str()),
                _ => None,
            });
            let mut d = Diag::script(
                "flow::cli::unknown_set",
                format!("--set {name}: the script has no constant `{name}`"),
            );
            d = match ops::closest_in(name, consts) {
                Some(c) => d.help(format!("did you mean `{c}`?")),
                None => d.help("--set overrides a `let NAME = VALUE` constant of the script"),
            };
            b.diags.push(d);
        }
    }
    b.check_targets();
    debug_assert!(b.plan.validate().is_ok());
    b.diags.into_result(b.plan)
}

/// A path as written, without a leading `./`, for comparing targets.
fn normal_path(p: &str) -> &str {
    let mut p = p;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p
}

impl Builder<'_> {
    /// Two sinks of one run may not write the same file, and a sink may not
    /// write a file the same run reads: either would leave a file holding
    /// half of something. (Paths are compared as written.)
    fn check_targets(&mut self) {
        let mut sinks: Vec<(String, Span)> = Vec::new();
        let mut reads: Vec<(String, Span)> = Vec::new();
        for n in self.plan.graph.node_indices() {
            let step = self.plan.graph[n].first();
            let Some(Arg::Value(Value::Str(path))) = step.arg(0) else {
                continue;
            };
            let span = step.args[0].span.unwrap_or(step.span);
            match step.op.kind {
                Kind::Sink(_) => sinks.push((normal_path(path).to_string(), span)),
                Kind::Source
                    if step
                        .op
                        .params
                        .first()
                        .is_some_and(|p| p.kind == PKind::Path) =>
                {
                    reads.push((normal_path(path).to_string(), span))
                }
                Kind::Source | Kind::Elementwise | Kind::Aggregate | Kind::Combine => {}
                Kind::Join => {}
            }
        }
        sinks.sort_by_key(|(_, s)| s.start);
        for (i, (target, span)) in sinks.iter().enumerate() {
            if let Some((_, first)) = sinks[..i].iter().find(|(t, _)| t == target) {
                let (l, c) = self.lines.line_col(self.src, first.start);
                self.diags.push(
                    Diag::script(
                        "flow::plan::same_target",
                        format!("two sinks write \"{target}\""),
                    )
                    .at(*span, "written again here")
                    .help(format!(
                        "the first sink writing it is at {l}:{c}; give each sink its own path"
                    )),
                );
            }
            // One file the sink writes (with `*`: its first partition's).
            let written = target.replacen('*', "part-0000", 1);
            let read = reads.iter().find(|(glob, _)| {
                glob == target
                    || glob::Pattern::new(glob).is_ok_and(|p| {
                        // As a glob is resolved: `*` does not cross a `/`.
                        let opts = glob::MatchOptions {
                            require_literal_separator: true,
                            ..glob::MatchOptions::new()
                        };
                        p.matches_with(&written, opts)
                    })
            });
            if let Some((glob, _)) = read {
                self.diags.push(
                    Diag::script(
                        "flow::plan::sink_over_input",
                        format!("this sink writes \"{target}\", which the script also reads"),
                    )
                    .at(*span, "written here")
                    .help(format!(
                        "\"{glob}\" is read in the same run; write the result elsewhere"
                    )),
                );
            }
        }
    }
}

/// A `--set` value: a flow literal if it parses as one, else the text as a string
/// (so `--set path=books/*.txt` needs no quotes).
fn parse_override(text: &str) -> Value {
    if let Ok(p) = crate::syntax::parse(&format!("let _ = {text}")) {
        if let Some(Stmt::Const { value, .. }) = p.stmts.first() {
            if let Ok(v) = literal_value(value) {
                return v;
            }
        }
    }
    Value::str(text)
}

/// The value of a literal expression (constants are literals).
fn literal_value(e: &Expr) -> Result<Value, Diag> {
    Ok(match &e.kind {
        ExprKind::Null => Value::Null,
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Int(i) => Value::Int(*i),
        ExprKind::Float(x) => Value::Float(*x),
        ExprKind::Size(n) => Value::Int(*n as i64),
        ExprKind::Str(s) => Value::str(s),
        ExprKind::List(items) => Value::List(
            items
                .iter()
                .map(literal_value)
                .collect::<Result<Vec<_>, _>>()?
                .into(),
        ),
        ExprKind::Record(entries) => {
            if let Some(d) = super::expr::duplicate_key(entries.iter().map(|(k, _)| k)) {
                return Err(d);
            }
            let rec = entries
                .iter()
                .map(|(k, v)| Ok((k.name.as_str().into(), literal_value(v)?)))
                .collect::<Result<Vec<_>, Diag>>()?;
            Value::Record(std::sync::Arc::new(crate::value::Record::from_unique(rec)))
        }
        _ => {
            return Err(
                Diag::script("flow::plan::not_constant", "a constant must be a literal")
                    .at(e.span, "not a literal")
                    .help(
                        "`let NAME = …` binds a literal (string, number, size, list) or a pipeline",
                    ),
            )
        }
    })
}

/// The element type of the first collection argument (`join`'s OTHER).
fn other_elem(plan: &Plan, extra_inputs: &[NodeId]) -> Type {
    extra_inputs
        .first()
        .and_then(|n| plan.graph[*n].ty().elem().cloned())
        .unwrap_or(Type::Any)
}

fn describe_node(plan: &Plan, n: NodeId) -> String {
    let node = &plan.graph[n];
    match node.names.last() {
        Some(name) => format!("`{name}`"),
        None => format!("`{}`", node.last().op.name),
    }
}

impl Builder<'_> {
    /// A new binding may not shadow an operator; rebinding a name is allowed.
    fn check_new_name(&mut self, name: &str, span: Span) -> bool {
        if ops::lookup(name).is_some() {
            self.diags.push(
                Diag::script(
                    "flow::plan::shadows_operator",
                    format!("`{name}` is an operator and cannot be rebound"),
                )
                .at(span, "this name is taken by an operator")
                .help(format!(
                    "choose another name, e.g. `{name}s` or `my_{name}`"
                )),
            );
            return false;
        }
        true
    }

    fn names(&self) -> impl Fn(&str) -> NameRef + '_ {
        |name: &str| match self.env.get(name) {
            Some(Binding::Const(v)) => NameRef::Const(v.clone()),
            Some(Binding::Coll(_)) | Some(Binding::Poisoned) => NameRef::Collection,
            None => NameRef::Unbound,
        }
    }

    fn bound_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.env.keys().map(|s| s.as_str()).collect();
        v.sort();
        v
    }

    /// Builds one pipeline; `None` when it had errors (already reported).
    fn pipeline(&mut self, p: &Pipeline) -> Option<NodeId> {
        let mut cur: Option<NodeId> = None;
        for (i, stage) in p.stages.iter().enumerate() {
            let name = &stage.op.name;
            // A bound name starts a pipeline.
            if let Some(binding) = self.env.get(name).cloned() {
                if ops::lookup(name).is_none() {
                    match binding {
                        Binding::Poisoned => return None,
                        Binding::Const(_) => {
                            self.diags.push(
                                Diag::script(
                                    "flow::plan::not_a_collection",
                                    format!("`{name}` is a constant, not a collection"),
                                )
                                .at(stage.op.span, "a constant")
                                .help(format!(
                                    "use it as an argument, e.g. `from [{name}]` or `take {name}`"
                                )),
                            );
                            return None;
                        }
                        Binding::Coll(n) if i == 0 => {
                            if let Some(a) = stage.args.first() {
                                self.diags.push(
                                    Diag::script(
                                        "flow::plan::arguments_to_name",
                                        format!(
                                            "`{name}` is a bound collection and takes no arguments"
                                        ),
                                    )
                                    .at(a.span, "unexpected argument"),
                                );
                                return None;
                            }
                            cur = Some(n);
                            continue;
                        }
                        Binding::Coll(_) => {
                            self.diags.push(
                                Diag::script("flow::plan::name_mid_pipeline", format!("`{name}` is a bound collection; it can only start a pipeline"))
                                    .at(stage.op.span, "not an operator")
                                    .help(format!("to add its elements, use `concat {name}`")),
                            );
                            return None;
                        }
                    }
                }
            }
            let Some(op) = ops::lookup(name) else {
                let mut d = Diag::script(
                    "flow::plan::unknown_operator",
                    format!("unknown operator `{name}`"),
                )
                .at(stage.op.span, "not an operator or a bound name");
                let cands: Vec<&str> = ops::OPERATORS
                    .iter()
                    .map(|o| o.name)
                    .chain(self.bound_names())
                    .collect();
                d = match (
                    ops::aliases::operator_help(name),
                    ops::closest_in(name, cands.into_iter()),
                ) {
                    (Some(h), _) => d.help(h),
                    (None, Some(c)) => d.help(format!("did you mean `{c}`?")),
                    (None, None) => {
                        d.help("`:ops` in the REPL, or the README, lists the operators")
                    }
                };
                self.diags.push(d);
                return None;
            };
            match (cur, op.kind) {
                (None, Kind::Source | Kind::Combine) => {}
                (None, _) => {
                    self.diags.push(
                        Diag::script("flow::plan::missing_input", format!("`{name}` needs an input"))
                            .at(stage.op.span, "nothing flows into this stage")
                            .help("start the pipeline with a source such as `read_text \"…\"` or a bound name, then `| "
                                .to_string() + name + "`"),
                    );
                    return None;
                }
                (Some(_), Kind::Source) => {
                    self.diags.push(
                        Diag::script(
                            "flow::plan::source_mid_pipeline",
                            format!("`{name}` is a source; it can only start a pipeline"),
                        )
                        .at(stage.op.span, "a source after `|`")
                        .help("bind each pipeline with `let` and join them with `concat`"),
                    );
                    return None;
                }
                _ => {}
            }
            if let Some(prev) = cur {
                if *self.plan.graph[prev].ty() == Coll::Written {
                    self.diags.push(
                        Diag::script(
                            "flow::plan::after_sink",
                            format!(
                                "nothing can follow `{}`",
                                self.plan.graph[prev].last().op.name
                            ),
                        )
                        .at(stage.span, "after a sink")
                        .help("a sink writes files and ends the pipeline"),
                    );
                    return None;
                }
            }
            cur = Some(self.stage(op, stage, cur)?);
        }
        cur
    }

    fn stage(
        &mut self,
        op: &'static OpDef,
        stage: &Stage,
        input: Option<NodeId>,
    ) -> Option<NodeId> {
        // Check the input against what the operator needs.
        let in_ty: Option<Coll> = input.map(|n| self.plan.graph[n].ty().clone());
        if let (Some(prev), Some(t)) = (input, &in_ty) {
            let producer = describe_node(&self.plan, prev);
            match (op.input, t) {
                (Input::Bag(_), Coll::Scalar(_)) => {
                    self.diags.push(
                        Diag::script("flow::plan::type_mismatch", format!("`{}` needs a bag; {producer} produces {t}", op.name))
                            .at(stage.op.span, format!("needs a bag, found {t}"))
                            .help("a scalar is one value; aggregate last, or bind the bag and use it twice"),
                    );
                    return None;
                }
                (Input::Bag(need), Coll::Bag(e)) if !need.accepts(e) => {
                    let hint = match (need, e) {
                        (ops::Need::Str, _) => "convert first, e.g. `| map str(it)`",
                        (ops::Need::List, Type::Str) => "`split` turns strings into words",
                        (ops::Need::Record, Type::Str) => {
                            "`parse_json` turns JSON text into records"
                        }
                        _ => "check the stage before it",
                    };
                    self.diags.push(
                        Diag::script(
                            "flow::plan::type_mismatch",
                            format!(
                                "`{}` needs {} elements; {producer} produces {e}",
                                op.name,
                                need.name()
                            ),
                        )
                        .at(stage.op.span, format!("needs {}, found {e}", need.name()))
                        .help(hint),
                    );
                    return None;
                }
                _ => {}
            }
        }
        let elem: Type = in_ty
            .as_ref()
            .and_then(|t| t.elem().cloned())
            .unwrap_or(Type::Any);

        // Positional arguments.
        let mut ok = true;
        let mut args: Vec<ArgVal> = Vec::new();
        let mut extra_inputs: Vec<NodeId> = Vec::new();
        let required = op.params.iter().filter(|p| p.required).count();
        let variadic = op.params.iter().any(|p| p.variadic);
        let n = stage.args.len();
        if n < required || (!variadic && n > op.params.len()) {
            let want = if variadic {
                format!("at least {required}")
            } else if required == op.params.len() {
                format!("{required}")
            } else {
                format!("{required} to {}", op.params.len())
            };
            let s = if want == "1" { "" } else { "s" };
            let span = if n > op.params.len() {
                stage.args[op.params.len()].span.to(stage.args[n - 1].span)
            } else {
                stage.op.span
            };
            self.diags.push(
                Diag::script(
                    "flow::plan::argument_count",
                    format!(
                        "`{}` takes {want} argument{s}, but {n} {} given",
                        op.name,
                        if n == 1 { "was" } else { "were" }
                    ),
                )
                .at(
                    span,
                    if n > op.params.len() {
                        "unexpected"
                    } else {
                        "missing arguments"
                    },
                )
                .help(format!(
                    "{} — e.g. `{}`",
                    op.signature(),
                    op.example.lines().last().unwrap_or("")
                )),
            );
            return None;
        }
        for (i, a) in stage.args.iter().enumerate() {
            let p = &op.params[i.min(op.params.len() - 1)];
            // A parenthesised pipeline where a collection is expected: its
            // nodes join this DAG (CSE still shares work it repeats).
            if let (PKind::Input, ExprKind::Pipeline(sub)) = (p.kind, &a.kind) {
                match self.pipeline(sub) {
                    Some(node) if *self.plan.graph[node].ty() == Coll::Written => {
                        self.diags.push(
                            Diag::script(
                                "flow::plan::bound_sink",
                                "this pipeline ends in a sink and has no value",
                            )
                            .at(a.span, "this writes files")
                            .help(
                                "a sink ends an output statement; leave it out of the parentheses",
                            ),
                        );
                        ok = false;
                    }
                    Some(node) => {
                        extra_inputs.push(node);
                        args.push(ArgVal {
                            arg: Arg::Input(a.to_string()),
                            span: Some(a.span),
                        });
                    }
                    None => ok = false,
                }
                continue;
            }
            match self.arg(op, &p.name.to_uppercase(), p.kind, a, &elem) {
                Some(Arg::Input(name)) => match self.env.get(&name) {
                    Some(Binding::Coll(node)) => {
                        extra_inputs.push(*node);
                        args.push(ArgVal {
                            arg: Arg::Input(name),
                            span: Some(a.span),
                        });
                    }
                    _ => ok = false,
                },
                Some(v) => args.push(ArgVal {
                    arg: v,
                    span: Some(a.span),
                }),
                None => ok = false,
            }
        }

        // Named options, in catalog order, with defaults.
        let mut given: HashMap<&str, ArgVal> = HashMap::new();
        for o in &stage.options {
            let Some(def) = op.option(&o.name.name) else {
                let valid: Vec<&str> = op.options.iter().map(|o| o.name).collect();
                let mut d = Diag::script(
                    "flow::plan::unknown_option",
                    format!("`{}` has no option `{}`", op.name, o.name.name),
                )
                .at(o.name.span, "unknown option");
                d = if valid.is_empty() {
                    d.help(format!("`{}` takes no options", op.name))
                } else if let Some(c) = ops::closest_in(&o.name.name, valid.iter().copied()) {
                    d.help(format!(
                        "did you mean `{c}`? valid options: {}",
                        valid.join(", ")
                    ))
                } else {
                    d.help(format!("valid options: {}", valid.join(", ")))
                };
                self.diags.push(d);
                ok = false;
                continue;
            };
            if given.contains_key(def.name) {
                self.diags.push(
                    Diag::script(
                        "flow::plan::duplicate_option",
                        format!("option `{}` is given twice", def.name),
                    )
                    .at(o.span, "again here"),
                );
                ok = false;
                continue;
            }
            let elem = match def.kind {
                PKind::OtherExpr => other_elem(&self.plan, &extra_inputs),
                _ => elem.clone(),
            };
            match self.arg(op, def.name, def.kind, &o.value, &elem) {
                Some(v) => {
                    given.insert(
                        def.name,
                        ArgVal {
                            arg: v,
                            span: Some(o.value.span),
                        },
                    );
                }
                None => ok = false,
            }
        }
        // An option whose default is another option's expression, typed
        // anew for its own kind (`other_on` against OTHER's elements).
        for o in op.options {
            let ops::Dflt::Same(from) = o.default else {
                continue;
            };
            // Written (even if it failed to check): not defaulted.
            if stage.options.iter().any(|g| g.name.name == o.name) {
                continue;
            }
            let Some(src) = stage.options.iter().find(|g| g.name.name == from) else {
                continue;
            };
            let elem = match o.kind {
                PKind::OtherExpr => other_elem(&self.plan, &extra_inputs),
                _ => elem.clone(),
            };
            let before = self.diags.0.len();
            match self.arg(op, o.name, o.kind, &src.value, &elem) {
                Some(v) => {
                    given.insert(
                        o.name,
                        ArgVal {
                            arg: v,
                            span: Some(src.value.span),
                        },
                    );
                }
                None => {
                    // The user did not write this option: say where the
                    // expression was taken to, and how to give it apart.
                    for d in &mut self.diags.0[before..] {
                        d.message = format!(
                            "`{}` stands for `{}=` too, and there: {}",
                            from, o.name, d.message
                        );
                        d.help = Some(format!(
                            "`{}` defaults to the `{from}` expression; give it with `{}=EXPR`",
                            o.name, o.name
                        ));
                    }
                    ok = false
                }
            }
        }
        for o in op.options {
            if o.default == ops::Dflt::Required && !given.contains_key(o.name) && ok {
                self.diags.push(
                    Diag::script(
                        "flow::plan::missing_option",
                        format!("`{}` needs `{}=`", op.name, o.name),
                    )
                    .at(stage.span, format!("no `{}=`", o.name))
                    .help(format!(
                        "`{}`: {} — e.g. `{}`",
                        o.name,
                        o.doc,
                        op.example.lines().last().unwrap_or("")
                    )),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let opts: Vec<(&'static str, Option<ArgVal>)> = op
            .options
            .iter()
            .map(|o| {
                let v = given.remove(o.name).or_else(|| {
                    o.default.value().map(|v| ArgVal {
                        arg: Arg::Value(v),
                        span: None,
                    })
                });
                (o.name, v)
            })
            .collect();

        // The type rule.
        let mut inputs: Vec<NodeId> = input.into_iter().collect();
        inputs.extend(extra_inputs);
        let in_colls: Vec<Coll> = inputs
            .iter()
            .map(|n| self.plan.graph[*n].ty().clone())
            .collect();
        let schema = match op.kind {
            Kind::Source => {
                let probe = Step {
                    op,
                    phase: Phase::Whole,
                    args: args.clone(),
                    opts: opts.clone(),
                    span: stage.span,
                    pos: (0, 0),
                    ty: Coll::Bag(Type::Any),
                    project: None,
                };
                (self.schemas)(&probe)
            }
            Kind::Elementwise | Kind::Aggregate | Kind::Combine | Kind::Join | Kind::Sink(_) => {
                None
            }
        };
        if let Some(names) = &schema {
            if !self.check_types_option(stage, names) {
                return None;
            }
        }
        let cx = Cx {
            elem: in_ty.as_ref().and_then(|t| t.elem()),
            inputs: &in_colls,
            args: &args,
            opts: &opts,
            schema: schema.as_deref(),
        };
        let ty = match (op.rule)(&cx) {
            Ok(t) if t.elem().is_some_and(|e| e.depth() > MAX_TYPE_DEPTH) => {
                self.diags.push(
                    Diag::script(
                        "flow::plan::type_too_deep",
                        format!(
                            "`{}` makes elements nested more than {MAX_TYPE_DEPTH} levels deep",
                            op.name
                        ),
                    )
                    .at(stage.span, "too deep")
                    .help("flatten the data as it goes, or split the pipeline with `let`"),
                );
                return None;
            }
            Ok(t) => t,
            Err(bad) => {
                let example = op.example.lines().last().unwrap_or("");
                let help = format!("{} — e.g. `{example}`", op.signature());
                let arg_span = bad.arg.and_then(|i| args.get(i)).and_then(|a| a.span);
                self.diags.push(match arg_span {
                    Some(sp) => Diag::script("flow::plan::bad_argument", bad.msg)
                        .at(sp, "this argument")
                        .help(help),
                    None => Diag::script("flow::plan::type_mismatch", bad.msg)
                        .at(stage.span, format!("in `{}`", op.name))
                        .help(help),
                });
                return None;
            }
        };
        let step = Step {
            op,
            phase: Phase::Whole,
            args,
            opts,
            span: stage.span,
            pos: self.lines.line_col(self.src, stage.span.start),
            ty,
            project: None,
        };
        let node = self.plan.graph.add_node(Node {
            steps: vec![step],
            names: vec![],
            persist: false,
        });
        for (port, i) in inputs.into_iter().enumerate() {
            self.plan.graph.add_edge(i, node, port);
        }
        Some(node)
    }

    /// Every field a `types=` option names must be one of the source's
    /// `fields` (the header read at check time).
    fn check_types_option(&mut self, stage: &Stage, fields: &[String]) -> bool {
        let Some(o) = stage.options.iter().find(|o| {
            ops::lookup(&stage.op.name)
                .and_then(|op| op.option(&o.name.name))
                .is_some_and(|d| d.kind == PKind::Types)
        }) else {
            return true;
        };
        let ExprKind::Record(entries) = &o.value.kind else {
            return true;
        };
        let mut ok = true;
        for (k, _) in entries {
            if fields.contains(&k.name) {
                continue;
            }
            let mut d = Diag::script(
                "flow::plan::unknown_csv_field",
                format!("the CSV file has no field `{}`", k.name),
            )
            .at(k.span, "not in the header");
            let shown: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            d = match ops::closest_in(&k.name, fields.iter().map(String::as_str)) {
                Some(c) => d.help(format!(
                    "did you mean `{c}`? its fields: {}",
                    shown.join(", ")
                )),
                None => d.help(format!(
                    "the header of the first file names: {}",
                    shown.join(", ")
                )),
            };
            self.diags.push(d);
            ok = false;
        }
        ok
    }

    /// `types={FIELD: TYPE, ...}`: a record literal whose values name types.
    fn types_arg(&mut self, op: &OpDef, pname: &str, e: &Expr) -> Option<Arg> {
        let ExprKind::Record(entries) = &e.kind else {
            self.diags.push(
                Diag::script(
                    "flow::plan::argument_type",
                    format!(
                        "`{pname}` of `{}` must be {}",
                        op.name,
                        PKind::Types.describe()
                    ),
                )
                .at(e.span, "expected a record such as {age: int}")
                .help(format!(
                    "{} — e.g. `{pname}={{age: int, price: float}}`",
                    op.signature()
                )),
            );
            return None;
        };
        let mut rec = crate::value::Record::default();
        let mut ok = true;
        for (k, v) in entries {
            if rec.get(&k.name).is_some() {
                self.diags.push(
                    Diag::script(
                        "flow::plan::duplicate_key",
                        format!("field `{}` is given twice", k.name),
                    )
                    .at(k.span, "again here")
                    .help("give each field one type"),
                );
                ok = false;
                continue;
            }
            let name = match &v.kind {
                ExprKind::Name(n) | ExprKind::Str(n) => Some(n.as_str()),
                _ => None,
            };
            match name {
                Some(n) if PKind::csv_type(n).is_some() => {
                    rec.insert(k.name.as_str().into(), Value::str(n));
                }
                _ => {
                    let mut d = Diag::script(
                        "flow::plan::bad_csv_type",
                        format!("`{}` is not a type a CSV field can be read as", v),
                    )
                    .at(v.span, "not a type name");
                    let close =
                        name.and_then(|n| ops::closest_in(n, ops::CSV_TYPES.iter().copied()));
                    d = match close {
                        Some(c) => d.help(format!(
                            "did you mean `{c}`? a field can be read as {}",
                            ops::CSV_TYPES.join(", ")
                        )),
                        None => d.help(format!(
                            "a field can be read as {}",
                            ops::CSV_TYPES.join(", ")
                        )),
                    };
                    self.diags.push(d);
                    ok = false;
                }
            }
        }
        ok.then(|| Arg::Value(Value::Record(std::sync::Arc::new(rec))))
    }

    /// Resolves one argument against the kind of parameter it fills.
    fn arg(&mut self, op: &OpDef, pname: &str, kind: PKind, e: &Expr, elem: &Type) -> Option<Arg> {
        let bad = |this: &mut Self, found: String| {
            this.diags.push(
                Diag::script(
                    "flow::plan::argument_type",
                    format!(
                        "`{pname}` of `{}` must be {}, but this is {found}",
                        op.name,
                        kind.describe()
                    ),
                )
                .at(e.span, format!("expected {}", kind.describe()))
                .help(format!(
                    "{} — e.g. `{}`",
                    op.signature(),
                    op.example.lines().last().unwrap_or("")
                )),
            );
            None
        };
        if matches!(e.kind, ExprKind::Pipeline(_)) && kind != PKind::Input {
            self.diags.push(expr::pipeline_not_value(e.span));
            return None;
        }
        match kind {
            PKind::Types => self.types_arg(op, pname, e),
            PKind::Expr | PKind::OtherExpr => {
                let checked = {
                    let names = self.names();
                    expr::check(e, elem, &names)
                };
                match checked {
                    Ok(t) => Some(Arg::Expr(t)),
                    Err(d) => {
                        self.diags.push(d);
                        None
                    }
                }
            }
            PKind::Agg => match &e.kind {
                ExprKind::Name(n) if ops::Agg::parse(n).is_some() => {
                    ops::Agg::parse(n).map(Arg::Agg)
                }
                ExprKind::Name(n) => {
                    let mut d = Diag::script(
                        "flow::plan::bad_aggregate",
                        format!("`{n}` is not an aggregate"),
                    )
                    .at(e.span, "unknown aggregate");
                    let names = ops::Agg::names();
                    d = match ops::closest_in(n, names.iter().copied()) {
                        Some(c) => d.help(format!(
                            "did you mean `{c}`? aggregates: {}",
                            names.join(" ")
                        )),
                        None => d.help(format!("aggregates: {}", names.join(" "))),
                    };
                    self.diags.push(d);
                    None
                }
                _ => bad(self, "an expression".into()),
            },
            PKind::Input => match &e.kind {
                ExprKind::Name(n) => match self.env.get(n) {
                    Some(Binding::Coll(_)) => Some(Arg::Input(n.clone())),
                    Some(Binding::Poisoned) => None,
                    Some(Binding::Const(_)) => bad(self, format!("the constant `{n}`")),
                    None => {
                        let mut d =
                            Diag::script("flow::plan::unbound_name", format!("unknown name `{n}`"))
                                .at(e.span, "not a bound collection");
                        let names = self.bound_names();
                        d = match ops::closest_in(n, names.into_iter()) {
                            Some(c) => d.help(format!("did you mean `{c}`?")),
                            None => d.help("bind a collection first: `let NAME = PIPELINE`"),
                        };
                        self.diags.push(d);
                        None
                    }
                },
                _ => bad(self, "not a name".into()),
            },
            _ => {
                // A constant: a literal or a bound constant.
                let v = match &e.kind {
                    ExprKind::Name(n) => match self.env.get(n) {
                        Some(Binding::Const(v)) => v.clone(),
                        Some(Binding::Poisoned) => return None,
                        Some(Binding::Coll(_)) => {
                            return bad(self, format!("the collection `{n}`"))
                        }
                        None => {
                            self.diags.push(
                                Diag::script(
                                    "flow::plan::unbound_name",
                                    format!("unknown name `{n}`"),
                                )
                                .at(e.span, "not a bound constant")
                                .help(format!(
                                    "{} — {pname} is {}: a literal or a `let` constant; strings are written in double quotes",
                                    op.signature(),
                                    kind.describe()
                                )),
                            );
                            return None;
                        }
                    },
                    _ => match literal_value(e) {
                        Ok(v) => v,
                        Err(_) => return bad(self, "an expression".into()),
                    },
                };
                let size_literal = matches!(e.kind, ExprKind::Size(_));
                let fits = match (kind, &v) {
                    (
                        PKind::Path | PKind::Str | PKind::Sep | PKind::CsvSep | PKind::Regex,
                        Value::Str(_),
                    ) => true,
                    (PKind::Int, Value::Int(_)) => !size_literal,
                    (PKind::Size, Value::Int(n)) => *n >= 0,
                    (PKind::Bool, Value::Bool(_)) => true,
                    (PKind::List, Value::List(_)) => true,
                    (PKind::Value, _) => true,
                    (PKind::Choice(c), Value::Str(s)) => {
                        if !c.contains(&&**s) {
                            self.diags.push(
                                Diag::script(
                                    "flow::plan::bad_option_value",
                                    format!("`{pname}` cannot be \"{s}\""),
                                )
                                .at(e.span, "not a valid choice")
                                .help(format!("`{pname}` is {}", kind.describe())),
                            );
                            return None;
                        }
                        true
                    }
                    _ => false,
                };
                if !fits {
                    let found = if size_literal {
                        "a size".to_string()
                    } else {
                        format!("{} {v}", v.type_name())
                    };
                    return bad(self, found);
                }
                if let Err(inv) = kind.check(&v) {
                    self.diags.push(inv.at(e.span));
                    return None;
                }
                Some(Arg::Value(v))
            }
        }
    }
}
