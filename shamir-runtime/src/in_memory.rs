//! Every player's engine on the calling thread, wired together by their
//! outboxes, with no sockets, no tasks and no clock but the run's own: what the
//! engine alone costs. Benchmarks compare strategies with it without the kernel's
//! noise, and a profiler sees one deterministic thread.
//!
//! The players take turns: each issues its program while its window has room,
//! then every outbox is emptied into its receiver, until every program is done
//! and nothing is in flight; a program in batches runs each batch's deal phase,
//! then its compute phase, at every player, before the next batch. The runs are real otherwise: the same
//! engine, frames, table and checks as over TCP. There is no jitter (frames
//! arrive in the turn after they were sent), so a timing-dependent labeller
//! such as the naive counter may well pass here.

use crate::cluster::PlayerParts;
use crate::engine::{Counters, Engine};
use crate::error::RuntimeError;
use crate::label::Labeller;
use crate::link_coding::LabelCoding;
use crate::outbox::Outbox;
use crate::program::Workload;
use crate::shamir::Shamir;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// What a run in memory measured.
#[derive(Debug, Clone)]
pub struct InMemoryRun {
    /// Each player's counters, by player.
    pub counters: Vec<Counters>,
    /// Dealing the inputs, all players together, summed over batches.
    pub input: Duration,
    /// The computation, from the first operation issued to the last result
    /// checked, all players together, summed over batches.
    pub compute: Duration,
}

/// Runs `parts` (one labeller and program per player, in player order) with
/// threshold `t`, seed `seed`, `window` operations in flight per player and
/// labels written as `coding` says.
pub fn run_in_memory<L: Labeller>(
    t: usize,
    seed: u64,
    window: usize,
    coding: LabelCoding,
    parts: Vec<PlayerParts<L>>,
) -> Result<InMemoryRun, RuntimeError> {
    let n = parts.len();
    let shamir = Shamir::new(n, t).map_err(|e| RuntimeError::BadParams(e.to_string()))?;
    // outboxes[from][to]
    let outboxes: Vec<Vec<Option<Rc<Outbox>>>> = (0..n)
        .map(|from| {
            (0..n)
                .map(|to| (from != to).then(|| Rc::new(Outbox::new(None))))
                .collect()
        })
        .collect();
    let window = window.max(1);
    let mut players: Vec<Player<L>> = parts
        .into_iter()
        .enumerate()
        .map(|(me, (labeller, program))| {
            let mut engine = Engine::new(
                me,
                shamir.clone(),
                seed,
                labeller,
                outboxes[me].clone(),
                window,
            );
            if coding == LabelCoding::Link {
                engine.code_labels_against_links();
            }
            (engine, program)
        })
        .collect();
    let (mut input, mut compute) = (Duration::ZERO, Duration::ZERO);
    loop {
        let t0 = Instant::now();
        run_phase(&mut players, &outboxes, window, "input", |e, w| w.deal(e))?;
        let t1 = Instant::now();
        run_phase(&mut players, &outboxes, window, "compute", |e, w| {
            w.compute(e)
        })?;
        input += t1 - t0;
        compute += t1.elapsed();
        let more: Vec<bool> = players.iter_mut().map(|(_, w)| w.next_batch()).collect();
        if more.iter().all(|&m| !m) {
            break;
        }
        if !more.iter().all(|&m| m) {
            return Err(RuntimeError::Program(format!(
                "the players' programs disagree on whether there is another batch: {more:?}"
            )));
        }
    }
    Ok(InMemoryRun {
        counters: players.iter().map(|(e, _)| e.counters().clone()).collect(),
        input,
        compute,
    })
}

/// One player: its engine and its program.
type Player<L> = (Engine<L>, Box<dyn Workload<Engine<L>>>);

/// Runs one phase to its end. Kept out of line so that a profile shows the
/// input and compute phases apart.
#[inline(never)]
fn run_phase<L: Labeller>(
    players: &mut [Player<L>],
    outboxes: &[Vec<Option<Rc<Outbox>>>],
    window: usize,
    phase: &'static str,
    mut step: impl FnMut(&mut Engine<L>, &mut dyn Workload<Engine<L>>) -> bool,
) -> Result<(), RuntimeError> {
    let mut done = vec![false; players.len()];
    let mut bytes = Vec::new();
    loop {
        let mut moved = false;
        for (me, (engine, program)) in players.iter_mut().enumerate() {
            engine.tick();
            while !done[me] && engine.live_ops() < window {
                done[me] = !step(engine, program.as_mut());
                moved = true;
            }
            engine.flush();
            if let Some(e) = engine.take_error() {
                return Err(e);
            }
        }
        for (from, row) in outboxes.iter().enumerate() {
            for (to, outbox) in row.iter().enumerate() {
                let Some(outbox) = outbox else { continue };
                bytes.clear();
                outbox.take_ready(&mut bytes, Instant::now());
                if bytes.is_empty() {
                    continue;
                }
                moved = true;
                let engine = &mut players[to].0;
                let (used, _) = engine.receive(from, &bytes)?;
                if used != bytes.len() {
                    return Err(RuntimeError::MalformedFrame {
                        peer: from,
                        reason: format!("{} bytes of a frame cut short", bytes.len() - used),
                    });
                }
                if let Some(e) = engine.take_error() {
                    return Err(e);
                }
            }
        }
        let waiting: usize = players.iter().map(|(e, _)| e.live_ops()).sum();
        if done.iter().all(|&d| d) && waiting == 0 {
            return Ok(());
        }
        if !moved {
            return Err(RuntimeError::Deadlocked { phase, waiting });
        }
    }
}
