//! One error type for every way a configuration file can be wrong.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based line of the offending text, when known.
    pub line: Option<usize>,
    /// Dotted path of the field (`display.inactivity_s`), when known.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl ConfigError {
    pub fn field(
        file: &std::path::Path,
        line: Option<usize>,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        ConfigError { file: file.to_owned(), line, field: Some(field.to_owned()), message: message.into() }
    }
}
