//! # bench-harness
//!
//! The library behind `labelbench`: from a strategy's name to a run of all its
//! players ([`strategy`]), sweeps over a grid of configurations ([`sweep`],
//! with the time a sweep has left from [`eta`]), what a run can do, checked
//! before it starts ([`limits`]), the results files
//! ([`results`]), plots ([`plot`]) and the report ([`report_md`]).
//! The binary (`src/main.rs`) is the command line over it; the criterion
//! benchmarks in `benches/` use it too. Nothing depends on this crate.

pub mod cli;
pub mod eta;
pub mod keys;
pub mod limits;
pub mod meta;
pub mod output;
pub mod player;
pub mod players_file;
pub mod plot;
pub mod report_md;
pub mod results;
pub mod strategies;
pub mod sweep;

/// `criterion_main!` for the benchmarks in `benches/`: registers the bundled
/// font first (criterion draws its report's plots with plotters, which this
/// workspace builds without system fonts), then runs the groups.
#[macro_export]
macro_rules! criterion_main_with_font {
    ($($group:path),+ $(,)?) => {
        fn main() {
            $crate::plot::render::register_font();
            $($group();)+
            ::criterion::Criterion::default()
                .configure_from_args()
                .final_summary();
        }
    };
}
