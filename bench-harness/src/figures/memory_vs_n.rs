//! Peak memory against n: the process's peak resident memory in the runs of
//! [`super::throughput_vs_n`] (every n, short runs included), with a power
//! law fitted to each strategy's medians, its slope in the legend: 0 is
//! memory that does not grow with the run, 1 memory that grows with every
//! multiplication.

use super::figure::{Figure, Scale, Skipped, XAxis};
use super::id::FigureId;
use super::throughput_vs_n::independent_by_n;
use crate::select::series::{int_name, series_of, Style};
use crate::stats::fit_log_log;
use shamir_runtime::RunReport;

/// Bytes in a MiB.
const MIB: f64 = 1024.0 * 1024.0;

pub(super) fn build(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let id = FigureId::MemoryVsN;
    let (fixed, runs) = independent_by_n(ok, id)?;
    let runs: Vec<&RunReport> = runs
        .into_iter()
        .filter(|r| r.peak_rss_bytes.is_some())
        .collect();
    if runs.is_empty() {
        return Err(Skipped::new(id, "no run recorded its peak memory"));
    }
    let mut series = series_of(
        &runs,
        |r| r.n as f64,
        int_name,
        |r| r.peak_rss_bytes.map(|b| b as f64 / MIB),
        Style::line("MiB"),
    );
    for s in &mut series {
        let medians: Vec<(f64, f64)> = s.points.iter().map(|p| (p.x, p.y.median)).collect();
        s.fit = fit_log_log(&medians);
        s.label = match s.fit {
            Some(f) => format!("{} (slope {:.2})", s.label, f.slope),
            None => format!("{} (slope –)", s.label),
        };
    }
    Ok(Figure::new(id, fixed.describe(), series)
        .x_axis(
            "n",
            "n (multiplications per run, log scale)",
            XAxis::Numeric(Scale::Log),
        )
        .y_axis("MiB", "peak resident memory (MiB, log scale)", Scale::Log)
        .note("Peak resident memory (VmHWM) of the process that runs every player, reset before each run; it includes the program, the runtime and the checked results.")
        .note("Slope: least squares on log10(median peak memory) against log10(n); 0 is memory that does not grow with n, 1 memory linear in n; – where only one n was run.")
        .note("Dashed: the fitted power law."))
}
