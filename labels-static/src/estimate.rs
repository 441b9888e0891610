//! What transforming a run's program would take, estimated from two small
//! traces before tracing it, so that a front end can refuse a run that
//! would not fit in memory.

use crate::transform::{transform, TransformError};
use shamir_runtime::circuit::ring_slots;
use shamir_runtime::RunParams;

/// The sizes [`estimate_params`] traces to extrapolate from: both past the
/// first batch of every batched workload (2^16 multiplications or leaves), so
/// that what grows with n (the gates, and `tree`'s reach across batches) and
/// what does not (the reach of the other workloads) both show.
pub(crate) const ESTIMATE_SAMPLES: [u64; 2] = [1 << 17, 1 << 18];

/// What transforming a run's program would take, estimated before tracing it
/// ([`estimate_params`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TransformEstimate {
    /// Gates in the circuit ([`TransformCost::gates`](crate::TransformCost::gates)).
    pub(crate) gates: u64,
    /// The shared program in memory
    /// ([`TransformCost::program_bytes`](crate::TransformCost::program_bytes)).
    pub(crate) program_bytes: u64,
    /// Each player's replay handles: 4 bytes per slot of its ring, or per
    /// gate when the reach needs more than
    /// [`MAX_RING`](shamir_runtime::circuit::MAX_RING) slots.
    pub(crate) replay_bytes: u64,
    /// Whether these are the figures of the program itself (n no larger than
    /// the larger sample), not extrapolated.
    pub(crate) exact: bool,
}

/// Estimates what [`transform`] would take for `params`, before
/// tracing it: the program at the two sizes of [`ESTIMATE_SAMPLES`] is
/// traced (about 1.3 million gates for `independent`: tens of milliseconds
/// in a release build), and its gates, bytes and reach are extrapolated along
/// the line through them (every workload's program grows linearly with n).
/// For n up to the larger sample the program itself is traced and its
/// figures are exact. A program static labels refuse is refused here.
pub(crate) fn estimate_params(params: &RunParams) -> Result<TransformEstimate, TransformError> {
    let [small, large] = ESTIMATE_SAMPLES;
    // The program's gates, bytes and reach at size n.
    let at = |n: u64| {
        let sample = RunParams {
            n,
            ..params.clone()
        };
        let p = transform(&sample, params.players as usize, None)?;
        Ok::<_, TransformError>((p.cost().gates, p.cost().program_bytes, p.circuit().reach()))
    };
    if params.n <= large {
        let (gates, program_bytes, reach) = at(params.n)?;
        return Ok(TransformEstimate {
            gates,
            program_bytes,
            replay_bytes: replay_bytes(gates, reach),
            exact: true,
        });
    }
    let (a, b) = (at(small)?, at(large)?);
    // f(n) on the line through (small, f(small)) and (large, f(large)),
    // rounded up; `as u64` saturates at u64::MAX.
    let line = |fa: u64, fb: u64| -> u64 {
        let slope = (fb as f64 - fa as f64) / (large - small) as f64;
        (fa as f64 + slope * (params.n - small) as f64)
            .ceil()
            .max(0.0) as u64
    };
    let gates = line(a.0, b.0);
    Ok(TransformEstimate {
        gates,
        program_bytes: line(a.1, b.1),
        replay_bytes: replay_bytes(gates, line(a.2, b.2)),
        exact: false,
    })
}

/// Bytes of one player's replay handles for a program of `gates` gates that
/// reaches `reach` back: 4 per slot of its ring, or per gate without one.
fn replay_bytes(gates: u64, reach: u64) -> u64 {
    ring_slots(reach)
        .map_or(gates, |slots| slots as u64)
        .saturating_mul(4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shamir_runtime::WorkloadKind;

    #[test]
    fn estimates_match_the_program_they_estimate() {
        let [_, large] = ESTIMATE_SAMPLES;
        for kind in [
            WorkloadKind::Independent,
            WorkloadKind::Tree,
            WorkloadKind::Nested,
        ] {
            let params = RunParams {
                workload: kind,
                n: 2 * large + 12_345,
                depth: 4,
                ..RunParams::example()
            };
            let e = estimate_params(&params).unwrap();
            let p = transform(&params, 3, None).unwrap();
            let cost = p.cost();
            let off = |est: u64, real: u64| (est as f64 - real as f64).abs() / real as f64;
            assert!(!e.exact, "{kind}");
            assert!(off(e.gates, cost.gates) < 0.01, "{kind}: {e:?} {cost:?}");
            assert!(
                off(e.program_bytes, cost.program_bytes) < 0.01,
                "{kind}: {e:?} {cost:?}"
            );
            let replay = replay_bytes(cost.gates, p.circuit().reach());
            assert!(off(e.replay_bytes, replay) < 0.01, "{kind}: {e:?} {cost:?}");
        }
        let small = RunParams {
            n: 1000,
            ..RunParams::example()
        };
        let e = estimate_params(&small).unwrap();
        let cost = transform(&small, 3, None).unwrap().cost();
        assert!(e.exact);
        assert_eq!((e.gates, e.program_bytes), (cost.gates, cost.program_bytes));
        let loops = RunParams {
            workload: WorkloadKind::RandomBits,
            n: 1 << 30,
            ..small
        };
        assert!(estimate_params(&loops).is_ok_and(|e| e.gates >= 1 << 30));
    }
}
