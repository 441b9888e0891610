//! What a run can do, checked before it starts: the longest `--timeout` and
//! the largest `--n` the command line accepts, and the memory a run would
//! take (its operation tables, and for static labels the transformed program)
//! against the memory the machine has.
//!
//! * **`--timeout`**: more than zero and at most [`MAX_TIMEOUT`] (7 days).
//!   Zero gave a run no time at all (it was reported hung before it started);
//!   `u64::MAX` seconds overflowed `Instant` (a panic). The runtime saturates
//!   its deadlines anyway ([`shamir_runtime::sys::deadline`]).
//! * **`--n`**: at most [`MAX_N`] = 2^40 (about 1.1·10^12) multiplications.
//!   The workloads run in batches, so a player's memory does not grow with n;
//!   what limits n is time and the counters. The fastest pace measured here
//!   (about 2.3 million multiplications per second, 3 players) does 2^40 in
//!   5.5 days, inside the longest timeout, so no larger n can finish. Below
//!   2^40 every count a run reports (messages are about 2·n·(players − 1))
//!   stays exact in the JSON's numbers (below 2^53), and `tree`'s n + 1
//!   leaves cannot wrap (at n = 2^64 − 1 they wrapped to 0, and the run
//!   reported nothing done and nothing wrong). Static labels are bounded
//!   further: gate numbers are `u32`, so a traced circuit holds at most
//!   [`MAX_GATES`](shamir_runtime::circuit::MAX_GATES) gates (about 850 million multiplications on
//!   `independent`, 5 gates each), and the transformed program is held in
//!   memory (84 bytes per multiplication on `independent`), so
//!   [`check_memory`] estimates it first.
//! * **Memory**: the operation table of every player is allocated when the
//!   run starts (`(players + 1)·window` entries rounded up to a power of two,
//!   each 96 bytes plus 8 per player), and static labels hold their program.
//!   A run whose estimate is more than the kernel's `MemAvailable` is
//!   refused, naming both figures. Where `/proc/meminfo` cannot be read the
//!   check is skipped; the environment variable [`MEMORY_ENV`] replaces the
//!   reading (a number of bytes), to check against a smaller budget.

use anyhow::{bail, Result};
use shamir_runtime::{engine, AnyStrategy, RunParams};
use std::time::Duration;

/// The longest `--timeout` (and grid `timeout_s`): 7 days.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

/// The largest `--n`: 2^40 multiplications (the module says why).
pub const MAX_N: u64 = 1 << 40;

/// The environment variable that, when set to a number of bytes, replaces
/// `MemAvailable` as the memory a run may take.
pub const MEMORY_ENV: &str = "LABELBENCH_MEM_AVAILABLE";

/// Parses `--timeout`: a humantime duration, more than zero, at most
/// [`MAX_TIMEOUT`].
pub fn parse_timeout(s: &str) -> Result<humantime::Duration, String> {
    let d: humantime::Duration = s.parse().map_err(|e| format!("`{s}`: {e}"))?;
    check_timeout(*d).map_err(|e| format!("`{s}`: {e}"))?;
    Ok(d)
}

/// Whether `d` is a timeout a run can have.
fn check_timeout(d: Duration) -> Result<(), String> {
    if d.is_zero() {
        Err("a run needs more than zero time (it would be reported hung before it started)".into())
    } else if d > MAX_TIMEOUT {
        Err(format!(
            "over the longest timeout, {} (no run that long is expected to finish)",
            humantime::format_duration(MAX_TIMEOUT)
        ))
    } else {
        Ok(())
    }
}

/// A grid file's `timeout_s` as a duration: a finite number of seconds,
/// more than zero, at most [`MAX_TIMEOUT`].
pub fn timeout_from_secs(s: f64) -> Result<Duration, String> {
    if !s.is_finite() {
        return Err("not a finite number of seconds".into());
    }
    if s > MAX_TIMEOUT.as_secs_f64() {
        check_timeout(Duration::MAX)?;
    }
    if s <= 0.0 {
        check_timeout(Duration::ZERO)?;
    }
    let d = Duration::try_from_secs_f64(s).map_err(|e| e.to_string())?;
    check_timeout(d)?;
    Ok(d)
}

/// Parses `--n`: a whole number from 1 to [`MAX_N`], in digits (`20000000`)
/// or as digits times a power of ten (`2e7`).
pub fn parse_n(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    let value = match t.split_once(['e', 'E']) {
        Some((m, e)) if digits(m) && digits(e) => Some(
            e.parse::<u32>()
                .ok()
                .and_then(|e| 10u64.checked_pow(e))
                .and_then(|p| m.parse::<u64>().ok()?.checked_mul(p)),
        ),
        None if digits(t) => Some(t.parse::<u64>().ok()),
        _ => None,
    };
    match value {
        None => Err(format!(
            "`{s}` is not a whole number of multiplications (write e.g. 20000000 or 2e7)"
        )),
        Some(Some(0)) => Err("a run needs at least 1 multiplication".into()),
        Some(Some(n)) if n <= MAX_N => Ok(n),
        Some(_) => Err(format!(
            "`{s}` is over the largest n, 2^40 = {MAX_N}: at the fastest pace measured \
             (about 2.3 million multiplications per second) that many take 5.5 days, \
             close to the longest --timeout ({})",
            humantime::format_duration(MAX_TIMEOUT)
        )),
    }
}

/// The memory a run may take, in bytes: [`MEMORY_ENV`] if set, else
/// `MemAvailable`; `None` if neither can be read (the check is then skipped).
fn memory_available() -> Result<Option<u64>> {
    match std::env::var(MEMORY_ENV) {
        Ok(v) => match v.trim().parse::<u64>() {
            Ok(b) => Ok(Some(b)),
            Err(_) => bail!("{MEMORY_ENV}={v}: expected a number of bytes"),
        },
        Err(_) => Ok(shamir_runtime::sys::mem_available_bytes()),
    }
}

/// `bytes` for people: `1.57 GiB (1,680,000,000 bytes)`.
pub fn show_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    let grouped = crate::format::grouped(bytes, ',');
    if unit == 0 {
        format!("{grouped} bytes")
    } else {
        format!("{v:.2} {} ({grouped} bytes)", UNITS[unit])
    }
}

/// Refuses a run whose memory would not fit: the operation tables of the
/// `here` players this process runs (all of them for `run`, one for
/// `player`), and what the strategy's preparation needs
/// ([`AnyStrategy::memory`]: for static labels the transformed program, with
/// each player's replay), or a program the strategy refuses for its size
/// (static programs of more than [`MAX_GATES`](shamir_runtime::circuit::MAX_GATES)
/// gates, wherever they run).
pub fn check_memory(s: &dyn AnyStrategy, params: &RunParams, here: usize) -> Result<()> {
    let players = params.players as usize;
    let per_table = engine::table_bytes(players, params.window as usize).unwrap_or(u64::MAX);
    let tables = per_table.saturating_mul(here as u64);
    let available = memory_available()?;
    if let Some(available) = available {
        if tables > available {
            bail!(
                "--window {} with {players} players: the operation tables need about {}, \
                 {} per player with {here} in this process, more than the {} available \
                 ({}); use a smaller --window",
                params.window,
                show_bytes(tables),
                show_bytes(per_table),
                show_bytes(available),
                source()
            );
        }
    }
    let need = match s.memory(params) {
        Ok(Some(need)) => need,
        Ok(None) => return Ok(()),
        Err(reason) => bail!(
            "--n {} with --strategy {}: {reason}; use a smaller --n",
            params.n,
            s.name()
        ),
    };
    let shared_and_players = need
        .per_player
        .saturating_mul(here as u64)
        .saturating_add(need.shared);
    let total = shared_and_players.saturating_add(tables);
    if let Some(available) = available {
        if total > available {
            bail!(
                "--n {} with --strategy {}: the {} program needs about {}: {} shared, {} per \
                 player ({}), operation tables {}; more than the {} available ({}); use a \
                 smaller --n",
                params.n,
                s.name(),
                params.workload,
                show_bytes(total),
                show_bytes(need.shared),
                show_bytes(need.per_player),
                need.basis,
                show_bytes(tables),
                show_bytes(available),
                source()
            );
        }
    }
    Ok(())
}

/// Where the memory figure came from, for messages.
fn source() -> String {
    if std::env::var_os(MEMORY_ENV).is_some() {
        MEMORY_ENV.to_string()
    } else {
        "MemAvailable in /proc/meminfo".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shamir_runtime::WorkloadKind;

    #[test]
    fn timeouts_are_more_than_zero_and_at_most_a_week() {
        assert_eq!(
            parse_timeout("90s").map(Duration::from),
            Ok(Duration::from_secs(90))
        );
        assert!(parse_timeout("7days").is_ok());
        for bad in ["0s", "0", "8days", "18446744073709551615s", "soon"] {
            let e = parse_timeout(bad).unwrap_err();
            assert!(e.contains(bad), "{bad}: {e}");
        }
        assert_eq!(timeout_from_secs(30.0), Ok(Duration::from_secs(30)));
        for bad in [
            -1.0,
            0.0,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
            1e30,
            604_801.0,
        ] {
            assert!(timeout_from_secs(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn n_is_a_whole_number_up_to_two_to_the_forty() {
        assert_eq!(parse_n("20000000"), Ok(20_000_000));
        assert_eq!(parse_n("2e7"), Ok(20_000_000));
        assert_eq!(parse_n("1099511627776"), Ok(MAX_N));
        for bad in ["0", "0e5", "-3", "2.5e3", "1e", "e5", "abc", ""] {
            assert!(parse_n(bad).is_err(), "{bad}");
        }
        for big in [
            "1099511627777",
            "18446744073709551615",
            "99999999999999999999999",
            "1e40",
        ] {
            let e = parse_n(big).unwrap_err();
            assert!(e.contains("2^40"), "{big}: {e}");
        }
    }

    #[test]
    fn bytes_read_well() {
        assert_eq!(show_bytes(512), "512 bytes");
        assert_eq!(show_bytes(1_680_000_000), "1.56 GiB (1,680,000,000 bytes)");
    }

    #[test]
    fn static_programs_beyond_32_bit_gate_numbers_are_refused() {
        let params = RunParams {
            workload: WorkloadKind::Independent,
            n: 1 << 32,
            ..RunParams::example()
        };
        let e = check_memory(&labels_static::StaticStrategy, &params, 3).unwrap_err();
        assert!(e.to_string().contains("32-bit"), "{e}");
        // Other strategies do not trace.
        check_memory(&labels_counter::CounterStrategy, &params, 3).unwrap();
    }
}
