//! The study's twelve figures by name: the one place that knows each
//! figure's file name and title.

/// The study's figures, in the order they are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FigureId {
    /// Throughput against n (`independent`).
    ThroughputVsN,
    /// Throughput against the number of players (`independent`).
    ThroughputVsPlayers,
    /// Label bytes per message against nesting depth (`nested`).
    LabelBytesVsDepth,
    /// Label bytes as a share of the wire, per workload.
    LabelShare,
    /// Failure rate against jitter (`independent`).
    FailureRateVsJitter,
    /// Latency per multiplication on `chain`.
    LatencyChain,
    /// Peak memory against n (`independent`).
    MemoryVsN,
    /// The naive counter's failure rate against the window (`pairs`).
    FailureRateVsWindow,
    /// Label bytes per message with plain labels and coded against the link.
    LabelBytesByCoding,
    /// Label bytes per message, per workload (the loop workloads among them).
    LabelBytesByWorkload,
    /// Throughput against the link rate, players in network namespaces.
    ThroughputVsRate,
    /// `chain`'s latency against a fixed one-way delay.
    LatencyVsDelay,
}

impl FigureId {
    /// Every figure, in order.
    pub(crate) const ALL: [FigureId; 12] = [
        FigureId::ThroughputVsN,
        FigureId::ThroughputVsPlayers,
        FigureId::LabelBytesVsDepth,
        FigureId::LabelShare,
        FigureId::FailureRateVsJitter,
        FigureId::LatencyChain,
        FigureId::MemoryVsN,
        FigureId::FailureRateVsWindow,
        FigureId::LabelBytesByCoding,
        FigureId::LabelBytesByWorkload,
        FigureId::ThroughputVsRate,
        FigureId::LatencyVsDelay,
    ];

    /// The file stem of the figure's plots, e.g. `throughput_vs_n`.
    pub(crate) fn stem(self) -> &'static str {
        match self {
            FigureId::ThroughputVsN => "throughput_vs_n",
            FigureId::ThroughputVsPlayers => "throughput_vs_players",
            FigureId::LabelBytesVsDepth => "label_bytes_vs_depth",
            FigureId::LabelShare => "label_share",
            FigureId::FailureRateVsJitter => "failure_rate_vs_jitter",
            FigureId::LatencyChain => "latency_chain",
            FigureId::MemoryVsN => "memory_vs_n",
            FigureId::FailureRateVsWindow => "failure_rate_vs_window",
            FigureId::LabelBytesByCoding => "label_bytes_by_coding",
            FigureId::LabelBytesByWorkload => "label_bytes_by_workload",
            FigureId::ThroughputVsRate => "throughput_vs_rate",
            FigureId::LatencyVsDelay => "latency_vs_delay",
        }
    }

    /// The figure's title (a drawn figure may make it more precise).
    pub(crate) fn title(self) -> &'static str {
        match self {
            FigureId::ThroughputVsN => "Throughput against n",
            FigureId::ThroughputVsPlayers => "Throughput against the number of players",
            FigureId::LabelBytesVsDepth => "Label bytes per message against nesting depth",
            FigureId::LabelShare => "Label bytes as a share of the wire",
            FigureId::FailureRateVsJitter => "Failure rate against jitter",
            FigureId::LatencyChain => "Latency per multiplication on chain",
            FigureId::MemoryVsN => "Peak memory against n",
            FigureId::FailureRateVsWindow => "Failure rate against the window",
            FigureId::LabelBytesByCoding => {
                "Label bytes per message, plain and coded against the link"
            }
            FigureId::LabelBytesByWorkload => "Label bytes per message by workload",
            FigureId::ThroughputVsRate => "Throughput against the link rate",
            FigureId::LatencyVsDelay => "Latency on chain against the one-way delay",
        }
    }

    /// The one workload the figure shows, if it shows one.
    pub(crate) fn workload(self) -> Option<&'static str> {
        match self {
            FigureId::ThroughputVsN
            | FigureId::ThroughputVsPlayers
            | FigureId::FailureRateVsJitter
            | FigureId::MemoryVsN => Some("independent"),
            FigureId::LabelBytesVsDepth => Some("nested"),
            FigureId::LatencyChain | FigureId::LatencyVsDelay => Some("chain"),
            FigureId::FailureRateVsWindow => Some("pairs"),
            FigureId::LabelShare
            | FigureId::LabelBytesByCoding
            | FigureId::LabelBytesByWorkload
            | FigureId::ThroughputVsRate => None,
        }
    }

    /// The file name of the figure's plot in format `ext` (`png`, `svg`).
    pub(crate) fn file(self, ext: &str) -> String {
        format!("{}.{ext}", self.stem())
    }
}
