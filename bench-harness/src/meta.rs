//! Facts about the code and machine a run records, so it can be reproduced.

/// The git revision this binary was built from (`-dirty` when its code, the
/// tracked files outside `target/`, `results/` and `fuzz/`, had uncommitted
/// changes), or `unknown` when it was not built from a git checkout: recorded
/// by `build.rs`, so it does not depend on the folder a run is started from.
pub fn git_rev() -> String {
    env!("LABELBENCH_GIT_REV").to_string()
}

/// The machine a run ran on.
#[derive(Debug, Clone)]
pub struct Machine {
    /// CPU model name.
    pub cpu: String,
    /// Logical cores available to this process.
    pub cores: u32,
    /// Operating system and kernel release.
    pub os: String,
}

/// Reads the CPU model (Linux `/proc/cpuinfo`), core count and OS.
pub fn machine() -> Machine {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get() as u32);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let os = format!("{} {kernel}", std::env::consts::OS)
        .trim()
        .to_string();
    Machine { cpu, cores, os }
}

/// Now, as RFC 3339 UTC to the second.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// Fills in the provenance of a report: code revision, date and machine.
pub fn stamp(r: &mut shamir_runtime::RunReport, git_rev: &str, date: &str, m: &Machine) {
    r.git_rev = git_rev.to_string();
    r.date = date.to_string();
    r.machine_cpu = m.cpu.clone();
    r.machine_cores = m.cores;
    r.machine_os = m.os.clone();
}
