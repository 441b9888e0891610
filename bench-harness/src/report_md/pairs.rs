//! Runs paired back to back: each run of one variant (secure, or labels
//! coded against the link) with its baseline run of the same configuration,
//! seed, repetition and code. Were a sweep's runs repeated in one file, the
//! i-th run of a key pairs with the i-th baseline, in file order.

use crate::select::config_key;
use shamir_runtime::RunReport;
use std::collections::{BTreeMap, VecDeque};

/// A run that finished, so its timings mean something.
fn finished(r: &RunReport) -> bool {
    r.error.is_none() && !r.hung && r.mul_per_s > 0.0
}

/// The finished runs of `runs` that `is_variant` picks, each with its
/// finished baseline (a run it does not pick whose `same` part and
/// configuration agree), as (baseline, variant); and how many variant runs
/// found none.
pub(super) fn pairs<'r>(
    runs: &[&'r RunReport],
    is_variant: impl Fn(&RunReport) -> bool,
    same: impl Fn(&RunReport) -> String,
) -> (Vec<(&'r RunReport, &'r RunReport)>, usize) {
    let key = |r: &RunReport| {
        format!(
            "{}|{}|{}|{}|{}",
            config_key(r),
            same(r),
            r.seed,
            r.rep,
            r.git_rev
        )
    };
    let mut baselines: BTreeMap<String, VecDeque<&RunReport>> = BTreeMap::new();
    for r in runs
        .iter()
        .copied()
        .filter(|r| !is_variant(r) && finished(r))
    {
        baselines.entry(key(r)).or_default().push_back(r);
    }
    let mut out = Vec::new();
    let mut unpaired = 0;
    for r in runs
        .iter()
        .copied()
        .filter(|r| is_variant(r) && finished(r))
    {
        match baselines.get_mut(&key(r)).and_then(|q| q.pop_front()) {
            Some(b) => out.push((b, r)),
            None => unpaired += 1,
        }
    }
    (out, unpaired)
}
