//! Printing reports: a readable table (laid out by `crate::table`) or one
//! JSON line, optionally appended to a file.

use crate::cli::Format;
use crate::player::PlayerRun;
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

/// Prints the reports of a run (one per strategy) and appends their JSON lines to `out`.
pub fn emit(reports: &[RunReport], format: Format, out: Option<&Path>) -> Result<()> {
    for r in reports {
        let json = serde_json::to_string(r)?;
        if format == Format::Json {
            println!("{json}");
        }
        if let Some(path) = out {
            append_line(path, &json)?;
        }
    }
    if format == Format::Table {
        print!("{}", table(reports));
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

/// A comparison table: one row per figure, one column per report.
fn table(reports: &[RunReport]) -> String {
    let Some(first) = reports.first() else {
        return String::new();
    };
    let mib = |b: Option<u64>| {
        b.map_or("unknown".into(), |b| {
            format!("{:.1} MiB", b as f64 / f64::from(1 << 20))
        })
    };
    type Row = (&'static str, fn(&RunReport) -> String);
    let rows: Vec<Row> = vec![
        ("correct", |r| format!("{} of {}", r.correct, r.outputs)),
        ("wrong", |r| r.wrong.to_string()),
        ("inconsistent opens", |r| r.inconsistent_opens.to_string()),
        ("orphans", |r| r.orphans.to_string()),
        ("hung", |r| r.hung.to_string()),
        ("inputs", |r| format!("{:.3} s", r.input_s)),
        ("wall", |r| format!("{:.3} s", r.wall_s)),
        ("mul/s", |r| format!("{:.0}", r.mul_per_s)),
        ("label bytes mean", |r| format!("{:.2}", r.label_bytes_mean)),
        ("label bytes max", |r| r.label_bytes_max.to_string()),
        ("label share of wire", |r| {
            format!(
                "{:.1} %",
                100.0 * r.label_bytes_total as f64 / r.wire_bytes.max(1) as f64
            )
        }),
        ("latency p50", |r| format!("{:.1} µs", r.latency_p50_us)),
        ("latency p99", |r| format!("{:.1} µs", r.latency_p99_us)),
        ("collision bound", |r| {
            r.label_collision_bound
                .map_or("-".into(), |p| format!("{p:.1e}"))
        }),
        ("transform", |r| match (r.transform_s, r.program_gates) {
            (Some(s), Some(g)) => format!("{:.3} s, {g} gates", s),
            _ => "-".into(),
        }),
    ];
    let mut grid: Vec<Vec<String>> = vec![std::iter::once(String::new())
        .chain(reports.iter().map(|r| match r.truncate_bytes {
            Some(b) => format!("{}/{b}", r.strategy),
            None => r.strategy.clone(),
        }))
        .collect()];
    for (name, f) in &rows {
        grid.push(
            std::iter::once(name.to_string())
                .chain(reports.iter().map(|r| {
                    if r.unsupported {
                        "unsupported".into()
                    } else {
                        f(r)
                    }
                }))
                .collect(),
        );
    }
    let mut extra = vec![(
        "peak RSS".to_string(),
        reports
            .iter()
            .map(|r| mib(r.peak_rss_bytes))
            .collect::<Vec<_>>(),
    )];
    // An error can be a long sentence: the cell says whether there is one,
    // and the error itself follows the table, so the columns stay readable.
    extra.push((
        "error".into(),
        reports
            .iter()
            .map(|r| if r.error.is_some() { "below" } else { "none" }.into())
            .collect(),
    ));
    for (name, cells) in extra {
        grid.push(std::iter::once(name).chain(cells).collect());
    }
    let mut out = format!(
        "{} (n = {}, depth {}), {} players (t = {}), jitter {} µs, seed {}, git {}\n",
        first.workload,
        first.n,
        first.depth,
        first.players,
        first.threshold,
        first.jitter_us,
        first.seed,
        first.git_rev
    );
    out.push_str(&crate::table::plain(&grid));
    for r in reports.iter().filter(|r| r.unsupported) {
        out.push_str(&format!(
            "{}: unsupported: {}\n",
            r.strategy,
            r.unsupported_reason.as_deref().unwrap_or("no reason given")
        ));
    }
    for r in reports {
        if let Some(e) = &r.error {
            out.push_str(&format!("{}: error: {e}\n", r.strategy));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::tests::report;

    #[test]
    fn a_long_error_follows_the_table_instead_of_widening_it() {
        let ok = report("counter", "pairs");
        let mut hung = report("naive", "pairs");
        hung.hung = true;
        let error = format!("player 1: stalled: {}", "waiting on player 2 ".repeat(20));
        hung.error = Some(error.clone());
        let text = table(&[hung, ok]);
        let (grid, after) = text.split_at(text.find("naive: error").expect("the error"));
        assert!(grid.lines().all(|l| l.chars().count() < 120), "{text}");
        assert!(grid.contains("below") && grid.contains("none"), "{text}");
        assert_eq!(after, format!("naive: error: {error}\n"));
    }
}
