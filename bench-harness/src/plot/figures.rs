//! What each plot shows, as data: which runs it takes, how it groups them into
//! repetitions, and the median, min and max of every point. The renderer draws a
//! [`Figure`]; the report prints the same points as tables, so both agree.
//!
//! Grouping: a plot fixes some parameters (its workload, say), varies one (its
//! x: n, players, depth or jitter) and draws one series per strategy. Runs
//! that agree on strategy (and label truncation), workload, players, threshold,
//! n, depth, jitter and window are repetitions of one cell, whatever their seed
//! and `rep`; each point is the summary of one cell. When the data holds
//! several candidate slices (say `nested` at two values of n), the plot takes
//! the one its `score` prefers — usually the one with the most x values and
//! strategies, at the default parameters (3 players, no jitter) — and says in
//! its subtitle which parameters it fixed.

use super::stats::{failure_rate_per_10k, fit_log_log, label_share_percent, LogLogFit, Summary};
use shamir_runtime::{RunReport, WorkloadKind};
use std::collections::{BTreeMap, BTreeSet};

/// How an axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Linear.
    Linear,
    /// Logarithmic (base 10).
    Log,
}

/// The x axis of a figure.
#[derive(Debug, Clone, PartialEq)]
pub enum XAxis {
    /// Numbers on a linear or log axis.
    Numeric(Scale),
    /// Named categories at x = 0, 1, 2, … (evenly spaced, not to scale).
    Categories(Vec<String>),
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// The main quantity: solid line, round markers.
    Primary,
    /// A second quantity of the same strategy: dashed line, triangles.
    Secondary,
}

/// One point: the summary over the repetitions of one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Where on the x axis (the category index for categories).
    pub x: f64,
    /// How the report names x.
    pub x_name: String,
    /// Median, min, max and count of the y quantity.
    pub y: Summary,
    /// The y value of every repetition, in increasing order.
    pub values: Vec<f64>,
    /// When the first and the last of these runs started (RFC 3339, as in
    /// `runs.jsonl`), if the runs recorded it.
    pub dates: Option<(String, String)>,
}

/// One line (or set of dots) of a figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The strategy (which fixes the colour).
    pub strategy: String,
    /// The label truncation of the strategy, if it has one (a variant).
    pub truncate: Option<u32>,
    /// Which variant of its strategy this is, among all in the data (0 for
    /// the first; later ones are drawn in lighter shades).
    pub shade: usize,
    /// The strategy variant's name, e.g. `counter` or `history (8 B)`.
    pub name: String,
    /// The legend's text (the name, plus what the series shows if needed).
    pub label: String,
    /// What the series is in the report's tables (e.g. `mean`, `p99`).
    pub quantity: String,
    /// How it is drawn.
    pub look: Look,
    /// Whether consecutive points are joined by a line.
    pub connect: bool,
    /// The points, by increasing x.
    pub points: Vec<Point>,
    /// A fitted power law, drawn as a thin dashed line.
    pub fit: Option<LogLogFit>,
}

/// A plot, as data.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// File stem, e.g. `throughput_vs_n`.
    pub name: &'static str,
    /// The title.
    pub title: String,
    /// The parameters the plot fixed, as one line.
    pub context: String,
    /// The x axis description, with units.
    pub x_label: String,
    /// A short name of x, for table headers.
    pub x_key: String,
    /// The y axis description, with units.
    pub y_label: String,
    /// The y quantity's unit, short, for table headers.
    pub y_key: String,
    /// The x axis.
    pub x: XAxis,
    /// The y axis scale.
    pub y_scale: Scale,
    /// Whether series are shifted sideways so that their error bars do not
    /// overlap (categorical axes).
    pub dodge: bool,
    /// The series, in legend order.
    pub series: Vec<Series>,
    /// Short remarks printed beside the legend and in the report.
    pub notes: Vec<String>,
}

impl Figure {
    /// Plot `i` of [`PLOTS`] showing `series`, with `context` (the fixed
    /// parameters) as its subtitle and, as its first note, what markers and
    /// bars mean. The axes are set with [`x_axis`](Self::x_axis) and
    /// [`y_axis`](Self::y_axis).
    fn new(i: usize, context: String, series: Vec<Series>) -> Figure {
        Figure {
            name: PLOTS[i].0,
            title: PLOTS[i].1.to_string(),
            context,
            x_label: String::new(),
            x_key: String::new(),
            y_label: String::new(),
            y_key: String::new(),
            x: XAxis::Numeric(Scale::Linear),
            y_scale: Scale::Linear,
            dodge: false,
            notes: vec![note_repetitions(&series)],
            series,
        }
    }

    /// The x axis: a short name for table headers, a description with units.
    fn x_axis(mut self, key: &str, label: &str, x: XAxis) -> Figure {
        self.x_key = key.into();
        self.x_label = label.into();
        self.x = x;
        self
    }

    /// The y axis: its unit for table headers, a description with units.
    fn y_axis(mut self, key: &str, label: &str, scale: Scale) -> Figure {
        self.y_key = key.into();
        self.y_label = label.into();
        self.y_scale = scale;
        self
    }

    /// Series shifted sideways so that their error bars do not overlap.
    fn dodged(mut self) -> Figure {
        self.dodge = true;
        self
    }

    /// One more remark for the legend and the report.
    fn note(mut self, note: impl Into<String>) -> Figure {
        self.notes.push(note.into());
        self
    }
}

/// A plot that was not drawn, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// File stem the plot would have had.
    pub name: &'static str,
    /// Its title.
    pub title: String,
    /// Why there is no plot.
    pub reason: String,
}

/// The plots, in order: name and title.
pub const PLOTS: [(&str, &str); 7] = [
    ("throughput_vs_n", "Throughput against n"),
    (
        "throughput_vs_players",
        "Throughput against the number of players",
    ),
    (
        "label_bytes_vs_depth",
        "Label bytes per message against nesting depth",
    ),
    ("label_share", "Label bytes as a share of the wire"),
    ("failure_rate_vs_jitter", "Failure rate against jitter"),
    ("latency_chain", "Latency per multiplication on chain"),
    ("wall_time_vs_n", "Wall time against n"),
];

/// Every plot of `runs`, in the order of [`PLOTS`]: drawn or skipped.
pub fn all(runs: &[RunReport]) -> Vec<Result<Figure, Skipped>> {
    // Secure runs are compared with their insecure pairs in the report's
    // section on security, never mixed into these figures.
    let ok: Vec<&RunReport> = runs
        .iter()
        .filter(|r| !r.unsupported && !r.secure)
        .collect();
    let mut figs = vec![
        throughput_vs_n(&ok),
        throughput_vs_players(&ok),
        label_bytes_vs_depth(&ok),
        label_share(&ok),
        failure_rate_vs_jitter(&ok),
        latency_chain(&ok),
        wall_time_vs_n(&ok),
    ];
    // Name and shade strategy variants the same way in every figure.
    let mut variants: BTreeMap<&str, BTreeSet<Option<u32>>> = BTreeMap::new();
    for r in &ok {
        variants
            .entry(&r.strategy)
            .or_default()
            .insert(r.truncate_bytes);
    }
    for f in figs.iter_mut().flatten() {
        for s in &mut f.series {
            let all = variants.get(s.strategy.as_str());
            let several = all.is_some_and(|v| v.len() > 1);
            let name = match s.truncate {
                Some(t) if several => format!("{} ({t} B)", s.strategy),
                _ => s.strategy.clone(),
            };
            let rest = s.label.get(s.name.len()..).unwrap_or("").to_string();
            s.label = format!("{name}{rest}");
            s.name = name;
            s.shade = all
                .and_then(|v| v.iter().position(|t| *t == s.truncate))
                .unwrap_or(0);
        }
        note_hidden(f);
    }
    figs
}

/// Says which series are drawn exactly under a later one (the same medians at
/// the same x), so that a reader who looks for them knows where they are.
fn note_hidden(f: &mut Figure) {
    if f.dodge {
        return; // series are shifted apart: none hides another
    }
    let same = |a: &Series, b: &Series| {
        !a.points.is_empty()
            && a.points.len() == b.points.len()
            && a.points
                .iter()
                .zip(&b.points)
                .all(|(p, q)| p.x == q.x && p.y.median == q.y.median)
    };
    // (hidden, hiding) by series index.
    let hidden: Vec<(usize, usize)> = (0..f.series.len())
        .filter_map(|i| {
            // The last such series is the one on top.
            (i + 1..f.series.len())
                .rev()
                .find(|&j| same(&f.series[i], &f.series[j]))
                .map(|j| (i, j))
        })
        .collect();
    let mut done = BTreeSet::new();
    for &(i, j) in &hidden {
        let (a, b) = (&f.series[i].name, &f.series[j].name);
        if !done.insert(i) {
            continue;
        }
        // When every series of a strategy lies under the same other strategy's,
        // one note says so.
        let whole = f
            .series
            .iter()
            .enumerate()
            .filter(|(_, s)| &s.name == a && !s.points.is_empty())
            .all(|(k, _)| {
                hidden
                    .iter()
                    .any(|&(h, by)| h == k && &f.series[by].name == b)
            });
        if whole {
            for (k, s) in f.series.iter().enumerate() {
                if &s.name == a {
                    done.insert(k);
                }
            }
            f.notes
                .push(format!("{a}: the same points as {b}, drawn under them."));
        } else {
            let (la, lb) = (&f.series[i].label, &f.series[j].label);
            f.notes
                .push(format!("{la}: the same points as {lb}, drawn under them."));
        }
    }
}

fn skipped(i: usize, reason: String) -> Skipped {
    Skipped {
        name: PLOTS[i].0,
        title: PLOTS[i].1.to_string(),
        reason,
    }
}

/// The strategies' order in legends and tables: the four of the study, then
/// any other name alphabetically.
pub fn strategy_rank(name: &str) -> (usize, String) {
    let known = ["naive", "counter", "history", "static"];
    let i = known.iter().position(|k| *k == name).unwrap_or(known.len());
    (i, name.to_string())
}

/// The workloads' order: the study's order, then any other name.
pub fn workload_rank(name: &str) -> (usize, String) {
    let i = WorkloadKind::ALL
        .iter()
        .position(|w| w.name() == name)
        .unwrap_or(WorkloadKind::ALL.len());
    (i, name.to_string())
}

/// A run that finished without hanging or erroring: its timings mean something.
pub fn timed(r: &RunReport) -> bool {
    !r.hung && r.error.is_none() && r.wall_s > 0.0
}

/// A parameter a plot can vary along its x axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dim {
    Players,
    N,
    Depth,
    Jitter,
}

fn dim(r: &RunReport, d: Dim) -> u64 {
    match d {
        Dim::Players => r.players as u64,
        Dim::N => r.n,
        Dim::Depth => r.depth as u64,
        Dim::Jitter => r.jitter_us,
    }
}

/// The parameters of a slice other than its x and its strategies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Fixed {
    workload: String,
    players: Option<u32>,
    threshold: u32,
    n: Option<u64>,
    depth: Option<u32>,
    jitter_us: Option<u64>,
    window: u32,
}

impl Fixed {
    fn of(r: &RunReport, x: Option<Dim>) -> Fixed {
        let keep = |d: Dim| x != Some(d);
        Fixed {
            workload: r.workload.clone(),
            players: keep(Dim::Players).then_some(r.players),
            threshold: if keep(Dim::Players) { r.threshold } else { 0 },
            n: keep(Dim::N).then_some(r.n),
            depth: keep(Dim::Depth).then_some(r.depth),
            jitter_us: keep(Dim::Jitter).then_some(r.jitter_us),
            window: r.window,
        }
    }

    /// The fixed parameters, each as a phrase (depth only for `nested`).
    fn parts(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(p) = self.players {
            parts.push(format!("{p} players (t = {})", self.threshold));
        }
        if let Some(n) = self.n {
            parts.push(format!("n = {}", group_digits(n)));
        }
        if let Some(d) = self.depth {
            if self.workload == "nested" {
                parts.push(format!("depth {d}"));
            }
        }
        if let Some(j) = self.jitter_us {
            parts.push(format!("jitter {j} µs"));
        }
        parts.push(format!("window {}", self.window));
        parts
    }

    /// One line naming the workload and the fixed parameters.
    fn describe(&self) -> String {
        let mut parts = vec![format!("workload {}", self.workload)];
        parts.extend(self.parts());
        parts.join(" · ")
    }
}

/// Writes an integer with thin spaces between groups of three digits.
pub fn group_digits(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    out
}

/// Facts about a candidate slice a plot's score can weigh.
struct Candidate<'a> {
    fixed: &'a Fixed,
    xs: usize,
    series: usize,
    runs: usize,
}

/// Picks, among `runs` grouped by their fixed parameters, the group the
/// score likes best (the last of equals, in a deterministic order).
fn select<'a, K: Ord>(
    runs: &[&'a RunReport],
    x: Option<Dim>,
    score: impl Fn(&Candidate) -> K,
) -> Option<(Fixed, Vec<&'a RunReport>)> {
    let mut groups: BTreeMap<Fixed, Vec<&'a RunReport>> = BTreeMap::new();
    for r in runs {
        groups.entry(Fixed::of(r, x)).or_default().push(r);
    }
    groups.into_iter().max_by_key(|(fixed, rs)| {
        let xs: BTreeSet<u64> =
            x.map_or_else(BTreeSet::new, |d| rs.iter().map(|r| dim(r, d)).collect());
        let series: BTreeSet<(&str, Option<u32>)> = rs
            .iter()
            .map(|r| (r.strategy.as_str(), r.truncate_bytes))
            .collect();
        score(&Candidate {
            fixed,
            xs: xs.len(),
            series: series.len(),
            runs: rs.len(),
        })
    })
}

/// How well a slice matches the default parameters (3 players, no jitter).
fn defaults(c: &Candidate) -> u8 {
    u8::from(!matches!(c.fixed.players, Some(p) if p != 3))
        + u8::from(!matches!(c.fixed.jitter_us, Some(j) if j != 0))
}

type SeriesKey = ((usize, String), Option<u32>);

/// What a series shows and how it is drawn.
#[derive(Debug, Clone, Copy)]
struct Style<'a> {
    /// What the series is in the report's tables.
    quantity: &'a str,
    look: Look,
    /// Whether consecutive points are joined by a line.
    connect: bool,
    /// Appended to the strategy's name in the legend.
    suffix: &'a str,
}

impl<'a> Style<'a> {
    /// The main quantity, its medians joined by a solid line.
    fn line(quantity: &'a str) -> Style<'a> {
        Style {
            quantity,
            look: Look::Primary,
            connect: true,
            suffix: "",
        }
    }

    /// The main quantity at unconnected points (categories).
    fn points(quantity: &'a str) -> Style<'a> {
        Style {
            connect: false,
            ..Style::line(quantity)
        }
    }
}

/// Groups `runs` into one series per strategy variant: points at
/// `x_of(run)`, y summarised from `y_of(run)` over the runs of each x.
fn series_of(
    runs: &[&RunReport],
    x_of: impl Fn(&RunReport) -> f64,
    x_name: impl Fn(f64) -> String,
    y_of: impl Fn(&RunReport) -> Option<f64>,
    style: Style,
) -> Vec<Series> {
    type Cell<'r> = (f64, Vec<f64>, Option<(&'r str, &'r str)>);
    let mut by: BTreeMap<SeriesKey, BTreeMap<u64, Cell>> = BTreeMap::new();
    for r in runs {
        let key = (strategy_rank(&r.strategy), r.truncate_bytes);
        let x = x_of(r);
        let cell = by
            .entry(key)
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
            // Variants are named in [`all`], which sees every run.
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
fn partner<'s>(s: &Series, others: &'s [Series]) -> Option<&'s Series> {
    others
        .iter()
        .find(|o| o.strategy == s.strategy && o.truncate == s.truncate)
}

fn int_name(x: f64) -> String {
    group_digits(x as u64)
}

fn positive(v: f64) -> Option<f64> {
    (v > 0.0).then_some(v)
}

/// A note on what markers and bars mean, with the repetitions per point.
fn note_repetitions(series: &[Series]) -> String {
    let counts: Vec<usize> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.y.count))
        .collect();
    let lo = counts.iter().min().copied().unwrap_or(0);
    let hi = counts.iter().max().copied().unwrap_or(0);
    let reps = match (lo, hi) {
        (1, 1) => "1 repetition".to_string(),
        (a, b) if a == b => format!("{a} repetitions"),
        (a, b) => format!("{a}–{b} repetitions"),
    };
    format!("Filled marker: median; bar/band: min–max over {reps} per point; open circles: single runs.")
}

/// The finished runs of `independent` with 3 players and no jitter, at the
/// slice with the most values of n: plots 1 and 7 (`plot` is the index).
fn independent_by_n<'a>(
    ok: &[&'a RunReport],
    plot: usize,
) -> Result<(Fixed, Vec<&'a RunReport>), Skipped> {
    let cands: Vec<&RunReport> = ok
        .iter()
        .copied()
        .filter(|r| r.workload == "independent" && r.players == 3 && r.jitter_us == 0 && timed(r))
        .collect();
    select(&cands, Some(Dim::N), |c| (c.xs, c.series, c.runs)).ok_or_else(|| {
        skipped(
            plot,
            "no finished runs of `independent` with 3 players and no jitter".into(),
        )
    })
}

const LEFT_OUT: &str = "Runs that hung or failed with an error are left out.";

fn throughput_vs_n(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let (fixed, runs) = independent_by_n(ok, 0)?;
    let series = series_of(
        &runs,
        |r| r.n as f64,
        int_name,
        |r| positive(r.mul_per_s),
        Style::line("mul/s"),
    );
    Ok(Figure::new(0, fixed.describe(), series)
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

fn throughput_vs_players(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let cands: Vec<&RunReport> = ok
        .iter()
        .copied()
        .filter(|r| r.workload == "independent" && r.jitter_us == 0 && timed(r))
        .collect();
    // The largest n at which more than one number of players was run.
    let Some((fixed, runs)) = select(&cands, Some(Dim::Players), |c| {
        (c.xs >= 2, c.fixed.n, c.xs, c.series, c.runs)
    }) else {
        return Err(skipped(
            1,
            "no finished runs of `independent` without jitter".into(),
        ));
    };
    let series = series_of(
        &runs,
        |r| r.players as f64,
        int_name,
        |r| positive(r.mul_per_s),
        Style::line("mul/s"),
    );
    let ys: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.y.median))
        .collect();
    Ok(Figure::new(1, fixed.describe(), series)
        .x_axis("players", "players", XAxis::Numeric(Scale::Linear))
        .y_axis("mul/s", "throughput (multiplications/s)", auto_scale(&ys))
        .note("Threshold t = ⌊(players − 1)/2⌋ unless set.")
        .note(LEFT_OUT))
}

/// Log when the values span more than a factor of 30, else linear.
fn auto_scale(values: &[f64]) -> Scale {
    let lo = values
        .iter()
        .copied()
        .filter(|v| *v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    if lo.is_finite() && hi / lo > 30.0 {
        Scale::Log
    } else {
        Scale::Linear
    }
}

fn label_bytes_vs_depth(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let cands: Vec<&RunReport> = ok
        .iter()
        .copied()
        .filter(|r| r.workload == "nested")
        .collect();
    let Some((fixed, runs)) = select(&cands, Some(Dim::Depth), |c| {
        (defaults(c), c.xs, c.series, c.runs, c.fixed.n)
    }) else {
        return Err(skipped(2, "no runs of `nested`".into()));
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
    Ok(Figure::new(2, fixed.describe(), series)
        .x_axis("depth", x_label, XAxis::Numeric(x_scale))
        .y_axis("bytes", "label bytes per message (bytes)", Scale::Linear)
        .note("Solid, round: mean label bytes per message. Dashed, triangles: longest label."))
}

fn label_share(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let workloads: BTreeSet<(usize, String)> =
        ok.iter().map(|r| workload_rank(&r.workload)).collect();
    // Compare workloads at one n where possible: the n most workloads have.
    let mut ns: BTreeMap<u64, BTreeSet<&str>> = BTreeMap::new();
    for r in ok.iter().filter(|r| r.players == 3 && r.jitter_us == 0) {
        ns.entry(r.n).or_default().insert(r.workload.as_str());
    }
    let common_n = ns
        .iter()
        .max_by_key(|(n, ws)| (ws.len(), **n))
        .map(|(n, _)| *n);
    let mut runs: Vec<&RunReport> = Vec::new();
    let mut chosen: Vec<Fixed> = Vec::new();
    for (_, w) in &workloads {
        let cands: Vec<&RunReport> = ok
            .iter()
            .copied()
            .filter(|r| &r.workload == w && r.wire_bytes > 0)
            .collect();
        if let Some((fixed, rs)) = select(&cands, None, |c| {
            let at_common_n = c.fixed.n == common_n;
            (
                defaults(c),
                at_common_n,
                c.series,
                c.runs,
                c.fixed.n,
                std::cmp::Reverse(c.fixed.depth),
            )
        }) {
            chosen.push(fixed);
            runs.extend(rs);
        }
    }
    if runs.is_empty() {
        return Err(skipped(3, "no runs that sent any bytes".into()));
    }
    let categories: Vec<String> = chosen.iter().map(|f| f.workload.clone()).collect();
    // Parameters shared by every workload go in the subtitle, the rest in notes.
    let parts: Vec<Vec<String>> = chosen.iter().map(|f| f.parts()).collect();
    let shared: Vec<String> = parts[0]
        .iter()
        .filter(|p| parts.iter().all(|q| q.contains(p)))
        .cloned()
        .collect();
    let index: BTreeMap<String, usize> = categories
        .iter()
        .enumerate()
        .map(|(i, w)| (w.clone(), i))
        .collect();
    let series = series_of(
        &runs,
        |r| index[&r.workload] as f64,
        |x| categories[x as usize].clone(),
        label_share_percent,
        Style::points("label share %"),
    );
    let mut fig = Figure::new(3, shared.join(" · "), series)
        .x_axis("workload", "workload", XAxis::Categories(categories))
        .y_axis("%", "label bytes / wire bytes (%)", Scale::Linear)
        .dodged()
        .note("Wire bytes: every frame byte sent (length prefixes, labels, payloads).");
    for (f, p) in chosen.iter().zip(&parts) {
        let own: Vec<&str> = p
            .iter()
            .filter(|x| !shared.contains(x))
            .map(String::as_str)
            .collect();
        if !own.is_empty() {
            fig = fig.note(format!("{}: {}", f.workload, own.join(", ")));
        }
    }
    Ok(fig)
}

fn failure_rate_vs_jitter(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let cands: Vec<&RunReport> = ok
        .iter()
        .copied()
        .filter(|r| r.workload == "independent")
        .collect();
    let Some((fixed, runs)) = select(&cands, Some(Dim::Jitter), |c| {
        (defaults(c), c.xs, c.series, c.runs, c.fixed.n)
    }) else {
        return Err(skipped(4, "no runs of `independent`".into()));
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
    let mut fig = Figure::new(4, fixed.describe(), series)
        .x_axis(
            "jitter (µs)",
            "maximum delay per frame (µs; categories, not to scale)",
            XAxis::Categories(categories),
        )
        .y_axis("failures per 10⁴", "failures per 10⁴ multiplications", Scale::Linear)
        .dodged()
        .note("Failure: a result not correct at every player (outputs − correct): wrong, unverifiable or never checked.")
        .note(format!("Hung runs count every unchecked output as a failure ({hung} hung here)."));
    fig.title = "Failure rate against jitter (independent)".into();
    Ok(fig)
}

fn latency_chain(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let cands: Vec<&RunReport> = ok
        .iter()
        .copied()
        .filter(|r| r.workload == "chain" && timed(r) && r.latency_p50_us > 0.0)
        .collect();
    let Some((fixed, runs)) = select(&cands, None, |c| (defaults(c), c.series, c.runs, c.fixed.n))
    else {
        return Err(skipped(5, "no finished runs of `chain`".into()));
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
    Ok(Figure::new(5, fixed.describe(), series)
        .x_axis(
            "percentile",
            "percentile of the latency of one multiplication",
            XAxis::Categories(vec!["p50".into(), "p99".into()]),
        )
        .y_axis("µs", y_label, y_scale)
        .dodged()
        .note("Latency: from operands ready to product ready, over all players."))
}

fn wall_time_vs_n(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let (fixed, runs) = independent_by_n(ok, 6)?;
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
    Ok(Figure::new(6, fixed.describe(), series)
        .x_axis(
            "n",
            "n (multiplications per run, log scale)",
            XAxis::Numeric(Scale::Log),
        )
        .y_axis("s", "wall time (s, log scale)", Scale::Log)
        .note("Slope: least squares on log10(median wall time) against log10(n); 1 is linear in n; – where only one n was run.")
        .note("Dashed: the fitted power law."))
}

#[cfg(test)]
mod tests {
    use super::super::stats::tests::report;
    use super::*;

    fn run(strategy: &str, workload: &str, f: impl FnOnce(&mut RunReport)) -> RunReport {
        let mut r = report(strategy, workload);
        f(&mut r);
        r
    }

    #[test]
    fn repetitions_are_runs_differing_only_by_seed_and_rep() {
        let mut runs = Vec::new();
        for (seed, mps) in [(1, 100.0), (2, 300.0), (3, 200.0)] {
            runs.push(run("counter", "independent", |r| {
                r.seed = seed;
                r.rep = seed as u32;
                r.n = 1000;
                r.mul_per_s = mps;
            }));
        }
        runs.push(run("counter", "independent", |r| {
            r.n = 10_000;
            r.mul_per_s = 50.0;
        }));
        // Not in the slice: other players, jitter, a hang, unsupported.
        runs.push(run("counter", "independent", |r| r.players = 5));
        runs.push(run("counter", "independent", |r| r.jitter_us = 10));
        runs.push(run("counter", "independent", |r| r.hung = true));
        runs.push(run("static", "independent", |r| r.unsupported = true));
        let figs = all(&runs);
        let f = figs[0].as_ref().unwrap();
        assert_eq!(f.series.len(), 1);
        let pts = &f.series[0].points;
        assert_eq!(pts.len(), 2);
        assert_eq!(pts[0].x, 1000.0);
        assert_eq!(
            pts[0].y,
            Summary {
                median: 200.0,
                min: 100.0,
                max: 300.0,
                count: 3
            }
        );
        assert_eq!(pts[1].y.count, 1);
        assert!(f.context.contains("3 players"), "{}", f.context);
    }

    #[test]
    fn series_are_ordered_and_variants_named() {
        let runs = vec![
            run("zeta", "chain", |_| {}),
            run("history", "chain", |r| r.truncate_bytes = Some(8)),
            run("history", "chain", |r| r.truncate_bytes = Some(16)),
            run("naive", "chain", |_| {}),
            run("counter", "chain", |_| {}),
        ];
        let f = all(&runs)[5].clone().unwrap();
        let labels: Vec<&str> = f.series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "naive",
                "counter",
                "history (8 B)",
                "history (16 B)",
                "zeta"
            ]
        );
        assert_eq!(f.series[0].points.len(), 2, "p50 and p99");
        assert_eq!(f.series[0].points[1].y.median, 300.0);
    }

    #[test]
    fn a_series_drawn_under_another_is_named_in_the_notes() {
        let mut runs = Vec::new();
        for depth in [1, 4] {
            for (strategy, mean, max) in [
                ("naive", 2.5, 3),
                ("counter", 3.0 + depth as f64, 4 + u64::from(depth)),
                ("static", 2.5, 3),
            ] {
                runs.push(run(strategy, "nested", |r| {
                    r.depth = depth;
                    r.label_bytes_mean = mean;
                    r.label_bytes_max = max;
                }));
            }
        }
        let f = all(&runs)[2].clone().unwrap();
        assert!(
            f.notes
                .iter()
                .any(|n| n == "naive: the same points as static, drawn under them."),
            "{:?}",
            f.notes
        );
        assert!(
            !f.notes.iter().any(|n| n.starts_with("counter")),
            "{:?}",
            f.notes
        );
    }

    #[test]
    fn absent_data_skips_with_a_reason() {
        let figs = all(&[]);
        assert_eq!(figs.len(), PLOTS.len());
        for f in figs {
            let s = f.unwrap_err();
            assert!(!s.reason.is_empty());
        }
        // Only unsupported runs: still nothing to plot.
        let figs = all(&[run("static", "random-bits", |r| r.unsupported = true)]);
        assert!(figs.iter().all(|f| f.is_err()));
    }

    #[test]
    fn failure_rate_slice_and_hangs() {
        let mut runs = Vec::new();
        for j in [0, 10, 100] {
            runs.push(run("counter", "independent", |r| r.jitter_us = j));
            runs.push(run("naive", "independent", |r| {
                r.jitter_us = j;
                r.correct = 1000 - j;
                r.hung = j == 100;
            }));
        }
        let f = all(&runs)[4].clone().unwrap();
        assert_eq!(
            f.x,
            XAxis::Categories(vec!["0".into(), "10".into(), "100".into()])
        );
        let naive = f.series.iter().find(|s| s.strategy == "naive").unwrap();
        let ys: Vec<f64> = naive.points.iter().map(|p| p.y.median).collect();
        assert_eq!(ys, [0.0, 100.0, 1000.0]);
        let counter = f.series.iter().find(|s| s.strategy == "counter").unwrap();
        assert!(counter.points.iter().all(|p| p.y.median == 0.0));
        assert!(f.notes.iter().any(|n| n.contains("1 hung")));
    }

    #[test]
    fn players_plot_takes_the_largest_n_with_several_player_counts() {
        let mut runs = Vec::new();
        for p in [3, 5] {
            runs.push(run("counter", "independent", |r| {
                r.players = p;
                r.n = 1000;
            }));
        }
        runs.push(run("counter", "independent", |r| r.n = 100_000));
        let f = all(&runs)[1].clone().unwrap();
        assert_eq!(f.series[0].points.len(), 2);
        assert!(f.context.contains("n = 1\u{2009}000"), "{}", f.context);
    }

    #[test]
    fn wall_time_fit_in_legend() {
        let mut runs = Vec::new();
        for n in [100u64, 1000, 10_000] {
            runs.push(run("counter", "independent", |r| {
                r.n = n;
                r.wall_s = n as f64 * 1e-6;
            }));
        }
        let f = all(&runs)[6].clone().unwrap();
        let s = &f.series[0];
        assert!((s.fit.unwrap().slope - 1.0).abs() < 1e-9);
        assert_eq!(s.label, "counter (slope 1.00)");
    }

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1\u{2009}000");
        assert_eq!(group_digits(1_234_567), "1\u{2009}234\u{2009}567");
    }
}
