//! `cargo bench --bench limits`: how flow's time and memory grow with what a
//! user asks of it, measured on the release binary as a whole process
//! (`/usr/bin/time`), one run each, printed as a table. Not a test: it
//! asserts nothing, it shows the bounds (ARCHITECTURE.md, "Streaming").
//!
//! - memory of outputs: printing 20 M elements, `write_text` and `write_csv` of 20 M,
//!   `sort | take 1` over 20 M, the time to the first line of `| head -1`;
//! - checking: `flow check` on 10k and 100k stages and 100k statements.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Wall seconds and peak RSS (MB) of `sh -c SCRIPT`, run under /usr/bin/time.
fn measure(script: &str, dir: &std::path::Path) -> Option<(f64, f64)> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%e %M", "sh", "-c", script])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last()?;
    let mut it = last.split_whitespace();
    let wall: f64 = it.next()?.parse().ok()?;
    let kb: f64 = it.next()?.parse().ok()?;
    Some((wall, kb / 1000.0))
}

/// Seconds until the first line of `flow ARGS` arrives on a pipe.
fn first_line(flow: &str, args: &[&str]) -> Option<f64> {
    let start = Instant::now();
    let mut child = Command::new(flow)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut out = child.stdout.take()?;
    let mut b = [0u8; 1];
    while out.read(&mut b).ok()? == 1 && b[0] != b'\n' {}
    let t = start.elapsed().as_secs_f64();
    drop(out);
    let _ = child.kill();
    let _ = child.wait();
    Some(t)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let flow = env!("CARGO_BIN_EXE_flow");
    if !std::path::Path::new("/usr/bin/time").exists() {
        println!("skipped: /usr/bin/time is missing (Debian package `time`)");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let stages = |n: usize| format!("range 3{} | sum", " | map it + 1".repeat(n));
    let statements = |n: usize| {
        (0..n)
            .map(|i| format!("range {i} | count\n"))
            .collect::<String>()
    };
    std::fs::write(dir.path().join("s10k.flow"), stages(10_000)).unwrap();
    std::fs::write(dir.path().join("s100k.flow"), stages(100_000)).unwrap();
    std::fs::write(dir.path().join("t100k.flow"), statements(100_000)).unwrap();
    let q = |s: &str| format!("'{s}'");
    let cases: Vec<(&str, String)> = vec![
        (
            "print range 20M | map str(it) (TSV, to /dev/null)",
            format!(
                "{flow} -e {} > /dev/null",
                q("range 20000000 | map str(it)")
            ),
        ),
        (
            "write_text of range 20M | map str(it)",
            format!(
                "{flow} -e {}",
                q("range 20000000 | map str(it) | write_text \"out.txt\"")
            ),
        ),
        (
            "write_csv of 20M records",
            format!(
                "{flow} -e {}",
                q("range 20000000 | map \"{\\\"n\\\": \" ++ str(it) ++ \"}\" | parse_json | write_csv \"out.csv\"")
            ),
        ),
        (
            "range 20M | map str(it) | sort | take 1",
            format!(
                "{flow} -e {}",
                q("range 20000000 | map str(it) | sort | take 1")
            ),
        ),
        ("check 10k stages", format!("{flow} check s10k.flow")),
        ("check 100k stages", format!("{flow} check s100k.flow")),
        ("check 100k statements", format!("{flow} check t100k.flow")),
    ];
    println!("| case | wall | peak RSS |");
    println!("|---|---:|---:|");
    for (name, script) in &cases {
        let name = name.replace('|', "\\|");
        match measure(script, dir.path()) {
            Some((wall, mb)) => println!("| {name} | {wall:.2} s | {mb:.0} MB |"),
            None => println!("| {name} | failed | — |"),
        }
    }
    match first_line(flow, &["-e", "range 10000000 | map str(it)"]) {
        Some(t) => {
            println!("| first line of range 10M \\| map str(it) \\| head -1 | {t:.2} s | — |")
        }
        None => println!("| first line of range 10M \\| map str(it) \\| head -1 | failed | — |"),
    }
}
