//! `labelbench plot`: the study's plots, drawn from `runs.jsonl` into
//! `plots/` as PNG and SVG with plotters (pure Rust: bitmap and SVG backends,
//! the bundled DejaVu Sans through `ab_glyph`, no system libraries).
//!
//! What each plot shows is defined in `crate::figures`; this module only
//! draws (`render`) and writes the files. A plot whose data is absent is
//! skipped with a note on stderr, and any file it left from an earlier run is
//! removed so that the report never embeds a stale picture.

mod render;

pub use render::register_font;

use crate::figures::{self, Figure};
use anyhow::{bail, Context, Result};
use shamir_runtime::RunReport;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// Draws every plot of `runs` into `dir` as PNG and SVG; returns the files written.
pub fn plot_all(runs: &[RunReport], dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let palette = render::Palette::new(runs.iter().map(|r| r.strategy.as_str()));
    let mut written = Vec::new();
    let mut failed = Vec::new();
    for fig in figures::all(runs) {
        match fig {
            Ok(f) => {
                for (ext, draw) in [
                    (
                        "png",
                        render::png as fn(&Figure, &render::Palette, &Path) -> Result<()>,
                    ),
                    ("svg", render::svg),
                ] {
                    let path = dir.join(f.id.file(ext));
                    // A bug in drawing one plot must not cost the others.
                    match catch_unwind(AssertUnwindSafe(|| draw(&f, &palette, &path))) {
                        Ok(Ok(())) => written.push(path),
                        Ok(Err(e)) => failed.push(format!("{}: {e:#}", path.display())),
                        Err(_) => failed
                            .push(format!("{}: the plotting library panicked", path.display())),
                    }
                }
            }
            Err(s) => {
                eprintln!(
                    "labelbench plot: skipped {} ({}): {}",
                    s.id.stem(),
                    s.id.title(),
                    s.reason
                );
                for ext in ["png", "svg"] {
                    let stale = dir.join(s.id.file(ext));
                    if stale.exists() {
                        std::fs::remove_file(&stale)
                            .with_context(|| format!("removing {}", stale.display()))?;
                    }
                }
            }
        }
    }
    if !failed.is_empty() {
        bail!("some plots could not be drawn:\n  {}", failed.join("\n  "));
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::FigureId;
    use crate::stats::tests::report;

    #[test]
    fn draws_png_and_svg_and_removes_stale_files() {
        let dir = std::env::temp_dir().join(format!("labelbench-plot-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A stale file of a plot the data cannot draw must go.
        let stale = dir.join(FigureId::LabelBytesVsDepth.file("png"));
        std::fs::write(&stale, b"old").unwrap();
        let mut runs = Vec::new();
        for (strategy, n, seed) in [
            ("counter", 100, 1),
            ("counter", 1000, 1),
            ("counter", 1000, 2),
            ("naive", 1000, 1),
        ] {
            let mut r = report(strategy, "independent");
            r.n = n;
            r.seed = seed;
            r.mul_per_s *= seed as f64;
            runs.push(r);
        }
        let files = plot_all(&runs, &dir).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.contains(&FigureId::ThroughputVsN.file("png")),
            "{names:?}"
        );
        assert!(
            names.contains(&FigureId::MemoryVsN.file("svg")),
            "{names:?}"
        );
        assert!(!stale.exists());
        let png = std::fs::read(dir.join(FigureId::ThroughputVsN.file("png"))).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let svg = std::fs::read_to_string(dir.join(FigureId::ThroughputVsN.file("svg"))).unwrap();
        assert!(svg.contains("counter") && svg.contains("<svg"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
