//! Under the latency on `chain`: each strategy's median p50 and p99, their
//! ratio, and the range of the p99 over single runs.

use crate::figures::Figure;
use crate::format::{num, times};
use std::fmt::Write as _;

pub(super) fn write(out: &mut String, f: &Figure) {
    for s in &f.series {
        let p50 = s.points.iter().find(|p| p.x_name == "p50");
        let p99 = s.points.iter().find(|p| p.x_name == "p99");
        if let (Some(a), Some(b)) = (p50, p99) {
            let _ = writeln!(
                out,
                "**{}**: median p50 {} µs, median p99 {} µs (p99/p50 {}); the p99 of single runs ranged \
                 from {} to {} µs.\n",
                s.label,
                num(a.y.median),
                num(b.y.median),
                times(b.y.median / a.y.median),
                num(b.y.min),
                num(b.y.max)
            );
        }
    }
}
