//! Latency per multiplication on `chain`: the p50 and p99 of each strategy,
//! one category each.

use super::figure::{auto_scale, Figure, Scale, Skipped, XAxis};
use super::id::FigureId;
use crate::select::series::{partner, positive, series_of, Series, Style};
use crate::select::slice::{defaults, select};
use crate::select::timed;
use shamir_runtime::RunReport;

pub(super) fn build(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let id = FigureId::LatencyChain;
    let cands: Vec<&RunReport> = ok
        .iter()
        .copied()
        .filter(|r| r.workload == "chain" && timed(r) && r.latency_p50_us > 0.0)
        .collect();
    let Some((fixed, runs)) = select(&cands, None, |c| (defaults(c), c.series, c.runs, c.fixed.n))
    else {
        return Err(Skipped::new(id, "no finished runs of `chain`"));
    };
    let p50 = series_of(
        &runs,
        |_| 0.0,
        |_| "p50".into(),
        |r| positive(r.latency_p50_us),
        Style::points("p50"),
    );
    let p99 = series_of(
        &runs,
        |_| 1.0,
        |_| "p99".into(),
        |r| positive(r.latency_p99_us),
        Style::points("p99"),
    );
    // One series per strategy with both points, so each strategy keeps one colour.
    let series: Vec<Series> = p50
        .into_iter()
        .map(|mut s| {
            if let Some(q) = partner(&s, &p99) {
                s.points.extend(q.points.iter().cloned());
            }
            s.quantity = "latency µs".into();
            s
        })
        .collect();
    let ys: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().flat_map(|p| [p.y.min, p.y.max]))
        .collect();
    let y_scale = auto_scale(&ys);
    let y_label = match y_scale {
        Scale::Log => "latency (µs, log scale)",
        Scale::Linear => "latency (µs)",
    };
    Ok(Figure::new(id, fixed.describe(), series)
        .x_axis(
            "percentile",
            "percentile of the latency of one multiplication",
            XAxis::Categories(vec!["p50".into(), "p99".into()]),
        )
        .y_axis("µs", y_label, y_scale)
        .dodged()
        .note("Latency: from operands ready to product ready, over all players."))
}
