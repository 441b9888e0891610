//! Under the wall time against n: a table of each strategy's slope of
//! log(wall time) against log(n), which says how far a fixed cost is
//! amortised.

use crate::figures::Figure;
use crate::stats::fit_log_log;
use crate::table;

pub(super) fn write(out: &mut String, f: &Figure) {
    let mut rows = Vec::new();
    for s in &f.series {
        let pts: Vec<(f64, f64)> = s.points.iter().map(|p| (p.x, p.y.median)).collect();
        let fit = fit_log_log(&pts);
        rows.push(vec![
            s.name.clone(),
            fit.map_or("–".into(), |f| format!("{:.2}", f.slope)),
            s.points.len().to_string(),
            match (s.points.first(), s.points.last()) {
                (Some(a), Some(b)) => format!("{} to {}", a.x_name, b.x_name),
                _ => "–".into(),
            },
        ]);
    }
    out.push_str(
        "Slope of log10(median wall time) against log10(n), least squares; a slope of 1 means time \
         linear in n, below 1 a fixed cost that larger runs amortise.\n\n",
    );
    out.push_str(&table::markdown(
        &["strategy", "slope", "points", "n"],
        &rows,
    ));
}
