//! The window's next steps, by error type, as gh's `printError` does: the layers below say what
//! went wrong, as facts; this is the one place where a fact becomes the window's own next step
//! (a button to press, a step to go back to), and where each error type becomes the IPC error,
//! [`UiError`](crate::commands::UiError), by one `From` impl. The command line has its own
//! (`cli/advice/`).

pub mod check;
pub mod export;
pub mod git;
pub mod input;
pub mod redeliver;
pub mod reminders;
pub mod send;
pub mod store;
