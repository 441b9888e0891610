//! `labelbench report`: writes `REPORT.md` from the runs — one section per
//! question (correctness, label size, throughput, latency, scaling, and, when
//! the runs include secure ones, what security costs), each with
//! a table of medians, minima, maxima and repetition counts, the plots drawn
//! by `labelbench plot`, and short findings whose every number is computed
//! here from the data. The tables use the same slices and grouping as the
//! plots (`crate::figures`), so a table and its plot always agree.
//!
//! This file holds the report's outline: which section comes where. Each
//! section is written by its own file: `provenance`, `correctness`, a
//! figure with its table (`figure`) and its findings (`findings`, one file
//! per figure), `coding` (labels coded against the link beside their plain
//! pairs), `security`, `unsupported`, `errors`, and, for a sweep with
//! committed results of the same name, `compare`.
//!
//! The prose is written in Rust beside the numbers, not in a template: most
//! sentences change shape with the data (a clause only when the worst jitter
//! is neither end, a plural, a caveat only past five minutes between
//! strategies), and every number passes through `crate::format`. A template
//! would hold the glue words and its `if`s while the reasons for them stayed
//! here, and its mistakes would show at run time instead of at compile time.

mod coding;
mod compare;
mod correctness;
mod errors;
mod figure;
mod findings;
mod network;
mod pairs;
mod provenance;
mod security;
mod unsupported;

pub use compare::Reference;

use crate::figures::{self, FigureId};
use crate::select::cell_key;
use anyhow::{Context, Result};
use shamir_runtime::RunReport;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

/// Writes the report of `runs`, embedding the plots in `plots`, to `out`;
/// with a `reference`, it ends comparing the runs with those committed there.
pub fn write_report(
    runs: &[RunReport],
    plots: &Path,
    out: &Path,
    reference: Option<&Reference>,
) -> Result<()> {
    let base = out.parent().unwrap_or(Path::new(""));
    let mut text = render(runs, plots, base);
    if let Some(reference) = reference.filter(|_| !runs.is_empty()) {
        compare::write(&mut text, runs, reference);
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(out, text).with_context(|| format!("writing {}", out.display()))
}

/// The report as Markdown; `base` is the report's folder, from which the
/// plots in `plots` are linked.
fn render(runs: &[RunReport], plots: &Path, base: &Path) -> String {
    let figs = figures::all(runs);
    let show = |out: &mut String, id: FigureId| figure::write(out, &figs, id, plots, base);
    let mut out = String::new();
    out.push_str("# labelbench: results\n\n");
    let supported: Vec<&RunReport> = runs.iter().filter(|r| !r.unsupported).collect();
    let cells: BTreeSet<String> = supported.iter().map(|r| cell_key(r)).collect();
    let _ = writeln!(
        out,
        "Written by `labelbench report` from {} runs ({} configurations). Every number in \
         this report is computed from those runs; none is typed by hand.\n",
        runs.len(),
        cells.len()
    );
    out.push_str(
        "**Repetitions.** Runs that agree on strategy (and label truncation), workload, players, \
         threshold, n, depth, jitter, delay, window, network (loopback, or namespaces and the link rate), security mode and label coding are repetitions of one \
         configuration, whatever \
         their seed and `rep`. Tables give the median, minimum and maximum over the repetitions \
         and their count (`reps`); plots draw the median with a min–max bar or band and each run \
         as an open circle. Runs a strategy refused (`unsupported`) are left out of every number \
         and listed at the end.\n\n",
    );
    provenance::write(&mut out, runs, base);
    if runs.is_empty() {
        out.push_str("There are no runs yet: nothing to report.\n");
        return out;
    }

    out.push_str("## 1. Correctness\n\n");
    correctness::write(&mut out, &supported);
    let loopback = supported.iter().any(|r| !r.netns);
    if loopback {
        show(&mut out, FigureId::FailureRateVsJitter);
        show(&mut out, FigureId::FailureRateVsWindow);
        out.push_str("## 2. Label size\n\n");
        show(&mut out, FigureId::LabelBytesVsDepth);
        show(&mut out, FigureId::LabelBytesByWorkload);
        show(&mut out, FigureId::LabelShare);
        show(&mut out, FigureId::LabelBytesByCoding);
        coding::write(&mut out, &supported);

        out.push_str("## 3. Throughput\n\n");
        show(&mut out, FigureId::ThroughputVsN);
        show(&mut out, FigureId::ThroughputVsPlayers);

        out.push_str("## 4. Latency\n\n");
        show(&mut out, FigureId::LatencyChain);

        out.push_str("## 5. Memory\n\n");
        show(&mut out, FigureId::MemoryVsN);
    } else {
        out.push_str(
            "Sections 2 to 5 (label size, throughput, latency and memory over loopback) are left \
             out: every run here put its players in network namespaces, whose findings are in \
             section 6.\n\n",
        );
    }
    if supported.iter().any(|r| r.netns) {
        out.push_str("## 6. Off loopback: players in network namespaces\n\n");
        show(&mut out, FigureId::ThroughputVsRate);
        show(&mut out, FigureId::LatencyVsDelay);
        network::write(&mut out, &supported);
        if !loopback {
            coding::write(&mut out, &supported);
        }
    }
    security::write(&mut out, &supported);
    unsupported::write(&mut out, runs);
    errors::write(&mut out, &supported);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::tests::report;
    use crate::table::squeezed;

    #[test]
    fn report_lists_unsupported_and_counts_failures() {
        let mut runs = Vec::new();
        for seed in 1..=3 {
            let mut r = report("naive", "independent");
            r.seed = seed;
            r.correct = 900;
            runs.push(r);
            let mut r = report("counter", "independent");
            r.seed = seed;
            runs.push(r);
        }
        let mut r = report("static", "random-bits");
        r.unsupported = true;
        r.unsupported_reason = Some("branches on an opened value".into());
        runs.push(r);
        let dir =
            std::env::temp_dir().join(format!("labelbench-report-test-{}", std::process::id()));
        let out = dir.join("REPORT.md");
        write_report(&runs, &dir.join("plots"), &out, None).unwrap();
        let text = squeezed(&std::fs::read_to_string(&out).unwrap());
        std::fs::remove_dir_all(&dir).ok();
        assert!(
            text.contains("**naive** failed in 3 of its 3 runs"),
            "{text}"
        );
        assert!(
            text.contains("300 of 3\u{2009}000 results (10 %)"),
            "{text}"
        );
        assert!(
            text.contains("**counter** returned every result correctly in all 3"),
            "{text}"
        );
        assert!(
            text.contains("| static | random-bits | 1 | branches on an opened value |"),
            "{text}"
        );
        assert!(text.contains("run `labelbench plot`"), "{text}");
        assert!(text.contains("Seeds: 1–3"), "{text}");
    }

    #[test]
    fn empty_report_does_not_fail() {
        let text = render(&[], Path::new("plots"), Path::new(""));
        assert!(text.contains("no runs yet"));
    }

    #[test]
    fn throughput_finding_says_when_strategies_ran_hours_apart() {
        // Three repetitions each, two minutes apart, starting at these minutes of the day.
        let runs_at = |counter_min: u32, history_min: u32| -> Vec<RunReport> {
            let mut runs = Vec::new();
            for rep in 0..3u32 {
                for (strategy, start) in [("counter", counter_min), ("history", history_min)] {
                    let mut r = report(strategy, "independent");
                    r.seed = u64::from(rep) + 1;
                    let m = start + 2 * rep;
                    r.date = format!("2026-01-01T{:02}:{:02}:00Z", m / 60, m % 60);
                    runs.push(r);
                }
            }
            runs
        };
        let caveat = "were not interleaved";
        let text = |runs: Vec<RunReport>| render(&runs, Path::new("plots"), Path::new(""));
        // counter's last run at 01:04, history's first at 09:00.
        let apart = text(runs_at(60, 540));
        assert!(apart.contains(caveat), "{apart}");
        assert!(apart.contains("up to 7.9 h apart"), "{apart}");
        // Interleaved, or one after the other but a minute apart: no caveat.
        assert!(!text(runs_at(60, 61)).contains(caveat));
        assert!(!text(runs_at(60, 65)).contains(caveat));
    }
}
