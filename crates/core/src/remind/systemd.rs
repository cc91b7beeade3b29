//! The job on Linux: a systemd user service that runs the command line once, and a timer that
//! starts it every day. A pure renderer, so the files can be read and checked
//! (`systemd-analyze verify`) anywhere; registering them is [`super::register`]'s.
//!
//! The service's command line is written word by word in double quotes, as systemd.service(5)
//! reads them (<https://www.freedesktop.org/software/systemd/man/latest/systemd.service.html#Command%20lines>):
//! a backslash and a double quote are escaped with a backslash, `%` (a specifier,
//! <https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html#Specifiers>) is
//! written `%%`, and in an argument `$` (a variable) is written `$$`. The program's own path is
//! never a variable ("the first argument … may not be a variable"), and `Environment=` expands
//! none, so there `$` stays as it is.

use std::fmt::Write as _;

use super::job::{Job, SYSTEMD_UNIT};

/// The two unit files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Units {
    /// `bitbucket-setup-reminders.service`
    pub service: String,
    /// `bitbucket-setup-reminders.timer`
    pub timer: String,
}

/// The service's file name.
pub fn service_name() -> String {
    format!("{SYSTEMD_UNIT}.service")
}

/// The timer's file name: the unit that is enabled and started.
pub fn timer_name() -> String {
    format!("{SYSTEMD_UNIT}.timer")
}

/// The service and the timer for `job`.
pub fn render(job: &Job) -> Units {
    let mut exec = word(&job.program, false);
    for arg in &job.args {
        exec.push(' ');
        exec.push_str(&word(arg, true));
    }
    let mut service = String::new();
    service.push_str(HEADER);
    service.push_str("[Unit]\nDescription=Bitbucket Setup Assistant: check the saved Bitbucket connections and remind of expiring or failing tokens\n\n");
    service.push_str("[Service]\nType=oneshot\n");
    let _ = writeln!(service, "ExecStart={exec}");
    for (name, value) in &job.env {
        let _ = writeln!(service, "Environment={}", word(&format!("{name}={value}"), false));
    }
    // 1 is what the check ends with when something is due and the notification was shown: the
    // job did its work. Any other status (no notification service, say) marks the run failed.
    service.push_str("SuccessExitStatus=1\n");

    let mut timer = String::new();
    timer.push_str(HEADER);
    timer.push_str(
        "[Unit]\nDescription=Daily reminders of expiring or failing Bitbucket tokens (Bitbucket Setup Assistant)\n\n",
    );
    // Every day; a day missed while the computer was off is made up at the next start
    // (Persistent=), a little later than the start itself so the session is up.
    timer.push_str("[Timer]\nOnCalendar=daily\nPersistent=true\nRandomizedDelaySec=10min\n\n");
    timer.push_str("[Install]\nWantedBy=timers.target\n");
    Units { service, timer }
}

const HEADER: &str = "# Written by Bitbucket Setup Assistant (bitbucket-setup reminders on); bitbucket-setup reminders off removes it.\n";

/// One word of a command line or an `Environment=` assignment, in double quotes.
/// `expand_variables`: whether systemd would read `$NAME` in it (a command's arguments).
fn word(text: &str, expand_variables: bool) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' if expand_variables => out.push_str("$$"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn job(program: &str) -> Job {
        Job::new(Path::new(program), Some(Path::new("/home/ann/100% conf"))).unwrap()
    }

    #[test]
    fn the_service_runs_the_program_by_its_path_and_the_timer_daily() {
        let units = render(&job("/usr/bin/bitbucket-setup"));
        assert!(
            units.service.contains("\nExecStart=\"/usr/bin/bitbucket-setup\" \"reminders\" \"run\"\n"),
            "{}",
            units.service
        );
        assert!(units.service.contains("\nType=oneshot\n"));
        assert!(
            units.service.contains("\nEnvironment=\"BITBUCKET_SETUP_CONFIG_DIR=/home/ann/100%% conf\"\n"),
            "{}",
            units.service
        );
        assert!(units.timer.contains("\nOnCalendar=daily\nPersistent=true\n"), "{}", units.timer);
        assert!(units.timer.contains("\n[Install]\nWantedBy=timers.target\n"));
    }

    #[test]
    fn spaces_quotes_percent_signs_and_dollars_are_escaped() {
        assert_eq!(word("/opt/My Apps/100%/$HOME/a\"b\\c", true), "\"/opt/My Apps/100%%/$$HOME/a\\\"b\\\\c\"");
        assert_eq!(
            word("X=$HOME 5%", false),
            "\"X=$HOME 5%%\"",
            "Environment= and the program's path expand no variable"
        );
        let units = render(&job("/opt/$x/bitbucket-setup"));
        assert!(
            units.service.contains("\nExecStart=\"/opt/$x/bitbucket-setup\" \"reminders\" \"run\"\n"),
            "{}",
            units.service
        );
        assert_eq!(word("a\nb\u{7}", true), "\"a\\nb\\u0007\"");
    }

    #[test]
    fn the_names_are_the_units_files() {
        assert_eq!(service_name(), "bitbucket-setup-reminders.service");
        assert_eq!(timer_name(), "bitbucket-setup-reminders.timer");
    }
}
