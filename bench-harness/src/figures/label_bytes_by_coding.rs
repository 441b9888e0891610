//! Label bytes per message under both codings: for each workload run with
//! labels coded against the link, each strategy's mean label bytes per
//! message with plain labels (round) and coded (triangles), at the fewest
//! players, no jitter and the largest n of those coded runs.

use super::figure::{Figure, Scale, Skipped, XAxis};
use super::id::FigureId;
use crate::format::group_digits;
use crate::select::series::{series_by_coding, Style};
use shamir_runtime::link_coding::LabelCoding;
use shamir_runtime::{RunReport, WorkloadKind};
use std::collections::BTreeMap;

/// A workload at a depth, in the study's order of workloads.
type Category = (usize, String, u32);

fn category(r: &RunReport) -> Category {
    let rank = WorkloadKind::ALL
        .iter()
        .position(|w| w.name() == r.workload)
        .unwrap_or(WorkloadKind::ALL.len());
    (rank, r.workload.clone(), r.depth)
}

fn category_name((_, workload, depth): &Category) -> String {
    if workload == "nested" {
        format!("nested, depth {depth}")
    } else {
        workload.clone()
    }
}

pub(super) fn build(runs: &[&RunReport]) -> Result<Figure, Skipped> {
    let id = FigureId::LabelBytesByCoding;
    let coded: Vec<&RunReport> = runs
        .iter()
        .copied()
        .filter(|r| r.label_coding == LabelCoding::Link && r.jitter_us == 0)
        .collect();
    let Some(players) = coded.iter().map(|r| r.players).min() else {
        return Err(Skipped::new(
            id,
            "no runs without jitter have labels coded against the link (`--label-coding link`, \
             or `label_coding = [\"plain\", \"link\"]` in a grid)",
        ));
    };
    // The largest n of each category's coded runs, and the window they used.
    let mut largest: BTreeMap<Category, (u64, u32)> = BTreeMap::new();
    for r in coded.iter().filter(|r| r.players == players) {
        let e = largest.entry(category(r)).or_insert((r.n, r.window));
        if r.n > e.0 {
            *e = (r.n, r.window);
        }
    }
    let chosen: Vec<&RunReport> = runs
        .iter()
        .copied()
        .filter(|r| {
            r.players == players
                && r.jitter_us == 0
                && largest.get(&category(r)) == Some(&(r.n, r.window))
        })
        .collect();
    let categories: Vec<&Category> = largest.keys().collect();
    let names: Vec<String> = categories.iter().map(|c| category_name(c)).collect();
    let x_of = |r: &RunReport| {
        let c = category(r);
        categories.iter().position(|k| **k == c).unwrap_or(0) as f64
    };
    let series = series_by_coding(
        &chosen,
        x_of,
        |x| names[x as usize].clone(),
        |r| Some(r.label_bytes_mean),
        Style::points("label B"),
    );
    let ns: Vec<String> = categories
        .iter()
        .map(|c| {
            format!(
                "{} at n = {}",
                category_name(c),
                group_digits(largest[*c].0)
            )
        })
        .collect();
    Ok(Figure::new(
        id,
        format!("{players} players, no jitter; {}", ns.join(", ")),
        series,
    )
    .x_axis(
        "workload",
        "workload (categories)",
        XAxis::Categories(names.clone()),
    )
    .y_axis("bytes", "label bytes per message (bytes)", Scale::Linear)
    .dodged()
    .note(
        "Round: plain labels (the labeller's wire form). Triangles: each label coded against \
         the labels sent before it on the link.",
    ))
}
