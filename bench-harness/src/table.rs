//! The one table writer, over comfy-table: the comparison table that
//! `labelbench run` prints ([`plain`]) and REPORT.md's tables ([`markdown`]).
//! Both pad every column to its widest cell, counting characters as a
//! terminal shows them (the thin spaces, `×` and `µ` the numbers use are one
//! column wide each).

use comfy_table::{presets, CellAlignment, Table};

/// A Markdown (pipe) table of `rows` under `header`, followed by a blank
/// line. Cells may hold any text: a `|` is escaped and a line break becomes
/// a space, so a cell never breaks the table.
pub(crate) fn markdown(header: &[&str], rows: &[Vec<String>]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut t = Table::new();
    t.load_preset(presets::ASCII_MARKDOWN);
    t.set_header(header.iter().map(|h| cell(h)));
    for r in rows {
        t.add_row(r.iter().map(|c| cell(c)));
    }
    format!("{t}\n\n")
}

/// A table for the terminal, without borders: the first column (the row
/// names) to the left, the others to the right, two spaces apart, and no
/// trailing spaces. The first row is the header.
pub(crate) fn plain(rows: &[Vec<String>]) -> String {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING);
    for r in rows {
        t.add_row(r);
    }
    for (i, column) in t.column_iter_mut().enumerate() {
        if i == 0 {
            column.set_padding((0, 0));
        } else {
            column.set_padding((2, 0));
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = t.trim_fmt();
    out.push('\n');
    out
}

/// `text` with the padding of its tables' columns squeezed out (every run of
/// spaces in a `|` line made one), so that tests can look for a row.
#[cfg(test)]
pub(crate) fn squeezed(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with('|') {
            out.push_str(
                &line
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_pads_columns_and_escapes_cells() {
        let rows = vec![
            vec!["history (8 B)".to_string(), "1\u{2009}500".to_string()],
            vec!["a|b".to_string(), "two\nlines".to_string()],
        ];
        assert_eq!(
            markdown(&["strategy", "n"], &rows),
            "| strategy      | n         |\n\
             |---------------|-----------|\n\
             | history (8 B) | 1\u{2009}500     |\n\
             | a\\|b          | two lines |\n\n"
        );
        // A table without rows still has its header.
        assert_eq!(markdown(&["a", "b"], &[]), "| a | b |\n|---|---|\n\n");
    }

    #[test]
    fn plain_aligns_names_left_and_values_right() {
        let rows = vec![
            vec![String::new(), "naive".into(), "counter".into()],
            vec!["correct".into(), "1000 of 1000".into(), "5 of 5".into()],
            vec!["label bytes mean".into(), "2.00".into(), String::new()],
        ];
        assert_eq!(
            plain(&rows),
            "                         naive  counter\n\
             correct           1000 of 1000   5 of 5\n\
             label bytes mean          2.00\n"
        );
    }
}
