//! The validation engine: read-only probes sent concurrently, their headers and bodies folded
//! into one [`Report`] with exactly one primary [`Problem`] when something is wrong.
//!
//! The flow is: [`plan`] checks the inputs without the network (and catches problems that
//! need no request, such as a retired app password), then [`run`] sends at most
//! [`MAX_PROBES`] GETs at once and the judge reads the answers. One file each:
//!
//! * `report.rs`: the [`Report`], its [`Problem`] and what support sees of it;
//! * `plan.rs`: the inputs checked, and which probes to send;
//! * `run.rs`: sending them, on one client;
//! * `judge.rs`: from the answers to a verdict, a pure function (one rule per verdict,
//!   tested on answers made by hand in `tests.rs`).

mod judge;
mod plan;
mod report;
mod run;
#[cfg(test)]
mod tests;

pub use judge::PLATFORM_SCOPES;
pub use plan::{plan, CheckRequest, InputError, Plan, Role, MAX_PROBES};
pub use report::{CheckDetails, Fix, ProbeSummary, Problem, Report, ScopeLabel};
pub use run::{run, run_with, validate};

/// Server text made safe to show anywhere (see [`crate::safe_text::visible`]), at most `max`
/// characters.
fn outside_text(text: &str, max: usize) -> String {
    crate::safe_text::visible_clip(text, max)
}
