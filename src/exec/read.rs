//! Reading the lines of one partition of a file: block by block (never the
//! whole file), owning exactly the lines that start inside the partition's
//! byte range, decoding each line per `encoding` / `errors`. A leading UTF-8
//! BOM is dropped; `\n` and `\r\n` endings are removed.

use std::borrow::Cow;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::Ordering;

use super::source::{FileInfo, Split};
use super::{Ctl, Ctx};
use crate::diag::{io_reason, Diag};
use crate::syntax::ast::Span;

/// How bytes become text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Latin1,
}

/// What to do with bytes that are invalid in the encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errors {
    Strict,
    Replace,
    Ignore,
}

#[derive(Clone, Copy, Debug)]
pub struct Decode {
    pub encoding: Encoding,
    pub errors: Errors,
    /// The path literal in the script, for diagnostics.
    pub span: Option<Span>,
}

/// Receives each line's start offset and bytes (or, when asked for, a run
/// of lines and its start offset); says whether to go on.
pub type LineFn<'f> = &'f mut dyn FnMut(u64, Lines) -> Result<Ctl, Diag>;

/// What a reader hands over.
#[derive(Clone, Copy)]
pub enum Lines<'a> {
    /// One line, its ending removed.
    One(Line<'a>),
    /// Whole lines of valid UTF-8, endings kept: each ends in `\n` except
    /// perhaps the last, at the end of the input. Only when the reader was
    /// asked for runs (`many`); lines that are not valid UTF-8 still come
    /// one by one.
    Many(&'a str),
}

/// One line's bytes, and its text when the bytes are known to be valid UTF-8
/// (a block is validated once, not line by line).
#[derive(Clone, Copy)]
pub struct Line<'a> {
    pub bytes: &'a [u8],
    pub text: Option<&'a str>,
}

/// A file that cannot be read (or decompressed), pointing at the path in the script.
fn unreadable(what: &str, file: &FileInfo, span: Option<Span>, e: &std::io::Error) -> Diag {
    let d = Diag::run(
        "flow::io::unreadable",
        format!("{what} {}: {}", file.path.display(), io_reason(e)),
    );
    match span {
        Some(s) => d.at(s, "matched here"),
        None => d,
    }
}

/// Bytes per read. Big enough to amortize syscalls, small enough to stay in
/// cache: a block is checked as UTF-8 and then read again by its consumer
/// (a tokenizer, say, whose word table competes for the same cache). With
/// 1 MiB blocks, a simulated 1.25 MiB L2 cache missed a fifth more on the
/// word count than with 256 KiB (4.48 M against 3.53 M misses on 32 MB).
const CHUNK: usize = 256 << 10;

/// Bytes read past a partition's end at first, to finish its last line.
const TAIL: usize = 4096;

/// Calls `f` with the start offset and bytes of every line owned by `split`
/// (line ending removed, not yet decoded). Reading stops when `f` says so.
pub fn for_each_raw_line(
    file: &FileInfo,
    split: &Split,
    span: Option<Span>,
    ctx: &Ctx,
    many: bool,
    f: LineFn,
) -> Result<(), Diag> {
    let open_err = |e: std::io::Error| unreadable("cannot read", file, span, &e);
    let fh = File::open(&file.path).map_err(open_err)?;
    // An empty file holds no gzip member, and no lines (as Python's gzip).
    if file.gzip && empty_regular_file(file) {
        return Ok(());
    }
    if file.gzip {
        let mut r = flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(CHUNK, fh));
        let from = Source {
            start: 0,
            end: u64::MAX,
            skip_first: false,
            counted: false,
            many,
        };
        return lines_from(&mut r, from, file, span, ctx, f);
    }
    let mut fh = fh;
    // Does a line start exactly at `start`? Only if the byte before it is '\n'.
    let mut skip_first = false;
    if split.start > 0 {
        fh.seek(SeekFrom::Start(split.start - 1))
            .map_err(open_err)?;
        let mut b = [0u8; 1];
        let n = fh.read(&mut b).map_err(open_err)?;
        skip_first = n == 1 && b[0] != b'\n';
    }
    let from = Source {
        start: split.start,
        end: split.end,
        skip_first,
        counted: false,
        many,
    };
    lines_from(&mut fh, from, file, span, ctx, f)
}

/// A regular file that holds nothing (not a `/proc` file, whose size says 0).
fn empty_regular_file(file: &FileInfo) -> bool {
    file.size == 0 && std::fs::metadata(&file.path).is_ok_and(|m| m.is_file() && m.len() == 0)
}

/// Where a line stream starts and stops.
struct Source {
    /// Offset of the first byte read.
    start: u64,
    /// Lines starting at or after this offset belong to the next partition.
    end: u64,
    /// The first bytes finish a line that started before `start`.
    skip_first: bool,
    /// The bytes were already counted in `bytes_read`.
    counted: bool,
    /// Hand over runs of whole valid lines ([`Lines::Many`]).
    many: bool,
}

fn lines_from(
    r: &mut dyn Read,
    from: Source,
    file: &FileInfo,
    span: Option<Span>,
    ctx: &Ctx,
    f: LineFn,
) -> Result<(), Diag> {
    let read_err = |e: std::io::Error| {
        let what = if file.gzip {
            "cannot decompress"
        } else {
            "cannot read"
        };
        unreadable(what, file, span, &e)
    };
    let Source {
        start,
        end,
        mut skip_first,
        counted,
        many,
    } = from;
    // A small partition reads a small first block; later blocks are full size.
    let mut chunk = (end.saturating_sub(start).saturating_add(1) as usize).clamp(64, CHUNK);
    // Room for the end of the last line past the partition's end too, so
    // that finishing it does not grow (and copy) the buffer.
    let mut buf: Vec<u8> = Vec::with_capacity(chunk + TAIL);
    // Absolute offset of buf[0], and of the next byte read.
    let mut base = start;
    let mut read_pos = start;
    let mut eof = false;
    let (mut bom_checked, mut bom_line) = (false, false);
    loop {
        if ctx.cancelled() {
            return Err(super::cancelled());
        }
        // Fill: keep the unfinished tail, append up to a chunk (no zero-filling).
        let old = buf.len();
        let n = loop {
            match (&mut *r).take(chunk as u64).read_to_end(&mut buf) {
                Ok(_) => break buf.len() - old,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_err(e)),
            }
        };
        // Read on by what is left of the partition; past its end only the
        // last line is unfinished, so read a little, then as much again as
        // was read past the end.
        let read_to = base + buf.len() as u64;
        chunk = if read_to < end {
            ((end - read_to) as usize)
                .saturating_add(1)
                .clamp(TAIL, CHUNK)
        } else {
            usize::try_from(read_to - end)
                .unwrap_or(CHUNK)
                .clamp(TAIL, CHUNK)
        };
        if !counted {
            ctx.bytes_io.fetch_add(n as u64, Ordering::Relaxed);
            // Progress counts each byte once: only what lies in this
            // partition's own range, not the line finished past its end.
            let own = (read_pos + n as u64).min(end) - read_pos.min(end);
            if own > 0 {
                ctx.read(own);
            }
        }
        read_pos += n as u64;
        if n == 0 {
            eof = true;
        }
        let mut pos = 0;
        // A leading BOM is not part of the text (a file holding only a BOM has
        // no lines), but the first line still starts at offset 0 for ownership.
        if !bom_checked {
            bom_checked = true;
            if base == 0 && buf.starts_with(b"\xEF\xBB\xBF") {
                buf.drain(..3);
                base = 3;
                bom_line = true;
            }
        }
        if skip_first {
            match memchr::memchr(b'\n', &buf) {
                Some(i) => {
                    pos = i + 1;
                    skip_first = false;
                }
                None if eof => return Ok(()),
                // No line starts before `end`: the partition owns nothing.
                // (Scanning on would read the rest of a huge line once per
                // partition inside it.)
                None if base + buf.len() as u64 >= end => return Ok(()),
                None => {
                    base += buf.len() as u64;
                    buf.clear();
                    continue;
                }
            }
        }
        // Validate the complete lines of the block at once; lines inside the
        // valid prefix are then sliced as `&str` without checking them again.
        let complete = if eof {
            buf.len()
        } else {
            memchr::memrchr(b'\n', &buf).map_or(pos, |i| i + 1)
        };
        // Lines starting at or after `end` are the next partition's: check
        // only up to the end of the last line this one owns.
        let complete = if base + complete as u64 > end {
            let e = ((end.saturating_sub(base)) as usize)
                .saturating_sub(1)
                .max(pos);
            memchr::memchr(b'\n', &buf[e..complete]).map_or(complete, |i| e + i + 1)
        } else {
            complete
        };
        // simdutf8 checks a block several times faster than std; std says
        // where an invalid block stops being valid.
        let block = &buf[pos..complete.max(pos)];
        let valid: &str = match simdutf8::basic::from_utf8(block) {
            Ok(t) => t,
            Err(_) => match std::str::from_utf8(block) {
                Ok(t) => t,
                Err(e) => std::str::from_utf8(&block[..e.valid_up_to()]).unwrap_or_default(),
            },
        };
        let region = pos;
        loop {
            let line_start = base + pos as u64;
            let owner = if bom_line { 0 } else { line_start };
            if owner >= end || (eof && pos >= buf.len()) {
                return Ok(());
            }
            if many && !bom_line {
                let upto = whole_lines(&buf, pos, region + valid.len(), eof);
                if upto > pos {
                    let text = &valid[pos - region..upto - region];
                    if f(line_start, Lines::Many(text))? == Ctl::Stop {
                        return Ok(());
                    }
                    pos = upto;
                    continue;
                }
            }
            let (line, next) = match memchr::memchr(b'\n', &buf[pos..]) {
                Some(i) => (&buf[pos..pos + i], pos + i + 1),
                None if eof => (&buf[pos..], buf.len()),
                None => break,
            };
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let text = valid.get(pos - region..pos - region + line.len());
            bom_line = false;
            if f(line_start, Lines::One(Line { bytes: line, text }))? == Ctl::Stop {
                return Ok(());
            }
            pos = next;
        }
        // Keep the unfinished line for the next read.
        buf.drain(..pos);
        base += pos as u64;
    }
}

/// The end (in `buf`) of the run of whole lines from `pos` (a line start)
/// in the valid text `..valid_end`: after its last `\n`, or at the end of
/// the input. Equal to `pos` when there is no such line. (The valid text
/// already stops after the partition's last line.)
fn whole_lines(buf: &[u8], pos: usize, valid_end: usize, eof: bool) -> usize {
    if valid_end <= pos {
        pos
    } else if eof && valid_end == buf.len() {
        valid_end
    } else {
        memchr::memrchr(b'\n', &buf[pos..valid_end]).map_or(pos, |i| pos + i + 1)
    }
}

/// A line-aligned piece of a decompressed stream: it starts at a line
/// start and ends after a `\n` (or at the end of the stream).
pub struct Block {
    /// Offset of `bytes[0]` in the decompressed stream.
    pub offset: u64,
    pub bytes: Vec<u8>,
}

/// Bytes per block handed to a worker.
const BLOCK: usize = 4 << 20;

/// The blocks of a gzip file, decompressed lazily by whoever asks for the
/// next one, so one thread decompresses while the others run the pipeline.
pub struct GzBlocks<'a> {
    dec: Option<flate2::read::MultiGzDecoder<std::io::BufReader<File>>>,
    carry: Vec<u8>,
    offset: u64,
    file: &'a FileInfo,
    span: Option<Span>,
    ctx: &'a Ctx,
}

impl<'a> GzBlocks<'a> {
    pub fn new(file: &'a FileInfo, span: Option<Span>, ctx: &'a Ctx) -> Result<GzBlocks<'a>, Diag> {
        let fh = File::open(&file.path).map_err(|e| unreadable("cannot read", file, span, &e))?;
        let dec = flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(CHUNK, fh));
        Ok(GzBlocks {
            // An empty file holds no gzip member, and no lines (as Python's gzip).
            dec: (!empty_regular_file(file)).then_some(dec),
            carry: Vec::new(),
            offset: 0,
            file,
            span,
            ctx,
        })
    }
}

impl Iterator for GzBlocks<'_> {
    type Item = Result<Block, Diag>;

    fn next(&mut self) -> Option<Self::Item> {
        let dec = self.dec.as_mut()?;
        let mut bytes = std::mem::take(&mut self.carry);
        let mut want = BLOCK.max(bytes.len() + CHUNK);
        loop {
            let before = bytes.len();
            match dec
                .by_ref()
                .take((want - bytes.len()) as u64)
                .read_to_end(&mut bytes)
            {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.dec = None;
                    return Some(Err(unreadable(
                        "cannot decompress",
                        self.file,
                        self.span,
                        &e,
                    )));
                }
            }
            let eof = bytes.len() == before || bytes.len() < want;
            if eof {
                self.dec = None;
                break;
            }
            // Cut after the last newline; a block without one grows (a
            // read of nothing more would look like the end of the stream).
            if let Some(i) = memchr::memrchr(b'\n', &bytes) {
                self.carry = bytes.split_off(i + 1);
                break;
            }
            want = bytes.len() + BLOCK;
        }
        if bytes.is_empty() {
            return None;
        }
        self.ctx
            .bytes_io
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        self.ctx.read(bytes.len() as u64);
        let block = Block {
            offset: self.offset,
            bytes,
        };
        self.offset += block.bytes.len() as u64;
        Some(Ok(block))
    }
}

/// The lines of a block (see [`for_each_raw_line`]).
pub fn for_each_block_line(
    file: &FileInfo,
    block: &Block,
    span: Option<Span>,
    ctx: &Ctx,
    many: bool,
    f: LineFn,
) -> Result<(), Diag> {
    // The bytes were counted when the block was decompressed.
    let from = Source {
        start: block.offset,
        end: u64::MAX,
        skip_first: false,
        counted: true,
        many,
    };
    lines_from(&mut &block.bytes[..], from, file, span, ctx, f)
}

/// Decodes one line. `offset` is the line's byte offset in the file, for errors.
pub fn decode<'a>(
    line: Line<'a>,
    offset: u64,
    d: &Decode,
    file: &FileInfo,
) -> Result<Cow<'a, str>, Diag> {
    let (text, line) = (line.text, line.bytes);
    match d.encoding {
        Encoding::Latin1 => Ok(latin1(line)),
        Encoding::Utf8 if text.is_some() => Ok(Cow::Borrowed(text.unwrap_or_default())),
        Encoding::Utf8 => match std::str::from_utf8(line) {
            Ok(s) => Ok(Cow::Borrowed(s)),
            Err(e) => match d.errors {
                Errors::Replace => Ok(Cow::Owned(String::from_utf8_lossy(line).into_owned())),
                Errors::Ignore => Ok(Cow::Owned(drop_invalid(line))),
                Errors::Strict => {
                    let at = offset + e.valid_up_to() as u64;
                    let what = if file.gzip {
                        "decompressed byte offset"
                    } else {
                        "byte offset"
                    };
                    let diag = Diag::run(
                        "flow::io::invalid_utf8",
                        format!("invalid UTF-8 in {} at {what} {at}", file.path.display()),
                    )
                    .help("read it with errors=\"replace\" or errors=\"ignore\", or encoding=\"latin-1\"");
                    Err(match d.span {
                        Some(s) => diag.at(s, "read here"),
                        None => diag,
                    })
                }
            },
        },
    }
}

fn latin1(line: &[u8]) -> Cow<'_, str> {
    if line.is_ascii() {
        // ASCII is valid UTF-8.
        Cow::Borrowed(std::str::from_utf8(line).unwrap_or_default())
    } else {
        Cow::Owned(line.iter().map(|&b| b as char).collect())
    }
}

fn drop_invalid(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                match e.error_len() {
                    Some(n) => bytes = &rest[n..],
                    None => return out,
                }
            }
        }
    }
}

/// Lines of standard input, decoded as UTF-8 (strict): runs of valid lines
/// at once, an invalid one alone.
pub fn for_each_stdin_line(ctx: &Ctx, f: LineFn) -> Result<(), Diag> {
    let stdin = std::io::stdin();
    let mut lock = stdin.lock();
    let info = FileInfo {
        path: "<stdin>".into(),
        size: 0,
        sized: false,
        gzip: false,
        modified: None,
    };
    let from = Source {
        start: 0,
        end: u64::MAX,
        skip_first: false,
        counted: false,
        many: true,
    };
    lines_from(&mut lock, from, &info, None, ctx, f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Writes `content` to a file and reads it in partitions of
    /// `blocksize` bytes, calling `f` with what each hands over; returns the
    /// bytes read from the file.
    fn read_in_partitions(
        content: &[u8],
        blocksize: u64,
        many: bool,
        f: &mut dyn FnMut(&FileInfo, u64, Lines),
    ) -> u64 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir
            .path()
            .join(format!("f{blocksize}-{}-{many}.txt", content.len()));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(content)
            .unwrap();
        let file = FileInfo {
            path: path.clone(),
            size: content.len() as u64,
            sized: true,
            gzip: false,
            modified: None,
        };
        let ctx = Ctx::new(1);
        let mut start = 0;
        while start < file.size.max(1) {
            let split = Split {
                file: 0,
                start,
                end: (start + blocksize).min(file.size),
            };
            for_each_raw_line(&file, &split, None, &ctx, many, &mut |off, l| {
                f(&file, off, l);
                Ok(Ctl::Continue)
            })
            .unwrap();
            start += blocksize;
        }
        ctx.bytes_io.load(Ordering::Relaxed)
    }

    fn lines_of(content: &[u8], blocksize: u64, many: bool) -> Vec<String> {
        let d = Decode {
            encoding: Encoding::Utf8,
            errors: Errors::Replace,
            span: None,
        };
        let mut out = Vec::new();
        read_in_partitions(content, blocksize, many, &mut |file, off, l| match l {
            Lines::One(l) => out.push(decode(l, off, &d, file).unwrap().into_owned()),
            Lines::Many(text) => {
                assert!(many);
                super::super::kernel::each_line(text, |l| {
                    out.push(l.to_string());
                    Ok(Ctl::Continue)
                })
                .unwrap();
            }
        });
        out
    }

    #[test]
    fn every_blocksize_gives_the_same_lines() {
        let text = "\u{feff}first\r\nsecond line\r\n\r\nπ λ ü\nlast without newline";
        let want = vec!["first", "second line", "", "π λ ü", "last without newline"];
        for bs in 1..=text.len() as u64 + 1 {
            for many in [false, true] {
                assert_eq!(lines_of(text.as_bytes(), bs, many), want, "blocksize {bs}");
            }
        }
    }

    #[test]
    fn runs_of_lines_stop_at_bad_bytes_and_partition_ends() {
        let text = b"ab\r\ncd\n\xffbad\r\nok\r\n\r\nx\ry\nlast\r";
        let want = vec!["ab", "cd", "\u{fffd}bad", "ok", "", "x\ry", "last"];
        for bs in 1..=text.len() as u64 + 1 {
            for many in [false, true] {
                assert_eq!(lines_of(text, bs, many), want, "blocksize {bs}");
            }
        }
    }

    /// Small partitions read about their own bytes, not a full block each
    /// (which made a file in 1 KiB partitions read a MiB per partition).
    #[test]
    fn small_partitions_read_about_their_own_bytes() {
        let text = "ééééééééééééééééééééé 0123456789\n".repeat(8000);
        let mut lines = 0;
        let read = read_in_partitions(text.as_bytes(), 1024, true, &mut |_, _, l| {
            lines += match l {
                Lines::One(_) => 1,
                Lines::Many(t) => t.matches('\n').count(),
            };
        });
        assert_eq!(lines, 8000);
        assert!(
            read < 5 * text.len() as u64,
            "{read} bytes read of {}",
            text.len()
        );
    }

    #[test]
    fn a_huge_line_is_read_once_not_once_per_partition() {
        let text = format!("{}\nend\n", "x".repeat(200_000));
        let mut lines = Vec::new();
        let read = read_in_partitions(text.as_bytes(), 100, false, &mut |_, _, l| {
            let Lines::One(l) = l else { unreachable!() };
            lines.push(l.bytes.len());
        });
        assert_eq!(lines, vec![200_000, 3]);
        // Each of the 2,000 partitions inside the line stops at its own end.
        let size = text.len() as u64;
        assert!(read < 20 * size, "read {read} bytes of a {size}-byte file");
    }

    #[test]
    fn trailing_newline_adds_no_empty_line_and_empty_file_has_none() {
        for many in [false, true] {
            assert_eq!(lines_of(b"a\nb\n", 3, many), vec!["a", "b"]);
            assert_eq!(lines_of(b"", 3, many), Vec::<String>::new());
            assert_eq!(lines_of(b"\n", 1, many), vec![""]);
            assert_eq!(lines_of(b"\n\n", 100, many), vec!["", ""]);
        }
    }

    fn raw(bytes: &[u8]) -> Line<'_> {
        Line { bytes, text: None }
    }

    #[test]
    fn decode_modes() {
        let file = FileInfo {
            path: "x".into(),
            size: 0,
            sized: true,
            gzip: false,
            modified: None,
        };
        let bad = b"a\xffb";
        let strict = Decode {
            encoding: Encoding::Utf8,
            errors: Errors::Strict,
            span: None,
        };
        let e = decode(raw(bad), 100, &strict, &file).unwrap_err();
        assert!(e.message.contains("byte offset 101"), "{}", e.message);
        let rep = Decode {
            errors: Errors::Replace,
            ..strict
        };
        assert_eq!(decode(raw(bad), 0, &rep, &file).unwrap(), "a\u{fffd}b");
        let ign = Decode {
            errors: Errors::Ignore,
            ..strict
        };
        assert_eq!(decode(raw(bad), 0, &ign, &file).unwrap(), "ab");
        let lat = Decode {
            encoding: Encoding::Latin1,
            ..strict
        };
        assert_eq!(decode(raw(b"caf\xe9"), 0, &lat, &file).unwrap(), "café");
    }
}
