//! Python's `datetime.strptime` and `datetime.strftime` (CPython 3.11, C
//! locale, UTC) for the directives `%Y %m %d %H %M %S %f %z %b %B %a %A %j
//! %y %p %I %%`: `parse_time` and `format_time`.
//!
//! Parsing is CPython's own algorithm (`Lib/_strptime.py`) rather than a
//! date library's parser, because the libraries read formats by other
//! rules (chrono: `%y` pivots at 70, not 69; no whitespace-run matching;
//! `%d` needs two digits; `%b` is case-sensitive). The format becomes the
//! regex `_strptime` builds — each directive's exact pattern, a run of
//! whitespace as `\s+`, letters case-insensitive, `\d` as Python's
//! Unicode digits — matched from the start (leftmost-first, as Python's
//! backtracking picks) and required to consume the whole string; the
//! fields are then combined as `_strptime` combines them (`%j` over
//! `%m %d`, the last of `%y`/`%Y` wins, `%I` with `%p`). The calendar
//! (valid dates, day numbers, weekdays) is chrono's.
//!
//! Formatting writes each directive as CPython with glibc does (`%Y` not
//! padded: year 999 is `999`); the timestamp is split into seconds and
//! microseconds as `datetime.fromtimestamp` does (half to even).

use chrono::{Datelike, NaiveDate, Timelike};
use regex::Regex;

use super::pystr::{decimal_value, is_py_space, py_digit_class};

/// The directives both functions know.
pub const DIRECTIVES: &str = "YmdHMSfzbBaAjypI%";

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Days from 0001-01-01 (day 1) to 1970-01-01, as `date.toordinal()`.
const EPOCH_ORDINAL: i64 = 719_163;

/// Why a format is refused (the same for both functions).
fn check_format(fmt: &str, parse: bool) -> Result<Vec<char>, String> {
    let mut seen = Vec::new();
    let mut cs = fmt.chars();
    while let Some(c) = cs.next() {
        if c != '%' {
            continue;
        }
        match cs.next() {
            None => return Err("a lone `%` ends the format (write `%%` for a percent sign)".into()),
            Some(d) if DIRECTIVES.contains(d) => {
                if parse && d != '%' && seen.contains(&d) {
                    return Err(format!("`%{d}` appears twice in the format"));
                }
                seen.push(d);
            }
            Some(d) => return Err(format!("`%{d}` is not a directive flow knows")),
        }
    }
    if !parse && fmt.contains('\0') {
        return Err("the format holds a NUL character".into());
    }
    Ok(seen)
}

/// Checks a `format_time` format.
pub fn check_strftime(fmt: &str) -> Result<(), String> {
    check_format(fmt, false).map(|_| ())
}

/// A letter as Python's case-insensitive `re` matches it.
fn caseless(c: char, out: &mut String) {
    let lo = c.to_ascii_lowercase();
    let up = c.to_ascii_uppercase();
    out.push('[');
    out.push(lo);
    out.push(up);
    match lo {
        'i' => out.push_str("\u{130}\u{131}"),
        's' => out.push('\u{17f}'),
        'k' => out.push('\u{212a}'),
        _ => {}
    }
    out.push(']');
}

/// `_strptime`'s `__seqToRE`: the names, longest first, as alternatives.
fn names(list: &[&str], out: &mut String) {
    let mut v: Vec<&str> = list.to_vec();
    v.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for (i, n) in v.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        n.chars().for_each(|c| caseless(c, out));
    }
}

/// A compiled `parse_time` format.
#[derive(Debug)]
pub struct Strptime {
    re: Regex,
    /// The directive of each capture group, in order.
    groups: Vec<char>,
}

/// Why a string is not a time in a format.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseFail {
    /// The string does not have the format's shape.
    NoMatch,
    /// It does, but the fields are no date and time (February 30, second
    /// 60, year 0, an offset of a day or more).
    Invalid,
}

impl Strptime {
    /// Compiles a format as `_strptime` does, or says why it is refused.
    pub fn new(fmt: &str) -> Result<Strptime, String> {
        check_format(fmt, true)?;
        let d = py_digit_class();
        let mut p = String::from("^(?:");
        let mut groups = Vec::new();
        let mut cs = fmt.chars().peekable();
        while let Some(c) = cs.next() {
            if c == '%' {
                let dir = cs.next().unwrap_or('%');
                let body = match dir {
                    '%' => {
                        p.push('%');
                        continue;
                    }
                    'd' => format!("3[01]|[12]{d}|0[1-9]|[1-9]| [1-9]"),
                    'f' => "[0-9]{1,6}".into(),
                    'H' => format!("2[0-3]|[0-1]{d}|{d}"),
                    'I' => "1[0-2]|0[1-9]|[1-9]".into(),
                    'j' => format!(
                        "36[0-6]|3[0-5]{d}|[12]{d}{d}|0[1-9]{d}|00[1-9]|[1-9]{d}|0[1-9]|[1-9]"
                    ),
                    'm' => "1[0-2]|0[1-9]|[1-9]".into(),
                    'M' => format!("[0-5]{d}|{d}"),
                    'S' => format!("6[0-1]|[0-5]{d}|{d}"),
                    'y' => format!("{d}{d}"),
                    'Y' => format!("{d}{d}{d}{d}"),
                    'z' => format!("[+-]{d}{d}:?[0-5]{d}(?::?[0-5]{d}(?:\\.{d}{{1,6}})?)?|Z"),
                    'B' => {
                        let mut s = String::new();
                        names(&MONTHS, &mut s);
                        s
                    }
                    'b' => {
                        let mut s = String::new();
                        names(&MONTHS.map(|m| &m[..3]), &mut s);
                        s
                    }
                    'A' => {
                        let mut s = String::new();
                        names(&DAYS, &mut s);
                        s
                    }
                    'a' => {
                        let mut s = String::new();
                        names(&DAYS.map(|m| &m[..3]), &mut s);
                        s
                    }
                    'p' => {
                        let mut s = String::new();
                        names(&["am", "pm"], &mut s);
                        s
                    }
                    _ => unreachable!("checked by check_format"),
                };
                p.push('(');
                p.push_str(&body);
                p.push(')');
                groups.push(dir);
            } else if is_py_space(c) {
                while cs.peek().is_some_and(|&c| is_py_space(c)) {
                    cs.next();
                }
                p.push_str(r"[\s\x1C-\x1F]+");
            } else if c.is_ascii_alphabetic() {
                caseless(c, &mut p);
            } else if c.is_alphabetic() {
                p.push_str(&format!("(?i:{})", regex::escape(&c.to_string())));
            } else {
                p.push_str(&regex::escape(&c.to_string()));
            }
        }
        p.push(')');
        let re = Regex::new(&p).map_err(|e| super::regex::regex_reason(&e))?;
        Ok(Strptime { re, groups })
    }

    /// `datetime.strptime(s, fmt)` as seconds since the epoch: UTC unless
    /// the format has `%z`.
    pub fn parse(&self, s: &str) -> Result<f64, ParseFail> {
        let caps = self.re.captures(s).ok_or(ParseFail::NoMatch)?;
        if caps.get(0).map_or(0, |m| m.end()) != s.len() {
            return Err(ParseFail::NoMatch);
        }
        let num = |t: &str| -> Result<i64, ParseFail> {
            t.chars().try_fold(0i64, |acc, c| {
                decimal_value(c)
                    .map(|v| acc * 10 + i64::from(v))
                    .ok_or(ParseFail::Invalid)
            })
        };
        let name = |t: &str, list: &[&str], abbr: bool| -> Result<i64, ParseFail> {
            let t = t.to_ascii_lowercase();
            list.iter()
                .position(|n| if abbr { n[..3] == t } else { *n == t })
                .map(|i| i as i64)
                .ok_or(ParseFail::Invalid)
        };
        let mut year: Option<i64> = None;
        let (mut month, mut day, mut hour, mut minute, mut second, mut micro) =
            (1i64, 1i64, 0i64, 0i64, 0i64, 0i64);
        let mut julian: Option<i64> = None;
        let mut offset_us: i64 = 0;
        let pm = self
            .groups
            .iter()
            .position(|&g| g == 'p')
            .and_then(|i| caps.get(i + 1))
            .map(|m| m.as_str().to_ascii_lowercase());
        for (i, g) in self.groups.iter().enumerate() {
            let t = caps.get(i + 1).map_or("", |m| m.as_str());
            match g {
                'y' => {
                    let y = num(t)?;
                    year = Some(if y <= 68 { y + 2000 } else { y + 1900 });
                }
                'Y' => year = Some(num(t)?),
                'm' => month = num(t)?,
                'B' => month = name(t, &MONTHS, false)? + 1,
                'b' => month = name(t, &MONTHS, true)? + 1,
                'd' => day = num(t.trim_start_matches(' '))?,
                'H' => hour = num(t)?,
                'I' => {
                    hour = num(t)?;
                    match pm.as_deref() {
                        None | Some("am") if hour == 12 => hour = 0,
                        Some("pm") if hour != 12 => hour += 12,
                        _ => {}
                    }
                }
                'M' => minute = num(t)?,
                'S' => second = num(t)?,
                'f' => micro = num(&format!("{t:0<6}"))?,
                'A' => {
                    name(t, &DAYS, false)?;
                }
                'a' => {
                    name(t, &DAYS, true)?;
                }
                'j' => julian = Some(num(t)?),
                'z' => offset_us = utc_offset(t)?,
                _ => {}
            }
        }
        // `_strptime`: February 29 without a year is computed in 1904, then
        // the year is set back to 1900 — where it is no date.
        let leap_fix = year.is_none() && month == 2 && day == 29;
        let year = year.unwrap_or(if leap_fix { 1904 } else { 1900 });
        let date = |y: i64, m: i64, d: i64| -> Result<NaiveDate, ParseFail> {
            if !(1..=9999).contains(&y) {
                return Err(ParseFail::Invalid);
            }
            NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32).ok_or(ParseFail::Invalid)
        };
        let (y, m, d) = match julian {
            None => {
                date(year, month, day)?;
                (year, month, day)
            }
            Some(j) => {
                let first = date(year, 1, 1)?;
                let ord = i64::from(first.num_days_from_ce()) + j - 1;
                let dt = NaiveDate::from_num_days_from_ce_opt(ord as i32)
                    .filter(|d| d.year() <= 9999)
                    .ok_or(ParseFail::Invalid)?;
                (dt.year() as i64, dt.month() as i64, dt.day() as i64)
            }
        };
        let y = if leap_fix { 1900 } else { y };
        let date = date(y, m, d)?;
        if second > 59 {
            return Err(ParseFail::Invalid);
        }
        let days = i64::from(date.num_days_from_ce()) - EPOCH_ORDINAL;
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second;
        Ok(micros_to_secs(secs * 1_000_000 + micro - offset_us))
    }
}

/// `%z` as `_strptime` reads it: `Z`, `±HHMM[SS[.ffffff]]` with or
/// without colons used consistently; a day or more is no offset.
fn utc_offset(t: &str) -> Result<i64, ParseFail> {
    if t == "Z" {
        return Ok(0);
    }
    let mut z: Vec<char> = t.chars().collect();
    if z.get(3) == Some(&':') {
        z.remove(3);
        if z.len() > 5 {
            if z[5] != ':' {
                return Err(ParseFail::Invalid);
            }
            z.remove(5);
        }
    }
    let num = |cs: &[char]| -> Result<i64, ParseFail> {
        cs.iter().try_fold(0i64, |acc, &c| {
            decimal_value(c)
                .map(|v| acc * 10 + i64::from(v))
                .ok_or(ParseFail::Invalid)
        })
    };
    let part = |a: usize, b: usize| &z[a.min(z.len())..b.min(z.len())];
    let hours = num(part(1, 3))?;
    let minutes = num(part(3, 5))?;
    let seconds = num(part(5, 7))?;
    let frac: String = part(8, z.len()).iter().collect();
    let frac = num(&format!("{frac:0<6}").chars().collect::<Vec<_>>())?;
    let mut us = (hours * 3600 + minutes * 60 + seconds) * 1_000_000 + frac;
    if z[0] == '-' {
        us = -us;
    }
    if us.abs() >= 86_400_000_000 {
        return Err(ParseFail::Invalid);
    }
    Ok(us)
}

/// Microseconds as seconds, correctly rounded, as Python's `timedelta.total_seconds()`
/// divides (an exact int division, not the nearest float of the microseconds).
fn micros_to_secs(us: i64) -> f64 {
    if us.unsigned_abs() <= 1 << 53 {
        return us as f64 / 1e6;
    }
    let a = us.unsigned_abs();
    let sign = if us < 0 { "-" } else { "" };
    format!("{sign}{}.{:06}", a / 1_000_000, a % 1_000_000)
        .parse()
        .unwrap_or(f64::NAN)
}

/// A time to format: epoch seconds as an int or a float.
#[derive(Clone, Copy, Debug)]
pub enum Timestamp {
    Int(i64),
    Float(f64),
}

/// A time outside the years 1 to 9999 (or not a number), which Python's
/// `datetime` cannot hold.
#[derive(Debug, PartialEq, Eq)]
pub struct OutOfRange;

/// `datetime.fromtimestamp(t, timezone.utc).strftime(fmt)`.
pub fn strftime(t: Timestamp, fmt: &str) -> Result<String, OutOfRange> {
    let (secs, micro) = match t {
        Timestamp::Int(i) => (i, 0u32),
        Timestamp::Float(x) => {
            if !x.is_finite() {
                return Err(OutOfRange);
            }
            // CPython's `_PyTime_DoubleToDenominator`, half to even.
            let mut int = x.trunc();
            let mut frac = ((x - int) * 1e6).round_ties_even();
            if frac >= 1e6 {
                frac -= 1e6;
                int += 1.0;
            } else if frac < 0.0 {
                frac += 1e6;
                int -= 1.0;
            }
            if !(-9.2e18..9.2e18).contains(&int) {
                return Err(OutOfRange);
            }
            (int as i64, frac as u32)
        }
    };
    let dt = chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.naive_utc())
        .filter(|d| (1..=9999).contains(&d.year()))
        .ok_or(OutOfRange)?;
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut cs = fmt.chars();
    while let Some(c) = cs.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(d) = cs.next() else {
            out.push('%');
            break;
        };
        let h12 = match dt.hour() % 12 {
            0 => 12,
            h => h,
        };
        let wd = dt.weekday().num_days_from_monday() as usize;
        let title = |s: &str| {
            let mut t = s[..1].to_ascii_uppercase();
            t.push_str(&s[1..]);
            t
        };
        match d {
            'Y' => out.push_str(&dt.year().to_string()),
            'y' => out.push_str(&format!("{:02}", dt.year() % 100)),
            'm' => out.push_str(&format!("{:02}", dt.month())),
            'd' => out.push_str(&format!("{:02}", dt.day())),
            'H' => out.push_str(&format!("{:02}", dt.hour())),
            'I' => out.push_str(&format!("{h12:02}")),
            'M' => out.push_str(&format!("{:02}", dt.minute())),
            'S' => out.push_str(&format!("{:02}", dt.second())),
            'f' => out.push_str(&format!("{micro:06}")),
            'z' => out.push_str("+0000"),
            'j' => out.push_str(&format!("{:03}", dt.ordinal())),
            'p' => out.push_str(if dt.hour() < 12 { "AM" } else { "PM" }),
            'B' => out.push_str(&title(MONTHS[dt.month0() as usize])),
            'b' => out.push_str(&title(&MONTHS[dt.month0() as usize][..3])),
            'A' => out.push_str(&title(DAYS[wd])),
            'a' => out.push_str(&title(&DAYS[wd][..3])),
            '%' => out.push('%'),
            d => {
                out.push('%');
                out.push(d);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str, f: &str) -> Result<f64, ParseFail> {
        Strptime::new(f).unwrap().parse(s)
    }

    #[test]
    fn parse_matches_python() {
        use ParseFail::*;
        // Expected values from CPython 3.11:
        // datetime.strptime(s, f).replace(tzinfo=timezone.utc).timestamp()
        // (or .timestamp() with %z).
        let ok: &[(&str, &str, f64)] = &[
            ("5/1/2024", "%d/%m/%Y", 1704412800.0),
            ("2024 1 5", "%Y %m %d", 1704412800.0),
            ("2024  1\t5", "%Y %m %d", 1704412800.0),
            ("JAN 2024", "%b %Y", 1704067200.0),
            ("12 AM", "%I %p", -2208988800.0),
            ("12 pm", "%I %p", -2208945600.0),
            ("2024-366", "%Y-%j", 1735603200.0),
            ("2023-366", "%Y-%j", 1704067200.0),
            ("1:2:3.5 +01:00", "%H:%M:%S.%f %z", -2208988676.5),
            ("1 Z", "%H %z", -2208985200.0),
            ("٢٠٢٤", "%Y", 1704067200.0),
            ("t5", "T%H", -2208970800.0),
            (" 5", " %d", -2208643200.0),
            (
                "10/Oct/2000:13:55:36 -0700",
                "%d/%b/%Y:%H:%M:%S %z",
                971211336.0,
            ),
            ("69", "%y", -31536000.0),
            ("68", "%y", 3092601600.0),
            ("99", "%y", 915148800.0),
            ("Monday 3 March 2025", "%A %d %B %Y", 1740960000.0),
            ("12:30:00.123456", "%H:%M:%S.%f", -2208943799.876544),
            (
                "9999-12-31 23:59:59.999999",
                "%Y-%m-%d %H:%M:%S.%f",
                253402300800.0,
            ),
            ("0001-01-01", "%Y-%m-%d", -62135596800.0),
            ("+01:30:15.5", "%z", -2208994215.5),
            ("10%", "%d%%", -2208211200.0),
        ];
        for (s, f, want) in ok {
            assert_eq!(p(s, f), Ok(*want), "{s:?} {f:?}");
        }
        let bad: &[(&str, &str, ParseFail)] = &[
            ("20241", "%Y %m", NoMatch),
            ("13", "%H %p", NoMatch),
            ("1 z", "%H %z", NoMatch),
            ("5", "%d ", NoMatch),
            ("123", "%d", NoMatch),
            ("100%", "%d%%", NoMatch),
            ("29 2", "%d %m", Invalid),
            ("60", "%S", Invalid),
            ("2024-02-30", "%Y-%m-%d", Invalid),
            ("0000", "%Y", Invalid),
            ("+2400", "%z", Invalid),
            ("+01:0030", "%z", Invalid),
            ("auguſt", "%B", Invalid),
            ("9999-366", "%Y-%j", Invalid),
        ];
        for (s, f, want) in bad {
            assert_eq!(p(s, f).unwrap_err(), *want, "{s:?} {f:?}");
        }
    }

    #[test]
    fn formats_are_checked() {
        assert!(Strptime::new("%Q").is_err());
        assert!(Strptime::new("%").is_err());
        assert!(Strptime::new("%d %d").is_err());
        assert!(check_strftime("%d %d %%").is_ok());
        assert!(check_strftime("%c").is_err());
    }

    #[test]
    fn format_matches_python() {
        // datetime.fromtimestamp(t, timezone.utc).strftime(f) in CPython 3.11.
        let f = |t: Timestamp, fmt: &str| strftime(t, fmt).unwrap();
        use Timestamp::*;
        assert_eq!(
            f(Int(-62135596800), "%Y %y %j %a %A %b %B %p %I %f %z é%%"),
            "1 01 001 Mon Monday Jan January AM 12 000000 +0000 é%"
        );
        assert_eq!(f(Int(-59042995200), "%Y|%y"), "99|99");
        assert_eq!(f(Float(1.5), "%f"), "500000");
        assert_eq!(f(Float(-0.0000005), "%S.%f"), "00.000000");
        assert_eq!(f(Float(0.0000015), "%f"), "000002");
        assert_eq!(
            f(Float(-1.25), "%Y-%m-%d %H:%M:%S.%f"),
            "1969-12-31 23:59:58.750000"
        );
        assert_eq!(
            f(Int(1700000000), "%d/%b/%Y:%H:%M:%S %z %p %I"),
            "14/Nov/2023:22:13:20 +0000 PM 10"
        );
        assert!(strftime(Int(253402300800), "%Y").is_err());
        assert!(strftime(Int(-62135596801), "%Y").is_err());
        assert!(strftime(Float(f64::NAN), "%Y").is_err());
        assert!(strftime(Float(1e300), "%Y").is_err());
    }
}
