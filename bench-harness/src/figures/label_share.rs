//! Label size per workload, as bytes per message and as a share of the
//! wire: one category per workload, each at its own best slice, compared at
//! one n where possible (the n most workloads have).

use super::figure::{Figure, Scale, Skipped, XAxis};
use super::id::FigureId;
use crate::select::series::{series_of, Style};
use crate::select::slice::{defaults, select, Fixed};
use crate::select::workload_rank;
use crate::stats::label_share_percent;
use shamir_runtime::RunReport;
use std::collections::{BTreeMap, BTreeSet};

/// Label bytes as a share of the wire bytes, per workload.
pub(super) fn build(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    build_per_workload(
        FigureId::LabelShare,
        ok,
        label_share_percent,
        Style::points("label share %"),
    )
    .map(|f| {
        f.y_axis("%", "label bytes / wire bytes (%)", Scale::Linear)
            .note("Wire bytes: every frame byte sent (length prefixes, labels, payloads).")
    })
}

/// Mean label bytes per message, per workload: the loop workloads
/// (`random-bits`, `retry`) beside the straight-line ones.
pub(super) fn build_bytes(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    build_per_workload(
        FigureId::LabelBytesByWorkload,
        ok,
        |r| Some(r.label_bytes_mean),
        Style::points("label B"),
    )
    .map(|f| {
        f.y_axis("bytes", "label bytes per message (bytes)", Scale::Linear)
            .note("Loops on opened values: `random-bits` (one loop per bit) and `retry` (loops nested two deep).")
    })
}

/// Figure `id`: `y_of` of every workload's runs at its best slice, one
/// category per workload; the caller sets the y axis.
fn build_per_workload(
    id: FigureId,
    ok: &[&RunReport],
    y_of: impl Fn(&RunReport) -> Option<f64>,
    style: Style,
) -> Result<Figure, Skipped> {
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
        return Err(Skipped::new(id, "no runs that sent any bytes"));
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
        y_of,
        style,
    );
    let mut fig = Figure::new(id, shared.join(" · "), series)
        .x_axis("workload", "workload", XAxis::Categories(categories))
        .dodged();
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
