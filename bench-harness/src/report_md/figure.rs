//! A figure in the report: its title, the parameters it fixed, the plot (if
//! `labelbench plot` drew it), a table of the same points, its notes and then
//! its findings; or, for a figure the data cannot draw, why not.

use super::findings;
use crate::figures::{Figure, FigureId, Skipped};
use crate::format::num;
use crate::table;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Writes figure `id` of `figs`, linking its plot in `plots` from `base`.
pub(super) fn write(
    out: &mut String,
    figs: &[Result<Figure, Skipped>],
    id: FigureId,
    plots: &Path,
    base: &Path,
) {
    let Some(f) = figs.iter().find(|f| match f {
        Ok(f) => f.id == id,
        Err(s) => s.id == id,
    }) else {
        return;
    };
    match f {
        Err(s) => {
            let _ = writeln!(out, "### {}\n\nNot drawn: {}.\n", s.id.title(), s.reason);
        }
        Ok(f) => {
            let _ = writeln!(out, "### {}\n", f.title);
            let _ = writeln!(out, "Fixed: {}.\n", f.context);
            let png = id.file("png");
            if plots.join(&png).exists() {
                let _ = writeln!(
                    out,
                    "![{}]({}) ([SVG]({}))\n",
                    f.title,
                    relative(plots, base, &png),
                    relative(plots, base, &id.file("svg"))
                );
            } else {
                out.push_str("(The plot has not been drawn yet: run `labelbench plot`.)\n\n");
            }
            points_table(out, f);
            let notes: Vec<&String> = f.notes.iter().skip(1).collect();
            if !notes.is_empty() {
                let joined: Vec<String> = notes
                    .iter()
                    .map(|n| n.trim_end_matches('.').to_string())
                    .collect();
                let _ = writeln!(out, "Notes: {}.\n", joined.join("; "));
            }
            findings::write(out, f);
        }
    }
}

/// The path of `file` in `plots` as seen from the report's folder.
fn relative(plots: &Path, base: &Path, file: &str) -> String {
    let full: PathBuf = plots.join(file);
    let shown = full.strip_prefix(base).unwrap_or(&full);
    shown.to_string_lossy().replace('\\', "/")
}

/// Every point of the figure: median, min, max and repetitions.
fn points_table(out: &mut String, f: &Figure) {
    let quantities: BTreeSet<&str> = f.series.iter().map(|s| s.quantity.as_str()).collect();
    let with_q = quantities.len() > 1;
    let mut header = vec!["strategy", f.x_key.as_str()];
    if with_q {
        header.push("quantity");
    }
    let unit = format!("median ({})", f.y_key);
    header.extend([unit.as_str(), "min", "max", "reps"]);
    let mut rows = Vec::new();
    // Rows by strategy, then x; secondary quantities after the primary one.
    for s in &f.series {
        for p in &s.points {
            let mut row = vec![s.name.clone(), p.x_name.clone()];
            if with_q {
                row.push(s.quantity.clone());
            }
            row.extend([
                num(p.y.median),
                num(p.y.min),
                num(p.y.max),
                p.y.count.to_string(),
            ]);
            rows.push(row);
        }
    }
    out.push_str(&table::markdown(&header, &rows));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plots_are_embedded_relative_to_the_report() {
        assert_eq!(
            relative(Path::new("results/plots"), Path::new("results"), "a.png"),
            "plots/a.png"
        );
    }
}
