//! Throughput against n: `independent` at 3 players without jitter, the
//! median multiplications per second at each n, on log–log axes.

use super::{independent_by_n, Figure, FigureId, Scale, Skipped, XAxis, LEFT_OUT};
use crate::select::series::{int_name, positive, series_of, Style};
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
