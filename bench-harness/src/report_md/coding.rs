//! What coding labels against the link costs: each run with labels coded
//! against the link beside its plain pair (same configuration, seed and
//! repetition, run back to back by the sweep), label bytes per message and
//! throughput, with the median of the per-pair throughput ratios. Without
//! coded runs there is nothing to write.

use super::pairs::pairs;
use crate::format::{group_digits, num, times};
use crate::select::{config_key, strategy_rank, Rank};
use crate::stats::Summary;
use crate::table;
use shamir_runtime::link_coding::LabelCoding;
use shamir_runtime::RunReport;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A coded run and its plain pair: (plain, coded).
type Pair<'r> = (&'r RunReport, &'r RunReport);

/// Writes the comparison of the coded runs among `runs` with their plain
/// pairs, if any has one.
pub(super) fn write(out: &mut String, runs: &[&RunReport]) {
    let (pairs, _) = pairs(
        runs,
        |r| r.label_coding == LabelCoding::Link,
        |r| r.secure.to_string(),
    );
    let mut by_config: BTreeMap<(Rank, String), Vec<Pair>> = BTreeMap::new();
    for (p, r) in pairs {
        by_config
            .entry((
                strategy_rank(&r.strategy),
                format!("{}|{}", config_key(r), r.secure),
            ))
            .or_default()
            .push((p, r));
    }
    if by_config.is_empty() {
        return;
    }
    out.push_str("### What coding labels against the link costs\n\n");
    out.push_str(
        "Each run with labels coded against the link beside its plain pair: the same \
         configuration, seed and repetition, run back to back. Label bytes are means per \
         message; the throughput ratio is the median of the per-pair ratios, so the machine's \
         drift between pairs cancels.\n\n",
    );
    let median = |v: Vec<f64>| Summary::of(v).map_or(f64::NAN, |s| s.median);
    let mut rows = Vec::new();
    let mut findings = Vec::new();
    for pairs in by_config.values() {
        let r = pairs[0].1;
        let Some(ratio) = Summary::of(pairs.iter().map(|(p, c)| c.mul_per_s / p.mul_per_s)) else {
            continue;
        };
        let workload = if r.workload == "nested" {
            format!("nested (depth {})", r.depth)
        } else {
            r.workload.clone()
        };
        findings.push(format!(
            "**{}** on {workload} keeps {} of its plain throughput",
            r.strategy,
            times(ratio.median)
        ));
        rows.push(vec![
            r.strategy.clone(),
            workload,
            r.players.to_string(),
            group_digits(r.n),
            if r.secure { "secure" } else { "plaintext" }.to_string(),
            pairs.len().to_string(),
            num(median(pairs.iter().map(|p| p.0.label_bytes_mean).collect())),
            num(median(pairs.iter().map(|p| p.1.label_bytes_mean).collect())),
            num(median(pairs.iter().map(|p| p.0.mul_per_s).collect())),
            num(median(pairs.iter().map(|p| p.1.mul_per_s).collect())),
            times(ratio.median),
            format!("{}–{}", times(ratio.min), times(ratio.max)),
        ]);
    }
    out.push_str(&table::markdown(
        &[
            "strategy",
            "workload",
            "players",
            "n",
            "links",
            "pairs",
            "label B plain",
            "label B coded",
            "plain (mul/s)",
            "coded (mul/s)",
            "coded / plain",
            "min–max",
        ],
        &rows,
    ));
    let _ = writeln!(out, "{}.\n", findings.join("; "));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::tests::report;

    #[test]
    fn pairs_coded_runs_with_their_plain_runs() {
        let mut runs = Vec::new();
        for (seed, ratio) in [(1, 0.5), (2, 0.8), (3, 0.9)] {
            let mut p = report("counter", "independent");
            p.seed = seed;
            p.mul_per_s = 1000.0;
            p.label_bytes_mean = 3.0;
            let mut c = p.clone();
            c.label_coding = LabelCoding::Link;
            c.mul_per_s = 1000.0 * ratio;
            c.label_bytes_mean = 1.0;
            runs.push(p);
            runs.push(c);
        }
        // A coded run without a plain pair is left out.
        let mut lone = report("history", "independent");
        lone.label_coding = LabelCoding::Link;
        runs.push(lone);
        let refs: Vec<&RunReport> = runs.iter().collect();
        let mut out = String::new();
        write(&mut out, &refs);
        let row = out
            .lines()
            .find(|l| l.starts_with("| counter"))
            .expect("a counter row");
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(
            &cells[6..13],
            ["3", "3", "1", "1\u{2009}000", "800", "0.80×", "0.50×–0.90×"]
        );
        assert!(!out.contains("| history"));
        let mut none = String::new();
        write(&mut none, &refs[..1]);
        assert!(none.is_empty());
    }
}
