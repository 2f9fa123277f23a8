//! The rustyline helper: Tab completion, history hints, syntax highlighting
//! and multi-line validation. Everything it knows about operators, options
//! and functions comes from the catalog ([`crate::ops`]); what it knows
//! about the session is the list of bound names, refreshed after each input.
//! The logic is in plain functions ([`complete`], [`highlight`]) so it is
//! tested without a terminal.

use std::borrow::Cow;
use std::path::Path;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use super::lex::{self, Pos, Tok, Walker};
use super::meta;
use crate::ops::{self, funcs::FUNCTIONS, Dflt, Kind, PKind, OPERATORS};

pub const OP: &str = "\x1b[1;34m";
pub const NAME: &str = "\x1b[36m";
pub const ERR: &str = "\x1b[1;31m";
pub const STR: &str = "\x1b[32m";
pub const NUM: &str = "\x1b[33m";
pub const KW: &str = "\x1b[35m";
pub const GREY: &str = "\x1b[90m";
pub const RESET: &str = "\x1b[0m";

pub struct FlowHelper {
    /// The session's bound names (refreshed by the REPL after each input).
    pub names: Vec<String>,
    /// The text of the session's bindings (refreshed with `names`), so that
    /// Tab after `.` can type the pipeline being written.
    pub defs: String,
    /// Hints and highlighting are off without colour (`NO_COLOR`, `TERM=dumb`).
    pub color: bool,
    hinter: HistoryHinter,
}

impl FlowHelper {
    pub fn new(color: bool) -> FlowHelper {
        FlowHelper {
            names: Vec::new(),
            defs: String::new(),
            color,
            hinter: HistoryHinter::new(),
        }
    }
}

impl Helper for FlowHelper {}

impl Completer for FlowHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        Ok(complete_in(line, pos, &self.names, &self.defs))
    }
}

impl Hinter for FlowHelper {
    type Hint = String;
    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        if !self.color {
            return None;
        }
        self.hinter.hint(line, pos, ctx)
    }
}

impl Highlighter for FlowHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight(line, &self.names))
        } else {
            Cow::Borrowed(line)
        }
    }
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("{GREY}{hint}{RESET}"))
        } else {
            Cow::Borrowed(hint)
        }
    }
    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        // Colours depend on the whole line, not the cursor: redraw on every edit.
        self.color && kind != CmdKind::MoveCursor
    }
}

impl Validator for FlowHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if lex::incomplete(ctx.input()) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

// ---- completion -------------------------------------------------------------

fn pair(display: impl Into<String>, replacement: impl Into<String>) -> Pair {
    Pair {
        display: display.into(),
        replacement: replacement.into(),
    }
}

/// Completion candidates for the text before `pos`: where the replaced word
/// starts, and the candidates, sorted.
pub fn complete(line: &str, pos: usize, names: &[String]) -> (usize, Vec<Pair>) {
    let Some(before) = line.get(..pos) else {
        return (pos, Vec::new());
    };
    let lead = before.len() - before.trim_start().len();
    let (start, mut cands) = if before[lead..].starts_with(':') {
        complete_meta(before, lead, names)
    } else {
        complete_code(line, before, names)
    };
    cands.sort_by(|a, b| a.display.cmp(&b.display));
    cands.dedup_by(|a, b| a.replacement == b.replacement);
    (start, cands)
}

/// [`complete`], and after `.` (or `it.`) in a stage the field names of
/// its input elements, when the pipeline before it has a known record type
/// (e.g. `read_csv`, whose header is read at check time), checked after the
/// session's bindings `defs`.
pub fn complete_in(line: &str, pos: usize, names: &[String], defs: &str) -> (usize, Vec<Pair>) {
    match field_completion(line, pos, defs) {
        Some(found) => found,
        None => complete(line, pos, names),
    }
}

fn field_completion(line: &str, pos: usize, defs: &str) -> Option<(usize, Vec<Pair>)> {
    let before = line.get(..pos)?;
    let toks = lex::lex(before);
    let last = toks.last()?;
    let typing = last.kind == Tok::Ident && last.end == pos;
    let (start, word, ctx) = if typing {
        (last.start, &before[last.start..], &toks[..toks.len() - 1])
    } else {
        (pos, "", &toks[..])
    };
    let dot = ctx.len().checked_sub(1)?;
    if ctx[dot].kind != Tok::Dot {
        return None;
    }
    // `.field` or `it.field`: a field of the element (not of `x.y.`).
    let base_ok = match dot.checked_sub(1).map(|i| &ctx[i]) {
        None => true,
        Some(t) if t.kind == Tok::Keyword => &before[t.start..t.end] == "it",
        Some(t) => !matches!(
            t.kind,
            Tok::Ident | Tok::Close | Tok::Str { .. } | Tok::Number
        ),
    };
    if !base_ok {
        return Some((start, Vec::new()));
    }
    // The pipeline before the stage being typed: up to its last `|`
    // outside brackets, from the start of the statement.
    let mut depth = 0i32;
    let (mut pipe, mut stmt) = (None, 0);
    for t in &ctx[..dot] {
        match t.kind {
            Tok::Open => depth += 1,
            Tok::Close => depth -= 1,
            Tok::Pipe if depth == 0 => pipe = Some(t.start),
            Tok::Semi if depth == 0 => stmt = t.end,
            _ => {}
        }
    }
    let head = before.get(stmt..pipe?)?.trim();
    let head = match head.strip_prefix("let ") {
        Some(rest) => rest.split_once('=').map_or(head, |(_, p)| p.trim()),
        None => head,
    };
    let plan = crate::driver::build(&format!("{defs}\n{head}\n"), &[]).ok()?;
    let out = plan.outputs.last()?;
    let fields = match plan.graph[out.node].ty().elem() {
        Some(crate::types::Type::Record(Some(fields))) => fields.clone(),
        _ => return Some((start, Vec::new())),
    };
    let mut cands = words_with_prefix(
        fields
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| crate::syntax::ast::is_ident(k)),
        word,
        "",
    );
    cands.sort_by(|a, b| a.display.cmp(&b.display));
    Some((start, cands))
}

fn words_with_prefix<'a>(
    words: impl IntoIterator<Item = &'a str>,
    prefix: &str,
    suffix: &str,
) -> Vec<Pair> {
    words
        .into_iter()
        .filter(|w| w.starts_with(prefix))
        .map(|w| pair(format!("{w}{suffix}"), format!("{w}{suffix}")))
        .collect()
}

fn complete_meta(before: &str, lead: usize, names: &[String]) -> (usize, Vec<Pair>) {
    let body = &before[lead + 1..];
    let Some(space) = body.find(char::is_whitespace) else {
        let cands = meta::COMMANDS
            .iter()
            .filter(|c| c.name.starts_with(body))
            .map(|c| {
                let sp = if c.args.is_empty() { "" } else { " " };
                pair(format!(":{}", c.name), format!("{}{sp}", c.name))
            })
            .collect();
        return (lead + 1, cands);
    };
    let cmd = &body[..space];
    // The word being typed, and the complete words between it and the command.
    let word_start = before
        .rfind(char::is_whitespace)
        .map_or(before.len(), |i| i + 1);
    let word = &before[word_start..];
    let done = before[lead + 1 + space..word_start]
        .split_whitespace()
        .count();
    let names = names.iter().map(String::as_str);
    let cands = match (cmd, done) {
        ("help" | "h" | "?", 0) => words_with_prefix(
            OPERATORS
                .iter()
                .map(|o| o.name)
                .chain(FUNCTIONS.iter().map(|f| f.name))
                .chain(meta::COMMANDS.iter().map(|c| c.name)),
            word,
            "",
        ),
        ("type" | "t", 0) => words_with_prefix(names, word, ""),
        ("viz", 0) => words_with_prefix(
            names.chain(crate::viz::Format::NAMES.iter().copied()),
            word,
            "",
        ),
        ("viz", 1) => words_with_prefix(crate::viz::Format::NAMES.iter().copied(), word, ""),
        ("load" | "l", 0) => return (word_start, complete_path(word, None)),
        ("set", 0) => words_with_prefix(meta::SETTINGS.iter().copied(), word, " "),
        ("set", 1) if before[lead..].split_whitespace().nth(1) == Some("format") => {
            words_with_prefix(meta::FORMATS.iter().copied(), word, "")
        }
        _ => Vec::new(),
    };
    (word_start, cands)
}

/// Candidates inside an expression: functions, bound names (constants) and keywords.
fn expr_words(names: &[String]) -> impl Iterator<Item = &str> {
    FUNCTIONS
        .iter()
        .map(|f| f.name)
        .chain(["it", "not", "true", "false", "null", "if", "then", "else"])
        .chain(names.iter().map(String::as_str))
}

/// Candidates for a value of kind `k`.
fn value_words(k: PKind, names: &[String]) -> Vec<String> {
    match k {
        PKind::Expr => expr_words(names).map(String::from).collect(),
        PKind::Agg => ops::Agg::names().into_iter().map(String::from).collect(),
        PKind::Bool => vec!["true".into(), "false".into()],
        PKind::Choice(c) => c.iter().map(|c| format!("\"{c}\"")).collect(),
        _ => names.to_vec(),
    }
}

fn complete_code(line: &str, before: &str, names: &[String]) -> (usize, Vec<Pair>) {
    let pos = before.len();
    let toks = lex::lex(before);
    let Some(last) = toks.last() else {
        return (pos, stage_heads(true, true, "", names));
    };
    match last.kind {
        Tok::Str { closed: false } => {
            // A string being typed: an option's choice, or else a path.
            let mut w = Walker::default();
            w.walk(before, &toks[..toks.len() - 1]);
            let inner = &before[last.start + 1..];
            if let Pos::OptValue { op, opt } = w.next_pos() {
                if let Some(PKind::Choice(c)) = ops::lookup(&op)
                    .and_then(|o| o.option(&opt))
                    .map(|o| o.kind)
                {
                    return (
                        last.start,
                        words_with_prefix(c.iter().copied(), inner, "\"")
                            .into_iter()
                            .map(|p| pair(p.display.clone(), format!("\"{}", p.replacement)))
                            .collect(),
                    );
                }
            }
            let close = (!line[pos..].starts_with('"')).then_some('"');
            return (last.start + 1, complete_path(inner, close));
        }
        Tok::Comment | Tok::Number | Tok::Str { closed: true } => return (pos, Vec::new()),
        _ => {}
    }
    let typing = matches!(last.kind, Tok::Ident | Tok::Keyword) && last.end == pos;
    let (start, word, ctx) = if typing {
        (last.start, &before[last.start..], &toks[..toks.len() - 1])
    } else {
        (pos, "", &toks[..])
    };
    // A field name after `.` is not known before the data is read.
    if ctx.last().is_some_and(|t| t.kind == Tok::Dot) {
        return (start, Vec::new());
    }
    let mut w = Walker::default();
    w.walk(before, ctx);
    if w.depth > 0 {
        return (start, words_with_prefix(expr_words(names), word, ""));
    }
    let cands = match w.next_pos() {
        Pos::StmtStart => stage_heads(true, true, word, names),
        Pos::StageHead { first } => stage_heads(first, false, word, names),
        Pos::LetName | Pos::LetEq => Vec::new(),
        Pos::Args { op } => {
            let Some(def) = ops::lookup(&op) else {
                return (start, Vec::new());
            };
            let mut c: Vec<Pair> = def
                .options
                .iter()
                .filter(|o| !w.used_opts.iter().any(|u| u == o.name))
                .filter(|o| o.name.starts_with(word))
                .map(|o| pair(format!("{}=", o.name), format!("{}=", o.name)))
                .collect();
            for p in def.params {
                let words = value_words(p.kind, names);
                c.extend(words_with_prefix(
                    words.iter().map(String::as_str),
                    word,
                    "",
                ));
            }
            c
        }
        Pos::OptValue { op, opt } => match ops::lookup(&op).and_then(|o| o.option(&opt)) {
            Some(o) => {
                let words = value_words(o.kind, names);
                words_with_prefix(words.iter().map(String::as_str), word, "")
            }
            None => Vec::new(),
        },
    };
    (start, cands)
}

/// Operators (and bound names, `let`) that can head a stage.
fn stage_heads(first: bool, stmt: bool, word: &str, names: &[String]) -> Vec<Pair> {
    // The builder's rule: a pipeline starts with a source or `concat`; a source
    // never follows `|`.
    let ops = OPERATORS
        .iter()
        .filter(|o| match o.kind {
            Kind::Source => first,
            Kind::Combine => true,
            _ => !first,
        })
        .map(|o| o.name);
    let mut c = words_with_prefix(ops, word, "");
    if first {
        c.extend(words_with_prefix(
            names.iter().map(String::as_str),
            word,
            "",
        ));
    }
    if stmt {
        c.extend(words_with_prefix(["let"], word, " "));
    }
    c
}

/// Files and directories starting with `prefix` (relative to the working
/// directory, as scripts resolve paths). A directory ends in `/`; a file
/// ends in `close` (the closing quote of a string literal).
pub fn complete_path(prefix: &str, close: Option<char>) -> Vec<Pair> {
    let quoted = close.is_some() || prefix.contains('"');
    // Escapes and globs are beyond completion.
    if prefix.contains(['\\', '*', '?', '[']) {
        return Vec::new();
    }
    let (dir, file) = match prefix.rfind('/') {
        Some(i) => (&prefix[..=i], &prefix[i + 1..]),
        None => ("", prefix),
    };
    let read = if dir.is_empty() {
        Path::new(".")
    } else {
        Path::new(dir)
    };
    let Ok(entries) = std::fs::read_dir(read) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        if !name.starts_with(file) || (name.starts_with('.') && !file.starts_with('.')) {
            continue;
        }
        if quoted && name.contains(['"', '\\']) {
            continue;
        }
        let is_dir = e.path().is_dir();
        let (display, tail) = if is_dir {
            (format!("{name}/"), "/".to_string())
        } else {
            (name.clone(), close.map(String::from).unwrap_or_default())
        };
        out.push(pair(display, format!("{dir}{name}{tail}")));
    }
    out
}

// ---- highlighting -----------------------------------------------------------

/// `line` with ANSI colours: operators, bound names, strings, numbers,
/// comments, keywords, and unknown operators in the error colour.
pub fn highlight(line: &str, names: &[String]) -> String {
    let lead = line.len() - line.trim_start().len();
    if line[lead..].starts_with(':') {
        let end = line[lead..]
            .find(char::is_whitespace)
            .map_or(line.len(), |i| lead + i);
        let cmd = &line[lead + 1..end];
        let known = meta::COMMANDS.iter().any(|c| c.name == cmd)
            || ["h", "?", "t", "l", "q", "exit"].contains(&cmd);
        let color = if known { NAME } else { ERR };
        return format!(
            "{}{color}{}{RESET}{}",
            &line[..lead],
            &line[lead..end],
            &line[end..]
        );
    }
    let toks = lex::lex(line);
    let mut w = Walker::default();
    let mut out = String::with_capacity(line.len() * 2);
    for t in &toks {
        let text = &line[t.start..t.end];
        let pos = w.next_pos();
        w.step(line, t);
        let color = match (&t.kind, &pos) {
            (Tok::Ident, Pos::StmtStart | Pos::StageHead { .. }) if w.depth == 0 => {
                let first = !matches!(pos, Pos::StageHead { first: false });
                let bound = |n: &String| first && n == text;
                // A word still being typed at the end is not an error yet.
                let typing = t.end == line.len()
                    && (OPERATORS.iter().any(|o| o.name.starts_with(text))
                        || names.iter().any(|n| first && n.starts_with(text)));
                if ops::lookup(text).is_some() {
                    Some(OP)
                } else if names.iter().any(bound) {
                    Some(NAME)
                } else if typing {
                    None
                } else {
                    Some(ERR)
                }
            }
            (Tok::Ident, _) if names.iter().any(|n| n == text) => Some(NAME),
            (Tok::Keyword, _) => Some(KW),
            (Tok::Number, _) => Some(NUM),
            (Tok::Str { .. }, _) => Some(STR),
            (Tok::Comment, _) => Some(GREY),
            _ => None,
        };
        match color {
            Some(c) => {
                out.push_str(c);
                out.push_str(text);
                out.push_str(RESET);
            }
            None => out.push_str(text),
        }
    }
    out
}

/// The catalog's default of an option, as `:help` shows it; an option with
/// no default shows what it takes, as in the operator's signature.
pub fn show_default(d: Dflt, k: PKind) -> String {
    match d {
        Dflt::None | Dflt::Required => match k {
            PKind::Size => "SIZE".into(),
            PKind::Expr => "EXPR".into(),
            _ => "V".into(),
        },
        Dflt::Str(s) => format!("\"{s}\""),
        Dflt::Int(i) => i.to_string(),
        Dflt::Bool(b) => b.to_string(),
        Dflt::Same(o) => o.to_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec!["words".into(), "n".into()]
    }

    /// The replacements offered at the end of `line` (or at `|` marking the cursor).
    /// Tab after `.`: the fields of the stage's input records, known when
    /// the header of a CSV file is read at check time.
    #[test]
    fn fields_after_a_dot() {
        let comp_in = |line: &str, defs: &str| -> Vec<String> {
            let pos = line.find('‸').unwrap_or(line.len());
            let line = line.replacen('‸', "", 1);
            complete_in(&line, pos, &names(), defs)
                .1
                .into_iter()
                .map(|p| p.replacement)
                .collect()
        };
        let csv = r#"read_csv "data/people.csv""#;
        assert_eq!(comp_in(&format!("{csv} | map .na"), ""), vec!["name"]);
        assert_eq!(
            comp_in(&format!("{csv} | filter it."), ""),
            vec!["age", "city", "email", "joined", "name"]
        );
        assert_eq!(
            comp_in(
                &format!("{csv} | filter .age != \"3\" | map (.e‸ ++ \"!\")"),
                ""
            ),
            vec!["email"]
        );
        let defs = format!("let people = {csv}\n");
        assert_eq!(comp_in("people | sort by=.j", &defs), vec!["joined"]);
        assert_eq!(comp_in("let x = people | map .ci", &defs), vec!["city"]);
        // Unknown record types, nested fields: nothing to offer.
        assert!(comp_in("read_json \"data/events.jsonl\" | map .u", "").is_empty());
        assert!(comp_in(&format!("{csv} | map .name."), "").is_empty());
        // Elsewhere, completion is as before.
        assert_eq!(comp_in(&format!("{csv} | fla"), ""), vec!["flatten"]);
    }

    fn comp(line: &str) -> (usize, Vec<String>) {
        let (line, pos) = match line.find('‸') {
            Some(i) => (line.replacen('‸', "", 1), i),
            None => (line.to_string(), line.len()),
        };
        let (start, c) = complete(&line, pos, &names());
        (start, c.into_iter().map(|p| p.replacement).collect())
    }

    fn has(line: &str, want: &[&str]) {
        let (_, c) = comp(line);
        for w in want {
            assert!(c.iter().any(|x| x == w), "{line:?}: {w:?} not in {c:?}");
        }
    }

    fn lacks(line: &str, not: &[&str]) {
        let (_, c) = comp(line);
        for w in not {
            assert!(!c.iter().any(|x| x == w), "{line:?}: {w:?} in {c:?}");
        }
    }

    #[test]
    fn operators_at_the_start_and_after_a_pipe() {
        assert_eq!(comp("ran"), (0, vec!["range".to_string()]));
        assert_eq!(
            comp("read_"),
            (
                0,
                vec!["read_csv".into(), "read_json".into(), "read_text".into()]
            )
        );
        has("", &["range", "read_text", "let ", "words", "concat"]);
        lacks("", &["map", "count"]);
        assert_eq!(
            comp("range 3 | freq"),
            (10, vec!["frequencies".to_string()])
        );
        has("range 3 | ", &["map", "count", "write_text"]);
        lacks("range 3 | ", &["range", "words"]);
        has("range 3\n| fil", &["filter"]);
        assert_eq!(comp("let x = wo").1, vec!["words".to_string()]);
        has("let x = ", &["range"]);
        assert!(comp("let wo").1.is_empty());
        has("range 3; ra", &["range"]);
        has("ra‸ | count", &["range"]);
    }

    #[test]
    fn option_names_after_an_operator() {
        assert_eq!(
            comp(r#"read_text "x" block"#),
            (14, vec!["blocksize=".to_string()])
        );
        has(
            r#"read_text "x" "#,
            &["blocksize=", "encoding=", "errors=", "compression="],
        );
        lacks(r#"read_text "x" blocksize=1MiB "#, &["blocksize="]);
        has(r#"read_text "x" blocksize=1MiB "#, &["encoding="]);
        has("range 3 | sort ", &["by=", "desc="]);
        has("range 3 | topk 3 b", &["by="]);
        has("range 3 | groupby .k c", &["count", "collect"]);
    }

    #[test]
    fn option_values_from_the_catalog() {
        has(r#"read_text "x" encoding="#, &["\"utf-8\"", "\"latin-1\""]);
        assert_eq!(
            comp(r#"read_text "x" encoding="la"#),
            (23, vec!["\"latin-1\"".to_string()])
        );
        has("range 3 | sort desc=", &["true", "false"]);
        has("range 3 | sort by=le", &["len"]);
    }

    #[test]
    fn functions_and_names_inside_expressions() {
        has("range 3 | map le", &["len"]);
        has("range 3 | filter not_", &["not_delim"]);
        has("range 3 | map str(it) ++ lo", &["lower"]);
        has("range 3 | map (it + ", &["it", "n", "len"]);
        has("range 3 | map i", &["if", "int", "it"]);
        has("range 3 | map if it > 1 th", &["then"]);
        has("range 3 | map if it > 1 then 1 el", &["else"]);
        has("from [1, ", &["n", "it"]);
        has("range 3 | take ", &["n", "words"]);
        // Fields after `.` are unknown until the data is read.
        assert!(comp("read_json \"x\" | map .na").1.is_empty());
        assert!(comp("range 3 # ra").1.is_empty());
        assert!(comp("range 3").1.is_empty());
    }

    #[test]
    fn bound_names_where_a_collection_goes() {
        has("wo", &["words"]);
        has("concat words ", &["words", "n"]);
    }

    #[test]
    fn meta_commands() {
        assert_eq!(comp(":he"), (1, vec!["help ".to_string()]));
        assert_eq!(comp(":q"), (1, vec!["quit".to_string()]));
        has(":", &["explain", "load ", "viz "]);
        assert_eq!(comp(":help frequ"), (6, vec!["frequencies".to_string()]));
        has(":help not", &["not_delim"]);
        assert_eq!(comp(":type wo"), (6, vec!["words".to_string()]));
        has(":viz ", &["words", "dot", "mermaid"]);
        assert_eq!(comp(":viz words m").1, vec!["mermaid".to_string()]);
        assert_eq!(comp(":set th").1, vec!["threads ".to_string()]);
        assert_eq!(comp(":set format j").1, vec!["json".to_string()]);
        assert_eq!(
            comp(":load examples/wordc"),
            (
                6,
                vec![
                    "examples/wordcount.flow".to_string(),
                    "examples/wordcount_serial.flow".to_string()
                ]
            )
        );
    }

    #[test]
    fn paths_inside_string_literals() {
        // Unit tests run in the crate root, where data/ is.
        assert_eq!(
            comp(r#"read_text "data/bo"#),
            (11, vec!["data/books/".to_string()])
        );
        assert_eq!(
            comp(r#"read_csv "data/peo"#),
            (10, vec!["data/people.csv\"".to_string()])
        );
        // A closing quote already there is not doubled.
        assert_eq!(
            comp(r#"read_csv "data/peo‸" | count"#).1,
            vec!["data/people.csv".to_string()]
        );
        has(r#"read_text "da"#, &["data/"]);
        assert!(comp(r#"read_text "data/*.tx"#).1.is_empty());
        assert!(comp(r#"read_text "nowhere/x"#).1.is_empty());
        let (_, c) = complete(r#"read_text "data/"#, 16, &[]);
        assert!(c.iter().any(|p| p.display == "books/"));
    }

    #[test]
    fn highlighting_colours_each_kind_of_token() {
        let h = highlight(
            r#"let x = read_text "a" blocksize=1MiB | lowr # c"#,
            &names(),
        );
        assert_eq!(
            h,
            format!(
                "{KW}let{RESET} x = {OP}read_text{RESET} {STR}\"a\"{RESET} blocksize={NUM}1MiB{RESET} | {ERR}lowr{RESET} {GREY}# c{RESET}"
            )
        );
        assert_eq!(
            highlight("words | map len(it)", &names()),
            format!("{NAME}words{RESET} | {OP}map{RESET} len({KW}it{RESET})")
        );
        // After `|` only an operator may stand.
        assert_eq!(
            highlight("words | words", &names()),
            format!("{NAME}words{RESET} | {ERR}words{RESET}")
        );
        // A word being typed at the end is not an error while it may become one.
        assert_eq!(
            highlight("words | fr", &names()),
            format!("{NAME}words{RESET} | fr")
        );
        assert_eq!(
            highlight("words | frx", &names()),
            format!("{NAME}words{RESET} | {ERR}frx{RESET}")
        );
        assert_eq!(
            highlight(":help map", &[]),
            format!("{NAME}:help{RESET} map")
        );
        assert_eq!(highlight(":hlep", &[]), format!("{ERR}:hlep{RESET}"));
        // Colours add escapes only: the visible text is unchanged.
        let plain = "range 10 | map it * 2.5 | filter \"x\" in [1, 2] # ok";
        let stripped = regex::Regex::new("\x1b\\[[0-9;]*m")
            .unwrap()
            .replace_all(&highlight(plain, &[]), "")
            .into_owned();
        assert_eq!(stripped, plain);
    }

    #[test]
    fn hints_come_from_history_and_go_with_colour() {
        use rustyline::history::{DefaultHistory, History};
        let mut h = DefaultHistory::new();
        h.add("words | frequencies | topk 5").unwrap();
        let ctx = Context::new(&h);
        let on = FlowHelper::new(true);
        assert_eq!(
            on.hint("words | fr", 10, &ctx).as_deref(),
            Some("equencies | topk 5")
        );
        assert_eq!(
            on.highlight_hint("x"),
            Cow::<str>::Owned(format!("{GREY}x{RESET}"))
        );
        let off = FlowHelper::new(false);
        assert_eq!(off.hint("words | fr", 10, &ctx), None);
        assert_eq!(off.highlight("range 3", 7), Cow::Borrowed("range 3"));
        assert_eq!(off.highlight_hint("x"), Cow::Borrowed("x"));
        assert_ne!(on.highlight("range 3", 7), Cow::Borrowed("range 3"));
    }

    #[test]
    fn the_validator_continues_open_input() {
        assert!(lex::incomplete("range 3 |"));
        assert!(lex::incomplete("from [1,"));
        assert!(lex::incomplete("read_text \"data/"));
        assert!(!lex::incomplete("range 3"));
        assert!(!lex::incomplete(":help"));
    }
}
