//! One in-memory run (every engine on this thread, no sockets) for profilers:
//! `valgrind --tool=callgrind target/release/examples/in_memory counter 50000`
//! or `perf record -g …`. Prints the computation's time per multiplication.
//!
//! Arguments: strategy (`counter`, `history`, `static`, `naive`; default
//! `counter`), n (default 100000), players (default 3), label coding
//! (`plain` or `link`; default `plain`), workload (default `independent`)
//! and depth (for `nested`; default 1).

use anyhow::{Context, Result};
use bench_harness::strategies::{self, Options};
use shamir_runtime::field::MODULUS;
use shamir_runtime::shamir::Shamir;
use shamir_runtime::{RunParams, WorkloadKind};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.into());
    let n: u64 = arg(1, "100000").parse().context("n")?;
    let players: u32 = arg(2, "3").parse().context("players")?;
    let label_coding = arg(3, "plain")
        .parse()
        .map_err(|e: String| anyhow::anyhow!(e))?;
    let workload: WorkloadKind = arg(4, "independent")
        .parse()
        .map_err(|e: String| anyhow::anyhow!(e))?;
    let depth: u32 = arg(5, "1").parse().context("depth")?;
    let s = strategies::by_name(&arg(0, "counter"), &Options::default())?;
    let params = RunParams {
        players,
        threshold: Shamir::default_threshold(players as usize) as u32,
        modulus: MODULUS,
        workload,
        n,
        depth,
        seed: 1,
        window: 4096,
        jitter_us: 0,
        delay_us: 0,
        label_coding,
    };
    let run = s.run_in_memory(&params)?;
    let correct: Vec<u64> = run.counters.iter().map(|c| c.correct).collect();
    println!(
        "{} on {workload} ({label_coding} labels): {} players, n = {n}: compute {:.3} s, {:.0} ns per multiplication (all players), input {:.3} s, correct {correct:?}",
        s.name(),
        players,
        run.compute.as_secs_f64(),
        run.compute.as_nanos() as f64 / n as f64,
        run.input.as_secs_f64(),
    );
    Ok(())
}
