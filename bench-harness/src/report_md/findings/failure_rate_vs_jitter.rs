//! Under the failure rate against jitter: each strategy's median rate at the
//! least and the most jitter (and the worst in between), and the share of its
//! results that were correct; the strategies that never failed in one line.

use crate::figures::Figure;
use crate::format::num;
use std::fmt::Write as _;

pub(super) fn write(out: &mut String, f: &Figure) {
    let mut zero = Vec::new();
    for s in &f.series {
        let all: Vec<f64> = s
            .points
            .iter()
            .flat_map(|p| p.values.iter().copied())
            .collect();
        if all.iter().all(|v| *v == 0.0) {
            zero.push(format!("**{}**", s.label));
            continue;
        }
        let (Some(first), Some(last)) = (s.points.first(), s.points.last()) else {
            continue;
        };
        let failing = all.iter().filter(|v| **v > 0.0).count();
        let mean = all.iter().sum::<f64>() / all.len() as f64;
        let worst = s
            .points
            .iter()
            .max_by(|a, b| a.y.median.total_cmp(&b.y.median))
            .unwrap_or(first);
        let _ = write!(
            out,
            "**{}**: the median failure rate was {} per 10⁴ at {} µs of jitter",
            s.label,
            num(first.y.median),
            first.x_name
        );
        if last.x != first.x {
            let _ = write!(
                out,
                " and {} per 10⁴ at {} µs",
                num(last.y.median),
                last.x_name
            );
        }
        if worst.x != last.x && worst.x != first.x {
            let _ = write!(
                out,
                ", highest ({}) at {} µs",
                num(worst.y.median),
                worst.x_name
            );
        }
        let _ = writeln!(
            out,
            ". {} of its {} runs in this plot had at least one failure; the mean rate over all of \
             them is {} per 10⁴, i.e. {} % of its results were correct.\n",
            failing,
            all.len(),
            num(mean),
            num(100.0 - mean / 100.0)
        );
    }
    if !zero.is_empty() {
        let _ = writeln!(
            out,
            "{} had no failure at any jitter in this plot (drawn at zero).\n",
            zero.join(", ")
        );
    }
}
