//! The command line (SPEC §4): clap definitions and the thin glue from
//! arguments to the library's stages. Exit codes: 0 ok, 1 the run failed,
//! 2 the script or the command line is wrong.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use crate::diag::{Diag, Diags, Renderer};
use crate::driver::{self, Script};
use crate::exec::{output, ExecOptions};
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
    /// Worker threads, 1 to 1024 (default: all cores)
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
    /// Where the script runs: native (this process) or dask (the exported
    /// program, with python3; on the cluster at DASK_SCHEDULER_ADDRESS if set)
    #[arg(long, value_name = "ENGINE", default_value = "native")]
    pub engine: String,
    /// Serve a live dashboard of the run at ADDR (default 127.0.0.1:8787;
    /// port 0: any free port), and after the run until Ctrl-C
    #[arg(long, value_name = "ADDR", num_args = 0..=1, require_equals = true, default_missing_value = driver::dashboard::DEFAULT_ADDR)]
    pub dashboard: Option<String>,
    /// After the run, write a self-contained HTML performance report to FILE
    #[arg(long, value_name = "FILE")]
    pub report: Option<String>,
}

/// The dashboard's URL once one is serving: after the run, `main` waits
/// for Ctrl-C instead of exiting.
static SERVING: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The exit code of a run that is over while its dashboard still serves:
/// Ctrl-C then exits with it.
static RAN: std::sync::OnceLock<i32> = std::sync::OnceLock::new();

/// The most worker threads `--threads` accepts: more than any machine flow
/// runs on has cores, few enough that asking cannot exhaust the system.
pub const MAX_THREADS: usize = 1024;

/// What went wrong, with the script it is about (for the source lines).
pub struct Failure {
    pub diags: Diags,
    pub script: Option<Script>,
}

impl From<Diags> for Failure {
    fn from(diags: Diags) -> Failure {
        Failure {
            diags,
            script: None,
        }
    }
}

/// Whether diagnostics on stderr get colour: a terminal, `NO_COLOR` unset
/// (set to anything, even empty, it turns colour off, as no-color.org says)
/// and `TERM` not `dumb`. The REPL asks the same of stdout.
pub fn color_on(terminal: bool) -> bool {
    terminal
        && std::env::var_os("NO_COLOR").is_none()
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
    let result = match cli.command {
        None | Some(Command::Run(_)) | Some(Command::Check(_)) | Some(Command::Repl(_)) => {
            let (mode, args) = match cli.command {
                Some(Command::Check(a)) => (Mode::Check, a),
                Some(Command::Repl(a)) => (Mode::Repl, a),
                Some(Command::Run(a)) => (Mode::Run, a),
                _ => (Mode::Run, cli.run),
            };
            dispatch(mode, &args)
        }
        Some(Command::Export { target, run }) => {
            if target != "dask" {
                Err(Diags::from(
                    Diag::script(
                        "flow::cli::unknown_target",
                        format!("unknown export target `{target}`"),
                    )
                    .help("available: dask"),
                )
                .into())
            } else {
                dispatch(Mode::Export, &run)
            }
        }
    };
    let code = match result {
        Ok(code) => code,
        Err(f) => {
            let (name, text) = f
                .script
                .as_ref()
                .map_or(("flow", ""), |s| (s.name.as_str(), s.text.as_str()));
            let mut r = Renderer::new(name, text);
            r.color = color_on(std::io::stderr().is_terminal());
            r.width = 100;
            let text = r.render(&f.diags);
            let _ = std::io::stderr().write_all(text.as_bytes());
            f.diags.exit_code()
        }
    };
    if let Some(url) = SERVING.get() {
        let _ = RAN.set(code);
        eprintln!("flow: the run is over; the dashboard stays at {url} until Ctrl-C");
        loop {
            std::thread::park();
        }
    }
    code
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Run,
    Check,
    Export,
    Repl,
}

/// `--threads`: 1 to [`MAX_THREADS`], default all cores.
fn threads(args: &RunArgs) -> Result<usize, Diags> {
    match args.threads {
        None => Ok(crate::exec::thread_count(None)),
        Some(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        Some(n) => Err(Diag::script(
            "flow::cli::bad_threads",
            format!("--threads {n}: expected 1 to {MAX_THREADS}"),
        )
        .help("leave it out to use every core")
        .into()),
    }
}

fn output_format(args: &RunArgs, terminal: bool) -> Result<output::Format, Diags> {
    output::Format::parse(&args.format, terminal).ok_or_else(|| {
        Diags::from(
            Diag::script(
                "flow::cli::bad_format",
                format!("unknown output format `{}`", args.format),
            )
            .help("choose one of: auto, table, tsv, csv, json"),
        )
    })
}

fn dispatch(mode: Mode, args: &RunArgs) -> Result<i32, Failure> {
    let threads = threads(args)?;
    let stdin_tty = std::io::stdin().is_terminal();
    // No script: the REPL on a terminal (or when asked), else standard input as a script.
    if mode == Mode::Repl || (mode == Mode::Run && args.script.is_none() && args.eval.is_none()) {
        if mode == Mode::Repl || stdin_tty {
            let format = output_format(args, std::io::stdout().is_terminal())?;
            let color = color_on(std::io::stdout().is_terminal());
            return Ok(crate::repl::interactive(threads, format, color));
        }
        let script = Script::stdin()?;
        if args.visualize.is_some() || args.explain {
            return Err(Failure {
                diags: Diag::script(
                    "flow::cli::piped_visualize",
                    "--visualize and --explain need the script as a file or -e text",
                )
                .help("e.g. flow -e \"$(cat script.flow)\" --visualize")
                .into(),
                script: Some(script),
            });
        }
        return run_script(mode, args, threads, script).map(|_| 0);
    }
    let script = match (&args.eval, &args.script) {
        (Some(text), _) => Script::inline(text),
        (None, Some(path)) => Script::file(path)?,
        (None, None) => {
            return Err(Diags::from(
                Diag::script("flow::cli::no_script", "no script given").help(
                    "run `flow SCRIPT.flow`, `flow -e 'PIPELINE'`, or `flow` on a terminal for the REPL",
                ),
            )
            .into())
        }
    };
    run_script(mode, args, threads, script).map(|_| 0)
}

fn run_script(mode: Mode, args: &RunArgs, threads: usize, script: Script) -> Result<(), Failure> {
    let result = script_mode(mode, args, threads, &script);
    result.map_err(|diags| Failure {
        diags,
        script: Some(script),
    })
}

fn script_mode(mode: Mode, args: &RunArgs, threads: usize, script: &Script) -> Result<(), Diags> {
    let src = script.text.as_str();
    let sets = driver::parse_sets(&args.set)?;
    let dask = match args.engine.as_str() {
        "native" => false,
        "dask" => true,
        other => {
            return Err(
                Diag::script("flow::cli::bad_engine", format!("unknown engine `{other}`"))
                    .help("choose native (the default) or dask")
                    .into(),
            )
        }
    };
    let optimize = !args.no_optimize;
    if dask && args.profile.is_some() {
        return Err(Diag::script(
            "flow::cli::profile_needs_native",
            "--profile measures flow's own engine, not --engine dask",
        )
        .help("Dask's own dashboard and `performance_report` profile a Dask run")
        .into());
    }
    let watching = args.dashboard.is_some() || args.report.is_some();
    if watching {
        let flag = if args.dashboard.is_some() {
            "--dashboard"
        } else {
            "--report"
        };
        let not = if dask {
            Some("--engine dask")
        } else if args.explain {
            Some("--explain")
        } else if args.visualize.is_some() {
            Some("--visualize")
        } else if mode == Mode::Check {
            Some("flow check")
        } else if mode == Mode::Export {
            Some("flow export")
        } else {
            None
        };
        if let Some(not) = not {
            return Err(Diag::script(
                "flow::cli::watch_needs_run",
                format!("{flag} watches flow's own engine running the script; {not} does not run it there"),
            )
            .help("leave out one of the two")
            .into());
        }
    }
    let dashboard = match &args.dashboard {
        Some(a) => Some(driver::dashboard::parse_addr(a)?),
        None => None,
    };
    if args.explain {
        let out = driver::explain(src, &sets)?;
        return print_stdout(&out);
    }
    // Options are checked before any data is read.
    let format = output_format(args, std::io::stdout().is_terminal())?;
    let profile = match args.profile.as_deref() {
        None => None,
        Some(p @ ("table" | "json")) => Some(p),
        Some(other) => {
            return Err(Diag::script(
                "flow::cli::bad_profile",
                format!("unknown profile format `{other}`"),
            )
            .help("use --profile or --profile=json")
            .into())
        }
    };
    let visualize = match &args.visualize {
        None => None,
        Some(fmt) => Some(viz::Format::parse(fmt).ok_or_else(|| {
            Diags::from(
                Diag::script(
                    "flow::cli::bad_visualize",
                    format!("unknown visualization `{fmt}`"),
                )
                .help(format!("choose one of: {}", viz::Format::NAMES.join(", "))),
            )
        })?),
    };
    let plan = driver::compile(src, &sets, optimize)?;
    if let Some(format) = visualize {
        let title = if optimize {
            "plan (optimized)"
        } else {
            "plan as written"
        };
        let out = driver::visualize(&plan, format, title, threads)?;
        return print_stdout(&out);
    }
    match mode {
        Mode::Check => driver::check(&plan, threads),
        Mode::Export => print_stdout(&driver::export_dask(script, &sets)?),
        Mode::Run | Mode::Repl if dask => {
            let stdout = std::io::BufWriter::new(std::io::stdout());
            let mut printer = output::Printer::new(format, stdout);
            match driver::run_dask(script, &sets, &mut printer) {
                // The reader went away (`| head`): stop quietly, as a pipe expects.
                Err(d) if d.0.iter().any(|d| d.code == crate::exec::STDOUT_CLOSED) => Ok(()),
                other => other,
            }
        }
        Mode::Run | Mode::Repl => {
            // Ctrl-C: no sink's temporary file is left behind.
            let _ = ctrlc::set_handler(|| {
                // After the run, Ctrl-C only stops the dashboard: the run's code.
                if let Some(code) = RAN.get() {
                    std::process::exit(*code);
                }
                let _held = crate::exec::remove_temporaries();
                let _ = std::io::stderr().write_all(b"flow: interrupted\n");
                std::process::exit(130);
            });
            let mut opts = ExecOptions::new(threads);
            if !args.quiet && std::io::stderr().is_terminal() {
                opts.observers
                    .push(Arc::new(crate::exec::progress::Progress::default()));
            }
            let recorder = Arc::new(crate::exec::profile::Recorder::default());
            if profile.is_some() {
                opts.observers.push(recorder.clone());
            }
            // The report's file exists (under a temporary name) before any
            // data is read, so a path that cannot be written stops the run.
            let report = match &args.report {
                Some(path) => Some((
                    path.as_str(),
                    crate::exec::Staged::new(std::path::Path::new(path))
                        .map_err(|e| report_failed(path, &e))?,
                )),
                None => None,
            };
            let watch = watching.then(|| Arc::new(crate::exec::watch::Watch::new()));
            if let Some(w) = &watch {
                w.next_run(&script.name, run_options(args, threads, &format));
                opts.observers.push(w.clone());
                match dashboard {
                    Some(addr) => {
                        let d = driver::dashboard::serve(addr, w.clone())?;
                        eprintln!("flow: dashboard at {}", d.url());
                        let _ = SERVING.set(d.url());
                    }
                    None => driver::dashboard::sample_memory(w.clone()),
                }
            }
            // Outputs print as soon as each is known; one in input order
            // streams a few partitions at a time (`| head -1` prints at once).
            let stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
            opts.emitter = Some(Arc::new(std::sync::Mutex::new(output::Printer::new(
                format, stdout,
            ))));
            let ran = driver::run(&plan, &opts);
            // Outputs are flushed (the printer dropped) before the report is
            // written or the dashboard waits.
            drop(opts);
            if let (Some((path, staged)), Some(w)) = (report, &watch) {
                if let Some(run) = w.run(None) {
                    let html = viz::dashboard::report(&run, &w.memory());
                    staged
                        .commit(html.as_bytes())
                        .map_err(|e| report_failed(path, &e))?;
                }
            }
            match ran {
                Ok(_) => {}
                // The reader went away (`| head`): stop quietly, as a pipe expects.
                Err(d) if d.0.iter().any(|d| d.code == crate::exec::STDOUT_CLOSED) => return Ok(()),
                Err(d) => return Err(d),
            }
            match profile {
                Some("json") => eprint!("{}", crate::exec::profile::json(&plan, &recorder.nodes())),
                Some(_) => eprint!("{}", crate::exec::profile::table(&plan, &recorder.nodes())),
                None => {}
            }
            Ok(())
        }
    }
}

fn report_failed(path: &str, e: &std::io::Error) -> Diags {
    Diag::run(
        "flow::io::report_failed",
        format!(
            "cannot write the report {path}: {}",
            crate::diag::io_reason(e)
        ),
    )
    .help("give --report a file in a directory that exists and can be written")
    .into()
}

/// The options of a run, as the report lists them.
fn run_options(args: &RunArgs, threads: usize, format: &output::Format) -> Vec<(String, String)> {
    let mut o = vec![
        (
            "script".to_string(),
            args.script.clone().unwrap_or_else(|| "-e".into()),
        ),
        ("threads".to_string(), threads.to_string()),
        ("format".to_string(), format!("{format:?}").to_lowercase()),
        ("optimize".to_string(), (!args.no_optimize).to_string()),
    ];
    if let Some(e) = &args.eval {
        o.push(("eval".into(), e.clone()));
    }
    for s in &args.set {
        o.push(("set".into(), s.clone()));
    }
    let argv: Vec<String> = std::env::args().collect();
    o.push(("command".into(), argv.join(" ")));
    o
}

/// Writes a rendering to stdout; a closed pipe (`| head`) is no error, any
/// other failure (`> /dev/full`) is.
fn print_stdout(s: &str) -> Result<(), Diags> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Diag::run(
            "flow::io::stdout",
            format!("cannot write to stdout: {}", crate::diag::io_reason(&e)),
        )
        .into()),
    }
}
