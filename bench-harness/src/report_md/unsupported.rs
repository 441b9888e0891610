//! The runs a strategy refused before they started (static labels on a
//! program that branches on an opened value), by strategy and workload.

use crate::select::{strategy_rank, workload_rank, Rank};
use crate::table;
use shamir_runtime::RunReport;
use std::collections::BTreeMap;

/// Writes the section on the unsupported runs among `runs`.
pub(super) fn write(out: &mut String, runs: &[RunReport]) {
    out.push_str("## Unsupported combinations\n\n");
    let mut by: BTreeMap<(Rank, Rank, String), usize> = BTreeMap::new();
    for r in runs.iter().filter(|r| r.unsupported) {
        let reason = r
            .unsupported_reason
            .clone()
            .unwrap_or_else(|| "no reason given".into());
        *by.entry((
            strategy_rank(&r.strategy),
            workload_rank(&r.workload),
            reason,
        ))
        .or_default() += 1;
    }
    if by.is_empty() {
        out.push_str("Every strategy accepted every program it was given.\n\n");
        return;
    }
    out.push_str(
        "These runs were refused before they started and are left out of every number above.\n\n",
    );
    let rows: Vec<Vec<String>> = by
        .into_iter()
        .map(|((s, w, reason), n)| vec![s.1, w.1, n.to_string(), reason])
        .collect();
    out.push_str(&table::markdown(
        &["strategy", "workload", "runs", "reason"],
        &rows,
    ));
}
