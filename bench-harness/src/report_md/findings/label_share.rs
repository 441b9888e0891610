//! Under the label share of the wire: the smallest and the largest median
//! share, then each strategy's range over the workloads.

use crate::figures::Figure;
use crate::format::num;
use crate::stats::Summary;
use std::fmt::Write as _;

pub(super) fn write(out: &mut String, f: &Figure) {
    let mut all: Vec<(f64, &str, &str)> = Vec::new();
    for s in &f.series {
        for p in &s.points {
            all.push((p.y.median, s.label.as_str(), p.x_name.as_str()));
        }
    }
    let lo = all.iter().min_by(|a, b| a.0.total_cmp(&b.0));
    let hi = all.iter().max_by(|a, b| a.0.total_cmp(&b.0));
    if let (Some(lo), Some(hi)) = (lo, hi) {
        let _ = writeln!(
            out,
            "Labels took from {} % of the bytes on the wire ({} on `{}`) to {} % ({} on `{}`), medians.\n",
            num(lo.0),
            lo.1,
            lo.2,
            num(hi.0),
            hi.1,
            hi.2
        );
    }
    for s in &f.series {
        let ys: Vec<f64> = s.points.iter().map(|p| p.y.median).collect();
        if let Some(sum) = Summary::of(ys) {
            let _ = writeln!(
                out,
                "- **{}**: {} % to {} % over {} workload{} (median {} %).",
                s.label,
                num(sum.min),
                num(sum.max),
                sum.count,
                if sum.count == 1 { "" } else { "s" },
                num(sum.median)
            );
        }
    }
    out.push('\n');
}
