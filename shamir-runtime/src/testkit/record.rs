//! Recording the labels a labeller hands out, and checking that every player
//! hands out the same ones.

use super::{assert_correct, Case, JITTERS_US, TIMEOUT};
use crate::label::{Issued, LabelError, LabelTiming, Labeller, OpKind, PlayerId};
use crate::params::WorkloadKind;
use crate::report::RunReport;
use crate::strategy::{self, LocalRun, Strategy};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

/// One label as handed out: the operation's name and the label's wire form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordedLabel {
    /// [`OpKind::name`] of the operation.
    pub op: &'static str,
    /// The label, encoded.
    pub bytes: Vec<u8>,
}

/// Everything [`Recorded`] saw on one player.
#[derive(Debug, Clone, Default)]
pub struct LabelLog {
    /// The labels in the order they were handed out (at issue for
    /// [`LabelTiming::AtIssue`] labellers, at send for [`LabelTiming::AtSend`]).
    pub labels: Vec<RecordedLabel>,
    /// Broken promises: labels that did not survive `encode` → `decode`, or
    /// whose `encoded_len` differed from their encoding.
    pub problems: Vec<String>,
}

/// A [`LabelLog`] shared between a player's [`Recorded`] labeller and the test.
pub type SharedLog = Arc<Mutex<LabelLog>>;

/// A labeller that delegates everything to `L` and records every label it
/// hands out, checking on the way that each round-trips through the wire form.
#[derive(Debug)]
pub struct Recorded<L> {
    inner: L,
    log: SharedLog,
}

impl<L: Labeller> Recorded<L> {
    /// Wraps `inner`, recording into `log`.
    pub fn new(inner: L, log: SharedLog) -> Recorded<L> {
        Recorded { inner, log }
    }

    /// The wrapped labeller.
    pub fn inner(&self) -> &L {
        &self.inner
    }

    fn record(&self, op: OpKind, label: &L::Label) {
        let mut bytes = Vec::new();
        self.inner.encode(label, &mut bytes);
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        match self.inner.decode(&bytes) {
            Ok(back) if &back == label => {}
            Ok(back) => log.problems.push(format!(
                "{} label {label:?} decodes to a different label {back:?} (wire form {bytes:02x?})",
                op.name()
            )),
            Err(e) => log.problems.push(format!(
                "{} label {label:?} does not decode from its own wire form {bytes:02x?}: {e}",
                op.name()
            )),
        }
        let len = self.inner.encoded_len(label);
        if len != bytes.len() {
            log.problems.push(format!(
                "{} label {label:?}: encoded_len says {len} bytes, the encoding has {}",
                op.name(),
                bytes.len()
            ));
        }
        log.labels.push(RecordedLabel {
            op: op.name(),
            bytes,
        });
    }
}

impl<L: Labeller> Labeller for Recorded<L> {
    type Label = L::Label;
    type Tag = L::Tag;
    type Context = L::Context;

    const TIMING: LabelTiming = L::TIMING;
    const DENSE_KEYS: bool = L::DENSE_KEYS;
    const WIRE_FORM: crate::link_coding::WireForm = L::WIRE_FORM;

    fn root_tag(&self) -> L::Tag {
        self.inner.root_tag()
    }

    fn issue(
        &mut self,
        op: OpKind,
        operands: &[&L::Tag],
    ) -> Result<Issued<L::Label, L::Tag>, LabelError> {
        let issued = self.inner.issue(op, operands)?;
        if let Some(label) = &issued.label {
            self.record(op, label);
        }
        Ok(issued)
    }

    fn at_send(&mut self, op: OpKind) -> Result<L::Label, LabelError> {
        let label = self.inner.at_send(op)?;
        self.record(op, &label);
        Ok(label)
    }

    fn schedule(&mut self, operands: &[&L::Tag]) -> L::Context {
        self.inner.schedule(operands)
    }

    fn loop_begin(&mut self) -> Result<Option<L::Context>, LabelError> {
        self.inner.loop_begin()
    }

    fn loop_again(&mut self) -> Result<(), LabelError> {
        self.inner.loop_again()
    }

    fn enter(&mut self, context: L::Context) -> L::Context {
        self.inner.enter(context)
    }

    fn leave(&mut self, saved: L::Context) {
        self.inner.leave(saved)
    }

    fn encode(&self, label: &L::Label, out: &mut Vec<u8>) {
        self.inner.encode(label, out)
    }

    fn decode(&self, bytes: &[u8]) -> Result<L::Label, LabelError> {
        self.inner.decode(bytes)
    }

    fn encoded_len(&self, label: &L::Label) -> usize {
        self.inner.encoded_len(label)
    }

    fn dense_key(&self, label: &L::Label) -> Option<u64> {
        self.inner.dense_key(label)
    }

    fn wire_dense_key(&self, bytes: &[u8]) -> Option<u64> {
        let fast = self.inner.wire_dense_key(bytes);
        let slow = self
            .inner
            .decode(bytes)
            .ok()
            .and_then(|l| self.inner.dense_key(&l));
        if fast != slow {
            let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
            log.problems.push(format!(
                "wire form {bytes:02x?}: wire_dense_key says {fast:?}, decode then dense_key says {slow:?}"
            ));
        }
        fast
    }
}

/// Runs `case` under `s` with every player's labeller wrapped in
/// [`Recorded`]; returns the combined report and each player's log, indexed
/// by player.
pub fn record_labels<S: Strategy>(s: &S, case: &Case) -> (RunReport, Vec<LabelLog>) {
    let params = case.params();
    let logs: Vec<SharedLog> = (0..case.players).map(|_| SharedLog::default()).collect();
    let how = LocalRun {
        timeout: TIMEOUT,
        dense_keys: true,
        secure: false,
    };
    let record = |labeller, me: PlayerId| Recorded::new(labeller, logs[me].clone());
    let r = strategy::run_wrapped(s, &params, &params, how, record)
        .unwrap_or_else(|e| panic!("cannot start the players of {case:?}: {e}"));
    let logs = logs
        .into_iter()
        .map(|l| l.lock().unwrap_or_else(|e| e.into_inner()).clone())
        .collect();
    (r, logs)
}

/// Whether every player issues the operations of `workload` in one and the same
/// order. Workloads that issue from continuations (`nested`, `random-bits`,
/// `retry`) run
/// those in completion order, which differs between players; there only the
/// multiset of labels must agree.
pub fn issue_order_is_program_order(workload: WorkloadKind) -> bool {
    !matches!(
        workload,
        WorkloadKind::Nested | WorkloadKind::RandomBits | WorkloadKind::Retry
    )
}

/// Runs `case` under `s` with [`Recorded`] labellers and asserts that the
/// run is correct, that every label round-trips through its wire form, and
/// that every player handed out the same labels: the same sequence where
/// issue order is program order ([`issue_order_is_program_order`]), else the
/// same multiset. Meant for [`LabelTiming::AtIssue`] labellers; returns
/// player 0's log.
pub fn labels_agree<S: Strategy>(s: &S, case: &Case) -> LabelLog {
    let strategy = s.name();
    let (r, logs) = record_labels(s, case);
    assert_correct(&r);
    for (p, log) in logs.iter().enumerate() {
        assert!(
            log.problems.is_empty(),
            "strategy `{strategy}`, {case:?}, player {p}: {} labels break the wire-form contract, e.g.:\n  {}",
            log.problems.len(),
            log.problems.iter().take(5).cloned().collect::<Vec<_>>().join("\n  ")
        );
    }
    let ordered = issue_order_is_program_order(case.workload);
    let key = |log: &LabelLog| {
        let mut labels = log.labels.clone();
        if !ordered {
            labels.sort();
        }
        labels
    };
    let reference = key(&logs[0]);
    assert!(
        !reference.is_empty(),
        "strategy `{strategy}`, {case:?}: no labels were recorded"
    );
    for (p, log) in logs.iter().enumerate().skip(1) {
        let other = key(log);
        if other != reference {
            panic!(
                "strategy `{strategy}`, {case:?}: player {p}'s labels differ from player 0's ({}):\n{}",
                if ordered { "in issue order" } else { "as multisets" },
                first_difference(&reference, &other)
            );
        }
    }
    logs.into_iter().next().expect("at least one player")
}

fn first_difference(a: &[RecordedLabel], b: &[RecordedLabel]) -> String {
    let mut out = format!(
        "  player 0 handed out {} labels, the other {}\n",
        a.len(),
        b.len()
    );
    if let Some(i) = (0..a.len().min(b.len())).find(|&i| a[i] != b[i]) {
        let _ = writeln!(
            out,
            "  first difference at #{i}: {} {:02x?} vs {} {:02x?}",
            a[i].op, a[i].bytes, b[i].op, b[i].bytes
        );
    }
    out
}

/// [`labels_agree`] for every workload in `workloads`, with 3 players and
/// jitter (so completion orders differ). Skipped, with a note on stderr, for
/// [`LabelTiming::AtSend`] labellers, whose labels are not meant to agree.
pub fn assert_labels_agree_on_every_workload<S: Strategy>(s: &S, workloads: &[WorkloadKind]) {
    if <S::Labeller as Labeller>::TIMING != LabelTiming::AtIssue {
        eprintln!(
            "strategy `{}` labels at send: label agreement is not checked",
            s.name()
        );
        return;
    }
    for (i, &workload) in workloads.iter().enumerate() {
        let case = Case {
            jitter_us: JITTERS_US[JITTERS_US.len() - 1],
            seed: 7 + i as u64,
            ..Case::new(workload, 3)
        };
        labels_agree(s, &case);
    }
}
