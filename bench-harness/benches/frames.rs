//! Criterion group 2: encoding and decoding a message frame (length prefix,
//! label, payload) with each strategy's labels, and filing it in a mailbox.

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use labels_counter::{NaiveCounter, ProgramCounter};
use labels_history::{History, LABEL_BYTES};
use shamir_runtime::field::Fp;
use shamir_runtime::label::{Labeller, OpKind};
use shamir_runtime::wire::{parse_frame, put_message, Frame};
use std::hint::black_box;

/// Frames per measured batch.
const FRAMES: usize = 1024;

/// `FRAMES` labels of `labeller`, issued at top level.
fn labels<L: Labeller>(labeller: &mut L) -> Vec<L::Label>
where
    L::Tag: Clone,
{
    let root = labeller.root_tag();
    (0..FRAMES)
        .map(|_| {
            let issued = labeller
                .issue(OpKind::Mul, &[&root, &root])
                .expect("a label");
            match issued.label {
                Some(l) => l,
                None => labeller.at_send(OpKind::Mul).expect("a label"),
            }
        })
        .collect()
}

fn bench_strategy<L: Labeller>(c: &mut Criterion, name: &str, mut labeller: L) {
    let labels = labels(&mut labeller);
    let mut group = c.benchmark_group("frame");
    group.throughput(Throughput::Elements(FRAMES as u64));
    let mut label_buf = Vec::new();
    let mut frames = Vec::new();
    for l in &labels {
        label_buf.clear();
        labeller.encode(l, &mut label_buf);
        put_message(&mut frames, &label_buf, Fp::new(7));
    }
    group.bench_function(BenchmarkId::new("encode", name), |b| {
        let mut out = Vec::with_capacity(frames.len());
        b.iter(|| {
            out.clear();
            for l in &labels {
                label_buf.clear();
                labeller.encode(l, &mut label_buf);
                put_message(&mut out, &label_buf, Fp::new(7));
            }
            black_box(out.len())
        })
    });
    group.bench_function(BenchmarkId::new("decode", name), |b| {
        b.iter(|| {
            let mut at = 0;
            let mut sum = 0u64;
            while let Ok(Some((frame, used))) = parse_frame(&frames[at..]) {
                if let Frame::Message { label, payload } = frame {
                    let l = labeller.decode(label).expect("a valid label");
                    sum = sum.wrapping_add(payload.value()) ^ labeller.dense_key(&l).unwrap_or(1);
                }
                at += used;
            }
            black_box(sum)
        })
    });
    group.finish();
}

fn frames(c: &mut Criterion) {
    bench_strategy(c, "naive", NaiveCounter::new());
    bench_strategy(c, "counter", ProgramCounter::new());
    for bytes in LABEL_BYTES {
        bench_strategy(
            c,
            &format!("history/{bytes}"),
            History::new(bytes).expect("a valid size"),
        );
    }
}

criterion_group!(benches, frames);
bench_harness::criterion_main_with_font!(benches);
