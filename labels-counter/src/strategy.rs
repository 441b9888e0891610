//! The two counter strategies as the harness runs them: [`CounterStrategy`]
//! (VIFF's program counters) and [`NaiveStrategy`] (the control).

use crate::{NaiveCounter, ProgramCounter};
use shamir_runtime::strategy::{Refusal, Strategy};
use shamir_runtime::{PlayerId, Program, RunParams};
use std::time::Instant;

/// VIFF's program counters: every program as written, a fresh
/// [`ProgramCounter`] per player.
#[derive(Debug, Clone, Copy, Default)]
pub struct CounterStrategy;

impl Strategy for CounterStrategy {
    type Labeller = ProgramCounter;
    type Plan = ();

    fn name(&self) -> &'static str {
        "counter"
    }

    fn about(&self) -> &'static str {
        "VIFF's program counters, forked per continuation"
    }

    fn prepare<P: Program>(&self, _: &P, _: &RunParams, _: Instant) -> Result<(), Refusal> {
        Ok(())
    }

    fn labeller(&self, _plan: &(), _me: PlayerId) -> ProgramCounter {
        ProgramCounter::new()
    }
}

/// The naive control: one [`NaiveCounter`] per player, read when a message
/// goes out. Expected to fail.
#[derive(Debug, Clone, Copy, Default)]
pub struct NaiveStrategy;

impl Strategy for NaiveStrategy {
    type Labeller = NaiveCounter;
    type Plan = ();

    fn name(&self) -> &'static str {
        "naive"
    }

    fn about(&self) -> &'static str {
        "one global counter read when a message goes out (the control; fails)"
    }

    fn prepare<P: Program>(&self, _: &P, _: &RunParams, _: Instant) -> Result<(), Refusal> {
        Ok(())
    }

    fn labeller(&self, _plan: &(), _me: PlayerId) -> NaiveCounter {
        NaiveCounter::new()
    }
}
