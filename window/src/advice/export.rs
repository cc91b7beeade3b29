//! The window's next steps: export.
