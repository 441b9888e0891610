//! A plot's slice of the runs: it fixes some parameters (its workload, say),
//! varies one (its x: n, players, depth, jitter or window) and draws one series per
//! strategy. When the data holds several candidate slices (say `nested` at two
//! values of n), [`select`] takes the one a figure's score prefers — usually
//! the one with the most x values and strategies, at the default parameters
//! (3 players, no jitter) — and [`Fixed::describe`] says in the plot's
//! subtitle which parameters it fixed.

use crate::format::group_digits;
use shamir_runtime::RunReport;
use std::collections::{BTreeMap, BTreeSet};

/// A parameter a plot can vary along its x axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dim {
    /// The number of players.
    Players,
    /// The multiplication count.
    N,
    /// The nesting depth.
    Depth,
    /// The jitter, in µs.
    Jitter,
    /// The issuing window (operations in flight).
    Window,
}

fn dim(r: &RunReport, d: Dim) -> u64 {
    match d {
        Dim::Players => r.players as u64,
        Dim::N => r.n,
        Dim::Depth => r.depth as u64,
        Dim::Jitter => r.jitter_us,
        Dim::Window => u64::from(r.window),
    }
}

/// The parameters of a slice other than its x and its strategies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Fixed {
    /// The workload.
    pub(crate) workload: String,
    /// The players, unless they are the x.
    pub(crate) players: Option<u32>,
    threshold: u32,
    /// n, unless it is the x.
    pub(crate) n: Option<u64>,
    /// The depth, unless it is the x.
    pub(crate) depth: Option<u32>,
    /// The jitter, unless it is the x.
    pub(crate) jitter_us: Option<u64>,
    /// The window, unless it is the x.
    pub(crate) window: Option<u32>,
}

impl Fixed {
    fn of(r: &RunReport, x: Option<Dim>) -> Fixed {
        let keep = |d: Dim| x != Some(d);
        Fixed {
            workload: r.workload.clone(),
            players: keep(Dim::Players).then_some(r.players),
            threshold: if keep(Dim::Players) { r.threshold } else { 0 },
            n: keep(Dim::N).then_some(r.n),
            depth: keep(Dim::Depth).then_some(r.depth),
            jitter_us: keep(Dim::Jitter).then_some(r.jitter_us),
            window: keep(Dim::Window).then_some(r.window),
        }
    }

    /// The fixed parameters, each as a phrase (depth only for `nested`).
    pub(crate) fn parts(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(p) = self.players {
            parts.push(format!("{p} players (t = {})", self.threshold));
        }
        if let Some(n) = self.n {
            parts.push(format!("n = {}", group_digits(n)));
        }
        if let Some(d) = self.depth {
            if self.workload == "nested" {
                parts.push(format!("depth {d}"));
            }
        }
        if let Some(j) = self.jitter_us {
            parts.push(format!("jitter {j} µs"));
        }
        if let Some(w) = self.window {
            parts.push(format!("window {w}"));
        }
        parts
    }

    /// One line naming the workload and the fixed parameters.
    pub(crate) fn describe(&self) -> String {
        let mut parts = vec![format!("workload {}", self.workload)];
        parts.extend(self.parts());
        parts.join(" · ")
    }
}

/// Facts about a candidate slice a plot's score can weigh.
pub(crate) struct Candidate<'a> {
    /// Its fixed parameters.
    pub(crate) fixed: &'a Fixed,
    /// How many values of x it has.
    pub(crate) xs: usize,
    /// How many strategy variants it has.
    pub(crate) series: usize,
    /// How many runs it has.
    pub(crate) runs: usize,
}

/// Picks, among `runs` grouped by their fixed parameters, the group the
/// score likes best (the last of equals, in a deterministic order).
pub(crate) fn select<'a, K: Ord>(
    runs: &[&'a RunReport],
    x: Option<Dim>,
    score: impl Fn(&Candidate) -> K,
) -> Option<(Fixed, Vec<&'a RunReport>)> {
    let mut groups: BTreeMap<Fixed, Vec<&'a RunReport>> = BTreeMap::new();
    for r in runs {
        groups.entry(Fixed::of(r, x)).or_default().push(r);
    }
    groups.into_iter().max_by_key(|(fixed, rs)| {
        let xs: BTreeSet<u64> =
            x.map_or_else(BTreeSet::new, |d| rs.iter().map(|r| dim(r, d)).collect());
        let series: BTreeSet<(&str, Option<u32>)> = rs
            .iter()
            .map(|r| (r.strategy.as_str(), r.truncate_bytes))
            .collect();
        score(&Candidate {
            fixed,
            xs: xs.len(),
            series: series.len(),
            runs: rs.len(),
        })
    })
}

/// How well a slice matches the default parameters (3 players, no jitter).
pub(crate) fn defaults(c: &Candidate) -> u8 {
    u8::from(!matches!(c.fixed.players, Some(p) if p != 3))
        + u8::from(!matches!(c.fixed.jitter_us, Some(j) if j != 0))
}
