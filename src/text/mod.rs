//! Pure text semantics, the lowest floor: Python's `str` behaviour
//! ([`pystr`]), the Python regex dialect ([`regex`]), Python `re` matching,
//! findall and sub ([`pyre`]), `strptime`/`strftime` ([`pytime`]) and how literals are
//! written back as flow source ([`quote`], [`fmt_size`]). Nothing here knows
//! a value, a plan or a file.

pub mod pyre;
pub mod pystr;
pub mod pytime;
pub mod regex;

/// One step of the xorshift generator the unit tests draw generated cases
/// from: the next state, also returned.
#[cfg(test)]
pub(crate) fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// A string literal as flow source.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A byte count in the largest binary unit that divides it exactly.
pub fn fmt_size(n: u64) -> String {
    for (unit, m) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if n >= m && n.is_multiple_of(m) {
            return format!("{}{unit}", n / m);
        }
    }
    format!("{n}B")
}
