//! Sources: glob resolution and partitioning of input files. A partition of
//! a text file is a byte range that owns the lines STARTING inside it, so no
//! line is lost or read twice whatever the blocksize. Resolving a glob stats
//! files but never reads their contents.

use std::path::PathBuf;

use crate::diag::{io_reason, Diag};
use crate::ops::{Arg, OpId};
use crate::plan::Step;
use crate::syntax::ast::Span;
use crate::value::Value;

/// One input file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileInfo {
    pub path: PathBuf,
    pub size: u64,
    /// Whether `size` can be trusted. A FIFO, a device or a `/proc` file
    /// says 0 (or nothing) and is read to its end, in one partition.
    pub sized: bool,
    /// Decompressed as gzip (one partition per file).
    pub gzip: bool,
    /// When the file last changed (the REPL's cache notices edits).
    pub modified: Option<std::time::SystemTime>,
}

/// A byte range `start..end` of file `file`: it owns the lines starting in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    pub file: usize,
    pub start: u64,
    pub end: u64,
}

/// Expands a glob (or plain path) to files sorted by path.
pub fn resolve_glob(pattern: &str, span: Option<Span>) -> Result<Vec<PathBuf>, Diag> {
    let at = |d: Diag| match span {
        Some(s) => d.at(s, "this path"),
        None => d,
    };
    let is_glob = pattern.contains(['*', '?', '[']);
    if !is_glob {
        let p = PathBuf::from(pattern);
        return match std::fs::metadata(&p) {
            // A regular file, or a FIFO or device named outright (read to its end).
            Ok(m) if !m.is_dir() => Ok(vec![p]),
            Ok(_) => Err(at(Diag::run(
                "flow::io::not_a_file",
                format!("{pattern} is a directory"),
            )
            .help(format!(
                "read the files in it with a glob, e.g. \"{}/*\"",
                pattern.trim_end_matches('/')
            )))),
            Err(e) => Err(at(Diag::run(
                "flow::io::file_not_found",
                format!("cannot open {pattern}: {}", io_reason(&e)),
            )
            .help("relative paths resolve against the current directory"))),
        };
    }
    let paths = glob::glob(pattern).map_err(|e| {
        Diag::script(
            "flow::io::bad_glob",
            format!("invalid glob pattern: {}", e.msg),
        )
        .at(span.unwrap_or_default(), "this pattern")
    })?;
    let mut files: Vec<PathBuf> = Vec::new();
    for p in paths {
        match p {
            Ok(p) if p.is_file() => files.push(p),
            Ok(_) => {}
            Err(e) => {
                return Err(at(Diag::run(
                    "flow::io::unreadable",
                    format!(
                        "cannot read {}: {}",
                        e.path().display(),
                        io_reason(e.error())
                    ),
                )))
            }
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(at(Diag::run(
            "flow::io::glob_matched_nothing",
            format!("no file matches {pattern}"),
        )
        .help("relative paths resolve against the current directory")));
    }
    Ok(files)
}

/// The file-reading options of a source step.
#[derive(Debug)]
pub struct FileSource {
    pub files: Vec<FileInfo>,
    pub splits: Vec<Split>,
}

/// Should this file be gunzipped, given the `compression` option?
pub(crate) fn is_gzip(path: &std::path::Path, compression: &str) -> bool {
    match compression {
        "gzip" => true,
        "none" => false,
        _ => path.extension().is_some_and(|e| e == "gz"),
    }
}

/// The most partitions a source's files are cut into by `blocksize`.
const MAX_PARTITIONS: u64 = 1 << 16;

/// The automatic blocksize: a few partitions per core on big inputs, never
/// below 1 MiB or above 64 MiB, so small files are not split into dust.
pub fn auto_blocksize(total: u64, threads: usize) -> u64 {
    let per = total / (4 * threads.max(1) as u64).max(1);
    per.clamp(1 << 20, 64 << 20)
}

/// Resolves the files of a source step and splits them into partitions
/// (`general`: a CSV file is not split, see [`crate::exec::Ctx::general`];
/// `scan`: a CSV file is read for where its rows start, as a run needs —
/// without it, as for `flow check`, no data is read and the splits are the
/// nominal byte ranges).
pub fn file_source(
    step: &Step,
    threads: usize,
    general: bool,
    scan: bool,
) -> Result<FileSource, Diag> {
    let (Some(Arg::Value(Value::Str(pattern))), span) = (step.arg(0), step.args[0].span) else {
        unreachable!("a file source has a path argument");
    };
    let paths = resolve_glob(pattern, span)?;
    let compression = match step.opt("compression") {
        Some(Arg::Value(Value::Str(c))) => c.to_string(),
        _ => "infer".into(),
    };
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let meta = std::fs::metadata(&path).map_err(|e| {
            Diag::run(
                "flow::io::unreadable",
                format!("cannot read {}: {}", path.display(), io_reason(&e)),
            )
            .at(span.unwrap_or_default(), "matched here")
        })?;
        let gzip = is_gzip(&path, &compression);
        files.push(FileInfo {
            path,
            size: meta.len(),
            sized: meta.is_file() && meta.len() > 0,
            gzip,
            modified: meta.modified().ok(),
        });
    }
    // A source that takes `blocksize` is split into byte ranges. A CSV file
    // is split only where a row starts (a quoted field may span lines):
    // see `csv_row_starts`.
    let csv = step.op.id == OpId::ReadCsv;
    let splittable = step.op.option("blocksize").is_some() && !(csv && general);
    let total: u64 = files.iter().map(|f| f.size).sum();
    let blocksize = match step.opt("blocksize") {
        // A tiny blocksize on a big input would make a task of every few
        // bytes: at most MAX_PARTITIONS partitions (the result is the same
        // for any blocksize).
        Some(Arg::Value(Value::Int(n))) => (*n as u64).max(total.div_ceil(MAX_PARTITIONS)).max(1),
        _ => auto_blocksize(total, threads),
    };
    let mut splits = Vec::new();
    for (i, f) in files.iter().enumerate() {
        if !f.sized {
            splits.push(Split {
                file: i,
                start: 0,
                end: u64::MAX,
            });
            continue;
        }
        if f.gzip || !splittable || f.size <= blocksize {
            splits.push(Split {
                file: i,
                start: 0,
                end: f.size,
            });
            continue;
        }
        let cuts: Vec<u64> = (1..f.size.div_ceil(blocksize))
            .map(|k| k * blocksize)
            .collect();
        let starts = if csv && scan {
            match csv_row_starts(&f.path, csv_sep(step), &cuts) {
                Ok(Some(starts)) => starts,
                // A quote never closed: one partition, which says where.
                Ok(None) => Vec::new(),
                Err(e) => {
                    return Err(Diag::run(
                        "flow::io::unreadable",
                        format!("cannot read {}: {}", f.path.display(), io_reason(&e)),
                    )
                    .at(span.unwrap_or_default(), "matched here"))
                }
            }
        } else {
            cuts
        };
        let mut start = 0;
        for end in starts.into_iter().chain([f.size]) {
            splits.push(Split {
                file: i,
                start,
                end,
            });
            start = end;
        }
    }
    Ok(FileSource { files, splits })
}

/// `read_csv sep=`: the catalog's `PKind::CsvSep` has checked it is one
/// single-byte character.
pub(crate) fn csv_sep(step: &Step) -> u8 {
    match step.opt("sep") {
        Some(Arg::Value(Value::Str(s))) if s.len() == 1 => s.as_bytes()[0],
        _ => b',',
    }
}

/// Where a CSV file can be cut: for each offset in `cuts` (ascending), the
/// first byte at or after it where a row starts (the file's size when none
/// does). `None` when a quoted field is never closed.
///
/// A row starts after a line break outside quotes, so the scan follows the
/// quoting from the start of the file as the CSV reader does (RFC 4180 with
/// the csv crate's leniency): a `"` at the start of a field opens a quoted
/// field, which the next `"` not doubled closes; any other `"` is a plain
/// byte. Only quotes change that state, so the scan jumps from quote to
/// quote (memchr), and looks for a line break only just after each cut: a
/// file without quotes costs one memchr pass, and every cut is exact, not
/// a guess to be checked later.
pub(crate) fn csv_row_starts(
    path: &std::path::Path,
    sep: u8,
    cuts: &[u64],
) -> std::io::Result<Option<Vec<u64>>> {
    use std::io::Read;
    let mut fh = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    // `buf[..have]` holds the bytes from file offset `base`.
    let (mut base, mut have) = (0u64, 0usize);
    let mut eof = false;
    let mut quoted = false;
    // The byte before `buf[0]` (a line break stands for the file's start).
    let mut before = b'\n';
    let mut starts = Vec::with_capacity(cuts.len());
    let mut bom = true;
    loop {
        while !eof && have < buf.len() {
            let n = fh.read(&mut buf[have..])?;
            eof = n == 0;
            have += n;
        }
        if bom {
            bom = false;
            // The reader drops a BOM: the first field starts after it.
            if buf[..have].starts_with(b"\xEF\xBB\xBF") {
                buf.copy_within(3..have, 0);
                have -= 3;
                base = 3;
            }
        }
        let b = &buf[..have];
        // A quote's meaning may hang on the byte after it: stop one short
        // of the end until the file's end is in the buffer.
        let lim = if eof { have } else { have.saturating_sub(1) };
        let mut i = 0;
        while i < lim {
            let q = memchr::memchr(b'"', &b[i..lim]).map_or(lim, |k| i + k);
            if !quoted && starts.len() < cuts.len() {
                // A line break at `cut - 1` or later starts a row at or after the cut.
                let from =
                    (cuts[starts.len()].saturating_sub(1).max(base + i as u64) - base) as usize;
                if from < q {
                    if let Some(k) = memchr::memchr(b'\n', &b[from..q]) {
                        let row = base + (from + k) as u64 + 1;
                        while starts.len() < cuts.len() && cuts[starts.len()] <= row {
                            starts.push(row);
                        }
                        i = from + k + 1;
                        continue;
                    }
                }
            }
            if q == lim {
                i = lim;
                break;
            }
            if quoted {
                // `""` inside a quoted field is one quote; any other closes it.
                if b.get(q + 1) == Some(&b'"') {
                    i = q + 2;
                } else {
                    quoted = false;
                    i = q + 1;
                }
            } else {
                let prev = if q == 0 { before } else { b[q - 1] };
                quoted = prev == sep || prev == b'\n' || prev == b'\r';
                i = q + 1;
            }
        }
        if eof {
            break;
        }
        // Keep the unread tail (at most one byte) and the byte before it.
        let i = i.min(have);
        if i > 0 {
            before = buf[i - 1];
        }
        buf.copy_within(i..have, 0);
        base += i as u64;
        have -= i;
    }
    if quoted {
        return Ok(None);
    }
    let size = base + have as u64;
    while starts.len() < cuts.len() {
        starts.push(size);
    }
    Ok(Some(starts))
}

/// The number of partitions `range N` is split into (independent of threads).
pub fn range_partitions(n: i64) -> usize {
    ((n.max(0) as u64).div_ceil(1 << 20) as usize).clamp(1, 256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_blocksize_bounds() {
        assert_eq!(auto_blocksize(10, 2), 1 << 20);
        assert_eq!(auto_blocksize(1 << 40, 2), 64 << 20);
        assert_eq!(auto_blocksize(512 << 20, 2), 64 << 20);
        assert_eq!(auto_blocksize(64 << 20, 2), 8 << 20);
    }

    #[test]
    fn range_partitions_do_not_depend_on_threads() {
        assert_eq!(range_partitions(0), 1);
        assert_eq!(range_partitions(10), 1);
        assert_eq!(range_partitions(3 << 20), 3);
        assert_eq!(range_partitions(i64::MAX), 256);
    }
}
