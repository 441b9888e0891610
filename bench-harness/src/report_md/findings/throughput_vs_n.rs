//! Under the throughput against n: at the largest n, the fastest strategy and
//! every other one as a share of it, whether their run-to-run ranges overlap,
//! which strategies were not run at that n, and a caveat when the
//! strategies' runs were far apart in time (the machine's speed drifts).

use crate::figures::Figure;
use crate::format::{duration_words, group_digits, num, times};
use crate::select::series::Point;
use crate::stats::Summary;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

pub(super) fn write(out: &mut String, f: &Figure) {
    // At the largest n, among the strategies run at it.
    let Some(n) = f
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.x))
        .max_by(f64::total_cmp)
    else {
        return;
    };
    let mut points: Vec<(&str, &Point)> = f
        .series
        .iter()
        .filter_map(|s| {
            s.points
                .iter()
                .find(|p| p.x == n)
                .map(|p| (s.name.as_str(), p))
        })
        .collect();
    points.sort_by(|a, b| b.1.y.median.total_cmp(&a.1.y.median));
    let at: Vec<(&str, Summary)> = points.iter().map(|(s, p)| (*s, p.y)).collect();
    let Some((best, top)) = at.first().copied() else {
        return;
    };
    let _ = write!(
        out,
        "At the largest n, {} ({}), **{best}** was fastest with a median of {} multiplications/s",
        group_digits(n as u64),
        f.context,
        num(top.median)
    );
    for (name, s) in at.iter().skip(1) {
        let _ = write!(
            out,
            "; **{name}** reached {} ({} of {best}; min–max ranges {})",
            num(s.median),
            times(s.median / top.median),
            if overlap(s, &top) {
                "overlap: within run-to-run spread"
            } else {
                "do not overlap"
            }
        );
    }
    out.push('.');
    let missing: Vec<String> = f
        .series
        .iter()
        .filter(|s| !s.points.iter().any(|p| p.x == n))
        .map(|s| format!("**{}**", s.name))
        .collect();
    if !missing.is_empty() {
        let _ = write!(out, " Not run at this n: {}.", missing.join(", "));
    }
    let points: Vec<&Point> = points.iter().map(|(_, p)| *p).collect();
    if let Some(gap) = largest_gap(&points).filter(|g| *g >= DRIFT_SCALE) {
        let _ = write!(
            out,
            " These strategies' runs were not interleaved: one strategy's finished before another's \
             started, up to {} apart (`date` in `runs.jsonl`). The machine's speed can drift in \
             that time, so the ratios include the drift; for a paired comparison, use runs \
             interleaved in time, as `labelbench sweep` (the strategies of a repetition back \
             to back) and `labelbench run --strategy all` make them.",
            duration_words(gap)
        );
    }
    out.push_str("\n\n");
}

/// Whether two summaries' min–max ranges overlap.
fn overlap(a: &Summary, b: &Summary) -> bool {
    a.min <= b.max && b.min <= a.max
}

/// A gap between strategies' runs long enough for a shared machine's speed to
/// drift (the development VM drifted by up to 2× over an hour).
const DRIFT_SCALE: Duration = Duration::from_secs(5 * 60);

/// The longest time between two points whose runs did not overlap in time
/// (one's last run started before the other's first), if any two did not.
fn largest_gap(points: &[&Point]) -> Option<Duration> {
    let spans: Vec<(SystemTime, SystemTime)> = points
        .iter()
        .filter_map(|p| {
            let (a, b) = p.dates.as_ref()?;
            Some((
                humantime::parse_rfc3339_weak(a).ok()?,
                humantime::parse_rfc3339_weak(b).ok()?,
            ))
        })
        .collect();
    let mut gap: Option<Duration> = None;
    for (i, x) in spans.iter().enumerate() {
        for y in &spans[i + 1..] {
            let (early, late) = if x.0 <= y.0 { (x, y) } else { (y, x) };
            if let Ok(d) = late.0.duration_since(early.1) {
                if !d.is_zero() {
                    gap = Some(gap.map_or(d, |g| g.max(d)));
                }
            }
        }
    }
    gap
}
