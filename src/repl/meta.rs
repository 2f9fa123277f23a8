//! Meta commands (`:help`, `:type`, `:viz`, …): their table, for `:help`
//! and completion, and the parser from a typed line to a [`Meta`].
//! Running them is the REPL's job (`repl::Repl::meta`).

use crate::diag::Diag;
use crate::viz;

/// One meta command, as `:help` lists it.
pub struct MetaDef {
    pub name: &'static str,
    pub args: &'static str,
    pub summary: &'static str,
}

/// Every meta command, in the order `:help` lists them.
pub const COMMANDS: &[MetaDef] = &[
    MetaDef {
        name: "help",
        args: "[OP]",
        summary: "this list, or the signature, options and example of an operator or function",
    },
    MetaDef {
        name: "ops",
        args: "",
        summary: "every operator with its signature",
    },
    MetaDef {
        name: "type",
        args: "NAME",
        summary: "the type of a bound name (or of a pipeline)",
    },
    MetaDef {
        name: "viz",
        args: "[NAME] [text|dot|mermaid|tasks|svg [FILE]]",
        summary: "draw the plan of a binding, or of the last output; on a terminal, \
                  svg is written to FILE (default flow-viz-NAME.svg)",
    },
    MetaDef {
        name: "explain",
        args: "",
        summary: "the optimized plan of the last output, and which bindings were reused",
    },
    MetaDef {
        name: "load",
        args: "FILE",
        summary: "run a script into the session (its bindings stay)",
    },
    MetaDef {
        name: "time",
        args: "",
        summary: "toggle printing the wall time of each output",
    },
    MetaDef {
        name: "set",
        args: "[NAME VALUE]",
        summary: "`threads N`, `format table|tsv|csv|json`; no argument: show the settings",
    },
    MetaDef {
        name: "dashboard",
        args: "[ADDR]",
        summary: "serve a live dashboard of every run of the session (default 127.0.0.1:8787; 0: any free port)",
    },
    MetaDef {
        name: "quit",
        args: "",
        summary: "leave the REPL (also Ctrl-D)",
    },
];

/// Settings `:set` knows.
pub const SETTINGS: &[&str] = &["threads", "format"];

/// Output formats `:set format` accepts.
pub const FORMATS: &[&str] = &["table", "tsv", "csv", "json"];

/// A parsed meta command.
#[derive(Clone, Debug, PartialEq)]
pub enum Meta {
    Help(Option<String>),
    Ops,
    /// The text after `:type`: a name, or any pipeline.
    Type(String),
    Viz {
        name: Option<String>,
        format: viz::Format,
        /// The file to write an SVG drawing to (`:viz NAME svg FILE`).
        path: Option<String>,
    },
    Explain,
    Load(String),
    Time,
    Set(Option<(String, String)>),
    /// `:dashboard [ADDR]`.
    Dashboard(Option<String>),
    Quit,
}

fn usage(name: &str) -> Diag {
    let def = COMMANDS
        .iter()
        .find(|c| c.name == name)
        .expect("a known command");
    Diag::script(
        "flow::repl::usage",
        format!("usage: :{} {}", def.name, def.args),
    )
    .help(def.summary)
}

/// Parses a line starting with `:`. `is_bound` tells whether a word is a
/// bound name (so `:viz dot` draws the binding `dot` if there is one).
pub fn parse(line: &str, is_bound: &dyn Fn(&str) -> bool) -> Result<Meta, Diag> {
    let line = line.trim();
    let body = line.strip_prefix(':').unwrap_or(line);
    let (cmd, rest) = match body.find(char::is_whitespace) {
        Some(i) => (&body[..i], body[i..].trim()),
        None => (body, ""),
    };
    let words: Vec<&str> = rest.split_whitespace().collect();
    let none = |m: Meta| {
        if words.is_empty() {
            Ok(m)
        } else {
            Err(usage(cmd))
        }
    };
    match cmd {
        "help" | "h" | "?" => match words.as_slice() {
            [] => Ok(Meta::Help(None)),
            [w] => Ok(Meta::Help(Some(w.trim_start_matches(':').to_string()))),
            _ => Err(usage("help")),
        },
        "ops" => none(Meta::Ops),
        "type" | "t" if rest.is_empty() => Err(usage("type")),
        "type" | "t" => Ok(Meta::Type(rest.to_string())),
        "viz" => {
            let fmt = |w: &str| {
                viz::Format::parse(w).ok_or_else(|| {
                    Diag::script(
                        "flow::repl::bad_visualize",
                        format!("unknown visualization `{w}`"),
                    )
                    .help(format!("choose one of: {}", viz::Format::NAMES.join(", ")))
                })
            };
            let viz = |name: Option<&str>, format, path: Option<&str>| {
                Ok(Meta::Viz {
                    name: name.map(String::from),
                    format,
                    path: path.map(String::from),
                })
            };
            let is_format = |w: &str| viz::Format::parse(w).is_some() && !is_bound(w);
            match words.as_slice() {
                [] => viz(None, viz::Format::Text, None),
                [f] if is_format(f) => viz(None, fmt(f)?, None),
                [n] => viz(Some(n), viz::Format::Text, None),
                // `:viz svg FILE`: the last input's plan, to a file.
                [f, path] if *f == "svg" && is_format(f) && !is_format(path) && !is_bound(path) => {
                    viz(None, viz::Format::Svg, Some(path))
                }
                [n, f] => viz(Some(n), fmt(f)?, None),
                [n, f, path] if fmt(f)? == viz::Format::Svg => {
                    viz(Some(n), viz::Format::Svg, Some(path))
                }
                _ => Err(usage("viz")),
            }
        }
        "explain" => none(Meta::Explain),
        "load" | "l" if rest.is_empty() => Err(usage("load")),
        "load" | "l" => Ok(Meta::Load(unquote(rest))),
        "time" => none(Meta::Time),
        "set" => match words.as_slice() {
            [] => Ok(Meta::Set(None)),
            [k, v] if SETTINGS.contains(k) => Ok(Meta::Set(Some((k.to_string(), v.to_string())))),
            [k, ..] if !SETTINGS.contains(k) => {
                let mut d = Diag::script(
                    "flow::repl::unknown_setting",
                    format!("unknown setting `{k}`"),
                );
                d = match crate::ops::closest_in(k, SETTINGS.iter().copied()) {
                    Some(s) => d.help(format!(
                        "did you mean `{s}`? settings: {}",
                        SETTINGS.join(", ")
                    )),
                    None => d.help(format!("settings: {}", SETTINGS.join(", "))),
                };
                Err(d)
            }
            _ => Err(usage("set")),
        },
        "dashboard" => match words.as_slice() {
            [] => Ok(Meta::Dashboard(None)),
            [a] => Ok(Meta::Dashboard(Some(a.to_string()))),
            _ => Err(usage("dashboard")),
        },
        "quit" | "q" | "exit" => none(Meta::Quit),
        "" => Err(Diag::script(
            "flow::repl::unknown_command",
            "a command name is missing after `:`",
        )
        .help("type :help for the list of commands")),
        other => {
            let d = Diag::script(
                "flow::repl::unknown_command",
                format!("unknown command `:{other}`"),
            );
            Err(
                match crate::ops::closest_in(other, COMMANDS.iter().map(|c| c.name)) {
                    Some(c) => d.help(format!("did you mean `:{c}`?")),
                    None => d.help("type :help for the list of commands"),
                },
            )
        }
    }
}

/// A path as typed after `:load`, with surrounding quotes removed.
fn unquote(s: &str) -> String {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Meta, Diag> {
        parse(s, &|n| n == "dot")
    }

    #[test]
    fn commands_parse() {
        assert_eq!(p(":help"), Ok(Meta::Help(None)));
        assert_eq!(p(" :help  map "), Ok(Meta::Help(Some("map".into()))));
        assert_eq!(p(":help :load"), Ok(Meta::Help(Some("load".into()))));
        assert_eq!(p(":ops"), Ok(Meta::Ops));
        assert_eq!(p(":dashboard"), Ok(Meta::Dashboard(None)));
        assert_eq!(p(":dashboard 0"), Ok(Meta::Dashboard(Some("0".into()))));
        assert!(p(":dashboard 1 2").is_err());
        assert_eq!(p(":type xs"), Ok(Meta::Type("xs".into())));
        assert_eq!(
            p(":type xs | map len"),
            Ok(Meta::Type("xs | map len".into()))
        );
        let viz = |name: Option<&str>, format, path: Option<&str>| {
            Ok(Meta::Viz {
                name: name.map(String::from),
                format,
                path: path.map(String::from),
            })
        };
        assert_eq!(p(":viz"), viz(None, viz::Format::Text, None));
        assert_eq!(p(":viz mermaid"), viz(None, viz::Format::Mermaid, None));
        // A bound name wins over a format of the same name.
        assert_eq!(p(":viz dot"), viz(Some("dot"), viz::Format::Text, None));
        assert_eq!(p(":viz xs dot"), viz(Some("xs"), viz::Format::Dot, None));
        assert_eq!(p(":viz xs svg"), viz(Some("xs"), viz::Format::Svg, None));
        // SVG may name the file to write.
        assert_eq!(
            p(":viz xs svg out/plan.svg"),
            viz(Some("xs"), viz::Format::Svg, Some("out/plan.svg"))
        );
        assert_eq!(
            p(":viz svg plan.svg"),
            viz(None, viz::Format::Svg, Some("plan.svg"))
        );
        assert_eq!(p(":explain"), Ok(Meta::Explain));
        assert_eq!(
            p(r#":load "examples/a b.flow""#),
            Ok(Meta::Load("examples/a b.flow".into()))
        );
        assert_eq!(p(":time"), Ok(Meta::Time));
        assert_eq!(p(":set"), Ok(Meta::Set(None)));
        assert_eq!(
            p(":set threads 4"),
            Ok(Meta::Set(Some(("threads".into(), "4".into()))))
        );
        assert_eq!(p(":quit"), Ok(Meta::Quit));
        assert_eq!(p(":q"), Ok(Meta::Quit));
    }

    #[test]
    fn mistakes_say_what_is_wrong() {
        let e = p(":hlep").unwrap_err();
        assert_eq!(e.code, "flow::repl::unknown_command");
        assert_eq!(e.help.as_deref(), Some("did you mean `:help`?"));
        assert_eq!(
            p(":explian").unwrap_err().help.as_deref(),
            Some("did you mean `:explain`?")
        );
        assert_eq!(
            p(":zzzzzz").unwrap_err().help.as_deref(),
            Some("type :help for the list of commands")
        );
        assert_eq!(p(":type").unwrap_err().message, "usage: :type NAME");
        assert_eq!(p(":ops x").unwrap_err().code, "flow::repl::usage");
        assert_eq!(
            p(":viz xs png").unwrap_err().code,
            "flow::repl::bad_visualize"
        );
        // Only SVG is written to a file.
        assert_eq!(
            p(":viz xs dot plan.dot").unwrap_err().message,
            "usage: :viz [NAME] [text|dot|mermaid|tasks|svg [FILE]]"
        );
        assert_eq!(p(":viz xs svg a b").unwrap_err().code, "flow::repl::usage");
        assert_eq!(
            p(":set thread 2").unwrap_err().help.as_deref(),
            Some("did you mean `threads`? settings: threads, format")
        );
        assert_eq!(p(":").unwrap_err().code, "flow::repl::unknown_command");
    }

    #[test]
    fn every_command_is_listed_once() {
        let mut names: Vec<_> = COMMANDS.iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len());
        for c in COMMANDS {
            assert!(!c.summary.is_empty());
        }
    }
}
