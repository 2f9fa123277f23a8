//! The rows of a CSV byte range, as the csv crate reads them, faster: a row
//! whose line holds no `"` and no lone `\r` (nearly every row of a machine
//! written file) is split at its separators with memchr, in the buffer,
//! without copying; any other row goes through `csv_core`, the parser the
//! csv crate is built on, with the crate's settings (RFC 4180 quoting with
//! `""`, `\r`, `\n` and `\r\n` ending a row, blank lines skipped).
//!
//! Each row comes with the offset of its first byte, so an error names the
//! line the row is on (the csv crate's own positions point before the blank
//! lines and line ending that precede a row).

use std::io::Read;

use csv_core::ReadRecordResult;

/// Reads rows from `r`, whose first byte is at file offset `base`.
pub struct Rows<R> {
    r: R,
    buf: Vec<u8>,
    /// `buf[pos..len]` is read and not yet parsed.
    pos: usize,
    len: usize,
    /// The file offset of `buf[0]`.
    base: u64,
    eof: bool,
    sep: u8,
    core: csv_core::Reader,
    /// The current row: its fields are `data[b.0..b.1]` for each bound `b`,
    /// where data is `buf[line.0..line.1]` (a plain row) or `out`.
    bounds: Vec<(usize, usize)>,
    line: Option<(usize, usize)>,
    out: Vec<u8>,
    ends: Vec<usize>,
    offset: u64,
    /// The last row ran to the end of the input inside a quoted field.
    left_open: bool,
}

const CHUNK: usize = 1 << 20;

impl<R: Read> Rows<R> {
    pub fn new(r: R, base: u64, sep: u8) -> Rows<R> {
        Rows {
            r,
            buf: vec![0; CHUNK],
            pos: 0,
            len: 0,
            base,
            eof: false,
            sep,
            core: csv_core::ReaderBuilder::new().delimiter(sep).build(),
            bounds: Vec::new(),
            line: None,
            out: vec![0; 1024],
            ends: vec![0; 64],
            offset: 0,
            left_open: false,
        }
    }

    /// Moves the unparsed bytes to the front and reads more after them
    /// (growing the buffer when they fill it); false at the end of input.
    fn refill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.buf.copy_within(self.pos..self.len, 0);
        self.base += self.pos as u64;
        self.len -= self.pos;
        self.pos = 0;
        if self.len == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.r.read(&mut self.buf[self.len..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.len += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Drops a leading UTF-8 byte order mark.
    pub fn skip_bom(&mut self) -> std::io::Result<()> {
        while self.len - self.pos < 3 && self.refill()? {}
        if self.buf[self.pos..self.len].starts_with(b"\xEF\xBB\xBF") {
            self.pos += 3;
        }
        Ok(())
    }

    /// Reads the next row; false when there are no more.
    pub fn next_row(&mut self) -> std::io::Result<bool> {
        // Blank lines (and the `\n` of a `\r\n`) start no row.
        loop {
            while self.pos < self.len && matches!(self.buf[self.pos], b'\n' | b'\r') {
                self.pos += 1;
            }
            if self.pos < self.len {
                break;
            }
            if !self.refill()? {
                return Ok(false);
            }
        }
        self.offset = self.base + self.pos as u64;
        // The row's line, when it is whole in the buffer and plain: the
        // first `\n`, `"` or `\r` is its end (a `\r` of a `\r\n` too).
        let mut from = self.pos;
        let (nl, end) = loop {
            match memchr::memchr3(b'\n', b'"', b'\r', &self.buf[from..self.len]) {
                Some(k) => {
                    let at = from + k;
                    match self.buf[at] {
                        b'\n' => break (at, at),
                        b'\r' if at + 1 < self.len && self.buf[at + 1] == b'\n' => {
                            break (at + 1, at)
                        }
                        // At the buffer's end: the byte after decides.
                        b'\r' if at + 1 == self.len && !self.eof => {
                            from = at - self.pos;
                            if !self.refill()? {
                                return self.quoted_row();
                            }
                            from += self.pos;
                        }
                        _ => return self.quoted_row(),
                    }
                }
                None if self.eof => break (self.len, self.len),
                None => {
                    from = self.len - self.pos;
                    if !self.refill()? {
                        break (self.len, self.len);
                    }
                    from += self.pos;
                }
            }
        };
        let line = &self.buf[self.pos..end];
        split_at(line, self.sep, &mut self.bounds);
        self.line = Some((self.pos, end));
        self.pos = (nl + 1).min(self.len);
        Ok(true)
    }

    /// A row that needs the full parser, from `pos`.
    fn quoted_row(&mut self) -> std::io::Result<bool> {
        self.core.reset();
        let mut watch = super::sources::QuoteWatch::new(std::io::empty(), self.sep);
        let (mut nout, mut nend) = (0, 0);
        loop {
            let input = &self.buf[self.pos..self.len];
            let (res, nin, o, e) =
                self.core
                    .read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            watch.scan(&input[..nin]);
            self.pos += nin;
            nout += o;
            nend += e;
            match res {
                ReadRecordResult::InputEmpty => {
                    // At the end, an empty input tells the parser so.
                    if !self.eof {
                        self.refill()?;
                    }
                }
                ReadRecordResult::OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                ReadRecordResult::Record => {
                    self.bounds.clear();
                    let mut start = 0;
                    for &e in &self.ends[..nend] {
                        self.bounds.push((start, e));
                        start = e;
                    }
                    self.line = None;
                    self.left_open = watch.left_open();
                    return Ok(true);
                }
                ReadRecordResult::End => return Ok(false),
            }
        }
    }

    /// The fields of the current row, and all its field bytes at once.
    fn data(&self) -> &[u8] {
        match self.line {
            Some((s, e)) => &self.buf[s..e],
            None => &self.out,
        }
    }
    pub fn len(&self) -> usize {
        self.bounds.len()
    }
    pub fn field(&self, i: usize) -> &[u8] {
        let (s, e) = self.bounds[i];
        &self.data()[s..e]
    }
    pub fn fields(&self) -> impl Iterator<Item = &[u8]> {
        let data = self.data();
        self.bounds.iter().map(move |&(s, e)| &data[s..e])
    }
    /// The row's bytes as text, when valid UTF-8 (checked once for the
    /// whole row), with each field's range in it. A field is
    /// `text.get(range)`: `None` only when a field is not valid UTF-8 on
    /// its own although the row's bytes are together.
    pub fn text(&self) -> Option<(&str, &[(usize, usize)])> {
        let data = self.data();
        let used = self.bounds.last().map_or(0, |b| b.1);
        Some((
            simdutf8::basic::from_utf8(&data[..used]).ok()?,
            &self.bounds,
        ))
    }

    /// The file offset of the row's first byte.
    pub fn offset(&self) -> u64 {
        self.offset
    }
    /// The last row was cut short by the end of the input inside quotes.
    pub fn left_open(&self) -> bool {
        self.left_open
    }
}

/// The fields of a plain row: `bounds` gets each field's range in `line`.
/// Rows are short (tens of bytes), where memchr's set-up per call costs
/// more than it saves: this looks at 8 bytes at a time for the separator
/// with plain word arithmetic (exact per byte, so no false hits).
fn split_at(line: &[u8], sep: u8, bounds: &mut Vec<(usize, usize)>) {
    const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    bounds.clear();
    let pat = u64::from_le_bytes([sep; 8]);
    let mut start = 0;
    let mut chunks = line.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes")) ^ pat;
        // The high bit of each byte of `x` that is zero.
        let mut hits = !(((x & LO7) + LO7) | x | LO7);
        while hits != 0 {
            let k = at + (hits.trailing_zeros() / 8) as usize;
            bounds.push((start, k));
            start = k + 1;
            hits &= hits - 1;
        }
        at += 8;
    }
    for (j, &b) in chunks.remainder().iter().enumerate() {
        if b == sep {
            bounds.push((start, at + j));
            start = at + j + 1;
        }
    }
    bounds.push((start, line.len()));
}

#[cfg(test)]
mod tests {
    use super::Rows;

    #[test]
    fn fields_split_at_every_separator_byte() {
        for line in [
            &b""[..],
            b",",
            b"a,b",
            b",,,,,,,,,,,,,,,,,",
            b"abcdefg,hijklmn,opq,",
            b"\xff,\x80\x7f,,\x2c",
            b"0123456789012345678901234567890,",
        ]
        .into_iter()
        .map(|l| l.to_vec())
        .chain((0..400u64).map(|n| {
            // Lines of separator-like bytes, of every length to 40.
            let mut x = n.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
            (0..n % 41)
                .map(|_| {
                    [b',', b';', 0x80, 0xff, 0x7f, 0, b'a', 0x2d]
                        [(crate::text::xorshift(&mut x) % 8) as usize]
                })
                .collect()
        })) {
            let line = &line[..];
            for sep in [b',', b';', 0x80, 0xff, 0x7f, 0] {
                let mut got = Vec::new();
                super::split_at(line, sep, &mut got);
                let mut want = Vec::new();
                let mut start = 0;
                for (k, &b) in line.iter().enumerate() {
                    if b == sep {
                        want.push((start, k));
                        start = k + 1;
                    }
                }
                want.push((start, line.len()));
                assert_eq!(got, want, "{line:?} {sep}");
            }
        }
    }

    /// Every row as the csv crate reads it, and where the rows start.
    fn both(text: &str) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
        let mut want = Vec::new();
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for r in rdr.byte_records() {
            let r = r.unwrap();
            want.push(
                r.iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
            );
        }
        let mut got = Vec::new();
        let mut rows = Rows::new(text.as_bytes(), 0, b',');
        while rows.next_row().unwrap() {
            got.push(
                rows.fields()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
            );
        }
        (want, got)
    }

    #[test]
    fn rows_are_the_csv_crates() {
        for text in [
            "a,b\n1,2\n",
            "a,b\r\n1,2\r\n\r\n\n3,4",
            "a\rb\rc\n",
            "\"x\ny\",1\n\"\"\"\",2\nplain\"quote,3\n\"q\"\"\n\",4\r\n\n5,\"\n\"\n",
            ",,\n,\n\n",
            "\"open,1\n2,3\n",
            "\"a\"b,c\n",
            "x",
            "",
            "\n\n",
        ] {
            let (want, got) = both(text);
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn rows_longer_than_the_buffer_are_read_whole() {
        let long = "y".repeat(3 << 20);
        let text = format!("a,{long}\n\"{long}\n{long}\",b\nc\n");
        let (want, got) = both(&text);
        assert!(got == want);
    }

    #[test]
    fn offsets_are_where_rows_start() {
        let text = "a,b\r\n\n\n1,2\n\"x\ny\",3\n";
        let mut rows = Rows::new(text.as_bytes(), 100, b',');
        let mut offsets = Vec::new();
        while rows.next_row().unwrap() {
            offsets.push(rows.offset());
        }
        assert_eq!(offsets, [100, 107, 111]);
    }
}
