//! `list`, `test`, `remove` and `token`: the saved connections.

use std::io::Write;

use serde::Serialize;

use super::args::{ListArgs, RemoveArgs, TestArgs, TokenArgs};
use super::output::{self, say};
use super::{exit_code, open_store, report_set_aside, Exit, Failure};
use bitbucket_cloud::client::Timeouts;
use bitbucket_setup_core::manage;
use bitbucket_setup_core::store::connections::Connection;

/// A saved connection and how it stands today, for `list --json`.
#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    connection: Connection,
    status: &'static str,
    expiry: String,
}

pub fn list(args: ListArgs) -> Exit {
    let store = open_store()?;
    if report_set_aside(&store) {
        // Seen now: later commands stop repeating it.
        let _ = store.acknowledge_set_aside();
    }
    let loaded = store.list()?;
    let today = chrono::Local::now().date_naive();
    let listed: Vec<Listed> = loaded
        .connections
        .into_iter()
        .map(|c| {
            let described = manage::describe(&store, &c, today);
            Listed { connection: c, status: described.status, expiry: described.expiry }
        })
        .collect();
    if args.json {
        output::json(&listed);
        return Ok(exit_code::OK);
    }
    if listed.is_empty() {
        say!("No saved connections. `bitbucket-setup save` or the window adds one.");
        return Ok(exit_code::OK);
    }
    for l in &listed {
        let c = &l.connection;
        let place = c.repository.as_ref().map(|r| format!("{}/{r}", c.workspace)).unwrap_or_else(|| c.workspace.clone());
        let v = bitbucket_cloud::safe_text::visible;
        say!("{}  [{}]  {}  {}  {}  {}", v(&c.name), l.status, v(&place), c.kind.label(), bitbucket_setup_core::presets::get(c.preset).name, l.expiry);
    }
    Ok(exit_code::OK)
}

/// Checks one or every saved connection again; the status is the worst of them.
pub async fn test(args: TestArgs) -> Exit {
    let store = open_store()?;
    report_set_aside(&store);
    let targets = if args.all { store.list()?.connections } else { vec![manage::find(&store, args.name.as_deref().unwrap_or_default())?] };
    let mut worst = exit_code::OK;
    let mut results = Vec::new();
    for c in targets {
        match manage::retest(&store, &c, Timeouts::default()).await {
            Ok(report) => {
                worst = worst.max(exit_code::for_report(&report));
                if !args.json {
                    say!("{}:", c.name);
                    output::report(&report, false);
                }
                results.push(serde_json::json!({"name": c.name, "ok": report.ok, "report": report}));
            }
            Err(e) => {
                let failure = Failure::from(e);
                worst = worst.max(exit_code::for_failure(&failure));
                let said = output::sentence(&failure);
                if !args.json {
                    say!("{}:\n  ERROR: {said}", c.name);
                }
                results.push(serde_json::json!({"name": c.name, "ok": false, "error": said}));
            }
        }
    }
    if args.json {
        output::json(&results);
    }
    Ok(worst)
}

pub fn remove(args: RemoveArgs) -> Exit {
    let store = open_store()?;
    let targets = match &args.name {
        Some(name) if !args.all => vec![manage::find(&store, name)?],
        _ => store.list()?.connections,
    };
    if targets.is_empty() {
        say!("There are no saved connections to remove.");
    }
    for c in targets {
        let removed = store.remove(&c.id).map_err(|source| Failure::NotRemoved { name: c.name.clone(), source: Box::new(source) })?;
        if removed.keychain_entry_was_missing {
            say!("Removed \"{}\" (its keychain entry was already gone).", c.name);
        } else {
            say!("Removed \"{}\" and its keychain entry.", c.name);
        }
    }
    Ok(exit_code::OK)
}

/// Prints a saved token on standard output, for `BITBUCKET_TOKEN=$(bitbucket-setup token NAME)`.
pub fn token(args: TokenArgs) -> Exit {
    let store = open_store()?;
    // An export's reference (keychain:bitbucket-setup:NAME) names the connection too.
    let key = bitbucket_setup_core::export::parse_reference(&args.name).unwrap_or(&args.name);
    let c = manage::find(&store, key)?;
    let secret = store.secret(&c.id)?;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(secret.expose().as_bytes());
    let _ = out.write_all(b"\n");
    Ok(exit_code::OK)
}
