//! A REPL session: bindings that persist between inputs, and results of
//! bound collections cached between runs (like Dask's `persist`).
//!
//! Each input is compiled together with the session's earlier `let`
//! statements (kept as text), so names, types and the optimizer work exactly
//! as in a script; only the input's own outputs are run. Diagnostics are
//! shifted back so spans point into the input as typed.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::diag::{Diag, Diags};
use crate::exec::{self, Cache, ExecOptions, OutputData};
use crate::plan::{NodeId, Plan};
use crate::syntax::ast::{Span, Stmt};
use crate::types::Coll;

pub struct Session {
    /// The `let` statements entered so far, one per line.
    defs: String,
    pub threads: usize,
    /// Rows of each bag output kept for showing; the rest are counted.
    pub preview: usize,
    pub cache: Cache,
    /// The optimized plan of the last input that had outputs (`:explain`).
    pub last_plan: Option<Plan>,
    /// Names reused from the cache by the last run.
    pub last_reused: Vec<String>,
    /// Why bindings the last run read were not cached.
    pub last_uncached: Vec<String>,
    /// Records every run for the dashboard (`:dashboard`), once started.
    pub watch: Option<Arc<exec::watch::Watch>>,
}

/// What one input did.
pub struct Evaluated {
    pub outputs: Vec<OutputData>,
    /// Names the input bound.
    pub bound: Vec<String>,
    pub elapsed: Duration,
}

impl Session {
    pub fn new(threads: usize) -> Session {
        Session {
            defs: String::new(),
            threads,
            preview: 20,
            cache: Cache::default(),
            last_plan: None,
            last_reused: Vec::new(),
            last_uncached: Vec::new(),
            watch: None,
        }
    }

    /// The text of every binding so far (what `:load` and the checker see).
    pub fn defs(&self) -> &str {
        &self.defs
    }

    /// Compiles `input` after the session's bindings; spans in errors point into `input`.
    pub fn compile(
        &self,
        input: &str,
        optimize: bool,
    ) -> Result<(Plan, crate::syntax::ast::Program), Diags> {
        self.compile_noting(input, optimize)
            .map(|(plan, ast, _)| (plan, ast))
    }

    /// [`Session::compile`], also saying which bindings will not be cached and why.
    fn compile_noting(
        &self,
        input: &str,
        optimize: bool,
    ) -> Result<(Plan, crate::syntax::ast::Program, Vec<String>), Diags> {
        let src = format!("{}{input}", self.defs);
        let shift = |ds: Diags| self.shift(ds);
        let base = self.defs.len();
        let ast = crate::syntax::parse(&src).map_err(|d| shift(d.into()))?;
        let mut plan =
            crate::plan::build_with(&src, &ast, &[], &crate::exec::source_fields).map_err(shift)?;
        let lines = crate::plan::Lines::new(input);
        for n in plan.graph.node_indices().collect::<Vec<_>>() {
            let node = &mut plan.graph[n];
            if !node.names.is_empty() {
                node.persist = true;
            }
            // Positions of what the input wrote count from the input's first line.
            for step in &mut node.steps {
                if step.span.start >= base {
                    step.pos = lines.line_col(input, step.span.start - base);
                }
            }
        }
        let uncached = self.too_big_to_cache(&mut plan);
        // Only the input's outputs run (earlier inputs' outputs are not in defs anyway).
        if optimize {
            plan = crate::optimize::optimize(plan);
        }
        Ok((plan, ast, uncached))
    }

    /// Unmarks bound collections whose result would not fit the cache's
    /// budget, so they stream (fused into what reads them) instead of being
    /// held whole and then thrown away; returns why, per name. A result is
    /// estimated from its inputs: twice the bytes of the files it reads (a
    /// line as a value costs about twice its text), 32 bytes a `range`
    /// element.
    fn too_big_to_cache(&self, plan: &mut Plan) -> Vec<String> {
        // Inputs that cannot be resolved are reported when the plan runs.
        let Ok(lowered) = exec::lower(plan, self.threads) else {
            return Vec::new();
        };
        let mut estimate: HashMap<NodeId, u64> = HashMap::new();
        for n in plan.topo() {
            let node = &plan.graph[n];
            let tasks = lowered.node(n);
            let own = if node.is_source() {
                let files = tasks.total_bytes().saturating_mul(2);
                let elements = tasks.elements.unwrap_or(0).saturating_mul(32);
                files.saturating_add(elements)
            } else {
                0
            };
            let ins: u64 = plan.inputs(n).iter().map(|i| estimate[i]).sum();
            estimate.insert(n, own.saturating_add(ins));
        }
        let mut notes = Vec::new();
        for n in plan.topo() {
            let node = &mut plan.graph[n];
            if node.persist && estimate[&n] > self.cache.budget as u64 {
                node.persist = false;
                notes.push(format!(
                    "`{}` is not cached: its result may take about {} MB, over the cache's {} MB",
                    node.names.join("`, `"),
                    estimate[&n] / 1_000_000,
                    self.cache.budget / 1_000_000
                ));
            }
        }
        notes
    }

    /// Moves the spans of diagnostics about `defs + input` into the input
    /// as typed. A span inside an earlier binding cannot point into this
    /// line: its text goes into the help instead.
    fn shift(&self, mut ds: Diags) -> Diags {
        let base = self.defs.len();
        for d in &mut ds.0 {
            let Some(s) = d.span else { continue };
            if s.start >= base {
                d.span = Some(Span::new(s.start - base, s.end - base));
            } else {
                d.span = None;
                let text = self.defs.get(s.start..s.end.min(base)).unwrap_or("");
                let note = format!("in the earlier binding `{}`", text.trim());
                d.help = Some(match d.help.take() {
                    Some(h) => format!("{note}; {h}"),
                    None => note,
                });
            }
        }
        ds
    }

    /// Runs one input: binds its `let`s, runs its outputs.
    pub fn eval(&mut self, input: &str, cancel: Arc<AtomicBool>) -> Result<Evaluated, Diags> {
        let start = Instant::now();
        let (plan, ast, uncached) = self.compile_noting(input, true)?;
        let base = self.defs.len();
        let mut bound = Vec::new();
        let mut new_defs = String::new();
        for stmt in &ast.stmts {
            let sp = stmt.span();
            if sp.start < base {
                continue;
            }
            if let Stmt::Let { name, .. } | Stmt::Const { name, .. } = stmt {
                bound.push(name.name.clone());
                new_defs.push_str(&input[sp.start - base..sp.end - base]);
                new_defs.push('\n');
            }
        }
        let outputs = if plan.outputs.is_empty() {
            Vec::new()
        } else {
            let mut opts = ExecOptions::new(self.threads);
            opts.cancel = cancel;
            // A prompt shows the first rows and counts the rest.
            opts.preview = Some(self.preview);
            if let Some(w) = &self.watch {
                w.next_run(
                    input.trim(),
                    vec![("threads".into(), self.threads.to_string())],
                );
                opts.observers.push(w.clone());
            }
            let report =
                exec::run(&plan, &opts, Some(&mut self.cache)).map_err(|d| self.shift(d))?;
            self.last_reused = report.reused;
            self.last_uncached = uncached;
            self.last_plan = Some(plan);
            report.outputs
        };
        self.defs.push_str(&new_defs);
        Ok(Evaluated {
            outputs,
            bound,
            elapsed: start.elapsed(),
        })
    }

    /// The type of a bound name, if bound.
    pub fn type_of(&self, name: &str) -> Option<Coll> {
        let (plan, _) = self.compile(name, false).ok()?;
        plan.outputs
            .first()
            .map(|o| plan.graph[o.node].ty().clone())
    }

    /// Every bound name, sorted.
    pub fn names(&self) -> Vec<String> {
        let Ok(ast) = crate::syntax::parse(&self.defs) else {
            return Vec::new();
        };
        let mut names: Vec<String> = ast
            .stmts
            .iter()
            .filter_map(|s| match s {
                Stmt::Let { name, .. } | Stmt::Const { name, .. } => Some(name.name.clone()),
                Stmt::Output(_) => None,
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The plan that computes a bound name (for `:viz NAME`).
    pub fn plan_of(&self, name: &str, optimize: bool) -> Result<Plan, Diags> {
        if !self.names().iter().any(|n| n == name) {
            return Err(Diag::script(
                "flow::repl::unbound",
                format!("`{name}` is not bound in this session"),
            )
            .into());
        }
        self.compile(name, optimize).map(|(p, _)| p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &mut Session, input: &str) -> Vec<OutputData> {
        s.eval(input, Arc::new(AtomicBool::new(false)))
            .map_err(|d| format!("{d:?}"))
            .unwrap()
            .outputs
    }

    #[test]
    fn bindings_persist_and_results_are_reused() {
        let mut s = Session::new(2);
        assert!(run(&mut s, "let n = 5").is_empty());
        assert!(run(&mut s, "let xs = range n | map it * 2").is_empty());
        let out = run(&mut s, "xs | sum");
        assert_eq!(format!("{:?}", out[0].values), "[Int(20)]");
        assert!(s.last_reused.is_empty());
        let out = run(&mut s, "xs | count");
        assert_eq!(format!("{:?}", out[0].values), "[Int(5)]");
        assert_eq!(s.last_reused, vec!["xs".to_string()]);
        assert_eq!(s.names(), vec!["n".to_string(), "xs".to_string()]);
        assert_eq!(s.type_of("xs"), Some(Coll::Bag(crate::types::Type::Int)));
    }

    #[test]
    fn errors_point_into_the_input_and_the_session_goes_on() {
        let mut s = Session::new(1);
        run(&mut s, "let a = range 3");
        let e = s
            .eval("a | lowr", Arc::new(AtomicBool::new(false)))
            .err()
            .unwrap();
        assert_eq!(e.0[0].span, Some(Span::new(4, 8)));
        assert_eq!(
            format!("{:?}", run(&mut s, "a | count")[0].values),
            "[Int(3)]"
        );
    }

    #[test]
    fn a_binding_that_ends_in_parentheses_is_kept_whole() {
        let mut s = Session::new(2);
        run(&mut s, "let xs = range 5 | map (it + 1)");
        assert_eq!(
            format!("{:?}", run(&mut s, "xs | sum")[0].values),
            "[Int(15)]"
        );
        assert_eq!(
            format!("{:?}", run(&mut s, "xs | count")[0].values),
            "[Int(5)]"
        );
    }

    #[test]
    fn run_time_errors_point_into_the_input_line() {
        let mut s = Session::new(1);
        run(&mut s, "let a = 1");
        let e = s
            .eval("range 5 | map 10 / it", Arc::new(AtomicBool::new(false)))
            .err()
            .unwrap();
        // `10 / it` divides by zero on the first element: the span is in the
        // input as typed, under the expression.
        let sp = e.0[0].span.expect("a span");
        assert_eq!(&"range 5 | map 10 / it"[sp.start..sp.end], "10 / it");
    }

    #[test]
    fn a_binding_over_the_cache_budget_streams_and_says_why() {
        let mut s = Session::new(2);
        s.cache.budget = 100_000;
        run(&mut s, "let big = read_text \"data/books/*.txt\"");
        let inline = run(&mut s, "read_text \"data/books/*.txt\" | count");
        for _ in 0..2 {
            assert_eq!(run(&mut s, "big | count")[0].values, inline[0].values);
            assert!(s.cache.is_empty(), "nothing too big is kept");
            assert!(s.last_reused.is_empty());
            assert_eq!(s.last_uncached.len(), 1);
            assert!(
                s.last_uncached[0].starts_with("`big` is not cached"),
                "{:?}",
                s.last_uncached
            );
            // Not held whole: the read is fused with the count's partial.
            let plan = s.last_plan.as_ref().unwrap();
            let first = &plan.graph[plan.topo()[0]];
            assert_eq!(first.steps.len(), 2, "read_text | count (partial)");
        }
        // A small binding is still cached.
        run(&mut s, "let small = range 10");
        run(&mut s, "small | sum");
        assert_eq!(
            run(&mut s, "small | count")[0].values,
            vec![crate::value::Value::Int(10)]
        );
        assert_eq!(s.last_reused, vec!["small".to_string()]);
    }
}
