//! The job on Windows: a Task Scheduler task definition (XML, the Task Scheduler schema:
//! <https://learn.microsoft.com/en-us/windows/win32/taskschd/task-scheduler-schema>) that
//! `schtasks /Create /XML` registers. It runs the job's program (the window program, which has
//! no console window: [`super::job::program_for`]) every day at midnight as the
//! user who registered it, only while that user is logged on (`InteractiveToken`, so the
//! notification reaches their desktop), with no more rights than theirs (`LeastPrivilege`),
//! and, when the computer was off at midnight, as soon as it can (`StartWhenAvailable`).
//!
//! The file is UTF-16 with a byte order mark, as Task Scheduler itself exports tasks and as
//! `schtasks` reads them.
//!
//! A task has no variables of its own, so [`Job::env`] is not in it: a settings folder chosen
//! with `BITBUCKET_SETUP_CONFIG_DIR` reaches the task only when it is set for the user
//! (Windows' own user variables), as the task inherits those.

use std::fmt::Write as _;

use super::job::Job;
use super::xml::escape;

/// The task definition for `job`, run as `user` ("DOMAIN\name", from the environment of the
/// process that registers it; without it the task is the registering user's anyway).
pub fn render(job: &Job, user: Option<&str>) -> String {
    let arguments = job.args.iter().map(|a| windows_arg(a)).collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n");
    out.push_str("<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\n");
    out.push_str("  <RegistrationInfo>\n    <Author>Bitbucket Setup Assistant</Author>\n");
    out.push_str("    <Description>Checks the saved Bitbucket connections every day and shows a notification when a token expires within 14 days or fails its check. bitbucket-setup reminders off removes this task.</Description>\n");
    out.push_str("  </RegistrationInfo>\n");
    out.push_str("  <Triggers>\n    <CalendarTrigger>\n      <StartBoundary>2025-01-01T00:00:00</StartBoundary>\n      <Enabled>true</Enabled>\n      <ScheduleByDay>\n        <DaysInterval>1</DaysInterval>\n      </ScheduleByDay>\n    </CalendarTrigger>\n  </Triggers>\n");
    out.push_str("  <Principals>\n    <Principal id=\"Author\">\n");
    if let Some(user) = user.map(str::trim).filter(|u| !u.is_empty()) {
        let _ = writeln!(out, "      <UserId>{}</UserId>", escape(user));
    }
    out.push_str("      <LogonType>InteractiveToken</LogonType>\n      <RunLevel>LeastPrivilege</RunLevel>\n    </Principal>\n  </Principals>\n");
    out.push_str("  <Settings>\n");
    out.push_str("    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\n");
    out.push_str("    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\n");
    out.push_str("    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>\n");
    out.push_str("    <StartWhenAvailable>true</StartWhenAvailable>\n");
    out.push_str("    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>\n");
    out.push_str("    <AllowStartOnDemand>true</AllowStartOnDemand>\n");
    out.push_str("    <AllowHardTerminate>true</AllowHardTerminate>\n");
    out.push_str("    <Enabled>true</Enabled>\n");
    out.push_str("    <Hidden>false</Hidden>\n");
    out.push_str("    <ExecutionTimeLimit>PT10M</ExecutionTimeLimit>\n");
    out.push_str("    <Priority>7</Priority>\n");
    out.push_str("  </Settings>\n");
    out.push_str("  <Actions Context=\"Author\">\n    <Exec>\n");
    // In quotes, as Task Scheduler writes a path it was given with spaces in it ("C:\Users\Ann
    // Lee\AppData\Local\Programs\Bitbucket Setup Assistant\bitbucket-setup.exe").
    let _ = writeln!(out, "      <Command>{}</Command>", escape(&format!("\"{}\"", job.program)));
    let _ = writeln!(out, "      <Arguments>{}</Arguments>", escape(&arguments));
    out.push_str("    </Exec>\n  </Actions>\n</Task>\n");
    out
}

/// `xml` as the file `schtasks /XML` reads: UTF-16, little-endian, with a byte order mark.
pub fn file_bytes(xml: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in xml.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

/// One argument of a Windows command line, quoted as programs built with Microsoft's C runtime
/// (and Rust's standard library) split them
/// (<https://learn.microsoft.com/en-us/cpp/c-language/parsing-c-command-line-arguments>):
/// in double quotes when it holds a space, a tab or a quote, with the backslashes before a
/// quote (and before the closing one) doubled.
fn windows_arg(arg: &str) -> String {
    if !arg.is_empty() && !arg.contains([' ', '\t', '"']) {
        return arg.to_string();
    }
    let mut out = String::from('"');
    let mut backslashes = 0;
    for ch in arg.chars() {
        match ch {
            '\\' => backslashes += 1,
            '"' => {
                out.push_str(&"\\".repeat(backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
                continue;
            }
            _ => {}
        }
        if ch != '\\' {
            out.push_str(&"\\".repeat(backslashes));
            backslashes = 0;
            out.push(ch);
        }
    }
    out.push_str(&"\\".repeat(backslashes * 2));
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const INSTALLED: &str = r"C:\Users\Ann Lee\AppData\Local\Programs\Bitbucket Setup Assistant\bitbucket-setup.exe";

    #[test]
    fn the_task_runs_the_program_daily_as_the_user_with_least_privilege() {
        let job = Job::new(Path::new(INSTALLED), None).unwrap();
        let xml = render(&job, Some(r"ACME\ann"));
        assert!(xml.contains(&format!("<Command>&quot;{INSTALLED}&quot;</Command>")), "{xml}");
        assert!(xml.contains("<Arguments>reminders run</Arguments>"), "{xml}");
        assert!(xml.contains("<UserId>ACME\\ann</UserId>"));
        assert!(
            xml.contains("<LogonType>InteractiveToken</LogonType>")
                && xml.contains("<RunLevel>LeastPrivilege</RunLevel>")
        );
        assert!(xml.contains("<ScheduleByDay>\n        <DaysInterval>1</DaysInterval>"));
        assert!(!render(&job, None).contains("<UserId>"), "no user: the registering user's");
    }

    #[test]
    fn the_file_is_utf16_with_a_byte_order_mark() {
        let bytes = file_bytes("<a>é</a>");
        assert_eq!(&bytes[..4], &[0xFF, 0xFE, b'<', 0]);
        assert_eq!(bytes.len(), 2 + 2 * 8);
    }

    #[test]
    fn arguments_are_quoted_as_windows_splits_them() {
        assert_eq!(windows_arg("run"), "run");
        assert_eq!(windows_arg("a b"), "\"a b\"");
        assert_eq!(windows_arg(r"C:\My Dir\"), r#""C:\My Dir\\""#);
        assert_eq!(windows_arg(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(windows_arg(""), "\"\"");
    }
}
