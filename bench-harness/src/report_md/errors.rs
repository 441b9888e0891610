//! The runs that hung or ended in an error, by strategy and workload, with
//! the first error of each.

use crate::select::{strategy_rank, workload_rank, Rank};
use crate::table;
use shamir_runtime::RunReport;
use std::collections::BTreeMap;

/// Writes the section on the hung and failed runs among `runs`.
pub(super) fn write(out: &mut String, runs: &[&RunReport]) {
    let mut by: BTreeMap<(Rank, Rank), (usize, usize, String)> = BTreeMap::new();
    for r in runs.iter().filter(|r| r.hung || r.error.is_some()) {
        let e = by
            .entry((strategy_rank(&r.strategy), workload_rank(&r.workload)))
            .or_insert((0, 0, String::new()));
        if r.hung {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
        if e.2.is_empty() {
            e.2 = r.error.clone().unwrap_or_default();
        }
    }
    out.push_str("## Hung and failed runs\n\n");
    if by.is_empty() {
        out.push_str("No run hung and none ended in an error.\n");
        return;
    }
    out.push_str(
        "Hung runs hit their timeout; they count in the correctness table (every unchecked output a \
         failure) and are left out of throughput, latency and wall time.\n\n",
    );
    let rows: Vec<Vec<String>> = by
        .into_iter()
        .map(|((s, w), (h, e, first))| vec![s.1, w.1, h.to_string(), e.to_string(), first])
        .collect();
    out.push_str(&table::markdown(
        &["strategy", "workload", "hung", "errors", "first error"],
        &rows,
    ));
}
