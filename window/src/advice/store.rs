//! The window's next steps: store.
