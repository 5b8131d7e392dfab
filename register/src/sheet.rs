//! CSV as the app writes and reads it: RFC 4180 through the `csv` crate, with every cell a
//! spreadsheet would run as a formula written as text. One writer for every export.

use std::borrow::Cow;

/// What a spreadsheet takes for the start of a formula (tab and carriage return included:
/// some programs strip them and read on).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The mark that makes a spreadsheet show a cell as text.
const TEXT_MARK: char = '\'';

/// A cell as read: the text mark `escaped` put before it taken off.
pub fn unescaped(cell: &str) -> &str {
    match cell.strip_prefix(TEXT_MARK) {
        Some(rest) if rest.starts_with(|c| FORMULA_STARTS.contains(&c) || c == TEXT_MARK) => rest,
        _ => cell,
    }
}

/// A cell as written: the text mark before one a spreadsheet would run as a formula, and
/// before one that reading would otherwise shorten, so that `unescaped` gives it back exactly.
pub fn escaped(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) || unescaped(cell) != cell {
        Cow::Owned(format!("{TEXT_MARK}{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A CSV table being written in memory.
pub struct Sheet {
    writer: csv::Writer<Vec<u8>>,
}

impl Sheet {
    pub fn new(header: &[&str]) -> Sheet {
        let mut sheet = Sheet {
            writer: csv::Writer::from_writer(Vec::new()),
        };
        sheet.row(header);
        sheet
    }

    /// Writes one row, each cell escaped.
    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.writer
            .write_record(cells.into_iter().map(|c| escaped(c.as_ref()).into_owned()))
            .expect("writing to memory");
    }

    pub fn finish(self) -> String {
        let bytes = self.writer.into_inner().expect("writing to memory");
        String::from_utf8(bytes).expect("written from text")
    }
}

/// The rows of a CSV text written by `Sheet`, each cell as it was before it was written.
pub fn rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .filter_map(Result::ok)
        .map(|row| row.iter().map(|cell| unescaped(cell).to_owned()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_formula_is_written_as_text_and_read_back_as_it_was() {
        let mut sheet = Sheet::new(&["justification", "note"]);
        sheet.row(["=HYPERLINK(\"http://evil\",\"Click\")", "plain"]);
        sheet.row(["+1", "@SUM(A1)"]);
        sheet.row(["-2", "\tTab"]);
        sheet.row(["'=already marked", "'quoted"]);
        let text = sheet.finish();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(
            rows,
            [
                ["'=HYPERLINK(\"http://evil\",\"Click\")", "plain"],
                ["'+1", "'@SUM(A1)"],
                ["'-2", "'\tTab"],
                ["''=already marked", "'quoted"],
            ]
        );
        assert!(
            rows.iter()
                .flatten()
                .all(|cell| !cell.starts_with(FORMULA_STARTS))
        );
        let read: Vec<Vec<&str>> = rows
            .iter()
            .map(|row| row.iter().map(|c| unescaped(c)).collect())
            .collect();
        assert_eq!(
            read,
            [
                ["=HYPERLINK(\"http://evil\",\"Click\")", "plain"],
                ["+1", "@SUM(A1)"],
                ["-2", "\tTab"],
                ["'=already marked", "'quoted"],
            ]
        );
    }

    #[test]
    fn rows_read_a_written_sheet_back_cell_for_cell() {
        let mut sheet = Sheet::new(&["Control", "Justification"]);
        sheet.row(["A.7.4", "=SUM(1), \"quoted\"\nacross lines"]);
        assert_eq!(
            rows(&sheet.finish()),
            [
                ["Control", "Justification"],
                ["A.7.4", "=SUM(1), \"quoted\"\nacross lines"]
            ]
        );
    }

    proptest! {
        #[test]
        fn every_cell_reads_back_exactly_and_none_starts_a_formula(cell in "['=+@\\t\\r-]{0,3}.{0,8}") {
            let written = escaped(&cell);
            prop_assert!(!written.starts_with(FORMULA_STARTS));
            prop_assert_eq!(unescaped(&written), cell.as_str());
        }
    }
}
