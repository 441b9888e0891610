//! Throughput against the link rate: `independent`, players in network
//! namespaces, each strategy with plain labels (round) and coded against the
//! link (triangles), at each rate (categories, from unshaped down), insecure
//! runs without delay or jitter.

use super::figure::{Figure, Scale, Skipped, XAxis};
use super::id::FigureId;
use crate::format::group_digits;
use crate::select::series::{positive, series_by_coding, Style};
use shamir_runtime::RunReport;
use std::collections::BTreeSet;

/// A rate's place on the axis: unshaped first, then from fast to slow.
pub(crate) fn rate_order(bps: Option<u64>) -> std::cmp::Reverse<u64> {
    std::cmp::Reverse(bps.unwrap_or(u64::MAX))
}

/// A rate as a reader writes it: `10 Mbit/s`, or `unshaped`.
pub(crate) fn rate_name(bps: Option<u64>) -> String {
    match bps {
        None => "unshaped".into(),
        Some(b) if b >= 1_000_000_000 && b % 1_000_000_000 == 0 => {
            format!("{} Gbit/s", b / 1_000_000_000)
        }
        Some(b) if b >= 1_000_000 && b % 1_000_000 == 0 => format!("{} Mbit/s", b / 1_000_000),
        Some(b) => format!("{} kbit/s", group_digits(b / 1_000)),
    }
}

pub(super) fn build(net: &[&RunReport]) -> Result<Figure, Skipped> {
    let id = FigureId::ThroughputVsRate;
    let runs: Vec<&RunReport> = net
        .iter()
        .copied()
        .filter(|r| {
            r.workload == "independent"
                && !r.secure
                && r.delay_us == 0
                && r.jitter_us == 0
                && r.error.is_none()
                && !r.hung
        })
        .collect();
    let Some(players) = runs.iter().map(|r| r.players).min() else {
        return Err(Skipped::new(
            id,
            "no finished runs of `independent` in network namespaces (`--rate`, or the grid's \
             `rate`; the `network` preset)",
        ));
    };
    let n = runs
        .iter()
        .filter(|r| r.players == players)
        .map(|r| r.n)
        .max();
    let runs: Vec<&RunReport> = runs
        .into_iter()
        .filter(|r| r.players == players && Some(r.n) == n)
        .collect();
    let rates: Vec<Option<u64>> = runs
        .iter()
        .map(|r| r.rate_bps)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>();
    let mut rates = rates;
    rates.sort_by_key(|b| rate_order(*b));
    let names: Vec<String> = rates.iter().map(|b| rate_name(*b)).collect();
    let x_of = |r: &RunReport| rates.iter().position(|b| *b == r.rate_bps).unwrap_or(0) as f64;
    let series = series_by_coding(
        &runs,
        x_of,
        |x| names[x as usize].clone(),
        |r| positive(r.mul_per_s),
        Style::line("mul/s"),
    );
    Ok(Figure::new(
        id,
        format!(
            "independent · {players} players, each in a network namespace of its own · n = {} · \
             plaintext links, no delay or jitter",
            group_digits(n.unwrap_or(0))
        ),
        series,
    )
    .x_axis(
        "link rate",
        "rate of every player's link, both directions (categories, not to scale)",
        XAxis::Categories(names),
    )
    .y_axis(
        "mul/s",
        "multiplications per second (log scale)",
        Scale::Log,
    )
    .note(
        "Solid, round: plain labels. Dashed, triangles: labels coded against the link. \
         Each player's link is shaped with htb to the rate, both ways.",
    ))
}
