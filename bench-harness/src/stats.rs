//! The arithmetic behind the plots and the report: summaries over repetitions
//! (median, min, max, count), the failure rate, the label share of the wire and
//! a least-squares slope on log–log axes. Everything here is pure.

use shamir_runtime::RunReport;

/// Median, minimum and maximum of one quantity over the repetitions of a cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Summary {
    /// The median (the mean of the two middle values for an even count).
    pub(crate) median: f64,
    /// The smallest value.
    pub(crate) min: f64,
    /// The largest value.
    pub(crate) max: f64,
    /// How many values (repetitions) were summarised.
    pub(crate) count: usize,
}

impl Summary {
    /// Summarises `values`, ignoring values that are not finite; `None` when
    /// nothing finite is left.
    pub(crate) fn of(values: impl IntoIterator<Item = f64>) -> Option<Summary> {
        let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let k = v.len();
        let median = if k % 2 == 1 {
            v[k / 2]
        } else {
            (v[k / 2 - 1] + v[k / 2]) / 2.0
        };
        Some(Summary {
            median,
            min: v[0],
            max: v[k - 1],
            count: k,
        })
    }
}

/// Results of a run that were not correct: `outputs − correct`. `correct` is
/// the minimum over players, so a result counts as a failure when it was wrong,
/// unverifiable (an inconsistent opening) or never checked at some player —
/// which is how a hung run counts every output it did not finish.
pub(crate) fn failures(r: &RunReport) -> u64 {
    r.outputs.saturating_sub(r.correct)
}

/// Failures per 10⁴ outputs (`10⁴ · (outputs − correct) / outputs`); on the
/// `independent` workload there is one output per multiplication, so this is
/// failures per 10⁴ multiplications. `None` for a run with no outputs.
pub(crate) fn failure_rate_per_10k(r: &RunReport) -> Option<f64> {
    (r.outputs > 0).then(|| 1e4 * failures(r) as f64 / r.outputs as f64)
}

/// Label bytes as a percentage of all bytes on the wire; `None` when nothing
/// was sent.
pub(crate) fn label_share_percent(r: &RunReport) -> Option<f64> {
    (r.wire_bytes > 0).then(|| 100.0 * r.label_bytes_total as f64 / r.wire_bytes as f64)
}

/// A straight line `log10 y = intercept + slope · log10 x`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LogLogFit {
    /// The exponent: y grows like x^slope.
    pub(crate) slope: f64,
    /// The intercept on log10 axes.
    pub(crate) intercept: f64,
}

impl LogLogFit {
    /// The fitted y at `x`.
    pub(crate) fn at(&self, x: f64) -> f64 {
        10f64.powf(self.intercept + self.slope * x.log10())
    }
}

/// Least-squares line through `pts`: (slope, intercept); `None` without two
/// distinct x values.
pub(crate) fn least_squares(pts: &[(f64, f64)]) -> Option<(f64, f64)> {
    if pts.len() < 2 {
        return None;
    }
    let k = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / k;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / k;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 1e-12).then(|| (sxy / sxx, my - sxy / sxx * mx))
}

/// Least squares on (log10 x, log10 y); points with a non-positive or
/// non-finite coordinate are left out. `None` unless at least two distinct x
/// values remain.
pub(crate) fn fit_log_log(points: &[(f64, f64)]) -> Option<LogLogFit> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite() && *x > 0.0 && *y > 0.0)
        .map(|(x, y)| (x.log10(), y.log10()))
        .collect();
    least_squares(&pts).map(|(slope, intercept)| LogLogFit { slope, intercept })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A finished, fully correct run report with plausible numbers, for tests.
    pub(crate) fn report(strategy: &str, workload: &str) -> RunReport {
        let params = shamir_runtime::RunParams {
            players: 3,
            threshold: 1,
            modulus: shamir_runtime::field::MODULUS,
            workload: workload.parse().expect("a known workload"),
            n: 1000,
            depth: 1,
            seed: 1,
            window: 4096,
            jitter_us: 0,
            delay_us: 0,
            label_coding: Default::default(),
        };
        let mut r = RunReport::combine(strategy, &params, 1000, &[]);
        r.git_rev = "abc".into();
        r.date = "2026-01-01T00:00:00Z".into();
        r.machine_cpu = "cpu".into();
        r.machine_cores = 2;
        r.machine_os = "linux".into();
        r.correct = 1000;
        r.wall_s = 0.01;
        r.mul_per_s = 100_000.0;
        r.messages = 6000;
        r.label_bytes_total = 12_000;
        r.label_bytes_mean = 2.0;
        r.label_bytes_max = 2;
        r.payload_bytes = 48_000;
        r.wire_bytes = 80_000;
        r.latency_p50_us = 100.0;
        r.latency_p99_us = 300.0;
        r.peak_rss_bytes = Some(64 << 20);
        r
    }

    #[test]
    fn summary_of_odd_and_even_counts() {
        let s = Summary::of([3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.count), (2.0, 1.0, 3.0, 3));
        let s = Summary::of([4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.count), (2.5, 1.0, 4.0, 4));
        let s = Summary::of([7.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.count), (7.0, 7.0, 7.0, 1));
    }

    #[test]
    fn summary_ignores_non_finite_and_empty_is_none() {
        assert!(Summary::of([]).is_none());
        assert!(Summary::of([f64::NAN, f64::INFINITY]).is_none());
        let s = Summary::of([f64::NAN, 5.0, 1.0]).unwrap();
        assert_eq!((s.median, s.count), (3.0, 2));
    }

    #[test]
    fn failure_rate_counts_everything_not_correct() {
        let mut r = report("naive", "independent");
        r.outputs = 10_000;
        r.correct = 9_999;
        assert_eq!(failures(&r), 1);
        assert_eq!(failure_rate_per_10k(&r), Some(1.0));
        // A hung run: only 4 000 outputs were checked, all correct.
        r.hung = true;
        r.correct = 4_000;
        assert_eq!(failure_rate_per_10k(&r), Some(6_000.0));
        r.outputs = 0;
        r.correct = 0;
        assert_eq!(failure_rate_per_10k(&r), None);
        // More correct than outputs cannot happen, but must not underflow.
        r.outputs = 1;
        r.correct = 2;
        assert_eq!(failures(&r), 0);
    }

    #[test]
    fn label_share() {
        let r = report("counter", "tree");
        assert_eq!(label_share_percent(&r), Some(15.0));
        let mut r = r;
        r.wire_bytes = 0;
        assert_eq!(label_share_percent(&r), None);
    }

    #[test]
    fn fit_recovers_a_power_law() {
        let pts: Vec<(f64, f64)> = [10.0, 100.0, 1000.0, 10000.0]
            .iter()
            .map(|&x: &f64| (x, 3.0 * x.powf(1.5)))
            .collect();
        let f = fit_log_log(&pts).unwrap();
        assert!((f.slope - 1.5).abs() < 1e-9, "{f:?}");
        assert!((f.intercept - 3f64.log10()).abs() < 1e-9);
        assert!((f.at(100.0) - 3000.0).abs() < 1e-6);
    }

    #[test]
    fn fit_needs_two_distinct_positive_x() {
        assert!(fit_log_log(&[]).is_none());
        assert!(fit_log_log(&[(10.0, 1.0), (10.0, 2.0)]).is_none());
        assert!(fit_log_log(&[(0.0, 1.0), (10.0, 2.0)]).is_none());
        let f = fit_log_log(&[(1.0, 1.0), (10.0, 10.0), (0.0, 5.0)]).unwrap();
        assert!((f.slope - 1.0).abs() < 1e-12);
    }
}
