//! Readings from the operating system: peak memory, memory available and
//! per-thread CPU time (Linux `/proc`; `None` elsewhere), and deadlines that
//! cannot overflow.

use std::time::{Duration, Instant};

/// How far [`deadline`] puts a deadline that `Instant` cannot hold: about a
/// hundred years, never reached by a run.
pub const FAR: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// `start + after`, or [`FAR`] after `start` when that overflows `Instant`
/// (a timeout of `u64::MAX` seconds), so no deadline arithmetic panics.
pub fn deadline(start: Instant, after: Duration) -> Instant {
    start
        .checked_add(after)
        .or_else(|| start.checked_add(FAR))
        .unwrap_or(start)
}

/// Memory the kernel says is available for new allocations without swapping
/// (`MemAvailable` in `/proc/meminfo`), in bytes; `None` where it cannot be read.
pub fn mem_available_bytes() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Peak resident set size of this process in bytes (`VmHWM`).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Resets the peak resident set size, so the next reading covers one run only.
pub fn reset_peak_rss() {
    // "5" resets VmHWM (Linux ≥ 4.0); best effort.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// CPU time of the calling thread in seconds.
pub fn thread_cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_saturate_instead_of_overflowing() {
        let now = Instant::now();
        assert_eq!(
            deadline(now, Duration::from_secs(5)),
            now + Duration::from_secs(5)
        );
        let far = deadline(now, Duration::from_secs(u64::MAX));
        assert!(far >= now + Duration::from_secs(3600 * 24 * 365));
        assert_eq!(deadline(now, Duration::MAX), far);
    }

    #[test]
    fn memory_available_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(mem_available_bytes().is_some_and(|b| b > 0));
        }
    }
}
