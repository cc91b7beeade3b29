//! `export`: the shared export flow ([`manage::prepare_export`]), then the command line's part:
//! where to write (a file, or standard output with `-o -`) and what to say.

use std::io::{IsTerminal, Write};

use super::args::ExportArgs;
use super::advice::export as advice;
use super::hints;
use super::output::{say, tell};
use super::{exit_code, open_store, report_set_aside, Exit, Failure};
use bitbucket_setup_core::export::{self, ExportOptions};
use bitbucket_setup_core::freshness::Validation;
use bitbucket_setup_core::manage::{self, ExportFlowError, ExportRequest, Recheck};
use bitbucket_setup_core::shell::Program;

fn list_formats() -> Exit {
    say!("Formats for `bitbucket-setup export NAME --format FORMAT`:\n");
    for f in export::formats() {
        say!("  {:<16} {} (.{})\n  {:<16} {}", f.id, f.label, f.extension, "", f.description);
    }
    say!("\nEvery format holds a keychain reference instead of the token unless you add --include-secret.");
    Ok(exit_code::OK)
}

/// Says how the re-check before the export went.
fn say_checked(checked: Option<&Result<bitbucket_cloud::validate::Report, manage::ManageError>>) {
    match checked {
        None => {}
        Some(Ok(report)) if report.ok => tell!("OK: {}", report.message),
        Some(Ok(report)) => tell!("The check did not pass: {}", report.message),
        Some(Err(e)) => tell!("Could not check it again: {e}"),
    }
}

/// Renders a saved connection, re-validating first when its last check failed or is older than
/// 24 hours, and writes it (0600 when it holds the token).
pub async fn export(args: ExportArgs) -> Exit {
    if args.list_formats {
        return list_formats();
    }
    let (Some(name), Some(format_raw)) = (args.name.as_deref(), args.format.as_deref()) else {
        return Err(Failure::input("Give the connection's name and --format."));
    };
    let format = export::from_slug(format_raw).ok_or_else(|| export::ExportError::unknown_format(format_raw))?;
    let info = export::info(format);
    let to_stdout = args.output.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if to_stdout && args.include_secret && std::io::stdout().is_terminal() {
        return Err(Failure::input("Not printing the token to the terminal. Give --output FILE, or send standard output to a file or a pipe."));
    }
    let store = open_store()?;
    report_set_aside(&store);
    let request = ExportRequest {
        format,
        include_secret: args.include_secret,
        options: ExportOptions { branch: args.branch.clone(), folder: args.folder.clone() },
        recheck: if args.no_check { Recheck::Never } else { Recheck::IfStale },
        allow_unvalidated: args.allow_unvalidated,
    };
    let before = |c: &bitbucket_setup_core::store::connections::Connection| {
        tell!("\"{}\" has no passing check from the last 24 hours: checking it again with Bitbucket…", c.name)
    };
    let prepared = match manage::prepare_export(&store, name, &request, before).await {
        Ok(p) => p,
        Err(e) => {
            if let ExportFlowError::Unvalidated { checked, .. } = &e {
                say_checked(checked.as_deref());
            }
            return Err(e.into());
        }
    };
    say_checked(prepared.checked.as_ref());
    if let Validation::Unvalidated { reason, .. } = &prepared.validation {
        tell!("WARNING: exporting an UNVALIDATED configuration. {reason} The file says so.");
    }
    let (c, rendered) = (&prepared.connection, &prepared.rendered);
    for w in rendered.warnings.iter().filter(|w| advice::shows_warning(w)) {
        tell!("warning: {w}");
    }
    if !rendered.about.is_empty() {
        // The file's readers allow nothing but the credential: what it would say, said here.
        tell!("About this {} (its readers allow nothing else in it, so it is said here):", info.label);
        for note in &rendered.about {
            tell!("  {}", advice::about_line(note));
        }
    }
    let reference = export::secret_reference(c);
    let program = Program::current();
    if to_stdout {
        let mut out = std::io::stdout().lock();
        out.write_all(rendered.contents.as_bytes()).and_then(|_| out.flush()).map_err(|_| Failure::Io("Could not write to standard output.".into()))?;
        if rendered.contains_secret {
            tell!("The output above contains the token in plain text: treat wherever you sent it as a secret.");
        } else {
            tell!("{}", hints::token_not_exported(&program, "output", &reference, &c.id));
        }
        return Ok(exit_code::OK);
    }
    let path = args.output.clone().unwrap_or_else(|| std::path::PathBuf::from(&rendered.file_name));
    let written = manage::write_export(&store, &prepared, &request, &path, args.force)?;
    let path = &written.path;
    say!("Wrote {} ({}) for \"{}\".", path.display(), info.label, c.name);
    if let Some(warning) = written.warning() {
        tell!("warning: {warning}");
    }
    if rendered.contains_secret {
        let private = if cfg!(unix) { " It was created readable only by you (mode 0600)." } else { "" };
        say!(
            "{} now contains the token in plain text: this file is a secret.{private} Keep it out of version control and shared folders, and delete it when it has served its purpose.",
            path.display()
        );
    } else {
        say!("{}", hints::token_not_exported(&program, "file", &reference, &c.id));
    }
    Ok(exit_code::OK)
}
