//! What a correct run looks like, and what a fooled one does.

use crate::report::RunReport;

/// What is wrong with a run that should have been correct, if anything.
pub fn check_correct(r: &RunReport) -> Result<(), String> {
    let mut problems = Vec::new();
    if r.correct != r.outputs {
        problems.push(format!("{} of {} checks correct", r.correct, r.outputs));
    }
    if r.wrong != 0 {
        problems.push(format!("{} wrong results", r.wrong));
    }
    if r.unverifiable != 0 {
        problems.push(format!("{} unverifiable results", r.unverifiable));
    }
    if r.inconsistent_opens != 0 {
        problems.push(format!("{} inconsistent openings", r.inconsistent_opens));
    }
    if r.orphans != 0 {
        problems.push(format!("{} orphan messages", r.orphans));
    }
    if r.hung {
        problems.push("the run hung".to_string());
    }
    if r.unsupported {
        problems.push(format!(
            "refused: {}",
            r.unsupported_reason.as_deref().unwrap_or("no reason given")
        ));
    }
    if let Some(e) = &r.error {
        problems.push(format!("error: {e}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "strategy `{}` on {} (players {}, n {}, depth {}, jitter {} µs, seed {}, {} labels): {}",
            r.strategy,
            r.workload,
            r.players,
            r.n,
            r.depth,
            r.jitter_us,
            r.seed,
            r.label_coding,
            problems.join(", ")
        ))
    }
}

/// Asserts a run opened exactly the plaintext results: `correct == outputs`, no
/// wrong or unverifiable result, no inconsistent opening, no orphan, no hang, no
/// error. The panic message names what failed and prints the whole report.
pub fn assert_correct(r: &RunReport) {
    if let Err(e) = check_correct(r) {
        panic!("run is not correct: {e}\nreport: {r:#?}");
    }
}

/// Whether a labeller was fooled: some result wrong or unverifiable, some
/// opening inconsistent, or the run hung.
pub fn is_fooled(r: &RunReport) -> bool {
    r.wrong + r.unverifiable + r.inconsistent_opens > 0 || r.hung
}
