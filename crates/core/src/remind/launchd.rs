//! The job on macOS: a launchd agent of the user (`~/Library/LaunchAgents/<label>.plist`) that
//! runs the command line every day at midnight. launchd runs a calendar job that fell while
//! the Mac was asleep when it wakes, so a day is not lost (launchd.plist(5),
//! `StartCalendarInterval`: <https://keith.github.io/xcode-man-pages/launchd.plist.5.html>).
//!
//! Written by hand as an XML property list
//! (<https://developer.apple.com/library/archive/documentation/CoreFoundation/Conceptual/CFPropertyLists/Articles/XMLTags.html>):
//! each argument is a `<string>` of its own in `ProgramArguments`, so a path with spaces needs
//! no quoting, only XML's escapes.

use std::fmt::Write as _;

use super::job::{Job, LAUNCHD_LABEL};
use super::xml::escape;

/// The agent's file name in `~/Library/LaunchAgents`.
pub fn file_name() -> String {
    format!("{LAUNCHD_LABEL}.plist")
}

/// The property list for `job`.
pub fn render(job: &Job) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n",
    );
    out.push_str("<!-- Written by Bitbucket Setup Assistant (bitbucket-setup reminders on); bitbucket-setup reminders off removes it. -->\n");
    out.push_str("<plist version=\"1.0\">\n<dict>\n");
    let _ = writeln!(out, "\t<key>Label</key>\n\t<string>{}</string>", escape(LAUNCHD_LABEL));
    out.push_str("\t<key>ProgramArguments</key>\n\t<array>\n");
    for word in std::iter::once(&job.program).chain(&job.args) {
        let _ = writeln!(out, "\t\t<string>{}</string>", escape(word));
    }
    out.push_str("\t</array>\n");
    if !job.env.is_empty() {
        out.push_str("\t<key>EnvironmentVariables</key>\n\t<dict>\n");
        for (name, value) in &job.env {
            let _ = writeln!(out, "\t\t<key>{}</key>\n\t\t<string>{}</string>", escape(name), escape(value));
        }
        out.push_str("\t</dict>\n");
    }
    // Hour and Minute both: a key left out is a wildcard (Hour alone would run it every minute
    // of that hour).
    out.push_str("\t<key>StartCalendarInterval</key>\n\t<dict>\n\t\t<key>Hour</key>\n\t\t<integer>0</integer>\n\t\t<key>Minute</key>\n\t\t<integer>0</integer>\n\t</dict>\n");
    // A background job: launchd gives it less CPU and I/O than the user's own programs.
    out.push_str("\t<key>ProcessType</key>\n\t<string>Background</string>\n");
    out.push_str("</dict>\n</plist>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn each_argument_is_a_string_of_its_own_and_xml_is_escaped() {
        let job = Job::new(
            Path::new("/Applications/A & B <x>.app/Contents/MacOS/bitbucket-setup"),
            Some(Path::new("/Users/ann/conf")),
        )
        .unwrap();
        let plist = render(&job);
        assert!(plist.contains("<string>/Applications/A &amp; B &lt;x&gt;.app/Contents/MacOS/bitbucket-setup</string>\n\t\t<string>reminders</string>\n\t\t<string>run</string>"), "{plist}");
        assert!(
            plist.contains("<key>BITBUCKET_SETUP_CONFIG_DIR</key>\n\t\t<string>/Users/ann/conf</string>"),
            "{plist}"
        );
        assert!(plist.contains("<key>Label</key>\n\t<string>org.bitbucket-setup.reminders</string>"));
        assert_eq!(file_name(), "org.bitbucket-setup.reminders.plist");
    }
}
