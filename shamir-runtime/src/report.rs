//! What a run reports: one [`PlayerReport`] per player, and the [`RunReport`]
//! that combines them into the JSON line the harness prints.

use crate::engine::Counters;
use crate::link_coding::LabelCoding;
use crate::params::RunParams;
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// One player's outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlayerReport {
    /// The player.
    pub player: usize,
    /// Checks that matched the plaintext.
    pub correct: u64,
    /// Checks whose consistent opening differed from the plaintext.
    pub wrong: u64,
    /// Checks on a value from an inconsistent opening.
    pub unverifiable: u64,
    /// Openings whose shares were not on one polynomial of degree t.
    pub inconsistent_opens: u64,
    /// Messages received and never consumed.
    pub orphans: u64,
    /// Messages that repeated a live (sender, label).
    pub repeated_labels: u64,
    /// Operations still waiting when the run ended.
    pub waiting_ops: u64,
    /// Whether the run hit its timeout.
    pub hung: bool,
    /// The error that ended the run, if any.
    pub error: Option<String>,
    /// Seconds dealing inputs, summed over batches.
    pub input_s: f64,
    /// Seconds from the first compute operation to the last check of each
    /// batch, summed over batches.
    pub wall_s: f64,
    /// Multiplications issued.
    pub muls: u64,
    /// Operations issued by the compute phases (the deal phases' excluded).
    pub ops: u64,
    /// Operations issued in the whole run, inputs included.
    pub ops_issued: u64,
    /// Messages sent.
    pub messages: u64,
    /// Label bytes sent.
    pub label_bytes_total: u64,
    /// Longest label sent.
    pub label_bytes_max: u64,
    /// Payload bytes sent.
    pub payload_bytes: u64,
    /// Frame bytes sent.
    pub wire_bytes: u64,
    /// Median multiplication latency, µs.
    pub latency_p50_us: f64,
    /// 99th percentile multiplication latency, µs.
    pub latency_p99_us: f64,
    /// CPU seconds of this player's thread (Linux), if known.
    pub cpu_s: Option<f64>,
}

/// A player's report plus what only an in-process run can combine.
#[derive(Debug, Clone)]
pub struct PlayerOutcome {
    /// The report.
    pub report: PlayerReport,
    /// Multiplication latencies, ns.
    pub latency_ns: Histogram<u64>,
    /// For each batch it finished dealing, in order: when the player started
    /// issuing its inputs and when they were all in.
    pub input_spans: Vec<(Instant, Instant)>,
    /// For each batch it finished computing, in order: when the player
    /// started the batch's computation and when every result was in.
    pub compute_spans: Vec<(Instant, Instant)>,
}

impl PlayerReport {
    /// The counters part of a report.
    pub fn from_counters(player: usize, c: &Counters) -> PlayerReport {
        let latency = c.latency.histogram();
        PlayerReport {
            player,
            correct: c.correct,
            wrong: c.wrong,
            unverifiable: c.unverifiable,
            inconsistent_opens: c.inconsistent_opens,
            orphans: 0,
            repeated_labels: 0,
            waiting_ops: 0,
            hung: false,
            error: None,
            input_s: 0.0,
            wall_s: 0.0,
            muls: c.muls,
            ops: c.ops,
            ops_issued: c.ops,
            messages: c.messages,
            label_bytes_total: c.label_bytes_total,
            label_bytes_max: c.label_bytes_max,
            payload_bytes: c.payload_bytes,
            wire_bytes: c.wire_bytes,
            latency_p50_us: quantile_us(&latency, 0.5),
            latency_p99_us: quantile_us(&latency, 0.99),
            cpu_s: None,
        }
    }
}

/// A run's times, combined one way for players in one process and another
/// for players in processes of their own.
struct Timing {
    wall_s: f64,
    input_s: f64,
    latency_p50_us: f64,
    latency_p99_us: f64,
    peak_rss_bytes: Option<u64>,
}

fn quantile_us(h: &Histogram<u64>, q: f64) -> f64 {
    if h.is_empty() {
        0.0
    } else {
        h.value_at_quantile(q) as f64 / 1e3
    }
}

/// One run of one strategy on one workload: the JSON line of `labelbench run`.
/// Fields missing from an older line read as their defaults.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RunReport {
    /// Labelling strategy.
    pub strategy: String,
    /// Workload.
    pub workload: String,
    /// Number of players.
    pub players: u32,
    /// Threshold.
    pub threshold: u32,
    /// Multiplications requested.
    pub n: u64,
    /// Nesting depth (`nested`).
    pub depth: u32,
    /// Maximum per-frame delay, µs.
    pub jitter_us: u64,
    /// Fixed one-way delay of every frame, µs, added at the sender before the
    /// jitter.
    pub delay_us: u64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Operations in flight at most.
    pub window: u32,
    /// How labels were written on the links: `plain`, or `link` (coded
    /// against the labels before them on the link). The label bytes are the
    /// bytes that went on the wire either way.
    pub label_coding: LabelCoding,
    /// Repetition of this configuration within a sweep (0 for a single run).
    pub rep: u32,
    /// Whether each player ran as a process in a network namespace of its
    /// own, its links through a bridge (`false`: every player in one process,
    /// over the loopback interface).
    pub netns: bool,
    /// The rate each player's link was shaped to, bits per second, in both
    /// directions (`None`: not shaped).
    pub rate_bps: Option<u64>,
    /// Whether the links were authenticated and encrypted and the secrets
    /// dealt (`true`), or the links plaintext and every secret derived from the
    /// public seed (`false`: the insecure, reproducible benchmark mode).
    pub secure: bool,
    /// Git revision of the code that ran (filled in by the harness).
    pub git_rev: String,
    /// When the run started, RFC 3339 UTC (filled in by the harness).
    pub date: String,
    /// CPU model of the machine (filled in by the harness).
    pub machine_cpu: String,
    /// Logical cores of the machine (filled in by the harness).
    pub machine_cores: u32,
    /// Operating system and kernel (filled in by the harness).
    pub machine_os: String,
    /// Label truncation in bytes, for strategies that truncate (history).
    pub truncate_bytes: Option<u32>,
    /// Whether the operation table filed consecutive labels by their dense key (false with
    /// `--no-dense-keys`, or for strategies whose labels are not consecutive).
    pub dense_keys: bool,
    /// Whether the strategy refused this program before running it (static
    /// labels on a program that branches on an opened value).
    pub unsupported: bool,
    /// Why, when `unsupported`.
    pub unsupported_reason: Option<String>,
    /// Probability of any collision among the labels this run used (hash labels).
    pub label_collision_bound: Option<f64>,
    /// Seconds the strategy spent preparing the program before the run
    /// (static labels' transformation), refused or not; they count against
    /// the run's timeout.
    pub transform_s: Option<f64>,
    /// Gates in the transformed program (static labels).
    pub program_gates: Option<u64>,
    /// Labelled (communicating) gates in the transformed program (static labels).
    pub program_labelled: Option<u64>,
    /// Size of the transformed program in bytes (static labels).
    pub program_bytes: Option<u64>,
    /// Checks expected (one per opened result).
    pub outputs: u64,
    /// Checks correct at every player (the minimum over players).
    pub correct: u64,
    /// Checks wrong at some player (the maximum over players).
    pub wrong: u64,
    /// Inconsistent openings (the maximum over players).
    pub inconsistent_opens: u64,
    /// Checks on inconsistent openings (the maximum over players).
    pub unverifiable: u64,
    /// Messages never consumed (summed over players).
    pub orphans: u64,
    /// Messages that repeated a live (sender, label) (summed over players).
    pub repeated_labels: u64,
    /// Whether the run hit its timeout.
    pub hung: bool,
    /// The error that ended the run, if any.
    pub error: Option<String>,
    /// Seconds of computation: for each batch, from its first compute
    /// operation at any player until its last result has been opened and
    /// checked at every player, summed over the batches (input time excluded).
    pub wall_s: f64,
    /// Seconds dealing the inputs: for each batch, from the first player's
    /// start to the last player's finish, summed over the batches.
    pub input_s: f64,
    /// Multiplications per second of `wall_s`.
    pub mul_per_s: f64,
    /// Operations (all kinds, per player) per second of `wall_s`.
    pub ops_per_s: f64,
    /// Operations one player issued in the whole run, inputs included.
    pub ops_issued: u64,
    /// Messages sent by all players.
    pub messages: u64,
    /// Label bytes sent by all players.
    pub label_bytes_total: u64,
    /// Mean label bytes per message.
    pub label_bytes_mean: f64,
    /// Longest label sent.
    pub label_bytes_max: u64,
    /// Payload bytes sent by all players.
    pub payload_bytes: u64,
    /// Frame bytes sent by all players (length prefixes, labels, payloads).
    pub wire_bytes: u64,
    /// Median multiplication latency over all players, µs.
    pub latency_p50_us: f64,
    /// 99th percentile multiplication latency over all players, µs.
    pub latency_p99_us: f64,
    /// Peak resident memory of the process that ran the players, bytes.
    pub peak_rss_bytes: Option<u64>,
    /// CPU seconds of all player threads.
    pub cpu_s: Option<f64>,
}

/// A strategy's own figures of a run, apart from the traffic: what
/// [`Strategy::add_figures`](crate::strategy::Strategy::add_figures) writes
/// and how the table filed labels. A player of a run spread over processes
/// reports them, so that the combined report carries them as a run in one
/// process does.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StrategyFigures {
    /// [`RunReport::dense_keys`].
    pub dense_keys: bool,
    /// [`RunReport::truncate_bytes`].
    pub truncate_bytes: Option<u32>,
    /// [`RunReport::label_collision_bound`].
    pub label_collision_bound: Option<f64>,
    /// [`RunReport::transform_s`].
    pub transform_s: Option<f64>,
    /// [`RunReport::program_gates`].
    pub program_gates: Option<u64>,
    /// [`RunReport::program_labelled`].
    pub program_labelled: Option<u64>,
    /// [`RunReport::program_bytes`].
    pub program_bytes: Option<u64>,
}

impl RunReport {
    /// The strategy's own figures of this run.
    pub fn strategy_figures(&self) -> StrategyFigures {
        StrategyFigures {
            dense_keys: self.dense_keys,
            truncate_bytes: self.truncate_bytes,
            label_collision_bound: self.label_collision_bound,
            transform_s: self.transform_s,
            program_gates: self.program_gates,
            program_labelled: self.program_labelled,
            program_bytes: self.program_bytes,
        }
    }

    /// Sets the strategy's own figures of this run.
    pub fn set_strategy_figures(&mut self, f: &StrategyFigures) {
        self.dense_keys = f.dense_keys;
        self.truncate_bytes = f.truncate_bytes;
        self.label_collision_bound = f.label_collision_bound;
        self.transform_s = f.transform_s;
        self.program_gates = f.program_gates;
        self.program_labelled = f.program_labelled;
        self.program_bytes = f.program_bytes;
    }
}

impl RunReport {
    /// Combines the players' outcomes of one in-process run.
    pub fn combine(
        strategy: &str,
        params: &RunParams,
        outputs: u64,
        players: &[PlayerOutcome],
    ) -> RunReport {
        let reports: Vec<&PlayerReport> = players.iter().map(|p| &p.report).collect();
        let span = |f: fn(&PlayerOutcome) -> &[(Instant, Instant)]| -> f64 {
            spanned_s(players.iter().map(f))
        };
        let mut latency = crate::latency::empty_histogram();
        for p in players {
            let _ = latency.add(&p.latency_ns);
        }
        let timing = Timing {
            wall_s: span(|p| &p.compute_spans),
            input_s: span(|p| &p.input_spans),
            latency_p50_us: quantile_us(&latency, 0.5),
            latency_p99_us: quantile_us(&latency, 0.99),
            peak_rss_bytes: crate::sys::peak_rss_bytes(),
        };
        RunReport::from_reports(strategy, params, outputs, &reports, timing)
    }

    /// Combines the reports of the players of one run that each ran in a
    /// process of its own (`labelbench player`). Their clocks are not
    /// compared: the run's wall and input times are the longest player's,
    /// its median latency the median of the players' medians and its 99th
    /// percentile the largest; no peak memory is reported.
    pub fn combine_processes(
        strategy: &str,
        params: &RunParams,
        outputs: u64,
        reports: &[PlayerReport],
    ) -> RunReport {
        let reports: Vec<&PlayerReport> = reports.iter().collect();
        let longest =
            |f: fn(&PlayerReport) -> f64| reports.iter().map(|r| f(r)).fold(0.0, f64::max);
        let mut medians: Vec<f64> = reports.iter().map(|r| r.latency_p50_us).collect();
        medians.sort_by(f64::total_cmp);
        let timing = Timing {
            wall_s: longest(|r| r.wall_s),
            input_s: longest(|r| r.input_s),
            latency_p50_us: medians.get(medians.len() / 2).copied().unwrap_or(0.0),
            latency_p99_us: longest(|r| r.latency_p99_us),
            peak_rss_bytes: None,
        };
        RunReport::from_reports(strategy, params, outputs, &reports, timing)
    }

    /// The report of a run from its players' reports and its timing.
    fn from_reports(
        strategy: &str,
        params: &RunParams,
        outputs: u64,
        reports: &[&PlayerReport],
        timing: Timing,
    ) -> RunReport {
        let sum = |f: fn(&PlayerReport) -> u64| reports.iter().map(|r| f(r)).sum::<u64>();
        let max = |f: fn(&PlayerReport) -> u64| reports.iter().map(|r| f(r)).max().unwrap_or(0);
        let wall_s = timing.wall_s;
        let messages = sum(|r| r.messages);
        let label_bytes_total = sum(|r| r.label_bytes_total);
        let muls = reports.first().map_or(0, |r| r.muls);
        let ops = reports.first().map_or(0, |r| r.ops);
        let rate = |x: u64| if wall_s > 0.0 { x as f64 / wall_s } else { 0.0 };
        let cpu: Option<Vec<f64>> = reports.iter().map(|r| r.cpu_s).collect();
        RunReport {
            strategy: strategy.to_string(),
            workload: params.workload.to_string(),
            players: params.players,
            threshold: params.threshold,
            n: params.n,
            depth: params.depth,
            jitter_us: params.jitter_us,
            delay_us: params.delay_us,
            seed: params.seed,
            window: params.window,
            label_coding: params.label_coding,
            rep: 0,
            netns: false,
            rate_bps: None,
            secure: false,
            git_rev: String::new(),
            date: String::new(),
            machine_cpu: String::new(),
            machine_cores: 0,
            machine_os: String::new(),
            truncate_bytes: None,
            dense_keys: false,
            unsupported: false,
            unsupported_reason: None,
            label_collision_bound: None,
            transform_s: None,
            program_gates: None,
            program_labelled: None,
            program_bytes: None,
            outputs,
            correct: reports.iter().map(|r| r.correct).min().unwrap_or(0),
            wrong: max(|r| r.wrong),
            inconsistent_opens: max(|r| r.inconsistent_opens),
            unverifiable: max(|r| r.unverifiable),
            orphans: sum(|r| r.orphans),
            repeated_labels: sum(|r| r.repeated_labels),
            hung: reports.iter().any(|r| r.hung),
            error: root_cause(reports),
            wall_s,
            input_s: timing.input_s,
            mul_per_s: rate(muls),
            ops_per_s: rate(ops),
            ops_issued: reports.iter().map(|r| r.ops_issued).max().unwrap_or(0),
            messages,
            label_bytes_total,
            label_bytes_mean: if messages > 0 {
                label_bytes_total as f64 / messages as f64
            } else {
                0.0
            },
            label_bytes_max: max(|r| r.label_bytes_max),
            payload_bytes: sum(|r| r.payload_bytes),
            wire_bytes: sum(|r| r.wire_bytes),
            latency_p50_us: timing.latency_p50_us,
            latency_p99_us: timing.latency_p99_us,
            peak_rss_bytes: timing.peak_rss_bytes,
            cpu_s: cpu.map(|c| c.iter().sum()),
        }
    }
}

impl RunReport {
    /// The report of a run the strategy refused before starting: nothing ran.
    pub fn unsupported(
        strategy: &str,
        params: &RunParams,
        outputs: u64,
        reason: String,
    ) -> RunReport {
        let mut r = RunReport::combine(strategy, params, outputs, &[]);
        r.unsupported = true;
        r.unsupported_reason = Some(reason);
        r.peak_rss_bytes = None;
        r
    }
}

/// Seconds the players spent in one kind of phase together: for each batch,
/// from the earliest start to the latest end across players, summed over the
/// batches every player finished (none, if there are no players).
fn spanned_s<'a>(players: impl Iterator<Item = &'a [(Instant, Instant)]> + Clone) -> f64 {
    let batches = players.clone().map(<[_]>::len).min().unwrap_or(0);
    (0..batches)
        .map(|b| {
            let start = players.clone().map(|s| s[b].0).min();
            let end = players.clone().map(|s| s[b].1).max();
            match (start, end) {
                (Some(start), Some(end)) => (end - start).as_secs_f64(),
                _ => 0.0,
            }
        })
        // Not `sum`: the sum of no floats is −0.0, which prints as "-0.000".
        .fold(0.0, |a, b| a + b)
}

/// The most telling error among the players': a player's own error before
/// one it was told by a failing peer (`player i failed: …`, which carries the
/// first cause anyway), and before one that is a consequence of another
/// player leaving; among its own errors, a hang (timeout or stall) first.
fn root_cause(reports: &[&PlayerReport]) -> Option<String> {
    let errors: Vec<(usize, &String, bool)> = reports
        .iter()
        .filter_map(|r| r.error.as_ref().map(|e| (r.player, e, r.hung)))
        .collect();
    let told = |e: &str| e.starts_with("player ") && e.contains(" failed: ");
    let own = |e: &str| !told(e) && !e.contains("disconnected mid-run");
    let pick = errors
        .iter()
        .find(|e| e.2 && own(e.1))
        .or_else(|| errors.iter().find(|e| own(e.1)))
        .or_else(|| errors.iter().find(|e| told(e.1)))
        .or_else(|| errors.first())?;
    Some(format!("player {}: {}", pick.0, pick.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn outcome(
        player: usize,
        input: &[(u64, u64)],
        compute: &[(u64, u64)],
        at: Instant,
    ) -> PlayerOutcome {
        let spans = |s: &[(u64, u64)]| {
            s.iter()
                .map(|&(a, b)| (at + Duration::from_millis(a), at + Duration::from_millis(b)))
                .collect()
        };
        PlayerOutcome {
            report: PlayerReport::from_counters(player, &Counters::default()),
            latency_ns: crate::latency::empty_histogram(),
            input_spans: spans(input),
            compute_spans: spans(compute),
        }
    }

    #[test]
    fn the_root_cause_is_the_first_cause_not_its_echoes() {
        let at = Instant::now();
        let mut players: Vec<PlayerOutcome> = (0..3).map(|p| outcome(p, &[], &[], at)).collect();
        players[0].report.error = Some(
            "player 1 disconnected mid-run; 3 operations here were still waiting and have failed"
                .into(),
        );
        players[1].report.error =
            Some("player 2 failed: malformed frame from player 0: bad".into());
        players[2].report.error = Some("malformed frame from player 0: bad".into());
        let r = RunReport::combine("x", &RunParams::example(), 0, &players);
        assert_eq!(
            r.error.as_deref(),
            Some("player 2: malformed frame from player 0: bad")
        );
        players[2].report.error = None;
        let r = RunReport::combine("x", &RunParams::example(), 0, &players);
        assert_eq!(
            r.error.as_deref(),
            Some("player 1: player 2 failed: malformed frame from player 0: bad")
        );
    }

    #[test]
    fn wall_and_input_time_sum_over_batches() {
        let at = Instant::now();
        // Two batches; the players overlap differently in each.
        let players = [
            outcome(0, &[(0, 10), (100, 110)], &[(10, 50), (110, 150)], at),
            outcome(1, &[(2, 12), (101, 130)], &[(12, 60), (130, 140)], at),
        ];
        let r = RunReport::combine("x", &RunParams::example(), 0, &players);
        // Compute: batch 0 from 10 to 60, batch 1 from 110 to 150.
        assert!((r.wall_s - 0.090).abs() < 1e-9, "{}", r.wall_s);
        // Input: batch 0 from 0 to 12, batch 1 from 100 to 130.
        assert!((r.input_s - 0.042).abs() < 1e-9, "{}", r.input_s);
    }

    #[test]
    fn only_batches_every_player_finished_count() {
        let at = Instant::now();
        let players = [
            outcome(0, &[(0, 10), (100, 110)], &[(10, 50), (110, 150)], at),
            outcome(1, &[(0, 10)], &[(10, 40)], at),
        ];
        let r = RunReport::combine("x", &RunParams::example(), 0, &players);
        assert!((r.wall_s - 0.040).abs() < 1e-9, "{}", r.wall_s);
        assert!((r.input_s - 0.010).abs() < 1e-9, "{}", r.input_s);
        let none = RunReport::combine("x", &RunParams::example(), 0, &[]);
        assert_eq!((none.wall_s, none.input_s), (0.0, 0.0));
        assert!(none.wall_s.is_sign_positive() && none.input_s.is_sign_positive());
    }
}
