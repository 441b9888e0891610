//! Numbers and durations written for people: in REPORT.md's tables and
//! sentences, in the plots' subtitles, categories and axis ticks. Every
//! number the harness shows a reader goes through one of these, so the report
//! and the plots write the same value the same way.

use std::collections::BTreeSet;
use std::time::Duration;

/// A number for a table or a sentence: grouped digits from 1 000 up, about
/// three significant digits below.
pub(crate) fn num(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        return "–".into();
    }
    if a == 0.0 {
        return "0".into();
    }
    let sign = if v < 0.0 { "−" } else { "" };
    if a >= 1000.0 {
        return format!("{sign}{}", group_digits(a.round() as u64));
    }
    let decimals = if a >= 100.0 || a.fract() == 0.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        (2 - a.log10().floor() as i32).max(0) as usize
    };
    format!("{sign}{a:.decimals$}")
}

/// A ratio, e.g. `0.89×`.
pub(crate) fn times(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}×")
    } else {
        "–".into()
    }
}

/// Ranges of integers, e.g. `1–3, 7`.
pub(crate) fn ranges(values: &BTreeSet<u64>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut it = values.iter().copied().peekable();
    while let Some(start) = it.next() {
        let mut end = start;
        while it.peek() == Some(&(end + 1)) {
            end = it.next().unwrap_or(end);
        }
        out.push(if end == start {
            start.to_string()
        } else {
            format!("{start}–{end}")
        });
    }
    out.join(", ")
}

/// Writes an integer with thin spaces between groups of three digits.
pub(crate) fn group_digits(v: u64) -> String {
    grouped(v, '\u{2009}')
}

/// Writes an integer with `separator` between groups of three digits.
pub(crate) fn grouped(v: u64, separator: char) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// "40 s", "12 min" or "6.5 h".
pub(crate) fn duration_words(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 120.0 {
        format!("{} s", s.round())
    } else if s < 2.0 * 3600.0 {
        format!("{} min", (s / 60.0).round())
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// A plot's tick label: compact (k, M, G) from 1 000 up, else up to 3
/// significant digits.
pub(crate) fn tick_label(v: f64) -> String {
    let a = v.abs();
    if a < 1e-12 {
        return "0".into();
    }
    for (unit, div) in [("G", 1e9), ("M", 1e6), ("k", 1e3)] {
        if a >= div {
            return format!("{}{unit}", trim(v / div, 3));
        }
    }
    trim(v, 3)
}

/// `v` with at most `sig` significant digits, trailing zeros removed.
fn trim(v: f64, sig: i32) -> String {
    let a = v.abs();
    if a < 1e-4 {
        let s = format!("{v:.0e}");
        return s.replace("e-", "e−");
    }
    let decimals = (sig - 1 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_formatted_for_reading() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(466_510.3), "466\u{2009}510");
        assert_eq!(num(123.4), "123");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(1.984), "1.98");
        assert_eq!(num(0.0123), "0.0123");
        assert_eq!(num(f64::NAN), "–");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(-0.5), "−0.500");
        assert_eq!(num(-2500.0), "−2\u{2009}500");
        assert_eq!(times(0.891), "0.89×");
    }

    #[test]
    fn seed_ranges() {
        let s: BTreeSet<u64> = [1, 2, 3, 5, 7, 8].into_iter().collect();
        assert_eq!(ranges(&s), "1–3, 5, 7–8");
        assert_eq!(ranges(&BTreeSet::new()), "");
    }

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1\u{2009}000");
        assert_eq!(group_digits(1_234_567), "1\u{2009}234\u{2009}567");
    }

    #[test]
    fn tick_labels() {
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(tick_label(5.0), "5");
        assert_eq!(tick_label(2.5), "2.5");
        assert_eq!(tick_label(1000.0), "1k");
        assert_eq!(tick_label(10_000.0), "10k");
        assert_eq!(tick_label(250_000.0), "250k");
        assert_eq!(tick_label(1_500_000.0), "1.5M");
        assert_eq!(tick_label(0.01), "0.01");
        assert_eq!(tick_label(0.0005), "0.0005");
        assert_eq!(tick_label(0.00002), "2e−5");
    }
}
