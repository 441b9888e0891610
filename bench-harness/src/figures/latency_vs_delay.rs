//! `chain`'s latency against a fixed one-way delay: players in network
//! namespaces, unshaped links, plain labels, the median latency of a
//! multiplication at each delay (categories): how many one-way trips each
//! multiplication of a dependent chain waits for.

use super::figure::{Figure, Scale, Skipped, XAxis};
use super::id::FigureId;
use crate::format::group_digits;
use crate::select::series::{positive, series_of, Style};
use shamir_runtime::link_coding::LabelCoding;
use shamir_runtime::RunReport;
use std::collections::BTreeSet;

pub(super) fn build(net: &[&RunReport]) -> Result<Figure, Skipped> {
    let id = FigureId::LatencyVsDelay;
    let runs: Vec<&RunReport> = net
        .iter()
        .copied()
        .filter(|r| {
            r.workload == "chain"
                && !r.secure
                && r.label_coding == LabelCoding::Plain
                && r.rate_bps.is_none()
                && r.jitter_us == 0
                && r.error.is_none()
                && !r.hung
        })
        .collect();
    let delays: Vec<u64> = runs
        .iter()
        .map(|r| r.delay_us)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if delays.len() < 2 {
        return Err(Skipped::new(
            id,
            "fewer than two delays among the finished runs of `chain` in network namespaces \
             (`--delay`, or the grid's `delay_us`; the `network` preset)",
        ));
    }
    let names: Vec<String> = delays.iter().map(|d| group_digits(*d)).collect();
    let series = series_of(
        &runs,
        |r| delays.iter().position(|d| *d == r.delay_us).unwrap_or(0) as f64,
        |x| names[x as usize].clone(),
        |r| positive(r.latency_p50_us),
        Style::line("p50 latency"),
    );
    let n: BTreeSet<u64> = runs.iter().map(|r| r.n).collect();
    let n: Vec<String> = n.into_iter().map(group_digits).collect();
    Ok(Figure::new(
        id,
        format!(
            "chain · players in network namespaces, unshaped links · n = {} · plain labels, \
             plaintext links",
            n.join(", ")
        ),
        series,
    )
    .x_axis(
        "delay (µs)",
        "one-way delay of every frame (µs; categories, not to scale)",
        XAxis::Categories(names),
    )
    .y_axis(
        "µs",
        "median latency per multiplication (µs, log scale)",
        Scale::Log,
    )
    .dodged()
    .note("The delay is added at the sender, in user space: TCP's window does not see it."))
}
