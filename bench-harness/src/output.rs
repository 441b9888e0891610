//! Printing reports: a readable table or one JSON line, optionally appended to a file.

use crate::cli::Format;
use crate::strategy::PlayerRun;
use anyhow::{Context, Result};
use shamir_runtime::RunReport;
use std::io::Write;
use std::path::Path;

fn append_line(path: &Path, line: &str) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    writeln!(f, "{line}").with_context(|| format!("writing {}", path.display()))
}

/// Prints a run's report and appends its JSON line to `out`.
pub fn emit(r: &RunReport, format: Format, out: Option<&Path>) -> Result<()> {
    let json = serde_json::to_string(r)?;
    match format {
        Format::Json => println!("{json}"),
        Format::Table => print!("{}", table(r)),
    }
    if let Some(path) = out {
        append_line(path, &json)?;
    }
    Ok(())
}

/// Prints one player's report and appends its JSON line to `out`.
pub fn emit_player(r: &PlayerRun, format: Format, out: Option<&Path>) -> Result<()> {
    let json = serde_json::to_string(r)?;
    match format {
        Format::Json => println!("{json}"),
        Format::Table => {
            let p = &r.report;
            println!(
                "player {} ({}): correct {} wrong {} inconsistent {} orphans {} wall {:.3}s error {}",
                p.player,
                r.strategy,
                p.correct,
                p.wrong,
                p.inconsistent_opens,
                p.orphans,
                p.wall_s,
                p.error.as_deref().unwrap_or("none")
            );
        }
    }
    if let Some(path) = out {
        append_line(path, &json)?;
    }
    Ok(())
}

fn table(r: &RunReport) -> String {
    let rows: Vec<(&str, String)> = vec![
        ("strategy", r.strategy.clone()),
        (
            "workload",
            format!("{} (n = {}, depth {})", r.workload, r.n, r.depth),
        ),
        ("players", format!("{} (t = {})", r.players, r.threshold)),
        ("jitter", format!("{} µs", r.jitter_us)),
        ("seed", r.seed.to_string()),
        ("correct", format!("{} of {}", r.correct, r.outputs)),
        ("wrong", r.wrong.to_string()),
        ("inconsistent opens", r.inconsistent_opens.to_string()),
        ("orphans", r.orphans.to_string()),
        ("hung", r.hung.to_string()),
        ("error", r.error.clone().unwrap_or_else(|| "none".into())),
        ("inputs", format!("{:.3} s", r.input_s)),
        ("wall", format!("{:.3} s", r.wall_s)),
        ("mul/s", format!("{:.0}", r.mul_per_s)),
        (
            "label bytes",
            format!("mean {:.2}, max {}", r.label_bytes_mean, r.label_bytes_max),
        ),
        (
            "label share of wire",
            format!(
                "{:.1} %",
                100.0 * r.label_bytes_total as f64 / r.wire_bytes.max(1) as f64
            ),
        ),
        (
            "latency",
            format!(
                "p50 {:.1} µs, p99 {:.1} µs",
                r.latency_p50_us, r.latency_p99_us
            ),
        ),
        (
            "peak RSS",
            r.peak_rss_bytes.map_or("unknown".into(), |b| {
                format!("{:.1} MiB", b as f64 / (1 << 20) as f64)
            }),
        ),
        ("git", r.git_rev.clone()),
    ];
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("{k:<width$}  {v}\n"))
        .collect()
}
