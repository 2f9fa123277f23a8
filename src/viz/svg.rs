//! The `svg` visualization: a self-contained picture of the plan, drawn
//! without Graphviz. Nodes sit in layers by their longest path from a
//! source (data flows down); a fused node is one box listing its steps;
//! outputs are small boxes under the nodes they come from.

use std::collections::HashMap;
use std::fmt::Write;

use super::outputs_of;
use crate::plan::{NodeId, Plan};

const CHAR_W: f64 = 7.2;
const LINE_H: f64 = 16.0;
const PAD: f64 = 8.0;
const GAP_X: f64 = 30.0;
const GAP_Y: f64 = 46.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

struct Box_ {
    lines: Vec<String>,
    w: f64,
    h: f64,
    x: f64,
    y: f64,
}

/// How a node looks in a page (the dashboard and the report): its state
/// (`waiting`, `running`, `done`: a CSS class) and a line of counts.
pub type Annotate<'a> = &'a dyn Fn(NodeId) -> (&'static str, String);

pub fn render(plan: &Plan) -> String {
    draw(plan, None)
}

/// The same picture for inline use in HTML (no namespace attribute, so no
/// URL at all): each node a `<g class="node STATE" data-node="n0">` whose
/// last line (`data-counts="n0"`) holds `annotate`'s counts, which a page
/// can update.
pub fn render_inline(plan: &Plan, annotate: Annotate<'_>) -> String {
    draw(plan, Some(annotate))
}

fn draw(plan: &Plan, annotate: Option<Annotate<'_>>) -> String {
    let inline = annotate.is_some();
    let order = plan.topo();
    let names = plan.node_names();
    // Layer = longest path from a source.
    let mut layer: HashMap<NodeId, usize> = HashMap::new();
    for &n in &order {
        let l = plan
            .inputs(n)
            .iter()
            .map(|i| layer[i] + 1)
            .max()
            .unwrap_or(0);
        layer.insert(n, l);
    }
    let mut boxes: HashMap<NodeId, Box_> = HashMap::new();
    for &n in &order {
        let node = &plan.graph[n];
        let mut lines = vec![format!("{}  {}", names[&n], node.first().label())];
        for s in &node.steps[1..] {
            lines.push(format!("  | {}", s.label()));
        }
        let last = node.last();
        lines.push(format!("{} · {}:{}", last.ty, node.pos().0, node.pos().1));
        if node.steps.len() > 1 {
            lines.push(format!("fused: {} steps", node.steps.len()));
        }
        if let Some(a) = annotate {
            // Room for the counts, which grow while the run goes on.
            lines.push(format!("{:<34}", a(n).1));
        }
        let w =
            lines.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64 * CHAR_W + 2.0 * PAD;
        let h = lines.len() as f64 * LINE_H + 2.0 * PAD;
        boxes.insert(
            n,
            Box_ {
                lines,
                w,
                h,
                x: 0.0,
                y: 0.0,
            },
        );
    }
    let layers = layer.values().copied().max().map_or(0, |m| m + 1);
    let mut y = 20.0;
    let mut width: f64 = 0.0;
    for l in 0..layers {
        let mut row: Vec<NodeId> = order.iter().copied().filter(|n| layer[n] == l).collect();
        // Fewer crossings: place each node under the mean of its inputs (stable, so ties keep topological order).
        let center = |n: &NodeId| {
            let ins = plan.inputs(*n);
            let sum: f64 = ins.iter().map(|i| boxes[i].x + boxes[i].w / 2.0).sum();
            if ins.is_empty() {
                0.0
            } else {
                sum / ins.len() as f64
            }
        };
        row.sort_by(|a, b| center(a).total_cmp(&center(b)));
        let mut x = 20.0;
        let mut row_h: f64 = 0.0;
        for n in &row {
            let b = boxes.get_mut(n).expect("every node has a box");
            b.x = x;
            b.y = y;
            x += b.w + GAP_X;
            row_h = row_h.max(b.h);
        }
        width = width.max(x);
        y += row_h + GAP_Y;
    }
    let height = y + 30.0;
    let mut out = String::new();
    let xmlns = if inline {
        r#"class="graph""#
    } else {
        r#"xmlns="http://www.w3.org/2000/svg""#
    };
    let _ = writeln!(
        out,
        r#"<svg {xmlns} width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="monospace" font-size="12">"#
    );
    out.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>"##);
    out.push('\n');
    for &n in &order {
        let b = &boxes[&n];
        for (k, i) in plan.inputs(n).iter().enumerate() {
            let a = &boxes[i];
            let (x1, y1) = (a.x + a.w / 2.0, a.y + a.h);
            let (x2, y2) = (b.x + b.w / 2.0, b.y);
            let _ = writeln!(
                out,
                r##"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#555" marker-end="url(#arrow)"><title>{} → {} (input {})</title></line>"##,
                names[i],
                names[&n],
                k + 1
            );
        }
    }
    for &n in &order {
        let b = &boxes[&n];
        let fused = plan.graph[n].steps.len() > 1;
        let fill = if fused { "#e8f0fe" } else { "#f8f8f8" };
        let (g, rect) = match annotate {
            Some(a) => (
                format!(r#"<g class="node {}" data-node="{}">"#, a(n).0, names[&n]),
                r#" class="box""#,
            ),
            None => ("<g>".to_string(), ""),
        };
        let _ = writeln!(
            out,
            r##"{g}<rect{rect} x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="5" fill="{fill}" stroke="#333"/>"##,
            b.x, b.y, b.w, b.h
        );
        // The type line (and the fused line) are grey; in a page, so are the counts.
        let grey = usize::from(fused) + usize::from(inline);
        for (i, line) in b.lines.iter().enumerate() {
            let color = if i + 1 >= b.lines.len() - grey && i > 0 {
                "#666"
            } else {
                "#000"
            };
            let counts = if inline && i + 1 == b.lines.len() {
                format!(r#" data-counts="{}""#, names[&n])
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                r#"<text x="{:.1}" y="{:.1}" fill="{color}"{counts} xml:space="preserve">{}</text>"#,
                b.x + PAD,
                b.y + PAD + (i as f64 + 0.8) * LINE_H,
                esc(if counts.is_empty() {
                    line
                } else {
                    line.trim_end()
                })
            );
        }
        for (k, o) in outputs_of(plan, n).into_iter().enumerate() {
            let ox = b.x + k as f64 * 80.0;
            let oy = b.y + b.h + 12.0;
            let _ = writeln!(
                out,
                r##"<rect x="{ox:.1}" y="{oy:.1}" width="70" height="20" rx="10" fill="#fff3cd" stroke="#996"/><text x="{:.1}" y="{:.1}">output {o}</text>"##,
                ox + 8.0,
                oy + 14.0
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_is_well_formed_and_escapes_labels() {
        let src = "let a = from [\"<&>\"] | lower\na | count\nconcat a a | frequencies | topk 3";
        let ast = crate::syntax::parse(src).unwrap();
        let plan = crate::optimize::optimize(crate::plan::build(src, &ast, &[]).unwrap());
        let svg = render(&plan);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("&quot;&lt;&amp;&gt;&quot;"));
        assert!(!svg.contains("\"<&>\""));
        assert_eq!(svg.matches("<g>").count(), svg.matches("</g>").count());
        assert_eq!(svg.matches("output ").count(), 2);
        let inline = render_inline(&plan, &|_| ("done", "in 1 · out 2".into()));
        assert!(!inline.contains("http"));
        assert_eq!(
            inline.matches("data-node=").count(),
            plan.graph.node_count()
        );
        assert!(inline.contains(r#"<g class="node done" data-node="n0">"#));
        assert!(inline.contains(">in 1 · out 2</text>"));
    }
}
