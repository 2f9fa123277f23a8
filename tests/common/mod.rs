//! Helpers shared by the integration tests: the one place that calls the
//! library's stages, so a change of API touches only this file.
#![allow(dead_code)]

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
    match flow::exec::source::partition_counts(&plan, 2) {
        Ok(_) => Diags::default(),
        Err(d) => d,
    }
}

pub fn render(name: &str, src: &str, diags: &Diags) -> String {
    Renderer::new(name, src).render(diags)
}
