//! The driver: the one path from source text to results. A face (the command
//! line, the REPL, a test) loads a [`Script`], and the driver parses, builds,
//! optimizes, lowers and runs it — or stops after checking, explaining or
//! visualizing. [`Session`](session::Session) is the same path for a REPL, with
//! bindings that persist between inputs.
//!
//! The driver knows no terminal and no clap: faces print what it returns.

pub mod dashboard;
pub mod session;

use crate::diag::{Diag, Diags};
use crate::exec::{self, ExecOptions, RunReport};
use crate::plan::Plan;
use crate::viz;

/// A script's display name (a path, `-e`, `<stdin>`) and text.
#[derive(Clone, Debug)]
pub struct Script {
    pub name: String,
    pub text: String,
}

impl Script {
    /// Text given on the command line (`flow -e`).
    pub fn inline(text: &str) -> Script {
        Script {
            name: "-e".into(),
            text: text.into(),
        }
    }

    /// A script file, which must be UTF-8.
    pub fn file(path: &str) -> Result<Script, Diags> {
        let bytes = std::fs::read(path).map_err(|e| {
            Diag::script(
                "flow::cli::script_unreadable",
                format!("cannot read {path}: {}", crate::diag::io_reason(&e)),
            )
        })?;
        Script::from_bytes(path, path, bytes)
    }

    /// Standard input read whole, as `flow < script.flow` or a pipe gives it.
    pub fn stdin() -> Result<Script, Diags> {
        use std::io::Read;
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| {
            Diag::run(
                "flow::cli::stdin_unreadable",
                format!("cannot read standard input: {}", crate::diag::io_reason(&e)),
            )
        })?;
        Script::from_bytes("<stdin>", "standard input", bytes)
    }

    fn from_bytes(name: &str, what: &str, bytes: Vec<u8>) -> Result<Script, Diags> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Script {
                name: name.into(),
                text,
            }),
            Err(e) => Err(Diag::script(
                "flow::cli::script_not_utf8",
                format!(
                    "{what} is not valid UTF-8 (byte offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
            .into()),
        }
    }
}

/// Parses `--set NAME=VALUE` pairs into (name, value text).
pub fn parse_sets(sets: &[String]) -> Result<Vec<(String, String)>, Diags> {
    let mut out: Vec<(String, String)> = Vec::new();
    for s in sets {
        match s.split_once('=') {
            Some((n, v)) if !n.trim().is_empty() => {
                let name = n.trim().to_string();
                if out.iter().any(|(o, _)| *o == name) {
                    return Err(Diag::script(
                        "flow::cli::set_twice",
                        format!("--set {name} is given twice"),
                    )
                    .help("give each constant one value")
                    .into());
                }
                out.push((name, v.to_string()))
            }
            _ => {
                return Err(Diag::script(
                    "flow::cli::bad_set",
                    format!("--set {s}: expected NAME=VALUE"),
                )
                .help("e.g. --set path=\"books/*.txt\"")
                .into())
            }
        }
    }
    Ok(out)
}

/// Parses and builds (type-checks) a script, without optimizing. The
/// header of each `read_csv`'s first file is read now (one row), so its
/// field names are checked before the run.
pub fn build(src: &str, sets: &[(String, String)]) -> Result<Plan, Diags> {
    let ast = crate::syntax::parse(src).map_err(Diags::from)?;
    crate::plan::build_with(src, &ast, sets, &exec::source_fields)
}

/// Parse, build and (unless told not to) optimize.
pub fn compile(src: &str, sets: &[(String, String)], optimize: bool) -> Result<Plan, Diags> {
    let plan = build(src, sets)?;
    Ok(if optimize {
        crate::optimize::optimize(plan)
    } else {
        plan
    })
}

/// The plan as written, then after each optimizer pass (`--explain`).
pub fn explain(src: &str, sets: &[(String, String)]) -> Result<String, Diags> {
    let plan = build(src, sets)?;
    let mut out = viz::text::render(&plan, "plan as written");
    crate::optimize::explain(plan, |pass, changed, p| {
        out.push('\n');
        if changed {
            out += &viz::text::render(p, &format!("after {pass}"));
        } else {
            out += &format!("after {pass}: unchanged\n");
        }
    });
    Ok(out)
}

/// Renders a plan in a visualization format; `tasks` lowers the plan
/// (stats the input files, reads nothing).
pub fn visualize(
    plan: &Plan,
    format: viz::Format,
    title: &str,
    threads: usize,
) -> Result<String, Diags> {
    Ok(match format {
        viz::Format::Text => viz::text::render(plan, title),
        viz::Format::Dot => viz::dot::render(plan),
        viz::Format::Mermaid => viz::mermaid::render(plan),
        viz::Format::Svg => viz::svg::render(plan),
        viz::Format::Tasks => {
            let lowered = exec::lower(plan, threads)?;
            viz::tasks::render(plan, &lowered)
        }
    })
}

/// What `flow check` does past type checking: resolves every input glob, so
/// a missing file is reported without reading any data.
pub fn check(plan: &Plan, threads: usize) -> Result<(), Diags> {
    exec::lower(plan, threads).map(|_| ())
}

/// Runs a compiled plan; every output in script order.
pub fn run(plan: &Plan, opts: &ExecOptions) -> Result<RunReport, Diags> {
    exec::run(plan, opts, None)
}

/// `flow export --target dask`: the script, checked, as a Python program
/// using `dask.bag` (written from the plan as written, stage by stage).
pub fn export_dask(script: &Script, sets: &[(String, String)]) -> Result<String, Diags> {
    let plan = compile(&script.text, sets, false)?;
    crate::export::dask(
        &plan,
        &crate::export::Source {
            name: &script.name,
            text: &script.text,
        },
    )
}

/// `--engine dask`: exports the script, runs the program with Python and
/// hands its outputs to `emitter`. Check-time errors come before anything
/// is exported.
pub fn run_dask(
    script: &Script,
    sets: &[(String, String)],
    emitter: &mut dyn exec::output::Emitter,
) -> Result<(), Diags> {
    let plan = compile(&script.text, sets, false)?;
    let program = crate::export::dask(
        &plan,
        &crate::export::Source {
            name: &script.name,
            text: &script.text,
        },
    )?;
    exec::dask::run(&plan, &program, emitter)
}
