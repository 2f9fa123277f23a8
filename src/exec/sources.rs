//! Producing the elements of one source partition: text lines, JSON Lines,
//! CSV rows, a slice of `range`, a literal list, standard input.

use std::io::{BufRead, Read};
use std::sync::Arc;

use super::elem::Elem;
use super::kernel::Emit;
use super::lower::Lowered;
use super::read::{self, Decode, Encoding, Errors};
use super::source::{range_partitions, FileInfo};
use super::{Ctl, Ctx};
use crate::diag::{io_reason, Diag};
use crate::ops::{Arg, OpId};
use crate::plan::{NodeId, Step};
use crate::value::format::parse_json;
use crate::value::{Record, Value};

fn decode_opts(step: &Step) -> Decode {
    let s = |name: &str| match step.opt(name) {
        Some(Arg::Value(Value::Str(s))) => s.to_string(),
        _ => String::new(),
    };
    Decode {
        encoding: if s("encoding") == "latin-1" {
            Encoding::Latin1
        } else {
            Encoding::Utf8
        },
        errors: match s("errors").as_str() {
            "replace" => Errors::Replace,
            "ignore" => Errors::Ignore,
            _ => Errors::Strict,
        },
        span: step.args.first().and_then(|a| a.span),
    }
}

/// One unit of work of a file source: a byte range of a file, or a
/// decompressed block of a gzip file.
pub enum Task<'a> {
    Split(usize),
    Block(&'a FileInfo, read::Block),
}

/// Turns the raw lines of `lines` into elements: decoded strings for
/// `read_text`, parsed JSON for `read_json` (blank lines skipped). `lines`
/// is called with whether it may hand over runs of lines: UTF-8 text goes to
/// the consumer a run at a time.
fn lines_to_items(
    step: &Step,
    file: &FileInfo,
    d: &Decode,
    f: Emit,
    lines: &mut dyn FnMut(bool, read::LineFn) -> Result<(), Diag>,
) -> Result<(), Diag> {
    if step.op.id == OpId::ReadJson {
        lines(false, &mut |off, line| {
            let read::Lines::One(line) = line else {
                unreachable!("runs of lines were not asked for")
            };
            let s = read::decode(line, off, d, file)?;
            if s.trim().is_empty() {
                return Ok(Ctl::Continue);
            }
            match parse_json(&s) {
                Ok(v) => f.item(Elem::Value(v)).map_err(|e| place(e, file, off)),
                Err(e) => Err(bad_json(file, off, &e, d.span)),
            }
        })
    } else {
        lines(d.encoding == Encoding::Utf8, &mut |off, line| match line {
            read::Lines::One(line) => f
                .item(read::decode(line, off, d, file)?.into())
                .map_err(|e| place(e, file, off)),
            read::Lines::Many(text) => f.lines(text).map_err(|e| match e.origin.run_offset() {
                Some(at) => place(e, file, off + at),
                None => e,
            }),
        })
    }
}

/// An error a later stage raised about the element read at byte `offset`
/// of `file`: its label names the file and line (counted now, on the error
/// path only).
fn place(d: Diag, file: &FileInfo, offset: u64) -> Diag {
    if !d.unplaced() {
        return d;
    }
    let line = line_of(file, offset);
    d.placed(&format!("{}:{line}", file.path.display()))
}

impl Lowered {
    /// The tasks of a streaming source, in input order: plain splits as they
    /// are, each gzip file as the blocks it decompresses to (lazily).
    pub fn tasks<'a>(
        &'a self,
        n: NodeId,
        step: &Step,
        ctx: &'a Ctx,
    ) -> impl Iterator<Item = Result<Task<'a>, Diag>> + Send + 'a {
        let fs = &self.files[&n];
        let span = step.args.first().and_then(|a| a.span);
        fs.splits.iter().enumerate().flat_map(move |(i, split)| {
            let file = &fs.files[split.file];
            let it: Box<dyn Iterator<Item = Result<Task<'a>, Diag>> + Send + 'a> = if file.gzip {
                match read::GzBlocks::new(file, span, ctx) {
                    Ok(blocks) => Box::new(blocks.map(move |b| b.map(|b| Task::Block(file, b)))),
                    Err(d) => Box::new(std::iter::once(Err(d))),
                }
            } else {
                Box::new(std::iter::once(Ok(Task::Split(i))))
            };
            it
        })
    }

    /// Feeds the elements of one task of a streaming source.
    pub fn produce_task(
        &self,
        n: NodeId,
        step: &Step,
        task: &Task,
        ctx: &Ctx,
        f: Emit,
    ) -> Result<(), Diag> {
        match task {
            Task::Split(i) => self.produce(n, step, *i, ctx, f),
            Task::Block(file, block) => {
                let d = decode_opts(step);
                lines_to_items(step, file, &d, f, &mut |many, g| {
                    read::for_each_block_line(file, block, d.span, ctx, many, g)
                })
            }
        }
    }

    /// What a source node reads, for cache keys: every file with its size and mtime.
    pub fn fingerprint(&self, n: NodeId) -> String {
        match self.files.get(&n) {
            Some(fs) => fs
                .files
                .iter()
                .map(|f| format!("{}:{}:{:?};", f.path.display(), f.size, f.modified))
                .collect(),
            None => String::new(),
        }
    }

    /// Feeds the elements of partition `i` of source node `n` to `f`.
    pub fn produce(
        &self,
        n: NodeId,
        step: &Step,
        i: usize,
        ctx: &Ctx,
        f: Emit,
    ) -> Result<(), Diag> {
        match step.op.id {
            OpId::ReadText | OpId::ReadJson => {
                let fs = &self.files[&n];
                let split = &fs.splits[i];
                let file = &fs.files[split.file];
                let d = decode_opts(step);
                lines_to_items(step, file, &d, f, &mut |many, g| {
                    read::for_each_raw_line(file, split, d.span, ctx, many, g)
                })
            }
            OpId::ReadCsv => {
                let fs = &self.files[&n];
                let file = &fs.files[fs.splits[i].file];
                read_csv(step, file, ctx, f)
            }
            OpId::Range => {
                let total = range_n(step).max(0);
                let parts = range_partitions(total) as i64;
                // The first `total % parts` partitions hold one element more.
                let (i, size, extra) = (i as i64, total / parts, total % parts);
                let start = size * i + i.min(extra);
                let len = size + i64::from(i < extra);
                for (k, v) in (start..start + len).enumerate() {
                    if k % 65536 == 65535 && ctx.cancelled() {
                        return Err(super::cancelled());
                    }
                    if f.item(Elem::Value(Value::Int(v)))? == Ctl::Stop {
                        break;
                    }
                }
                Ok(())
            }
            OpId::From => {
                if let Some(Arg::Value(Value::List(items))) = step.arg(0) {
                    for v in items.iter() {
                        if f.item(Elem::Val(v))? == Ctl::Stop {
                            break;
                        }
                    }
                }
                Ok(())
            }
            OpId::Stdin => read::for_each_stdin_line(ctx, &mut |off, line| match line {
                read::Lines::Many(text) => f.lines(text),
                read::Lines::One(line) => match std::str::from_utf8(line.bytes) {
                    Ok(s) => f.item(Elem::Str(s)),
                    Err(e) => Err(Diag::run(
                        "flow::io::invalid_utf8",
                        format!(
                            "invalid UTF-8 on standard input at byte offset {}",
                            off + e.valid_up_to() as u64
                        ),
                    )),
                },
            }),
            other @ (OpId::Lower
            | OpId::Upper
            | OpId::Strip
            | OpId::Split
            | OpId::Purge
            | OpId::Replace
            | OpId::Map
            | OpId::Filter
            | OpId::Flatten
            | OpId::Pluck
            | OpId::ParseJson
            | OpId::ToJson
            | OpId::Count
            | OpId::Sum
            | OpId::Min
            | OpId::Max
            | OpId::Mean
            | OpId::Distinct
            | OpId::Frequencies
            | OpId::Topk
            | OpId::Sort
            | OpId::Take
            | OpId::Groupby
            | OpId::Concat
            | OpId::Join
            | OpId::WriteText
            | OpId::WriteJson
            | OpId::WriteCsv) => unreachable!("{other:?} is not a source"),
        }
    }
}

fn range_n(step: &Step) -> i64 {
    match step.arg(0) {
        Some(Arg::Value(Value::Int(n))) => *n,
        _ => 0,
    }
}

/// 1-based line and column of byte `offset + col` in `file` (counted again on the error path only).
fn line_of(file: &FileInfo, offset: u64) -> u64 {
    let Ok(fh) = std::fs::File::open(&file.path) else {
        return 0;
    };
    let mut r: Box<dyn Read> = if file.gzip {
        Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
            fh,
        )))
    } else {
        Box::new(fh)
    };
    let mut buf = vec![0u8; 1 << 16];
    let (mut seen, mut lines) = (0u64, 1u64);
    while seen < offset {
        let want = ((offset - seen) as usize).min(buf.len());
        match r.read(&mut buf[..want]) {
            Ok(0) | Err(_) => break,
            Ok(k) => {
                lines += memchr::memchr_iter(b'\n', &buf[..k]).count() as u64;
                seen += k as u64;
            }
        }
    }
    lines
}

fn bad_json(
    file: &FileInfo,
    offset: u64,
    e: &serde_json::Error,
    span: Option<crate::syntax::ast::Span>,
) -> Diag {
    let line = line_of(file, offset);
    let d = Diag::run(
        "flow::io::bad_json",
        format!(
            "invalid JSON at {}:{}:{}: {}",
            file.path.display(),
            line,
            e.column(),
            super::kernel::strip_position(&e.to_string())
        ),
    )
    .help("read_json expects one JSON value per line (JSON Lines)");
    match span {
        Some(s) => d.at(s, "read here"),
        None => d,
    }
}

/// Follows the CSV quoting of the bytes the csv reader reads through it, so
/// that at the end of the input it is known whether a quoted field was left
/// open (RFC 4180: a field that starts with `"` ends at the next `"` not
/// doubled). The csv reader accepts that silently, with the rest of the file
/// as one field; watching the stream as it passes works alike for a plain
/// file and a decompressed one, and reads nothing twice.
struct QuoteWatch<R> {
    inner: R,
    sep: u8,
    /// Inside a quoted field.
    quoted: bool,
    /// Inside a quoted field, the last byte was a `"`: it closes the field
    /// unless another `"` follows.
    quote_seen: bool,
    /// Outside quotes, the last byte ended a field (or there was none yet),
    /// so a `"` now opens a quoted field; elsewhere a `"` is a plain byte.
    field_start: bool,
}

impl<R> QuoteWatch<R> {
    fn new(inner: R, sep: u8) -> Self {
        QuoteWatch {
            inner,
            sep,
            quoted: false,
            quote_seen: false,
            field_start: true,
        }
    }

    /// Whether the bytes so far end inside a quoted field.
    fn left_open(&self) -> bool {
        self.quoted && !self.quote_seen
    }

    fn ends_field(&self, c: u8) -> bool {
        c == self.sep || c == b'\n' || c == b'\r'
    }

    /// Moves the state over `buf`, jumping from quote to quote: besides a
    /// `"` and the bytes next to it, only the last byte of `buf` matters.
    fn scan(&mut self, buf: &[u8]) {
        let mut i = 0;
        while i < buf.len() {
            if self.quote_seen {
                // `""` is a quote inside the field; anything else closes it.
                self.quote_seen = false;
                if buf[i] != b'"' {
                    self.quoted = false;
                    self.field_start = self.ends_field(buf[i]);
                }
                i += 1;
                continue;
            }
            let Some(k) = memchr::memchr(b'"', &buf[i..]) else {
                if !self.quoted {
                    self.field_start = self.ends_field(buf[buf.len() - 1]);
                }
                return;
            };
            if self.quoted {
                self.quote_seen = true;
            } else {
                let opens = match k {
                    0 => self.field_start,
                    _ => self.ends_field(buf[i + k - 1]),
                };
                self.quoted = opens;
                self.field_start = false;
            }
            i += k + 1;
        }
    }
}

impl<R: Read> Read for QuoteWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.scan(&buf[..n]);
        Ok(n)
    }
}

/// A file whose bytes are reported as read (for progress) as they are.
struct Counted<'a, R> {
    inner: R,
    ctx: &'a Ctx,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.ctx.read(n as u64);
        Ok(n)
    }
}

/// The field names a file source's elements will have, read while the
/// script is checked: for `read_csv`, the first row of the first file the
/// glob matches (only that row is decompressed and parsed; `c0`, `c1`, …
/// when `header=false`). `None` when that cannot be known now — no file
/// yet, not a regular file (a FIFO must not be read twice), unreadable or
/// undecodable bytes: the run then reports the reason where it finds it.
pub fn source_fields(step: &Step) -> Option<Vec<String>> {
    match step.op.id {
        OpId::ReadCsv => {}
        OpId::ReadText
        | OpId::ReadJson
        | OpId::Join
        | OpId::Range
        | OpId::From
        | OpId::Stdin
        | OpId::Lower
        | OpId::Upper
        | OpId::Strip
        | OpId::Split
        | OpId::Purge
        | OpId::Replace
        | OpId::Map
        | OpId::Filter
        | OpId::Flatten
        | OpId::Pluck
        | OpId::ParseJson
        | OpId::ToJson
        | OpId::Count
        | OpId::Sum
        | OpId::Min
        | OpId::Max
        | OpId::Mean
        | OpId::Distinct
        | OpId::Frequencies
        | OpId::Topk
        | OpId::Sort
        | OpId::Take
        | OpId::Groupby
        | OpId::Concat
        | OpId::WriteText
        | OpId::WriteJson
        | OpId::WriteCsv => return None,
    }
    let Some(Arg::Value(Value::Str(pattern))) = step.arg(0) else {
        return None;
    };
    let path = super::source::resolve_glob(pattern, None)
        .ok()?
        .into_iter()
        .next()?;
    if !std::fs::metadata(&path).ok()?.is_file() {
        return None;
    }
    let compression = match step.opt("compression") {
        Some(Arg::Value(Value::Str(c))) => c.to_string(),
        _ => "infer".into(),
    };
    let fh = std::fs::File::open(&path).ok()?;
    let mut r: Box<dyn BufRead> = if super::source::is_gzip(&path, &compression) {
        Box::new(std::io::BufReader::new(flate2::read::MultiGzDecoder::new(
            fh,
        )))
    } else {
        Box::new(std::io::BufReader::new(fh))
    };
    if r.fill_buf().ok()?.starts_with(b"\xEF\xBB\xBF") {
        r.consume(3);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(csv_sep(step))
        .has_headers(false)
        .from_reader(r);
    let mut rec = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).ok()? {
        return None;
    }
    if !csv_header(step) {
        return Some(column_names(rec.len()).map(|k| k.to_string()).collect());
    }
    let latin1 =
        matches!(step.opt("encoding"), Some(Arg::Value(Value::Str(e))) if &**e == "latin-1");
    rec.iter()
        .map(|f| {
            if latin1 {
                Some(f.iter().map(|&b| char::from(b)).collect())
            } else {
                std::str::from_utf8(f).ok().map(String::from)
            }
        })
        .collect()
}

/// Every file of a `read_csv` has the columns of the first, whose header was
/// read when the script was checked (the records' static type): a file with
/// other columns would make records that type does not describe (DuckDB,
/// Polars and Dask refuse such files too, unless told to union them).
fn check_header(step: &Step, file: &FileInfo, found: &[Arc<str>]) -> Result<(), Diag> {
    let crate::types::Coll::Bag(crate::types::Type::Record(Some(want))) = &step.ty else {
        return Ok(());
    };
    if want.len() == found.len() && want.iter().zip(found).all(|((w, _), f)| **w == **f) {
        return Ok(());
    }
    let show = |names: &mut dyn Iterator<Item = &str>| names.collect::<Vec<_>>().join(",");
    Err(Diag::run(
        "flow::io::bad_csv",
        format!(
            "the header of {} is `{}`, but the first file's is `{}`",
            file.path.display(),
            show(&mut found.iter().map(|f| &**f)),
            show(&mut want.iter().map(|(w, _)| w.as_str())),
        ),
    )
    .at(step.span, "read here")
    .help("the files of one `read_csv` share their columns; read the others with another `read_csv` and `concat` them"))
}

/// `read_csv sep=`: the catalog's `PKind::CsvSep` has checked it is one
/// single-byte character.
fn csv_sep(step: &Step) -> u8 {
    match step.opt("sep") {
        Some(Arg::Value(Value::Str(s))) if s.len() == 1 => s.as_bytes()[0],
        _ => b',',
    }
}

fn csv_header(step: &Step) -> bool {
    !matches!(step.opt("header"), Some(Arg::Value(Value::Bool(false))))
}

/// The field names of a CSV file without a header: `c0`, `c1`, ….
fn column_names(n: usize) -> impl Iterator<Item = Arc<str>> {
    (0..n).map(|i| Arc::from(format!("c{i}").as_str()))
}

/// What `read_csv types=` converts a field to.
#[derive(Clone, Copy, Debug, PartialEq)]
enum CsvType {
    Int,
    Float,
    Bool,
    Str,
}

impl CsvType {
    fn name(self) -> &'static str {
        match self {
            CsvType::Int => "int",
            CsvType::Float => "float",
            CsvType::Bool => "bool",
            CsvType::Str => "str",
        }
    }

    /// The field's text as this type, as Python's `int()` / `float()` read
    /// it; `true`/`false` in any case (around whitespace as `int()` allows)
    /// for `bool`. An empty field is null; `None` when the text does not
    /// convert.
    fn convert(self, s: &str) -> Option<Value> {
        if s.is_empty() {
            return Some(Value::Null);
        }
        Some(match self {
            CsvType::Int => Value::Int(crate::text::pystr::parse_int(s)?),
            CsvType::Float => Value::Float(crate::text::pystr::parse_float(s)?),
            CsvType::Bool => {
                let t = crate::text::pystr::strip(s, None);
                if t.eq_ignore_ascii_case("true") {
                    Value::Bool(true)
                } else if t.eq_ignore_ascii_case("false") {
                    Value::Bool(false)
                } else {
                    return None;
                }
            }
            CsvType::Str => Value::str(s),
        })
    }
}

/// The conversion `types=` asks for each of `keys` (none for a field it does not name).
fn csv_types(step: &Step, keys: &[Arc<str>]) -> Vec<Option<CsvType>> {
    let types = match step.opt("types") {
        Some(Arg::Value(Value::Record(r))) => Some(r),
        _ => None,
    };
    keys.iter()
        .map(|k| match types.and_then(|r| r.get(k)) {
            Some(Value::Str(t)) => Some(match &**t {
                "int" => CsvType::Int,
                "float" => CsvType::Float,
                "bool" => CsvType::Bool,
                _ => CsvType::Str,
            }),
            _ => None,
        })
        .collect()
}

fn read_csv(step: &Step, file: &FileInfo, ctx: &Ctx, f: Emit) -> Result<(), Diag> {
    let d = decode_opts(step);
    let span = d.span;
    let io_err = |e: std::io::Error| {
        let d = Diag::run(
            "flow::io::unreadable",
            format!("cannot read {}: {}", file.path.display(), io_reason(&e)),
        );
        match span {
            Some(s) => d.at(s, "read here"),
            None => d,
        }
    };
    let fh = Counted {
        inner: std::fs::File::open(&file.path).map_err(io_err)?,
        ctx,
    };
    let mut r: Box<dyn BufRead + '_> = if file.gzip {
        Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            flate2::read::MultiGzDecoder::new(fh),
        ))
    } else {
        Box::new(std::io::BufReader::with_capacity(1 << 20, fh))
    };
    let bom = r.fill_buf().map_err(io_err)?.starts_with(b"\xEF\xBB\xBF");
    if bom {
        r.consume(3);
    }
    let sep = csv_sep(step);
    let header = csv_header(step);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .from_reader(QuoteWatch::new(r, sep));
    let mut names: Option<Vec<Arc<str>>> = None;
    // The conversions of `types=`, field by field, once the names are known.
    let mut conv: Option<Vec<Option<CsvType>>> = None;
    let mut rec = csv::ByteRecord::new();
    let mut row = 0u64;
    // The line the last record started on, for the check at the end.
    let mut last_line = 1u64;
    loop {
        if row % 65536 == 65535 && ctx.cancelled() {
            return Err(super::cancelled());
        }
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => {
                // A quote never closed makes the CSV reader swallow the rest
                // of the file into the last record, silently: say so instead.
                if rdr.get_ref().left_open() {
                    return Err(Diag::run(
                        "flow::io::bad_csv",
                        format!(
                            "unterminated quoted field at {}:{last_line}: its quote is never closed",
                            file.path.display()
                        ),
                    )
                    .at(span.unwrap_or(step.span), "read here")
                    .help("close the field with `\"`; a quote inside a quoted field is written `\"\"`"));
                }
                return Ok(());
            }
            Ok(true) => {}
            Err(e) => {
                let pos = e
                    .position()
                    .map(|p| format!(":{}", p.line()))
                    .unwrap_or_default();
                return Err(Diag::run(
                    "flow::io::bad_csv",
                    format!("invalid CSV at {}{pos}: {e}", file.path.display()),
                )
                .at(span.unwrap_or(step.span), "read here"));
            }
        }
        row += 1;
        let offset = rec.position().map_or(0, |p| p.byte());
        last_line = rec.position().map_or(last_line, |p| p.line());
        let mut fields: Vec<Value> = Vec::with_capacity(rec.len());
        for field in rec.iter() {
            fields.push(Value::str(&read::decode(
                read::Line {
                    bytes: field,
                    text: None,
                },
                offset,
                &d,
                file,
            )?));
        }
        if header && names.is_none() {
            let found: Vec<Arc<str>> = fields
                .iter()
                .map(|v| match v {
                    Value::Str(s) => s.clone(),
                    _ => Arc::from(""),
                })
                .collect();
            check_header(step, file, &found)?;
            names = Some(found);
            continue;
        }
        let keys: Vec<Arc<str>> = match &names {
            Some(n) => n.clone(),
            None => column_names(fields.len()).collect(),
        };
        let conv = conv.get_or_insert_with(|| csv_types(step, &keys));
        if keys.len() != fields.len() {
            return Err(Diag::run(
                "flow::io::bad_csv",
                format!(
                    "invalid CSV at {}:{}: the row has {} fields, the header {}",
                    file.path.display(),
                    rec.position().map_or(0, |p| p.line()),
                    fields.len(),
                    keys.len()
                ),
            )
            .at(span.unwrap_or(step.span), "read here"));
        }
        for (i, t) in conv.iter().enumerate() {
            let (Some(t), Some(Value::Str(s))) = (t, fields.get(i)) else {
                continue;
            };
            fields[i] = t.convert(s).ok_or_else(|| {
                Diag::run(
                    "flow::io::bad_csv_value",
                    format!(
                        "cannot read field `{}` as {} at {}:{}: {}",
                        keys[i],
                        t.name(),
                        file.path.display(),
                        rec.position().map_or(0, |p| p.line()),
                        crate::text::quote(s)
                    ),
                )
                .at(span.unwrap_or(step.span), "read here")
                .help(match t {
                    CsvType::Bool => "a bool field holds true or false (any case), or nothing for null",
                    _ => "an empty field is null; any other text must be a number as Python's int() / float() reads it",
                })
            })?;
        }
        let record: Record = keys.into_iter().zip(fields).collect();
        let fed = f.item(Elem::Value(Value::Record(Arc::new(record))));
        if fed.map_err(|e| match e.unplaced() {
            true => e.placed(&format!("{}:{}", file.path.display(), last_line)),
            false => e,
        })? == Ctl::Stop
        {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::QuoteWatch;
    use std::io::Read;

    /// Whether `text` ends inside a quoted field, read `chunk` bytes at a
    /// time through the watcher.
    fn left_open(text: &[u8], chunk: usize) -> bool {
        let mut w = QuoteWatch::new(text, b',');
        let mut buf = vec![0u8; chunk];
        while w.read(&mut buf).unwrap() > 0 {}
        w.left_open()
    }

    #[test]
    fn a_quote_left_open_is_seen_however_the_bytes_arrive() {
        let cases: &[(&str, bool)] = &[
            ("", false),
            ("a,b\n1,2\n", false),
            ("a,\"b\n", true),
            ("\"", true),
            ("\"\"", false),
            ("\"\"\"", true),
            ("a,\"x, \"\"y\"\"\nz\"\n2,\"last\"\"\"", false),
            ("a,\"last\"\"", true),
            // A quote inside an unquoted field is a plain byte.
            ("ab\"c\n", false),
            ("a\"\"\n", false),
            // After a closing quote, bytes up to the separator join the
            // field, and a quote among them is plain.
            ("\"a\"b\"c\n", false),
            ("\"a\"b,\"c\n", true),
            ("x\r\"open", true),
            ("\"ok\"\n\"open\nmore,lines\n", true),
        ];
        for &(text, open) in cases {
            for chunk in 1..=text.len().max(1) {
                assert_eq!(
                    left_open(text.as_bytes(), chunk),
                    open,
                    "{text:?} by {chunk}"
                );
            }
        }
    }
}
