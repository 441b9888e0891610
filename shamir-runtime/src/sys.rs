//! Readings from the operating system: peak memory and per-thread CPU time
//! (Linux `/proc`; `None` elsewhere).

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
