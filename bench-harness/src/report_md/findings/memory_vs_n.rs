//! Under the peak memory against n: each strategy's slope of log(peak
//! memory) against log(n), and its memory at the smallest and the largest n,
//! which say whether memory grows with the length of a run.

use crate::figures::Figure;
use crate::stats::fit_log_log;
use crate::table;

pub(super) fn write(out: &mut String, f: &Figure) {
    let mut rows = Vec::new();
    for s in &f.series {
        let pts: Vec<(f64, f64)> = s.points.iter().map(|p| (p.x, p.y.median)).collect();
        let fit = fit_log_log(&pts);
        let at = |p: Option<&crate::select::series::Point>| {
            p.map_or("–".into(), |p| {
                format!("{:.1} MiB at n = {}", p.y.median, p.x_name)
            })
        };
        rows.push(vec![
            s.name.clone(),
            fit.map_or("–".into(), |f| format!("{:.2}", f.slope)),
            at(s.points.first()),
            at(s.points.last()),
        ]);
    }
    out.push_str(
        "Slope of log10(median peak memory) against log10(n), least squares: 0 means memory that \
         does not grow with the run, 1 memory that grows with every multiplication.\n\n",
    );
    out.push_str(&table::markdown(
        &["strategy", "slope", "smallest n", "largest n"],
        &rows,
    ));
}
