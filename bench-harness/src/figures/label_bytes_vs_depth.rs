//! Label bytes per message against nesting depth: `nested`, the mean label
//! (solid) and the longest (dashed) of each strategy at each depth.

use super::figure::{Figure, Scale, Skipped, XAxis};
use super::id::FigureId;
use crate::select::series::{int_name, partner, series_of, Look, Style};
use crate::select::slice::{defaults, select, Dim};
use shamir_runtime::RunReport;

pub(super) fn build(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let id = FigureId::LabelBytesVsDepth;
    let cands: Vec<&RunReport> = ok
        .iter()
        .copied()
        .filter(|r| r.workload == "nested")
        .collect();
    let Some((fixed, runs)) = select(&cands, Some(Dim::Depth), |c| {
        (defaults(c), c.xs, c.series, c.runs, c.fixed.n)
    }) else {
        return Err(Skipped::new(id, "no runs of `nested`"));
    };
    let depth = |r: &RunReport| r.depth as f64;
    let mean = series_of(
        &runs,
        depth,
        int_name,
        |r| Some(r.label_bytes_mean),
        Style {
            suffix: " mean",
            ..Style::line("mean")
        },
    );
    let max = series_of(
        &runs,
        depth,
        int_name,
        |r| Some(r.label_bytes_max as f64),
        Style {
            look: Look::Secondary,
            suffix: " max",
            ..Style::line("max")
        },
    );
    let mut series = Vec::new();
    for s in mean {
        let max = partner(&s, &max).cloned();
        series.push(s);
        series.extend(max);
    }
    let depths: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.x))
        .collect();
    let lo = depths.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = depths.iter().copied().fold(0.0, f64::max);
    let (x_label, x_scale) = if lo > 0.0 && hi / lo >= 16.0 {
        ("nesting depth (levels, log scale)", Scale::Log)
    } else {
        ("nesting depth (levels)", Scale::Linear)
    };
    Ok(Figure::new(id, fixed.describe(), series)
        .x_axis("depth", x_label, XAxis::Numeric(x_scale))
        .y_axis("bytes", "label bytes per message (bytes)", Scale::Linear)
        .note("Solid, round: mean label bytes per message. Dashed, triangles: longest label."))
}
