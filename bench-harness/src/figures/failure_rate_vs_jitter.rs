//! Failure rate against jitter: `independent`, failures per 10⁴
//! multiplications at each jitter (categories, not to scale), hung runs
//! counted.

use super::figure::{Figure, Scale, Skipped, XAxis};
use super::id::FigureId;
use crate::format::group_digits;
use crate::select::series::{series_of, Style};
use crate::select::slice::{defaults, select, Dim};
use crate::stats::failure_rate_per_10k;
use shamir_runtime::RunReport;
use std::collections::BTreeSet;

pub(super) fn build(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let id = FigureId::FailureRateVsJitter;
    let cands: Vec<&RunReport> = ok
        .iter()
        .copied()
        .filter(|r| r.workload == "independent")
        .collect();
    let Some((fixed, runs)) = select(&cands, Some(Dim::Jitter), |c| {
        (defaults(c), c.xs, c.series, c.runs, c.fixed.n)
    }) else {
        return Err(Skipped::new(id, "no runs of `independent`"));
    };
    let jitters: BTreeSet<u64> = runs.iter().map(|r| r.jitter_us).collect();
    let jitters: Vec<u64> = jitters.into_iter().collect();
    let categories: Vec<String> = jitters.iter().map(|j| group_digits(*j)).collect();
    let series = series_of(
        &runs,
        |r| jitters.iter().position(|j| *j == r.jitter_us).unwrap_or(0) as f64,
        |x| categories[x as usize].clone(),
        failure_rate_per_10k,
        Style::line("failures per 10⁴"),
    );
    let hung = runs.iter().filter(|r| r.hung).count();
    let mut fig = Figure::new(id, fixed.describe(), series)
        .x_axis(
            "jitter (µs)",
            "maximum delay per frame (µs; categories, not to scale)",
            XAxis::Categories(categories),
        )
        .y_axis("failures per 10⁴", "failures per 10⁴ multiplications", Scale::Linear)
        .dodged()
        .note("Failure: a result not correct at every player (outputs − correct): wrong, unverifiable or never checked.")
        .note(format!("Hung runs count every unchecked output as a failure ({hung} hung here)."));
    // Drawn, it names its one workload; skipped, it keeps the plain title.
    fig.title = format!("{} (independent)", id.title());
    Ok(fig)
}
