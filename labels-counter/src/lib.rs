//! # labels-counter
//!
//! Counter labels, after VIFF's design note "Program Counters":
//!
//! * [`ProgramCounter`] — VIFF's working solution. The program counter is a list
//!   of counters. Every labelled operation takes the current list as its label
//!   and increments the last entry; scheduling a continuation saves the current
//!   list (and increments it), and the continuation runs with the saved list plus
//!   a fresh `0` appended: a child counter. Everything is fixed at issue, in
//!   program order, so every player derives the same labels however the network
//!   orders completions. Labels grow by one entry per level of nesting.
//! * [`NaiveCounter`] — the control. One counter per player, read and
//!   incremented when an operation's messages go out. That moment depends on
//!   when the operands arrived, which differs between players, so two players can
//!   give the same message different labels: "correct 99.99% of the time".
//!
//! Programs never touch either counter: the runtime calls the labeller at issue,
//! at send, and around continuations. This answers the mailing-list post's
//! complaint that it is "cumbersome to drag this program counter around … easy
//! to forget to increment it".

pub use shamir_runtime;

mod naive;
mod program_counter;
mod strategy;

pub use naive::{NaiveCounter, NaiveLabel};
pub use program_counter::{PcLabel, ProgramCounter};
pub use strategy::{CounterStrategy, NaiveStrategy};
