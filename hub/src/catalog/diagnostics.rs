//! Findings of a catalog check, each pinned to file, row and column.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding. `line` is the 1-based line in the file (the header is line
/// 1), `column` the 1-based column, as a spreadsheet shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<(usize, String)>,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some((col, name)) = &self.column {
            write!(f, ":{col} ({name})")?;
        }
        write!(f, ": {level}: {}", self.message)
    }
}

/// Collects findings as a check goes on; nothing stops at the first error.
#[derive(Default, Debug)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(
        &mut self,
        severity: Severity,
        file: &str,
        line: Option<u64>,
        column: Option<(usize, &str)>,
        message: impl Into<String>,
    ) {
        self.items.push(Diagnostic {
            severity,
            file: file.to_owned(),
            line,
            column: column.map(|(c, n)| (c, n.to_owned())),
            message: message.into(),
        });
    }
    pub fn file_error(&mut self, file: &str, message: impl Into<String>) {
        self.push(Severity::Error, file, None, None, message);
    }
    pub fn errors(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Error).count()
    }
    pub fn warnings(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Warning).count()
    }
    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }
}
