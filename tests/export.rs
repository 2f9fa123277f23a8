//! `flow export --target dask`: the program written for every example,
//! snapshotted (read them: they are what a user gets), and properties every
//! program has. That the programs compute what flow computes is proved
//! against real Dask in `tests/dask.rs`.

mod common;

use flow::driver::{export_dask, Script};

fn export(name: &str, text: &str) -> String {
    let script = Script {
        name: format!("examples/{name}.flow"),
        text: text.to_string(),
    };
    match export_dask(&script, &[]) {
        Ok(p) => p,
        Err(d) => panic!(
            "{name} does not export:\n{}",
            common::render(name, text, &d)
        ),
    }
}

#[test]
fn every_example_exports() {
    for (name, text) in common::examples() {
        let program = export(&name, &text);
        insta::with_settings!({ omit_expression => true, description => text.as_str() }, {
            insta::assert_snapshot!(format!("export_{name}"), program);
        });
    }
}

/// Every helper a program defines is called (no dead code), one Python
/// statement per stage is named after its plan node, and the source line
/// of each pipeline is a comment above it.
#[test]
fn programs_define_only_the_helpers_they_call() {
    for (name, text) in common::examples() {
        let program = export(&name, &text);
        for line in program.lines() {
            let defined = line
                .strip_prefix("def ")
                .or_else(|| line.strip_prefix("class "))
                .and_then(|rest| rest.split(['(', ':']).next())
                .filter(|n| n.starts_with('_'));
            if let Some(helper) = defined {
                let uses = program.matches(helper).count();
                assert!(uses > 1, "{name}: `{helper}` is defined but never called");
            }
        }
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || !outside_strings(line).contains('|') {
                continue;
            }
            assert!(
                program.contains(&format!("# {}: {line}", i + 1)),
                "{name}: line {} is not a comment above its statements",
                i + 1
            );
        }
    }
}

/// `line` without its string literals (a `|` in a regex is not a pipe).
fn outside_strings(line: &str) -> String {
    let (mut out, mut quoted, mut escaped) = (String::new(), false, false);
    for c in line.chars() {
        match (quoted, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, false, '"') => quoted = !quoted,
            (false, _, c) => out.push(c),
            (true, false, _) => {}
        }
    }
    out
}

/// A script that does not check is not exported: the same diagnostics, exit 2.
#[test]
fn a_script_that_does_not_check_is_not_exported() {
    let script = Script::inline("range 3 | frequences");
    let err = export_dask(&script, &[]).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.0[0].code.starts_with("flow::plan"), "{}", err.0[0].code);
}
