//! The dashboard's page and the `--report` file, drawn from what
//! [`exec::watch::Watch`](crate::exec::watch::Watch) recorded. The page is
//! static HTML, CSS and a small hand-written script (all embedded here,
//! nothing fetched from elsewhere) that polls `/api/status` and draws the
//! task stream, progress and memory itself; the graph it shows is
//! [`graph`], the same SVG as `--visualize=svg`. The report is one HTML
//! file with the same pictures drawn here, in Rust, with no script at all.

use std::fmt::Write;

use crate::exec::watch::{Run, State};
use crate::plan::NodeId;

/// The page served at `/`.
pub const PAGE: &str = include_str!("page.html");
/// Its style sheet (`/style.css`), also inlined into the report.
pub const STYLE: &str = include_str!("style.css");
/// Its script (`/app.js`).
pub const SCRIPT: &str = include_str!("app.js");

/// Colours of stages, by position in the plan (`app.js` has the same list).
pub const PALETTE: &[&str] = &[
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A count with thousands separators.
pub fn num(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Bytes as B, KB, MB, GB (decimal, as the progress bar).
pub fn bytes(b: u64) -> String {
    let f = b as f64;
    if f >= 1e9 {
        format!("{:.2} GB", f / 1e9)
    } else if f >= 1e6 {
        format!("{:.1} MB", f / 1e6)
    } else if f >= 1e3 {
        format!("{:.1} KB", f / 1e3)
    } else {
        format!("{b} B")
    }
}

/// The counts line of a node in the graph (`app.js` writes the same).
fn counts(run: &Run, n: NodeId) -> (&'static str, String) {
    match run.stages.iter().find(|s| s.node == n) {
        Some(s) => (
            s.state.name(),
            format!(
                "{}/{} parts · in {} · out {}",
                s.partitions_done,
                s.partitions_total,
                num(s.elements_in),
                num(s.elements_out)
            ),
        ),
        None => (State::Waiting.name(), String::new()),
    }
}

/// The run's graph (`/api/graph.svg`, and in the report): the SVG of
/// `--visualize=svg`, each node with its state and counts.
pub fn graph(run: &Run) -> String {
    crate::viz::svg::render_inline(&run.plan, &|n| counts(run, n))
}

/// The task stream as SVG: one row per worker thread, one bar per task
/// over time, coloured by stage, each with a tooltip.
pub fn task_stream(run: &Run) -> String {
    const W: f64 = 1000.0;
    const ROW: f64 = 22.0;
    const LEFT: f64 = 70.0;
    let rows = run.threads + 1;
    let end = run
        .finished
        .unwrap_or_else(|| run.tasks.iter().map(|t| t.end).fold(run.started, f64::max));
    let span = (end - run.started).max(1e-3);
    let x = |t: f64| LEFT + (t - run.started) / span * (W - LEFT - 10.0);
    let h = rows as f64 * ROW + 40.0;
    let mut out = format!(
        r#"<svg class="stream" width="{W}" height="{h}" viewBox="0 0 {W} {h}" font-family="sans-serif" font-size="11">"#
    );
    for r in 0..rows {
        let y = 10.0 + r as f64 * ROW;
        let name = if r == run.threads {
            "caller".to_string()
        } else {
            format!("worker {r}")
        };
        let _ = write!(
            out,
            r##"<text x="4" y="{:.1}" fill="#444">{name}</text><line x1="{LEFT}" x2="{W}" y1="{:.1}" y2="{:.1}" stroke="#eee"/>"##,
            y + 14.0,
            y + ROW,
            y + ROW
        );
    }
    for t in &run.tasks {
        let s = &run.stages[t.stage];
        let (x0, x1) = (x(t.start), x(t.end));
        let y = 10.0 + t.worker.min(run.threads) as f64 * ROW + 2.0;
        let _ = write!(
            out,
            r#"<rect data-task="{}:{}" x="{x0:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} {} · partition {} · {} in, {} out · {} · {:.3} s</title></rect>"#,
            s.name,
            t.partition,
            (x1 - x0).max(1.0),
            ROW - 4.0,
            PALETTE[t.stage % PALETTE.len()],
            s.name,
            esc(&s.label),
            t.partition,
            num(t.elements_in),
            num(t.elements_out),
            bytes(t.bytes),
            t.end - t.start
        );
    }
    let axis = 10.0 + rows as f64 * ROW + 16.0;
    for i in 0..=4 {
        let t = span * i as f64 / 4.0;
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{axis:.1}" fill="#444" text-anchor="middle">{t:.2} s</text>"##,
            x(run.started + t).min(W - 20.0)
        );
    }
    out.push_str("</svg>");
    out
}

/// Memory over time (resident bytes) as an SVG line, from `start` to `end`
/// seconds.
pub fn memory(samples: &[(f64, u64)], start: f64, end: f64) -> String {
    const W: f64 = 1000.0;
    const H: f64 = 140.0;
    let pts: Vec<(f64, u64)> = samples
        .iter()
        .copied()
        .filter(|(t, _)| *t >= start - 0.5 && *t <= end + 0.5)
        .collect();
    let max = pts.iter().map(|p| p.1).max().unwrap_or(1).max(1) as f64;
    let span = (end - start).max(1e-3);
    let mut line = String::new();
    for (t, b) in &pts {
        let x = 60.0 + ((t - start) / span).clamp(0.0, 1.0) * (W - 70.0);
        let y = H - 20.0 - (*b as f64 / max) * (H - 40.0);
        let _ = write!(line, "{x:.1},{y:.1} ");
    }
    format!(
        r##"<svg class="memory" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11"><text x="4" y="24" fill="#444">{}</text><text x="4" y="{:.0}" fill="#444">0</text><polyline points="{}" fill="none" stroke="#4e79a7" stroke-width="2"/></svg>"##,
        bytes(max as u64),
        H - 20.0,
        line.trim_end()
    )
}

fn secs(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("{x:.2} s"))
}

/// The per-stage progress table (rows as the page draws them).
fn stages_table(run: &Run, now: f64) -> String {
    let mut out = String::from(
        "<table class=\"stages\"><tr><th>node</th><th>steps</th><th>state</th><th>partitions</th><th>bytes</th><th>elements in</th><th>elements out</th><th>time</th><th>rate</th></tr>",
    );
    for (i, s) in run.stages.iter().enumerate() {
        let spent = s.started.map(|a| s.finished.unwrap_or(now) - a);
        let rate = match spent {
            Some(t) if t > 0.0 && s.bytes_total > 0 => {
                format!("{}/s", bytes((s.bytes_read as f64 / t) as u64))
            }
            Some(t) if t > 0.0 => format!("{} elem/s", num((s.elements_in as f64 / t) as u64)),
            _ => "-".into(),
        };
        let _ = write!(
            out,
            "<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td class=\"label\">{}</td><td class=\"{}\">{}</td><td>{} / {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            PALETTE[i % PALETTE.len()],
            s.name,
            esc(&s.label),
            s.state.name(),
            s.state.name(),
            s.partitions_done,
            s.partitions_total,
            if s.bytes_total > 0 {
                format!("{} / {}", bytes(s.bytes_read), bytes(s.bytes_total))
            } else {
                "-".into()
            },
            num(s.elements_in),
            num(s.elements_out),
            secs(spent),
            rate
        );
    }
    out.push_str("</table>");
    out
}

/// `--report FILE.html`: the run as one self-contained page (inline SVG and
/// CSS, no script, no link to anywhere), like Dask's `performance_report`.
pub fn report(run: &Run, memory_samples: &[(f64, u64)]) -> String {
    let end = run.finished.unwrap_or(run.started);
    let peak = memory_samples
        .iter()
        .filter(|(t, _)| *t >= run.started && *t <= end + 0.5)
        .map(|m| m.1)
        .max();
    let mut options = String::from("<table class=\"options\">");
    for (k, v) in &run.options {
        let _ = write!(options, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
    }
    options.push_str("</table>");
    let profile = crate::exec::profile::table(&run.plan, &run.profile);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>flow report: {label}</title>\n<style>\n{STYLE}</style>\n</head>\n<body class=\"report\">\n<h1>flow performance report</h1>\n<p class=\"summary\"><b>{label}</b> · {state} · {elapsed:.3} s · {done} of {total} tasks · {read} read · peak memory {peak}</p>\n<h2>Options</h2>\n{options}\n<h2>Task graph</h2>\n<div class=\"graph\">{graph}</div>\n<h2>Task stream</h2>\n<div class=\"legend\">{legend}</div>\n<div class=\"streamwrap\">{stream}</div>\n<h2>Progress per stage</h2>\n{stages}\n<h2>Memory (resident)</h2>\n{mem}\n<h2>Profile</h2>\n<pre class=\"profile\">{profile}</pre>\n</body>\n</html>\n",
        label = esc(&run.label),
        state = run.state(),
        elapsed = end - run.started,
        done = num(run.tasks_done() as u64),
        total = num(run.tasks_total() as u64),
        read = bytes(run.stages.iter().map(|s| s.bytes_read).sum()),
        peak = peak.map_or("-".into(), bytes),
        options = options,
        graph = graph(run),
        legend = legend(run),
        stream = task_stream(run),
        stages = stages_table(run, end),
        mem = memory(memory_samples, run.started, end),
        profile = esc(&profile),
    )
}

fn legend(run: &Run) -> String {
    let mut out = String::new();
    for (i, s) in run.stages.iter().enumerate() {
        let _ = write!(
            out,
            "<span><span class=\"swatch\" style=\"background:{}\"></span>{} {}</span> ",
            PALETTE[i % PALETTE.len()],
            s.name,
            esc(&s.label)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::watch::Watch;
    use std::sync::Arc;

    #[test]
    fn the_report_is_self_contained() {
        let src = "let xs = range 5000 | map it % 7\nxs | frequencies\nxs | sum";
        let ast = crate::syntax::parse(src).unwrap();
        let plan = crate::optimize::optimize(crate::plan::build(src, &ast, &[]).unwrap());
        let w = Arc::new(Watch::new());
        w.next_run("<test & \"run\">", vec![("threads".into(), "2".into())]);
        let mut opts = crate::exec::ExecOptions::new(2);
        opts.observers.push(w.clone());
        crate::exec::run(&plan, &opts, None).unwrap();
        let run = w.run(None).unwrap();
        let html = report(&run, &w.memory());
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;test &amp; &quot;run&quot;&gt;"));
        assert_eq!(html.matches("data-node=").count(), plan.graph.node_count());
        assert_eq!(html.matches("data-task=").count(), run.tasks.len());
        assert!(html.contains("class=\"node done\""));
        assert!(html.contains("range 5000"));
        assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
        assert_eq!(num(1234567), "1,234,567");
        assert_eq!(bytes(1500), "1.5 KB");
    }
}
