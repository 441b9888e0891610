//! Throughput against the number of players: `independent` without jitter,
//! at the largest n that was run with more than one number of players.

use super::figure::{auto_scale, Figure, Scale, Skipped, XAxis, LEFT_OUT};
use super::id::FigureId;
use crate::select::series::{int_name, positive, series_of, Style};
use crate::select::slice::{select, Dim};
use crate::select::timed;
use shamir_runtime::RunReport;

pub(super) fn build(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let id = FigureId::ThroughputVsPlayers;
    let cands: Vec<&RunReport> = ok
        .iter()
        .copied()
        .filter(|r| r.workload == "independent" && r.jitter_us == 0 && timed(r))
        .collect();
    // The largest n at which more than one number of players was run.
    let Some((fixed, runs)) = select(&cands, Some(Dim::Players), |c| {
        (c.xs >= 2, c.fixed.n, c.xs, c.series, c.runs)
    }) else {
        return Err(Skipped::new(
            id,
            "no finished runs of `independent` without jitter",
        ));
    };
    let series = series_of(
        &runs,
        |r| r.players as f64,
        int_name,
        |r| positive(r.mul_per_s),
        Style::line("mul/s"),
    );
    let ys: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.y.median))
        .collect();
    let cores: std::collections::BTreeSet<u32> = runs
        .iter()
        .map(|r| r.machine_cores)
        .filter(|c| *c > 0)
        .collect();
    let cores: Vec<String> = cores.iter().map(u32::to_string).collect();
    let cores = match cores.is_empty() {
        true => "this machine's logical cores".to_string(),
        false => format!("this machine's {} logical cores", cores.join(" or ")),
    };
    let shared = format!(
        "Every player is a thread of one process on {cores}: \
         more players than cores share them, so throughput falls with the players also \
         because each gets less of a core, not only because it sends to more of them."
    );
    Ok(Figure::new(id, fixed.describe(), series)
        .x_axis("players", "players", XAxis::Numeric(Scale::Linear))
        .y_axis("mul/s", "throughput (multiplications/s)", auto_scale(&ys))
        .note("Threshold t = ⌊(players − 1)/2⌋ unless set.")
        .note(shared)
        .note(LEFT_OUT))
}
