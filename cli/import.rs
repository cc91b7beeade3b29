//! `import`: read a file, ask for the token if it holds only a reference, check with
//! Bitbucket, and save only when the check passes.

use std::io::IsTerminal;

use super::advice::export as advice;
use super::args::{preset_arg, ImportArgs};
use super::output::{self, say, tell};
use super::{exit_code, name_is_free, open_store, report_set_aside, secret, Exit, Failure};
use bitbucket_cloud::client::{api_url_from_env, Timeouts};
use bitbucket_cloud::credential;
use bitbucket_cloud::validate;
use bitbucket_setup_core::import::{self as imp, ImportOverrides};
use bitbucket_setup_core::input;
use bitbucket_setup_core::manage;
use bitbucket_setup_core::shell::Program;

/// How long `import -` waits for standard input to end: a pipe whose writer never closes it
/// must not hang the command (a real export arrives in well under a second).
const IMPORT_STDIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

pub async fn import(args: ImportArgs) -> Exit {
    let json = args.json;
    // "-": the file comes on standard input, which then cannot carry the token as well.
    let file_on_stdin = args.file.as_os_str() == "-";
    let read = if file_on_stdin {
        if std::io::stdin().is_terminal() {
            return Err(Failure::input("Standard input is a terminal, not a file. Send the file into it (bitbucket-setup import - < export.json), or give the file's name."));
        }
        input::read_stdin_bounded(imp::MAX_FILE_BYTES, IMPORT_STDIN_TIMEOUT)
    } else {
        input::read_regular_file(&args.file, imp::MAX_FILE_BYTES)
    };
    let program = Program::current();
    let refused = |e: imp::ImportError| Failure::input(advice::import_sentence(&e, &program));
    let bytes = read.map_err(|e| match e {
        // The import's own wording: an export is a few kilobytes.
        input::InputError::TooLarge { .. } => refused(imp::ImportError::TooLarge),
        e => Failure::input(e.to_string()),
    })?;
    let draft = imp::parse(&bytes).map_err(refused)?;
    drop(bytes);
    for note in &draft.notes {
        tell!("note: {}", advice::import_note(note));
    }
    let today = chrono::Local::now().date_naive();
    let expires = args.expires.as_deref().map(|d| manage::parse_expiry(d, today)).transpose().map_err(Failure::invalid)?;
    let preset = args.preset.as_deref().map(preset_arg).transpose()?;
    let overrides = ImportOverrides {
        name: args.name.clone(),
        workspace: args.workspace.clone(),
        repository: args.repo.clone(),
        preset,
        expires,
        description: args.description.clone(),
    };
    let name = overrides.name.clone().or_else(|| draft.name.clone()).ok_or_else(|| refused(imp::ImportError::NoName))?;
    bitbucket_setup_core::store::connections::validate_name(&name).map_err(Failure::invalid)?;
    let store = open_store()?;
    report_set_aside(&store);
    name_is_free(&store, &name, "Give the imported one another name with --name NAME.")?;
    let api_url = args.api_url.clone().unwrap_or_else(api_url_from_env);
    let (token, pasted_kind) = match &draft.token {
        Some(token) => {
            tell!("The file holds the token itself; it is used, and goes to the keychain only if the check passes.");
            let kind = credential::classify(token.expose()).map(|p| p.kind).unwrap_or(credential::PastedKind::Unknown);
            (token.clone(), kind)
        }
        None => {
            let from = if file_on_stdin { "The token must come from BITBUCKET_TOKEN, since the file came on standard input." } else { "Enter the token (standard input or BITBUCKET_TOKEN)." };
            if let Some(r) = &draft.reference {
                // The reference names a connection by id; say its name when it is saved here.
                let named = store.find(r).ok().flatten().map(|c| format!("the connection \"{}\"", bitbucket_cloud::safe_text::visible(&c.name)));
                let what = named.unwrap_or_else(|| format!("a connection ({}) in another keychain", bitbucket_cloud::safe_text::visible(r)));
                tell!("The file holds a reference to {what}, not the token. {from}");
            } else {
                tell!("The file holds no token. {from}");
            }
            let pasted = if file_on_stdin {
                match secret::from_env() {
                    Some(raw) => secret::classify(&raw)?,
                    None => return Err(Failure::input(super::hints::import_needs_token_variable(&program))),
                }
            } else {
                secret::read(&format!("Paste the {} (input is hidden): ", draft.kind.label()))?
            };
            (pasted.secret, pasted.kind)
        }
    };
    let plan = imp::plan(&draft, &overrides, token, &api_url, Timeouts::default()).map_err(refused)?;
    for w in &plan.warnings {
        tell!("warning: {}", advice::import_warning(w));
    }
    let report = validate::validate(plan.request.clone(), pasted_kind).await.map_err(Failure::invalid)?;
    if !report.ok {
        output::report(&report, json);
        if !json {
            tell!("Nothing was imported: the check did not pass.");
        }
        return Ok(exit_code::for_report(&report));
    }
    let saved = manage::save_validated(&store, &plan.request, &report, &plan.save)?;
    if json {
        output::json(&serde_json::json!({"ok": true, "imported": saved, "source": draft.source, "report": report}));
    } else {
        output::report(&report, false);
        say!("Imported \"{}\": the token is in the {} and the settings in {}.", saved.name, store.secrets().backend_name(), store.file().path().display());
    }
    Ok(exit_code::OK)
}
