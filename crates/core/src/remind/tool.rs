//! Running the system's own tool for jobs (systemctl, launchctl, schtasks) and keeping what it
//! said, so a failure can be reported in its own words.

use std::process::{Command, Stdio};

use super::error::{clipped, RemindError};

/// What a tool did.
#[derive(Debug)]
pub struct Ran {
    /// The command as the user would type it, for messages ("systemctl --user daemon-reload").
    pub command: String,
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// What it said about a failure: its standard error, else its output, on one short line.
    pub fn said(&self) -> String {
        let text = if self.stderr.trim().is_empty() { &self.stdout } else { &self.stderr };
        clipped(text)
    }

    /// The failure as an error; `undone`: whether what had been written was taken back.
    pub fn failed(&self, undone: bool) -> RemindError {
        RemindError::ToolFailed { command: self.command.clone(), message: self.said(), undone }
    }
}

/// Runs `program` with `args` (no input; output kept). A program that cannot be started is
/// [`RemindError::ToolMissing`].
///
/// Its output goes to anonymous temporary files rather than pipes, and is read once it has
/// ended: a program the tool starts in passing (Wine starts its Task Scheduler service from the
/// first schtasks) may keep a pipe open long after the tool itself is done, and reading a pipe
/// to its end would wait for it.
pub fn run(program: &'static str, args: &[&str]) -> Result<Ran, RemindError> {
    let missing = |e: std::io::Error| RemindError::ToolMissing {
        tool: program,
        detail: clipped(&e.to_string()).trim_end_matches('.').to_string(),
    };
    let mut stdout = tempfile::tempfile().map_err(missing)?;
    let mut stderr = tempfile::tempfile().map_err(missing)?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(stdout.try_clone().map_err(missing)?))
        .stderr(Stdio::from(stderr.try_clone().map_err(missing)?));
    hide_console(&mut cmd);
    let status = cmd.spawn().and_then(|mut child| child.wait()).map_err(missing)?;
    // What a command line shows: a word with a space in quotes.
    let mut command = program.to_string();
    for a in args {
        command.push(' ');
        if a.contains(' ') {
            command.push_str(&format!("\"{a}\""));
        } else {
            command.push_str(a);
        }
    }
    Ok(Ran { command, ok: status.success(), stdout: read_back(&mut stdout), stderr: read_back(&mut stderr) })
}

/// What a program wrote into `file`, from its start (as text, whatever it was).
fn read_back(file: &mut std::fs::File) -> String {
    use std::io::{Read as _, Seek as _};
    let mut bytes = Vec::new();
    let _ = file.rewind().and_then(|()| file.take(1 << 20).read_to_end(&mut bytes));
    String::from_utf8_lossy(&bytes).into_owned()
}

/// On Windows, schtasks gets no console window of its own (the window program registers the
/// job too, and has no console to lend it).
#[cfg(windows)]
fn hide_console(cmd: &mut Command) {
    use std::os::windows::process::CommandExt;
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;
    cmd.creation_flags(CREATE_NO_WINDOW);
}

#[cfg(not(windows))]
fn hide_console(_cmd: &mut Command) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_told_in_the_tools_own_words() {
        let ran = run("sh", &["-c", "echo out; echo 'Failed to connect to bus: No medium found' >&2; exit 1"]).unwrap();
        assert!(!ran.ok);
        assert_eq!(ran.command, "sh -c \"echo out; echo 'Failed to connect to bus: No medium found' >&2; exit 1\"");
        assert_eq!(ran.stdout, "out\n");
        assert_eq!(ran.said(), "Failed to connect to bus: No medium found.");
        let quiet = run("sh", &["-c", "echo only out; exit 3"]).unwrap();
        assert_eq!(quiet.said(), "only out.");
    }

    #[test]
    fn a_tool_that_is_not_there_is_missing() {
        let err = run("bitbucket-setup-no-such-tool", &[]).unwrap_err();
        assert!(matches!(err, RemindError::ToolMissing { tool: "bitbucket-setup-no-such-tool", .. }), "{err:?}");
    }
}
