//! A forgiving tokenizer for what is being typed at the prompt. Unlike the
//! pest grammar it never fails: an unterminated string or an unclosed
//! bracket is a token like any other, which is exactly what the validator
//! (is the input complete?), the highlighter and the completer need.
//!
//! [`Walker`] follows the statement structure over the tokens (statement
//! start, `let NAME =`, stage head, arguments, `name=` option values) so the
//! completer and the highlighter agree on what a word is.

use crate::syntax::ast::KEYWORDS;

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    Ident,
    Keyword,
    /// An int, float or size literal (`42`, `2.5`, `1e6`, `64KiB`).
    Number,
    /// A string literal; `closed` is false while its closing quote is missing.
    Str {
        closed: bool,
    },
    Comment,
    Pipe,
    /// `(` `[` `{`
    Open,
    /// `)` `]` `}`
    Close,
    /// A lone `=` (`let x =`, `name=value`), not `==`.
    Eq,
    Dot,
    Semi,
    Newline,
    /// Spaces, tabs, and a `\` line continuation.
    Space,
    /// Any other operator or character.
    Punct,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
}

fn ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Splits `src` into tokens covering every byte.
pub fn lex(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let c = src[i..].chars().next().expect("i is a char boundary");
        let start = i;
        let kind = match c {
            '\n' => {
                i += 1;
                Tok::Newline
            }
            ' ' | '\t' | '\r' | '\u{FEFF}' => {
                i += c.len_utf8();
                Tok::Space
            }
            '\\' if b.get(i + 1) == Some(&b'\n') => {
                i += 2;
                Tok::Space
            }
            '#' => {
                i = src[i..].find('\n').map_or(src.len(), |n| i + n);
                Tok::Comment
            }
            '"' => {
                i += 1;
                let mut closed = false;
                while i < src.len() {
                    match b[i] {
                        b'\\' => i = (i + 2).min(src.len()),
                        b'"' => {
                            i += 1;
                            closed = true;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                // An escape at the very end may have stepped into a multi-byte char.
                while !src.is_char_boundary(i) {
                    i += 1;
                }
                Tok::Str { closed }
            }
            '0'..='9' => {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                if matches!(b.get(i), Some(b'e' | b'E')) {
                    let sign = usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
                    if b.get(i + 1 + sign).is_some_and(u8::is_ascii_digit) {
                        i += 1 + sign;
                    }
                }
                // Units (`KiB`) and any stray identifier characters stay in the number.
                while i < b.len() && ident_char(b[i] as char) {
                    i += 1;
                }
                Tok::Number
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                while i < b.len() && ident_char(b[i] as char) {
                    i += 1;
                }
                if KEYWORDS.contains(&&src[start..i]) {
                    Tok::Keyword
                } else {
                    Tok::Ident
                }
            }
            '|' => {
                i += 1;
                Tok::Pipe
            }
            '(' | '[' | '{' => {
                i += 1;
                Tok::Open
            }
            ')' | ']' | '}' => {
                i += 1;
                Tok::Close
            }
            '=' | '!' | '<' | '>' => {
                i += 1;
                if b.get(i) == Some(&b'=') {
                    i += 1;
                    Tok::Punct
                } else if c == '=' {
                    Tok::Eq
                } else {
                    Tok::Punct
                }
            }
            '.' => {
                i += 1;
                Tok::Dot
            }
            ';' => {
                i += 1;
                Tok::Semi
            }
            c => {
                i += c.len_utf8();
                Tok::Punct
            }
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}

/// Where a token stands in a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pos {
    /// The start of a statement: `let`, a source, or a bound name.
    StmtStart,
    /// After `let`: the name being bound.
    LetName,
    /// After `let NAME`: expecting `=`.
    LetEq,
    /// The head of a stage: the first stage (after `let NAME =`) or after `|`.
    StageHead { first: bool },
    /// Among the arguments of the stage headed by `op`.
    Args { op: String },
    /// After `name=` in the stage headed by `op`.
    OptValue { op: String, opt: String },
}

/// Follows statement structure over tokens, one at a time.
#[derive(Clone, Debug)]
pub struct Walker {
    pub pos: Pos,
    /// Bracket depth: inside `( [ {` everything is an expression.
    pub depth: usize,
    /// Options already given in the current stage.
    pub used_opts: Vec<String>,
    /// The previous significant token (not space, comment or newline).
    prev: Option<Tok>,
    /// The text of the previous identifier, for `name=`.
    prev_ident: Option<String>,
    pending_newline: bool,
}

impl Default for Walker {
    fn default() -> Walker {
        Walker {
            pos: Pos::StmtStart,
            depth: 0,
            used_opts: Vec::new(),
            prev: None,
            prev_ident: None,
            pending_newline: false,
        }
    }
}

impl Walker {
    /// Walks every token of `toks`; returns, for each, the position it was read in.
    pub fn walk(&mut self, src: &str, toks: &[Token]) -> Vec<Pos> {
        toks.iter().map(|t| self.step(src, t)).collect()
    }

    /// The position the next significant token will be read in.
    pub fn next_pos(&self) -> Pos {
        if self.pending_newline && self.depth == 0 {
            Pos::StmtStart
        } else {
            self.pos.clone()
        }
    }

    /// Reads one token; returns the position it was read in.
    pub fn step(&mut self, src: &str, t: &Token) -> Pos {
        let text = &src[t.start..t.end];
        match t.kind {
            Tok::Space | Tok::Comment => return self.pos.clone(),
            Tok::Newline => {
                // A newline ends a statement unless a pipe is on either side of it
                // (or a bracket is open); which one is known only at the next token.
                if self.depth == 0 && self.prev != Some(Tok::Pipe) {
                    self.pending_newline = true;
                }
                return self.pos.clone();
            }
            _ => {}
        }
        if self.pending_newline {
            self.pending_newline = false;
            if t.kind != Tok::Pipe && self.depth == 0 {
                self.pos = Pos::StmtStart;
                self.used_opts.clear();
            }
        }
        let here = self.pos.clone();
        if self.depth > 0 {
            match t.kind {
                Tok::Open => self.depth += 1,
                Tok::Close => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        self.after_value();
                    }
                }
                _ => {}
            }
        } else {
            match (&t.kind, &self.pos) {
                (Tok::Open, _) => self.depth += 1,
                (Tok::Close, _) => {}
                (Tok::Semi, _) => {
                    self.pos = Pos::StmtStart;
                    self.used_opts.clear();
                }
                (Tok::Pipe, _) => {
                    self.pos = Pos::StageHead { first: false };
                    self.used_opts.clear();
                }
                (Tok::Keyword, Pos::StmtStart) if text == "let" => self.pos = Pos::LetName,
                (Tok::Ident, Pos::LetName) => self.pos = Pos::LetEq,
                (Tok::Eq, Pos::LetEq) => self.pos = Pos::StageHead { first: true },
                (Tok::Ident, Pos::StmtStart | Pos::StageHead { .. }) => {
                    self.pos = Pos::Args {
                        op: text.to_string(),
                    };
                }
                (Tok::Eq, Pos::Args { op }) if self.prev == Some(Tok::Ident) => {
                    let opt = self.prev_ident.clone().unwrap_or_default();
                    self.used_opts.push(opt.clone());
                    self.pos = Pos::OptValue {
                        op: op.clone(),
                        opt,
                    };
                }
                (Tok::Dot, _) => {}
                _ => self.after_value(),
            }
        }
        self.prev = Some(t.kind.clone());
        self.prev_ident = (t.kind == Tok::Ident).then(|| text.to_string());
        here
    }

    /// A value ended: an option's value returns to the stage's arguments.
    fn after_value(&mut self) {
        if let Pos::OptValue { op, .. } = &self.pos {
            self.pos = Pos::Args { op: op.clone() };
        }
    }
}

/// Whether the input should continue on another line: an unterminated
/// string, an open bracket, a trailing `|` or a trailing `\`.
pub fn incomplete(src: &str) -> bool {
    if src.trim_start().starts_with(':') {
        return false;
    }
    let toks = lex(src);
    let mut depth: isize = 0;
    for t in &toks {
        match t.kind {
            Tok::Str { closed: false } => return true,
            Tok::Open => depth += 1,
            Tok::Close => depth -= 1,
            _ => {}
        }
    }
    if depth > 0 || src.trim_end_matches([' ', '\t']).ends_with('\\') {
        return true;
    }
    toks.iter()
        .rev()
        .find(|t| !matches!(t.kind, Tok::Space | Tok::Comment | Tok::Newline))
        .is_some_and(|t| t.kind == Tok::Pipe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(Tok, &str)> {
        lex(s)
            .into_iter()
            .filter(|t| t.kind != Tok::Space)
            .map(|t| (t.kind, &s[t.start..t.end]))
            .collect()
    }

    #[test]
    fn tokens_cover_the_language() {
        assert_eq!(
            kinds(r#"let x = read_text "a\"b" blocksize=1MiB | map it*2.5e3 # hi"#),
            vec![
                (Tok::Keyword, "let"),
                (Tok::Ident, "x"),
                (Tok::Eq, "="),
                (Tok::Ident, "read_text"),
                (Tok::Str { closed: true }, r#""a\"b""#),
                (Tok::Ident, "blocksize"),
                (Tok::Eq, "="),
                (Tok::Number, "1MiB"),
                (Tok::Pipe, "|"),
                (Tok::Ident, "map"),
                (Tok::Keyword, "it"),
                (Tok::Punct, "*"),
                (Tok::Number, "2.5e3"),
                (Tok::Comment, "# hi"),
            ]
        );
        assert_eq!(
            kinds(r#"filter .n == 1 and "é"#),
            vec![
                (Tok::Ident, "filter"),
                (Tok::Dot, "."),
                (Tok::Ident, "n"),
                (Tok::Punct, "=="),
                (Tok::Number, "1"),
                (Tok::Keyword, "and"),
                (Tok::Str { closed: false }, "\"é"),
            ]
        );
    }

    #[test]
    fn a_trailing_escape_never_splits_a_char() {
        for s in ["\"\\é", "\"\\", "\"ab\\"] {
            let toks = lex(s);
            assert_eq!(toks.last().unwrap().end, s.len());
        }
    }

    fn final_pos(s: &str) -> Pos {
        let mut w = Walker::default();
        w.walk(s, &lex(s));
        w.next_pos()
    }

    #[test]
    fn the_walker_knows_where_a_word_stands() {
        assert_eq!(final_pos(""), Pos::StmtStart);
        assert_eq!(final_pos("let "), Pos::LetName);
        assert_eq!(final_pos("let x = "), Pos::StageHead { first: true });
        assert_eq!(final_pos("range 3 | "), Pos::StageHead { first: false });
        assert_eq!(
            final_pos(r#"read_text "x" "#),
            Pos::Args {
                op: "read_text".into()
            }
        );
        assert_eq!(
            final_pos("sort by="),
            Pos::OptValue {
                op: "sort".into(),
                opt: "by".into()
            }
        );
        assert_eq!(final_pos("sort by=len "), Pos::Args { op: "sort".into() });
        assert_eq!(final_pos("range 3\n"), Pos::StmtStart);
        assert_eq!(final_pos("range 3 |\n"), Pos::StageHead { first: false });
        assert_eq!(final_pos("range 3; "), Pos::StmtStart);
        let mut w = Walker::default();
        let s = "map len(";
        w.walk(s, &lex(s));
        assert_eq!(w.depth, 1);
    }

    #[test]
    fn incomplete_inputs_continue() {
        for s in [
            "range 3 |",
            "range 3 |  # more below",
            "from [1,",
            "map (it +",
            r#"read_text "data/"#,
            "range 3 \\",
            "range 3\n| map it |",
        ] {
            assert!(incomplete(s), "{s:?} should continue");
        }
        for s in [
            "",
            "range 3",
            "from [1, 2]",
            "from [1]]",
            r#"read_text "a|""#,
            "range 3 # |",
            ":help |",
            "let x = range 3",
        ] {
            assert!(!incomplete(s), "{s:?} is complete");
        }
    }
}
