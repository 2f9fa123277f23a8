//! A REPL session: bindings that persist between inputs, and results of
//! bound collections cached between runs (like Dask's `persist`).
//!
//! Each input is compiled together with the session's earlier `let`
//! statements (kept as text), so names, types and the optimizer work exactly
//! as in a script; only the input's own outputs are run. Diagnostics are
//! shifted back so spans point into the input as typed.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::diag::{Diag, Diags};
use crate::exec::{self, Cache, ExecOptions, OutputData};
use crate::plan::Plan;
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
        let src = format!("{}{input}", self.defs);
        let shift = |ds: Diags| self.shift(ds);
        let base = self.defs.len();
        let ast = crate::syntax::parse(&src).map_err(|d| shift(d.into()))?;
        let mut plan = crate::plan::build(&src, &ast, &[]).map_err(shift)?;
        for n in plan.graph.node_indices().collect::<Vec<_>>() {
            let node = &mut plan.graph[n];
            if !node.names.is_empty() {
                node.persist = true;
            }
            // Positions of what the input wrote count from the input's first line.
            for step in &mut node.steps {
                if step.span.start >= base {
                    step.pos = crate::plan::line_col(input, step.span.start - base);
                }
            }
        }
        // Only the input's outputs run (earlier inputs' outputs are not in defs anyway).
        if optimize {
            plan = crate::optimize::optimize(plan);
        }
        Ok((plan, ast))
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
        let (plan, ast) = self.compile(input, true)?;
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
            let report =
                exec::run(&plan, &opts, Some(&mut self.cache)).map_err(|d| self.shift(d))?;
            self.last_reused = report.reused;
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
}
