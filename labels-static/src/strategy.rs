//! [`StaticStrategy`]: static labels as the harness runs them. Preparing a
//! run is the transformation; every player then replays the transformed
//! program with a [`StaticLabeller`].

use crate::estimate::{estimate_params, ESTIMATE_SAMPLES};
use crate::transform::{transform, TransformError};
use crate::{StaticLabeller, StaticProgram};
use shamir_runtime::circuit::{Replay, MAX_GATES};
use shamir_runtime::strategy::{MemoryNeed, Refusal, Strategy};
use shamir_runtime::{Mpc, PlayerId, Program, RunParams, RunReport, Workload};
use std::sync::Arc;
use std::time::Instant;

/// Static labels: the program traced and numbered before the run, shared by
/// the players of a process. A run's report gains the transformation's cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct StaticStrategy;

impl Strategy for StaticStrategy {
    type Labeller = StaticLabeller;
    type Plan = Arc<StaticProgram>;

    fn name(&self) -> &'static str {
        "static"
    }

    fn about(&self) -> &'static str {
        "gate numbers of the program traced into a circuit before the run"
    }

    /// The transformation, by `deadline`. The trace follows from the program
    /// alone, which the handshake makes every player agree on, so each
    /// process transforms for itself.
    fn prepare<P: Program>(
        &self,
        program: &P,
        params: &RunParams,
        deadline: Instant,
    ) -> Result<Arc<StaticProgram>, Refusal> {
        let program = transform(program, params.players as usize, Some(deadline));
        program.map(Arc::new).map_err(|e| match e {
            TransformError::Unsupported(u) => Refusal::Unsupported {
                reason: u.reason,
                seconds: u.seconds,
            },
            TransformError::OutOfTime { seconds, .. } => Refusal::OutOfTime {
                message: e.to_string(),
                seconds,
            },
        })
    }

    fn labeller(&self, plan: &Arc<StaticProgram>, _me: PlayerId) -> StaticLabeller {
        StaticLabeller::new(plan.clone())
    }

    fn program<M: Mpc, P: Program>(&self, plan: &Self::Plan, _: &P) -> Box<dyn Workload<M>> {
        Box::new(Replay::new(plan.clone()))
    }

    fn add_figures(&self, plan: &Arc<StaticProgram>, report: &mut RunReport) {
        let cost = plan.cost();
        report.transform_s = Some(cost.seconds);
        report.program_gates = Some(cost.gates);
        report.program_labelled = Some(cost.labelled_gates);
        report.program_bytes = Some(cost.program_bytes);
    }

    /// The transformed program and each player's replay handles, estimated
    /// from traces of [`ESTIMATE_SAMPLES`] (a program up to the larger sample
    /// is traced whole in no time, and not estimated). A program of more
    /// than [`MAX_GATES`] gates is refused outright; one static labels refuse
    /// for its shape is left to the run, which reports why.
    fn memory(&self, params: &RunParams) -> Result<Option<MemoryNeed>, String> {
        let [small, large] = ESTIMATE_SAMPLES;
        if params.n <= large {
            return Ok(None);
        }
        let Ok(e) = estimate_params(params) else {
            return Ok(None);
        };
        if e.gates > MAX_GATES as u64 {
            return Err(format!(
                "the {} program would have about {} gates, more than the {MAX_GATES} a traced \
                 circuit can number (gate numbers are 32-bit)",
                params.workload, e.gates
            ));
        }
        Ok(Some(MemoryNeed {
            shared: e.program_bytes,
            per_player: e.replay_bytes,
            basis: format!(
                "the transformed program and each player's replay handles, estimated from \
                 traces of {small} and {large} multiplications"
            ),
        }))
    }
}
