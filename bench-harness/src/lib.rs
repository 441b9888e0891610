//! # bench-harness
//!
//! The library behind `labelbench`: from a strategy's name to a run of all its
//! players ([`strategies`], [`player`]), sweeps over a grid of configurations
//! ([`sweep`], with the time a sweep has left from [`eta`]), what a run can
//! do, checked before it starts ([`limits`]), the results files
//! ([`results`]), what a run prints ([`output`]), plots ([`plot`]) and the
//! report ([`report_md`]).
//! The binary (`src/main.rs`) is the command line over it; the criterion
//! benchmarks in `benches/` use it too. Nothing depends on this crate.
//!
//! **Presenting the results**, one job per module, each depending only on
//! those listed before it:
//!
//! - `format`: numbers and durations as people read them;
//! - `stats`: the arithmetic (medians, failure rates, fits);
//! - `select`: choosing the data: which runs, repetitions of which
//!   configuration, grouped into which series;
//! - `figures`: the seven figures (`FigureId`), each defined as data;
//! - `table`: the one table writer, for the terminal and for Markdown;
//! - [`plot`] draws the figures; [`report_md`] writes REPORT.md from the
//!   figures and its own tables. Neither depends on the other.
//!
//! **Architecture Invariant:** figures never depend on the report or on the
//! drawing: both read a figure, and a figure knows neither.

pub mod cli;
pub mod eta;
mod figures;
mod format;
pub mod keys;
pub mod limits;
pub mod meta;
pub mod netns;
pub mod output;
pub mod player;
pub mod players_file;
pub mod plot;
pub mod report_md;
pub mod results;
mod select;
mod stats;
pub mod strategies;
pub mod sweep;
mod table;

/// `criterion_main!` for the benchmarks in `benches/`: registers the bundled
/// font first (criterion draws its report's plots with plotters, which this
/// workspace builds without system fonts), then runs the groups.
#[macro_export]
macro_rules! criterion_main_with_font {
    ($($group:path),+ $(,)?) => {
        fn main() {
            $crate::plot::register_font();
            $($group();)+
            ::criterion::Criterion::default()
                .configure_from_args()
                .final_summary();
        }
    };
}
