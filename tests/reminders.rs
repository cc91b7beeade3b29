//! Reminders outside the app: the daily job's files as each system's own tools read them, the
//! job registered with (and removed from) a real systemd user manager, and its notification
//! seen by a stand-in notification service on the test's D-Bus session.
//!
//! The user manager is one of the test's own: `systemd --user` with a runtime folder, config
//! folder and home of the test (tests/support/systemd.rs says how it starts in a container).

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};

use bitbucket_setup_core::platform::Os;
use bitbucket_setup_core::remind::{job, launchd, systemd, task_xml, Job};
use fake_bitbucket::{demo, TokenState};
use support::cli_session::{ok, text, CliSession};
use support::systemd::UserManager;

// ---------------------------------------------------------------------------------------------
// the stand-in notification service

/// One `Notify` call: (app name, summary, body).
type Shown = (String, String, String);

/// Owns `org.freedesktop.Notifications` on the session bus and records every `Notify` call, as
/// a desktop's notification server would receive it.
struct Recorder {
    shown: Arc<Mutex<Vec<Shown>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Recorder {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().unwrap();
        shown.push((app_name, summary, body));
        shown.len() as u32
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "body-markup".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("stand-in".into(), "bitbucket-setup tests".into(), "1".into(), "1.2".into())
    }

    fn close_notification(&self, _id: u32) {}
}

/// The stand-in, while it owns the name.
struct NotificationService {
    shown: Arc<Mutex<Vec<Shown>>>,
    _connection: zbus::blocking::Connection,
}

impl NotificationService {
    fn start() -> NotificationService {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let connection = zbus::blocking::connection::Builder::session()
            .and_then(|b| b.serve_at("/org/freedesktop/Notifications", Recorder { shown: shown.clone() }))
            .and_then(|b| b.name("org.freedesktop.Notifications"))
            .and_then(|b| b.build())
            .expect("own org.freedesktop.Notifications on the session bus");
        NotificationService { shown, _connection: connection }
    }

    fn shown(&self) -> Vec<Shown> {
        self.shown.lock().unwrap().clone()
    }
}

/// One test at a time owns the notification service's name (or needs it unowned).
fn bus_turn() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether this test runs on a D-Bus session of its own (scripts/test.sh, tools/in-session.sh).
fn session_bus() -> bool {
    !support::require(
        "a D-Bus session bus (DBUS_SESSION_BUS_ADDRESS; run the tests through scripts/test.sh)",
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
    )
}

// ---------------------------------------------------------------------------------------------
// helpers

/// A folder under `target/` (so a hard link to the test's program can be made in it) whose
/// name holds a space, a percent sign and a dollar sign: what the job's files must quote.
fn awkward_folder(parent: &Path) -> PathBuf {
    let dir = parent.join("My Apps 100% $HOME");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The command line, linked (or else copied) into `dir`: run from there, it names itself by
/// that path.
fn program_in(dir: &Path) -> PathBuf {
    let to = dir.join("bitbucket-setup");
    if std::fs::hard_link(support::app_binary(), &to).is_err() {
        std::fs::copy(support::app_binary(), &to).unwrap();
    }
    to
}

/// A folder of this test's own under `target/`.
fn scratch() -> tempfile::TempDir {
    let base = support::app_binary().parent().unwrap().join("reminders-tests");
    std::fs::create_dir_all(&base).unwrap();
    tempfile::tempdir_in(base).unwrap()
}

fn python(script: &str, args: &[&Path]) -> Output {
    Command::new("python3").arg("-c").arg(script).args(args).output().expect("run python3")
}

// ---------------------------------------------------------------------------------------------
// the files, as each system's tools read them

#[test]
fn the_linux_units_pass_systemd_analyze_verify() {
    if support::require("systemd-analyze (Debian package systemd)", support::on_path("systemd-analyze")) {
        return;
    }
    let dir = scratch();
    let folder = awkward_folder(dir.path());
    let program = program_in(&folder);
    let job = Job::new(&program, Some(&folder.join("conf"))).unwrap();
    let units = systemd::render(&job);
    let units_dir = dir.path().join("units");
    std::fs::create_dir_all(&units_dir).unwrap();
    let service = units_dir.join(systemd::service_name());
    let timer = units_dir.join(systemd::timer_name());
    std::fs::write(&service, &units.service).unwrap();
    std::fs::write(&timer, &units.timer).unwrap();
    let runtime = dir.path().join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    let verify = |user: bool, files: &[&Path]| {
        let mut cmd = Command::new("systemd-analyze");
        if user {
            cmd.arg("--user");
        }
        cmd.arg("verify").args(files).env("XDG_RUNTIME_DIR", &runtime).env("SYSTEMD_LOG_COLOR", "0");
        cmd.output().unwrap()
    };
    for user in [true, false] {
        let out = verify(user, &[&service, &timer]);
        assert!(
            out.status.success() && text(&out.stderr).trim().is_empty(),
            "verify (user: {user}):\n{}\n{}\n--- service:\n{}",
            text(&out.stdout),
            text(&out.stderr),
            units.service
        );
    }
    // verify looks for the program itself: without its quotes, the path ends at its first
    // space, and verify finds no such program.
    let broken = units.service.replace('"', "");
    std::fs::write(&service, broken).unwrap();
    let out = verify(true, &[&service]);
    assert!(!out.status.success(), "verify took a mangled path:\n{}", text(&out.stderr));
}

#[test]
fn the_launchd_plist_is_read_back_by_plistlib() {
    if support::require("python3", support::on_path("python3")) {
        return;
    }
    let program = Path::new("/Applications/Bitbucket Setup Assistant & Co <x>.app/Contents/MacOS/bitbucket-setup");
    let job = Job::new(program, Some(Path::new("/Users/ann/Library/Application Support/100% conf"))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(launchd::file_name());
    std::fs::write(&file, launchd::render(&job)).unwrap();
    let out = ok(
        python("import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))", &[&file]),
        "plistlib",
    );
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        read,
        serde_json::json!({
            "Label": "org.bitbucket-setup.reminders",
            "ProgramArguments": [program.to_str().unwrap(), "reminders", "run"],
            "EnvironmentVariables": {"BITBUCKET_SETUP_CONFIG_DIR": "/Users/ann/Library/Application Support/100% conf"},
            "StartCalendarInterval": {"Hour": 0, "Minute": 0},
            "ProcessType": "Background",
        })
    );
}

#[test]
fn the_task_definition_is_utf16_xml_in_the_task_scheduler_schema() {
    if support::require("python3", support::on_path("python3")) {
        return;
    }
    // The task starts the window program, which has no console window (job::program_for).
    let program = r"C:\Users\Ann & Bob\AppData\Local\Programs\Bitbucket Setup Assistant\bitbucket-setup-window.exe";
    let job = Job::new(Path::new(program), None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("task.xml");
    std::fs::write(&file, task_xml::file_bytes(&task_xml::render(&job, Some(r"ACME\ann")))).unwrap();
    let script = r#"
import json, sys, xml.etree.ElementTree as ET
data = open(sys.argv[1], 'rb').read()
assert data[:2] == b'\xff\xfe', data[:2]
root = ET.fromstring(data.decode('utf-16'))
ns = {'t': 'http://schemas.microsoft.com/windows/2004/02/mit/task'}
get = lambda path: root.find(path, ns).text
print(json.dumps({
    'tag': root.tag, 'version': root.get('version'),
    'command': get('t:Actions/t:Exec/t:Command'), 'arguments': get('t:Actions/t:Exec/t:Arguments'),
    'days': get('t:Triggers/t:CalendarTrigger/t:ScheduleByDay/t:DaysInterval'),
    'start': get('t:Triggers/t:CalendarTrigger/t:StartBoundary'),
    'user': get('t:Principals/t:Principal/t:UserId'), 'logon': get('t:Principals/t:Principal/t:LogonType'),
    'level': get('t:Principals/t:Principal/t:RunLevel'), 'when_available': get('t:Settings/t:StartWhenAvailable'),
}))
"#;
    let out = ok(python(script, &[&file]), "the XML reader");
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        read,
        serde_json::json!({
            "tag": "{http://schemas.microsoft.com/windows/2004/02/mit/task}Task", "version": "1.2",
            "command": format!("\"{program}\""), "arguments": "reminders run",
            "days": "1", "start": "2025-01-01T00:00:00",
            "user": "ACME\\ann", "logon": "InteractiveToken", "level": "LeastPrivilege", "when_available": "true",
        })
    );
}

// ---------------------------------------------------------------------------------------------
// the notification

/// A command-line session whose turn on the session bus has come (one test at a time owns the
/// notification service's name): None (the test returns) when the session bus or the keychain
/// is missing outside CI.
fn session_on_the_bus() -> Option<(CliSession, MutexGuard<'static, ()>)> {
    if !session_bus() {
        return None;
    }
    let session = CliSession::start()?;
    Some((session, bus_turn()))
}

/// Saves `name`: a repository token of acme/`repo` for SQAI, expiring in `days` days (None: no
/// expiry date).
fn save_sqai(session: &CliSession, name: &str, repo: &str, token: &str, days: Option<i64>) {
    let expires = days.map(support::app::in_days);
    let extra: Vec<&str> = expires.iter().flat_map(|d| ["--expires", d.as_str()]).collect();
    session.save(name, "repository-token", &format!("https://bitbucket.org/acme/{repo}"), "sqai", token, &extra);
}

/// `reminders run` in `session`, with nothing more than a session would give it.
fn reminders_run(session: &CliSession) -> Output {
    session.run(&["reminders", "run"], "")
}

#[test]
fn the_notification_names_the_connection_and_its_days_left() {
    let Some((session, _turn)) = session_on_the_bus() else { return };
    let service = NotificationService::start();
    save_sqai(&session, "Website CI", "website", demo::SQAI_READY, Some(5));
    save_sqai(&session, "Docs", "website", demo::SQAI_READY, Some(90));
    let out = reminders_run(&session);
    assert_eq!(out.status.code(), Some(1), "something is due:\n{}\n{}", text(&out.stdout), text(&out.stderr));
    let shown = service.shown();
    assert_eq!(shown.len(), 1, "one notification: {shown:?}");
    let (app, summary, body) = &shown[0];
    assert_eq!(app, "Bitbucket Setup Assistant");
    assert_eq!(summary, "Bitbucket token \"Website CI\" expires in 5 days");
    assert!(
        body.contains("\"Website CI\": its token expires in 5 days, on ") && body.contains("replace the old one"),
        "{body}"
    );
    assert!(!body.contains("Docs"), "a connection that is fine is not named: {body}");
    assert!(
        text(&out.stdout).contains("\"Website CI\": its token expires in 5 days"),
        "the job's output says it too:\n{}",
        text(&out.stdout)
    );
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
}

#[test]
fn several_connections_due_make_one_notification() {
    let Some((session, _turn)) = session_on_the_bus() else { return };
    let service = NotificationService::start();
    save_sqai(&session, "Soon", "mobile-app", demo::MOBILE_WRITE, Some(1));
    save_sqai(&session, "Refused", "website", demo::SQAI_READY, None);
    // The token of "Refused" is revoked at Bitbucket: its re-test fails.
    assert!(session.fake.set_token_state(demo::SQAI_READY, TokenState::Revoked));
    let out = reminders_run(&session);
    assert_eq!(out.status.code(), Some(1), "{}\n{}", text(&out.stdout), text(&out.stderr));
    let shown = service.shown();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].1, "2 Bitbucket connections need attention");
    assert!(
        shown[0].2.contains("\"Refused\": its check with Bitbucket failed") && shown[0].2.contains("\"Soon\""),
        "{}",
        shown[0].2
    );
}

#[test]
fn all_well_shows_nothing_at_all() {
    let Some((session, _turn)) = session_on_the_bus() else { return };
    let service = NotificationService::start();
    save_sqai(&session, "Fine", "website", demo::SQAI_READY, Some(15));
    save_sqai(&session, "Undated", "website", demo::SQAI_READY, None);
    let out = reminders_run(&session);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(service.shown(), vec![], "no notification when all is well");
    assert_eq!(text(&out.stdout), "", "nothing printed when not at a terminal and all is well");
    assert_eq!(text(&out.stderr), "");
    // The re-test was recorded, as `test` records it.
    let fine = session.connection("Fine").unwrap();
    assert_eq!(fine["last_check"]["ok"], true, "{fine}");
}

#[test]
fn without_a_notification_service_the_run_fails_plainly() {
    let Some((session, _turn)) = session_on_the_bus() else { return };
    save_sqai(&session, "Website CI", "website", demo::SQAI_READY, Some(3));
    let out = reminders_run(&session);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(69), "{}\n{err}", text(&out.stdout));
    assert!(err.starts_with("error: The notification could not be shown: "), "{err}");
    assert!(err.contains("org.freedesktop.Notifications"), "it says which service did not answer: {err}");
    assert!(err.contains("`bitbucket-setup list`"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(text(&out.stdout).contains("\"Website CI\": its token expires in 3 days"), "{}", text(&out.stdout));
}

// ---------------------------------------------------------------------------------------------
// registering with systemd

/// The command line at `program` with `args`, in `session`, pointed at `manager`.
fn cli_at(program: &Path, args: &[&str], session: &CliSession, manager: &UserManager) -> Output {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(session.work.path())
        .env("BITBUCKET_SETUP_CONFIG_DIR", session.config.path())
        .env_remove("BITBUCKET_TOKEN")
        .env_remove("BITBUCKET_API_URL")
        .stdin(Stdio::null());
    for (k, v) in manager.env() {
        cmd.env(k, v);
    }
    support::output_of_fresh_copy(&mut cmd)
}

#[test]
fn the_daily_job_is_registered_run_and_removed_with_a_user_manager() {
    if !support::systemd::user_manager_available() {
        return;
    }
    let Some(session) = CliSession::start() else { return };
    let dir = scratch();
    let manager = UserManager::start(dir.path());
    let program = program_in(&awkward_folder(dir.path()));

    let on = ok(cli_at(&program, &["reminders", "on"], &session, &manager), "reminders on");
    let said = text(&on.stdout);
    assert!(said.contains("Reminders are on: a systemd user timer (bitbucket-setup-reminders.timer)"), "{said}");
    let service_file = manager.units().join("bitbucket-setup-reminders.service");
    let unit = std::fs::read_to_string(&service_file).unwrap();
    assert!(unit.contains("My Apps 100%% $HOME/bitbucket-setup\" \"reminders\" \"run\""), "{unit}");
    assert_eq!(text(&manager.systemctl(&["is-enabled", "bitbucket-setup-reminders.timer"]).stdout).trim(), "enabled");
    assert_eq!(text(&manager.systemctl(&["is-active", "bitbucket-setup-reminders.timer"]).stdout).trim(), "active");
    let timers = text(&ok(manager.systemctl(&["list-timers", "--all", "--no-pager"]), "list-timers").stdout);
    assert!(
        timers.contains("bitbucket-setup-reminders.timer") && timers.contains("bitbucket-setup-reminders.service"),
        "{timers}"
    );
    // The manager read the command line as it was meant: the program's own path, then its two
    // arguments.
    let exec = text(&manager.systemctl(&["show", "bitbucket-setup-reminders.service", "--property=ExecStart"]).stdout);
    assert!(exec.contains(&format!("argv[]={} reminders run ;", program.display())), "{exec}");
    let status = text(&ok(cli_at(&program, &["reminders", "status"], &session, &manager), "reminders status").stdout);
    assert!(
        status.contains("Reminders are on (bitbucket-setup-reminders.timer)") && status.contains("Next run: "),
        "{status}"
    );
    // Turning them on again updates the job; nothing is doubled.
    ok(cli_at(&program, &["reminders", "on"], &session, &manager), "reminders on, again");

    // What the timer starts: the job, run by the manager, reaches the session's notification
    // service.
    save_sqai(&session, "Website CI", "website", demo::SQAI_READY, Some(5));
    // The job's own standard error, kept for a failure's message (no journal runs here): a
    // drop-in of the test's, beside the unit the app wrote.
    let job_err = dir.path().join("job-stderr.txt");
    let drop_in = manager.units().join("bitbucket-setup-reminders.service.d");
    std::fs::create_dir_all(&drop_in).unwrap();
    std::fs::write(drop_in.join("test.conf"), format!("[Service]\nStandardError=file:{}\n", job_err.display())).unwrap();
    ok(manager.systemctl(&["daemon-reload"]), "daemon-reload");
    {
        let _turn = bus_turn();
        let service = NotificationService::start();
        let started = manager.systemctl(&["start", "bitbucket-setup-reminders.service"]);
        let journal = text(&manager.systemctl(&["status", "--no-pager", "bitbucket-setup-reminders.service"]).stdout);
        let job_said = std::fs::read_to_string(&job_err).unwrap_or_default();
        assert!(
            started.status.success(),
            "the job failed:\n{}\n{journal}\nits standard error:\n{job_said}",
            text(&started.stderr)
        );
        let result = text(
            &manager.systemctl(&["show", "bitbucket-setup-reminders.service", "--property=ExecMainStatus"]).stdout,
        );
        assert_eq!(result.trim(), "ExecMainStatus=1", "something was due, and shown");
        let shown = service.shown();
        assert_eq!(shown.len(), 1, "{shown:?}\n{journal}");
        assert_eq!(shown[0].1, "Bitbucket token \"Website CI\" expires in 5 days");
    }

    let off = ok(cli_at(&program, &["reminders", "off"], &session, &manager), "reminders off");
    assert!(text(&off.stdout).contains("Reminders are off: the daily job is removed."), "{}", text(&off.stdout));
    assert!(!service_file.exists() && !manager.units().join("bitbucket-setup-reminders.timer").exists());
    assert!(!manager.units().join("timers.target.wants/bitbucket-setup-reminders.timer").exists());
    assert!(!manager.systemctl(&["is-enabled", "bitbucket-setup-reminders.timer"]).status.success());
    let timers = text(&manager.systemctl(&["list-timers", "--all", "--no-pager"]).stdout);
    assert!(!timers.contains("bitbucket-setup-reminders"), "{timers}");
    let status = text(&ok(cli_at(&program, &["reminders", "status"], &session, &manager), "reminders status").stdout);
    assert!(status.starts_with("Reminders are off."), "{status}");
    let again = ok(cli_at(&program, &["reminders", "off"], &session, &manager), "reminders off, again");
    assert!(text(&again.stdout).contains("already off"), "{}", text(&again.stdout));
}

#[test]
fn without_a_user_manager_reminders_on_says_so_and_writes_nothing() {
    if support::require("systemctl (Debian package systemd)", support::on_path("systemctl")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let runtime = dir.path().join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    let env = [
        ("XDG_CONFIG_HOME", config.to_str().unwrap()),
        ("XDG_RUNTIME_DIR", runtime.to_str().unwrap()),
        ("HOME", dir.path().to_str().unwrap()),
    ];
    let out = support::run_cli(&["reminders", "on"], "", &env, &dir.path().join("app"));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(69), "{}\n{err}", text(&out.stdout));
    assert!(err.starts_with("error: systemctl --user could not reach your user session's service manager, so no daily job can be registered here. Nothing was changed. (systemctl said: "), "{err}");
    assert!(err.contains("`bitbucket-setup test --all`"), "{err}");
    assert!(!config.exists(), "nothing was written: {:?}", support::files_under(dir.path()));
    let status = support::run_cli(&["reminders", "status"], "", &env, &dir.path().join("app"));
    assert_eq!(
        text(&status.stdout).lines().next(),
        Some("Reminders are off. `bitbucket-setup reminders on` turns them on."),
        "{}",
        text(&status.stderr)
    );
}

/// A `systemctl` stand-in on PATH that answers like a user manager but refuses `enable`, and
/// writes down what it was asked.
fn refusing_systemctl(dir: &Path) -> (PathBuf, PathBuf) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.join("systemctl.log");
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> '{}'\ncase \"$2\" in\n  enable) echo 'Failed to enable unit: Access denied' >&2; exit 1 ;;\n  is-enabled) exit 1 ;;\nesac\nexit 0\n",
        log.display()
    );
    let path = bin.join("systemctl");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    (bin, log)
}

#[test]
fn a_registration_refused_half_way_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (bin, log) = refusing_systemctl(dir.path());
    let config = dir.path().join("config");
    let units = config.join("systemd/user");
    std::fs::create_dir_all(&units).unwrap();
    // Something of the user's own in the folder stays as it is.
    std::fs::write(units.join("mine.service"), "[Service]\nExecStart=/bin/true\n").unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let env = [("XDG_CONFIG_HOME", config.to_str().unwrap()), ("PATH", path.as_str())];
    let out = support::run_cli(&["reminders", "on"], "", &env, &dir.path().join("app"));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(70), "{}\n{err}", text(&out.stdout));
    assert_eq!(err.trim_end(), "error: systemctl --user enable --now bitbucket-setup-reminders.timer failed: Failed to enable unit: Access denied. Nothing was changed.");
    let left: Vec<String> =
        std::fs::read_dir(&units).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, ["mine.service"], "the written units were taken back");
    let asked = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        asked.lines().collect::<Vec<_>>(),
        [
            "--user show --property=Version",
            "--user is-enabled --quiet bitbucket-setup-reminders.timer",
            "--user daemon-reload",
            "--user enable --now bitbucket-setup-reminders.timer",
            "--user disable bitbucket-setup-reminders.timer",
            "--user daemon-reload",
        ],
        "the link enable may have made is removed, and the manager reloaded without the units"
    );
}

#[test]
fn the_job_names_the_command_line_and_reminders_run() {
    // The renderers take the job as the command line builds it for itself.
    let job = Job::new(&support::app_binary(), None).unwrap();
    assert_eq!(job.args, job::RUN_ARGS);
    // systemd and launchd start the command line itself; Windows' task the window program
    // beside it (the window has no console, and runs the same two words: window/src/reminders.rs).
    let cli = support::app_binary();
    assert_eq!(job::program_for(&cli, Os::Linux), cli);
    assert_eq!(job::program_for(&cli, Os::MacOs), cli);
    assert_eq!(job::program_for(&cli, Os::Windows), support::window_binary());
    let help =
        text(&ok(support::run_cli(&["reminders", "run", "--help"], "", &[], Path::new("/nonexistent")), "help").stdout);
    assert!(help.contains("What the daily job runs"), "{help}");
}
