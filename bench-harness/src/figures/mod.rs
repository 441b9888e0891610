//! Defining the figures: the seven the study draws ([`FigureId`]), each in its
//! own file, and what a figure is as data ([`Figure`]): title, subtitle, axes,
//! series and notes. The renderer ([`crate::plot`]) draws a [`Figure`]; the
//! report ([`crate::report_md`]) prints the same points as tables, so both
//! agree. A figure's runs are chosen through [`crate::select`].
//!
//! Adding a figure is a new file here, a variant of [`FigureId`] and one line
//! in each of its three matches (file name, title, which file builds it); the
//! report's match on its findings then asks where it goes.

mod failure_rate_vs_jitter;
mod label_bytes_vs_depth;
mod label_share;
mod latency_chain;
mod throughput_vs_n;
mod throughput_vs_players;
mod wall_time_vs_n;

use crate::select::series::Series;
use crate::select::slice::{select, Dim, Fixed};
use crate::select::{timed, Variants};
use shamir_runtime::RunReport;
use std::collections::BTreeSet;

/// The study's figures, in the order they are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FigureId {
    /// Throughput against n (`independent`).
    ThroughputVsN,
    /// Throughput against the number of players (`independent`).
    ThroughputVsPlayers,
    /// Label bytes per message against nesting depth (`nested`).
    LabelBytesVsDepth,
    /// Label bytes as a share of the wire, per workload.
    LabelShare,
    /// Failure rate against jitter (`independent`).
    FailureRateVsJitter,
    /// Latency per multiplication on `chain`.
    LatencyChain,
    /// Wall time against n (`independent`).
    WallTimeVsN,
}

impl FigureId {
    /// Every figure, in order.
    pub(crate) const ALL: [FigureId; 7] = [
        FigureId::ThroughputVsN,
        FigureId::ThroughputVsPlayers,
        FigureId::LabelBytesVsDepth,
        FigureId::LabelShare,
        FigureId::FailureRateVsJitter,
        FigureId::LatencyChain,
        FigureId::WallTimeVsN,
    ];

    /// The file stem of the figure's plots, e.g. `throughput_vs_n`.
    pub(crate) fn stem(self) -> &'static str {
        match self {
            FigureId::ThroughputVsN => "throughput_vs_n",
            FigureId::ThroughputVsPlayers => "throughput_vs_players",
            FigureId::LabelBytesVsDepth => "label_bytes_vs_depth",
            FigureId::LabelShare => "label_share",
            FigureId::FailureRateVsJitter => "failure_rate_vs_jitter",
            FigureId::LatencyChain => "latency_chain",
            FigureId::WallTimeVsN => "wall_time_vs_n",
        }
    }

    /// The figure's title (a drawn figure may make it more precise).
    pub(crate) fn title(self) -> &'static str {
        match self {
            FigureId::ThroughputVsN => "Throughput against n",
            FigureId::ThroughputVsPlayers => "Throughput against the number of players",
            FigureId::LabelBytesVsDepth => "Label bytes per message against nesting depth",
            FigureId::LabelShare => "Label bytes as a share of the wire",
            FigureId::FailureRateVsJitter => "Failure rate against jitter",
            FigureId::LatencyChain => "Latency per multiplication on chain",
            FigureId::WallTimeVsN => "Wall time against n",
        }
    }

    /// The file name of the figure's plot in format `ext` (`png`, `svg`).
    pub(crate) fn file(self, ext: &str) -> String {
        format!("{}.{ext}", self.stem())
    }

    /// The figure of `ok` (supported, insecure runs), or why there is none.
    fn build(self, ok: &[&RunReport]) -> Result<Figure, Skipped> {
        match self {
            FigureId::ThroughputVsN => throughput_vs_n::build(ok),
            FigureId::ThroughputVsPlayers => throughput_vs_players::build(ok),
            FigureId::LabelBytesVsDepth => label_bytes_vs_depth::build(ok),
            FigureId::LabelShare => label_share::build(ok),
            FigureId::FailureRateVsJitter => failure_rate_vs_jitter::build(ok),
            FigureId::LatencyChain => latency_chain::build(ok),
            FigureId::WallTimeVsN => wall_time_vs_n::build(ok),
        }
    }

    /// This figure, not drawn, because of `reason`.
    fn skipped(self, reason: &str) -> Skipped {
        Skipped {
            id: self,
            reason: reason.into(),
        }
    }
}

/// How an axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// Linear.
    Linear,
    /// Logarithmic (base 10).
    Log,
}

/// The x axis of a figure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum XAxis {
    /// Numbers on a linear or log axis.
    Numeric(Scale),
    /// Named categories at x = 0, 1, 2, … (evenly spaced, not to scale).
    Categories(Vec<String>),
}

/// A plot, as data.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Figure {
    /// Which figure.
    pub(crate) id: FigureId,
    /// The title.
    pub(crate) title: String,
    /// The parameters the plot fixed, as one line.
    pub(crate) context: String,
    /// The x axis description, with units.
    pub(crate) x_label: String,
    /// A short name of x, for table headers.
    pub(crate) x_key: String,
    /// The y axis description, with units.
    pub(crate) y_label: String,
    /// The y quantity's unit, short, for table headers.
    pub(crate) y_key: String,
    /// The x axis.
    pub(crate) x: XAxis,
    /// The y axis scale.
    pub(crate) y_scale: Scale,
    /// Whether series are shifted sideways so that their error bars do not
    /// overlap (categorical axes).
    pub(crate) dodge: bool,
    /// The series, in legend order.
    pub(crate) series: Vec<Series>,
    /// Short remarks printed beside the legend and in the report.
    pub(crate) notes: Vec<String>,
}

impl Figure {
    /// Figure `id` showing `series`, with `context` (the fixed parameters) as
    /// its subtitle and, as its first note, what markers and bars mean. The
    /// axes are set with [`x_axis`](Self::x_axis) and [`y_axis`](Self::y_axis).
    fn new(id: FigureId, context: String, series: Vec<Series>) -> Figure {
        Figure {
            id,
            title: id.title().to_string(),
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
pub(crate) struct Skipped {
    /// The figure.
    pub(crate) id: FigureId,
    /// Why there is no plot.
    pub(crate) reason: String,
}

/// Every figure of `runs`, in the order of [`FigureId::ALL`]: drawn or skipped.
pub(crate) fn all(runs: &[RunReport]) -> Vec<Result<Figure, Skipped>> {
    // Secure runs are compared with their insecure pairs in the report's
    // section on security, never mixed into these figures.
    let ok: Vec<&RunReport> = runs
        .iter()
        .filter(|r| !r.unsupported && !r.secure)
        .collect();
    let mut figs: Vec<Result<Figure, Skipped>> =
        FigureId::ALL.iter().map(|id| id.build(&ok)).collect();
    // Name and shade strategy variants the same way in every figure.
    let variants = Variants::of(ok.iter().copied());
    for f in figs.iter_mut().flatten() {
        for s in &mut f.series {
            let name = variants.name(&s.strategy, s.truncate);
            let rest = s.label.get(s.name.len()..).unwrap_or("").to_string();
            s.label = format!("{name}{rest}");
            s.name = name;
            s.shade = variants.shade(&s.strategy, s.truncate);
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

/// The note of the figures that leave out unfinished runs.
const LEFT_OUT: &str = "Runs that hung or failed with an error are left out.";

/// The finished runs of `independent` with 3 players and no jitter, at the
/// slice with the most values of n: figure `id`'s runs.
fn independent_by_n<'a>(
    ok: &[&'a RunReport],
    id: FigureId,
) -> Result<(Fixed, Vec<&'a RunReport>), Skipped> {
    let cands: Vec<&RunReport> = ok
        .iter()
        .copied()
        .filter(|r| r.workload == "independent" && r.players == 3 && r.jitter_us == 0 && timed(r))
        .collect();
    select(&cands, Some(Dim::N), |c| (c.xs, c.series, c.runs))
        .ok_or_else(|| id.skipped("no finished runs of `independent` with 3 players and no jitter"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::tests::report;
    use crate::stats::Summary;

    fn run(strategy: &str, workload: &str, f: impl FnOnce(&mut RunReport)) -> RunReport {
        let mut r = report(strategy, workload);
        f(&mut r);
        r
    }

    /// Figure `id` of `runs`.
    fn one(runs: &[RunReport], id: FigureId) -> Result<Figure, Skipped> {
        let fig = all(runs).into_iter().find(|f| match f {
            Ok(f) => f.id == id,
            Err(s) => s.id == id,
        });
        fig.expect("every figure is drawn or skipped")
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
        let f = one(&runs, FigureId::ThroughputVsN).unwrap();
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
        let f = one(&runs, FigureId::LatencyChain).unwrap();
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
        let f = one(&runs, FigureId::LabelBytesVsDepth).unwrap();
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
        assert_eq!(figs.len(), FigureId::ALL.len());
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
        let f = one(&runs, FigureId::FailureRateVsJitter).unwrap();
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
        let f = one(&runs, FigureId::ThroughputVsPlayers).unwrap();
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
        let f = one(&runs, FigureId::WallTimeVsN).unwrap();
        let s = &f.series[0];
        assert!((s.fit.unwrap().slope - 1.0).abs() < 1e-9);
        assert_eq!(s.label, "counter (slope 1.00)");
    }
}
