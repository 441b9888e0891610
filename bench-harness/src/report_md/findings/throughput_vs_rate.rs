//! Under the throughput against the link rate: for each strategy and coding,
//! its unshaped throughput and the rate at which it falls to half of that
//! (interpolated on log–log axes between the two rates around it); then, at
//! the slowest rate, each series against the plain counter.

use crate::figures::Figure;
use crate::format::{num, times};
use std::fmt::Write as _;

/// The rate a category names, bits per second (`None` for unshaped).
fn bps(name: &str) -> Option<f64> {
    let (value, unit) = name.split_once(' ')?;
    let scale = match unit {
        "kbit/s" => 1e3,
        "Mbit/s" => 1e6,
        "Gbit/s" => 1e9,
        _ => return None,
    };
    Some(value.replace('\u{2009}', "").parse::<f64>().ok()? * scale)
}

/// Where y falls to `half` between (x1, y1) and (x2, y2) on log–log axes.
fn crossing((x1, y1): (f64, f64), (x2, y2): (f64, f64), half: f64) -> f64 {
    let t = (half.ln() - y1.ln()) / (y2.ln() - y1.ln());
    (x1.ln() + t * (x2.ln() - x1.ln())).exp()
}

pub(super) fn write(out: &mut String, f: &Figure) {
    for s in &f.series {
        let Some(top) = s.points.iter().find(|p| bps(&p.x_name).is_none()) else {
            continue;
        };
        let half = top.y.median / 2.0;
        let shaped: Vec<(f64, f64, &str)> = s
            .points
            .iter()
            .filter_map(|p| Some((bps(&p.x_name)?, p.y.median, p.x_name.as_str())))
            .collect();
        let _ = write!(out, "**{}**: {} mul/s unshaped", s.label, num(top.y.median));
        match shaped.iter().position(|p| p.1 < half) {
            None => {
                let _ = write!(out, "; above half of that at every rate run");
            }
            Some(0) => {
                let _ = write!(
                    out,
                    "; below half already at {} ({} mul/s)",
                    shaped[0].2,
                    num(shaped[0].1)
                );
            }
            Some(i) => {
                let (a, b) = (shaped[i - 1], shaped[i]);
                let at = crossing((a.0, a.1), (b.0, b.1), half);
                let _ = write!(
                    out,
                    "; half of that between {} ({} mul/s) and {} ({}): about {} Mbit/s",
                    a.2,
                    num(a.1),
                    b.2,
                    num(b.1),
                    num(at / 1e6)
                );
            }
        }
        out.push_str(".\n\n");
    }
    // At the slowest rate, every series against the plain counter's.
    let slowest = f
        .series
        .iter()
        .flat_map(|s| {
            s.points
                .iter()
                .filter_map(|p| bps(&p.x_name).map(|b| (b, p.x_name.clone())))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let Some((_, name)) = slowest else {
        return;
    };
    let at = |s: &crate::select::series::Series| {
        s.points
            .iter()
            .find(|p| p.x_name == name)
            .map(|p| p.y.median)
    };
    let Some(base) = f
        .series
        .iter()
        .find(|s| s.strategy == "counter" && s.quantity == "plain")
        .and_then(at)
    else {
        return;
    };
    let parts: Vec<String> = f
        .series
        .iter()
        .filter_map(|s| Some(format!("{} {}", s.label, times(at(s)? / base))))
        .collect();
    let _ = writeln!(
        out,
        "At {name}, against the plain counter: {}.\n",
        parts.join(", ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_back_and_half_is_interpolated() {
        assert_eq!(bps("10 Mbit/s"), Some(1e7));
        assert_eq!(bps("1 Gbit/s"), Some(1e9));
        assert_eq!(bps("unshaped"), None);
        // From 400 at 100 Mbit/s to 25 at 10 Mbit/s (a slope of 1.2 on
        // log–log axes), 200 is reached at 10^(8 − 1/4) bit/s.
        let at = crossing((1e8, 400.0), (1e7, 25.0), 200.0);
        assert!((at - 10f64.powf(7.75)).abs() / at < 1e-9, "{at}");
    }
}
