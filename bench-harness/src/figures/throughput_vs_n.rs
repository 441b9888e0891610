//! Throughput against n: `independent` at 3 players without jitter, the
//! median multiplications per second at each n, on log–log axes.

use super::figure::{Figure, Scale, Skipped, XAxis, LEFT_OUT};
use super::id::FigureId;
use crate::select::series::{int_name, positive, series_of, Style};
use crate::select::slice::{select, Dim, Fixed};
use crate::select::timed;
use shamir_runtime::RunReport;

pub(super) fn build(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let id = FigureId::ThroughputVsN;
    let (fixed, runs) = independent_by_n(ok, id)?;
    let series = series_of(
        &runs,
        |r| r.n as f64,
        int_name,
        |r| positive(r.mul_per_s),
        Style::line("mul/s"),
    );
    Ok(Figure::new(id, fixed.describe(), series)
        .x_axis(
            "n",
            "n (multiplications per run, log scale)",
            XAxis::Numeric(Scale::Log),
        )
        .y_axis(
            "mul/s",
            "throughput (multiplications/s, log scale)",
            Scale::Log,
        )
        .note(LEFT_OUT))
}

/// The finished runs of `independent` with 3 players and no jitter, at the
/// slice with the most values of n: this figure's runs, and the wall time's.
pub(super) fn independent_by_n<'a>(
    ok: &[&'a RunReport],
    id: FigureId,
) -> Result<(Fixed, Vec<&'a RunReport>), Skipped> {
    let cands: Vec<&RunReport> = ok
        .iter()
        .copied()
        .filter(|r| r.workload == "independent" && r.players == 3 && r.jitter_us == 0 && timed(r))
        .collect();
    select(&cands, Some(Dim::N), |c| (c.xs, c.series, c.runs)).ok_or_else(|| {
        Skipped::new(
            id,
            "no finished runs of `independent` with 3 players and no jitter",
        )
    })
}
