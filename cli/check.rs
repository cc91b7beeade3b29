//! `check` and `save`: check a credential with Bitbucket; `save` keeps it when the check passes.

use super::args::{CheckArgs, SaveArgs};
use super::output::{self, say, tell};
use super::{exit_code, name_is_free, open_store, report_set_aside, secret, Exit, Failure};
use bitbucket_cloud::validate::{self, CheckRequest, Report};
use bitbucket_setup_core::manage;

/// Reads the token and checks it, as the arguments say.
async fn run_check(args: &CheckArgs) -> Result<(CheckRequest, Report), Failure> {
    let plan = args.plan()?;
    let pasted = secret::read(&format!("Paste the {} (input is hidden): ", plan.kind.label()))?;
    let request = plan.request(pasted.secret.clone());
    let report = validate::validate(request.clone(), pasted.kind).await.map_err(Failure::invalid)?;
    Ok((request, report))
}

pub async fn check(args: CheckArgs) -> Exit {
    let (_, report) = run_check(&args).await?;
    output::report(&report, args.json);
    Ok(exit_code::for_report(&report))
}

pub async fn save(args: SaveArgs) -> Exit {
    let json = args.check.json;
    let today = chrono::Local::now().date_naive();
    let expires = args.expires.as_deref().map(|d| manage::parse_expiry(d, today)).transpose().map_err(Failure::invalid)?;
    bitbucket_setup_core::store::connections::validate_name(&args.name).map_err(Failure::invalid)?;
    let store = open_store()?;
    report_set_aside(&store);
    name_is_free(&store, &args.name, "Choose another name, or remove the old one first.")?;
    let (request, report) = run_check(&args.check).await?;
    if !report.ok {
        output::report(&report, json);
        if !json {
            tell!("Nothing was saved: the check did not pass.");
        }
        return Ok(exit_code::for_report(&report));
    }
    let options = manage::SaveOptions { name: args.name, description: args.description, expires };
    let saved = manage::save_validated(&store, &request, &report, &options)?;
    if json {
        output::json(&serde_json::json!({"ok": true, "saved": saved, "report": report}));
    } else {
        output::report(&report, false);
        say!("Saved \"{}\": the token is in the {} and the settings in {}.", saved.name, store.secrets().backend_name(), store.file().path().display());
    }
    Ok(exit_code::OK)
}
