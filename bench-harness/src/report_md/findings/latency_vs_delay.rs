//! Under `chain`'s latency against the delay: each strategy's median latency
//! per multiplication at each delay, as one-way trips (latency ÷ delay).

use crate::figures::Figure;
use crate::format::num;
use std::fmt::Write as _;

pub(super) fn write(out: &mut String, f: &Figure) {
    for s in &f.series {
        let trips: Vec<String> = s
            .points
            .iter()
            .filter_map(|p| {
                let delay: f64 = p.x_name.replace(['\u{2009}', ',', ' '], "").parse().ok()?;
                (delay > 0.0).then(|| {
                    format!(
                        "{} µs at {} µs ({} one-way delays)",
                        num(p.y.median),
                        p.x_name,
                        num(p.y.median / delay)
                    )
                })
            })
            .collect();
        if trips.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "**{}**: median latency per multiplication {}.\n",
            s.name,
            trips.join(", ")
        );
    }
}
