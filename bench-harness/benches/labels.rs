//! Criterion group 1: the cost of issuing one label, for each strategy, inside
//! continuations nested 1, 4 and 16 deep (and, for history labels, at each
//! truncation size).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use labels_counter::{NaiveCounter, ProgramCounter};
use shamir_runtime::label::{LabelTiming, Labeller, OpKind};
use std::hint::black_box;

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

fn labels(c: &mut Criterion) {
    bench_issue(c, "naive", NaiveCounter::new);
    bench_issue(c, "counter", ProgramCounter::new);
}

criterion_group!(benches, labels);
criterion_main!(benches);
