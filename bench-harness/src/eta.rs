//! The time a sweep has left: a rough model of how long one run takes, and an
//! estimate that scales the model by how fast the runs done so far went.
//!
//! A sweep's runs differ in cost by four orders of magnitude (a `chain` of
//! 10⁵ rounds under 1 ms of jitter takes minutes; most runs take a fraction of
//! a second), and the grid runs them in workload order, so a rate of runs per
//! second says little about the runs still to come. The model weighs each run
//! by what it waits for: a fixed setup (threads, sockets, handshakes), traffic
//! growing with n × players², one network round trip plus the jitter and the
//! one-way delay for each round that must wait for the one before it, and,
//! on a shaped link, the time its bytes take at the link's rate.

use shamir_runtime::{RunParams, WorkloadKind};
use std::time::Duration;

/// Setup per run (player threads, the socket mesh, handshakes), seconds.
const SETUP_S: f64 = 0.2;
/// Traffic per multiplication and ordered pair of players, seconds.
const PER_MUL_AND_PAIR_S: f64 = 3e-7;
/// One round's latency per player (a round waits for the slowest link), seconds.
const ROUND_PER_PLAYER_S: f64 = 40e-6;

/// Bytes a player sends on one link per multiplication of `independent`
/// (its share, the opening's share, labels and framing), fitted to the
/// network preset's runs at 10 Mbit/s.
const LINK_BYTES_PER_MUL: f64 = 50.0;

/// Rounds that must run one after another: each waits out a round trip and
/// its frames' jitter.
fn sequential_rounds(q: &RunParams) -> f64 {
    match q.workload {
        WorkloadKind::Chain => q.n as f64,
        WorkloadKind::Tree => (q.n.max(2) as f64).log2().ceil(),
        WorkloadKind::Nested => f64::from(q.depth),
        WorkloadKind::Independent
        | WorkloadKind::RandomBits
        | WorkloadKind::Duplicates
        | WorkloadKind::Pairs => 1.0,
        // About 5.4 coins per item, chained through loops nested two deep.
        WorkloadKind::Retry => 6.0,
    }
}

/// The model's wall-clock seconds for one run. Its constants were fitted by
/// hand to the full and quick sweeps on the development machine (2 cores),
/// whose times the model's totals come within 20 % of (4 h 36 min against
/// about 4.9 h; 3 min 16 s against 2 min 49 s to 3 min 21 s); elsewhere only
/// its proportions matter, because [`TimeLeft`] rescales it by the runs done.
/// `link_bps` is the rate each link is shaped to, if it is.
fn expected_seconds(q: &RunParams, link_bps: Option<u64>) -> f64 {
    let players = f64::from(q.players);
    let jitter_s = q.jitter_us as f64 * 1e-6;
    let delay_s = q.delay_us as f64 * 1e-6;
    let on_the_link = link_bps.map_or(0.0, |bps| {
        q.n as f64 * LINK_BYTES_PER_MUL * 8.0 / bps.max(1) as f64
    });
    SETUP_S
        + PER_MUL_AND_PAIR_S * q.n as f64 * players * players
        + sequential_rounds(q) * (ROUND_PER_PLAYER_S * players + jitter_s + delay_s)
        + on_the_link
}

/// The time a sweep has left, from the model's cost of the runs done and to do.
#[derive(Debug, Clone)]
pub struct TimeLeft {
    done: f64,
    left: f64,
}

impl TimeLeft {
    /// Starts with every run in `todo` still to do: each run's parameters
    /// and the rate its links are shaped to, if they are.
    pub fn new<'a>(todo: impl IntoIterator<Item = (&'a RunParams, Option<u64>)>) -> Self {
        TimeLeft {
            done: 0.0,
            left: todo
                .into_iter()
                .map(|(q, bps)| expected_seconds(q, bps))
                .sum(),
        }
    }

    /// Marks one run as done (its parameters and link rate, as in [`new`](Self::new)).
    pub fn finished(&mut self, q: &RunParams, link_bps: Option<u64>) {
        let cost = expected_seconds(q, link_bps);
        self.done += cost;
        self.left = (self.left - cost).max(0.0);
    }

    /// The estimate after `elapsed` of sweeping: the model's cost of the runs
    /// left, scaled by elapsed time over the model's cost of the runs done
    /// (the model's own seconds before any run is done).
    pub fn estimate(&self, elapsed: Duration) -> Duration {
        let scale = if self.done > 0.0 {
            elapsed.as_secs_f64() / self.done
        } else {
            1.0
        };
        // Saturates: a grid's model cost can be large, never a panic.
        Duration::try_from_secs_f64(self.left * scale).unwrap_or(Duration::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(workload: WorkloadKind, players: u32, n: u64, jitter_us: u64) -> RunParams {
        RunParams {
            workload,
            players,
            n,
            jitter_us,
            delay_us: 0,
            ..RunParams::example()
        }
    }

    #[test]
    fn a_long_chain_outweighs_many_independent_runs() {
        let chain = expected_seconds(&params(WorkloadKind::Chain, 7, 100_000, 1000), None);
        let independent =
            expected_seconds(&params(WorkloadKind::Independent, 7, 100_000, 1000), None);
        // The full sweep measured about 131 s against about 1 s.
        assert!(chain > 50.0 * independent, "{chain} vs {independent}");
        assert!((60.0..300.0).contains(&chain), "{chain}");
    }

    #[test]
    fn a_slow_link_and_a_delay_cost_what_the_network_preset_measured() {
        let at = |bps| expected_seconds(&params(WorkloadKind::Independent, 3, 20_000, 0), bps);
        // Measured: 0.83 s at 10 Mbit/s, 0.02 s unshaped (setup aside).
        let slow = at(Some(10_000_000)) - at(None);
        assert!((0.5..1.2).contains(&slow), "{slow}");
        let mut chain = params(WorkloadKind::Chain, 3, 200, 0);
        chain.delay_us = 10_000;
        // Measured: 2.05 s for 200 rounds at 10 ms one way.
        let delayed = expected_seconds(&chain, None) - SETUP_S;
        assert!((1.8..2.5).contains(&delayed), "{delayed}");
    }

    #[test]
    fn the_estimate_follows_the_pace_of_the_runs_done() {
        let quick = params(WorkloadKind::Independent, 3, 1000, 0);
        let slow = params(WorkloadKind::Chain, 3, 100_000, 1000);
        let mut left = TimeLeft::new([(&quick, None), (&quick, None), (&slow, None)]);
        let model_total = 2.0 * expected_seconds(&quick, None) + expected_seconds(&slow, None);
        assert!((left.estimate(Duration::ZERO).as_secs_f64() - model_total).abs() < 1e-6);

        // Two quick runs took twice what the model said: the slow run left is
        // expected to take twice its model time too.
        left.finished(&quick, None);
        left.finished(&quick, None);
        let elapsed = Duration::from_secs_f64(4.0 * expected_seconds(&quick, None));
        let estimate = left.estimate(elapsed).as_secs_f64();
        assert!((estimate - 2.0 * expected_seconds(&slow, None)).abs() < 1e-6);

        left.finished(&slow, None);
        assert_eq!(left.estimate(elapsed), Duration::ZERO);
    }
}
