//! The window's next steps: check.
