#![cfg(unix)]
//! The Windows build, run under Wine as a Windows user would run it (see tests/support/wine.rs):
//! the command line against the fake Bitbucket with the token in Wine's Credential Manager and
//! the settings in `%APPDATA%`, exports and imports, the git credential helper (with real git
//! and sh running the exact helper line `git setup` prints, for an installed path with spaces),
//! eight concurrent saves, the NSIS installer installed, started and uninstalled per user (its
//! reminder task removed with it), the window's message when WebView2 is missing, and the daily
//! reminder task registered, removed, and its program (the window program) run.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use fake_bitbucket::git_http::{make_bare_repository, GitServer};
use fake_bitbucket::{demo, FakeBitbucket};
use support::wine::{self, Wine};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The output with every demo secret hidden, for failure messages.
fn shown(out: &Output) -> String {
    let mut s =
        format!("status {:?}\n--- stdout\n{}\n--- stderr\n{}", out.status.code(), text(&out.stdout), text(&out.stderr));
    for t in [demo::SQAI_READY, demo::API_TOKEN_AUTOHEAL, demo::WORKSPACE_TOKEN] {
        s = s.replace(t, "<token>");
    }
    s
}

fn ok(out: Output, what: &str) -> Output {
    assert!(out.status.success(), "{what} failed under Wine:\n{}", shown(&out));
    out
}

/// `save NAME` of a repository token for acme/website, for `preset`.
fn save_args<'a>(name: &'a str, preset: &'a str) -> [&'a str; 9] {
    ["save", "--name", name, "--credential", "repository-token", "--workspace", "acme/website", "--preset", preset]
}

fn fake() -> FakeBitbucket {
    let fake = FakeBitbucket::start_in_background().expect("start the fake Bitbucket");
    fake.seed_demo();
    fake
}

/// The saved connections as `list --json` shows them.
fn listed(w: &Wine, api: &str) -> Vec<serde_json::Value> {
    let out = ok(w.app(&["list", "--json"], "", &[("BITBUCKET_API_URL", api)]), "list --json");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("list --json: {e}\n{}", shown(&out)))
}

/// Files under the prefix's user folders (C:\users) that hold `secret`.
fn user_files_holding(w: &Wine, secret: &str) -> Vec<std::path::PathBuf> {
    support::files_containing(&w.prefix().join("drive_c/users"), secret)
}

/// The prefix's Credential Manager (Wine keeps it in the registry), as `reg query /s` lists it.
fn credential_manager(w: &Wine) -> String {
    let out = w.run("reg", &["query", r"HKCU\Software\Wine\Credential Manager", "/s"], "", &[]);
    text(&out.stdout)
}

/// A PowerShell single-quoted string's value: `'it''s'` is `it's`.
fn powershell_unquote(word: &str) -> String {
    let inner = word
        .strip_prefix('\'')
        .and_then(|w| w.strip_suffix('\''))
        .unwrap_or_else(|| panic!("not a single-quoted PowerShell string: {word}"));
    inner.replace("''", "'")
}

/// The helper value in `git setup --dry-run`'s `git config … --add KEY 'VALUE'` line.
fn helper_value_in(dry_run: &str) -> (String, String) {
    let helper_lines = || dry_run.lines().map(str::trim).filter(|l| l.starts_with("git config") && l.contains(".helper"));
    // First the empty value that resets git's helper list, written so that Windows PowerShell
    // 5.1 passes it on (it drops a '' argument).
    assert!(
        helper_lines().next().is_some_and(|l| l.ends_with(" --% \"\"")),
        "no reset line first, in PowerShell's words:\n{dry_run}"
    );
    let line = helper_lines()
        .find(|l| !l.ends_with(" --% \"\""))
        .unwrap_or_else(|| panic!("no helper line in:\n{dry_run}"));
    let rest = line.split_once(" --add ").unwrap_or_else(|| panic!("no --add in {line}")).1;
    let (key, value) = rest.split_once(' ').unwrap();
    (key.to_string(), powershell_unquote(value.trim()))
}

/// Every line the user is told to type is PowerShell's, never a POSIX shell's.
fn assert_no_posix_lines(said: &str) {
    for posix in ["$(", "BITBUCKET_TOKEN=$", "'\\''", "export BITBUCKET"] {
        assert!(!said.contains(posix), "a POSIX shell line ({posix:?}) told to a Windows user:\n{said}");
    }
}

#[test]
fn on_windows_the_command_line_works() {
    let Some(w) = Wine::start("cli") else { return };
    let fake = fake();
    let api = fake.base_url();
    let env = [("BITBUCKET_API_URL", api.as_str())];

    // check, read-only.
    let out = ok(
        w.app(
            &["check", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai", "--json"],
            demo::SQAI_READY,
            &env,
        ),
        "check",
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["default_branch"], "main", "{report}");
    let out = w.app(
        &["check", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai"],
        demo::REVOKED_TOKEN,
        &env,
    );
    assert_eq!(out.status.code(), Some(2), "a revoked token is rejected:\n{}", shown(&out));

    // save, list, test, token.
    ok(w.app(&save_args("Acme Web", "sqai"), demo::SQAI_READY, &env), "save");
    ok(
        w.app(
            &[
                "save",
                "--name",
                "Autoheal prod",
                "--credential",
                "api-token",
                "--email",
                demo::ADMIN_EMAIL,
                "--workspace",
                "acme",
                "--preset",
                "autoheal",
            ],
            demo::API_TOKEN_AUTOHEAL,
            &env,
        ),
        "save an API token",
    );
    let settings = w.appdata().join("bitbucket-setup-assistant/connections.json");
    assert!(settings.is_file(), "the settings are in %APPDATA%: {}", settings.display());
    let list = listed(&w, &api);
    let id = |name: &str| {
        list.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("{name} not listed: {list:?}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (web, autoheal) = (id("Acme Web"), id("Autoheal prod"));
    for c in &list {
        assert_eq!(c["status"], "valid", "{c}");
    }
    // The tokens are in Credential Manager, under the connections' ids.
    let creds = credential_manager(&w);
    assert!(creds.contains(&web) && creds.contains(&autoheal), "Credential Manager:\n{creds}");
    ok(w.app(&["test", "Acme Web"], "", &env), "test");
    assert_eq!(text(&ok(w.app(&["token", "Acme Web"], "", &env), "token").stdout).trim_end(), demo::SQAI_READY);

    // export every format, into Documents as a user would, with the token left in the keychain.
    let formats = [
        ("sqai", "Acme Web"),
        ("sqai-sheet", "Acme Web"),
        ("sqai-html", "Acme Web"),
        ("autoheal", "Autoheal prod"),
        ("autoheal-sheet", "Autoheal prod"),
        ("autoheal-html", "Autoheal prod"),
        ("katalon", "Autoheal prod"),
        ("katalon-sheet", "Autoheal prod"),
        ("katalon-html", "Autoheal prod"),
        ("cubyts", "Acme Web"),
        ("cubyts-sheet", "Acme Web"),
        ("cubyts-html", "Acme Web"),
        ("nirvai", "Acme Web"),
        ("nirvai-sheet", "Acme Web"),
        ("nirvai-html", "Acme Web"),
        ("n8n", "Autoheal prod"),
        ("env", "Acme Web"),
        ("json", "Acme Web"),
        ("yaml", "Acme Web"),
        ("git-credentials", "Acme Web"),
        ("netrc", "Acme Web"),
    ];
    for (format, name) in formats {
        let target = format!(r"C:\users\{}\Documents\export.{format}", w.user());
        let out = ok(w.app(&["export", name, "--format", format, "--no-check", "--output", &target], "", &env), format);
        let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert_no_posix_lines(&said);
        let file = w.unix_path(&target);
        let contents =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{format}: {} not written: {e}", file.display()));
        let reference = format!("keychain:bitbucket-setup:{}", if name == "Acme Web" { &web } else { &autoheal });
        // git-credentials holds it in a URL, percent-encoded as git reads it.
        let encoded = reference.replace(':', "%3A");
        assert!(
            contents.contains(&reference) || contents.contains(&encoded),
            "{format}: no keychain reference in\n{contents}"
        );
        assert!(
            !contents.contains(demo::SQAI_READY) && !contents.contains(demo::API_TOKEN_AUTOHEAL),
            "{format} holds the token"
        );
    }
    // The hint for scripts is PowerShell's.
    let out =
        ok(w.app(&["export", "Acme Web", "--format", "env", "--no-check", "--output", "-"], "", &env), "export env");
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(said.contains("$env:BITBUCKET_TOKEN"), "no PowerShell line for scripts:\n{said}");
    assert_no_posix_lines(&said);

    // import back: the JSON and YAML exports (the token on standard input), and an export with
    // the secret, written outside the user's folders.
    for format in ["json", "yaml"] {
        let file = format!(r"C:\users\{}\Documents\export.{format}", w.user());
        let name = format!("From {format}");
        ok(w.app(&["import", &file, "--name", &name], demo::SQAI_READY, &env), "import");
        assert_eq!(text(&ok(w.app(&["token", &name], "", &env), "token").stdout).trim_end(), demo::SQAI_READY);
    }
    let outside = tempfile::tempdir().unwrap();
    let secret_file = format!("Z:{}", outside.path().join("secret.json").display()).replace('/', r"\");
    ok(
        w.app(
            &[
                "export",
                "Autoheal prod",
                "--format",
                "json",
                "--no-check",
                "--include-secret",
                "--output",
                &secret_file,
            ],
            "",
            &env,
        ),
        "export --include-secret",
    );
    assert!(std::fs::read_to_string(outside.path().join("secret.json")).unwrap().contains(demo::API_TOKEN_AUTOHEAL));
    ok(w.app(&["import", &secret_file, "--name", "From secret"], "", &env), "import with the secret");
    assert_eq!(
        text(&ok(w.app(&["token", "From secret"], "", &env), "token").stdout).trim_end(),
        demo::API_TOKEN_AUTOHEAL
    );
    assert_eq!(listed(&w, &api).len(), 5);

    // No file in the user's folders holds a token (settings, exports, temporary files).
    for token in [demo::SQAI_READY, demo::API_TOKEN_AUTOHEAL] {
        assert_eq!(
            user_files_holding(&w, token),
            Vec::<std::path::PathBuf>::new(),
            "a file under C:\\users holds a token"
        );
    }

    // remove: the record and the Credential Manager entry.
    ok(w.app(&["remove", "Acme Web"], "", &env), "remove");
    assert!(!credential_manager(&w).contains(&web), "the token is still in Credential Manager");
    assert!(listed(&w, &api).iter().all(|c| c["name"] != "Acme Web"));
    ok(w.app(&["remove", "--all"], "", &env), "remove --all");
    assert!(listed(&w, &api).is_empty());
    assert!(!credential_manager(&w).contains(&autoheal));
}

/// Saves started together all land: on Windows a replace of the list fails while another
/// process has it open, and is tried again until it is free.
#[test]
fn on_windows_eight_concurrent_saves_all_land() {
    let Some(w) = Wine::start("parallel") else {
        return;
    };
    let fake = fake();
    let api = fake.base_url();
    let names: Vec<String> = (1..=8).map(|i| format!("Parallel {i}")).collect();
    let children: Vec<_> = names
        .iter()
        .map(|name| {
            let mut cmd = w.command(&wine::windows_exe().display().to_string(), &save_args(name, "sqai"));
            cmd.env("BITBUCKET_API_URL", &api);
            let mut child = cmd.spawn().expect("start wine");
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(demo::SQAI_READY.as_bytes()).unwrap();
            child
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a concurrent save failed:\n{}", shown(&out));
    }
    let mut saved: Vec<String> = listed(&w, &api).iter().map(|c| c["name"].as_str().unwrap().to_string()).collect();
    saved.sort();
    assert_eq!(saved, names, "every concurrent save is in the list");
    for name in &names {
        let out = ok(w.app(&["token", name], "", &[("BITBUCKET_API_URL", &api)]), "token");
        assert_eq!(text(&out.stdout).trim_end(), demo::SQAI_READY);
    }
    assert_eq!(user_files_holding(&w, demo::SQAI_READY), Vec::<std::path::PathBuf>::new());
}

#[test]
fn on_windows_the_git_credential_helper_works() {
    let Some(w) = Wine::start("git") else { return };
    let fake = fake();
    let api = fake.base_url();
    let env = [("BITBUCKET_API_URL", api.as_str())];
    ok(w.app(&save_args("web", "git"), demo::SQAI_READY, &env), "save");

    let ask = "protocol=https\nhost=bitbucket.org\npath=acme/website.git\n\n";
    let out = ok(w.app(&["git-credential", "get"], ask, &env), "git-credential get");
    assert_eq!(
        text(&out.stdout).replace("\r\n", "\n"),
        format!("username=x-token-auth\npassword={}\n", demo::SQAI_READY)
    );
    let out = ok(
        w.app(&["git-credential", "get"], "protocol=https\nhost=github.com\npath=acme/website.git\n\n", &env),
        "get for another host",
    );
    assert!(out.stdout.is_empty(), "answered for another host");
    let out = ok(
        w.app(
            &["git-credential", "store"],
            &format!("{}username=x-token-auth\npassword=other\n\n", ask.trim_end()),
            &env,
        ),
        "store",
    );
    assert!(out.stdout.is_empty());
    let erase = format!(
        "protocol=https\nhost=bitbucket.org\npath=acme/website.git\nusername=x-token-auth\npassword={}\n\n",
        demo::SQAI_READY
    );
    let out = ok(w.app(&["git-credential", "erase"], &erase, &env), "erase");
    assert!(text(&out.stderr).contains("needing attention"), "{}", shown(&out));
    assert_eq!(listed(&w, &api)[0]["status"], "needs_attention");
    assert_eq!(
        text(&ok(w.app(&["token", "web"], "", &env), "token").stdout).trim_end(),
        demo::SQAI_READY,
        "erase deletes nothing"
    );

    // git setup --dry-run: PowerShell's lines, and the helper as git for Windows runs it.
    let out = ok(w.app(&["git", "setup", "--dry-run"], "", &env), "git setup --dry-run");
    let said = text(&out.stdout);
    assert_no_posix_lines(&said);
    let (key, value) = helper_value_in(&said);
    assert_eq!(key, "credential.https://bitbucket.org.helper");
    assert!(
        value.starts_with("!'") && value.ends_with("bitbucket-setup.exe' git-credential") && !value.contains('\\'),
        "{value}"
    );
    assert!(w.appdata().join("bitbucket-setup-assistant").is_dir());
    assert!(!w.profile().join(".gitconfig").exists(), "--dry-run changed nothing");
}

/// The window, started with no WebView2 runtime (Wine has none): a message box and standard
/// error say what is missing and where to get it, and the exit status is the table's.
#[test]
fn on_windows_the_window_without_webview2_explains_itself() {
    let display = std::env::var("DISPLAY").unwrap_or_default();
    if support::require("an X display (scripts/test.sh starts Xvfb)", !display.is_empty())
        || support::require(
            "xdotool (apt-get install xdotool)",
            Command::new("xdotool").arg("version").output().is_ok(),
        )
    {
        return;
    }
    let Some(w) = Wine::start_on("webview2", Some(&display)) else {
        return;
    };
    let mut cmd = w.command(&wine::windows_exe().display().to_string(), &[]);
    cmd.env("DISPLAY", &display).stdin(Stdio::null());
    let mut child = cmd.spawn().expect("start the window");
    let title = bitbucket_setup_core::platform::webview2::TITLE;
    let started = Instant::now();
    let window = loop {
        let out = Command::new("xdotool").args(["search", "--name", &format!("^{title}$")]).output().unwrap();
        if let Some(id) = text(&out.stdout).lines().next().map(str::to_string) {
            break id;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let out = child.wait_with_output().unwrap();
            panic!("the app ended ({status}) without showing its message box:\n{}", shown(&out));
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no message box titled {title:?} within 60 s");
        std::thread::sleep(Duration::from_millis(200));
    };
    std::thread::sleep(Duration::from_millis(500));
    if let Some(dir) = std::env::var_os("SCREENSHOTS_DIR") {
        let png = Path::new(&dir).join("windows-webview2-missing.png");
        let shot = Command::new("import").args(["-window", &window]).arg(&png).status().unwrap();
        assert!(shot.success(), "screenshot");
    }
    // The user presses Enter (OK).
    let pressed = Command::new("xdotool")
        .args(["windowfocus", "--sync", &window, "key", "--window", &window, "Return"])
        .status()
        .unwrap();
    assert!(pressed.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the app did not end after OK");
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(bitbucket_setup::exit_code::UNAVAILABLE), "{}", shown(&out));
    for part in ["WebView2 Runtime is not installed", bitbucket_setup_core::platform::webview2::RUNTIME_PAGE, "IT department"] {
        assert!(err.contains(part), "{part:?} not on standard error:\n{err}");
    }
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "a panic:\n{err}");
}

/// The installer as an admin without administrator rights would run it: per user, silent.
#[test]
fn on_windows_the_installer_installs_starts_and_uninstalls_per_user() {
    let Some(w) = Wine::start("installer") else {
        return;
    };
    if support::require("makensis (apt-get install nsis)", Command::new("makensis").arg("-VERSION").output().is_ok()) {
        return;
    }
    let out_dir = tempfile::tempdir().unwrap();
    let made = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/package-windows.sh"))
        .arg(wine::windows_exe())
        .arg(out_dir.path())
        .arg("--fast")
        .output()
        .expect("run scripts/package-windows.sh");
    assert!(made.status.success(), "makensis failed:\n{}", text(&made.stderr));
    let installer = text(&made.stdout).trim().to_string();
    // Windows reads the installer's manifest: asInvoker means no UAC prompt, no administrator.
    let bytes = std::fs::read(&installer).unwrap();
    let as_invoker = br#"level="asInvoker""#;
    assert!(
        bytes.windows(as_invoker.len()).any(|w| w == as_invoker),
        "the installer asks for more than the user's rights"
    );

    let install = |w: &Wine| {
        let out = w.run(&installer, &["/S"], "", &[]);
        assert!(out.status.success(), "the installer failed:\n{}", shown(&out));
        w.wait_idle();
    };
    install(&w);
    let dir_win = format!(r"C:\users\{}\AppData\Local\Programs\Bitbucket Setup Assistant", w.user());
    let dir = w.unix_path(&dir_win);
    for file in ["bitbucket-setup.exe", "bitbucket-setup-window.exe", "WebView2Loader.dll", "bitbucket-setup.ico", "uninstall.exe"] {
        assert!(dir.join(file).is_file(), "{file} is not in {}", dir.display());
    }
    let apps_key = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\BitbucketSetupAssistant";
    let registered = w.reg_query(apps_key).expect("registered in Apps for this user");
    assert!(registered.contains(&dir_win) && registered.contains("uninstall.exe"), "{registered}");
    assert!(
        w.reg_query(r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\BitbucketSetupAssistant").is_none(),
        "registered for the whole machine"
    );
    for machine_wide in [
        "drive_c/Program Files/Bitbucket Setup Assistant",
        "drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/Bitbucket Setup Assistant",
    ] {
        assert!(!w.prefix().join(machine_wide).exists(), "{machine_wide} written");
    }
    let shortcut = w
        .appdata()
        .join("Microsoft/Windows/Start Menu/Programs/Bitbucket Setup Assistant/Bitbucket Setup Assistant.lnk");
    let link = std::fs::read(&shortcut).unwrap_or_else(|e| panic!("no Start-menu entry {}: {e}", shortcut.display()));
    // The Start menu opens the window program itself (no console flashes up first).
    let utf16: Vec<u8> = "bitbucket-setup-window.exe".encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert!(
        link.windows(26).any(|w| w == b"bitbucket-setup-window.exe")
            || link.windows(utf16.len()).any(|w| w == utf16.as_slice()),
        "the shortcut does not start the app"
    );

    // It starts, from where the installer put it.
    let exe = format!(r"{dir_win}\bitbucket-setup.exe");
    let out = w.run(&exe, &["--version"], "", &[]);
    assert_eq!(text(&out.stdout).trim(), format!("bitbucket-setup {}", env!("CARGO_PKG_VERSION")), "{}", shown(&out));

    // A connection saved by the installed app, and git using it through the exact helper line
    // `git setup` prints for this path (spaces, backslashes): git's config parser, sh, the line.
    let fake = fake();
    let api = fake.base_url();
    let root = tempfile::tempdir().unwrap();
    make_bare_repository(root.path(), "acme", "website").unwrap();
    let server = GitServer::start(root.path(), vec![("x-token-auth".into(), demo::SQAI_READY.into())]).unwrap();
    let git_url = server.url();
    let env = [("BITBUCKET_API_URL", api.as_str()), ("BITBUCKET_GIT_URL", git_url.as_str())];
    let out = w.run(&exe, &save_args("web", "git"), demo::SQAI_READY, &env);
    assert!(out.status.success(), "{}", shown(&out));
    let out = w.run(&exe, &["git", "setup", "--dry-run"], "", &env);
    assert!(out.status.success(), "{}", shown(&out));
    let (key, value) = helper_value_in(&text(&out.stdout));
    assert_eq!(key, format!("credential.{git_url}.helper"));
    let expected_path = format!("{}/bitbucket-setup.exe", dir_win.replace('\\', "/"));
    assert_eq!(value, format!("!'{expected_path}' git-credential"));
    git_clones_through_the_helper_line(&w, &key, &value, &expected_path, &exe, &env, &git_url);

    // The daily reminder task, turned on by the installed app (after a restart of Wine's
    // session, as in the reminders test below: the session that set the prefix up cannot reach
    // Wine's Task Scheduler service).
    for step in ["-k", "-w"] {
        let _ = Command::new("wineserver").arg(step).env("WINEPREFIX", w.prefix()).status();
    }
    let task = w.prefix().join("drive_c/windows/system32/tasks").join(bitbucket_setup_core::remind::job::TASK_NAME);
    ok(w.run(&exe, &["reminders", "on"], "", &[]), "reminders on, installed");
    assert!(task.is_file(), "Task Scheduler keeps no task at {}", task.display());

    // Uninstall: the program, its Start-menu entry, its Apps entry and its reminder task go;
    // the saved connection (settings and token) stays.
    let uninstall = |w: &Wine, args: &[&str]| {
        let out = w.run(&format!(r"{dir_win}\uninstall.exe"), args, "", &[]);
        assert!(out.status.success(), "the uninstaller failed:\n{}", shown(&out));
        w.wait_idle();
    };
    uninstall(&w, &["/S"]);
    assert!(!dir.join("bitbucket-setup.exe").exists() && !dir.exists(), "the program is still there");
    assert!(!shortcut.exists(), "the Start-menu entry is still there");
    assert!(w.reg_query(apps_key).is_none(), "still registered in Apps");
    assert!(!task.exists(), "the reminder task is still kept at {}", task.display());
    let settings = w.appdata().join("bitbucket-setup-assistant/connections.json");
    assert!(settings.is_file(), "the saved connections were removed without being asked");
    let out = w.app(&["token", "web"], "", &env);
    assert_eq!(text(&out.stdout).trim_end(), demo::SQAI_READY, "the token left Credential Manager:\n{}", shown(&out));

    // Asked to (/REMOVECONNECTIONS, the box on the uninstaller's page): the tokens leave
    // Credential Manager and the settings folder goes.
    install(&w);
    let id = listed(&w, &api)[0]["id"].as_str().unwrap().to_string();
    assert!(credential_manager(&w).contains(&id));
    uninstall(&w, &["/S", "/REMOVECONNECTIONS"]);
    assert!(!dir.exists(), "the program is still there");
    assert!(
        !settings.exists() && !w.appdata().join("bitbucket-setup-assistant").exists(),
        "the settings folder is still there"
    );
    assert!(!credential_manager(&w).contains(&id), "the token is still in Credential Manager");
}

/// Real git, with the helper line written by git's own `git config` into a throwaway HOME and
/// run by git through sh. On this machine `C:/…` is a relative path, so a stand-in at that path
/// under git's working folder runs the installed exe under Wine.
fn git_clones_through_the_helper_line(
    w: &Wine,
    key: &str,
    value: &str,
    exe_path: &str,
    exe: &str,
    env: &[(&str, &str)],
    git_url: &str,
) {
    let home = tempfile::tempdir().unwrap();
    let stand_in = home.path().join(exe_path);
    std::fs::create_dir_all(stand_in.parent().unwrap()).unwrap();
    let quoted_exe = exe.replace('\'', r"'\''");
    std::fs::write(&stand_in, format!("#!/bin/sh\nexec wine '{quoted_exe}' \"$@\"\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&stand_in, std::fs::Permissions::from_mode(0o755)).unwrap();
    let git = |args: &[&str]| {
        let mut cmd = Command::new("git");
        cmd.args(args)
            .current_dir(home.path())
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_ASKPASS", "/bin/false")
            .env("WINEPREFIX", w.prefix())
            .env("WINEDEBUG", "-all")
            .env_remove("DISPLAY")
            .env_remove("BITBUCKET_TOKEN")
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("git")
    };
    let out = git(&["config", "--global", "--add", key, value]);
    assert!(out.status.success(), "git config refused the line: {}", text(&out.stderr));
    let out = git(&["config", "--global", "--get-all", key]);
    assert_eq!(text(&out.stdout).trim_end(), value, "git reads the line back as written");
    let out = git(&["config", "--global", &key.replace(".helper", ".useHttpPath"), "true"]);
    assert!(out.status.success());
    let out = git(&["clone", &format!("{git_url}/acme/website.git"), "website"]);
    assert!(
        out.status.success(),
        "git clone through the helper failed:\n{}",
        text(&out.stderr).replace(demo::SQAI_READY, "<token>")
    );
    assert!(home.path().join("website/.git").is_dir());
}

/// Reminders: `reminders on` registers the daily task through schtasks with the Task Scheduler
/// definition the app renders, `off` removes it. Wine 8 checks as far as it reads: it parses
/// the whole definition (a malformed one never registers, a wrong value is refused), keeps its
/// registration information and settings in C:\windows\system32\tasks, and leaves triggers and
/// actions as stubs (so the command the task runs is checked in tests/reminders.rs, with
/// Python's XML reader). Its schtasks has no /Query, so `status` says it cannot tell.
#[test]
fn on_windows_reminders_are_registered_with_task_scheduler_and_removed() {
    let Some(w) = Wine::start("reminders") else { return };
    // In the Wine session that set the prefix up, Wine 8's Task Scheduler service cannot be
    // reached (schtasks: "Connect failed: 80041315", SCHED_E_SERVICE_NOT_RUNNING); once that
    // session has ended, as after a restart of Windows, it can.
    for step in ["-k", "-w"] {
        let _ = Command::new("wineserver").arg(step).env("WINEPREFIX", w.prefix()).status();
    }
    let task = w.prefix().join("drive_c/windows/system32/tasks").join("Bitbucket Setup Assistant reminders");

    let on = ok(w.app(&["reminders", "on"], "", &[]), "reminders on");
    assert!(
        text(&on.stdout).contains("Reminders are on: a Task Scheduler task (Bitbucket Setup Assistant reminders)"),
        "{}",
        shown(&on)
    );
    let kept = std::fs::read(&task).unwrap_or_else(|e| panic!("Task Scheduler keeps no task at {}: {e}", task.display()));
    let kept = String::from_utf8_lossy(kept.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&kept)).into_owned();
    for part in [
        "<Author>Bitbucket Setup Assistant</Author>",
        "shows a notification when a token expires within 14 days or fails its check",
        "<StartWhenAvailable>true</StartWhenAvailable>",
        "<MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>",
        "<DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>",
        "<ExecutionTimeLimit>PT10M</ExecutionTimeLimit>",
    ] {
        assert!(kept.contains(part), "{part} is not in the task Task Scheduler keeps:\n{kept}");
    }
    // The definition's temporary file (in %TEMP%, Wine's C:\users\<user>\Temp) is gone.
    let temp = w.profile().join("Temp");
    assert!(temp.is_dir(), "{} is not the Temp folder", temp.display());
    let left: Vec<_> = support::files_under(&temp)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("bitbucket-setup-reminders-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    let status = ok(w.app(&["reminders", "status"], "", &[]), "reminders status");
    assert!(
        text(&status.stdout).contains(
            "It is not known whether the reminders are on: schtasks /Query gave no answer about the task \"Bitbucket Setup Assistant reminders\"."
        ) || text(&status.stdout).contains("Reminders are on (Bitbucket Setup Assistant reminders)"),
        "{}",
        shown(&status)
    );

    let off = ok(w.app(&["reminders", "off"], "", &[]), "reminders off");
    assert!(text(&off.stdout).contains("Reminders are off: the daily job is removed."), "{}", shown(&off));
    assert!(!task.exists(), "the task is still kept at {}", task.display());
}

/// FAKE API tokens of this test's own, with the n8n preset's scopes.
const N8N_TOKEN: &str =
    "ATATT3xFfGF0WineDeliverTestApiTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0E0E0E01";
const N8N_NEW_TOKEN: &str =
    "ATATT3xFfGF0WineDeliverTestNewTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0E0E0E02";

#[test]
fn on_windows_send_and_replace_reach_n8n_and_the_files_written() {
    // n8n runs on this machine as in tests/n8n_send.rs; the Windows build reaches it over
    // 127.0.0.1, keeps its key in Wine's Credential Manager, and rewrites files with Windows'
    // rename rules.
    let Some(n8n) = support::n8n::N8n::start() else { return };
    let Some(w) = Wine::start("deliver") else { return };
    let (key, _) = n8n.owner_and_keys();
    let fake = fake();
    let scopes = bitbucket_setup_core::presets::get(bitbucket_setup_core::presets::PresetId::N8n).api_token_scopes;
    for token in [N8N_TOKEN, N8N_NEW_TOKEN] {
        fake.add_token(fake_bitbucket::FakeToken::api(token, demo::ADMIN_EMAIL, "acme", scopes));
    }
    let api = fake.base_url();
    let env = [("BITBUCKET_API_URL", api.as_str()), ("N8N_API_KEY", "")];
    let name = "Acme n8n";
    let save = ["save", "--name", name, "--credential", "api-token", "--email", demo::ADMIN_EMAIL, "--workspace", "acme"];
    ok(w.app(&[&save[..], &["--preset", "n8n"]].concat(), N8N_TOKEN, &env), "save");

    // Two files: one kept as written, one the user edits afterwards.
    let kept = format!(r"C:\users\{}\Documents\acme.env", w.user());
    let edited = format!(r"C:\users\{}\Documents\acme.json", w.user());
    ok(w.app(&["export", name, "--format", "env", "--include-secret", "--output", &kept], "", &env), "export env");
    ok(w.app(&["export", name, "--format", "json", "--output", &edited], "", &env), "export json");
    let edited_unix = w.unix_path(&edited);
    let mut by_hand = std::fs::read(&edited_unix).unwrap();
    by_hand.extend_from_slice(b"\r\n");
    std::fs::write(&edited_unix, &by_hand).unwrap();

    // Send: the key from N8N_API_KEY, then kept in Credential Manager.
    let url = n8n.url();
    let send_env = [("BITBUCKET_API_URL", api.as_str()), ("N8N_API_KEY", key.as_str())];
    let out = ok(w.app(&["send", "n8n", name, "--n8n-url", &url], "", &send_env), "send n8n");
    assert!(text(&out.stdout).contains("Created the n8n credential"), "{}", shown(&out));
    assert!(credential_manager(&w).contains(&format!("n8n:{url}")), "the n8n key is not in Credential Manager");
    let sent_id = listed(&w, &api)
        .iter()
        .find(|c| c["name"] == name)
        .and_then(|c| c["sent"][0]["credential_id"].as_str().map(str::to_string))
        .expect("the n8n credential's id is recorded");

    // Replace: the new token is checked, then delivered with the kept key and to the file as
    // written; the edited file is left and named.
    let out = ok(w.app(&["replace", name, "--email", demo::ADMIN_EMAIL], N8N_NEW_TOKEN, &env), "replace");
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(said.contains("now holds the new token"), "n8n not updated:\n{}", shown(&out));
    assert!(said.contains("acme.json") && said.contains("changed after the app wrote it"), "{}", shown(&out));
    assert_no_posix_lines(&said);
    let env_file = std::fs::read_to_string(w.unix_path(&kept)).unwrap();
    assert!(env_file.contains(N8N_NEW_TOKEN) && !env_file.contains(N8N_TOKEN), "acme.env not rewritten:\n{env_file}");
    assert_eq!(std::fs::read(&edited_unix).unwrap(), by_hand, "the edited file was touched");
    let in_n8n: Vec<String> = n8n
        .export_decrypted()
        .iter()
        .filter(|c| c["id"] == sent_id.as_str())
        .map(|c| c["data"]["accessToken"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(in_n8n, vec![N8N_NEW_TOKEN.to_string()], "n8n's credential after the replacement");
    assert_eq!(text(&ok(w.app(&["token", name], "", &env), "token").stdout).trim_end(), N8N_NEW_TOKEN);
    // The n8n key lives in Credential Manager only; the one file with a token is the export.
    assert!(user_files_holding(&w, &key).is_empty(), "the n8n key is in a file");
    assert_eq!(user_files_holding(&w, N8N_NEW_TOKEN), vec![w.unix_path(&kept)]);
}

/// What the daily task runs: the window program (no console, so no console window flashes up
/// once a day) with `reminders run`. It checks the saved connections as the command line's
/// `reminders run` does, prints the same, ends with the same status, and opens no window: it
/// never reaches Tauri or the WebView2 check (Wine has no WebView2, so a start of the window
/// would end in the WebView2 message instead, which `…without_webview2_explains_itself` shows).
/// Wine 8 shows no toast notifications (the toast's class is not registered: HRESULT
/// 0x80040154, REGDB_E_CLASSNOTREG): the notification fails in both programs alike, with the
/// same status (69) and sentence.
#[test]
fn on_windows_the_tasks_window_program_runs_the_check_without_a_window() {
    let Some(w) = Wine::start("reminders-run") else { return };
    let fake = fake();
    let api = fake.base_url();
    let env = [("BITBUCKET_API_URL", api.as_str())];
    let expires = support::app::in_days(5);
    let save: Vec<&str> = save_args("Website CI", "sqai").into_iter().chain(["--expires", expires.as_str()]).collect();
    ok(w.app(&save, demo::SQAI_READY, &env), "save");

    let checked_at = |w: &Wine| listed(w, &api)[0]["last_check"]["at"].as_str().map(str::to_string);
    let saved_at = checked_at(&w);
    assert!(saved_at.is_some(), "save records its check");

    let window = wine::windows_exe().with_file_name("bitbucket-setup-window.exe");
    let by_window = w.run(&window.display().to_string(), &["reminders", "run"], "", &env);
    let by_cli = w.app(&["reminders", "run"], "", &env);
    let said = text(&by_window.stdout);
    assert!(
        said.contains("Bitbucket token \"Website CI\" expires in 5 days:")
            && said.contains(&format!("\"Website CI\": its token expires in 5 days, on {expires}.")),
        "{}",
        shown(&by_window)
    );
    assert_eq!(said, text(&by_cli.stdout), "the same lines as the command line's");
    assert_eq!(by_window.status.code(), by_cli.status.code(), "{}\n{}", shown(&by_window), shown(&by_cli));
    let err = text(&by_window.stderr);
    match by_window.status.code() {
        // Shown (a Wine with toasts): something is due.
        Some(1) => assert!(err.is_empty(), "{err}"),
        // Not shown: said plainly, as the command line says it.
        Some(69) => {
            assert!(err.starts_with("error: The notification could not be shown: "), "{err}");
            assert!(!err.contains("Os(Error") && !err.contains("HRESULT("), "Rust's debug form, not words:\n{err}");
            assert!(text(&by_cli.stderr).starts_with(err.trim_end()), "{}", text(&by_cli.stderr));
        }
        other => panic!("status {other:?}:\n{}", shown(&by_window)),
    }
    assert!(!err.contains("WebView2") && !err.contains("window"), "the window was started:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    // The re-tests ran and were recorded, as the command line's `test` records them.
    let after = listed(&w, &api);
    assert_eq!(after[0]["last_check"]["ok"], true, "{}", after[0]);
    assert_ne!(checked_at(&w), saved_at, "reminders run re-tested the connection");
}
