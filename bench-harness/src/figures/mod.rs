//! Defining the figures: the twelve the study draws ([`FigureId`], in
//! `id.rs`), each built by its own file from the runs, and what a figure is as
//! data ([`Figure`], in `figure.rs`): title, subtitle, axes, series and notes.
//! The renderer ([`crate::plot`]) draws a [`Figure`]; the report
//! ([`crate::report_md`]) prints the same points as tables, so both agree. A
//! figure's runs are chosen through [`crate::select`].
//!
//! Adding a figure is a new file here, a variant of [`FigureId`] (with its
//! file name and title) and one line in [`build`]; the report's match on its
//! findings then asks where it goes.

mod failure_rate_vs_jitter;
mod failure_rate_vs_window;
mod figure;
mod id;
mod label_bytes_by_coding;
mod label_bytes_vs_depth;
mod label_share;
mod latency_chain;
mod latency_vs_delay;
mod memory_vs_n;
mod throughput_vs_n;
mod throughput_vs_players;
mod throughput_vs_rate;

pub(crate) use figure::{Figure, Refusal, Scale, Skipped, XAxis};
pub(crate) use id::FigureId;
pub(crate) use throughput_vs_rate::{rate_name, rate_order};

use crate::select::series::Series;
use crate::select::Variants;
use shamir_runtime::link_coding::LabelCoding;
use shamir_runtime::RunReport;
use std::collections::BTreeSet;

/// The runs each figure draws from.
struct Inputs<'r> {
    /// Supported, insecure runs over loopback, with plain labels and no delay.
    ok: Vec<&'r RunReport>,
    /// The same with labels coded against the link too.
    coded: Vec<&'r RunReport>,
    /// Supported runs with players in network namespaces.
    net: Vec<&'r RunReport>,
}

/// Figure `id` from its runs, or why there is none: the one place that
/// knows which file builds which figure.
fn build(id: FigureId, runs: &Inputs) -> Result<Figure, Skipped> {
    let (ok, coded, net) = (&runs.ok[..], &runs.coded[..], &runs.net[..]);
    match id {
        FigureId::ThroughputVsN => throughput_vs_n::build(ok),
        FigureId::ThroughputVsPlayers => throughput_vs_players::build(ok),
        FigureId::LabelBytesVsDepth => label_bytes_vs_depth::build(ok),
        FigureId::LabelShare => label_share::build(ok),
        FigureId::FailureRateVsJitter => failure_rate_vs_jitter::build(ok),
        FigureId::LatencyChain => latency_chain::build(ok),
        FigureId::MemoryVsN => memory_vs_n::build(ok),
        FigureId::FailureRateVsWindow => failure_rate_vs_window::build(ok),
        FigureId::LabelBytesByCoding => label_bytes_by_coding::build(coded),
        FigureId::LabelBytesByWorkload => label_share::build_bytes(ok),
        FigureId::ThroughputVsRate => throughput_vs_rate::build(net),
        FigureId::LatencyVsDelay => latency_vs_delay::build(net),
    }
}

/// Every figure of `runs`, in the order of [`FigureId::ALL`]: drawn or skipped.
pub(crate) fn all(runs: &[RunReport]) -> Vec<Result<Figure, Skipped>> {
    // Secure runs are compared with their insecure pairs in the report's
    // section on security, never mixed into these figures; runs with labels
    // coded against the link only into the one that compares the codings.
    // Runs in network namespaces or with a delay only into the network's.
    let coded: Vec<&RunReport> = runs
        .iter()
        .filter(|r| !r.unsupported && !r.secure && !r.netns && r.delay_us == 0)
        .collect();
    let ok: Vec<&RunReport> = coded
        .iter()
        .copied()
        .filter(|r| r.label_coding == LabelCoding::Plain)
        .collect();
    let net: Vec<&RunReport> = runs.iter().filter(|r| !r.unsupported && r.netns).collect();
    let refused: Vec<&RunReport> = runs.iter().filter(|r| r.unsupported).collect();
    let variants = Variants::of(coded.iter().chain(&net).copied());
    let inputs = Inputs { ok, coded, net };
    let mut figs: Vec<Result<Figure, Skipped>> =
        FigureId::ALL.iter().map(|id| build(*id, &inputs)).collect();
    // Name and shade strategy variants the same way in every figure.
    for f in figs.iter_mut().flatten() {
        for s in &mut f.series {
            let name = variants.name(&s.strategy, s.truncate);
            let rest = s.label.get(s.name.len()..).unwrap_or("").to_string();
            s.label = format!("{name}{rest}");
            s.name = name;
            s.shade = variants.shade(&s.strategy, s.truncate);
        }
        note_hidden(f);
        mark_refused(f, &refused);
    }
    figs
}

/// Marks where a strategy refused a workload the figure shows and has no
/// point there ([`Refusal`]), and names the refusal and its reason in a note.
fn mark_refused(f: &mut Figure, refused: &[&RunReport]) {
    let shown: Vec<(Option<f64>, String)> = match (&f.x, f.x_key.as_str()) {
        (XAxis::Categories(c), "workload") => c
            .iter()
            .enumerate()
            .map(|(i, w)| (Some(i as f64), w.clone()))
            .collect(),
        _ => {
            f.id.workload()
                .map(|w| vec![(None, w.to_string())])
                .unwrap_or_default()
        }
    };
    for (x, workload) in &shown {
        let mut strategies: BTreeSet<(&str, &str)> = BTreeSet::new();
        for r in refused.iter().filter(|r| &r.workload == workload) {
            let reason = r.unsupported_reason.as_deref().unwrap_or("no reason given");
            strategies.insert((r.strategy.as_str(), reason));
        }
        let mut marked: BTreeSet<&str> = BTreeSet::new();
        for (strategy, reason) in strategies {
            let drawn = f.series.iter().any(|s| {
                s.strategy == strategy && s.points.iter().any(|p| x.is_none_or(|x| p.x == x))
            });
            if drawn || !marked.insert(strategy) {
                continue;
            }
            f.refused.push(Refusal {
                strategy: strategy.to_string(),
                workload: workload.clone(),
                x: *x,
            });
            f.notes
                .push(format!("× {strategy} refused `{workload}`: {reason}."));
        }
    }
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
    fn failure_rate_vs_window_takes_pairs_at_several_windows() {
        let mut runs = Vec::new();
        for w in [1, 4, 16] {
            for seed in 1..=3 {
                runs.push(run("counter", "pairs", |r| {
                    r.window = w;
                    r.seed = seed;
                }));
                runs.push(run("naive", "pairs", |r| {
                    r.window = w;
                    r.seed = seed;
                    // Right at window 1; at 4, one repetition of three fails
                    // once; at 16, a hang.
                    r.correct = match (w, seed) {
                        (1, _) | (4, 1 | 2) => 1000,
                        (4, _) => 999,
                        _ => 0,
                    };
                    r.hung = w == 16 && seed == 3;
                }));
            }
            // Another jitter, and another workload at several windows: not
            // this slice (no jitter, and `pairs`, are preferred).
            runs.push(run("naive", "pairs", |r| {
                r.window = w;
                r.jitter_us = 50;
            }));
            runs.push(run("naive", "independent", |r| r.window = w));
        }
        let f = one(&runs, FigureId::FailureRateVsWindow).unwrap();
        assert_eq!(f.title, "Failure rate against the window (pairs)");
        assert_eq!(f.x, XAxis::Numeric(Scale::Log));
        assert_eq!(f.y_scale, Scale::Log);
        assert!(f.zero_row);
        assert!(f.context.contains("jitter 0 µs"), "{}", f.context);
        assert!(!f.context.contains("window"), "{}", f.context);
        let naive = f.series.iter().find(|s| s.strategy == "naive").unwrap();
        let xs: Vec<f64> = naive.points.iter().map(|p| p.x).collect();
        assert_eq!(xs, [1.0, 4.0, 16.0]);
        let at4 = &naive.points[1];
        assert_eq!((at4.y.median, at4.y.min, at4.y.max), (0.0, 0.0, 10.0));
        assert_eq!(naive.points[2].y.median, 1e4);
        assert!(naive.points.iter().all(|p| p.y.count == 3));
        let counter = f.series.iter().find(|s| s.strategy == "counter").unwrap();
        assert!(counter.points.iter().all(|p| p.y.max == 0.0));
        assert!(
            f.notes.iter().any(|n| n.contains("1 hung")),
            "{:?}",
            f.notes
        );
        // One window only: nothing to draw.
        let single: Vec<RunReport> = runs.iter().filter(|r| r.window == 4).cloned().collect();
        assert!(one(&single, FigureId::FailureRateVsWindow).is_err());
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
    fn memory_fit_in_legend() {
        let mut runs = Vec::new();
        for n in [100u64, 1000, 10_000] {
            runs.push(run("counter", "independent", |r| {
                r.n = n;
                r.peak_rss_bytes = Some(n * 1024 * 1024);
            }));
        }
        let f = one(&runs, FigureId::MemoryVsN).unwrap();
        let s = &f.series[0];
        assert!((s.fit.unwrap().slope - 1.0).abs() < 1e-9);
        assert_eq!(s.label, "counter (slope 1.00)");
        assert_eq!(s.points[2].y.median, 10_000.0);
    }

    #[test]
    fn throughput_against_n_leaves_out_runs_of_a_few_milliseconds() {
        let mut runs = Vec::new();
        for n in [1000u64, 10_000, 100_000] {
            runs.push(run("counter", "independent", |r| {
                r.n = n;
                r.wall_s = n as f64 * 3e-6;
            }));
        }
        let f = one(&runs, FigureId::ThroughputVsN).unwrap();
        let xs: Vec<f64> = f.series[0].points.iter().map(|p| p.x).collect();
        assert_eq!(xs, [10_000.0, 100_000.0]);
        assert!(
            f.notes
                .iter()
                .any(|n| n.contains("1 runs shorter than 10 ms (at n = 1\u{2009}000)")),
            "{:?}",
            f.notes
        );
        // The memory figure keeps them: memory is not timed.
        let m = one(&runs, FigureId::MemoryVsN).unwrap();
        assert_eq!(m.series[0].points.len(), 3);
    }

    #[test]
    fn a_refused_workload_is_marked_not_left_as_a_gap() {
        let mut runs = Vec::new();
        for w in ["independent", "random-bits"] {
            for s in ["counter", "static"] {
                runs.push(run(s, w, |r| {
                    if s == "static" && w == "random-bits" {
                        r.unsupported = true;
                        r.unsupported_reason = Some("reads an opened value".into());
                    }
                }));
            }
        }
        let f = one(&runs, FigureId::LabelBytesByWorkload).unwrap();
        assert_eq!(
            f.refused,
            [Refusal {
                strategy: "static".into(),
                workload: "random-bits".into(),
                x: Some(1.0),
            }]
        );
        assert!(
            f.notes
                .iter()
                .any(|n| n == "× static refused `random-bits`: reads an opened value."),
            "{:?}",
            f.notes
        );
        // A figure of one workload the strategy ran marks nothing.
        let t = one(&runs, FigureId::ThroughputVsN).unwrap();
        assert!(t.refused.is_empty());
        // One it refused everywhere is named, with no category to mark.
        let only: Vec<RunReport> = runs
            .iter()
            .filter(|r| r.workload == "random-bits" || r.strategy == "counter")
            .map(|r| {
                let mut r = r.clone();
                if r.strategy == "static" {
                    r.workload = "independent".into();
                }
                r
            })
            .collect();
        let t = one(&only, FigureId::ThroughputVsN).unwrap();
        assert_eq!(t.refused.len(), 1);
        assert_eq!(t.refused[0].x, None);
    }
}
