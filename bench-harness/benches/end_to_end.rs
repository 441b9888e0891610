//! Criterion group 3: n multiplications (each opened and checked) between three
//! players over loopback TCP sockets, for each strategy, in one group so that
//! criterion's report compares them.

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use shamir_runtime::field::MODULUS;
use shamir_runtime::{RunParams, WorkloadKind};
use std::time::Duration;

use bench_harness::strategy;

const N: u64 = 20_000;

fn end_to_end(c: &mut Criterion) {
    let mut group = c.benchmark_group("end_to_end_independent_3_players");
    group.throughput(Throughput::Elements(N));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let params = RunParams {
        players: 3,
        threshold: 1,
        modulus: MODULUS,
        workload: WorkloadKind::Independent,
        n: N,
        depth: 1,
        seed: 1,
        window: 4096,
        jitter_us: 0,
    };
    for s in strategy::Strategy::all(strategy::DEFAULT_LABEL_BYTES) {
        if s == strategy::Strategy::Naive {
            continue; // wrong results by design; its speed is not comparable
        }
        group.bench_function(BenchmarkId::from_parameter(s.name()), |b| {
            b.iter(|| {
                let r =
                    strategy::run_local(s, &params, Duration::from_secs(60), true).expect("a run");
                assert_eq!(r.correct, N, "{} must be correct", s.name());
                r.wall_s
            })
        });
    }
    group.finish();
}

criterion_group!(benches, end_to_end);
bench_harness::criterion_main_with_font!(benches);
