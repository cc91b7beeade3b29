//! The window's next steps: check. The validation's next step says what to do in neutral words;
//! when it points to one of the check's inputs ([`Fix`]), the wizard adds where that input is
//! found in it.

use crate::bitbucket::validate::{Fix, Report};

/// Where the wizard lists the boxes to tick (the create step, with Bitbucket's words for each).
pub const BOXES_IN_STEP_2: &str = "Step 2 lists the same boxes.";

/// Where the wizard takes the API address (the paste step's Advanced section).
pub const API_ADDRESS_IN_STEP_3: &str = "The API address is under Advanced in step 3.";

/// Where in the wizard the input `fix` points to is found.
pub fn in_wizard(fix: Fix) -> &'static str {
    match fix {
        Fix::RequiredScopes => BOXES_IN_STEP_2,
        Fix::ApiAddress => API_ADDRESS_IN_STEP_3,
    }
}

/// The report of a check made in the wizard, its next step pointing to the wizard's own step
/// where it names one of the check's inputs. (A check of a saved connection is not in the
/// wizard: its report is shown as it comes.)
pub fn for_wizard(mut report: Report) -> Report {
    if let Some(fix) = report.fix {
        if !report.next_step.is_empty() {
            report.next_step = format!("{} {}", report.next_step, in_wizard(fix));
        }
    }
    report
}
