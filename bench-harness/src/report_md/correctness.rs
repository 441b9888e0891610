//! Section 1's table and findings: per strategy variant and workload, over
//! every supported run, how many results were not correct at every player.

use crate::format::{group_digits, num};
use crate::select::{cell_key, variant_key, workload_rank, Rank, VariantKey, Variants};
use crate::stats::{failure_rate_per_10k, failures, Summary};
use crate::table;
use shamir_runtime::RunReport;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Writes the correctness table of `runs` and one finding per strategy variant.
pub(super) fn write(out: &mut String, runs: &[&RunReport]) {
    type Key = (VariantKey, Rank);
    let variants = Variants::of(runs.iter().copied());
    let mut by: BTreeMap<Key, Vec<&RunReport>> = BTreeMap::new();
    for r in runs {
        by.entry((variant_key(r), workload_rank(&r.workload)))
            .or_default()
            .push(r);
    }
    out.push_str(
        "A result fails when it is not correct at every player: `outputs − correct`, which counts \
         wrong results, results of inconsistent openings (unverifiable) and results never checked. \
         A run that hung or ended in an error therefore counts every output it did not check as a \
         failure. Failure rates are per 10⁴ outputs; on `independent`, per 10⁴ multiplications. \
         Over every parameter setting:\n\n",
    );
    let mut rows = Vec::new();
    for (((s, t), w), rs) in &by {
        let rates: Vec<f64> = rs.iter().filter_map(|r| failure_rate_per_10k(r)).collect();
        let sum = Summary::of(rates);
        let cells: BTreeSet<String> = rs.iter().map(|r| cell_key(r)).collect();
        rows.push(vec![
            variants.name(&s.1, *t),
            w.1.clone(),
            rs.len().to_string(),
            cells.len().to_string(),
            rs.iter().filter(|r| failures(r) == 0).count().to_string(),
            format!(
                "{} / {}",
                group_digits(rs.iter().map(|r| failures(r)).sum()),
                group_digits(rs.iter().map(|r| r.outputs).sum())
            ),
            sum.map_or("–".into(), |s| num(s.median)),
            sum.map_or("–".into(), |s| num(s.min)),
            sum.map_or("–".into(), |s| num(s.max)),
            group_digits(rs.iter().map(|r| r.wrong).sum()),
            group_digits(rs.iter().map(|r| r.inconsistent_opens).sum()),
            rs.iter().filter(|r| r.hung).count().to_string(),
            rs.iter()
                .filter(|r| r.error.is_some() && !r.hung)
                .count()
                .to_string(),
        ]);
    }
    out.push_str(&table::markdown(
        &[
            "strategy",
            "workload",
            "runs",
            "configs",
            "runs all correct",
            "failed / outputs",
            "median failures per 10⁴",
            "min",
            "max",
            "wrong",
            "inconsistent opens",
            "hung",
            "errors",
        ],
        &rows,
    ));
    // Findings, one per strategy variant.
    let mut per: BTreeMap<VariantKey, Vec<&RunReport>> = BTreeMap::new();
    for r in runs {
        per.entry(variant_key(r)).or_default().push(r);
    }
    for (((_, strategy), t), rs) in &per {
        let s = variants.name(strategy, *t);
        let failed: Vec<&&RunReport> = rs.iter().filter(|r| failures(r) > 0).collect();
        let workloads: BTreeSet<Rank> = rs.iter().map(|r| workload_rank(&r.workload)).collect();
        let outputs: u64 = rs.iter().map(|r| r.outputs).sum();
        let bad: u64 = rs.iter().map(|r| failures(r)).sum();
        let hung = rs.iter().filter(|r| r.hung).count();
        if failed.is_empty() {
            let _ = writeln!(
                out,
                "**{s}** returned every result correctly in all {} of its runs ({} results, {} workload{}: {}).\n",
                rs.len(),
                group_digits(outputs),
                workloads.len(),
                if workloads.len() == 1 { "" } else { "s" },
                names(&workloads)
            );
        } else {
            let bad_w: BTreeSet<Rank> = failed.iter().map(|r| workload_rank(&r.workload)).collect();
            let good_w: BTreeSet<Rank> = workloads.difference(&bad_w).cloned().collect();
            let _ = write!(
                out,
                "**{s}** failed in {} of its {} runs: {} of {} results ({} %) were not correct at every \
                 player, and {} run{} hung. It failed on {}",
                failed.len(),
                rs.len(),
                group_digits(bad),
                group_digits(outputs),
                num(100.0 * bad as f64 / outputs.max(1) as f64),
                hung,
                if hung == 1 { "" } else { "s" },
                names(&bad_w)
            );
            if good_w.is_empty() {
                out.push_str(".\n\n");
            } else {
                let _ = writeln!(out, " and never on {}.\n", names(&good_w));
            }
        }
    }
}

/// Workloads as prose: "`a`, `b` and `c`".
fn names(set: &BTreeSet<Rank>) -> String {
    let v: Vec<String> = set.iter().map(|x| format!("`{}`", x.1)).collect();
    match v.len() {
        0 => String::new(),
        1 => v[0].clone(),
        k => format!("{} and {}", v[..k - 1].join(", "), v[k - 1]),
    }
}
