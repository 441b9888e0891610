//! Under the throughput against players: each strategy's median throughput
//! at the fewest and the most players, and their ratio.

use crate::figures::Figure;
use crate::format::{num, times};
use std::fmt::Write as _;

pub(super) fn write(out: &mut String, f: &Figure) {
    for s in &f.series {
        let (Some(a), Some(b)) = (s.points.first(), s.points.last()) else {
            continue;
        };
        if s.points.len() < 2 {
            continue;
        }
        let _ = writeln!(
            out,
            "**{}**: from {} to {} players, the median throughput went from {} to {} multiplications/s ({}).\n",
            s.label,
            a.x_name,
            b.x_name,
            num(a.y.median),
            num(b.y.median),
            times(b.y.median / a.y.median)
        );
    }
}
