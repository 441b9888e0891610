//! Choosing the data: which runs a figure or a table takes, which of them are
//! repetitions of one configuration, and in which order and under which name
//! each strategy appears. The figures ([`crate::figures`]) and the report's
//! own tables ([`crate::report_md`]) both choose through here, so a table and
//! the plot beside it count the same runs.
//!
//! [`slice`] picks the runs a plot shows (it fixes some parameters and varies
//! one); [`series`] groups them into one series of points per strategy
//! variant.

pub(crate) mod series;
pub(crate) mod slice;

use shamir_runtime::{RunReport, WorkloadKind};
use std::collections::{BTreeMap, BTreeSet};

/// A name with its place in the study's order (see [`strategy_rank`]).
pub(crate) type Rank = (usize, String);

/// A strategy variant: the strategy and its label truncation.
pub(crate) type VariantKey = (Rank, Option<u32>);

/// The strategies' order in legends and tables: the one list's
/// ([`crate::strategies::all`]), then any other name alphabetically.
pub(crate) use crate::strategies::rank as strategy_rank;

/// The workloads' order: the study's order, then any other name.
pub(crate) fn workload_rank(name: &str) -> Rank {
    let i = WorkloadKind::ALL
        .iter()
        .position(|w| w.name() == name)
        .unwrap_or(WorkloadKind::ALL.len());
    (i, name.to_string())
}

/// The strategy variant of a run, in the study's order.
pub(crate) fn variant_key(r: &RunReport) -> VariantKey {
    (strategy_rank(&r.strategy), r.truncate_bytes)
}

/// A run that finished without hanging or erroring: its timings mean something.
pub(crate) fn timed(r: &RunReport) -> bool {
    !r.hung && r.error.is_none() && r.wall_s > 0.0
}

/// [`cell_key`] without the security mode and the label coding: what a
/// secure run and its insecure pair share, and a run with labels coded
/// against the link and its plain pair.
pub(crate) fn config_key(r: &RunReport) -> String {
    format!(
        "{}|{:?}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{:?}",
        r.strategy,
        r.truncate_bytes,
        r.workload,
        r.players,
        r.threshold,
        r.n,
        r.depth,
        r.jitter_us,
        r.window,
        r.delay_us,
        r.netns,
        r.rate_bps
    )
}

/// Everything that makes runs repetitions of one configuration.
pub(crate) fn cell_key(r: &RunReport) -> String {
    format!("{}|{}|{}", config_key(r), r.secure, r.label_coding)
}

/// Names strategy variants: `history (8 B)` when the runs hold several label
/// truncations of one strategy, else just the strategy.
pub(crate) struct Variants(BTreeMap<String, BTreeSet<Option<u32>>>);

impl Variants {
    /// The variants among `runs`.
    pub(crate) fn of<'r>(runs: impl IntoIterator<Item = &'r RunReport>) -> Variants {
        let mut m: BTreeMap<String, BTreeSet<Option<u32>>> = BTreeMap::new();
        for r in runs {
            m.entry(r.strategy.clone())
                .or_default()
                .insert(r.truncate_bytes);
        }
        Variants(m)
    }

    /// The name of a variant, e.g. `counter` or `history (8 B)`.
    pub(crate) fn name(&self, strategy: &str, truncate: Option<u32>) -> String {
        let several = self.0.get(strategy).is_some_and(|t| t.len() > 1);
        match truncate {
            Some(t) if several => format!("{strategy} ({t} B)"),
            _ => strategy.to_string(),
        }
    }

    /// Which variant of its strategy this is (0 for the first, by truncation).
    pub(crate) fn shade(&self, strategy: &str, truncate: Option<u32>) -> usize {
        self.0
            .get(strategy)
            .and_then(|v| v.iter().position(|t| *t == truncate))
            .unwrap_or(0)
    }
}
