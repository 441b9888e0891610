//! Under the label bytes by coding: for each strategy and workload, the mean
//! label bytes per message plain and coded against the link, and their ratio.

use crate::figures::Figure;
use crate::format::num;
use crate::select::series::partner;
use std::fmt::Write as _;

pub(super) fn write(out: &mut String, f: &Figure) {
    let link: Vec<_> = f
        .series
        .iter()
        .filter(|s| s.quantity == "link")
        .cloned()
        .collect();
    for plain in f.series.iter().filter(|s| s.quantity == "plain") {
        let Some(coded) = partner(plain, &link) else {
            continue;
        };
        let parts: Vec<String> = plain
            .points
            .iter()
            .filter_map(|p| {
                let q = coded.points.iter().find(|q| q.x == p.x)?;
                let change = if q.y.median < p.y.median {
                    format!("{} of plain", crate::format::times(q.y.median / p.y.median))
                } else if q.y.median > p.y.median {
                    format!("{} B more than plain", num(q.y.median - p.y.median))
                } else {
                    "the same as plain".to_string()
                };
                Some(format!(
                    "{} B coded against the link on {} ({} B plain: {change})",
                    num(q.y.median),
                    p.x_name,
                    num(p.y.median)
                ))
            })
            .collect();
        if !parts.is_empty() {
            let _ = writeln!(out, "**{}**: {}.\n", plain.name, parts.join("; "));
        }
    }
}
