//! The report's provenance: which code ran where and when, the seeds and
//! repetitions, and how to regenerate the runs, the plots and the report.

use crate::format::ranges;
use crate::select::{strategy_rank, workload_rank, Rank};
use shamir_runtime::RunReport;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// Writes the provenance of `runs`, whose report is in folder `base`.
pub(super) fn write(out: &mut String, runs: &[RunReport], base: &Path) {
    out.push_str("## Provenance\n\n");
    let count = |f: &dyn Fn(&RunReport) -> String| -> String {
        let mut m: BTreeMap<String, usize> = BTreeMap::new();
        for r in runs {
            *m.entry(f(r)).or_default() += 1;
        }
        m.into_iter()
            .map(|(k, n)| {
                format!(
                    "`{}` ({} runs)",
                    if k.is_empty() { "unknown" } else { &k },
                    n
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let dates: BTreeSet<&str> = runs
        .iter()
        .map(|r| r.date.as_str())
        .filter(|d| !d.is_empty())
        .collect();
    let seeds: BTreeSet<u64> = runs.iter().map(|r| r.seed).collect();
    let reps: BTreeSet<u64> = runs.iter().map(|r| r.rep as u64).collect();
    let strategies: BTreeSet<Rank> = runs.iter().map(|r| strategy_rank(&r.strategy)).collect();
    let workloads: BTreeSet<Rank> = runs.iter().map(|r| workload_rank(&r.workload)).collect();
    let _ = writeln!(
        out,
        "- Code (git revision): {}",
        count(&|r| r.git_rev.clone())
    );
    let _ = writeln!(
        out,
        "- Dates: {}",
        match (dates.first(), dates.last()) {
            (Some(a), Some(b)) if a == b => a.to_string(),
            (Some(a), Some(b)) => format!("{a} to {b}"),
            _ => "unknown".into(),
        }
    );
    let _ = writeln!(
        out,
        "- Machine (CPU, logical cores, OS): {}",
        count(&|r| format!(
            "{}, {} cores, {}",
            r.machine_cpu, r.machine_cores, r.machine_os
        ))
    );
    let _ = writeln!(
        out,
        "- Seeds: {}; repetition indices (`rep`): {}",
        ranges(&seeds),
        ranges(&reps)
    );
    let _ = writeln!(
        out,
        "- Strategies: {}; workloads: {}",
        strategies
            .iter()
            .map(|s| s.1.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        workloads
            .iter()
            .map(|w| w.1.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let dir = if base.as_os_str().is_empty() {
        ".".to_string()
    } else {
        base.display().to_string()
    };
    let _ = writeln!(
        out,
        "\nTo regenerate (the sweep with the preset or grid that produced `runs.jsonl`, then the \
         plots and this report):\n\n```sh\ncargo build --release -p bench-harness\n\
         ./target/release/labelbench sweep --results {dir}    # --preset quick|full or --grid FILE, --reps R\n\
         ./target/release/labelbench plot --results {dir}\n\
         ./target/release/labelbench report --results {dir}\n```\n\n\
         Any single run is reproduced by `labelbench run --strategy S --workload W --n N --depth D \
         --players P --jitter Jus --window WIN --seed SEED` with the parameters of its line in \
         `runs.jsonl`.\n"
    );
}
