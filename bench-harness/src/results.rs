//! The results files: `runs.jsonl` (one JSON report per line) and `runs.csv`.

use anyhow::{Context, Result};
use shamir_runtime::RunReport;
use std::path::Path;

/// Reads every report in a JSON-lines file; a line that does not parse is an
/// error naming its line number.
pub fn load_runs(path: &Path) -> Result<Vec<RunReport>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{}:{}: not a run report", path.display(), i + 1))
        })
        .collect()
}

/// Writes `runs` as CSV, one row per run, with the JSON report's fields as columns.
pub fn write_csv(runs: &[RunReport], path: &Path) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?;
    for r in runs {
        w.serialize(r)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    w.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The committed results in `dir` to compare a report with, if `dir` is given
/// and holds runs.
pub fn load_reference(
    dir: Option<std::path::PathBuf>,
) -> Result<Option<crate::report_md::Reference>> {
    let Some(path) = dir else {
        return Ok(None);
    };
    let runs = load_runs(&path.join("runs.jsonl"))?;
    Ok(Some(crate::report_md::Reference { path, runs }))
}
