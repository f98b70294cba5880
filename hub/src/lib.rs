//! The hub library.
