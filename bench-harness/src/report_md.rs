//! `labelbench report`: writes `REPORT.md` from the runs — one section per
//! question (correctness, label size, throughput, latency, scaling, and, when
//! the runs include secure ones, what security costs), each with
//! a table of medians, minima, maxima and repetition counts, the plots drawn
//! by `labelbench plot`, and short findings whose every number is computed
//! here from the data. The tables use the same slices and grouping as the
//! plots ([`crate::plot::figures`]), so a table and its plot always agree.

use crate::plot::figures::{
    self, group_digits, strategy_rank, workload_rank, Figure, Point, Skipped,
};
use crate::plot::stats::{failure_rate_per_10k, failures, fit_log_log, Summary};
use anyhow::{Context, Result};
use shamir_runtime::RunReport;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Writes the report of `runs`, embedding the plots in `plots`, to `out`.
pub fn write_report(runs: &[RunReport], plots: &Path, out: &Path) -> Result<()> {
    let base = out.parent().unwrap_or(Path::new(""));
    let text = render(runs, plots, base);
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(out, text).with_context(|| format!("writing {}", out.display()))
}

/// A number for a table or a sentence: grouped digits from 1 000 up, about
/// three significant digits below.
pub fn num(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        return "–".into();
    }
    if a == 0.0 {
        return "0".into();
    }
    let sign = if v < 0.0 { "−" } else { "" };
    if a >= 1000.0 {
        return format!("{sign}{}", group_digits(a.round() as u64));
    }
    let decimals = if a >= 100.0 || a.fract() == 0.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        (2 - a.log10().floor() as i32).max(0) as usize
    };
    format!("{sign}{a:.decimals$}")
}

/// A ratio, e.g. `0.89×`.
fn times(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}×")
    } else {
        "–".into()
    }
}

/// Ranges of integers, e.g. `1–3, 7`.
pub fn ranges(values: &BTreeSet<u64>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut it = values.iter().copied().peekable();
    while let Some(start) = it.next() {
        let mut end = start;
        while it.peek() == Some(&(end + 1)) {
            end = it.next().unwrap_or(end);
        }
        out.push(if end == start {
            start.to_string()
        } else {
            format!("{start}–{end}")
        });
    }
    out.join(", ")
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(
        out,
        "|{}|",
        header.iter().map(|_| "---").collect::<Vec<_>>().join("|")
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} |",
            r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    out.push('\n');
}

/// The path of `file` in `plots` as seen from the report's folder.
fn relative(plots: &Path, base: &Path, file: &str) -> String {
    let full: PathBuf = plots.join(file);
    let shown = full.strip_prefix(base).unwrap_or(&full);
    shown.to_string_lossy().replace('\\', "/")
}

/// The report as Markdown.
fn render(runs: &[RunReport], plots: &Path, base: &Path) -> String {
    let figs: Vec<Result<Figure, Skipped>> = figures::all(runs);
    let fig = |name: &str| -> Option<&Figure> {
        figs.iter()
            .find_map(|f| f.as_ref().ok().filter(|f| f.name == name))
    };
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
         threshold, n, depth, jitter, window and security mode are repetitions of one \
         configuration, whatever \
         their seed and `rep`. Tables give the median, minimum and maximum over the repetitions \
         and their count (`reps`); plots draw the median with a min–max bar or band and each run \
         as an open circle. Runs a strategy refused (`unsupported`) are left out of every number \
         and listed at the end.\n\n",
    );
    provenance(&mut out, runs, base);
    if runs.is_empty() {
        out.push_str("There are no runs yet: nothing to report.\n");
        return out;
    }

    out.push_str("## 1. Correctness\n\n");
    correctness(&mut out, &supported);
    section_figure(&mut out, &figs, "failure_rate_vs_jitter", plots, base);
    if let Some(f) = fig("failure_rate_vs_jitter") {
        jitter_finding(&mut out, f);
    }

    out.push_str("## 2. Label size\n\n");
    section_figure(&mut out, &figs, "label_bytes_vs_depth", plots, base);
    if let Some(f) = fig("label_bytes_vs_depth") {
        depth_finding(&mut out, f);
    }
    section_figure(&mut out, &figs, "label_share", plots, base);
    if let Some(f) = fig("label_share") {
        share_finding(&mut out, f);
    }

    out.push_str("## 3. Throughput\n\n");
    section_figure(&mut out, &figs, "throughput_vs_n", plots, base);
    if let Some(f) = fig("throughput_vs_n") {
        throughput_finding(&mut out, f);
    }
    section_figure(&mut out, &figs, "throughput_vs_players", plots, base);
    if let Some(f) = fig("throughput_vs_players") {
        players_finding(&mut out, f);
    }

    out.push_str("## 4. Latency\n\n");
    section_figure(&mut out, &figs, "latency_chain", plots, base);
    if let Some(f) = fig("latency_chain") {
        latency_finding(&mut out, f);
    }

    out.push_str("## 5. Scaling\n\n");
    section_figure(&mut out, &figs, "wall_time_vs_n", plots, base);
    if let Some(f) = fig("wall_time_vs_n") {
        scaling_finding(&mut out, f);
    }

    security(&mut out, &supported);
    unsupported(&mut out, runs);
    errors(&mut out, &supported);
    out
}

/// A strategy's place in tables ([`strategy_rank`]).
type StrategyRank = (usize, String);

/// One secure run and its insecure pair: insecure mul/s, secure mul/s, their
/// ratio, and the ratio of their CPU seconds.
type Pair = (f64, f64, f64, f64);

/// What security costs: each secure run against its insecure pair (same
/// configuration, seed and repetition, run back to back by the sweep).
fn security(out: &mut String, runs: &[&RunReport]) {
    let finished = |r: &&&RunReport| r.error.is_none() && !r.hung && r.mul_per_s > 0.0;
    // A pair shares its configuration, seed, repetition and code; were a
    // sweep's runs repeated in one file, the i-th secure run of a key pairs
    // with the i-th insecure one, in file order.
    let pair_key =
        |r: &RunReport| format!("{}|{}|{}|{}", cell_key_plain(r), r.seed, r.rep, r.git_rev);
    let mut insecure: BTreeMap<String, VecDeque<&RunReport>> = BTreeMap::new();
    for r in runs.iter().filter(|r| !r.secure).filter(finished) {
        insecure.entry(pair_key(r)).or_default().push_back(r);
    }
    let mut by_config: BTreeMap<(StrategyRank, String), (&RunReport, Vec<Pair>)> = BTreeMap::new();
    let mut unpaired = 0;
    for r in runs.iter().filter(|r| r.secure).filter(finished) {
        let Some(plain) = insecure.get_mut(&pair_key(r)).and_then(|q| q.pop_front()) else {
            unpaired += 1;
            continue;
        };
        let cpu = match (r.cpu_s, plain.cpu_s) {
            (Some(a), Some(b)) if b > 0.0 => a / b,
            _ => f64::NAN,
        };
        by_config
            .entry((strategy_rank(&r.strategy), cell_key_plain(r)))
            .or_insert((*r, Vec::new()))
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
    out.push_str("## 6. What security costs\n\n");
    out.push_str(
        "Each secure run (Noise links authenticated by static keys, AES-GCM on every batch of \
         frames, PRSS keys dealt over the links) against its insecure pair: the same \
         configuration, seed and repetition, run back to back. Ratios are medians of the \
         per-pair ratios, so the machine's drift between pairs cancels.\n\n",
    );
    let median = |v: Vec<f64>| Summary::of(v).map_or(f64::NAN, |s| s.median);
    let mut rows = Vec::new();
    let mut findings = Vec::new();
    for (r, pairs) in by_config.values() {
        let Some(ratio) = Summary::of(pairs.iter().map(|p| p.2)) else {
            continue;
        };
        rows.push(vec![
            r.strategy.clone(),
            r.workload.clone(),
            r.players.to_string(),
            group_digits(r.n),
            pairs.len().to_string(),
            num(median(pairs.iter().map(|p| p.0).collect())),
            num(median(pairs.iter().map(|p| p.1).collect())),
            times(ratio.median),
            format!("{}–{}", times(ratio.min), times(ratio.max)),
            times(median(pairs.iter().map(|p| p.3).collect())),
        ]);
        findings.push(format!(
            "**{}** ({} players, n = {}) keeps {} of its insecure throughput",
            r.strategy,
            r.players,
            group_digits(r.n),
            times(ratio.median)
        ));
    }
    table(
        out,
        &[
            "strategy",
            "workload",
            "players",
            "n",
            "pairs",
            "insecure (mul/s)",
            "secure (mul/s)",
            "secure / insecure",
            "min–max",
            "CPU secure / insecure",
        ],
        &rows,
    );
    let _ = writeln!(out, "{}.\n", findings.join("; "));
    if unpaired > 0 {
        let _ = writeln!(
            out,
            "{unpaired} finished secure runs had no finished insecure pair and are left out.\n"
        );
    }
}

/// [`cell_key`] without the security mode: what a secure run and its insecure
/// pair share.
fn cell_key_plain(r: &RunReport) -> String {
    format!(
        "{}|{:?}|{}|{}|{}|{}|{}|{}|{}",
        r.strategy,
        r.truncate_bytes,
        r.workload,
        r.players,
        r.threshold,
        r.n,
        r.depth,
        r.jitter_us,
        r.window
    )
}

/// Everything that makes runs repetitions of one configuration.
fn cell_key(r: &RunReport) -> String {
    format!("{}|{}", cell_key_plain(r), r.secure)
}

fn provenance(out: &mut String, runs: &[RunReport], base: &Path) {
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

/// The plot (if drawn) and the table of a figure.
fn section_figure(
    out: &mut String,
    figs: &[Result<Figure, Skipped>],
    name: &str,
    plots: &Path,
    base: &Path,
) {
    let Some(f) = figs.iter().find(|f| match f {
        Ok(f) => f.name == name,
        Err(s) => s.name == name,
    }) else {
        return;
    };
    match f {
        Err(s) => {
            let _ = writeln!(out, "### {}\n\nNot drawn: {}.\n", s.title, s.reason);
        }
        Ok(f) => {
            let _ = writeln!(out, "### {}\n", f.title);
            let _ = writeln!(out, "Fixed: {}.\n", f.context);
            let png = format!("{}.png", f.name);
            if plots.join(&png).exists() {
                let _ = writeln!(
                    out,
                    "![{}]({}) ([SVG]({}))\n",
                    f.title,
                    relative(plots, base, &png),
                    relative(plots, base, &format!("{}.svg", f.name))
                );
            } else {
                out.push_str("(The plot has not been drawn yet: run `labelbench plot`.)\n\n");
            }
            figure_table(out, f);
            let notes: Vec<&String> = f.notes.iter().skip(1).collect();
            if !notes.is_empty() {
                let joined: Vec<String> = notes
                    .iter()
                    .map(|n| n.trim_end_matches('.').to_string())
                    .collect();
                let _ = writeln!(out, "Notes: {}.\n", joined.join("; "));
            }
        }
    }
}

fn figure_table(out: &mut String, f: &Figure) {
    let quantities: BTreeSet<&str> = f.series.iter().map(|s| s.quantity.as_str()).collect();
    let with_q = quantities.len() > 1;
    let mut header = vec!["strategy", f.x_key.as_str()];
    if with_q {
        header.push("quantity");
    }
    let unit = format!("median ({})", f.y_key);
    header.extend([unit.as_str(), "min", "max", "reps"]);
    let mut rows = Vec::new();
    // Rows by strategy, then x; secondary quantities after the primary one.
    for s in &f.series {
        for p in &s.points {
            let mut row = vec![s.name.clone(), p.x_name.clone()];
            if with_q {
                row.push(s.quantity.clone());
            }
            row.extend([
                num(p.y.median),
                num(p.y.min),
                num(p.y.max),
                p.y.count.to_string(),
            ]);
            rows.push(row);
        }
    }
    table(out, &header, &rows);
}

/// A name with its place in the study's order (see [`strategy_rank`]).
type Rank = (usize, String);
/// A strategy variant: the strategy and its label truncation.
type VariantKey = (Rank, Option<u32>);

/// Names strategy variants: `history (8 B)` when the runs hold several label
/// truncations of one strategy, else just the strategy.
struct Variants(BTreeMap<String, BTreeSet<Option<u32>>>);

impl Variants {
    fn of(runs: &[&RunReport]) -> Variants {
        let mut m: BTreeMap<String, BTreeSet<Option<u32>>> = BTreeMap::new();
        for r in runs {
            m.entry(r.strategy.clone())
                .or_default()
                .insert(r.truncate_bytes);
        }
        Variants(m)
    }

    fn key(&self, r: &RunReport) -> VariantKey {
        (strategy_rank(&r.strategy), r.truncate_bytes)
    }

    fn name(&self, strategy: &str, truncate: Option<u32>) -> String {
        let several = self.0.get(strategy).is_some_and(|t| t.len() > 1);
        match truncate {
            Some(t) if several => format!("{strategy} ({t} B)"),
            _ => strategy.to_string(),
        }
    }
}

/// Per strategy variant and workload, over every supported run.
fn correctness(out: &mut String, runs: &[&RunReport]) {
    type Key = (VariantKey, Rank);
    let variants = Variants::of(runs);
    let mut by: BTreeMap<Key, Vec<&RunReport>> = BTreeMap::new();
    for r in runs {
        by.entry((variants.key(r), workload_rank(&r.workload)))
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
    table(
        out,
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
    );
    // Findings, one per strategy variant.
    let mut per: BTreeMap<VariantKey, Vec<&RunReport>> = BTreeMap::new();
    for r in runs {
        per.entry(variants.key(r)).or_default().push(r);
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

fn names(set: &BTreeSet<Rank>) -> String {
    let v: Vec<String> = set.iter().map(|x| format!("`{}`", x.1)).collect();
    match v.len() {
        0 => String::new(),
        1 => v[0].clone(),
        k => format!("{} and {}", v[..k - 1].join(", "), v[k - 1]),
    }
}

fn jitter_finding(out: &mut String, f: &Figure) {
    let mut zero = Vec::new();
    for s in &f.series {
        let all: Vec<f64> = s
            .points
            .iter()
            .flat_map(|p| p.values.iter().copied())
            .collect();
        if all.iter().all(|v| *v == 0.0) {
            zero.push(format!("**{}**", s.label));
            continue;
        }
        let (Some(first), Some(last)) = (s.points.first(), s.points.last()) else {
            continue;
        };
        let failing = all.iter().filter(|v| **v > 0.0).count();
        let mean = all.iter().sum::<f64>() / all.len() as f64;
        let worst = s
            .points
            .iter()
            .max_by(|a, b| a.y.median.total_cmp(&b.y.median))
            .unwrap_or(first);
        let _ = write!(
            out,
            "**{}**: the median failure rate was {} per 10⁴ at {} µs of jitter",
            s.label,
            num(first.y.median),
            first.x_name
        );
        if last.x != first.x {
            let _ = write!(
                out,
                " and {} per 10⁴ at {} µs",
                num(last.y.median),
                last.x_name
            );
        }
        if worst.x != last.x && worst.x != first.x {
            let _ = write!(
                out,
                ", highest ({}) at {} µs",
                num(worst.y.median),
                worst.x_name
            );
        }
        let _ = writeln!(
            out,
            ". {} of its {} runs in this plot had at least one failure; the mean rate over all of \
             them is {} per 10⁴, i.e. {} % of its results were correct.\n",
            failing,
            all.len(),
            num(mean),
            num(100.0 - mean / 100.0)
        );
    }
    if !zero.is_empty() {
        let _ = writeln!(
            out,
            "{} had no failure at any jitter in this plot (drawn at zero).\n",
            zero.join(", ")
        );
    }
}

fn depth_finding(out: &mut String, f: &Figure) {
    for s in f.series.iter().filter(|s| s.quantity == "mean") {
        let (Some(a), Some(b)) = (s.points.first(), s.points.last()) else {
            continue;
        };
        let longest = f
            .series
            .iter()
            .filter(|m| m.quantity == "max" && m.strategy == s.strategy && m.truncate == s.truncate)
            .flat_map(|m| m.points.iter().map(|p| p.y.max))
            .fold(f64::NAN, f64::max);
        let slope = linear_slope(
            &s.points
                .iter()
                .map(|p| (p.x, p.y.median))
                .collect::<Vec<_>>(),
        );
        let label = &s.name;
        let _ = write!(
            out,
            "**{label}**: mean label {} B per message at depth {}, {} B at depth {}",
            num(a.y.median),
            a.x_name,
            num(b.y.median),
            b.x_name
        );
        if let Some(k) = slope {
            let _ = write!(
                out,
                " ({} B per level of nesting, least squares on the medians)",
                num(k)
            );
        }
        if longest.is_finite() {
            let _ = write!(out, "; longest label {} B", num(longest));
        }
        out.push_str(".\n\n");
    }
}

/// Least-squares slope of y on x; `None` without two distinct x.
fn linear_slope(pts: &[(f64, f64)]) -> Option<f64> {
    crate::plot::stats::least_squares(pts).map(|(slope, _)| slope)
}

fn share_finding(out: &mut String, f: &Figure) {
    let mut all: Vec<(f64, &str, &str)> = Vec::new();
    for s in &f.series {
        for p in &s.points {
            all.push((p.y.median, s.label.as_str(), p.x_name.as_str()));
        }
    }
    let lo = all.iter().min_by(|a, b| a.0.total_cmp(&b.0));
    let hi = all.iter().max_by(|a, b| a.0.total_cmp(&b.0));
    if let (Some(lo), Some(hi)) = (lo, hi) {
        let _ = writeln!(
            out,
            "Labels took from {} % of the bytes on the wire ({} on `{}`) to {} % ({} on `{}`), medians.\n",
            num(lo.0),
            lo.1,
            lo.2,
            num(hi.0),
            hi.1,
            hi.2
        );
    }
    for s in &f.series {
        let ys: Vec<f64> = s.points.iter().map(|p| p.y.median).collect();
        if let Some(sum) = Summary::of(ys) {
            let _ = writeln!(
                out,
                "- **{}**: {} % to {} % over {} workload{} (median {} %).",
                s.label,
                num(sum.min),
                num(sum.max),
                sum.count,
                if sum.count == 1 { "" } else { "s" },
                num(sum.median)
            );
        }
    }
    out.push('\n');
}

/// Whether two summaries' min–max ranges overlap.
fn overlap(a: &Summary, b: &Summary) -> bool {
    a.min <= b.max && b.min <= a.max
}

fn throughput_finding(out: &mut String, f: &Figure) {
    // At the largest n, among the strategies run at it.
    let Some(n) = f
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.x))
        .max_by(f64::total_cmp)
    else {
        return;
    };
    let mut points: Vec<(&str, &Point)> = f
        .series
        .iter()
        .filter_map(|s| {
            s.points
                .iter()
                .find(|p| p.x == n)
                .map(|p| (s.name.as_str(), p))
        })
        .collect();
    points.sort_by(|a, b| b.1.y.median.total_cmp(&a.1.y.median));
    let at: Vec<(&str, Summary)> = points.iter().map(|(s, p)| (*s, p.y)).collect();
    let Some((best, top)) = at.first().copied() else {
        return;
    };
    let _ = write!(
        out,
        "At the largest n, {} ({}), **{best}** was fastest with a median of {} multiplications/s",
        group_digits(n as u64),
        f.context,
        num(top.median)
    );
    for (name, s) in at.iter().skip(1) {
        let _ = write!(
            out,
            "; **{name}** reached {} ({} of {best}; min–max ranges {})",
            num(s.median),
            times(s.median / top.median),
            if overlap(s, &top) {
                "overlap: within run-to-run spread"
            } else {
                "do not overlap"
            }
        );
    }
    out.push('.');
    let missing: Vec<String> = f
        .series
        .iter()
        .filter(|s| !s.points.iter().any(|p| p.x == n))
        .map(|s| format!("**{}**", s.name))
        .collect();
    if !missing.is_empty() {
        let _ = write!(out, " Not run at this n: {}.", missing.join(", "));
    }
    let points: Vec<&Point> = points.iter().map(|(_, p)| *p).collect();
    if let Some(gap) = largest_gap(&points).filter(|g| *g >= DRIFT_SCALE) {
        let _ = write!(
            out,
            " These strategies' runs were not interleaved: one strategy's finished before another's \
             started, up to {} apart (`date` in `runs.jsonl`). The machine's speed can drift in \
             that time, so the ratios include the drift; for a paired comparison, use runs \
             interleaved in time, as `labelbench sweep` (the strategies of a repetition back \
             to back) and `labelbench run --strategy all` make them.",
            duration_words(gap)
        );
    }
    out.push_str("\n\n");
}

/// A gap between strategies' runs long enough for a shared machine's speed to
/// drift (the development VM drifted by up to 2× over an hour).
const DRIFT_SCALE: Duration = Duration::from_secs(5 * 60);

/// The longest time between two points whose runs did not overlap in time
/// (one's last run started before the other's first), if any two did not.
fn largest_gap(points: &[&Point]) -> Option<Duration> {
    let spans: Vec<(SystemTime, SystemTime)> = points
        .iter()
        .filter_map(|p| {
            let (a, b) = p.dates.as_ref()?;
            Some((
                humantime::parse_rfc3339_weak(a).ok()?,
                humantime::parse_rfc3339_weak(b).ok()?,
            ))
        })
        .collect();
    let mut gap: Option<Duration> = None;
    for (i, x) in spans.iter().enumerate() {
        for y in &spans[i + 1..] {
            let (early, late) = if x.0 <= y.0 { (x, y) } else { (y, x) };
            if let Ok(d) = late.0.duration_since(early.1) {
                if !d.is_zero() {
                    gap = Some(gap.map_or(d, |g| g.max(d)));
                }
            }
        }
    }
    gap
}

/// "40 s", "12 min" or "6.5 h".
fn duration_words(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 120.0 {
        format!("{} s", s.round())
    } else if s < 2.0 * 3600.0 {
        format!("{} min", (s / 60.0).round())
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

fn players_finding(out: &mut String, f: &Figure) {
    for s in &f.series {
        let (Some(a), Some(b)) = (s.points.first(), s.points.last()) else {
            continue;
        };
        if s.points.len() < 2 {
            continue;
        }
        let _ = writeln!(
            out,
            "**{}**: from {} to {} players, the median throughput went from {} to {} multiplications/s ({}).\n",
            s.label,
            a.x_name,
            b.x_name,
            num(a.y.median),
            num(b.y.median),
            times(b.y.median / a.y.median)
        );
    }
}

fn latency_finding(out: &mut String, f: &Figure) {
    for s in &f.series {
        let p50 = s.points.iter().find(|p| p.x_name == "p50");
        let p99 = s.points.iter().find(|p| p.x_name == "p99");
        if let (Some(a), Some(b)) = (p50, p99) {
            let _ = writeln!(
                out,
                "**{}**: median p50 {} µs, median p99 {} µs (p99/p50 {}); the p99 of single runs ranged \
                 from {} to {} µs.\n",
                s.label,
                num(a.y.median),
                num(b.y.median),
                times(b.y.median / a.y.median),
                num(b.y.min),
                num(b.y.max)
            );
        }
    }
}

fn scaling_finding(out: &mut String, f: &Figure) {
    let mut rows = Vec::new();
    for s in &f.series {
        let pts: Vec<(f64, f64)> = s.points.iter().map(|p| (p.x, p.y.median)).collect();
        let fit = fit_log_log(&pts);
        rows.push(vec![
            s.name.clone(),
            fit.map_or("–".into(), |f| format!("{:.2}", f.slope)),
            s.points.len().to_string(),
            match (s.points.first(), s.points.last()) {
                (Some(a), Some(b)) => format!("{} to {}", a.x_name, b.x_name),
                _ => "–".into(),
            },
        ]);
    }
    out.push_str(
        "Slope of log10(median wall time) against log10(n), least squares; a slope of 1 means time \
         linear in n, below 1 a fixed cost that larger runs amortise.\n\n",
    );
    table(out, &["strategy", "slope", "points", "n"], &rows);
}

fn unsupported(out: &mut String, runs: &[RunReport]) {
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
    table(out, &["strategy", "workload", "runs", "reason"], &rows);
}

fn errors(out: &mut String, runs: &[&RunReport]) {
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
    table(
        out,
        &["strategy", "workload", "hung", "errors", "first error"],
        &rows,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::stats::tests::report;

    #[test]
    fn numbers_are_formatted_for_reading() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(466_510.3), "466\u{2009}510");
        assert_eq!(num(123.4), "123");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(1.984), "1.98");
        assert_eq!(num(0.0123), "0.0123");
        assert_eq!(num(f64::NAN), "–");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(-0.5), "−0.500");
        assert_eq!(num(-2500.0), "−2\u{2009}500");
        assert_eq!(times(0.891), "0.89×");
    }

    #[test]
    fn seed_ranges() {
        let s: BTreeSet<u64> = [1, 2, 3, 5, 7, 8].into_iter().collect();
        assert_eq!(ranges(&s), "1–3, 5, 7–8");
        assert_eq!(ranges(&BTreeSet::new()), "");
    }

    #[test]
    fn slope_of_a_line() {
        assert_eq!(linear_slope(&[(1.0, 2.0), (3.0, 6.0)]), Some(2.0));
        assert_eq!(linear_slope(&[(1.0, 2.0)]), None);
    }

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
        write_report(&runs, &dir.join("plots"), &out).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
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
        security(&mut text, &runs.iter().collect::<Vec<_>>());
        assert!(text.contains("## 6. What security costs"), "{text}");
        assert!(text.contains("| 3 | 1\u{2009}500\u{2009}000 |"), "{text}");
        assert!(text.contains("| 0.80× | 0.50×–0.90× |"), "{text}");
        assert!(text.contains("**counter** (3 players"), "{text}");
        // Without secure runs there is no section.
        let mut none = String::new();
        security(
            &mut none,
            &runs.iter().filter(|r| !r.secure).collect::<Vec<_>>(),
        );
        assert!(none.is_empty());
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

    #[test]
    fn empty_report_does_not_fail() {
        let text = render(&[], Path::new("plots"), Path::new(""));
        assert!(text.contains("no runs yet"));
    }

    #[test]
    fn plots_are_embedded_relative_to_the_report() {
        assert_eq!(
            relative(Path::new("results/plots"), Path::new("results"), "a.png"),
            "plots/a.png"
        );
    }
}
