//! Grouping a slice's runs into series: one per strategy variant, one point
//! per value of x, each point the summary (median, min, max, count) of the
//! runs that are repetitions of one configuration — runs that agree on
//! strategy (and label truncation), workload, players, threshold, n, depth,
//! jitter and window, whatever their seed and `rep`.

use super::{variant_key, VariantKey};
use crate::format::group_digits;
use crate::stats::{LogLogFit, Summary};
use shamir_runtime::link_coding::LabelCoding;
use shamir_runtime::RunReport;
use std::collections::BTreeMap;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    /// The main quantity: solid line, round markers.
    Primary,
    /// A second quantity of the same strategy: dashed line, triangles.
    Secondary,
}

/// One point: the summary over the repetitions of one cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Point {
    /// Where on the x axis (the category index for categories).
    pub(crate) x: f64,
    /// How the report names x.
    pub(crate) x_name: String,
    /// Median, min, max and count of the y quantity.
    pub(crate) y: Summary,
    /// The y value of every repetition, in increasing order.
    pub(crate) values: Vec<f64>,
    /// When the first and the last of these runs started (RFC 3339, as in
    /// `runs.jsonl`), if the runs recorded it.
    pub(crate) dates: Option<(String, String)>,
}

/// One line (or set of dots) of a figure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    /// The strategy (which fixes the colour).
    pub(crate) strategy: String,
    /// The label truncation of the strategy, if it has one (a variant).
    pub(crate) truncate: Option<u32>,
    /// Which variant of its strategy this is, among all in the data (0 for
    /// the first; later ones are drawn in lighter shades).
    pub(crate) shade: usize,
    /// The strategy variant's name, e.g. `counter` or `history (8 B)`.
    pub(crate) name: String,
    /// The legend's text (the name, plus what the series shows if needed).
    pub(crate) label: String,
    /// What the series is in the report's tables (e.g. `mean`, `p99`).
    pub(crate) quantity: String,
    /// How it is drawn.
    pub(crate) look: Look,
    /// Whether consecutive points are joined by a line.
    pub(crate) connect: bool,
    /// The points, by increasing x.
    pub(crate) points: Vec<Point>,
    /// A fitted power law, drawn as a thin dashed line.
    pub(crate) fit: Option<LogLogFit>,
}

/// What a series shows and how it is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style<'a> {
    /// What the series is in the report's tables.
    pub(crate) quantity: &'a str,
    /// Solid or dashed.
    pub(crate) look: Look,
    /// Whether consecutive points are joined by a line.
    pub(crate) connect: bool,
    /// Appended to the strategy's name in the legend.
    pub(crate) suffix: &'a str,
}

impl<'a> Style<'a> {
    /// The main quantity, its medians joined by a solid line.
    pub(crate) fn line(quantity: &'a str) -> Style<'a> {
        Style {
            quantity,
            look: Look::Primary,
            connect: true,
            suffix: "",
        }
    }

    /// The main quantity at unconnected points (categories).
    pub(crate) fn points(quantity: &'a str) -> Style<'a> {
        Style {
            connect: false,
            ..Style::line(quantity)
        }
    }
}

/// Groups `runs` into one series per strategy variant: points at
/// `x_of(run)`, y summarised from `y_of(run)` over the runs of each x.
pub(crate) fn series_of(
    runs: &[&RunReport],
    x_of: impl Fn(&RunReport) -> f64,
    x_name: impl Fn(f64) -> String,
    y_of: impl Fn(&RunReport) -> Option<f64>,
    style: Style,
) -> Vec<Series> {
    type Cell<'r> = (f64, Vec<f64>, Option<(&'r str, &'r str)>);
    let mut by: BTreeMap<VariantKey, BTreeMap<u64, Cell>> = BTreeMap::new();
    for r in runs {
        let x = x_of(r);
        let cell = by
            .entry(variant_key(r))
            .or_default()
            .entry(x.to_bits())
            .or_insert((x, Vec::new(), None));
        if let Some(y) = y_of(r) {
            cell.1.push(y);
            if !r.date.is_empty() {
                let d = r.date.as_str();
                // RFC 3339 in UTC: the text orders as the time does.
                cell.2 = Some(cell.2.map_or((d, d), |(a, b)| (a.min(d), b.max(d))));
            }
        }
    }
    by.into_iter()
        .filter_map(|(key, cells)| {
            let mut points: Vec<Point> = cells
                .into_values()
                .filter_map(|(x, mut ys, dates)| {
                    ys.retain(|v| v.is_finite());
                    ys.sort_by(f64::total_cmp);
                    Summary::of(ys.iter().copied()).map(|y| Point {
                        x,
                        x_name: x_name(x),
                        y,
                        values: ys,
                        dates: dates.map(|(a, b)| (a.to_string(), b.to_string())),
                    })
                })
                .collect();
            points.sort_by(|a, b| a.x.total_cmp(&b.x));
            let strategy = key.0 .1.clone();
            // Variants are named in `figures::all`, which sees every run.
            let name = strategy.clone();
            (!points.is_empty()).then(|| Series {
                label: format!("{name}{}", style.suffix),
                name,
                strategy,
                truncate: key.1,
                shade: 0,
                quantity: style.quantity.to_string(),
                look: style.look,
                connect: style.connect,
                points,
                fit: None,
            })
        })
        .collect()
}

/// The series of `others` that shows the same strategy variant as `s`.
pub(crate) fn partner<'s>(s: &Series, others: &'s [Series]) -> Option<&'s Series> {
    others
        .iter()
        .find(|o| o.strategy == s.strategy && o.truncate == s.truncate)
}

/// One series per strategy variant and label coding: plain labels drawn as
/// `base` says (with ` plain` after the name), each followed by its runs
/// coded against the link (dashed, triangles, ` link`).
pub(crate) fn series_by_coding(
    runs: &[&RunReport],
    x_of: impl Fn(&RunReport) -> f64 + Copy,
    x_name: impl Fn(f64) -> String + Copy,
    y_of: impl Fn(&RunReport) -> Option<f64> + Copy,
    base: Style,
) -> Vec<Series> {
    let of = |coding: LabelCoding, style: Style| {
        let rs: Vec<&RunReport> = runs
            .iter()
            .copied()
            .filter(|r| r.label_coding == coding)
            .collect();
        series_of(&rs, x_of, x_name, y_of, style)
    };
    let plain = of(
        LabelCoding::Plain,
        Style {
            quantity: "plain",
            suffix: " plain",
            ..base
        },
    );
    let link = of(
        LabelCoding::Link,
        Style {
            quantity: "link",
            look: Look::Secondary,
            suffix: " link",
            ..base
        },
    );
    let mut series = Vec::new();
    for s in &plain {
        series.push(s.clone());
        series.extend(partner(s, &link).cloned());
    }
    series.extend(
        link.iter()
            .filter(|s| partner(s, &plain).is_none())
            .cloned(),
    );
    series
}

/// An integer x's name, digits grouped.
pub(crate) fn int_name(x: f64) -> String {
    group_digits(x as u64)
}

/// `v` if it is positive: a timing or a rate that was measured.
pub(crate) fn positive(v: f64) -> Option<f64> {
    (v > 0.0).then_some(v)
}
