//! Under the label bytes against depth: each strategy's mean label at the
//! least and the most depth, the bytes each level of nesting adds, and its
//! longest label.

use crate::figures::Figure;
use crate::format::num;
use crate::stats::least_squares;
use std::fmt::Write as _;

pub(super) fn write(out: &mut String, f: &Figure) {
    for s in f.series.iter().filter(|s| s.quantity == "mean") {
        let (Some(a), Some(b)) = (s.points.first(), s.points.last()) else {
            continue;
        };
        let longest = f
            .series
            .iter()
            .filter(|m| m.quantity == "max" && m.strategy == s.strategy && m.truncate == s.truncate)
            .flat_map(|m| m.points.iter().map(|p| p.y.max))
            .fold(f64::NAN, f64::max);
        let slope = linear_slope(
            &s.points
                .iter()
                .map(|p| (p.x, p.y.median))
                .collect::<Vec<_>>(),
        );
        let label = &s.name;
        let _ = write!(
            out,
            "**{label}**: mean label {} B per message at depth {}, {} B at depth {}",
            num(a.y.median),
            a.x_name,
            num(b.y.median),
            b.x_name
        );
        if let Some(k) = slope {
            let _ = write!(
                out,
                " ({} B per level of nesting, least squares on the medians)",
                num(k)
            );
        }
        if longest.is_finite() {
            let _ = write!(out, "; longest label {} B", num(longest));
        }
        out.push_str(".\n\n");
    }
}

/// Least-squares slope of y on x; `None` without two distinct x.
fn linear_slope(pts: &[(f64, f64)]) -> Option<f64> {
    least_squares(pts).map(|(slope, _)| slope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_line() {
        assert_eq!(linear_slope(&[(1.0, 2.0), (3.0, 6.0)]), Some(2.0));
        assert_eq!(linear_slope(&[(1.0, 2.0)]), None);
    }
}
