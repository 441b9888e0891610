//! Under the label bytes by workload: static labels through loops on opened
//! values. On each loop workload, every strategy's mean label, and static's
//! against the counter's (inside a loop a static label is a path: the loop's
//! number, the iteration, the number in the loop).

use crate::figures::Figure;
use crate::format::{num, times};
use std::fmt::Write as _;

/// The workloads whose programs loop on opened values.
const LOOPS: [&str; 2] = ["random-bits", "retry"];

pub(super) fn write(out: &mut String, f: &Figure) {
    let at = |strategy: &str, workload: &str| {
        f.series
            .iter()
            .filter(|s| s.strategy == strategy)
            .flat_map(|s| &s.points)
            .find(|p| p.x_name == workload)
            .map(|p| p.y.median)
    };
    for workload in LOOPS {
        let each: Vec<String> = f
            .series
            .iter()
            .filter_map(|s| {
                let p = s.points.iter().find(|p| p.x_name == workload)?;
                Some(format!("{} {} B", s.name, num(p.y.median)))
            })
            .collect();
        if each.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "**Loops on opened values, `{workload}`**: {}",
            each.join(", ")
        );
        if let (Some(st), Some(c)) = (at("static", workload), at("counter", workload)) {
            let _ = write!(
                out,
                ". Static labels run through its loops as paths, {} the counter's",
                times(st / c)
            );
        }
        out.push_str(".\n\n");
    }
}
