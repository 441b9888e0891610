//! Section 6, off loopback: runs whose players each had a network namespace
//! of their own. Every configuration's median throughput and latency, and
//! its results' correctness, by strategy, workload, link rate, delay, label
//! coding and security mode; the figures (throughput against the rate,
//! `chain`'s latency against the delay) come before it.

use crate::figures::{rate_name, rate_order};
use crate::format::{group_digits, num};
use crate::select::{strategy_rank, Rank};
use crate::stats::{failures, Summary};
use crate::table;
use shamir_runtime::RunReport;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Writes the table of the runs in namespaces among `runs`, if there are any.
pub(super) fn write(out: &mut String, runs: &[&RunReport]) {
    type Key = (Rank, String, u32, std::cmp::Reverse<u64>, u64, String, bool);
    let mut by: BTreeMap<Key, Vec<&RunReport>> = BTreeMap::new();
    for r in runs.iter().filter(|r| r.netns) {
        let workload = if r.workload == "nested" {
            format!("nested (depth {})", r.depth)
        } else {
            r.workload.clone()
        };
        by.entry((
            strategy_rank(&r.strategy),
            workload,
            r.players,
            rate_order(r.rate_bps),
            r.delay_us,
            r.label_coding.to_string(),
            r.secure,
        ))
        .or_default()
        .push(r);
    }
    if by.is_empty() {
        return;
    }
    out.push_str(
        "Every configuration run with its players in network namespaces: the median over its \
         repetitions of throughput and of the median latency per multiplication, and its \
         failures (results not correct at every player) over all repetitions. Runs that hung \
         or failed count their unchecked results as failures and are left out of the medians.\n\n",
    );
    let median = |v: Vec<f64>| Summary::of(v).map_or("–".to_string(), |s| num(s.median));
    let mut rows = Vec::new();
    let mut by_strategy: BTreeMap<Rank, (u64, u64, usize)> = BTreeMap::new();
    for ((rank, workload, players, _, delay, coding, secure), rs) in &by {
        let r = rs[0];
        let done: Vec<&&RunReport> = rs.iter().filter(|r| r.error.is_none() && !r.hung).collect();
        let lost: u64 = rs.iter().map(|r| failures(r)).sum();
        let outputs: u64 = rs.iter().map(|r| r.outputs).sum();
        let e = by_strategy.entry(rank.clone()).or_default();
        e.0 += lost;
        e.1 += outputs;
        e.2 += rs.len();
        rows.push(vec![
            r.strategy.clone(),
            workload.clone(),
            players.to_string(),
            group_digits(r.n),
            rate_name(r.rate_bps),
            group_digits(*delay),
            coding.clone(),
            if *secure { "secure" } else { "plaintext" }.to_string(),
            rs.len().to_string(),
            median(done.iter().map(|r| r.mul_per_s).collect()),
            median(done.iter().map(|r| r.latency_p50_us).collect()),
            format!("{} / {}", group_digits(lost), group_digits(outputs)),
        ]);
    }
    out.push_str(&table::markdown(
        &[
            "strategy",
            "workload",
            "players",
            "n",
            "link rate",
            "delay (µs)",
            "labels",
            "links",
            "reps",
            "mul/s",
            "p50 latency (µs)",
            "failures / results",
        ],
        &rows,
    ));
    let parts: Vec<String> = by_strategy
        .iter()
        .map(|((_, name), (lost, outputs, n))| {
            format!(
                "{name} {} failures in {} results over {n} runs",
                group_digits(*lost),
                group_digits(*outputs)
            )
        })
        .collect();
    let _ = writeln!(out, "\nCorrectness off loopback: {}.\n", parts.join("; "));
}
