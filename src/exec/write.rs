//! Sinks: `write_text`, `write_json`, `write_csv`. Every file is written to a
//! temporary name beside its target; the driver renames them all only when
//! the whole run has succeeded ([`commit`]) and removes them otherwise
//! ([`discard`]), so a failed run leaves no output file, partial or not.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::source::io_reason;
use crate::diag::Diag;
use crate::ops::{Arg, SinkFormat};
use crate::plan::Step;
use crate::value::format;
use crate::value::Value;

/// Files written under temporary names, waiting for the run to succeed.
#[derive(Debug, Default)]
pub struct Pending {
    files: Vec<(PathBuf, PathBuf, crate::syntax::ast::Span)>,
}

/// Renames every pending file to its target.
pub fn commit(pending: Pending) -> Result<(), Diag> {
    let mut files = pending.files.into_iter();
    while let Some((tmp, target, span)) = files.next() {
        if let Err(e) = std::fs::rename(&tmp, &target) {
            let _ = std::fs::remove_file(&tmp);
            discard(Pending {
                files: files.collect(),
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

/// Removes every pending file.
pub fn discard(pending: Pending) {
    for (tmp, _, _) in pending.files {
        let _ = std::fs::remove_file(tmp);
    }
}

/// Writes a sink's files under temporary names, adding them to `pending`.
pub fn write(
    step: &Step,
    format: SinkFormat,
    parts: &[Vec<Value>],
    pending: &mut Pending,
) -> Result<(), Diag> {
    let Some(Arg::Value(Value::Str(path))) = step.arg(0) else {
        unreachable!("a sink has a path");
    };
    let span = step.args[0].span.unwrap_or(step.span);
    let fail = |target: &Path, e: std::io::Error| {
        Diag::run(
            "flow::io::write_failed",
            format!("cannot write {}: {}", target.display(), io_reason(&e)),
        )
        .at(span, "writing here")
    };
    // Which elements go to which file.
    let files: Vec<(PathBuf, Vec<&Value>)> = if path.contains('*') {
        parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    PathBuf::from(path.replacen('*', &format!("part-{i:04}"), 1)),
                    p.iter().collect(),
                )
            })
            .collect()
    } else {
        vec![(PathBuf::from(&**path), parts.iter().flatten().collect())]
    };
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let cleanup = |temps: &[(PathBuf, PathBuf)]| {
        for (tmp, _) in temps {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (target, values) in &files {
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Err(e) = std::fs::create_dir_all(dir) {
                cleanup(&temps);
                return Err(fail(target, e));
            }
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let tmp = target.with_file_name(format!(".{name}.flow-tmp-{}", std::process::id()));
        temps.push((tmp.clone(), target.clone()));
        if let Err(e) = write_file(format, &tmp, target, values) {
            cleanup(&temps);
            return Err(fail(target, e));
        }
    }
    pending
        .files
        .extend(temps.into_iter().map(|(tmp, target)| (tmp, target, span)));
    Ok(())
}

fn write_file(
    format: SinkFormat,
    tmp: &Path,
    target: &Path,
    values: &[&Value],
) -> std::io::Result<()> {
    let fh = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(tmp)?);
    if target.extension().is_some_and(|e| e == "gz") {
        let mut enc = flate2::write::GzEncoder::new(fh, flate2::Compression::default());
        emit(format, &mut enc, values)?;
        enc.finish()?.flush()
    } else {
        let mut fh = fh;
        emit(format, &mut fh, values)?;
        fh.flush()
    }
}

fn emit(format: SinkFormat, w: &mut dyn Write, values: &[&Value]) -> std::io::Result<()> {
    let mut line = String::new();
    match format {
        SinkFormat::Csv => {
            let mut cols: Vec<std::sync::Arc<str>> = Vec::new();
            for v in values {
                if let Value::Record(r) = v {
                    for k in r.keys() {
                        if !cols.contains(k) {
                            cols.push(k.clone());
                        }
                    }
                }
            }
            line = cols
                .iter()
                .map(|c| super::output::csv_field(c))
                .collect::<Vec<_>>()
                .join(",");
            // No records, no columns: an empty file rather than an empty header row.
            if !cols.is_empty() {
                line.push('\n');
                w.write_all(line.as_bytes())?;
            }
            for v in values {
                line.clear();
                if let Value::Record(r) = v {
                    let cells: Vec<String> = cols
                        .iter()
                        .map(|c| {
                            r.get(c).map_or(String::new(), |v| {
                                super::output::csv_field(&format::cell(v, ""))
                            })
                        })
                        .collect();
                    line = cells.join(",");
                }
                line.push('\n');
                w.write_all(line.as_bytes())?;
            }
        }
        SinkFormat::Text | SinkFormat::Json => {
            for v in values {
                line.clear();
                match (format, v) {
                    (SinkFormat::Text, Value::Str(s)) => line.push_str(s),
                    (SinkFormat::Text, other) => line.push_str(&format::py_str(other)),
                    _ => format::json(v, &mut line),
                }
                line.push('\n');
                w.write_all(line.as_bytes())?;
            }
        }
    }
    Ok(())
}
