//! The written findings under each figure: a few sentences whose every
//! number is computed from the figure's points. One file per figure, named
//! as the figure's plots are; [`write`] is the one place that says which
//! findings follow which figure.

mod failure_rate_vs_jitter;
mod failure_rate_vs_window;
mod label_bytes_by_coding;
mod label_bytes_by_workload;
mod label_bytes_vs_depth;
mod label_share;
mod latency_chain;
mod latency_vs_delay;
mod memory_vs_n;
mod throughput_vs_n;
mod throughput_vs_players;
mod throughput_vs_rate;

use crate::figures::{Figure, FigureId};

/// Writes the findings of drawn figure `f`.
pub(super) fn write(out: &mut String, f: &Figure) {
    match f.id {
        FigureId::ThroughputVsN => throughput_vs_n::write(out, f),
        FigureId::ThroughputVsPlayers => throughput_vs_players::write(out, f),
        FigureId::LabelBytesVsDepth => label_bytes_vs_depth::write(out, f),
        FigureId::LabelShare => label_share::write(out, f),
        FigureId::FailureRateVsJitter => failure_rate_vs_jitter::write(out, f),
        FigureId::LatencyChain => latency_chain::write(out, f),
        FigureId::MemoryVsN => memory_vs_n::write(out, f),
        FigureId::FailureRateVsWindow => failure_rate_vs_window::write(out, f),
        FigureId::LabelBytesByCoding => label_bytes_by_coding::write(out, f),
        FigureId::LabelBytesByWorkload => label_bytes_by_workload::write(out, f),
        FigureId::ThroughputVsRate => throughput_vs_rate::write(out, f),
        FigureId::LatencyVsDelay => latency_vs_delay::write(out, f),
    }
}
