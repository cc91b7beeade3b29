//! `replace NAME`: the shared replacement ([`manage::replace_token`]: the new token is checked
//! with Bitbucket and swapped in only when it passes), then the shared re-delivery
//! ([`refresh::after_replacement`]), worded by [`advice::redeliver`]. The token is read as `save`
//! reads it (`BITBUCKET_TOKEN`, a hidden prompt, or standard input), never from an argument.

use super::advice::redeliver as advice;
use super::args::ReplaceArgs;
use super::output::{self, say, tell};
use super::{exit_code, open_store, report_set_aside, secret, Exit, Failure};
use bitbucket_cloud::client::Timeouts;
use bitbucket_setup_core::deliver::refresh;
use bitbucket_setup_core::manage;
use bitbucket_setup_core::shell::Program;

pub async fn replace(args: ReplaceArgs) -> Exit {
    let json = args.json;
    let today = chrono::Local::now().date_naive();
    let expires =
        args.expires.as_deref().map(|d| manage::parse_expiry(d, today)).transpose().map_err(Failure::invalid)?;
    let email = bitbucket_cloud::safe_text::non_blank(args.email.as_deref()).map(str::to_string);
    let store = open_store()?;
    report_set_aside(&store);
    let c = manage::find(&store, &args.name)?;
    let shown = bitbucket_cloud::safe_text::visible(&c.name);
    let pasted = secret::read(&format!("Paste the new {} for \"{shown}\" (input is hidden): ", c.kind.label()))?;
    let report =
        manage::replace_token(&store, &c, pasted.secret, pasted.kind, email, expires, Timeouts::default()).await?;
    if !report.ok {
        if json {
            output::json(&serde_json::json!({"ok": false, "replaced": false, "report": report}));
        } else {
            output::report(&report, false);
            tell!("Not replaced: the new token did not pass the check, so \"{}\" keeps its old token, and nothing it was delivered to was changed.", c.name);
        }
        return Ok(exit_code::for_report(&report));
    }
    if !json {
        output::report(&report, false);
        say!("Replaced the token of \"{}\": the new one is in the {}.", c.name, store.secrets().backend_name());
    }
    // The token is replaced: nothing below changes the exit status.
    match refresh::after_replacement(&store, &c.id).await {
        Ok(summary) if json => {
            output::json(&serde_json::json!({"ok": true, "replaced": true, "report": report, "delivered": summary}))
        }
        Ok(summary) => {
            let worded = advice::word(&summary, &Program::current());
            say!("Where the app had delivered the token:");
            for line in &worded.delivered {
                say!("  - {line}");
            }
            if !worded.by_hand.is_empty() {
                say!("Still to paste by hand:");
                for line in &worded.by_hand {
                    say!("  - {line}");
                }
            }
        }
        Err(e) => {
            let why = format!("The token is replaced, but where it was delivered could not be read, so nothing was delivered again: {e}");
            if json {
                output::json(
                    &serde_json::json!({"ok": true, "replaced": true, "report": report, "delivered": null, "delivery_problem": why}),
                );
            } else {
                tell!("warning: {why}");
            }
        }
    }
    Ok(exit_code::OK)
}
