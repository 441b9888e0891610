//! Section 6, what security costs: each secure run against its insecure pair
//! (same configuration, seed and repetition, run back to back by the sweep),
//! as medians of the per-pair ratios. Without secure runs there is no
//! section.

use super::pairs::pairs;
use crate::figures::rate_name;
use crate::format::{group_digits, num, times};
use crate::select::{config_key, strategy_rank, Rank};
use crate::stats::Summary;
use crate::table;
use shamir_runtime::RunReport;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One secure run and its insecure pair: insecure mul/s, secure mul/s, their
/// ratio, and the ratio of their CPU seconds.
type Pair = (f64, f64, f64, f64);

/// Writes the section for the secure runs among `runs`, if any has a pair.
pub(super) fn write(out: &mut String, runs: &[&RunReport]) {
    let (pairs, unpaired) = pairs(runs, |r| r.secure, |r| r.label_coding.to_string());
    let mut by_config: BTreeMap<(Rank, String), (&RunReport, Vec<Pair>)> = BTreeMap::new();
    for (plain, r) in pairs {
        let cpu = match (r.cpu_s, plain.cpu_s) {
            (Some(a), Some(b)) if b > 0.0 => a / b,
            _ => f64::NAN,
        };
        by_config
            .entry((
                strategy_rank(&r.strategy),
                format!("{}|{}", config_key(r), r.label_coding),
            ))
            .or_insert((r, Vec::new()))
            .1
            .push((
                plain.mul_per_s,
                r.mul_per_s,
                r.mul_per_s / plain.mul_per_s,
                cpu,
            ));
    }
    if by_config.is_empty() {
        return;
    }
    out.push_str("## 7. What security costs\n\n");
    out.push_str(
        "Each secure run (Noise links authenticated by static keys, AES-GCM on every batch of \
         frames, PRSS keys dealt over the links) against its insecure pair: the same \
         configuration, seed and repetition, run back to back. Ratios are medians of the \
         per-pair ratios, so the machine's drift between pairs cancels.\n\n",
    );
    let median = |v: Vec<f64>| Summary::of(v).map_or(f64::NAN, |s| s.median);
    let mut rows = Vec::new();
    let mut findings = Vec::new();
    let mut per_strategy: BTreeMap<Rank, Vec<f64>> = BTreeMap::new();
    for (r, pairs) in by_config.values() {
        let Some(ratio) = Summary::of(pairs.iter().map(|p| p.2)) else {
            continue;
        };
        rows.push(vec![
            r.strategy.clone(),
            r.workload.clone(),
            r.players.to_string(),
            group_digits(r.n),
            if r.netns {
                rate_name(r.rate_bps)
            } else {
                "loopback".to_string()
            },
            r.label_coding.to_string(),
            pairs.len().to_string(),
            num(median(pairs.iter().map(|p| p.0).collect())),
            num(median(pairs.iter().map(|p| p.1).collect())),
            times(ratio.median),
            format!("{}–{}", times(ratio.min), times(ratio.max)),
            times(median(pairs.iter().map(|p| p.3).collect())),
        ]);
        per_strategy
            .entry(strategy_rank(&r.strategy))
            .or_default()
            .push(ratio.median);
        findings.push(format!(
            "**{}** ({} players, n = {}) keeps {} of its insecure throughput",
            r.strategy,
            r.players,
            group_digits(r.n),
            times(ratio.median)
        ));
    }
    out.push_str(&table::markdown(
        &[
            "strategy",
            "workload",
            "players",
            "n",
            "link",
            "labels",
            "pairs",
            "insecure (mul/s)",
            "secure (mul/s)",
            "secure / insecure",
            "min–max",
            "CPU secure / insecure",
        ],
        &rows,
    ));
    if findings.len() > per_strategy.len() {
        // Several configurations per strategy: one line each.
        findings = per_strategy
            .iter()
            .filter_map(|((_, name), ratios)| {
                let s = Summary::of(ratios.iter().copied())?;
                Some(format!(
                    "**{name}** keeps {} of its insecure throughput (median over {} \
                     configurations; {} to {})",
                    times(s.median),
                    s.count,
                    times(s.min),
                    times(s.max)
                ))
            })
            .collect();
    }
    let _ = writeln!(out, "{}.\n", findings.join("; "));
    if unpaired > 0 {
        let _ = writeln!(
            out,
            "{unpaired} finished secure runs had no finished insecure pair and are left out.\n"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::tests::report;

    #[test]
    fn security_costs_are_per_pair_ratios() {
        // Three pairs: secure at 0.8, 0.9 and 0.5 of its insecure pair, whose
        // throughput drifts from run to run; the median ratio is 0.80.
        let mut runs = Vec::new();
        for (seed, (plain, ratio)) in [(1_000_000.0, 0.8), (2_000_000.0, 0.9), (1_500_000.0, 0.5)]
            .into_iter()
            .enumerate()
        {
            let mut r = report("counter", "independent");
            r.seed = seed as u64 + 1;
            r.mul_per_s = plain;
            runs.push(r.clone());
            r.secure = true;
            r.mul_per_s = plain * ratio;
            runs.push(r);
        }
        let mut text = String::new();
        write(&mut text, &runs.iter().collect::<Vec<_>>());
        let text = crate::table::squeezed(&text);
        assert!(text.contains("## 7. What security costs"), "{text}");
        assert!(
            text.contains("| loopback | plain | 3 | 1\u{2009}500\u{2009}000 |"),
            "{text}"
        );
        assert!(text.contains("| 0.80× | 0.50×–0.90× |"), "{text}");
        assert!(text.contains("**counter** (3 players"), "{text}");
        // Without secure runs there is no section.
        let mut none = String::new();
        write(
            &mut none,
            &runs.iter().filter(|r| !r.secure).collect::<Vec<_>>(),
        );
        assert!(none.is_empty());
    }
}
