//! Producing the elements of one source partition: text lines, JSON Lines,
//! CSV rows, a slice of `range`, a literal list, standard input.

use std::borrow::Cow;
use std::io::{BufRead, Read, Seek};
use std::sync::Arc;

use super::csvrows::Rows;
use super::elem::{Elem, Row};
use super::kernel::Emit;
use super::lower::Lowered;
use super::read::{self, Decode, Encoding, Errors};
use super::source::{csv_sep, range_partitions, FileInfo, Split};
use super::{Ctl, Ctx};
use crate::diag::{io_reason, Diag};
use crate::ops::{Arg, OpId};
use crate::plan::{NodeId, Step};
use crate::syntax::ast::Span;
use crate::value::format::parse_json;
use crate::value::json;
use crate::value::{Record, Value};
use smallvec::SmallVec;

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
    general: bool,
    file: &FileInfo,
    d: &Decode,
    f: Emit,
    lines: &mut dyn FnMut(bool, read::LineFn) -> Result<(), Diag>,
) -> Result<(), Diag> {
    if step.op.id == OpId::ReadJson {
        let project = if general { None } else { step.project.as_ref() };
        // One per task: its keys are shared by the task's records only.
        let mut reader = json::Reader::default();
        lines(false, &mut |off, line| {
            let read::Lines::One(line) = line else {
                unreachable!("runs of lines were not asked for")
            };
            let s = read::decode(line, off, d, file)?;
            if s.trim().is_empty() {
                return Ok(Ctl::Continue);
            }
            // The fields the pipeline reads, lent as a row (see `Row`);
            // else the value (cut down to them), or the parser's error.
            let mut fields: SmallVec<[(&str, Elem); 8]> = SmallVec::new();
            let row = match project {
                Some(p) => reader
                    .read_fields(&s, p, |k, v| {
                        fields.push((
                            k,
                            match v {
                                json::Field::Str(s) => Elem::Str(s),
                                json::Field::Value(v) => Elem::Value(v),
                            },
                        ))
                    })
                    .is_some(),
                None => false,
            };
            let fed = if row {
                f.item(Elem::Row(Row { fields: &fields }))
            } else {
                let v = match (!general).then(|| reader.read(&s, project)).flatten() {
                    Some(v) => v,
                    None => parse_json(&s).map_err(|e| bad_json(file, off, &e, d.span))?,
                };
                f.item(Elem::Value(v))
            };
            match fed {
                Err(e) if project.is_some() && e.unplaced() => {
                    // The steps saw the fields they read; a message may show
                    // the record, so it is made from the whole one.
                    let e = match parse_json(&s) {
                        Ok(whole) => f.item(Elem::Value(whole)).err().unwrap_or(e),
                        Err(_) => e,
                    };
                    Err(place(e, file, off))
                }
                fed => fed.map_err(|e| place(e, file, off)),
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
                lines_to_items(step, ctx.general, file, &d, f, &mut |many, g| {
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
                lines_to_items(step, ctx.general, file, &d, f, &mut |many, g| {
                    read::for_each_raw_line(file, split, d.span, ctx, many, g)
                })
            }
            OpId::ReadCsv => {
                let fs = &self.files[&n];
                let split = &fs.splits[i];
                read_csv(step, &fs.files[split.file], split, ctx, f)
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

fn bad_json(file: &FileInfo, offset: u64, e: &serde_json::Error, span: Option<Span>) -> Diag {
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
pub(crate) struct QuoteWatch<R> {
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
    pub(crate) fn new(inner: R, sep: u8) -> Self {
        QuoteWatch {
            inner,
            sep,
            quoted: false,
            quote_seen: false,
            field_start: true,
        }
    }

    /// Whether the bytes so far end inside a quoted field.
    pub(crate) fn left_open(&self) -> bool {
        self.quoted && !self.quote_seen
    }

    fn ends_field(&self, c: u8) -> bool {
        c == self.sep || c == b'\n' || c == b'\r'
    }

    /// Moves the state over `buf`, jumping from quote to quote: besides a
    /// `"` and the bytes next to it, only the last byte of `buf` matters.
    pub(crate) fn scan(&mut self, buf: &[u8]) {
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

/// A CSV reader over `r`. The reader checks that every record is as wide
/// as its first, which is the file's first only in the first partition;
/// the others check it themselves (`flexible`).
fn csv_reader<R: Read>(r: R, sep: u8, flexible: bool) -> csv::Reader<QuoteWatch<R>> {
    csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(flexible)
        .from_reader(QuoteWatch::new(r, sep))
}

fn csv_error(step: &Step, file: &FileInfo, span: Option<Span>, e: &csv::Error) -> Diag {
    let pos = e
        .position()
        .map(|p| format!(":{}", p.line()))
        .unwrap_or_default();
    Diag::run(
        "flow::io::bad_csv",
        format!("invalid CSV at {}{pos}: {e}", file.path.display()),
    )
    .at(span.unwrap_or(step.span), "read here")
}

/// A CSV file that cannot be read.
fn csv_unreadable(file: &FileInfo, span: Option<Span>, e: &std::io::Error) -> Diag {
    let d = Diag::run(
        "flow::io::unreadable",
        format!("cannot read {}: {}", file.path.display(), io_reason(e)),
    );
    match span {
        Some(s) => d.at(s, "read here"),
        None => d,
    }
}

/// A (plain) CSV file from its start, past a byte order mark.
fn csv_from_start(file: &FileInfo) -> std::io::Result<std::io::BufReader<std::fs::File>> {
    let mut r = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(&file.path)?);
    if r.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        r.consume(3);
    }
    Ok(r)
}

/// The first error the CSV reader meets in `file` read from its start (a
/// later partition found one; the message names records and lines of the file).
fn csv_first_error(step: &Step, file: &FileInfo, span: Option<Span>) -> Diag {
    let r = match csv_from_start(file) {
        Ok(r) => r,
        Err(e) => return csv_unreadable(file, span, &e),
    };
    let mut rdr = csv_reader(r, csv_sep(step), false);
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => {
                return Diag::run(
                    "flow::io::bad_csv",
                    format!(
                        "invalid CSV in {}: rows of different widths",
                        file.path.display()
                    ),
                )
                .at(span.unwrap_or(step.span), "read here")
            }
            Err(e) => return csv_error(step, file, span, &e),
        }
    }
}

/// The header row of a CSV file, for a partition that starts past it.
fn csv_file_header(step: &Step, file: &FileInfo, d: &Decode) -> Result<Vec<Arc<str>>, Diag> {
    let r = csv_from_start(file).map_err(|e| csv_unreadable(file, d.span, &e))?;
    let mut rec = csv::ByteRecord::new();
    // Partition 0 reports a header it cannot read; this one only needs the names.
    if !csv_reader(r, csv_sep(step), true)
        .read_byte_record(&mut rec)
        .unwrap_or(false)
    {
        return Ok(Vec::new());
    }
    rec.iter()
        .map(|field| {
            read::decode(
                read::Line {
                    bytes: field,
                    text: None,
                },
                0,
                d,
                file,
            )
            .map(|s| Arc::from(s.as_ref()))
        })
        .collect()
}

/// The rows of one partition of a CSV file: the bytes `split.start..split.end`,
/// which start and end at rows (see `source::csv_row_starts`). A partition
/// that starts past the header reads the file's header for the names.
fn read_csv(step: &Step, file: &FileInfo, split: &Split, ctx: &Ctx, f: Emit) -> Result<(), Diag> {
    let d = decode_opts(step);
    let span = d.span;
    let io_err = |e: std::io::Error| csv_unreadable(file, span, &e);
    // The line a row starts on (counted on the error path only).
    let line = |offset: u64| line_of(file, offset);
    let first = split.start == 0;
    let mut fh = std::fs::File::open(&file.path).map_err(io_err)?;
    if !first {
        fh.seek(std::io::SeekFrom::Start(split.start))
            .map_err(io_err)?;
    }
    let fh = Counted {
        inner: fh.take(split.end.saturating_sub(split.start)),
        ctx,
    };
    let r: Box<dyn Read + '_> = if file.gzip {
        Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
            fh,
        )))
    } else {
        Box::new(fh)
    };
    // Offsets of a gzip file's rows are of the decompressed bytes, which
    // is what `line_of` counts in.
    let mut rows = Rows::new(r, split.start, csv_sep(step));
    if first {
        rows.skip_bom().map_err(io_err)?;
    }
    let header = csv_header(step);
    let mut names: Option<Vec<Arc<str>>> = None;
    if !first {
        // The file's first row: the names, or (header=false) the width.
        let found = csv_file_header(step, file, &d)?;
        if header {
            check_header(step, file, &found)?;
            names = Some(found);
        } else {
            names = Some(column_names(found.len()).collect());
        }
    }
    // Once the names are known: the conversions of `types=`, field by
    // field, and which fields the records keep (`project`; all when `None`).
    let mut conv: Option<Vec<Option<CsvType>>> = None;
    let mut keep: Option<Vec<bool>> = None;
    let mut needed: Option<Vec<usize>> = None;
    let project = if ctx.general {
        None
    } else {
        step.project.as_ref()
    };
    let latin1 = d.encoding == Encoding::Latin1;
    let mut row = 0u64;
    loop {
        if row % 65536 == 65535 && ctx.cancelled() {
            return Err(super::cancelled());
        }
        if !rows.next_row().map_err(io_err)? {
            return Ok(());
        }
        row += 1;
        let offset = rows.offset();
        // A quote never closed makes the CSV reader swallow the rest of the
        // file into the last row, silently: say so instead.
        if rows.left_open() {
            return Err(Diag::run(
                "flow::io::bad_csv",
                format!(
                    "unterminated quoted field at {}:{}: its quote is never closed",
                    file.path.display(),
                    line(offset)
                ),
            )
            .at(span.unwrap_or(step.span), "read here")
            .help("close the field with `\"`; a quote inside a quoted field is written `\"\"`"));
        }
        if header && names.is_none() {
            let found = decode_fields(&rows, offset, &d, file)?
                .into_iter()
                .map(|v| match v {
                    Value::Str(s) => s,
                    _ => Arc::from(""),
                })
                .collect::<Vec<_>>();
            check_header(step, file, &found)?;
            names = Some(found);
            continue;
        }
        let keys: &[Arc<str>] = names.get_or_insert_with(|| column_names(rows.len()).collect());
        // A row of another width: the CSV reader's own error, which names
        // the row by its number in the file.
        if keys.len() != rows.len() {
            return Err(csv_first_error(step, file, span));
        }
        let conv = conv.get_or_insert_with(|| csv_types(step, keys));
        let keep = keep.get_or_insert_with(|| match project {
            Some(p) => keys
                .iter()
                .map(|k| p.0.iter().any(|(n, _)| **n == **k))
                .collect(),
            None => vec![true; keys.len()],
        });
        // The fields a cut-down record reads: kept or typed.
        let needed = needed.get_or_insert_with(|| {
            (0..keys.len())
                .filter(|&i| keep[i] || conv[i].is_some())
                .collect::<Vec<usize>>()
        });
        let convert = |i: usize, s: &str, t: CsvType| {
            t.convert(s).ok_or_else(|| {
                Diag::run(
                    "flow::io::bad_csv_value",
                    format!(
                        "cannot read field `{}` as {} at {}:{}: {}",
                        keys[i],
                        t.name(),
                        file.path.display(),
                        line(offset),
                        crate::text::quote(s)
                    ),
                )
                .at(span.unwrap_or(step.span), "read here")
                .help(match t {
                    CsvType::Bool => "a bool field holds true or false (any case), or nothing for null",
                    _ => "an empty field is null; any other text must be a number as Python's int() / float() reads it",
                })
            })
        };
        // The whole record: every field decoded (the first that cannot be
        // is the error) and converted.
        let whole = |rows: &Rows<_>| -> Result<Record, Diag> {
            let mut fields = decode_fields(rows, offset, &d, file)?;
            for (i, t) in conv.iter().enumerate() {
                if let (Some(t), Value::Str(s)) = (t, &fields[i]) {
                    fields[i] = convert(i, s, *t)?;
                }
            }
            Ok(keys.iter().cloned().zip(fields).collect())
        };
        // Valid UTF-8 text, checked once for the whole row (at word speed
        // where it is ASCII); or Latin-1 bytes.
        let text = if latin1 || project.is_none() {
            None
        } else {
            rows.text()
        };
        let cut = project.is_some() && (latin1 || text.is_some());
        // The fields the pipeline reads, lent as a row (see `Row`): kept
        // fields borrowed from the buffer, no record built.
        let mut fields: SmallVec<[(&str, Elem); 8]> = SmallVec::new();
        let mut whole_text = cut;
        if cut {
            // A typed field is converted even when not kept, as its error
            // must show.
            for &i in needed.iter() {
                let field = rows.field(i);
                let s: Cow<str> = match text {
                    Some((t, bounds)) => match t.get(bounds[i].0..bounds[i].1) {
                        Some(s) => Cow::Borrowed(s),
                        // Not text on its own: the whole record says why.
                        None => {
                            whole_text = false;
                            break;
                        }
                    },
                    None => read::decode(
                        read::Line {
                            bytes: field,
                            text: None,
                        },
                        offset,
                        &d,
                        file,
                    )?,
                };
                let v = match conv[i] {
                    Some(t) => Elem::Value(convert(i, &s, t)?),
                    None => Elem::from(s),
                };
                if keep[i] {
                    fields.push((&*keys[i], v));
                }
            }
        }
        let fed = if whole_text {
            match f.item(Elem::Row(Row { fields: &fields })) {
                // The steps saw the fields they read; a message may show
                // the record, so it is made from the whole one.
                Err(e) if e.unplaced() => Err(match whole(&rows) {
                    Ok(r) => f
                        .item(Elem::Value(Value::Record(Arc::new(r))))
                        .err()
                        .unwrap_or(e),
                    Err(_) => e,
                }),
                fed => fed,
            }
        } else {
            f.item(Elem::Value(Value::Record(Arc::new(whole(&rows)?))))
        };
        let fed = fed.map_err(|e| match e.unplaced() {
            true => e.placed(&format!("{}:{}", file.path.display(), line(offset))),
            false => e,
        });
        if fed? == Ctl::Stop {
            return Ok(());
        }
    }
}

/// Every field of a CSV row decoded to text (the first that cannot be is the error).
fn decode_fields<R: Read>(
    rows: &Rows<R>,
    offset: u64,
    d: &Decode,
    file: &FileInfo,
) -> Result<Vec<Value>, Diag> {
    rows.fields()
        .map(|field| {
            read::decode(
                read::Line {
                    bytes: field,
                    text: None,
                },
                offset,
                d,
                file,
            )
            .map(|s| Value::str(&s))
        })
        .collect()
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
