//! Python `re` match functions on Rust's `regex` engine: `m.group(g)`
//! (`extract`), `re.findall` (`extract_all`), `m.groupdict()` (`captures`)
//! and `re.sub` with Python's replacement templates (`sub`).
//!
//! Rust's leftmost-first matching picks the match a backtracking engine
//! such as Python's picks, captures included. What differs is how the two
//! walk a string from match to match; [`py_matches`] walks as CPython 3.7+
//! does: after an empty match the next match may not be empty at the same
//! place, but an empty match right after a non-empty one is found
//! (`re.sub("x*", "-", "abxd") == "-a-b--d-"`). (CPython would then also
//! try, at the same place, a non-empty match its pattern ranks below the
//! empty one, as `a*?` has; here the search moves on one character.)

use regex::{Captures, Regex};

/// A group as a user names it: a number or a name.
#[derive(Clone, Copy, Debug)]
pub enum GroupRef<'a> {
    Index(i64),
    Name(&'a str),
}

/// The number of capturing groups of `re` (group 0 not counted).
pub fn group_count(re: &Regex) -> usize {
    re.captures_len() - 1
}

/// The index of group `g` of `re`, or why there is none (as Python's
/// `m.group(g)` refuses it).
pub fn resolve_group(re: &Regex, g: GroupRef) -> Result<usize, String> {
    match g {
        GroupRef::Index(i) if i >= 0 && (i as u64) <= group_count(re) as u64 => Ok(i as usize),
        GroupRef::Index(i) => Err(format!(
            "no group {i}: the regex has {} group{}",
            group_count(re),
            if group_count(re) == 1 { "" } else { "s" }
        )),
        GroupRef::Name(n) => re
            .capture_names()
            .position(|x| x == Some(n))
            .ok_or_else(|| format!("no group named `{n}` in the regex")),
    }
}

/// The groups of matches of `re` in `s`, in order, stepping from match to
/// match as CPython's `finditer`, `findall` and `sub` do.
pub fn py_matches<'r, 's>(re: &'r Regex, s: &'s str) -> impl Iterator<Item = Captures<'s>> + 'r
where
    's: 'r,
{
    let mut pos = 0usize;
    let mut must_advance = false;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut caps = re.captures_at(s, pos)?;
        let whole = caps.get(0).expect("group 0 takes part in every match");
        if must_advance && whole.start() == pos && whole.end() == pos {
            // No second empty match where the last one was.
            let Some(c) = s[pos..].chars().next() else {
                done = true;
                return None;
            };
            caps = re.captures_at(s, pos + c.len_utf8())?;
        }
        let whole = caps.get(0).expect("group 0 takes part in every match");
        must_advance = whole.start() == whole.end();
        pos = whole.end();
        Some(caps)
    })
}

/// Python's `re.findall(re, s)` for a regex of at most one group: the whole
/// matches, or group 1 of each (`""` where it did not take part).
pub fn findall<'s>(re: &Regex, s: &'s str) -> Vec<&'s str> {
    let g = usize::from(group_count(re) >= 1);
    py_matches(re, s)
        .map(|c| c.get(g).map_or("", |m| m.as_str()))
        .collect()
}

/// One piece of a parsed replacement template.
#[derive(Clone, Debug, PartialEq)]
pub enum Repl {
    Lit(String),
    Group(usize),
}

/// Parses a replacement template as Python 3.11's `re` does
/// (`sre_parse.parse_template`): `\1`…`\99` and `\g<1>`, `\g<name>` are
/// groups; `\0`, `\0oo` and three-digit `\ooo` octal escapes; `\n \t \r \f
/// \v \a \b \\` are the characters; a backslash before any other ASCII
/// letter is an error; before anything else it stays, backslash included.
pub fn parse_template(t: &str, re: &Regex) -> Result<Vec<Repl>, String> {
    let cs: Vec<char> = t.chars().collect();
    let mut out: Vec<Repl> = Vec::new();
    let mut lit = String::new();
    let groups = group_count(re);
    let group = |lit: &mut String, out: &mut Vec<Repl>, n: usize| -> Result<(), String> {
        if n > groups {
            return Err(format!(
                "invalid group reference {n}: the regex has {groups} group{}",
                if groups == 1 { "" } else { "s" }
            ));
        }
        if !lit.is_empty() {
            out.push(Repl::Lit(std::mem::take(lit)));
        }
        out.push(Repl::Group(n));
        Ok(())
    };
    let octal = |c: char| ('0'..='7').contains(&c);
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        i += 1;
        if c != '\\' {
            lit.push(c);
            continue;
        }
        let Some(&e) = cs.get(i) else {
            return Err("bad escape (end of the replacement)".into());
        };
        i += 1;
        match e {
            'g' => {
                if cs.get(i) != Some(&'<') {
                    return Err("missing < after \\g".into());
                }
                let end = cs[i + 1..]
                    .iter()
                    .position(|&c| c == '>')
                    .ok_or("missing >, unterminated group name after \\g<")?;
                let name: String = cs[i + 1..i + 1 + end].iter().collect();
                i += end + 2;
                if name.is_empty() {
                    return Err("missing group name after \\g<".into());
                }
                let n = if name.chars().all(|c| c.is_ascii_digit()) {
                    name.parse::<usize>()
                        .map_err(|_| format!("invalid group reference {name}"))?
                } else if is_identifier(&name) {
                    re.capture_names()
                        .position(|x| x == Some(name.as_str()))
                        .ok_or_else(|| format!("unknown group name `{name}`"))?
                } else {
                    return Err(format!("bad character in group name `{name}`"));
                };
                group(&mut lit, &mut out, n)?;
            }
            '0' => {
                let mut v = 0u32;
                let mut k = 0;
                while k < 2 && cs.get(i).is_some_and(|&c| octal(c)) {
                    v = v * 8 + cs[i].to_digit(8).unwrap_or(0);
                    i += 1;
                    k += 1;
                }
                lit.push(char::from_u32(v & 0xff).unwrap_or('\0'));
            }
            '1'..='9' => {
                let mut digits = e.to_string();
                if cs.get(i).is_some_and(|c| c.is_ascii_digit()) {
                    digits.push(cs[i]);
                    i += 1;
                    if octal(e)
                        && octal(digits.chars().nth(1).unwrap_or('8'))
                        && cs.get(i).is_some_and(|&c| octal(c))
                    {
                        digits.push(cs[i]);
                        i += 1;
                        let v = u32::from_str_radix(&digits, 8).unwrap_or(0);
                        if v > 0o377 {
                            return Err(format!(
                                "octal escape value \\{digits} outside of range 0-0o377"
                            ));
                        }
                        lit.push(char::from_u32(v).unwrap_or('\0'));
                        continue;
                    }
                }
                group(&mut lit, &mut out, digits.parse().unwrap_or(0))?;
            }
            'a' => lit.push('\x07'),
            'b' => lit.push('\x08'),
            'f' => lit.push('\x0c'),
            'n' => lit.push('\n'),
            'r' => lit.push('\r'),
            't' => lit.push('\t'),
            'v' => lit.push('\x0b'),
            '\\' => lit.push('\\'),
            e if e.is_ascii_alphabetic() => return Err(format!("bad escape \\{e}")),
            e => {
                lit.push('\\');
                lit.push(e);
            }
        }
    }
    if !lit.is_empty() {
        out.push(Repl::Lit(lit));
    }
    Ok(out)
}

/// Python's `str.isidentifier` for the names `\g<…>` looks up (a regex
/// group name is one of these or a number).
fn is_identifier(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && cs.all(|c| c == '_' || c.is_alphanumeric())
}

/// Python's `re.sub(re, template, s)`: a group that did not take part is
/// replaced by nothing.
pub fn sub(re: &Regex, s: &str, template: &[Repl]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for c in py_matches(re, s) {
        let m = c.get(0).expect("group 0 takes part in every match");
        out.push_str(&s[last..m.start()]);
        for piece in template {
            match piece {
                Repl::Lit(l) => out.push_str(l),
                Repl::Group(g) => out.push_str(c.get(*g).map_or("", |m| m.as_str())),
            }
        }
        last = m.end();
    }
    out.push_str(&s[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::regex::py_regex;

    fn re(p: &str) -> Regex {
        py_regex(p).unwrap()
    }

    fn subst(p: &str, t: &str, s: &str) -> Result<String, String> {
        let r = re(p);
        Ok(sub(&r, s, &parse_template(t, &r)?))
    }

    #[test]
    fn sub_matches_python() {
        // Expected values from CPython 3.11's re.sub.
        assert_eq!(subst("x*", "-", "abc").unwrap(), "-a-b-c-");
        assert_eq!(subst("x*", "-", "abxd").unwrap(), "-a-b--d-");
        assert_eq!(subst("", "-", "").unwrap(), "-");
        assert_eq!(subst("", "-", "é😀").unwrap(), "-é-😀-");
        assert_eq!(subst("a|(b)", "[\\1]", "abc").unwrap(), "[][b]c");
        assert_eq!(
            subst("(?P<y>\\d{4})-(\\d\\d)", "\\2/\\g<y>/\\g<0>", "2024-05").unwrap(),
            "05/2024/2024-05"
        );
        assert_eq!(subst("a", "\\n\\t\\\\\\&", "a").unwrap(), "\n\t\\\\&");
        assert_eq!(
            subst("a", "\\0\\01\\101\\1010", "a").unwrap(),
            "\0\x01A\x410"
        );
        assert_eq!(
            subst("(a)", "\\10", "a").unwrap_err(),
            "invalid group reference 10: the regex has 1 group"
        );
        assert_eq!(subst("a", "\\q", "a").unwrap_err(), "bad escape \\q");
        assert_eq!(
            subst("a", "\\", "a").unwrap_err(),
            "bad escape (end of the replacement)"
        );
        assert_eq!(
            subst("a", "\\g<x>", "a").unwrap_err(),
            "unknown group name `x`"
        );
        assert_eq!(
            subst("a", "\\g<1", "a").unwrap_err(),
            "missing >, unterminated group name after \\g<"
        );
        assert_eq!(subst("a", "\\g1", "a").unwrap_err(), "missing < after \\g");
        assert_eq!(
            subst("a", "\\g<a-b>", "a").unwrap_err(),
            "bad character in group name `a-b`"
        );
        assert_eq!(
            subst("a", "\\477", "a").unwrap_err(),
            "octal escape value \\477 outside of range 0-0o377"
        );
        assert_eq!(subst("\\b", "|", "ab cd").unwrap(), "|ab| |cd|");
        assert_eq!(subst("^", ">", "a\nb").unwrap(), ">a\nb");
        assert_eq!(subst("(?m)^", ">", "a\nb").unwrap(), ">a\n>b");
        assert_eq!(subst("$", "<", "ab").unwrap(), "ab<");
    }

    #[test]
    fn findall_matches_python() {
        assert_eq!(findall(&re("\\d+"), "a1b22c333"), ["1", "22", "333"]);
        assert_eq!(findall(&re("x*"), "axxb"), ["", "xx", "", ""]);
        assert_eq!(findall(&re("(a)|b"), "ab"), ["a", ""]);
        assert_eq!(findall(&re("k(\\w)"), "ka kß"), ["a", "ß"]);
        assert!(findall(&re("z"), "abc").is_empty());
    }

    #[test]
    fn groups_resolve() {
        let r = re("(?P<y>\\d+)-(\\d+)");
        assert_eq!(resolve_group(&r, GroupRef::Name("y")), Ok(1));
        assert_eq!(resolve_group(&r, GroupRef::Index(2)), Ok(2));
        assert_eq!(resolve_group(&r, GroupRef::Index(0)), Ok(0));
        assert!(resolve_group(&r, GroupRef::Index(3)).is_err());
        assert!(resolve_group(&r, GroupRef::Index(-1)).is_err());
        assert!(resolve_group(&r, GroupRef::Name("m")).is_err());
    }
}
