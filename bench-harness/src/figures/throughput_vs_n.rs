//! Throughput against n: `independent` at 3 players without jitter, the
//! median multiplications per second at each n, on log–log axes. Runs shorter
//! than [`MIN_TIMED_S`] are left out: a run of a few milliseconds times the
//! scheduler more than the protocol.

use super::figure::{Figure, Scale, Skipped, XAxis, LEFT_OUT};
use super::id::FigureId;
use crate::select::series::{int_name, positive, series_of, Style};
use crate::select::slice::{select, Dim, Fixed};
use crate::select::timed;
use shamir_runtime::RunReport;

/// The shortest run (seconds) whose throughput this figure shows.
pub(crate) const MIN_TIMED_S: f64 = 0.01;

pub(super) fn build(ok: &[&RunReport]) -> Result<Figure, Skipped> {
    let id = FigureId::ThroughputVsN;
    let (fixed, runs) = independent_by_n(ok, id)?;
    let (runs, short): (Vec<&RunReport>, Vec<&RunReport>) =
        runs.into_iter().partition(|r| r.wall_s >= MIN_TIMED_S);
    if runs.is_empty() {
        return Err(Skipped::new(
            id,
            "every run of `independent` lasted under 10 ms: too short to time",
        ));
    }
    let short_note = if short.is_empty() {
        "No run was shorter than 10 ms.".to_string()
    } else {
        let ns: std::collections::BTreeSet<u64> = short.iter().map(|r| r.n).collect();
        let ns: Vec<String> = ns.iter().map(|n| int_name(*n as f64)).collect();
        format!(
            "{} runs shorter than 10 ms (at n = {}) are left out: they time the scheduler more than the protocol.",
            short.len(),
            ns.join(", ")
        )
    };
    let series = series_of(
        &runs,
        |r| r.n as f64,
        int_name,
        |r| positive(r.mul_per_s),
        Style::line("mul/s"),
    );
    Ok(Figure::new(id, fixed.describe(), series)
        .x_axis(
            "n",
            "n (multiplications per run, log scale)",
            XAxis::Numeric(Scale::Log),
        )
        .y_axis(
            "mul/s",
            "throughput (multiplications/s, log scale)",
            Scale::Log,
        )
        .note(LEFT_OUT)
        .note(short_note))
}

/// The finished runs of `independent` with 3 players and no jitter, at the
/// slice with the most values of n: this figure's runs, and the memory's.
pub(super) fn independent_by_n<'a>(
    ok: &[&'a RunReport],
    id: FigureId,
) -> Result<(Fixed, Vec<&'a RunReport>), Skipped> {
    let cands: Vec<&RunReport> = ok
        .iter()
        .copied()
        .filter(|r| r.workload == "independent" && r.players == 3 && r.jitter_us == 0 && timed(r))
        .collect();
    select(&cands, Some(Dim::N), |c| (c.xs, c.series, c.runs)).ok_or_else(|| {
        Skipped::new(
            id,
            "no finished runs of `independent` with 3 players and no jitter",
        )
    })
}
