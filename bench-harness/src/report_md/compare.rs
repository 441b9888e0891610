//! The last section of a report that has a reference: how these runs compare
//! with the committed results of the same name (`results/<name>`, or
//! `--reference DIR`), so that a user's sweep says whether it reproduces them.
//! Runs are paired by configuration and seed; the section gives, per
//! strategy, how many pairs came out the same (every result correct, or not),
//! sent the same label bytes, and the median ratio of their throughputs.

use crate::format::{group_digits, times};
use crate::select::{cell_key, strategy_rank, timed, Rank};
use crate::stats::{failures, Summary};
use crate::table;
use shamir_runtime::RunReport;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Committed results to compare a report's runs with.
#[derive(Debug)]
pub struct Reference {
    /// Where they are, as the report names them.
    pub path: PathBuf,
    /// Their runs.
    pub runs: Vec<RunReport>,
}

/// What one strategy's pairs came to.
#[derive(Default)]
struct Tally {
    pairs: usize,
    same_outcome: usize,
    same_label_bytes: usize,
    ratios: Vec<f64>,
}

/// Whether a run returned every result correctly, without hanging or erring.
fn clean(r: &RunReport) -> bool {
    failures(r) == 0 && r.wrong == 0 && r.inconsistent_opens == 0 && !r.hung && r.error.is_none()
}

/// A run's configuration and seed: what pairs it with its counterpart.
fn pair_key(r: &RunReport) -> String {
    format!("{}|{}", cell_key(r), r.seed)
}

/// Writes the section comparing `runs` with `reference`.
pub(super) fn write(out: &mut String, runs: &[RunReport], reference: &Reference) {
    let _ = writeln!(
        out,
        "## Compared with the committed results\n\nThese runs against the {} committed in \
         `{}`, paired by configuration and seed.",
        group_digits(reference.runs.len() as u64),
        reference.path.display()
    );
    let revisions: BTreeSet<&str> = reference.runs.iter().map(|r| r.git_rev.as_str()).collect();
    let machines: BTreeSet<&str> = reference
        .runs
        .iter()
        .map(|r| r.machine_cpu.as_str())
        .collect();
    let list = |s: &BTreeSet<&str>| s.iter().copied().collect::<Vec<_>>().join(", ");
    let _ = writeln!(
        out,
        "The committed runs were made at revision {} on {}.\n",
        list(&revisions),
        list(&machines)
    );
    let mut theirs: HashMap<String, Vec<&RunReport>> = HashMap::new();
    for r in reference.runs.iter().filter(|r| !r.unsupported) {
        theirs.entry(pair_key(r)).or_default().push(r);
    }
    let mut tallies: BTreeMap<Rank, Tally> = BTreeMap::new();
    let mut unpaired = 0;
    for r in runs.iter().filter(|r| !r.unsupported) {
        let Some(other) = theirs.get_mut(&pair_key(r)).and_then(|v| v.pop()) else {
            unpaired += 1;
            continue;
        };
        let t = tallies.entry(strategy_rank(&r.strategy)).or_default();
        t.pairs += 1;
        t.same_outcome += usize::from(clean(r) == clean(other));
        t.same_label_bytes += usize::from(r.label_bytes_total == other.label_bytes_total);
        if timed(r) && timed(other) && other.mul_per_s > 0.0 {
            t.ratios.push(r.mul_per_s / other.mul_per_s);
        }
    }
    if tallies.is_empty() {
        out.push_str("No run here has a committed counterpart: nothing to compare.\n\n");
        return;
    }
    let rows: Vec<Vec<String>> = tallies
        .iter()
        .map(|((_, name), t)| {
            let speed = Summary::of(t.ratios.iter().copied()).map_or("–".into(), |s| {
                format!("{} ({}–{})", times(s.median), times(s.min), times(s.max))
            });
            vec![
                name.clone(),
                t.pairs.to_string(),
                t.same_outcome.to_string(),
                t.same_label_bytes.to_string(),
                speed,
            ]
        })
        .collect();
    out.push_str(&table::markdown(
        &[
            "strategy",
            "pairs",
            "same outcome",
            "same label bytes",
            "throughput here ÷ committed: median (min–max)",
        ],
        &rows,
    ));
    let _ = writeln!(
        out,
        "An outcome is the same when both runs returned every result correctly, or neither \
         did. The naive control's outcome depends on timing, not only on the seed, so it may \
         differ from run to run on one machine. Throughput ratios compare machines as much as \
         code. {} run(s) here have no committed counterpart.\n",
        group_digits(unpaired)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::tests::report;
    use crate::table::squeezed;

    #[test]
    fn pairs_by_configuration_and_seed() {
        let mut mine = Vec::new();
        let mut committed = Vec::new();
        for seed in 1..=2 {
            let mut r = report("counter", "independent");
            r.seed = seed;
            r.mul_per_s = 2000.0;
            mine.push(r.clone());
            r.mul_per_s = 1000.0;
            committed.push(r);
            let mut r = report("naive", "independent");
            r.seed = seed;
            committed.push(r.clone());
            r.correct = 0;
            mine.push(r);
        }
        let mut extra = report("counter", "chain");
        extra.seed = 9;
        mine.push(extra);
        let reference = Reference {
            path: "results/quick".into(),
            runs: committed,
        };
        let mut out = String::new();
        write(&mut out, &mine, &reference);
        let out = squeezed(&out);
        assert!(out.contains("`results/quick`"), "{out}");
        assert!(out.contains("| naive | 2 | 0 | 2 |"), "{out}");
        assert!(
            out.contains("| counter | 2 | 2 | 2 | 2.00× (2.00×–2.00×) |"),
            "{out}"
        );
        assert!(
            out.contains("1 run(s) here have no committed counterpart"),
            "{out}"
        );
    }
}
