//! The runtime is generic over the label type: a test-only labeller whose
//! labels are `String`s runs every workload correctly.
//!
//! [`TextLabeller`] is a program counter written out as text: labels are
//! `op:<n>` at the top level, and a continuation scheduled at `op:<k>` labels
//! its operations `op:<k>/op:<n>`. The wire form is the UTF-8 text itself;
//! decoding refuses bytes that are not UTF-8 or not of that form.

use shamir_runtime::cluster;
use shamir_runtime::label::{Issued, LabelError, Labeller, OpKind};
use shamir_runtime::shamir::Shamir;
use shamir_runtime::{workloads, Engine, RunParams, RunReport, WorkloadKind};
use std::time::Duration;

/// A text program counter: the current path and the next counter on it.
#[derive(Debug, Default)]
struct TextLabeller {
    path: String,
    next: u64,
}

impl TextLabeller {
    fn take(&mut self) -> String {
        let label = format!("{}op:{}", self.path, self.next);
        self.next += 1;
        label
    }
}

/// Whether `s` is `op:<n>` segments joined by `/`, each `<n>` a canonical decimal.
fn well_formed(s: &str) -> bool {
    s.split('/').all(|seg| {
        seg.strip_prefix("op:").is_some_and(|n| {
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && (n == "0" || !n.starts_with('0'))
        })
    })
}

impl Labeller for TextLabeller {
    type Label = String;
    type Tag = ();
    type Context = (String, u64);

    fn issue(&mut self, op: OpKind, _operands: &[&()]) -> Result<Issued<String, ()>, LabelError> {
        let label = op.is_labelled().then(|| self.take());
        Ok(Issued { label, tag: () })
    }

    fn schedule(&mut self, _operands: &[&()]) -> (String, u64) {
        let child = format!("{}/", self.take());
        (child, 0)
    }

    fn enter(&mut self, context: (String, u64)) -> (String, u64) {
        let (path, next) = context;
        (
            std::mem::replace(&mut self.path, path),
            std::mem::replace(&mut self.next, next),
        )
    }

    fn leave(&mut self, saved: (String, u64)) {
        (self.path, self.next) = saved;
    }

    fn encode(&self, label: &String, out: &mut Vec<u8>) {
        out.extend_from_slice(label.as_bytes());
    }

    fn decode(&self, bytes: &[u8]) -> Result<String, LabelError> {
        let s =
            std::str::from_utf8(bytes).map_err(|_| LabelError::Malformed("label is not UTF-8"))?;
        if !s.starts_with("op:") {
            return Err(LabelError::Malformed("label does not start with `op:`"));
        }
        if !well_formed(s) {
            return Err(LabelError::Malformed(
                "label is not `op:<n>` segments joined by `/`",
            ));
        }
        Ok(s.to_string())
    }

    fn encoded_len(&self, label: &String) -> usize {
        label.len()
    }
}

fn run(workload: WorkloadKind, jitter_us: u64) -> RunReport {
    let params = RunParams {
        players: 3,
        threshold: Shamir::default_threshold(3) as u32,
        workload,
        n: 40,
        depth: if workload == WorkloadKind::Nested {
            4
        } else {
            1
        },
        seed: 11,
        jitter_us,
        ..RunParams::example()
    };
    let outputs =
        workloads::build::<Engine<TextLabeller>>(workload, params.n, params.depth, params.seed)
            .outputs();
    cluster::run_local(
        &params,
        "text",
        Duration::from_secs(60),
        false,
        outputs,
        |_| {
            (
                TextLabeller::default(),
                workloads::build(workload, params.n, params.depth, params.seed),
            )
        },
    )
    .expect("players start")
}

fn assert_correct(r: &RunReport) {
    assert!(
        r.correct == r.outputs
            && r.wrong == 0
            && r.unverifiable == 0
            && r.inconsistent_opens == 0
            && r.orphans == 0
            && !r.hung
            && r.error.is_none(),
        "string labels: {} is not correct: {r:#?}",
        r.workload
    );
}

#[test]
fn string_labels_run_every_workload_correctly() {
    for workload in WorkloadKind::ALL {
        for jitter_us in [0, 200] {
            let r = run(workload, jitter_us);
            assert_correct(&r);
            assert!(
                r.label_bytes_mean >= 4.0,
                "labels are at least `op:0`: {r:#?}"
            );
        }
    }
}

#[test]
fn string_labels_grow_with_nesting() {
    let flat = run(WorkloadKind::Independent, 0);
    let nested = run(WorkloadKind::Nested, 0);
    assert_correct(&flat);
    assert_correct(&nested);
    // Four levels of `op:<k>/` prefixes are longer than any flat label here.
    assert!(
        nested.label_bytes_max > flat.label_bytes_max,
        "nested {} bytes vs independent {} bytes",
        nested.label_bytes_max,
        flat.label_bytes_max
    );
}

#[test]
fn text_labels_fork_per_continuation() {
    let mut l = TextLabeller::default();
    let mul = |l: &mut TextLabeller| l.issue(OpKind::Mul, &[]).unwrap().label.unwrap();
    assert_eq!(mul(&mut l), "op:0");
    assert_eq!(l.issue(OpKind::Add, &[&(), &()]).unwrap().label, None);
    let ctx = l.schedule(&[]);
    assert_eq!(mul(&mut l), "op:2");
    let saved = l.enter(ctx);
    assert_eq!(mul(&mut l), "op:1/op:0");
    l.leave(saved);
    assert_eq!(mul(&mut l), "op:3");
}

#[test]
fn text_labels_decode_only_what_they_encode() {
    let l = TextLabeller::default();
    for label in ["op:0", "op:17", "op:1/op:0", "op:3/op:12/op:0"] {
        let mut out = Vec::new();
        l.encode(&label.to_string(), &mut out);
        assert_eq!(l.decode(&out).unwrap(), label);
        assert_eq!(l.encoded_len(&label.to_string()), out.len());
    }
    for bad in [
        &b""[..],
        b"\xff\xfe",
        b"xp:1",
        b"op:",
        b"op:01",
        b"op:1/",
        b"op:1//op:2",
        b"op:1/x",
    ] {
        assert!(
            matches!(l.decode(bad), Err(LabelError::Malformed(_))),
            "{bad:?} must be refused"
        );
    }
}
