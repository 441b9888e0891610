//! Criterion group 3: n multiplications (each opened and checked) between three
//! players over loopback TCP sockets, for each strategy, in one group so that
//! criterion's report compares them; and the same runs with every engine on one
//! thread and no sockets (`engine_in_memory_…`), which is what the engine and
//! the labels cost without the kernel and the scheduler, with plain labels and
//! with labels coded against the link (`…/counter_link`).

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use shamir_runtime::field::MODULUS;
use shamir_runtime::link_coding::LabelCoding;
use shamir_runtime::{RunParams, WorkloadKind};
use std::time::Duration;

use bench_harness::strategies::{self, Options};
use shamir_runtime::strategy::LocalRun;
use shamir_runtime::AnyStrategy;

const N: u64 = 20_000;

fn params() -> RunParams {
    RunParams {
        players: 3,
        threshold: 1,
        modulus: MODULUS,
        workload: WorkloadKind::Independent,
        n: N,
        depth: 1,
        seed: 1,
        window: 4096,
        jitter_us: 0,
        delay_us: 0,
        label_coding: LabelCoding::Plain,
    }
}

/// The strategies compared: all but the naive control, whose results are wrong
/// by design, so that its speed is not comparable.
fn compared() -> impl Iterator<Item = Box<dyn AnyStrategy>> {
    strategies::all(&Options::default())
        .expect("the default options")
        .into_iter()
        .filter(|s| s.name() != "naive")
}

fn end_to_end(c: &mut Criterion) {
    let mut group = c.benchmark_group("end_to_end_independent_3_players");
    group.throughput(Throughput::Elements(N));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let params = params();
    for s in compared() {
        group.bench_function(BenchmarkId::from_parameter(s.name()), |b| {
            b.iter(|| {
                let how = LocalRun {
                    timeout: Duration::from_secs(60),
                    dense_keys: true,
                    secure: false,
                };
                let r = s.run_local(&params, how).expect("a run");
                assert_eq!(r.correct, N, "{} must be correct", s.name());
                r.wall_s
            })
        });
    }
    group.finish();
}

fn engine_in_memory(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine_in_memory_independent_3_players");
    group.throughput(Throughput::Elements(N));
    group.sample_size(10);
    for (s, coding) in compared().flat_map(|s| {
        let s: std::rc::Rc<dyn AnyStrategy> = s.into();
        LabelCoding::ALL.map(|c| (s.clone(), c))
    }) {
        let params = RunParams {
            label_coding: coding,
            ..params()
        };
        let id = match coding {
            LabelCoding::Plain => s.name().to_string(),
            LabelCoding::Link => format!("{}_link", s.name()),
        };
        group.bench_function(BenchmarkId::from_parameter(id), |b| {
            b.iter(|| {
                let run = s.run_in_memory(&params).expect("a run");
                for c in &run.counters {
                    assert_eq!(c.correct, N, "{} must be correct", s.name());
                }
                run.compute
            })
        });
    }
    group.finish();
}

criterion_group!(benches, end_to_end, engine_in_memory);
bench_harness::criterion_main_with_font!(benches);
