//! Facts about the code and machine a run records, so it can be reproduced.

use std::process::Command;

/// The git revision of the working tree (`-dirty` when tracked files outside
/// `results/` have uncommitted changes), or `unknown` outside a git checkout.
pub fn git_rev() -> String {
    let out = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match out(&["rev-parse", "--short=12", "HEAD"]) {
        Some(rev) if !rev.is_empty() => {
            // Results written into the repository's `results/` (by this very
            // sweep, say) are data, not code: they do not make the tree dirty.
            let dirty = out(&[
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ":(top)",
                ":(top,exclude)results",
            ])
            .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{rev}-dirty")
            } else {
                rev
            }
        }
        _ => "unknown".to_string(),
    }
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
