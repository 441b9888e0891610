//! [`HistoryStrategy`]: history labels as the harness runs them, with their
//! size as the one option.

use crate::{collision_bound, History, LabelBytesError};
use shamir_runtime::strategy::{Refusal, Strategy};
use shamir_runtime::{PlayerId, Program, RunParams, RunReport};
use std::time::Instant;

/// History labels of one size: every program as written, a fresh
/// [`History`] per player. A run's report gains the label size and the
/// collision bound of the histories one player computed.
#[derive(Debug, Clone, Default)]
pub struct HistoryStrategy(History);

impl HistoryStrategy {
    /// History labels of `label_bytes` bytes (one of
    /// [`LABEL_BYTES`](crate::LABEL_BYTES)); by default
    /// [`DEFAULT_LABEL_BYTES`](crate::DEFAULT_LABEL_BYTES).
    pub fn new(label_bytes: usize) -> Result<HistoryStrategy, LabelBytesError> {
        History::new(label_bytes).map(HistoryStrategy)
    }
}

impl Strategy for HistoryStrategy {
    type Labeller = History;
    type Plan = ();

    fn name(&self) -> &'static str {
        "history"
    }

    fn about(&self) -> &'static str {
        "SHA-256 of the operation and its operands' labels, truncated (--label-bytes)"
    }

    /// Players with labels of different sizes cannot talk: the size is part
    /// of the name they announce.
    fn handshake_name(&self) -> String {
        format!("history/{}", self.0.label_bytes())
    }

    fn prepare<P: Program>(&self, _: &P, _: &RunParams, _: Instant) -> Result<(), Refusal> {
        Ok(())
    }

    fn labeller(&self, _plan: &(), _me: PlayerId) -> History {
        self.0.clone()
    }

    /// The label size, and the collision bound over the histories one player
    /// computed.
    fn add_figures(&self, _plan: &(), report: &mut RunReport) {
        let bytes = self.0.label_bytes();
        report.truncate_bytes = Some(bytes as u32);
        report.label_collision_bound = Some(collision_bound(report.ops_issued, bytes));
    }
}
