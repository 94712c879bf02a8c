//! The storage error both IndexedDB databases (the field app's and the department page's) report,
//! with the browser's error name kept so the UI can explain it (a full disk reads differently
//! from a blocked database).

use std::fmt;

/// A storage failure, with the browser's error name kept so the UI can explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    pub name: String,
    pub message: String,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl StoreError {
    pub(crate) fn new(name: &str, message: impl fmt::Display) -> Self {
        StoreError { name: name.to_owned(), message: message.to_string() }
    }

    /// The browser refused the write for lack of space.
    pub fn is_quota(&self) -> bool {
        self.name == "QuotaExceededError" || self.message.contains("QuotaExceeded")
    }
}

impl From<indexed_db_futures::error::Error> for StoreError {
    fn from(err: indexed_db_futures::error::Error) -> Self {
        let text = err.to_string();
        let name = if text.contains("QuotaExceeded") { "QuotaExceededError" } else { "IndexedDBError" };
        StoreError::new(name, text)
    }
}

impl From<indexed_db_futures::error::OpenDbError> for StoreError {
    fn from(err: indexed_db_futures::error::OpenDbError) -> Self {
        StoreError::new("OpenError", err)
    }
}
