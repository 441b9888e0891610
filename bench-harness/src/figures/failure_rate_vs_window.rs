//! Failure rate against the window: `pairs` (else any workload run at
//! several windows), failures per 10⁴ multiplications at each window on log
//! axes, zero on its own row, hung runs counted.

use super::figure::{Figure, Scale, Skipped, XAxis};
use super::id::FigureId;
use crate::select::series::{int_name, series_of, Style};
use crate::select::slice::{defaults, select, Dim};
use crate::stats::failure_rate_per_10k;
use shamir_runtime::RunReport;

/// The workload this figure is for: the seed's pairs, dealt as they run.
const WORKLOAD: &str = "pairs";

pub(super) fn build(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let id = FigureId::FailureRateVsWindow;
    let Some((fixed, runs)) = select(ok, Some(Dim::Window), |c| {
        (
            c.xs >= 2,
            c.fixed.workload == WORKLOAD,
            defaults(c),
            c.xs,
            c.series,
            c.runs,
            c.fixed.n,
        )
    }) else {
        return Err(Skipped::new(id, "no runs"));
    };
    let windows: std::collections::BTreeSet<u32> = runs.iter().map(|r| r.window).collect();
    if windows.len() < 2 {
        return Err(Skipped::new(id, "no workload run at two windows or more"));
    }
    let series = series_of(
        &runs,
        |r| f64::from(r.window),
        int_name,
        failure_rate_per_10k,
        Style::line("failures per 10⁴"),
    );
    let hung = runs.iter().filter(|r| r.hung).count();
    let mut fig = Figure::new(id, fixed.describe(), series)
        .x_axis(
            "window",
            "operations in flight per player (window, log scale)",
            XAxis::Numeric(Scale::Log),
        )
        .y_axis(
            "failures per 10⁴",
            "failures per 10⁴ multiplications (log scale)",
            Scale::Log,
        )
        .zero_row()
        .note("Failure: a result not correct at every player (outputs − correct): wrong, unverifiable or never checked.")
        .note("Zero (no failure) is drawn on its own row below the log scale.")
        .note(format!("Hung runs count every unchecked output as a failure ({hung} hung here)."))
        .note("The naive counter's outcome depends on the players' timing, not only on the seed: the spread over repetitions is partly the machine's timing.");
    fig.title = format!("{} ({})", id.title(), fixed.workload);
    Ok(fig)
}
