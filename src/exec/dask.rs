//! `--engine dask`: runs a program written by `export` with Python and
//! reads its outputs back, so they print in flow's own formats. The program
//! is told to frame its outputs (`FLOW_OUTPUT=framed`: a `#flow-output I`
//! line before output I's JSON Lines) and reports a flow error as a last
//! stderr line `flow-error: {"code": …, "message": …}`.

use std::io::{BufRead, Read, Write};
use std::process::{Command, Stdio};

use super::output::Emitter;
use super::OutputData;
use crate::diag::{io_reason, Diag, Diags};
use crate::plan::Plan;
use crate::types::Coll;
use crate::value::format::from_json;
use crate::value::Value;

/// The Python interpreter: `FLOW_PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("FLOW_PYTHON").unwrap_or_else(|_| "python3".into())
}

const INSTALL: &str = "install Dask with: python3 -m pip install \"dask[bag,distributed]\"";

/// Runs `program` (written for `plan`) and hands its outputs to `emitter`
/// in script order.
pub fn run(plan: &Plan, program: &str, emitter: &mut dyn Emitter) -> Result<(), Diags> {
    // In a directory of its own: Python puts a script's directory first on
    // `sys.path`, so a program beside other files (in /tmp, a `timeit.py`)
    // would import them in place of the modules it means.
    // (`PYTHONSAFEPATH` does the same from Python 3.11 on.)
    let cannot = |e: std::io::Error| {
        Diag::run(
            "flow::engine::failed",
            format!("cannot write the Dask program: {}", io_reason(&e)),
        )
    };
    let dir = tempfile::Builder::new()
        .prefix("flow-dask-")
        .tempdir()
        .map_err(cannot)?;
    let path = dir.path().join("flow_dask_program.py");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(program.as_bytes()).and_then(|_| f.flush()))
        .map_err(cannot)?;
    let py = python();
    let mut child = Command::new(&py)
        .arg(&path)
        .env("FLOW_OUTPUT", "framed")
        .env("PYTHONSAFEPATH", "1")
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Diag::run(
                "flow::engine::no_python",
                format!("cannot run `{py}`: {}", io_reason(&e)),
            )
            .help(format!(
                "--engine dask needs Python 3 with Dask (set FLOW_PYTHON to choose the interpreter); {INSTALL}"
            ))
        })?;
    // Stderr is read beside stdout, so neither pipe fills up and stalls Python.
    let mut err_pipe = child.stderr.take().expect("stderr is piped");
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let stdout = std::io::BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut outputs: Vec<Vec<Value>> = Vec::new();
    let mut bad_line = None;
    for line in stdout.lines() {
        let Ok(line) = line else { break };
        if let Some(i) = line.strip_prefix("#flow-output ") {
            let _ = i;
            outputs.push(Vec::new());
            continue;
        }
        match (outputs.last_mut(), parse(&line)) {
            (Some(out), Some(v)) => out.push(v),
            _ => {
                bad_line.get_or_insert(line);
            }
        }
    }
    let status = child.wait().map_err(|e| {
        Diag::run(
            "flow::engine::failed",
            format!("`{py}` failed: {}", io_reason(&e)),
        )
    })?;
    let stderr = stderr.join().unwrap_or_default();
    if !status.success() {
        return Err(failure(&stderr).into());
    }
    if let Some(line) = bad_line {
        return Err(Diag::run(
            "flow::engine::failed",
            format!("the Dask program printed a line flow cannot read: {line:.80}"),
        )
        .into());
    }
    if outputs.len() != plan.outputs.len() {
        return Err(Diag::run(
            "flow::engine::failed",
            format!(
                "the Dask program printed {} outputs, the script has {}",
                outputs.len(),
                plan.outputs.len()
            ),
        )
        .into());
    }
    for (i, (o, values)) in plan.outputs.iter().zip(outputs).enumerate() {
        let ty = plan.graph[o.node].ty().clone();
        let values = if ty == Coll::Written {
            Vec::new()
        } else {
            values
        };
        let out = OutputData {
            ty,
            total: values.len(),
            values,
        };
        emitter.whole(i, &out).map_err(super::stdout_error)?;
    }
    Ok(())
}

/// One printed value. Python writes NaN and the infinities as `NaN`,
/// `Infinity`, `-Infinity`, which are not JSON: a line holding one is read
/// again with those words swapped for marked strings.
fn parse(line: &str) -> Option<Value> {
    if let Ok(j) = serde_json::from_str::<serde_json::Value>(line) {
        return Some(from_json(j));
    }
    let marked = mark_specials(line);
    let j = serde_json::from_str::<serde_json::Value>(&marked).ok()?;
    Some(unmark(from_json(j)))
}

const MARK: &str = "\u{1}flow-float:";

/// `NaN`, `Infinity` and `-Infinity` outside strings, as marked strings.
fn mark_specials(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    let (mut in_str, mut escaped) = (false, false);
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if in_str {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_str = false,
                _ => {}
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if let Some(word) = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|w| rest.starts_with(w))
        {
            out.push_str(&format!("\"{}{word}\"", MARK.replace('\u{1}', "\\u0001")));
            rest = &rest[word.len()..];
            continue;
        }
        if c == '"' {
            in_str = true;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn unmark(v: Value) -> Value {
    match v {
        Value::Str(s) => match s.strip_prefix(MARK) {
            Some("NaN") => Value::Float(f64::NAN),
            Some("Infinity") => Value::Float(f64::INFINITY),
            Some("-Infinity") => Value::Float(f64::NEG_INFINITY),
            _ => Value::Str(s),
        },
        Value::List(items) => Value::List(std::sync::Arc::new(
            items.iter().cloned().map(unmark).collect(),
        )),
        Value::Record(r) => Value::Record(std::sync::Arc::new(
            r.iter()
                .map(|(k, v)| (k.clone(), unmark(v.clone())))
                .collect(),
        )),
        other => other,
    }
}

/// A failed program as a diagnostic: flow's own error when it reported one,
/// a missing Dask with how to install it, else the end of its stderr.
fn failure(stderr: &str) -> Diag {
    if let Some(report) = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("flow-error: "))
    {
        if let Ok(serde_json::Value::Object(o)) = serde_json::from_str(report) {
            let text = |k: &str| o.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let code: &'static str = Box::leak(text("code").into_boxed_str());
            return Diag::run(code, text("message"))
                .help("reported by the Dask program (--engine dask)");
        }
    }
    if stderr.contains("No module named 'dask'") || stderr.contains("No module named 'distributed'")
    {
        return Diag::run("flow::engine::no_dask", "Python cannot import Dask").help(INSTALL);
    }
    let tail: Vec<&str> = stderr.lines().rev().take(12).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Diag::run(
        "flow::engine::failed",
        format!("the Dask program failed:\n{}", tail.join("\n")),
    )
    .help("run `flow export --target dask SCRIPT` and the program it prints to see the whole error")
}
