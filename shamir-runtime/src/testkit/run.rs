//! Running a strategy on a conformance case, and the correctness check over
//! every workload.

use super::{check_correct, Case, JITTERS_US, TIMEOUT};
use crate::link_coding::LabelCoding;
use crate::params::{RunParams, WorkloadKind};
use crate::program::Program;
use crate::report::RunReport;
use crate::strategy::{self, LocalRun, Strategy};
use std::time::Duration;

/// Runs `case` under `s`, every player in this process over loopback TCP,
/// with a [`TIMEOUT`], and combines the reports. A program `s` refuses comes
/// back as an unsupported report.
pub fn run<S: Strategy>(s: &S, case: &Case) -> RunReport {
    let params = case.params();
    run_program(s, &params, &params, TIMEOUT)
}

/// Runs `program` with `params` under `s` (the study's workload `params`
/// names, or a program of the test's own) within `timeout`, on plaintext
/// links, filing labels by their dense keys.
pub fn run_program<S: Strategy, P: Program>(
    s: &S,
    program: &P,
    params: &RunParams,
    timeout: Duration,
) -> RunReport {
    let how = LocalRun {
        timeout,
        dense_keys: true,
        secure: false,
    };
    strategy::run_program(s, program, params, how)
        .unwrap_or_else(|e| panic!("cannot start the players of {params:?}: {e}"))
}

/// Runs every workload in `workloads` with `players` players, without and
/// with jitter ([`JITTERS_US`]), each with plain labels and with labels coded
/// against the link, and asserts each run is correct. Every case runs before
/// the assertion, so the panic lists all that failed.
pub fn assert_every_workload_correct<S: Strategy>(s: &S, players: u32, workloads: &[WorkloadKind]) {
    let mut failures = Vec::new();
    for (i, &workload) in workloads.iter().enumerate() {
        for (j, &jitter_us) in JITTERS_US.iter().enumerate() {
            for label_coding in LabelCoding::ALL {
                let case = Case {
                    jitter_us,
                    seed: 1 + (i * JITTERS_US.len() + j) as u64 + 100 * u64::from(players),
                    label_coding,
                    ..Case::new(workload, players)
                };
                if let Err(e) = check_correct(&run(s, &case)) {
                    failures.push(e);
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs were not correct:\n  {}",
        failures.len(),
        workloads.len() * JITTERS_US.len() * LabelCoding::ALL.len(),
        failures.join("\n  ")
    );
}
