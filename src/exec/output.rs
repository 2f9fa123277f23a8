//! Printing outputs: `table` (aligned, for a terminal), `tsv`, `csv`,
//! `json` (JSON Lines). Several outputs print in script order; in table,
//! TSV and CSV a blank line separates them. Records print one column per
//! key, with a header row.

use std::io::{self, Write};
use std::sync::Arc;

use unicode_width::UnicodeWidthStr;

use super::OutputData;
use crate::types::Coll;
use crate::value::format::{cell, json};
use crate::value::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Tsv,
    Csv,
    Json,
}

impl Format {
    /// `auto` is a table on a terminal, TSV otherwise.
    pub fn parse(s: &str, terminal: bool) -> Option<Format> {
        Some(match s {
            "auto" if terminal => Format::Table,
            "auto" | "tsv" => Format::Tsv,
            "table" => Format::Table,
            "csv" => Format::Csv,
            "json" => Format::Json,
            _ => return None,
        })
    }
}

/// Prints every output that has a value (sinks print nothing).
pub fn print(outs: &[OutputData], format: Format, w: &mut dyn Write) -> io::Result<()> {
    let mut first = true;
    for o in outs {
        if o.ty == Coll::Written {
            continue;
        }
        if !first && format != Format::Json {
            writeln!(w)?;
        }
        first = false;
        print_one(o, format, w, None)?;
    }
    w.flush()
}

/// Prints one output; with `limit`, at most that many rows (the REPL).
pub fn print_one(
    o: &OutputData,
    format: Format,
    w: &mut dyn Write,
    limit: Option<usize>,
) -> io::Result<()> {
    let values: &[Value] = match limit {
        Some(n) if o.values.len() > n => &o.values[..n],
        _ => &o.values,
    };
    if let Coll::Scalar(_) = o.ty {
        let v = o.values.first().cloned().unwrap_or(Value::Null);
        let mut s = String::new();
        match format {
            Format::Json => json(&v, &mut s),
            Format::Csv => s = csv_field(&cell(&v, "")),
            Format::Tsv => s = tsv_field(&cell(&v, "")),
            Format::Table => s = cell(&v, "null"),
        }
        return writeln!(w, "{s}");
    }
    if format == Format::Json {
        let mut s = String::new();
        for v in values {
            s.clear();
            json(v, &mut s);
            s.push('\n');
            w.write_all(s.as_bytes())?;
        }
        return Ok(());
    }
    let cols = columns(values);
    let null = if format == Format::Table { "null" } else { "" };
    let rows: Vec<Vec<String>> = values
        .iter()
        .map(|v| match (&cols, v) {
            (Some(cols), Value::Record(r)) => cols
                .iter()
                .map(|c| r.get(c).map_or(String::new(), |x| cell(x, null)))
                .collect(),
            _ => vec![cell(v, null)],
        })
        .collect();
    let header: Option<Vec<String>> = cols.map(|c| c.iter().map(|k| k.to_string()).collect());
    match format {
        Format::Table => table(header, rows, values, w),
        Format::Tsv | Format::Csv => {
            let field = if format == Format::Tsv {
                tsv_field
            } else {
                csv_field
            };
            let sep = if format == Format::Tsv { "\t" } else { "," };
            let mut s = String::new();
            for row in header.iter().chain(rows.iter()) {
                s.clear();
                for (i, c) in row.iter().enumerate() {
                    if i > 0 {
                        s.push_str(sep);
                    }
                    s.push_str(&field(c));
                }
                s.push('\n');
                w.write_all(s.as_bytes())?;
            }
            Ok(())
        }
        Format::Json => unreachable!(),
    }
}

/// The columns of a bag of records (keys in first-seen order), or `None` when
/// the elements are not all records.
fn columns(values: &[Value]) -> Option<Vec<Arc<str>>> {
    let mut cols: Vec<Arc<str>> = Vec::new();
    for v in values {
        let Value::Record(r) = v else { return None };
        for k in r.keys() {
            if !cols.contains(k) {
                cols.push(k.clone());
            }
        }
    }
    (!values.is_empty()).then_some(cols)
}

fn table(
    header: Option<Vec<String>>,
    rows: Vec<Vec<String>>,
    values: &[Value],
    w: &mut dyn Write,
) -> io::Result<()> {
    let ncols = header.as_ref().map_or(1, |h| h.len());
    // A cell stays on one line, and is aligned by the columns it takes on a
    // terminal (wide CJK characters take two, combining marks none).
    let shown = |c: &str| c.replace(['\n', '\t', '\r'], " ");
    let header: Option<Vec<String>> = header.map(|h| h.iter().map(|c| shown(c)).collect());
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| r.iter().map(|c| shown(c)).collect())
        .collect();
    let width = |s: &str| UnicodeWidthStr::width(s);
    let mut widths = vec![0usize; ncols];
    for row in header.iter().chain(rows.iter()) {
        for (i, c) in row.iter().enumerate().take(ncols) {
            widths[i] = widths[i].max(width(c));
        }
    }
    // Right-align columns that hold only numbers.
    let numeric: Vec<bool> = (0..ncols)
        .map(|i| {
            values.iter().all(|v| {
                let x = match (v, &header) {
                    (Value::Record(r), Some(h)) => {
                        r.get(h[i].as_str()).cloned().unwrap_or(Value::Null)
                    }
                    (v, _) => v.clone(),
                };
                matches!(x, Value::Int(_) | Value::Float(_))
            })
        })
        .collect();
    let mut s = String::new();
    let line = |row: &[String], s: &mut String| {
        s.clear();
        for (i, c) in row.iter().enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            let pad = widths[i].saturating_sub(width(c));
            let last = i + 1 == row.len();
            if numeric[i] {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            } else {
                s.push_str(c);
                if !last {
                    s.push_str(&" ".repeat(pad));
                }
            }
        }
        s.push('\n');
    };
    if let Some(h) = &header {
        line(h, &mut s);
        w.write_all(s.as_bytes())?;
    }
    for row in &rows {
        line(row, &mut s);
        w.write_all(s.as_bytes())?;
    }
    Ok(())
}

/// A TSV cell: tabs and line breaks escaped so a row stays one line.
pub fn tsv_field(s: &str) -> String {
    if s.contains(['\t', '\n', '\r']) {
        s.replace('\t', "\\t")
            .replace('\n', "\\n")
            .replace('\r', "\\r")
    } else {
        s.to_string()
    }
}

/// A CSV field, quoted when needed (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
