//! Sinks: `write_text`, `write_json`, `write_csv`. Every file is written to a
//! temporary name beside its target; the run renames them all only when it
//! has succeeded ([`commit`]) and removes them otherwise ([`discard`]), so a
//! failed run leaves no output file, partial or not. A target that already
//! exists and is not a regular file (a device, a FIFO, a symlink to one) is
//! written through in place, as a shell redirection does, never replaced.
//!
//! Every temporary file is registered before it is created, so that
//! [`remove_temporaries`] (called on Ctrl-C) can remove them all.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diag::{io_reason, Diag, Span};
use crate::ops::{Arg, SinkFormat};
use crate::plan::Step;
use crate::value::format;
use crate::value::{Record, Value};

use super::output;

/// Temporary files of this process that exist or are being written.
/// A set, not a list: a sink of many partitions registers and forgets as
/// many files, and forgetting one must not scan them all.
static TEMPORARIES: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

fn temporaries() -> std::sync::MutexGuard<'static, BTreeSet<PathBuf>> {
    TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner())
}

fn forget(tmp: &Path) {
    temporaries().remove(tmp);
}

/// Directories that runs going on in this process will create for their
/// sinks (missing when each run started): removed by a Ctrl-C handler.
static MISSING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn missing() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    MISSING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes `dirs` (children last in the list) where empty; one that holds
/// something else stays.
fn remove_dirs(dirs: &[PathBuf]) {
    for d in dirs.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
}

/// Removes every temporary file of this process (and the directories made
/// for them) and returns with the registry locked, so no new one can be
/// made: for a signal handler that exits next.
pub fn remove_temporaries() -> std::sync::MutexGuard<'static, BTreeSet<PathBuf>> {
    let mut temps = temporaries();
    for t in std::mem::take(&mut *temps) {
        let _ = std::fs::remove_file(t);
    }
    remove_dirs(&missing());
    temps
}

/// A file written whole at the end of a run (`--report`): a temporary file
/// beside the target, made when the run starts (so an unwritable path is
/// found before any data is read), renamed over the target by
/// [`Staged::commit`], removed when dropped uncommitted or on Ctrl-C. A
/// target that exists and is not a regular file (`/dev/stdout`, a FIFO) is
/// written through at the end, as sinks write it, never replaced.
pub struct Staged {
    target: PathBuf,
    /// `None`: written through.
    tmp: Option<PathBuf>,
}

impl Staged {
    /// Creates the temporary file beside `target`.
    pub fn new(target: &Path) -> std::io::Result<Staged> {
        let invalid = |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, why);
        if target.file_name().is_none() {
            return Err(invalid("not a file name"));
        }
        match std::fs::metadata(target) {
            Ok(m) if m.is_dir() => return Err(invalid("it is a directory")),
            Ok(m) if !m.is_file() => {
                return Ok(Staged {
                    target: target.to_path_buf(),
                    tmp: None,
                })
            }
            _ => {}
        }
        // A symlink to a regular file (`/dev/stdout` redirected to a file):
        // the file it names is replaced, not the link.
        let real = match std::fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(target)?,
            _ => target.to_path_buf(),
        };
        let target = real.as_path();
        let Some(name) = target.file_name() else {
            return Err(invalid("not a file name"));
        };
        let tmp = target.with_file_name(format!(
            ".{}.flow-tmp-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        temporaries().insert(tmp.clone());
        if let Err(e) = std::fs::File::create(&tmp) {
            forget(&tmp);
            return Err(e);
        }
        Ok(Staged {
            target: target.to_path_buf(),
            tmp: Some(tmp),
        })
    }

    /// Writes `bytes` to the temporary file and renames it over the target.
    pub fn commit(mut self, bytes: &[u8]) -> std::io::Result<()> {
        let Some(tmp) = self.tmp.take() else {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(&self.target)
                .and_then(|mut f| f.write_all(bytes));
        };
        let done = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, &self.target));
        if done.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        forget(&tmp);
        done
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(&tmp);
            forget(&tmp);
        }
    }
}

/// Files written under temporary names, waiting for the run to succeed, and
/// the directories the run's sinks will create (missing when it started),
/// which a failed run removes again.
#[derive(Debug, Default)]
pub struct Pending {
    files: Vec<(PathBuf, PathBuf, Span)>,
    dirs: Vec<PathBuf>,
}

impl Pending {
    /// The pending state of a run whose sinks write these paths: notes which
    /// of their directories do not exist yet (parents first). Known per run,
    /// so a failing run removes only what it would have made.
    pub fn for_sinks<'a>(paths: impl Iterator<Item = &'a str>) -> Pending {
        let mut dirs: Vec<PathBuf> = Vec::new();
        for p in paths {
            let Some(parent) = Path::new(p).parent() else {
                continue;
            };
            let absent: Vec<PathBuf> = parent
                .ancestors()
                .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
                .map(Path::to_path_buf)
                .collect();
            for d in absent.into_iter().rev() {
                if !dirs.contains(&d) {
                    dirs.push(d);
                }
            }
        }
        missing().extend(dirs.iter().cloned());
        Pending {
            files: Vec::new(),
            dirs,
        }
    }

    /// The run is over: its directories are no longer the Ctrl-C handler's.
    fn settle(&self) {
        missing().retain(|d| !self.dirs.contains(d));
    }
}

/// Renames every pending file to its target. Targets were checked when
/// their files were written (none is a directory), so a rename fails only
/// when something changed meanwhile; the files not yet renamed are removed.
pub fn commit(pending: Pending) -> Result<(), Diag> {
    pending.settle();
    let mut files = pending.files.into_iter();
    while let Some((tmp, target, span)) = files.next() {
        let renamed = std::fs::rename(&tmp, &target);
        forget(&tmp);
        if let Err(e) = renamed {
            let _ = std::fs::remove_file(&tmp);
            discard(Pending {
                files: files.collect(),
                dirs: Vec::new(),
            });
            return Err(Diag::run(
                "flow::io::write_failed",
                format!("cannot write {}: {}", target.display(), io_reason(&e)),
            )
            .at(span, "writing here"));
        }
    }
    Ok(())
}

/// Removes every pending file, and the directories the run made for them.
pub fn discard(pending: Pending) {
    pending.settle();
    for (tmp, _, _) in pending.files {
        let _ = std::fs::remove_file(&tmp);
        forget(&tmp);
    }
    remove_dirs(&pending.dirs);
}

/// One file a sink writes: its target and the elements that go in it.
pub struct File<'a> {
    target: PathBuf,
    values: Vec<&'a Value>,
}

impl File<'_> {
    /// How many elements go in the file.
    pub fn len(&self) -> usize {
        self.values.len()
    }
}

/// A file written: under its temporary name (renamed when the run
/// succeeds), or through into a special file (nothing left to do).
pub enum Written {
    Temporary {
        tmp: PathBuf,
        target: PathBuf,
        span: Span,
    },
    InPlace,
}

impl Pending {
    /// Files written, to be renamed into place when the run succeeds.
    pub fn add(&mut self, written: Vec<Written>) {
        for w in written {
            if let Written::Temporary { tmp, target, span } = w {
                self.files.push((tmp, target, span));
            }
        }
    }
}

/// The file of partition `i` of a sink with `*` in its path.
pub fn part_file<'a>(step: &Step, i: usize, values: &'a [Value]) -> File<'a> {
    let Some(Arg::Value(Value::Str(path))) = step.arg(0) else {
        unreachable!("a sink has a path");
    };
    File {
        target: PathBuf::from(path.replacen('*', &format!("part-{i:04}"), 1)),
        values: values.iter().collect(),
    }
}

/// The files a sink writes: with `*` in its path one per partition
/// (`part-0000`, …), else one holding every partition in order.
pub fn files_of<'a>(step: &Step, parts: &'a [Vec<Value>]) -> Vec<File<'a>> {
    let Some(Arg::Value(Value::Str(path))) = step.arg(0) else {
        unreachable!("a sink has a path");
    };
    if super::lower::per_partition_sink(step) {
        parts
            .iter()
            .enumerate()
            .map(|(i, p)| part_file(step, i, p))
            .collect()
    } else {
        vec![File {
            target: PathBuf::from(&**path),
            values: parts.iter().flatten().collect(),
        }]
    }
}

/// Writes one file of a sink under a temporary name beside its target.
pub fn write(step: &Step, format: SinkFormat, file: File) -> Result<Written, Diag> {
    let span = step.args[0].span.unwrap_or(step.span);
    let File { target, values } = file;
    let mut out = Appender::open(target, span, format)?;
    out.append_all(&values)?;
    out.finish()
}

/// A sink file written in order, a batch of elements at a time (all at
/// once for a partition's own file; a window of partitions at a time for a
/// sink's one file, as its input is computed). Dropped unfinished (the run
/// failed), it removes its temporary file.
pub struct Appender {
    out: Option<Out>,
    format: SinkFormat,
    target: PathBuf,
    /// The temporary name, renamed to `target` when the run succeeds;
    /// `None` when the target is a device or a FIFO, written through.
    tmp: Option<PathBuf>,
    span: Span,
    /// A CSV file's columns, known from its first record.
    csv: Option<CsvColumns>,
}

enum Out {
    Plain(std::io::BufWriter<std::fs::File>),
    Gz(flate2::write::GzEncoder<std::io::BufWriter<std::fs::File>>),
}

impl Write for Out {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        match self {
            Out::Plain(w) => w.write(b),
            Out::Gz(w) => w.write(b),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Out::Plain(w) => w.flush(),
            Out::Gz(w) => w.flush(),
        }
    }
}

impl Appender {
    /// Opens the one file of a sink without `*`.
    pub fn create(step: &Step, format: SinkFormat) -> Result<Appender, Diag> {
        let Some(Arg::Value(Value::Str(path))) = step.arg(0) else {
            unreachable!("a sink has a path");
        };
        let span = step.args[0].span.unwrap_or(step.span);
        Appender::open(PathBuf::from(&**path), span, format)
    }

    /// Opens `target`: a temporary name beside it, or the target itself
    /// when it is a device or a FIFO. A directory is an error, found before
    /// anything of the run is renamed into place.
    fn open(target: PathBuf, span: Span, format: SinkFormat) -> Result<Appender, Diag> {
        let fail = |e: std::io::Error| {
            Diag::run(
                "flow::io::write_failed",
                format!("cannot write {}: {}", target.display(), io_reason(&e)),
            )
            .at(span, "writing here")
        };
        let (file, tmp) = match std::fs::metadata(&target) {
            Ok(m) if m.is_dir() => {
                return Err(Diag::run(
                    "flow::io::write_failed",
                    format!("cannot write {}: it is a directory", target.display()),
                )
                .at(span, "writing here")
                .help("give a file name, or `DIR/*.txt` for one file per partition"))
            }
            // A device, a FIFO, or a symlink to one: write through, as `>` does.
            Ok(m) if !m.is_file() => {
                let fh = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&target)
                    .map_err(fail)?;
                (fh, None)
            }
            _ => {
                if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(fail)?;
                }
                let name = target
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let tmp = target.with_file_name(format!(".{name}.flow-tmp-{}", std::process::id()));
                // Registered before it exists, for the Ctrl-C handler.
                temporaries().insert(tmp.clone());
                match std::fs::File::create(&tmp) {
                    Ok(fh) => (fh, Some(tmp)),
                    Err(e) => {
                        forget(&tmp);
                        return Err(fail(e));
                    }
                }
            }
        };
        let w = std::io::BufWriter::with_capacity(1 << 20, file);
        // A regular `.gz` target is compressed; a special file gets the text.
        let out = if tmp.is_some() && target.extension().is_some_and(|e| e == "gz") {
            Out::Gz(flate2::write::GzEncoder::new(
                w,
                flate2::Compression::default(),
            ))
        } else {
            Out::Plain(w)
        };
        Ok(Appender {
            out: Some(out),
            format,
            target,
            tmp,
            span,
            csv: None,
        })
    }

    fn fail(&self, e: std::io::Error) -> Diag {
        Diag::run(
            "flow::io::write_failed",
            format!("cannot write {}: {}", self.target.display(), io_reason(&e)),
        )
        .at(self.span, "writing here")
    }

    fn append_all(&mut self, values: &[&Value]) -> Result<(), Diag> {
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        match emit(self.format, &mut self.csv, out, values) {
            Ok(()) => Ok(()),
            Err(Emitted::Io(e)) => Err(self.fail(e)),
            Err(Emitted::NotRecord(ty, repr)) => Err(Diag::run(
                "flow::write::not_a_record",
                format!("`write_csv` needs records; it got a {ty}: {repr}"),
            )
            .at(self.span, "writing here")
            .help("`write_csv` writes records; `write_json` and `write_text` write any element")),
            Err(Emitted::NotColumn(key, cols)) => Err(Diag::run(
                "flow::write::not_a_column",
                format!(
                    "`write_csv`: key `{key}` is not a column of {}",
                    self.target.display()
                ),
            )
            .at(self.span, "writing here")
            .help(format!(
                "the columns are the first record's keys: {}; `write_json` writes records of any shape",
                if cols.is_empty() { "none".to_string() } else { cols.join(", ") }
            ))),
        }
    }

    /// Writes the next elements.
    pub fn append(&mut self, values: &[Value]) -> Result<(), Diag> {
        let refs: Vec<&Value> = values.iter().collect();
        self.append_all(&refs)
    }

    /// Flushes and closes the file; it is renamed into place when the run succeeds.
    pub fn finish(mut self) -> Result<Written, Diag> {
        let done = match self.out.take() {
            Some(Out::Plain(mut w)) => w.flush(),
            Some(Out::Gz(w)) => w.finish().and_then(|mut w| w.flush()),
            None => Ok(()),
        };
        done.map_err(|e| self.fail(e))?;
        Ok(match self.tmp.take() {
            Some(tmp) => Written::Temporary {
                tmp,
                target: self.target.clone(),
                span: self.span,
            },
            None => Written::InPlace,
        })
    }
}

impl Drop for Appender {
    fn drop(&mut self) {
        // Not finished, or finished with an error: nothing of it stays.
        if let Some(tmp) = self.tmp.take() {
            drop(self.out.take());
            let _ = std::fs::remove_file(&tmp);
            forget(&tmp);
        }
    }
}

fn emit(
    format: SinkFormat,
    csv: &mut Option<CsvColumns>,
    w: &mut dyn Write,
    values: &[&Value],
) -> Result<(), Emitted> {
    let mut line = String::new();
    for v in values {
        line.clear();
        match (format, v) {
            (SinkFormat::Csv, v) => {
                let Value::Record(r) = v else {
                    let mut repr = String::new();
                    format::py_repr(v, &mut repr);
                    return Err(Emitted::NotRecord(v.type_name(), repr));
                };
                let mut cells = Vec::new();
                flatten(r, &mut String::new(), &mut cells);
                let cols = match csv {
                    Some(cols) => cols,
                    None => {
                        // The first record's keys, flattened, are the columns.
                        let cols = csv.insert(CsvColumns::of(&cells));
                        let header: Vec<String> =
                            cols.names.iter().map(|c| output::csv_field(c)).collect();
                        line.push_str(&header.join(","));
                        line.push('\n');
                        cols
                    }
                };
                let mut row = vec![String::new(); cols.names.len()];
                for (key, cell) in cells {
                    let Some(&i) = cols.index.get(&key) else {
                        return Err(Emitted::NotColumn(key, cols.names.clone()));
                    };
                    row[i] = output::csv_field(&cell);
                }
                line.push_str(&row.join(","));
            }
            (SinkFormat::Text, Value::Str(s)) => line.push_str(s),
            (SinkFormat::Text, other) => line.push_str(&format::py_str(other)),
            (SinkFormat::Json, v) => format::json(v, &mut line),
        }
        line.push('\n');
        w.write_all(line.as_bytes()).map_err(Emitted::Io)?;
    }
    Ok(())
}

/// Why a batch of elements could not be written.
enum Emitted {
    Io(std::io::Error),
    /// `write_csv` got an element that is not a record (its type, its repr).
    NotRecord(&'static str, String),
    /// `write_csv` got a key that is not a column (the key, the columns).
    NotColumn(String, Vec<String>),
}

/// The columns of a CSV file: its first record's keys, flattened.
struct CsvColumns {
    names: Vec<String>,
    index: std::collections::HashMap<String, usize>,
}

impl CsvColumns {
    fn of(cells: &[(String, String)]) -> CsvColumns {
        let mut names = Vec::with_capacity(cells.len());
        let mut index = std::collections::HashMap::with_capacity(cells.len());
        for (k, _) in cells {
            if !index.contains_key(k) {
                index.insert(k.clone(), names.len());
                names.push(k.clone());
            }
        }
        CsvColumns { names, index }
    }
}

/// A record's cells in key order, nested records flattened to `a.b`
/// columns (as Miller does): lists as JSON text, `null` as an empty field,
/// an empty nested record as `{}`.
fn flatten(r: &Record, prefix: &mut String, cells: &mut Vec<(String, String)>) {
    // One buffer holds the key path, grown and cut back level by level, so
    // a record nested n deep costs O(n), not O(n²) in copied prefixes.
    let base = prefix.len();
    for (k, v) in r.iter() {
        if base > 0 {
            prefix.push('.');
        }
        prefix.push_str(k);
        match v {
            Value::Record(inner) if !inner.is_empty() => {
                crate::value::deep(|| flatten(inner, prefix, cells))
            }
            v => cells.push((prefix.clone(), format::cell(v, ""))),
        }
        prefix.truncate(base);
    }
}
