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

/// Where a run's outputs go as soon as each is known, in script order: an
/// output whose order is its input order is handed over a partition at a
/// time ([`Emitter::rows`]) when its printed form does not depend on rows
/// still to come; any other output whole ([`Emitter::whole`]).
pub trait Emitter: Send {
    /// Whether an output of this type can be printed a partition at a time.
    fn streams(&self, ty: &Coll) -> bool;
    /// The start of output `i`, before its first rows.
    fn begin(&mut self, i: usize, ty: &Coll) -> io::Result<()>;
    /// The next rows of the output begun last.
    fn rows(&mut self, values: &[Value]) -> io::Result<()>;
    /// An output known whole.
    fn whole(&mut self, i: usize, out: &OutputData) -> io::Result<()>;
}

/// Prints outputs as [`print`] does, but as they come.
pub struct Printer<W: Write + Send> {
    format: Format,
    w: W,
    first: bool,
}

impl<W: Write + Send> Printer<W> {
    pub fn new(format: Format, w: W) -> Printer<W> {
        Printer {
            format,
            w,
            first: true,
        }
    }

    /// The blank line between two printed outputs.
    fn separate(&mut self, ty: &Coll) -> io::Result<()> {
        if *ty == Coll::Written {
            return Ok(());
        }
        if !self.first && self.format != Format::Json {
            writeln!(self.w)?;
        }
        self.first = false;
        Ok(())
    }
}

impl<W: Write + Send> Emitter for Printer<W> {
    fn streams(&self, ty: &Coll) -> bool {
        // A table aligns on every row, and TSV/CSV records take their header
        // from every record's keys: those wait for the whole output.
        match (self.format, ty) {
            (Format::Json, Coll::Bag(_)) => true,
            (Format::Tsv | Format::Csv, Coll::Bag(t)) => {
                !matches!(t, crate::types::Type::Record(_) | crate::types::Type::Any)
            }
            _ => false,
        }
    }

    fn begin(&mut self, _: usize, ty: &Coll) -> io::Result<()> {
        self.separate(ty)
    }

    fn rows(&mut self, values: &[Value]) -> io::Result<()> {
        let mut s = String::new();
        for v in values {
            s.clear();
            match self.format {
                Format::Json => json(v, &mut s),
                Format::Tsv => s = tsv_field(&cell(v, "")),
                Format::Csv => s = csv_field(&cell(v, "")),
                Format::Table => unreachable!("a table does not stream"),
            }
            s.push('\n');
            self.w.write_all(s.as_bytes())?;
        }
        self.w.flush()
    }

    fn whole(&mut self, _: usize, out: &OutputData) -> io::Result<()> {
        if out.ty == Coll::Written {
            return Ok(());
        }
        self.separate(&out.ty)?;
        print_one(out, self.format, &mut self.w, None)?;
        self.w.flush()
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
