//! Draws a [`Figure`] with plotters, to PNG (bitmap backend) and SVG, using
//! the bundled DejaVu Sans through plotters' `ab_glyph` (no system fonts).
//!
//! Layout (1000 × 650): the title and the fixed parameters on top, the chart on
//! the left, and on the right a panel with the legend (one colour per strategy)
//! and the figure's notes, so that no legend ever covers data. Log axes are
//! drawn on log10 of the values with ticks placed here, so every chart has the
//! same coordinate type.

use crate::figures::{Figure, Scale, XAxis};
use crate::format::tick_label;
use crate::select::series::{Look, Series};
use anyhow::{anyhow, Result};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Once;

/// Pixel size of every plot.
const SIZE: (u32, u32) = (1000, 650);
const FONT: &str = "sans-serif";
const PANEL: u32 = 250;

/// Registers the bundled font with plotters, once, in every style. The
/// workspace builds plotters with `ab_glyph` (no system fonts), so anything
/// that draws text through plotters needs this first, criterion's own report
/// plots included.
pub fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../assets/DejaVuSans.ttf");
        for style in [
            FontStyle::Normal,
            FontStyle::Bold,
            FontStyle::Italic,
            FontStyle::Oblique,
        ] {
            if plotters::style::register_font(FONT, style, bytes).is_err() {
                eprintln!("labelbench plot: the bundled font could not be loaded");
            }
        }
    });
}

/// More colours, after those of the listed strategies.
const MORE: [RGBColor; 6] = [
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of each strategy: the listed ones by their place in the list,
/// any other name (from older results) from [`MORE`] in alphabetical order,
/// so colours agree across plots.
#[derive(Debug, Clone)]
pub(super) struct Palette {
    others: BTreeMap<String, RGBColor>,
}

impl Palette {
    /// A palette for the strategies named in `names`.
    pub(super) fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Palette {
        let mut unknown: Vec<&str> = names
            .into_iter()
            .filter(|n| Self::known(n).is_none())
            .collect();
        unknown.sort_unstable();
        unknown.dedup();
        let others = unknown
            .into_iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), MORE[i % MORE.len()]))
            .collect();
        Palette { others }
    }

    /// The colour of a strategy of the one list ([`crate::strategies::all`]),
    /// by its place in it: red, blue, green, orange, and on from `MORE`.
    fn known(name: &str) -> Option<RGBColor> {
        const LISTED: [RGBColor; 4] = [
            RGBColor(214, 39, 40),
            RGBColor(31, 119, 180),
            RGBColor(44, 160, 44),
            RGBColor(255, 127, 14),
        ];
        let (place, _) = crate::strategies::rank(name);
        if place >= crate::strategies::names().len() {
            return None;
        }
        LISTED.iter().chain(&MORE).nth(place).copied()
    }

    /// The colour of `strategy`; `variant` > 0 lightens it (label truncations).
    fn colour(&self, strategy: &str, variant: usize) -> RGBColor {
        let base = Self::known(strategy)
            .or_else(|| self.others.get(strategy).copied())
            .unwrap_or(RGBColor(60, 60, 60));
        let t = (0.3 * variant as f64).min(0.6);
        let mix = |c: u8| (c as f64 + (255.0 - c as f64) * t).round() as u8;
        RGBColor(mix(base.0), mix(base.1), mix(base.2))
    }
}

fn fail<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing failed: {e:?}")
}

/// Draws `fig` to `path` as PNG.
pub(super) fn png(fig: &Figure, palette: &Palette, path: &Path) -> Result<()> {
    register_font();
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    draw(&root, fig, palette)?;
    root.present().map_err(fail)
}

/// Draws `fig` to `path` as SVG.
pub(super) fn svg(fig: &Figure, palette: &Palette, path: &Path) -> Result<()> {
    register_font();
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    draw(&root, fig, palette)?;
    root.present().map_err(fail)
}

/// A value mapped onto an axis: log10 on log axes (`None` if not positive).
fn map(scale: Scale, v: f64) -> Option<f64> {
    match scale {
        Scale::Linear => v.is_finite().then_some(v),
        Scale::Log => (v > 0.0 && v.is_finite()).then(|| v.log10()),
    }
}

/// Where a figure with a zero row draws zero on its log y axis: one decade
/// below the smallest positive value (log10), or `None` when it has none.
fn zero_level(fig: &Figure) -> Option<f64> {
    if !fig.zero_row || fig.y_scale != Scale::Log {
        return None;
    }
    let lowest = fig
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .flat_map(|p| {
            [p.y.min, p.y.median, p.y.max]
                .into_iter()
                .chain(p.values.iter().copied())
        })
        .filter(|v| *v > 0.0 && v.is_finite())
        .fold(f64::INFINITY, f64::min);
    Some(if lowest.is_finite() {
        lowest.log10().floor() - 1.0
    } else {
        -1.0
    })
}

/// A y value on the axis: zero on the zero row when there is one.
fn map_y(fig: &Figure, zero: Option<f64>, v: f64) -> Option<f64> {
    match zero {
        Some(z) if v == 0.0 => Some(z),
        _ => map(fig.y_scale, v),
    }
}

/// "Nice" ticks (1, 2, 5 × 10^k) covering [lo, hi], about `want` of them.
fn nice_ticks(lo: f64, hi: f64, want: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater)
        || !lo.is_finite()
        || !hi.is_finite()
    {
        return vec![lo];
    }
    let raw = (hi - lo) / want.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// Ticks on a log axis, in log10 units: decades, with 2 and 5 between them
/// when there are few decades, or linear nice ticks when the range is narrow.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (a, b) = (lo.ceil() as i64, hi.floor() as i64);
    let decades: Vec<f64> = (a..=b).map(|d| d as f64).collect();
    if decades.len() > 8 {
        return decades
            .into_iter()
            .filter(|d| (*d as i64) % 2 == 0)
            .collect();
    }
    if decades.len() >= 3 {
        return decades;
    }
    let mut t: Vec<f64> = ((lo.floor() as i64)..=(hi.ceil() as i64))
        .flat_map(|d| [1.0, 2.0, 5.0].map(|m| (m * 10f64.powi(d as i32)).log10()))
        .filter(|v| *v >= lo - 1e-9 && *v <= hi + 1e-9)
        .collect();
    if t.len() < 3 {
        t = nice_ticks(10f64.powf(lo), 10f64.powf(hi), 5)
            .into_iter()
            .filter(|v| *v > 0.0)
            .map(f64::log10)
            .collect();
    }
    t
}

/// Each series' dodge group (one per strategy variant in the figure) and
/// the number of groups.
fn groups(fig: &Figure) -> (Vec<usize>, usize) {
    let mut keys: Vec<(&str, Option<u32>)> = Vec::new();
    let mut group = Vec::new();
    for s in &fig.series {
        let key = (s.strategy.as_str(), s.truncate);
        let g = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
            keys.push(key);
            keys.len() - 1
        });
        group.push(g);
    }
    (group, keys.len())
}

/// The marker of a series.
#[derive(Clone, Copy)]
enum Marker {
    Circle,
    Square,
    Diamond,
    Triangle,
}

fn marker_of(s: &Series, variant: usize) -> Marker {
    match (s.look, variant % 3) {
        (Look::Secondary, _) => Marker::Triangle,
        (_, 0) => Marker::Circle,
        (_, 1) => Marker::Square,
        _ => Marker::Diamond,
    }
}

/// Draws a marker centred on `at`, in the coordinates of `area`.
fn draw_marker<DB: DrawingBackend, CT: CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    at: CT::From,
    m: Marker,
    style: ShapeStyle,
) -> Result<()>
where
    CT::From: Clone,
{
    let e = EmptyElement::at(at);
    match m {
        Marker::Circle => area.draw(&(e + Circle::new((0, 0), 5, style))),
        Marker::Square => area.draw(&(e + Rectangle::new([(-5, -5), (5, 5)], style))),
        Marker::Diamond => {
            area.draw(&(e + Polygon::new(vec![(0, -6), (6, 0), (0, 6), (-6, 0)], style)))
        }
        Marker::Triangle => area.draw(&(e + TriangleMarker::new((0, 0), 8, style))),
    }
    .map_err(fail)
}

/// A linear axis over `lo..hi` whose tick marks are exactly `ticks`.
#[derive(Debug, Clone)]
struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let t = (v - self.lo) / (self.hi - self.lo);
        let px = limit.0 as f64 + t * (limit.1 - limit.0) as f64;
        px.clamp(-1e6, 1e6).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

struct Axes {
    x: (f64, f64),
    y: (f64, f64),
    xt: Vec<f64>,
    yt: Vec<f64>,
    x_scale: Scale,
    /// The zero row's level (log10), if the figure has one.
    zero: Option<f64>,
}

fn axes(fig: &Figure) -> Axes {
    let zero = zero_level(fig);
    let x_scale = match &fig.x {
        XAxis::Numeric(s) => *s,
        XAxis::Categories(_) => Scale::Linear,
    };
    let (x, xt) = match &fig.x {
        XAxis::Categories(c) => (
            (-0.5, c.len() as f64 - 0.5),
            (0..c.len()).map(|i| i as f64).collect(),
        ),
        XAxis::Numeric(s) => {
            let mut xs: Vec<f64> = fig
                .series
                .iter()
                .flat_map(|s| s.points.iter())
                .filter_map(|p| map(*s, p.x))
                .collect();
            xs.sort_by(f64::total_cmp);
            xs.dedup();
            let (lo, hi) = (
                xs.first().copied().unwrap_or(0.0),
                xs.last().copied().unwrap_or(1.0),
            );
            let pad = if hi > lo { 0.06 * (hi - lo) } else { 0.5 };
            let range = (lo - pad, hi + pad);
            let ticks = if xs.len() <= 10 {
                xs
            } else if *s == Scale::Log {
                log_ticks(range.0, range.1)
            } else {
                nice_ticks(range.0, range.1, 8)
            };
            (range, ticks)
        }
    };
    let mut ys: Vec<f64> = Vec::new();
    for s in &fig.series {
        for p in &s.points {
            ys.extend(
                [p.y.min, p.y.max, p.y.median]
                    .iter()
                    .filter_map(|v| map_y(fig, zero, *v)),
            );
        }
        if let Some(f) = s.fit {
            for p in [s.points.first(), s.points.last()].into_iter().flatten() {
                ys.extend(map(fig.y_scale, f.at(p.x)));
            }
        }
    }
    let mut lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let y = match fig.y_scale {
        Scale::Linear => {
            // A linear axis starts at zero (every quantity plotted is a count,
            // a size, a rate or a share).
            lo = lo.min(0.0);
            if hi - lo < 1e-12 {
                hi = lo + if lo.abs() > 0.0 { lo.abs() } else { 1.0 };
            }
            let pad = 0.08 * (hi - lo);
            (if lo >= 0.0 { 0.0 } else { lo - pad }, hi + pad)
        }
        Scale::Log => {
            let pad = (0.08 * (hi - lo)).max(0.05);
            (lo - pad, hi + pad)
        }
    };
    let mut yt = match fig.y_scale {
        Scale::Linear => nice_ticks(y.0, y.1, 6),
        Scale::Log => log_ticks(y.0, y.1),
    };
    if let Some(z) = zero {
        // The zero row's tick, and none between it and the break above it.
        yt.retain(|t| *t > z + 0.5);
        yt.insert(0, z);
    }
    Axes {
        x,
        y,
        xt,
        yt,
        x_scale,
        zero,
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    palette: &Palette,
) -> Result<()> {
    root.fill(&WHITE).map_err(fail)?;
    let (top, rest) = root.split_vertically(70);
    top.draw(&Text::new(
        fig.title.clone(),
        (20, 10),
        (FONT, 24).into_font().color(&BLACK),
    ))
    .map_err(fail)?;
    top.draw(&Text::new(
        fig.context.clone(),
        (20, 42),
        (FONT, 15).into_font().color(&RGBColor(80, 80, 80)),
    ))
    .map_err(fail)?;
    let (main, side) = rest.split_horizontally(SIZE.0 - PANEL);

    let ax = axes(fig);
    let (group, groups) = groups(fig);
    let mut chart = ChartBuilder::on(&main)
        .margin_left(12)
        .margin_right(18)
        .margin_top(8)
        .margin_bottom(10)
        .x_label_area_size(58)
        .y_label_area_size(82)
        .build_cartesian_2d(
            Ticked {
                lo: ax.x.0,
                hi: ax.x.1,
                ticks: ax.xt.clone(),
            },
            Ticked {
                lo: ax.y.0,
                hi: ax.y.1,
                ticks: ax.yt.clone(),
            },
        )
        .map_err(fail)?;
    let categories = match &fig.x {
        XAxis::Categories(c) => Some(c.clone()),
        XAxis::Numeric(_) => None,
    };
    let x_fmt = |v: &f64| match &categories {
        Some(c) => c
            .get(v.round().max(0.0) as usize)
            .cloned()
            .unwrap_or_default(),
        None => tick_label(if ax.x_scale == Scale::Log {
            10f64.powf(*v)
        } else {
            *v
        }),
    };
    let y_fmt = |v: &f64| {
        if matches!(ax.zero, Some(z) if (v - z).abs() < 1e-9) {
            return "0".to_string();
        }
        tick_label(if fig.y_scale == Scale::Log {
            10f64.powf(*v)
        } else {
            *v
        })
    };
    chart
        .configure_mesh()
        .x_desc(fig.x_label.clone())
        .y_desc(fig.y_label.clone())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style((FONT, 15).into_font())
        .axis_desc_style((FONT, 16).into_font())
        .bold_line_style(RGBColor(225, 225, 225))
        .light_line_style(TRANSPARENT)
        .axis_style(RGBColor(90, 90, 90))
        .draw()
        .map_err(fail)?;
    if let Some(z) = ax.zero {
        // The break between the zero row and the log scale.
        chart
            .draw_series(DashedLineSeries::new(
                [(ax.x.0, z + 0.5), (ax.x.1, z + 0.5)],
                4,
                4,
                RGBColor(150, 150, 150).stroke_width(1),
            ))
            .map_err(fail)?;
    }

    let step = if groups > 0 {
        (0.6 / groups as f64).min(0.2)
    } else {
        0.0
    };
    for (i, s) in fig.series.iter().enumerate() {
        let colour = palette.colour(&s.strategy, s.shade);
        let off = if fig.dodge {
            (group[i] as f64 - (groups as f64 - 1.0) / 2.0) * step
        } else {
            0.0
        };
        let xs = |x: f64| map(ax.x_scale, x).map(|v| v + off);
        let ys = |y: f64| map_y(fig, ax.zero, y);
        let pts: Vec<(f64, f64, f64, f64)> = s
            .points
            .iter()
            .filter_map(|p| {
                Some((
                    xs(p.x)?,
                    ys(p.y.median)?,
                    ys(p.y.min).unwrap_or(ax.y.0),
                    ys(p.y.max)?,
                ))
            })
            .collect();
        // The min–max band of a line.
        if joined(fig, s) && pts.len() >= 2 && !fig.dodge {
            let mut poly: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.3)).collect();
            poly.extend(pts.iter().rev().map(|p| (p.0, p.2)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    colour.mix(0.15).filled(),
                )))
                .map_err(fail)?;
        }
        if let Some(f) = s.fit {
            if let (Some(a), Some(b)) = (s.points.first(), s.points.last()) {
                let line: Vec<(f64, f64)> = [a.x, b.x]
                    .iter()
                    .filter_map(|x| Some((xs(*x)?, ys(f.at(*x))?)))
                    .collect();
                chart
                    .draw_series(DashedLineSeries::new(
                        line,
                        6,
                        5,
                        colour.mix(0.7).stroke_width(1),
                    ))
                    .map_err(fail)?;
            }
        }
        if joined(fig, s) && pts.len() >= 2 {
            let line: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1)).collect();
            let style = colour.stroke_width(2);
            match s.look {
                Look::Primary => chart.draw_series(std::iter::once(PathElement::new(line, style))),
                Look::Secondary => chart.draw_series(DashedLineSeries::new(line, 8, 5, style)),
            }
            .map_err(fail)?;
        }
        // Min–max error bars with caps.
        let bar = colour.stroke_width(2);
        for p in pts.iter().filter(|p| p.3 > p.2) {
            chart
                .draw_series([
                    PathElement::new(vec![(p.0, p.2), (p.0, p.3)], bar),
                    PathElement::new(vec![(p.0, p.2), (p.0, p.2)], bar),
                ])
                .map_err(fail)?;
            for y in [p.2, p.3] {
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((p.0, y)) + PathElement::new(vec![(-5, 0), (5, 0)], bar),
                    ))
                    .map_err(fail)?;
            }
        }
        // Every repetition, as a small open circle.
        for p in &s.points {
            if p.values.len() < 2 {
                continue;
            }
            for v in &p.values {
                if let (Some(x), Some(y)) = (xs(p.x), ys(*v)) {
                    chart
                        .draw_series(std::iter::once(Circle::new(
                            (x, y),
                            3,
                            colour.mix(0.55).stroke_width(1),
                        )))
                        .map_err(fail)?;
                }
            }
        }
        let m = marker_of(s, s.shade);
        for p in &pts {
            draw_marker(chart.plotting_area(), (p.0, p.1), m, colour.filled())?;
        }
    }
    // A cross at the bottom of each refused workload's category, side by side
    // when several strategies refused it.
    let mut at_category: BTreeMap<i64, i32> = BTreeMap::new();
    for r in &fig.refused {
        let Some(x) = r.x else { continue };
        let k = at_category.entry(x.round() as i64).or_insert(0);
        let shift = *k * 14;
        *k += 1;
        let colour = palette.colour(&r.strategy, 0).stroke_width(3);
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((x, ax.y.0))
                    + PathElement::new(vec![(shift - 6, -18), (shift + 6, -6)], colour)
                    + PathElement::new(vec![(shift - 6, -6), (shift + 6, -18)], colour),
            ))
            .map_err(fail)?;
    }
    legend(&side, fig, palette)
}

/// Whether a series' medians are joined by a line: only on a numeric x axis,
/// since categories (jitter values, workloads) are not a scale to draw a
/// trend along.
fn joined(fig: &Figure, s: &Series) -> bool {
    s.connect && matches!(fig.x, XAxis::Numeric(_))
}

/// Splits `text` into lines no wider than `width` pixels.
fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    width: u32,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        let w = area
            .estimate_text_size(&candidate, style)
            .map_or(0, |s| s.0);
        if w > width && !line.is_empty() {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn legend<DB: DrawingBackend>(
    side: &DrawingArea<DB, Shift>,
    fig: &Figure,
    palette: &Palette,
) -> Result<()> {
    let mut y = 16;
    let label = (FONT, 15).into_font().color(&BLACK);
    side.draw(&Text::new(
        "strategy",
        (8, y),
        (FONT, 16).into_font().color(&BLACK),
    ))
    .map_err(fail)?;
    y += 28;
    for s in &fig.series {
        let colour = palette.colour(&s.strategy, s.shade);
        let mid = y + 9;
        if joined(fig, s) {
            let style = colour.stroke_width(2);
            match s.look {
                Look::Primary => side.draw(&PathElement::new(vec![(8, mid), (44, mid)], style)),
                Look::Secondary => {
                    for x in [8, 22, 36] {
                        side.draw(&PathElement::new(vec![(x, mid), (x + 8, mid)], style))
                            .map_err(fail)?;
                    }
                    Ok(())
                }
            }
            .map_err(fail)?;
        }
        draw_marker(side, (26, mid), marker_of(s, s.shade), colour.filled())?;
        side.draw(&Text::new(s.label.clone(), (54, y), label.clone()))
            .map_err(fail)?;
        y += 26;
    }
    for r in &fig.refused {
        let colour = palette.colour(&r.strategy, 0).stroke_width(3);
        let mid = y + 9;
        side.draw(&PathElement::new(
            vec![(20, mid - 6), (32, mid + 6)],
            colour,
        ))
        .map_err(fail)?;
        side.draw(&PathElement::new(
            vec![(20, mid + 6), (32, mid - 6)],
            colour,
        ))
        .map_err(fail)?;
        side.draw(&Text::new(
            format!("{}: refused {}", r.strategy, r.workload),
            (54, y),
            label.clone(),
        ))
        .map_err(fail)?;
        y += 26;
    }
    y += 12;
    let note = (FONT, 13).into_font().color(&RGBColor(70, 70, 70));
    let width = PANEL - 20;
    let bottom = (SIZE.1 - 70) as i32 - 16;
    for n in &fig.notes {
        for line in wrap(side, n, &note, width) {
            if y > bottom {
                return Ok(());
            }
            side.draw(&Text::new(line, (8, y), note.clone()))
                .map_err(fail)?;
            y += 17;
        }
        y += 6;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9)
    }

    #[test]
    fn nice_ticks_are_round() {
        assert!(close(
            &nice_ticks(0.0, 10.0, 5),
            &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        ));
        assert!(close(&nice_ticks(0.0, 0.9, 5), &[0.0, 0.2, 0.4, 0.6, 0.8]));
        assert_eq!(nice_ticks(3.0, 3.0, 5), vec![3.0]);
    }

    #[test]
    fn log_ticks_are_decades_or_finer() {
        assert!(close(&log_ticks(1.9, 6.1), &[2.0, 3.0, 4.0, 5.0, 6.0]));
        let t = log_ticks(2.0, 3.0);
        assert!(close(
            &t,
            &[2.0, 2f64 * 0.0 + 200f64.log10(), 500f64.log10(), 3.0]
        ));
        assert!(!log_ticks(2.0, 2.1).is_empty());
    }

    #[test]
    fn categories_are_never_joined_by_lines() {
        use crate::figures::FigureId;
        let series = |connect| Series {
            strategy: "counter".into(),
            truncate: None,
            shade: 0,
            name: "counter".into(),
            label: "counter".into(),
            quantity: "q".into(),
            look: Look::Primary,
            connect,
            points: Vec::new(),
            fit: None,
        };
        let mut fig = Figure {
            id: FigureId::FailureRateVsJitter,
            title: String::new(),
            context: String::new(),
            x_label: String::new(),
            x_key: String::new(),
            y_label: String::new(),
            y_key: String::new(),
            x: XAxis::Numeric(Scale::Log),
            y_scale: Scale::Linear,
            dodge: false,
            series: Vec::new(),
            notes: Vec::new(),
            zero_row: false,
            refused: Vec::new(),
        };
        assert!(joined(&fig, &series(true)));
        assert!(!joined(&fig, &series(false)));
        fig.x = XAxis::Categories(vec!["0".into(), "50".into()]);
        assert!(!joined(&fig, &series(true)));
    }

    #[test]
    fn palette_is_fixed_for_the_study_and_stable_for_others() {
        let p = Palette::new(["zeta", "naive", "alpha"]);
        assert_eq!(p.colour("naive", 0), RGBColor(214, 39, 40));
        assert_ne!(p.colour("alpha", 0), p.colour("zeta", 0));
        assert_ne!(p.colour("naive", 1), p.colour("naive", 0));
    }
}
