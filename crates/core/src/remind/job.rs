//! What the daily job runs, and the names it is registered under on each system. The renderers
//! ([`super::systemd`], [`super::launchd`], [`super::task_xml`]) turn a [`Job`] into each
//! system's file, so they can be read and checked on any system.

use std::path::{Path, PathBuf};

use super::error::RemindError;
use crate::platform::Os;
use crate::store::connections::CONFIG_DIR_ENV;

/// The systemd units' name, without `.service` / `.timer`.
pub const SYSTEMD_UNIT: &str = "bitbucket-setup-reminders";
/// The launchd agent's label (and its file's name, with `.plist`), under the app's identifier
/// (window/tauri.conf.json: org.bitbucket-setup.assistant).
pub const LAUNCHD_LABEL: &str = "org.bitbucket-setup.reminders";
/// The Task Scheduler task's name, as the user sees it in Task Scheduler.
pub const TASK_NAME: &str = "Bitbucket Setup Assistant reminders";
/// The subcommand the job runs (`reminders run` in cli/args.rs, and the same two words at the
/// top of the window program's `main`): it checks the saved connections again and shows a
/// notification when one needs the user ([`super::run`]).
pub const RUN_ARGS: [&str; 2] = ["reminders", "run"];

/// The job: which program, with which arguments and variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The program, by its absolute path (a job has no PATH to look it up in): the command
    /// line, or on Windows the window program beside it ([`program_for`]).
    pub program: String,
    /// Its arguments ([`RUN_ARGS`]).
    pub args: Vec<String>,
    /// Variables the job is started with: the settings folder when this process uses another
    /// one than the default ([`CONFIG_DIR_ENV`]), so the job checks the same connections.
    pub env: Vec<(String, String)>,
}

impl Job {
    /// The job for the command line at `program`, with the settings folder `config_dir` when it
    /// is not the default. Both must be absolute and text.
    pub fn new(program: &Path, config_dir: Option<&Path>) -> Result<Job, RemindError> {
        let env = match config_dir {
            Some(dir) => vec![(CONFIG_DIR_ENV.to_string(), text_of(dir)?)],
            None => Vec::new(),
        };
        Ok(Job { program: text_of(program)?, args: RUN_ARGS.iter().map(|a| a.to_string()).collect(), env })
    }

    /// The job for this installation: the program [`program_for`] the command line beside (or
    /// as) this process ([`crate::exe::command_line`]), with this process's settings folder
    /// when [`CONFIG_DIR_ENV`] chooses one.
    pub fn for_this_program() -> Result<Job, RemindError> {
        let command_line = crate::exe::command_line().ok_or(RemindError::NoProgram)?;
        let program = program_for(&command_line, Os::current());
        let config_dir = std::env::var_os(CONFIG_DIR_ENV).filter(|v| !v.is_empty()).map(PathBuf::from);
        let config_dir = match config_dir {
            Some(dir) if dir.is_relative() => {
                Some(std::env::current_dir().map_err(|_| RemindError::NoFolder { what: "current folder" })?.join(dir))
            }
            other => other,
        };
        Job::new(&program, config_dir.as_deref())
    }
}

/// The program the job starts for the command line at `command_line`, on `os`.
///
/// On Windows, the window program installed beside it: the command line is a console program,
/// so Windows would open a console window for it at every run, once a day; the window program
/// has none (window/src/main.rs: `windows_subsystem = "windows"`) and runs `reminders run`
/// itself without opening a window. Without it beside (a command line copied alone), the
/// command line: a console flashes up, but the reminder still comes. Elsewhere the command
/// line: systemd and launchd start it with no terminal.
pub fn program_for(command_line: &Path, os: Os) -> PathBuf {
    match os {
        Os::Windows => {
            crate::exe::window_for(command_line).filter(|w| w.is_file()).unwrap_or_else(|| command_line.to_path_buf())
        }
        Os::Linux | Os::MacOs => command_line.to_path_buf(),
    }
}

/// `path` as text: a job's file is text, so a path that is not cannot be written into it. A
/// control character (a line break would end the file's line early) is refused too.
fn text_of(path: &Path) -> Result<String, RemindError> {
    let shown = || RemindError::NotText { path: crate::safe_text::visible(&path.to_string_lossy()) };
    let text = path.to_str().ok_or_else(shown)?;
    if text.chars().any(char::is_control) {
        return Err(shown());
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_job_runs_reminders_run_with_the_chosen_settings_folder() {
        let job = Job::new(Path::new("/opt/app/bitbucket-setup"), Some(Path::new("/srv/conf"))).unwrap();
        assert_eq!(job.program, "/opt/app/bitbucket-setup");
        assert_eq!(job.args, ["reminders", "run"]);
        assert_eq!(job.env, [(CONFIG_DIR_ENV.to_string(), "/srv/conf".to_string())]);
        assert!(Job::new(Path::new("/opt/app/bitbucket-setup"), None).unwrap().env.is_empty());
    }

    #[test]
    fn on_windows_the_job_starts_the_window_program_beside_the_command_line() {
        let dir = tempfile::tempdir().unwrap();
        let cli = dir.path().join(format!("bitbucket-setup{}", std::env::consts::EXE_SUFFIX));
        let window = crate::exe::window_for(&cli).unwrap();
        assert_eq!(program_for(&cli, Os::Windows), cli, "no window program beside it: the command line");
        std::fs::write(&window, b"").unwrap();
        assert_eq!(program_for(&cli, Os::Windows), window);
        assert_eq!(program_for(&cli, Os::Linux), cli);
        assert_eq!(program_for(&cli, Os::MacOs), cli);
    }

    #[test]
    fn a_path_with_a_line_break_is_refused_plainly() {
        let err = Job::new(Path::new("/opt/a\nb/bitbucket-setup"), None).unwrap_err();
        assert!(matches!(err, RemindError::NotText { .. }));
        assert!(err.to_string().contains("/opt/a\\nb/bitbucket-setup"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_text_is_refused_plainly() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"/opt/\xff/bitbucket-setup"));
        assert!(matches!(Job::new(path, None), Err(RemindError::NotText { .. })));
    }
}
