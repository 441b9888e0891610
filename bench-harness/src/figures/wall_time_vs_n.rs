//! Wall time against n: the runs of [`super::throughput_vs_n`], as seconds,
//! with a power law fitted to each strategy's medians (its slope in the
//! legend).

use super::figure::{Figure, Scale, Skipped, XAxis};
use super::id::FigureId;
use super::throughput_vs_n::independent_by_n;
use crate::select::series::{int_name, positive, series_of, Style};
use crate::stats::fit_log_log;
use shamir_runtime::RunReport;

pub(super) fn build(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let id = FigureId::WallTimeVsN;
    let (fixed, runs) = independent_by_n(ok, id)?;
    let mut series = series_of(
        &runs,
        |r| r.n as f64,
        int_name,
        |r| positive(r.wall_s),
        Style::line("wall s"),
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
        .y_axis("s", "wall time (s, log scale)", Scale::Log)
        .note("Slope: least squares on log10(median wall time) against log10(n); 1 is linear in n; – where only one n was run.")
        .note("Dashed: the fitted power law."))
}
