//! Under the failure rate against the window: for each strategy that failed,
//! where it was always right, where it was right about 99.99 % of the time
//! (at most 1 failure per 10⁴), where it collapsed (half its results or more
//! wrong), and the spread over repetitions; the strategies that never failed
//! in one line.

use crate::figures::Figure;
use crate::format::num;
use crate::select::series::Point;
use std::fmt::Write as _;

/// At most this many failures per 10⁴: right about 99.99 % of the time.
const NEAR_RIGHT: f64 = 1.0;
/// At least this many failures per 10⁴ (half the results): collapsed.
const COLLAPSED: f64 = 5_000.0;

/// The windows of `points`, as "1, 2 and 4".
fn windows(points: &[&Point]) -> String {
    let names: Vec<&str> = points.iter().map(|p| p.x_name.as_str()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The share of results right at `rate` failures per 10⁴, with as many
/// decimals as it takes to tell it from 100 % (99.96, not 100.0).
fn percent_right(rate: f64) -> String {
    let right = 100.0 - rate / 100.0;
    if rate <= 0.0 || rate >= 1e4 {
        return num(right);
    }
    let decimals = (-(rate / 100.0).log10()).ceil().max(1.0) as usize + 1;
    let text = format!("{right:.decimals$}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub(super) fn write(out: &mut String, f: &Figure) {
    let mut zero = Vec::new();
    for s in &f.series {
        let all = s.points.iter().flat_map(|p| p.values.iter());
        if all.clone().all(|v| *v == 0.0) {
            zero.push(format!("**{}**", s.label));
            continue;
        }
        let _ = write!(out, "**{}**: ", s.label);
        let always: Vec<&Point> = s.points.iter().filter(|p| p.y.max == 0.0).collect();
        let near: Vec<&Point> = s
            .points
            .iter()
            .filter(|p| p.y.max > 0.0 && p.y.median <= NEAR_RIGHT)
            .collect();
        let collapsed: Vec<&Point> = s
            .points
            .iter()
            .filter(|p| p.y.median >= COLLAPSED)
            .collect();
        let mut said = Vec::new();
        if !always.is_empty() {
            said.push(format!(
                "every result right in every repetition at window {}",
                windows(&always)
            ));
        }
        if !near.is_empty() {
            said.push(format!(
                "right about 99.99 % of the time (median at most {} failure per 10⁴, some \
                 repetition failing) at window {}",
                num(NEAR_RIGHT),
                windows(&near)
            ));
        }
        if !collapsed.is_empty() {
            said.push(format!(
                "collapsed (median {} failures per 10⁴ or more: half its results or more \
                 wrong) at window {}",
                num(COLLAPSED),
                windows(&collapsed)
            ));
        }
        if said.is_empty() {
            said.push("failing at every window, never collapsing".to_string());
        }
        let _ = writeln!(out, "{}.", said.join("; "));
        // The spread: repetitions differ in their seed and in the machine's
        // timing, which the naive counter depends on.
        let spread: Vec<String> = s
            .points
            .iter()
            .map(|p| {
                format!(
                    "{}: {} ({}–{}, {} % right)",
                    p.x_name,
                    num(p.y.median),
                    num(p.y.min),
                    num(p.y.max),
                    percent_right(p.y.median)
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "Median failures per 10⁴ (min–max over repetitions) by window: {}.\n",
            spread.join("; ")
        );
    }
    if !zero.is_empty() {
        let _ = writeln!(
            out,
            "{} had no failure at any window in this plot (drawn on the zero row).\n",
            zero.join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::{self, FigureId};
    use crate::stats::tests::report;

    #[test]
    fn says_where_naive_is_right_nearly_right_and_collapsed() {
        let mut runs = Vec::new();
        for w in [1, 4, 16] {
            for seed in 1..=3u64 {
                let mut r = report("naive", "pairs");
                (r.window, r.seed, r.n, r.outputs) = (w, seed, 100_000, 100_000);
                r.correct = match (w, seed) {
                    (1, _) | (4, 1 | 2) => 100_000,
                    (4, _) => 99_999,
                    _ => 100,
                };
                runs.push(r);
                let mut r = report("counter", "pairs");
                (r.window, r.seed, r.n, r.outputs, r.correct) =
                    (w, seed, 100_000, 100_000, 100_000);
                runs.push(r);
            }
        }
        assert_eq!(percent_right(4.0), "99.96");
        assert_eq!(percent_right(0.4), "99.996");
        assert_eq!(percent_right(9_990.0), "0.1");
        let figs = figures::all(&runs);
        let f = figs
            .iter()
            .flatten()
            .find(|f| f.id == FigureId::FailureRateVsWindow)
            .expect("drawn");
        let mut out = String::new();
        write(&mut out, f);
        assert!(
            out.contains("every result right in every repetition at window 1;"),
            "{out}"
        );
        assert!(out.contains("99.99 % of the time"), "{out}");
        assert!(out.contains("at window 4;"), "{out}");
        assert!(out.contains("or more wrong) at window 16."), "{out}");
        assert!(out.contains("4: 0 (0–0.100, 100 % right)"), "{out}");
        assert!(out.contains(", 0.1 % right)."), "{out}");
        assert!(
            out.contains("**counter** had no failure at any window"),
            "{out}"
        );
    }
}
