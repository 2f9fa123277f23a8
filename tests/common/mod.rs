//! Helpers shared by the integration tests: the one place that calls the
//! library's stages, so a change of API touches only this file.
#![allow(dead_code)]

pub mod gen;

use std::path::{Path, PathBuf};

use flow::diag::{Diags, Renderer};
use flow::plan::Plan;

/// The crate root: tests read `examples/` and `data/` relative to it.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `examples/*.flow`, sorted by name: (file stem, source).
pub fn examples() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "flow"))
        .map(|p| {
            (
                stem(&p),
                std::fs::read_to_string(&p).expect("example is UTF-8"),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no examples found");
    out
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// The AST of a script, pretty-printed; panics with the rendered diagnostic on a syntax error.
pub fn check_parse(src: &str) -> String {
    match flow::syntax::parse(src) {
        Ok(p) => format!("{p:#?}"),
        Err(d) => panic!(
            "syntax error:\n{}",
            Renderer::new("test", src).render(&d.into())
        ),
    }
}

/// The compiled plan; panics with the rendered diagnostics on an error.
pub fn plan(src: &str, optimize: bool) -> Plan {
    match flow::driver::compile(src, &[], optimize) {
        Ok(p) => p,
        Err(d) => panic!("compile error:\n{}", Renderer::new("test", src).render(&d)),
    }
}

/// The plan as the `text` visualization shows it.
pub fn check_plan(src: &str, optimize: bool) -> String {
    let title = if optimize {
        "plan (optimized)"
    } else {
        "plan as written"
    };
    flow::viz::text::render(&plan(src, optimize), title)
}

/// Compiles `src` and resolves its inputs (as `flow check` does, with 2
/// threads); returns every diagnostic rendered without colour at width 100.
/// Panics if the script is fine.
pub fn check_error(name: &str, src: &str) -> String {
    let diags = errors(src, &[]);
    assert!(!diags.is_empty(), "expected an error from:\n{src}");
    render(name, src, &diags)
}

/// The diagnostics of compiling and resolving `src` with `--set` overrides (empty when fine).
pub fn errors(src: &str, overrides: &[(String, String)]) -> Diags {
    let plan = match flow::driver::compile(src, overrides, true) {
        Ok(p) => p,
        Err(d) => return d,
    };
    match flow::driver::check(&plan, 2) {
        Ok(_) => Diags::default(),
        Err(d) => d,
    }
}

pub fn render(name: &str, src: &str, diags: &Diags) -> String {
    Renderer::new(name, src).render(diags)
}

/// What the built `flow` binary did: its exit code and what it printed.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Exit code, stdout and stderr together, for a snapshot.
    pub fn transcript(&self) -> String {
        format!(
            "exit code: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The built `flow` binary with `args`, run in `dir` as a user runs it,
/// without colour (`NO_COLOR=1`) and with nothing on standard input.
pub fn flow_command(dir: &Path, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_flow"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null());
    cmd
}

/// Runs `cmd` to the end.
pub fn ran(cmd: &mut std::process::Command) -> Ran {
    let out = cmd.output().expect("the command runs");
    Ran {
        code: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh directory holding `files` (path, contents); a path ending in `/`
/// is made a directory. Paths are relative, so diagnostics about them do
/// not name the temporary directory.
pub fn scratch(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (path, contents) in files {
        let p = dir.path().join(path);
        if path.ends_with('/') {
            std::fs::create_dir_all(&p).expect("create a directory");
        } else {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).expect("create a directory");
            }
            std::fs::write(&p, contents).expect("write a file");
        }
    }
    dir
}

/// Writes `src` to `script.flow` beside `files` in a fresh directory and runs
/// `flow script.flow` there: the run-time diagnostics a user sees.
pub fn run_script(files: &[(&str, &[u8])], src: &str) -> Ran {
    let dir = scratch(files);
    std::fs::write(dir.path().join("script.flow"), src).expect("write the script");
    ran(&mut flow_command(dir.path(), &["script.flow"]))
}

/// Types `lines` into a fresh REPL session (2 threads, table output, no
/// colour, run in the crate root); each line after its prompt, then what it
/// printed to stdout and stderr.
pub fn repl(lines: &[&str]) -> String {
    let mut r = flow::repl::Repl::new(2, flow::exec::output::Format::Table, false);
    let mut text = String::new();
    for line in lines {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        r.handle(line, &mut out, &mut err)
            .expect("writing to memory does not fail");
        text += &format!("flow> {line}\n");
        text += &String::from_utf8_lossy(&out);
        text += &String::from_utf8_lossy(&err);
    }
    text
}

/// Runs `cmd` with `input` on its standard input.
pub fn ran_with_stdin(cmd: &mut std::process::Command, input: &[u8]) -> Ran {
    use std::io::Write;
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the command starts");
    // The program may stop reading early; a broken pipe here is its business.
    let _ = child.stdin.take().expect("piped stdin").write_all(input);
    let out = child.wait_with_output().expect("the command finishes");
    Ran {
        code: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
