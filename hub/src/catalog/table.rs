//! Reading one CSV table of a catalog folder: encoding, header, rows, and
//! cell access that records a diagnostic with file, line and column.

use super::diagnostics::{Diagnostics, Severity};
use std::collections::HashMap;
use std::path::Path;

/// A column a table may have.
pub struct Column {
    pub name: &'static str,
    pub required: bool,
}

pub const fn req(name: &'static str) -> Column {
    Column { name, required: true }
}
pub const fn opt(name: &'static str) -> Column {
    Column { name, required: false }
}

/// A CSV file read and checked for encoding and header.
pub struct Table {
    pub file: String,
    header: HashMap<String, usize>,
    rows: Vec<(u64, csv::StringRecord)>,
}

/// Read `dir/file`. Missing optional files give an empty table; encoding
/// and header problems are reported and give `None`; a row that cannot be
/// read or has the wrong number of cells is reported and left out, and the
/// others are returned for their own checks.
pub fn read(
    dir: &Path,
    file: &str,
    columns: &[Column],
    must_exist: bool,
    diags: &mut Diagnostics,
) -> Option<Table> {
    let path = dir.join(file);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => {
            return Some(Table { file: file.to_owned(), header: HashMap::new(), rows: Vec::new() });
        }
        Err(e) => {
            diags.file_error(file, format!("cannot read {}: {e}", path.display()));
            return None;
        }
    };
    // Excel's "CSV UTF-8" starts with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let at = e.valid_up_to();
        let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count() as u64;
        let hint = if encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .is_some()
        {
            "it looks like GBK/GB18030 (Excel's plain \"CSV\" on Chinese Windows); save it again as \"CSV UTF-8 (逗号分隔)\""
        } else {
            "save it again as \"CSV UTF-8 (逗号分隔)\""
        };
        diags.push(Severity::Error, file, Some(line), None, format!("the file is not UTF-8: {hint}"));
        return None;
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(bytes);
    let mut records = reader.records();
    let header_rec = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            diags.push(Severity::Error, file, Some(1), None, format!("unreadable header: {e}"));
            return None;
        }
        None => {
            diags.file_error(file, "the file is empty; it needs at least a header row");
            return None;
        }
    };
    let mut header = HashMap::new();
    let mut ok = true;
    for (i, name) in header_rec.iter().enumerate() {
        let name = name.trim();
        if !columns.iter().any(|c| c.name == name) {
            let known: Vec<&str> = columns.iter().map(|c| c.name).collect();
            diags.push(
                Severity::Error,
                file,
                Some(1),
                Some((i + 1, name)),
                format!("unknown column {name:?}; columns are {}", known.join(", ")),
            );
            ok = false;
        } else if header.insert(name.to_owned(), i).is_some() {
            diags.push(
                Severity::Error,
                file,
                Some(1),
                Some((i + 1, name)),
                format!("column {name:?} appears twice"),
            );
            ok = false;
        }
    }
    for c in columns.iter().filter(|c| c.required) {
        if !header.contains_key(c.name) {
            diags.push(
                Severity::Error,
                file,
                Some(1),
                None,
                format!("required column {:?} is missing", c.name),
            );
            ok = false;
        }
    }
    let lines = LineIndex::new(bytes);
    let mut rows = Vec::new();
    for rec in records {
        match rec {
            Ok(r) => {
                let line = r.position().map(|p| lines.line_of(p.byte())).unwrap_or(0);
                if r.iter().all(|c| c.trim().is_empty()) {
                    continue; // blank lines Excel leaves at the end
                }
                if r.len() != header_rec.len() {
                    diags.push(
                        Severity::Error,
                        file,
                        Some(line),
                        None,
                        format!("row has {} cells, the header has {}", r.len(), header_rec.len()),
                    );
                    // The other rows are still checked: every finding at once.
                    continue;
                }
                rows.push((line, r));
            }
            Err(e) => {
                let line = e.position().map(|p| lines.line_of(p.byte()));
                diags.push(Severity::Error, file, line, None, format!("unreadable row: {e}"));
            }
        }
    }
    ok.then(|| Table { file: file.to_owned(), header, rows })
}

/// The text of the cell at `line` (1-based, as diagnostics give it) and
/// `column` (1-based) of `dir/file`, to show beside a finding; `None` when
/// the file cannot be read or has no such cell.
pub fn cell_at(dir: &Path, file: &str, line: u64, column: usize) -> Option<String> {
    let bytes = std::fs::read(dir.join(file)).ok()?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    std::str::from_utf8(bytes).ok()?;
    let lines = LineIndex::new(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(bytes);
    for rec in reader.records() {
        let Ok(rec) = rec else { continue };
        let at = rec.position().map(|p| lines.line_of(p.byte()))?;
        if at == line {
            return rec.get(column.checked_sub(1)?).map(str::to_owned);
        }
        if at > line {
            return None;
        }
    }
    None
}

/// Line numbers as an editor shows them, from byte offsets: the csv
/// reader's own line count lags by one after a CRLF (Excel on Windows), so
/// lines are counted here, the same for LF, CRLF, a mix, and quoted cells
/// that hold line breaks.
struct LineIndex<'a> {
    bytes: &'a [u8],
    /// Where each `\n` is.
    newlines: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(bytes: &'a [u8]) -> LineIndex<'a> {
        let newlines = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect();
        LineIndex { bytes, newlines }
    }

    /// The 1-based line of the first character at or after `offset` that is
    /// not a line break (a record's position may sit on the previous
    /// record's terminator).
    fn line_of(&self, offset: u64) -> u64 {
        let mut at = offset as usize;
        while self.bytes.get(at).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            at += 1;
        }
        1 + self.newlines.partition_point(|n| *n < at) as u64
    }
}

impl Table {
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |(line, rec)| Row { table: self, line: *line, rec })
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One row; its getters report problems into the diagnostics they are given.
pub struct Row<'a> {
    table: &'a Table,
    pub line: u64,
    rec: &'a csv::StringRecord,
}

impl<'a> Row<'a> {
    pub fn file(&self) -> &'a str {
        &self.table.file
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.table.header.get(name).copied()
    }

    /// The trimmed cell, or "" when the column is absent.
    pub fn raw(&self, name: &str) -> &'a str {
        self.col(name).and_then(|i| self.rec.get(i)).map(str::trim).unwrap_or("")
    }

    /// Report a problem with one cell.
    pub fn report(
        &self,
        diags: &mut Diagnostics,
        severity: Severity,
        name: &str,
        message: impl Into<String>,
    ) {
        let col = self.col(name).map(|i| (i + 1, name));
        diags.push(severity, &self.table.file, Some(self.line), col, message);
    }

    /// A required cell: empty is an error.
    pub fn required(&self, diags: &mut Diagnostics, name: &str) -> Option<&'a str> {
        let v = self.raw(name);
        if v.is_empty() {
            self.report(diags, Severity::Error, name, format!("{name} is required"));
            return None;
        }
        Some(v)
    }

    /// An optional cell: empty is `None`.
    pub fn optional(&self, name: &str) -> Option<&'a str> {
        Some(self.raw(name)).filter(|v| !v.is_empty())
    }

    /// A required cell parsed by `parse`.
    pub fn parse<T>(
        &self,
        diags: &mut Diagnostics,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = self.required(diags, name)?;
        parse(v).map_err(|m| self.report(diags, Severity::Error, name, m)).ok()
    }

    /// An optional cell parsed by `parse`; `Some(None)` when empty, `None` on error.
    pub fn parse_opt<T>(
        &self,
        diags: &mut Diagnostics,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Option<T>> {
        match self.optional(name) {
            None => Some(None),
            Some(v) => parse(v).map(Some).map_err(|m| self.report(diags, Severity::Error, name, m)).ok(),
        }
    }

    /// All non-empty cells with their column names, for the font check.
    pub fn cells(&self) -> Vec<(&'a str, &'a str)> {
        let mut v: Vec<(&str, &str)> = self
            .table
            .header
            .iter()
            .filter_map(|(n, i)| self.rec.get(*i).map(|c| (n.as_str(), c.trim())))
            .filter(|(_, c)| !c.is_empty())
            .collect();
        v.sort_by_key(|(n, _)| self.col(n));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines of the rows of `text` read as a table with columns a, b.
    fn lines(text: &str) -> Vec<u64> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.csv"), text).unwrap();
        let mut diags = Diagnostics::default();
        let t = read(dir.path(), "t.csv", &[req("a"), req("b")], true, &mut diags).expect("readable");
        t.rows().map(|r| r.line).collect()
    }

    #[test]
    fn rows_are_on_the_lines_an_editor_shows_whatever_the_line_endings() {
        assert_eq!(lines("a,b\n1,2\n3,4\n"), [2, 3]);
        assert_eq!(lines("a,b\r\n1,2\r\n3,4\r\n"), [2, 3], "Excel on Windows");
        assert_eq!(lines("a,b\r\n1,2\n3,4\r\n"), [2, 3], "a mix");
        assert_eq!(lines("a,b\r\n\"one\r\ntwo\",2\r\n3,4\r\n"), [2, 4], "a cell with a line break");
        assert_eq!(lines("\u{feff}a,b\r\n1,2\r\n\r\n5,6"), [2, 4], "a blank line between");
    }

    #[test]
    fn the_cell_a_finding_names_is_found_on_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.csv"), "\u{feff}a,b\r\n\"one\r\ntwo\",2\r\n3,x4\r\n").unwrap();
        assert_eq!(cell_at(dir.path(), "t.csv", 4, 2).as_deref(), Some("x4"));
        assert_eq!(cell_at(dir.path(), "t.csv", 2, 1).as_deref(), Some("one\r\ntwo"));
        assert_eq!(cell_at(dir.path(), "t.csv", 1, 2).as_deref(), Some("b"));
        assert_eq!(cell_at(dir.path(), "t.csv", 3, 1), None, "line 3 is inside a cell");
        assert_eq!(cell_at(dir.path(), "t.csv", 4, 3), None);
        assert_eq!(cell_at(dir.path(), "missing.csv", 1, 1), None);
    }
}
