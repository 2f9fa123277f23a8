//! `--profile`: what each node of a run did — per step, elements in and out;
//! per node, partitions, bytes read, wall time and busy (summed task) time —
//! like DataFusion's EXPLAIN ANALYZE. Counts add up: a step's "out" is the
//! next step's "in", and a node's output is the next node's input.

use std::fmt::Write;

use super::observe::{Event, Observer};
use super::NodeProfile;
use crate::ops::Kind;
use crate::plan::{Phase, Plan};

/// Records what each node did, in the order nodes finished (`--profile`).
#[derive(Default)]
pub struct Recorder {
    nodes: std::sync::Mutex<Vec<NodeProfile>>,
}

impl Recorder {
    /// The nodes recorded so far.
    pub fn nodes(&self) -> Vec<NodeProfile> {
        self.nodes.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Observer for Recorder {
    fn event(&self, event: &Event<'_>) {
        match event {
            Event::Started { .. } => self.nodes.lock().unwrap_or_else(|e| e.into_inner()).clear(),
            Event::NodeDone(p) => self
                .nodes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((*p).clone()),
            Event::TaskStarted { .. }
            | Event::TaskFinished(_)
            | Event::BytesRead(_)
            | Event::Finished { .. } => {}
        }
    }
}

/// One row: a step with its element counts (`None`: not an element count).
struct Row {
    node: String,
    step: String,
    pos: (usize, usize),
    elements_in: Option<u64>,
    elements_out: Option<u64>,
}

fn rows(plan: &Plan, p: &NodeProfile, name: &str) -> Vec<Row> {
    let node = &plan.graph[p.node];
    let c = &p.tally.counts;
    let head = super::lower::shape(&node.steps).0.is_some();
    let mut out = Vec::new();
    let mut k = 0; // index into counts of the element stream entering the next chain step
    for (i, step) in node.steps.iter().enumerate() {
        let (ein, eout) = if i == 0 && head {
            match step.op.kind {
                // A sink's input is what it wrote.
                Kind::Sink(_) => (c.first().copied(), None),
                _ => (None, c.first().copied()),
            }
        } else if step.phase == Phase::Partial {
            (c.get(k).copied(), None)
        } else {
            let r = (c.get(k).copied(), c.get(k + 1).copied());
            k += 1;
            r
        };
        out.push(Row {
            node: if i == 0 {
                name.to_string()
            } else {
                String::new()
            },
            step: if i == 0 {
                step.label()
            } else {
                format!("| {}", step.label())
            },
            pos: step.pos,
            elements_in: ein,
            elements_out: eout,
        });
    }
    out
}

fn num(n: Option<u64>) -> String {
    let Some(n) = n else { return "-".into() };
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn bytes(b: u64) -> String {
    if b == 0 {
        return "-".into();
    }
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

/// The profile as an aligned table.
pub fn table(plan: &Plan, profile: &[NodeProfile]) -> String {
    let names = plan.node_names();
    let total: f64 = profile.iter().map(|p| p.wall.as_secs_f64()).sum();
    let mut lines: Vec<[String; 9]> = vec![[
        "node".into(),
        "step".into(),
        "at".into(),
        "parts".into(),
        "in".into(),
        "out".into(),
        "bytes".into(),
        "wall".into(),
        "busy".into(),
    ]];
    for p in profile {
        for (i, r) in rows(plan, p, &names[&p.node]).into_iter().enumerate() {
            let first = i == 0;
            lines.push([
                r.node,
                r.step,
                format!("{}:{}", r.pos.0, r.pos.1),
                if first {
                    p.tally.partitions.to_string()
                } else {
                    String::new()
                },
                num(r.elements_in),
                num(r.elements_out),
                if first { bytes(p.bytes) } else { String::new() },
                if first {
                    format!("{:.3} s", p.wall.as_secs_f64())
                } else {
                    String::new()
                },
                if first {
                    format!("{:.3} s", p.tally.busy.as_secs_f64())
                } else {
                    String::new()
                },
            ]);
        }
    }
    let mut w = [0usize; 9];
    for l in &lines {
        for (i, c) in l.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let mut out = format!("profile: {} nodes, {:.3} s\n", profile.len(), total);
    for l in &lines {
        let mut line = String::new();
        for (i, c) in l.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            if i >= 3 {
                let _ = write!(line, "  {}{c}", " ".repeat(pad));
            } else {
                let _ = write!(line, "{c}{}  ", " ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The profile as one JSON object.
pub fn json(plan: &Plan, profile: &[NodeProfile]) -> String {
    let names = plan.node_names();
    let opt = |n: Option<u64>| n.map_or("null".to_string(), |n| n.to_string());
    let mut out = String::from("{\"nodes\":[");
    for (i, p) in profile.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "{{\"node\":\"{}\",\"partitions\":{},\"bytes\":{},\"wall_s\":{:.6},\"busy_s\":{:.6},\"steps\":[",
            names[&p.node],
            p.tally.partitions,
            p.bytes,
            p.wall.as_secs_f64(),
            p.tally.busy.as_secs_f64()
        );
        for (j, r) in rows(plan, p, "").into_iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let mut label = String::new();
            crate::value::format::json_str(r.step.trim_start_matches("| "), &mut label);
            let _ = write!(
                out,
                "{{\"step\":{label},\"line\":{},\"col\":{},\"in\":{},\"out\":{}}}",
                r.pos.0,
                r.pos.1,
                opt(r.elements_in),
                opt(r.elements_out)
            );
        }
        out.push_str("]}");
    }
    out.push_str("]}\n");
    out
}
