//! The interactive REPL (SPEC §6): a rustyline editor with a helper for
//! completion, hints, highlighting and multi-line validation, over a
//! [`Session`](crate::driver::session::Session). `flow` with no script starts it on a terminal; with
//! standard input piped in, that input is run as a script instead.
//!
//! [`Repl::handle`] does everything one typed line asks, writing to any
//! `Write`, so tests drive it without a terminal; [`interactive`] wraps it
//! in the editor loop, history and Ctrl-C handling.

pub mod helper;
pub mod lex;
pub mod meta;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rustyline::config::{CompletionType, Config, EditMode};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{ColorMode, Editor};

use crate::diag::{io_reason, Diag, Diags, Renderer};
use crate::driver::session::Session;
use crate::exec::output::{self, Format};
use crate::exec::OutputData;
use crate::ops::{self, funcs::FUNCTIONS, PKind, OPERATORS};
use crate::syntax::ast::{Span, Stmt};
use crate::types::{Coll, Type};
use crate::viz;
use helper::FlowHelper;
use meta::Meta;

/// Rows of a bag printed at the prompt; the rest are counted.
pub const ROWS: usize = 20;

const PROMPT: &str = "flow> ";

fn render(name: &str, src: &str, diags: &Diags, color: bool) -> String {
    let mut r = Renderer::new(name, src);
    r.color = color;
    r.width = 100;
    r.render(diags)
}

/// Where history is kept: `FLOW_HISTORY`, else `$XDG_DATA_HOME/flow/history`,
/// else `~/.local/share/flow/history`.
pub fn history_path() -> Option<PathBuf> {
    history_path_in(&|k| std::env::var_os(k))
}

/// [`history_path`] with the environment given.
fn history_path_in(env: &dyn Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let var = |k: &str| env(k).filter(|v| !v.is_empty());
    if let Some(p) = var("FLOW_HISTORY") {
        return Some(PathBuf::from(p));
    }
    let base = var("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".local").join("share")))?;
    Some(base.join("flow").join("history"))
}

/// The editor loop; returns the exit code.
pub fn interactive(threads: usize, format: Format, color: bool) -> i32 {
    let mut repl = Repl::new(threads, format, color);
    repl.tty = io::stderr().is_terminal();
    // The terminal itself failed: a diagnostic, exit 1.
    let terminal_failed = |what: String| {
        let d = Diag::run("flow::repl::terminal", what)
            .help("the REPL needs a terminal, or lines on standard input");
        let _ = io::stderr().write_all(render("flow", "", &d.into(), color).as_bytes());
        1
    };
    repl.stdout_tty = io::stdout().is_terminal();

    let config = Config::builder()
        .edit_mode(EditMode::Emacs)
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .history_ignore_space(true)
        .color_mode(if color {
            ColorMode::Enabled
        } else {
            ColorMode::Disabled
        })
        .max_history_size(10_000)
        .map(|b| b.build())
        .unwrap_or_default();
    let mut ed: Editor<FlowHelper, FileHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => return terminal_failed(format!("cannot start the line editor: {e}")),
    };
    ed.set_helper(Some(FlowHelper::new(color)));

    let history = history_path();
    if let Some(p) = &history {
        if let Some(dir) = p.parent() {
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!(
                    "warning: history will not be saved: cannot create {}: {e}",
                    dir.display()
                );
            }
        }
        // A missing file is the first session.
        let _ = ed.load_history(p);
    }

    // Ctrl-C while a pipeline runs arrives as SIGINT (the terminal is not in raw
    // mode then); at the prompt rustyline reads it as a key and clears the line.
    let cancel = repl.cancel.clone();
    if let Err(e) = ctrlc::set_handler(move || cancel.store(true, Ordering::SeqCst)) {
        eprintln!("warning: Ctrl-C will not cancel a running pipeline: {e}");
    }

    let mut out = io::stdout();
    let mut err = io::stderr();
    let _ = writeln!(
        out,
        "flow {} — type :help for help, Ctrl-D to quit",
        env!("CARGO_PKG_VERSION")
    );
    loop {
        match ed.readline(PROMPT) {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = ed.add_history_entry(line.as_str());
                if let Some(p) = &history {
                    // Append as we go, so a killed session keeps its history.
                    let _ = ed.append_history(p);
                }
                let next = repl.handle(&line, &mut out, &mut err);
                let _ = out.flush();
                if let Some(h) = ed.helper_mut() {
                    h.names = repl.session.names();
                    h.defs = repl.session.defs().to_string();
                }
                if matches!(next, Ok(Next::Quit)) {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return terminal_failed(format!("cannot read the input: {}", io_reason(&e))),
        }
    }
    0
}

/// What the loop does after a line.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    Quit,
}

/// The REPL's state between lines: the session and the display settings.
pub struct Repl {
    pub session: Session,
    pub format: Format,
    pub color: bool,
    /// Print the wall time of each input that has outputs (`:time`).
    pub time: bool,
    /// Whether the REPL talks to a terminal (which echoes `^C`).
    pub tty: bool,
    /// Whether standard output is a terminal: then `:viz … svg` writes a
    /// file and prints its path instead of the SVG itself.
    pub stdout_tty: bool,
    /// Set by Ctrl-C; cleared before each run.
    pub cancel: Arc<AtomicBool>,
    /// The last pipeline statement run, which a line starting with `|` continues.
    last: Option<String>,
    /// The dashboard's URL, once `:dashboard` started it.
    dashboard: Option<String>,
}

impl Repl {
    pub fn new(threads: usize, format: Format, color: bool) -> Repl {
        Repl {
            session: Session::new(threads),
            format,
            color,
            time: false,
            tty: false,
            stdout_tty: false,
            cancel: Arc::new(AtomicBool::new(false)),
            last: None,
            dashboard: None,
        }
    }

    fn dim(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[2m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn report(&self, name: &str, src: &str, diags: &Diags, err: &mut dyn Write) -> io::Result<()> {
        err.write_all(render(name, src, diags, self.color).as_bytes())
    }

    /// Does what one entered line (possibly several lines) asks.
    pub fn handle(
        &mut self,
        line: &str,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<Next> {
        let trimmed = line.trim_start();
        if let Some(answer) = self.python_word(line) {
            writeln!(out, "{answer}")?;
            return Ok(Next::Continue);
        }
        if trimmed.starts_with(':') {
            return match meta::parse(trimmed, &|w| self.session.names().iter().any(|n| n == w)) {
                Ok(m) => self.meta(m, out, err),
                Err(d) => {
                    self.report("<input>", line, &d.into(), err)?;
                    Ok(Next::Continue)
                }
            };
        }
        let text = if trimmed.starts_with('|') {
            match &self.last {
                Some(prev) => format!("{prev}\n{line}"),
                None => {
                    let at = line.len() - trimmed.len();
                    let d = Diag::script(
                        "flow::repl::nothing_to_continue",
                        "there is no pipeline to continue",
                    )
                    .at(Span::new(at, at + 1), "continues the previous pipeline")
                    .help("a line starting with `|` continues the last pipeline entered, e.g. `range 10` then `| map it * 2`");
                    self.report("<input>", line, &d.into(), err)?;
                    return Ok(Next::Continue);
                }
            }
        } else {
            line.to_string()
        };
        self.run("<input>", &text, out, err)?;
        Ok(Next::Continue)
    }

    /// `:dashboard [ADDR]`: serves every later run of the session (once;
    /// asked again, says where it is).
    fn dashboard(
        &mut self,
        addr: Option<&str>,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<()> {
        if let Some(url) = &self.dashboard {
            return writeln!(out, "dashboard at {url}");
        }
        let started = crate::driver::dashboard::parse_addr(
            addr.unwrap_or(crate::driver::dashboard::DEFAULT_ADDR),
        )
        .and_then(|a| {
            crate::driver::dashboard::serve(a, Arc::new(crate::exec::watch::Watch::new()))
        });
        match started {
            Ok(d) => {
                writeln!(out, "dashboard at {}", d.url())?;
                self.dashboard = Some(d.url());
                self.session.watch = Some(d.watch);
            }
            Err(d) => self.report("<input>", "", &d, err)?,
        }
        Ok(())
    }

    /// What to say to an input that is only `help`, `exit` or `quit` (or
    /// `exit()`…), as Python's REPL does. A bare word the user bound is
    /// theirs; `exit()` is never flow, so it is answered even then.
    fn python_word(&self, line: &str) -> Option<&'static str> {
        let word = line.trim();
        let bare = word.strip_suffix("()").map_or(word, str::trim_end);
        if bare == word && self.session.names().iter().any(|n| n == word) {
            return None;
        }
        match bare {
            "help" => {
                Some("Type :help for help, or :help OP for an operator, function or command.")
            }
            "exit" | "quit" => Some("Use :quit or Ctrl-D to exit."),
            _ => None,
        }
    }

    /// Evaluates `text` in the session and prints what it produced.
    fn run(
        &mut self,
        name: &str,
        text: &str,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<()> {
        self.cancel.store(false, Ordering::SeqCst);
        match self.session.eval(text, self.cancel.clone()) {
            Ok(ev) => {
                for n in &ev.bound {
                    if let Some(t) = self.describe(n) {
                        writeln!(out, "{}", self.dim(&format!("{n}: {t}")))?;
                    }
                }
                self.print_outputs(&ev.outputs, out)?;
                if self.time && !ev.outputs.is_empty() {
                    writeln!(out, "{}", self.dim(&format!("time: {:.1?}", ev.elapsed)))?;
                }
                // An input that ran or bound nothing (a comment) keeps the pipeline open.
                if !ev.outputs.is_empty() || !ev.bound.is_empty() {
                    self.last = continuable(text);
                }
            }
            Err(d) if d.0.iter().any(|d| d.code == "flow::exec::cancelled") => {
                // On a terminal, write over the `^C` it echoed.
                let cr = if self.tty { "\r" } else { "" };
                writeln!(err, "{cr}cancelled")?;
            }
            Err(d) => self.report(name, text, &d, err)?,
        }
        Ok(())
    }

    fn print_outputs(&self, outs: &[OutputData], out: &mut dyn Write) -> io::Result<()> {
        let mut first = true;
        for o in outs {
            if o.ty == Coll::Written {
                continue;
            }
            if !first {
                writeln!(out)?;
            }
            first = false;
            let mut buf = Vec::new();
            output::print_one(o, self.format, &mut buf, Some(ROWS))?;
            out.write_all(&buf)?;
            if let Coll::Bag(_) = o.ty {
                let n = o.total;
                if n == 0 {
                    writeln!(out, "{}", self.dim("(no rows)"))?;
                } else if n > ROWS {
                    let more = n - ROWS;
                    let s = if more == 1 { "" } else { "s" };
                    writeln!(out, "{}", self.dim(&format!("… {more} more row{s}")))?;
                }
            }
        }
        Ok(())
    }

    /// The type of a bound name or of a pipeline, as `:type` prints it.
    fn describe(&self, text: &str) -> Option<String> {
        self.type_of(text).ok()
    }

    fn type_of(&self, text: &str) -> Result<String, Diags> {
        match self.session.compile(text, false) {
            Ok((plan, _)) => match plan.outputs.last() {
                Some(o) => Ok(plan.graph[o.node].ty().to_string()),
                None => Err(Diag::script(
                    "flow::repl::usage",
                    "`:type` takes a bound name or a pipeline",
                )
                .into()),
            },
            // A constant is not a collection; `range 1 | map c` tells its type.
            Err(d)
                if d.0.iter().any(|d| d.code == "flow::plan::not_a_collection")
                    && lex::lex(text.trim()).len() == 1 =>
            {
                let t = self
                    .session
                    .compile(&format!("range 1 | map {}", text.trim()), false)
                    .ok()
                    .and_then(|(plan, _)| {
                        plan.outputs
                            .last()
                            .and_then(|o| plan.graph[o.node].ty().elem().cloned())
                    })
                    .unwrap_or(Type::Any);
                Ok(format!("{t} (a constant)"))
            }
            Err(d) => Err(d),
        }
    }

    /// Runs a meta command.
    pub fn meta(&mut self, m: Meta, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Next> {
        match m {
            Meta::Quit => return Ok(Next::Quit),
            Meta::Help(None) => out.write_all(help_all().as_bytes())?,
            Meta::Help(Some(topic)) => match help_topic(&topic) {
                Some(text) => out.write_all(text.as_bytes())?,
                None => {
                    let d = Diag::script(
                        "flow::repl::unknown_topic",
                        format!("no operator, function or command is named `{topic}`"),
                    );
                    let all = OPERATORS
                        .iter()
                        .map(|o| o.name)
                        .chain(FUNCTIONS.iter().map(|f| f.name))
                        .chain(meta::COMMANDS.iter().map(|c| c.name));
                    let d = match ops::closest_in(&topic, all) {
                        Some(c) => d.help(format!("did you mean `{c}`?")),
                        None => d.help("type :help for the list"),
                    };
                    self.report("<input>", "", &d.into(), err)?;
                }
            },
            Meta::Ops => out.write_all(ops_list().as_bytes())?,
            Meta::Type(text) => match self.type_of(&text) {
                Ok(t) => writeln!(out, "{}: {t}", text.trim())?,
                Err(d) => self.report("<type>", &text, &d, err)?,
            },
            Meta::Viz { name, format, path } => {
                let plan = match &name {
                    Some(n) => match self.session.plan_of(n, true) {
                        Ok(p) => p,
                        Err(d) => {
                            self.report("<input>", "", &d, err)?;
                            return Ok(Next::Continue);
                        }
                    },
                    None => match &self.session.last_plan {
                        Some(p) => p.clone(),
                        None => {
                            let d = Diag::script("flow::repl::nothing_run", "nothing has run yet")
                                .help("run a pipeline first, or name a binding: `:viz NAME`");
                            self.report("<input>", "", &d.into(), err)?;
                            return Ok(Next::Continue);
                        }
                    },
                };
                let title = match &name {
                    Some(n) => format!("plan of {n} (optimized)"),
                    None => "plan of the last input (optimized)".to_string(),
                };
                let text =
                    match crate::driver::visualize(&plan, format, &title, self.session.threads) {
                        Ok(t) => t,
                        Err(d) => {
                            self.report("<input>", "", &d, err)?;
                            return Ok(Next::Continue);
                        }
                    };
                // SVG is for a browser, not a terminal: on one it goes to a
                // file; piped, it is printed for the next program.
                let file = path.or_else(|| {
                    (format == viz::Format::Svg && self.stdout_tty).then(|| match &name {
                        Some(n) => format!("flow-viz-{n}.svg"),
                        None => "flow-viz.svg".to_string(),
                    })
                });
                match file {
                    None => out.write_all(text.as_bytes())?,
                    Some(file) => match std::fs::write(&file, text) {
                        Ok(()) => writeln!(out, "wrote {file}")?,
                        Err(e) => {
                            let d = Diag::run(
                                "flow::repl::viz_write",
                                format!("cannot write {file}: {e}"),
                            )
                            .help("the file's directory must exist and be writable");
                            self.report("<input>", "", &d.into(), err)?;
                        }
                    },
                }
            }
            Meta::Explain => match &self.session.last_plan {
                Some(plan) => {
                    out.write_all(
                        viz::text::render(plan, "plan of the last input (optimized)").as_bytes(),
                    )?;
                    let reused = &self.session.last_reused;
                    if reused.is_empty() {
                        writeln!(
                            out,
                            "reused from the cache: nothing (every stage was computed)"
                        )?;
                    } else {
                        writeln!(out, "reused from the cache: {}", reused.join(", "))?;
                    }
                    for why in &self.session.last_uncached {
                        writeln!(out, "{why}")?;
                    }
                }
                None => {
                    let d = Diag::script("flow::repl::nothing_run", "nothing has run yet").help(
                        "`:explain` shows the plan of the last pipeline that printed something",
                    );
                    self.report("<input>", "", &d.into(), err)?;
                }
            },
            Meta::Load(path) => match std::fs::read_to_string(&path) {
                Ok(text) => self.run(&path, &text, out, err)?,
                Err(e) => {
                    let d = Diag::run(
                        "flow::repl::load",
                        format!("cannot read {path}: {}", io_reason(&e)),
                    );
                    self.report("<input>", "", &d.into(), err)?;
                }
            },
            Meta::Time => {
                self.time = !self.time;
                writeln!(out, "time: {}", if self.time { "on" } else { "off" })?;
            }
            Meta::Set(None) => {
                writeln!(out, "threads: {}", self.session.threads)?;
                writeln!(out, "format: {}", format_name(self.format))?;
                writeln!(out, "time: {}", if self.time { "on" } else { "off" })?;
            }
            Meta::Set(Some((k, v))) => match (k.as_str(), v.parse::<usize>()) {
                ("threads", Ok(n)) if n > 0 => {
                    self.session.threads = n;
                    writeln!(out, "threads: {n}")?;
                }
                ("format", _) if Format::parse(&v, io::stdout().is_terminal()).is_some() => {
                    self.format = Format::parse(&v, io::stdout().is_terminal()).expect("checked");
                    writeln!(out, "format: {}", format_name(self.format))?;
                }
                _ => {
                    let help = if k == "threads" {
                        "a positive number, e.g. `:set threads 4`"
                    } else {
                        "one of auto, table, tsv, csv, json"
                    };
                    let d = Diag::script(
                        "flow::repl::bad_setting",
                        format!("`{v}` is not a valid {k}"),
                    )
                    .help(help);
                    self.report("<input>", "", &d.into(), err)?;
                }
            },
            Meta::Dashboard(addr) => self.dashboard(addr.as_deref(), out, err)?,
        }
        Ok(Next::Continue)
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Table => "table",
        Format::Tsv => "tsv",
        Format::Csv => "csv",
        Format::Json => "json",
    }
}

/// The last statement of `text` when a following `|` line may continue it:
/// an output, or a `let` whose pipeline does not read its own name (re-binding
/// `let x = x | f` with more stages would apply `f` twice).
fn continuable(text: &str) -> Option<String> {
    let ast = crate::syntax::parse(text).ok()?;
    match ast.stmts.last()? {
        Stmt::Output(p) => Some(text[p.span.start..p.span.end].to_string()),
        Stmt::Let {
            name,
            pipeline,
            span,
        } => {
            let body = &text[pipeline.span.start..pipeline.span.end];
            let reads_itself = lex::lex(body)
                .iter()
                .any(|t| t.kind == lex::Tok::Ident && body[t.start..t.end] == name.name);
            (!reads_itself).then(|| text[span.start..span.end].to_string())
        }
        Stmt::Const { .. } => None,
    }
}

/// `:help` — every command, operator and function, one line each.
pub fn help_all() -> String {
    let mut s = String::from("Commands:\n");
    let cmds: Vec<(String, &str)> = meta::COMMANDS
        .iter()
        .map(|c| {
            let head = if c.args.is_empty() {
                format!(":{}", c.name)
            } else {
                format!(":{} {}", c.name, c.args)
            };
            (head, c.summary)
        })
        .collect();
    let w = cmds
        .iter()
        .map(|(h, _)| h.chars().count())
        .max()
        .unwrap_or(0);
    for (h, d) in &cmds {
        s += &format!("  {h:<w$}  {d}\n");
    }
    let w = OPERATORS.iter().map(|o| o.name.len()).max().unwrap_or(0);
    let mut kind = None;
    for o in OPERATORS {
        if kind != Some(o.kind.name()) {
            kind = Some(o.kind.name());
            s += &format!("\nOperators ({}):\n", plural(o.kind.name()));
        }
        s += &format!("  {:<w$}  {}\n", o.name, o.summary);
    }
    s += "\nFunctions (in expressions; a bare name applies to `it`):\n";
    let w = FUNCTIONS
        .iter()
        .map(|f| f.signature.len())
        .max()
        .unwrap_or(0);
    for f in FUNCTIONS {
        s += &format!("  {:<w$}  {}\n", f.signature, f.summary);
    }
    s += "\nA line ending in `|` or with an open bracket or string continues on the next;\n\
          a line starting with `|` continues the previous pipeline. `:help OP` for details.\n";
    s
}

fn plural(kind: &str) -> String {
    match kind {
        "combining" | "elementwise" => kind.into(),
        k => format!("{k}s"),
    }
}

/// `:ops` — every operator's signature, grouped by kind.
pub fn ops_list() -> String {
    let mut s = String::new();
    let mut kind = None;
    for o in OPERATORS {
        if kind != Some(o.kind.name()) {
            if kind.is_some() {
                s.push('\n');
            }
            kind = Some(o.kind.name());
            s += &format!("{}:\n", plural(o.kind.name()));
        }
        s += &format!("  {}\n", o.signature());
    }
    s
}

/// `:help TOPIC` — an operator, a function and/or a meta command of that name.
pub fn help_topic(topic: &str) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(o) = ops::lookup(topic) {
        let mut s = format!("{}\n  {} — {}\n", o.signature(), o.kind.name(), o.summary);
        if !o.params.is_empty() {
            s += "\n  arguments:\n";
            let w = o.params.iter().map(|p| p.name.len()).max().unwrap_or(0);
            for p in o.params {
                let opt = if p.required { "" } else { " (optional)" };
                let many = if p.variadic { ", one or more" } else { "" };
                s += &format!(
                    "    {:<w$}  {}{many}{opt}\n",
                    p.name.to_uppercase(),
                    p.kind.describe()
                );
            }
        }
        if !o.options.is_empty() {
            s += "\n  options:\n";
            let rows: Vec<(String, String)> = o
                .options
                .iter()
                .map(|op| {
                    let choices = match op.kind {
                        PKind::Choice(_) => format!("; {}", op.kind.describe()),
                        _ => String::new(),
                    };
                    (
                        format!("{}={}", op.name, helper::show_default(op.default, op.kind)),
                        format!("{}{choices}", op.doc),
                    )
                })
                .collect();
            let w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
            for (n, doc) in &rows {
                s += &format!("    {n:<w$}  {doc}\n");
            }
        }
        s += &format!("\n  example:\n    {}\n", o.example);
        parts.push(s);
    }
    if let Some(f) = crate::ops::funcs::lookup(topic) {
        parts.push(format!(
            "{}  (function)\n  {}\n\n  example:\n    {}\n",
            f.signature, f.summary, f.example
        ));
    }
    if let Some(c) = meta::COMMANDS.iter().find(|c| c.name == topic) {
        parts.push(format!(":{} {}\n  {}\n", c.name, c.args, c.summary));
    }
    (!parts.is_empty()).then(|| parts.join("\n"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn help_on_a_function_shows_its_example() {
        let h = super::help_topic("extract").expect("extract is a function");
        assert!(h.contains("extract(s, regex, [group])  (function)"), "{h}");
        assert!(h.contains("example:\n    extract(\"GET /index.html"), "{h}");
    }

    #[test]
    fn each_kind_of_operator_is_listed_under_one_heading() {
        for text in [super::ops_list(), super::help_all()] {
            for heading in [
                "sources",
                "elementwise",
                "aggregations",
                "combining",
                "sinks",
            ] {
                let n = text
                    .lines()
                    .filter(|l| {
                        l.trim_end_matches(':').ends_with(heading)
                            || l.contains(&format!("({heading})"))
                    })
                    .count();
                assert_eq!(n, 1, "{heading} in:\n{text}");
            }
        }
    }

    use super::*;

    fn repl() -> Repl {
        Repl::new(2, Format::Table, false)
    }

    /// Runs lines; returns (stdout, stderr) of the last.
    fn run(r: &mut Repl, lines: &[&str]) -> (String, String) {
        let (mut o, mut e) = (Vec::new(), Vec::new());
        for l in lines {
            o.clear();
            e.clear();
            r.handle(l, &mut o, &mut e).unwrap();
        }
        (String::from_utf8(o).unwrap(), String::from_utf8(e).unwrap())
    }

    #[test]
    fn outputs_print_twenty_rows_and_count_the_rest() {
        let mut r = repl();
        let (o, e) = run(&mut r, &["range 25"]);
        assert_eq!(e, "");
        let lines: Vec<&str> = o.lines().collect();
        assert_eq!(lines.len(), 21);
        assert_eq!(lines[19].trim(), "19");
        assert_eq!(lines[20], "… 5 more rows");
        assert_eq!(
            run(&mut r, &["range 21"]).0.lines().last(),
            Some("… 1 more row")
        );
        assert_eq!(run(&mut r, &["range 3 | sum"]).0, "3\n");
        assert_eq!(run(&mut r, &["range 0"]).0, "(no rows)\n");
        assert_eq!(run(&mut r, &["range 2; range 3 | count"]).0, "0\n1\n\n3\n");
    }

    #[test]
    fn bindings_persist_and_print_their_type() {
        let mut r = repl();
        assert_eq!(run(&mut r, &["let xs = range 10"]).0, "xs: bag<int>\n");
        assert_eq!(run(&mut r, &["let n = 3"]).0, "n: int (a constant)\n");
        assert_eq!(run(&mut r, &["xs | take n | sum"]).0, "3\n");
        assert_eq!(run(&mut r, &[":type xs"]).0, "xs: bag<int>\n");
        assert_eq!(run(&mut r, &[":type n"]).0, "n: int (a constant)\n");
        assert_eq!(
            run(&mut r, &[":type xs | count"]).0,
            "xs | count: scalar<int>\n"
        );
        let (_, e) = run(&mut r, &[":type nope"]);
        assert!(e.contains("nope"), "{e}");
    }

    #[test]
    fn errors_are_diagnostics_and_the_session_goes_on() {
        let mut r = repl();
        run(&mut r, &["let xs = range 10"]);
        let (o, e) = run(&mut r, &["xs | frequencie"]);
        assert_eq!(o, "");
        assert!(e.contains("flow::plan::unknown_operator"), "{e}");
        assert!(e.contains("did you mean `frequencies`?"), "{e}");
        // The span points into the line as typed.
        assert!(e.contains("<input>:1:6"), "{e}");
        assert_eq!(run(&mut r, &["xs | count"]).0, "10\n");
    }

    #[test]
    fn a_line_starting_with_a_pipe_continues_the_last_pipeline() {
        let mut r = repl();
        let (_, e) = run(&mut r, &["| count"]);
        assert!(e.contains("flow::repl::nothing_to_continue"), "{e}");
        assert_eq!(run(&mut r, &["range 5"]).0, "0\n1\n2\n3\n4\n");
        // A failed continuation leaves the pipeline as it was.
        let (_, e) = run(&mut r, &["| lowr"]);
        assert!(e.contains("unknown_operator"), "{e}");
        assert_eq!(run(&mut r, &["| count"]).0, "5\n");
        assert_eq!(
            run(&mut r, &["range 5", "| map it * 10", "| sum"]).0,
            "100\n"
        );
        // A binding continues by re-binding.
        assert_eq!(
            run(&mut r, &["let ys = range 4", "| map it + 1"]).0,
            "ys: bag<int>\n"
        );
        assert_eq!(run(&mut r, &["ys | sum"]).0, "10\n");
        // Multi-line input as the editor hands it over.
        assert_eq!(run(&mut r, &["range 4\n| map it * 2\n| sum"]).0, "12\n");
    }

    #[test]
    fn a_binding_that_reads_itself_is_not_continued() {
        let mut r = repl();
        run(&mut r, &["let a = range 3", "let a = a | map it + 1"]);
        let (_, e) = run(&mut r, &["| map it * 2"]);
        assert!(e.contains("nothing_to_continue"), "{e}");
        assert_eq!(run(&mut r, &["a | sum"]).0, "6\n");
    }

    #[test]
    fn the_dashboard_shows_every_run_of_the_session() {
        let mut r = repl();
        let (_, e) = run(&mut r, &[":dashboard nowhere"]);
        assert!(e.contains("flow::cli::bad_dashboard"), "{e}");
        assert!(r.session.watch.is_none());
        let (o, e) = run(&mut r, &[":dashboard 127.0.0.1:0"]);
        assert_eq!(e, "");
        let url = o
            .trim()
            .strip_prefix("dashboard at ")
            .expect("the URL")
            .to_string();
        assert!(
            url.starts_with("http:") && url.contains("127.0.0.1:"),
            "{url}"
        );
        // Asked again: where it already is.
        assert_eq!(run(&mut r, &[":dashboard"]).0.trim(), o.trim());
        run(&mut r, &["let xs = range 100", "xs | sum", "xs | count"]);
        let w = r.session.watch.clone().expect("a watch");
        let st = w.status(None, 0);
        let runs = st["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 2, "{st}");
        assert_eq!(runs[0]["label"], "xs | sum");
        assert_eq!(runs[1]["label"], "xs | count");
        assert_eq!(st["run"]["state"], "done");
        // The server answers.
        let addr = url
            .trim_start_matches("http:")
            .trim_matches('/')
            .to_string();
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(s, "GET /api/status HTTP/1.0\r\n\r\n").unwrap();
        let mut body = String::new();
        io::Read::read_to_string(&mut s, &mut body).unwrap();
        assert!(body.contains(" 200 OK"), "{body}");
        assert!(body.contains("\"label\":\"xs | count\""), "{body}");
    }

    #[test]
    fn meta_commands_answer() {
        let mut r = repl();
        let (o, _) = run(&mut r, &[":help"]);
        for needle in [":explain", "read_text", "frequencies", "not_delim(s)"] {
            assert!(o.contains(needle), "{needle}: {o}");
        }
        let (o, _) = run(&mut r, &[":help read_text"]);
        assert!(o.starts_with("read_text GLOB [blocksize=SIZE]"), "{o}");
        assert!(o.contains("encoding="), "{o}");
        // One line per option: name=default, then its doc.
        let line = |start: &str| {
            o.lines()
                .find(|l| l.trim_start().starts_with(start))
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default()
        };
        assert_eq!(
            line("encoding="),
            r#"encoding="utf-8" how the bytes are decoded; one of "utf-8", "latin-1""#
        );
        assert!(
            line("blocksize=").starts_with("blocksize=SIZE split files"),
            "{o}"
        );
        assert!(o.contains("example:\n    read_text"), "{o}");
        let (o, _) = run(&mut r, &[":help lower"]);
        assert!(o.contains("lower(s)  (function)"), "{o}");
        let (o, _) = run(&mut r, &[":help load"]);
        assert!(o.contains(":load FILE"), "{o}");
        let (_, e) = run(&mut r, &[":help frequencie"]);
        assert!(e.contains("did you mean `frequencies`?"), "{e}");
        let (_, e) = run(&mut r, &[":hlep"]);
        assert!(e.contains("did you mean `:help`?"), "{e}");
        let (o, _) = run(&mut r, &[":ops"]);
        assert!(o.contains("  topk N [by=EXPR]"), "{o}");
        assert_eq!(run(&mut r, &[":time"]).0, "time: on\n");
        let (o, _) = run(&mut r, &["range 3 | count"]);
        assert!(o.starts_with("3\ntime: "), "{o}");
        assert_eq!(run(&mut r, &[":time"]).0, "time: off\n");
        assert_eq!(run(&mut r, &[":set threads 3"]).0, "threads: 3\n");
        assert_eq!(r.session.threads, 3);
        assert_eq!(
            run(&mut r, &[":set format json", "from [\"a\"]"]).0,
            "\"a\"\n"
        );
        assert!(run(&mut r, &[":set threads 0"]).1.contains("bad_setting"));
        assert_eq!(
            r.handle(":quit", &mut Vec::new(), &mut Vec::new()).unwrap(),
            Next::Quit
        );
    }

    #[test]
    fn explain_and_viz_show_plans_and_the_cache() {
        let mut r = repl();
        assert!(run(&mut r, &[":explain"]).1.contains("nothing has run yet"));
        run(
            &mut r,
            &["let w = from [\"a\", \"b\", \"a\"] | upper", "w | count"],
        );
        let (o, _) = run(&mut r, &[":explain"]);
        assert!(o.contains("reused from the cache: nothing"), "{o}");
        run(&mut r, &["w | frequencies"]);
        let (o, _) = run(&mut r, &[":explain"]);
        assert!(o.contains("frequencies"), "{o}");
        assert!(o.ends_with("reused from the cache: w\n"), "{o}");
        let (o, _) = run(&mut r, &[":viz w"]);
        assert!(o.contains("upper"), "{o}");
        let (o, _) = run(&mut r, &[":viz w dot"]);
        assert!(o.starts_with("digraph"), "{o}");
        let (o, _) = run(&mut r, &[":viz mermaid"]);
        assert!(o.contains("frequencies"), "{o}");
        assert!(run(&mut r, &[":viz nope"]).1.contains("not bound"));
    }

    #[test]
    fn help_exit_and_quit_typed_bare_point_at_the_commands() {
        let mut r = repl();
        for w in ["help", " help() ", "help\n"] {
            assert_eq!(
                run(&mut r, &[w]),
                (
                    "Type :help for help, or :help OP for an operator, function or command.\n"
                        .into(),
                    String::new()
                ),
                "{w:?}"
            );
        }
        for w in ["exit", "quit", "exit()", " quit() ", "quit\n"] {
            let (mut o, mut e) = (Vec::new(), Vec::new());
            assert_eq!(
                r.handle(w, &mut o, &mut e).unwrap(),
                Next::Continue,
                "{w:?}"
            );
            assert_eq!(
                String::from_utf8(o).unwrap(),
                "Use :quit or Ctrl-D to exit.\n",
                "{w:?}"
            );
            assert!(e.is_empty(), "{w:?}");
        }
        // Only the whole input: anything more is flow, as before.
        let (_, e) = run(&mut r, &["help map"]);
        assert!(e.contains("unknown operator `help`"), "{e}");
        // A binding of that name is the user's.
        assert_eq!(run(&mut r, &["let quit = range 3"]).0, "quit: bag<int>\n");
        assert_eq!(run(&mut r, &["quit"]).0, "0\n1\n2\n");
        assert_eq!(run(&mut r, &["quit | sum"]).0, "3\n");
        assert_eq!(run(&mut r, &["exit"]).0, "Use :quit or Ctrl-D to exit.\n");
    }

    #[test]
    fn viz_svg_goes_to_a_file_when_the_output_is_a_terminal() {
        let dir = tempfile::tempdir().unwrap();
        let is_svg = |s: &str| s.starts_with("<svg") || s.starts_with("<?xml");
        let mut r = repl();
        run(&mut r, &["let w = from [\"a\", \"b\"] | upper"]);
        // Not a terminal (a pipe, a test): the SVG itself, to pipe on.
        let (o, e) = run(&mut r, &[":viz w svg"]);
        assert_eq!(e, "");
        assert!(is_svg(&o), "{o}");
        // A terminal: a file, and a line naming it.
        r.stdout_tty = true;
        let f = dir.path().join("plan.svg");
        let (o, e) = run(&mut r, &[&format!(":viz w svg {}", f.display())]);
        assert_eq!(e, "");
        assert_eq!(o, format!("wrote {}\n", f.display()));
        let svg = std::fs::read_to_string(&f).unwrap();
        assert!(is_svg(&svg) && svg.contains("upper"), "{svg}");
        // The plan of the last input too.
        run(&mut r, &["w | count"]);
        let f = dir.path().join("last.svg");
        let (o, _) = run(&mut r, &[&format!(":viz svg {}", f.display())]);
        assert_eq!(o, format!("wrote {}\n", f.display()));
        assert!(std::fs::read_to_string(&f).unwrap().contains("count"));
        // Other drawings are text, for the terminal.
        assert!(run(&mut r, &[":viz w dot"]).0.starts_with("digraph"));
        // A file asked for is written without a terminal too.
        r.stdout_tty = false;
        let f = dir.path().join("asked.svg");
        let (o, _) = run(&mut r, &[&format!(":viz w svg {}", f.display())]);
        assert_eq!(o, format!("wrote {}\n", f.display()));
        assert!(is_svg(&std::fs::read_to_string(&f).unwrap()));
        // A file that cannot be written is a diagnostic.
        let f = dir.path().join("no").join("such.svg");
        let (o, e) = run(&mut r, &[&format!(":viz w svg {}", f.display())]);
        assert_eq!(o, "");
        assert!(e.contains("flow::repl::viz_write"), "{e}");
    }

    #[test]
    fn load_runs_a_script_into_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("s.flow");
        std::fs::write(&f, "let k = 4\nlet xs = range k\nxs | sum\n").unwrap();
        let mut r = repl();
        let (o, e) = run(&mut r, &[&format!(":load {}", f.display())]);
        assert_eq!(e, "");
        assert_eq!(o, "k: int (a constant)\nxs: bag<int>\n6\n");
        assert_eq!(run(&mut r, &["xs | count"]).0, "4\n");
        let (_, e) = run(&mut r, &[":load /nonexistent/x.flow"]);
        assert!(e.contains("cannot read /nonexistent/x.flow"), "{e}");
        std::fs::write(&f, "range 3 | lowr\n").unwrap();
        let (_, e) = run(&mut r, &[&format!(":load {}", f.display())]);
        assert!(e.contains("s.flow:1:11"), "{e}");
    }

    #[test]
    fn a_set_cancel_flag_stops_the_run() {
        let mut r = repl();
        let flag = r.cancel.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            flag.store(true, Ordering::SeqCst);
        });
        let start = std::time::Instant::now();
        let (o, e) = run(&mut r, &["range 10000000000 | map it * 2 | sum"]);
        t.join().unwrap();
        assert_eq!((o.as_str(), e.as_str()), ("", "cancelled\n"));
        assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
        assert_eq!(run(&mut r, &["range 3 | count"]).0, "3\n");
    }

    #[test]
    fn history_lives_in_the_data_directory() {
        let with = |vars: &[(&str, &str)]| {
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            history_path_in(&move |k| {
                vars.iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            })
        };
        let home = ("HOME", "/home/u");
        assert_eq!(
            with(&[home]),
            Some(PathBuf::from("/home/u/.local/share/flow/history"))
        );
        assert_eq!(
            with(&[home, ("XDG_DATA_HOME", "/data")]),
            Some(PathBuf::from("/data/flow/history"))
        );
        // A relative XDG_DATA_HOME is invalid by the XDG spec and ignored.
        assert_eq!(
            with(&[home, ("XDG_DATA_HOME", "rel")]),
            Some(PathBuf::from("/home/u/.local/share/flow/history"))
        );
        assert_eq!(
            with(&[home, ("FLOW_HISTORY", "/tmp/h")]),
            Some(PathBuf::from("/tmp/h"))
        );
        assert_eq!(with(&[]), None);
    }
}
