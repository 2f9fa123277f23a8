//! The command line (SPEC §4): clap definitions and the thin glue from
//! arguments to the library's stages. Exit codes: 0 ok, 1 the run failed,
//! 2 the script or the command line is wrong.

use std::io::{IsTerminal, Write};

use clap::{Args, Parser, Subcommand};

use crate::diag::{Diag, Diags, Renderer};
use crate::plan::Plan;
use crate::viz;

#[derive(Parser, Debug)]
#[command(
    name = "flow",
    version,
    about = "A small, checked dataflow language for text, logs and JSON",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a script (the default when a script is given)
    Run(RunArgs),
    /// Parse, type-check and resolve globs; print nothing on success
    Check(RunArgs),
    /// Print an equivalent program for another engine
    Export {
        #[arg(long, default_value = "dask")]
        target: String,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Start the interactive prompt
    Repl(RunArgs),
}

#[derive(Args, Debug, Default, Clone)]
pub struct RunArgs {
    /// The script to run
    pub script: Option<String>,
    /// Run this text instead of a script file
    #[arg(short = 'e', long = "eval", value_name = "PIPELINE")]
    pub eval: Option<String>,
    /// Override a `let NAME = VALUE` constant of the script
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Print the task graph instead of running it: text, dot, mermaid, svg, tasks
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "text")]
    pub visualize: Option<String>,
    /// Show the plan as written, without optimizer passes
    #[arg(long)]
    pub no_optimize: bool,
    /// Print the plan after each optimizer pass
    #[arg(long)]
    pub explain: bool,
    /// Worker threads (default: all cores)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Output format: auto, table, tsv, csv, json
    #[arg(long, default_value = "auto")]
    pub format: String,
    /// Print per-stage statistics to stderr after the run
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "table")]
    pub profile: Option<String>,
    /// No progress bar
    #[arg(long, short)]
    pub quiet: bool,
}

/// What went wrong, with the text to render it against.
pub struct Failure {
    pub diags: Diags,
    pub renderer: Renderer,
}

/// The script: its display name and text.
pub fn load(args: &RunArgs) -> Result<(String, String), Diags> {
    if let Some(text) = &args.eval {
        return Ok(("-e".into(), text.clone()));
    }
    let Some(path) = &args.script else {
        return Err(Diag::script("flow::cli::no_script", "no script given")
            .help("run `flow SCRIPT.flow`, `flow -e 'PIPELINE'`, or `flow` on a terminal for the REPL")
            .into());
    };
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Ok((path.clone(), s)),
            Err(e) => Err(Diag::script(
                "flow::cli::script_not_utf8",
                format!(
                    "{path} is not valid UTF-8 (byte offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
            .into()),
        },
        Err(e) => Err(Diag::script(
            "flow::cli::script_unreadable",
            format!("cannot read {path}: {e}"),
        )
        .into()),
    }
}

/// Parses `--set NAME=VALUE` pairs.
pub fn overrides(args: &RunArgs) -> Result<Vec<(String, String)>, Diags> {
    let mut out = Vec::new();
    for s in &args.set {
        match s.split_once('=') {
            Some((n, v)) if !n.is_empty() => out.push((n.trim().to_string(), v.to_string())),
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

/// Parse, build and (unless told not to) optimize.
pub fn compile(src: &str, overrides: &[(String, String)], optimize: bool) -> Result<Plan, Diags> {
    let ast = crate::syntax::parse(src).map_err(Diags::from)?;
    let plan = crate::plan::build(src, &ast, overrides)?;
    Ok(if optimize {
        crate::optimize::optimize(plan)
    } else {
        plan
    })
}

fn color_stderr() -> bool {
    std::env::var_os("NO_COLOR").is_none()
        && std::io::stderr().is_terminal()
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Entry point of the binary; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let (mode, args) = match cli.command {
        None => ("run", cli.run),
        Some(Command::Run(a)) => ("run", a),
        Some(Command::Check(a)) => ("check", a),
        Some(Command::Export { target, run }) => {
            if target != "dask" {
                eprintln!("error: unknown export target `{target}` (available: dask)");
                return 2;
            }
            ("export", run)
        }
        // `flow repl` prompts even when standard input is not a terminal.
        Some(Command::Repl(a)) => return crate::repl::interactive(&a),
    };
    // No script: the REPL on a terminal, else standard input as a script.
    if mode == "run" && args.script.is_none() && args.eval.is_none() {
        return crate::repl::main(&args);
    }
    match run_mode(mode, &args) {
        Ok(()) => 0,
        Err(f) => {
            let mut r = f.renderer;
            r.color = color_stderr();
            r.width = 100;
            let text = r.render(&f.diags);
            let _ = std::io::stderr().write_all(text.as_bytes());
            f.diags.exit_code()
        }
    }
}

fn run_mode(mode: &str, args: &RunArgs) -> Result<(), Failure> {
    let (name, src) = load(args).map_err(|diags| Failure {
        diags,
        renderer: Renderer::new("flow", ""),
    })?;
    let renderer = Renderer::new(&name, &src);
    let fail = |diags: Diags| Failure {
        diags,
        renderer: Renderer::new(&name, &src),
    };
    let sets = overrides(args).map_err(fail)?;
    let optimize = !args.no_optimize;
    let threads = crate::exec::thread_count(args.threads);

    if args.explain {
        let ast = crate::syntax::parse(&src).map_err(|d| fail(d.into()))?;
        let plan = crate::plan::build(&src, &ast, &sets).map_err(fail)?;
        let mut out = viz::text::render(&plan, "plan as written");
        crate::optimize::explain(plan, |pass, changed, p| {
            out.push('\n');
            if changed {
                out += &viz::text::render(p, &format!("after {pass}"));
            } else {
                out += &format!("after {pass}: unchanged\n");
            }
        });
        print_stdout(&out);
        return Ok(());
    }

    let plan = compile(&src, &sets, optimize).map_err(fail)?;
    if let Some(fmt) = &args.visualize {
        let Some(format) = viz::Format::parse(fmt) else {
            return Err(fail(
                Diag::script(
                    "flow::cli::bad_visualize",
                    format!("unknown visualization `{fmt}`"),
                )
                .help(format!("choose one of: {}", viz::Format::NAMES.join(", ")))
                .into(),
            ));
        };
        let title = if optimize {
            "plan (optimized)"
        } else {
            "plan as written"
        };
        let out = visualize(&plan, format, title, threads).map_err(fail)?;
        print_stdout(&out);
        return Ok(());
    }
    match mode {
        "check" => {
            crate::exec::source::partition_counts(&plan, threads).map_err(fail)?;
            Ok(())
        }
        "export" => Err(fail(
            Diag::run("flow::export::not_built", "`flow export` is not built yet")
                .help("it comes with the Dask export issue")
                .into(),
        )),
        _ => {
            let _ = renderer;
            crate::exec::run_cli(&plan, args, threads).map_err(fail)
        }
    }
}

/// Renders a plan in a visualization format; `tasks` resolves the inputs'
/// partitions (stats files, reads nothing).
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
            let parts = crate::exec::source::partition_counts(plan, threads)?;
            viz::tasks::render(plan, &parts)
        }
    })
}

fn print_stdout(s: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}
