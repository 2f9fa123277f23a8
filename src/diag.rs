//! Diagnostics: every error a user can cause, as a miette report with a code,
//! the offending span, and help. Phases build [`Diag`]s without source text;
//! the source is attached once, at the boundary ([`Report`]).

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

/// Whether the user's script/command line is wrong (exit 2) or the run failed (exit 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// An input file is missing or unreadable, a glob matched nothing, bad data, a failed write.
    Run,
    /// Syntax, unknown name, type mismatch, bad option.
    Script,
}

impl Severity {
    pub fn exit_code(self) -> i32 {
        match self {
            Severity::Run => 1,
            Severity::Script => 2,
        }
    }
}

/// One diagnostic. `code` is namespaced by phase, e.g. `flow::plan::unknown_operator`.
#[derive(Clone, Debug, PartialEq)]
pub struct Diag {
    pub code: &'static str,
    pub message: String,
    pub span: Option<Span>,
    pub label: String,
    pub help: Option<String>,
    pub severity: Severity,
    /// For an error about one element: where in its input the element was,
    /// while the error travels back to the source that read it.
    pub origin: Origin,
}

/// Where the element an error is about came from (see [`Diag::origin`]):
/// unknown, named already, or the byte offset of its line in the run of
/// text lines being consumed (the source adds where the run starts). One
/// `u32`, so a `Diag` stays small enough to return by value (a run is at
/// most a read block, far below 4 GiB).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin(u32);

impl Origin {
    /// Not known (yet), or not about one element.
    pub const UNKNOWN: Origin = Origin(u32::MAX);
    /// Named in the label ("element from FILE:LINE"): nothing more to add.
    pub const NAMED: Origin = Origin(u32::MAX - 1);
    /// The line at byte `offset` of the run of lines being consumed.
    pub fn in_run(offset: usize) -> Origin {
        Origin(
            u32::try_from(offset)
                .unwrap_or(u32::MAX - 2)
                .min(u32::MAX - 2),
        )
    }
    /// The offset in the run, when that is what is known.
    pub fn run_offset(self) -> Option<u64> {
        (self.0 < u32::MAX - 1).then_some(u64::from(self.0))
    }
}

impl Default for Origin {
    fn default() -> Origin {
        Origin::UNKNOWN
    }
}

impl Diag {
    pub fn script(code: &'static str, message: impl Into<String>) -> Diag {
        Diag {
            code,
            message: message.into(),
            span: None,
            label: String::new(),
            help: None,
            severity: Severity::Script,
            origin: Origin::UNKNOWN,
        }
    }
    pub fn run(code: &'static str, message: impl Into<String>) -> Diag {
        Diag {
            severity: Severity::Run,
            ..Diag::script(code, message)
        }
    }
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Diag {
        self.span = Some(span);
        self.label = label.into();
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Diag {
        self.help = Some(help.into());
        self
    }
    /// Whether this is an error about one element that a source may still
    /// place (name the file and line it was read from).
    pub fn unplaced(&self) -> bool {
        self.severity == Severity::Run
            && self.origin != Origin::NAMED
            && self.code != "flow::exec::cancelled"
    }
    /// Names where the element this error is about was read: `where_` is
    /// `FILE:LINE`, added to the label ("in `map`, element from a.log:12").
    pub fn placed(mut self, where_: &str) -> Diag {
        self.label = if self.label.is_empty() {
            format!("element from {where_}")
        } else {
            format!("{}, element from {where_}", self.label)
        };
        self.origin = Origin::NAMED;
        self
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A list of diagnostics from one phase; all are reported.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diags(pub Vec<Diag>);

impl Diags {
    pub fn push(&mut self, d: Diag) {
        self.0.push(d);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Exit code for the whole list: a script error outranks a run error.
    pub fn exit_code(&self) -> i32 {
        self.0
            .iter()
            .map(|d| d.severity)
            .max()
            .unwrap_or(Severity::Run)
            .exit_code()
    }
    /// `Ok(value)` when empty, else `Err(self)`.
    pub fn into_result<T>(self, value: T) -> Result<T, Diags> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl From<Diag> for Diags {
    fn from(d: Diag) -> Diags {
        Diags(vec![d])
    }
}

/// A diagnostic with its source text attached, ready for miette to render.
#[derive(Debug)]
pub struct Report {
    diag: Diag,
    src: NamedSource<Arc<str>>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diag.code))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.diag.span.map(|_| &self.src as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.diag.span?;
        let label = (!self.diag.label.is_empty()).then(|| self.diag.label.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new(
            label,
            span.start,
            span.len(),
        ))))
    }
}

/// Renders diagnostics against the script they point into.
pub struct Renderer {
    pub name: String,
    pub source: Arc<str>,
    pub color: bool,
    pub width: usize,
}

impl Renderer {
    pub fn new(name: &str, source: &str) -> Renderer {
        Renderer {
            name: name.to_string(),
            source: Arc::from(source),
            color: false,
            width: 100,
        }
    }

    pub fn render(&self, diags: &Diags) -> String {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(self.width);
        let mut out = String::new();
        for d in &diags.0 {
            let mut d = d.clone();
            // A span past the end (e.g. "expected more input") is clamped so miette can draw it.
            if let Some(s) = &mut d.span {
                let n = self.source.len();
                s.start = s.start.min(n);
                s.end = s.end.clamp(s.start, n);
            }
            let report = Report {
                diag: d,
                src: NamedSource::new(self.name.clone(), self.source.clone()),
            };
            if handler.render_report(&mut out, &report).is_err() {
                out.push_str(&report.diag.message);
                out.push('\n');
            }
        }
        out
    }
}

/// A half-open byte range `start..end` into the script text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    pub fn len(self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}

/// The OS error without its "(os error N)" suffix.
pub fn io_reason(e: &dyn std::fmt::Display) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
