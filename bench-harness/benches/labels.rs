//! Criterion group 1: the cost of issuing one label, for each strategy, inside
//! continuations nested 1, 4 and 16 deep (and, for history labels, at each
//! truncation size). Static labels have no continuations at run time: their
//! cost is measured on the `nested` program of each depth, traced, per label.
//! Group 1b, `history_issue`: each labelled kind of history label, per size.

use criterion::{criterion_group, BatchSize, BenchmarkId, Criterion, Throughput};
use labels_counter::{NaiveCounter, ProgramCounter};
use labels_history::{History, LABEL_BYTES};
use labels_static::{transform, StaticLabeller};
use shamir_runtime::circuit::Gate;
use shamir_runtime::label::{LabelTiming, Labeller, OpKind};
use shamir_runtime::{RunParams, WorkloadKind};
use std::hint::black_box;
use std::sync::Arc;

/// The depths the study compares.
const DEPTHS: [u32; 3] = [1, 4, 16];

/// Puts `l` inside `depth − 1` nested continuations, as the `nested` workload does.
fn nest<L: Labeller>(l: &mut L, depth: u32) {
    let root = l.root_tag();
    for _ in 1..depth {
        let ctx = l.schedule(&[&root]);
        let _saved = l.enter(ctx);
    }
}

/// Measures issuing one multiplication's label with `make()` nested `depth` deep.
fn bench_issue<L: Labeller>(c: &mut Criterion, name: &str, make: impl Fn() -> L) {
    let mut group = c.benchmark_group("issue_label");
    for depth in DEPTHS {
        let mut l = make();
        nest(&mut l, depth);
        let tag = l.root_tag();
        group.bench_function(BenchmarkId::new(name, depth), |b| {
            b.iter(|| {
                if L::TIMING == LabelTiming::AtSend {
                    black_box(l.at_send(OpKind::Mul).expect("a label"))
                } else {
                    black_box(
                        l.issue(OpKind::Mul, &[&tag, &tag])
                            .expect("a label")
                            .label
                            .expect("labelled"),
                    )
                }
            })
        });
    }
    group.finish();
}

/// Static labels: every label of the traced `nested` program at each depth, in
/// replay order, reported per label.
fn bench_static(c: &mut Criterion) {
    let mut group = c.benchmark_group("issue_label");
    for depth in DEPTHS {
        let params = RunParams {
            workload: WorkloadKind::Nested,
            n: 4_096,
            depth,
            ..RunParams::example()
        };
        let program = Arc::new(transform(&params, 3, None).expect("nested traces"));
        let kinds: Vec<OpKind> = program
            .circuit()
            .gates()
            .iter()
            .filter_map(|g| match *g {
                Gate::Input { owner, .. } => Some(OpKind::Input {
                    owner: owner as usize,
                }),
                Gate::Random => Some(OpKind::Random),
                Gate::Mul(..) => Some(OpKind::Mul),
                Gate::Open(_) => Some(OpKind::Open),
                _ => None,
            })
            .collect();
        group.throughput(Throughput::Elements(kinds.len() as u64));
        group.bench_function(BenchmarkId::new("static (per label)", depth), |b| {
            b.iter_batched(
                || StaticLabeller::new(program.clone()),
                |mut l| {
                    for &k in &kinds {
                        black_box(l.issue(k, &[]).expect("the traced order"));
                    }
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

/// History labels alone, in the root context: each labelled kind at each size,
/// the hashing `labels-history` does per operation (`issue_label` nests `mul`).
fn bench_history(c: &mut Criterion) {
    let mut group = c.benchmark_group("history_issue");
    for bytes in LABEL_BYTES {
        let mut h = History::new(bytes).expect("a valid size");
        let a = h.root_tag();
        let kinds: [(&str, OpKind, &[&_]); 4] = [
            ("input", OpKind::Input { owner: 1 }, &[]),
            ("random", OpKind::Random, &[]),
            ("mul", OpKind::Mul, &[&a, &a]),
            ("open", OpKind::Open, &[&a]),
        ];
        for (name, op, operands) in kinds {
            group.bench_function(BenchmarkId::new(name, bytes), |b| {
                b.iter(|| black_box(h.issue(op, black_box(operands)).expect("issued").tag))
            });
        }
    }
    group.finish();
}

fn labels(c: &mut Criterion) {
    bench_issue(c, "naive", NaiveCounter::new);
    bench_issue(c, "counter", ProgramCounter::new);
    for bytes in LABEL_BYTES {
        bench_issue(c, &format!("history/{bytes}"), || {
            History::new(bytes).expect("a valid size")
        });
    }
    bench_static(c);
    bench_history(c);
}

criterion_group!(benches, labels);
bench_harness::criterion_main_with_font!(benches);
