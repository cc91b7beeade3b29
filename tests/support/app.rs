//! The real app window, pointed at the fake Bitbucket, shared by the tests of one test binary.
//!
//! Starting the app costs about a second, so one window serves every test of a file: a test
//! takes it with [`app`] (which holds a lock, so one test drives it at a time), and gets it back
//! reloaded on the first step. A test that panics throws its window away, so the next test
//! starts from a fresh one. At exit the window is closed and what the tests saved (records and
//! keychain entries) is removed.
//!
//! Each window gets its own throwaway config folder (`BITBUCKET_SETUP_CONFIG_DIR`) and HOME /
//! XDG folders, so a test can assert that no file the app (or WebKit) wrote holds a token.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use bitbucket_setup_core::store::connections::ConnectionsFile;
use bitbucket_setup_core::store::secrets::KeyringStore;
use bitbucket_setup_core::store::Store;
use fake_bitbucket::FakeBitbucket;
use serde_json::Value;

use super::webdriver::{self, Session};
use super::{app_binary, files_containing, require};

/// The axe-core build the accessibility checks inject (see tests/data/fetch-axe.sh).
const AXE: &str = include_str!("../data/axe.min.js");

/// Where the app's API calls go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Api {
    /// The fake Bitbucket of this test binary.
    #[default]
    Fake,
    /// A port on this computer where nothing listens: every request fails to connect.
    ClosedPort,
    /// A host name that never resolves (`.invalid`, RFC 6761): as on a computer with no
    /// network, the name cannot be looked up.
    NoDns,
}

/// Which systemd user manager the window's `systemctl --user` reaches (the reminders switch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserSession {
    /// Whatever the tests' own session has (the runtime folder they were started with).
    #[default]
    Inherited,
    /// None: the window gets a runtime folder of its own (XDG_RUNTIME_DIR) with no manager in
    /// it, as on a server or in a container.
    NoManager,
    /// A `systemd --user` of the window's own ([`super::systemd::UserManager`]), with the
    /// window's HOME, XDG_CONFIG_HOME and XDG_RUNTIME_DIR: [`App::user_manager`].
    PrivateManager,
}

/// What a window is started with. A test asking for another setup than the running window's
/// gets a new window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Setup {
    pub api: Api,
    /// The desktop prefers dark (GTK_THEME=Adwaita:dark): `prefers-color-scheme: dark`.
    pub dark: bool,
    pub session: UserSession,
}

impl Setup {
    pub const LIGHT: Setup = Setup { api: Api::Fake, dark: false, session: UserSession::Inherited };
    pub const DARK: Setup = Setup { api: Api::Fake, dark: true, session: UserSession::Inherited };
    pub const OFFLINE: Setup = Setup { api: Api::ClosedPort, dark: false, session: UserSession::Inherited };
    pub const NO_DNS: Setup = Setup { api: Api::NoDns, dark: false, session: UserSession::Inherited };
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// How long one end-to-end test may take before it fails (they take seconds), counted from
/// when it gets the shared window: the tests of a file run on two threads and take turns with
/// the window, so the time spent waiting for the other test's turn is not the test's own.
const TEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

tokio::task_local! {
    /// When the running test's time started: when [`block_on`] began, then again when [`app`]
    /// handed it the window.
    static STARTED: std::cell::Cell<tokio::time::Instant>;
}

/// Runs a test body on the runtime that owns the shared window (a WebDriver client must stay
/// on the runtime that made it). A test that runs over [`TEST_LIMIT`] once it has the window (a
/// WebDriver command that never answers) fails, and its window is thrown away.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let started = std::cell::Cell::new(tokio::time::Instant::now());
    runtime().block_on(STARTED.scope(started, async {
        let mut f = Box::pin(f);
        loop {
            let deadline = STARTED.with(std::cell::Cell::get) + TEST_LIMIT;
            let finished = tokio::select! {
                out = &mut f => Some(out),
                () = tokio::time::sleep_until(deadline) => None,
            };
            if let Some(out) = finished {
                return out;
            }
            // The test may have got the window meanwhile, which restarts its time.
            if STARTED.with(std::cell::Cell::get) + TEST_LIMIT > tokio::time::Instant::now() {
                continue;
            }
            // The test (and the window lock it may hold) ends here; its window goes too.
            drop(f);
            let stuck = SLOT.lock().await.take();
            drop(stuck);
            panic!("the test did not finish within {} s of getting the window", TEST_LIMIT.as_secs());
        }
    }))
}

/// The fake Bitbucket of this test binary, with the demo world.
pub fn fake() -> &'static FakeBitbucket {
    static FAKE: OnceLock<FakeBitbucket> = OnceLock::new();
    FAKE.get_or_init(|| {
        let fake = FakeBitbucket::start_in_background().expect("start the fake Bitbucket");
        fake.seed_demo();
        fake
    })
}

/// The Bitbucket-like git server of this test binary (acme/website, the demo tokens).
pub fn git_server() -> &'static fake_bitbucket::git_http::GitServer {
    static GIT: OnceLock<(tempfile::TempDir, fake_bitbucket::git_http::GitServer)> = OnceLock::new();
    &GIT.get_or_init(|| {
        let root = tempfile::tempdir().expect("a folder for the git server");
        fake_bitbucket::git_http::make_bare_repository(root.path(), "acme", "website").expect("a bare repository");
        let accept = vec![("x-token-auth".to_string(), fake_bitbucket::demo::SQAI_READY.to_string())];
        let server = fake_bitbucket::git_http::GitServer::start(root.path(), accept).expect("the git server");
        (root, server)
    })
    .1
}

/// A started window and the folders it writes to.
pub struct App {
    session: Option<Session>,
    pub setup: Setup,
    /// `BITBUCKET_SETUP_CONFIG_DIR` of the app.
    pub config: PathBuf,
    /// HOME of the app (XDG folders inside).
    pub home: PathBuf,
    /// `BITBUCKET_SETUP_EXPORT_DIR`: where "Save file" writes instead of asking with the
    /// native dialog (which WebDriver cannot drive).
    pub exports: PathBuf,
    /// What the driver and the app wrote to stdout and stderr (the app's log).
    pub log: PathBuf,
    /// `BITBUCKET_SETUP_CONFIRM_FILE`: the answer the app takes instead of showing its native
    /// "Remove?" dialog (see [`App::answer_removal`]).
    pub confirm: PathBuf,
    pub api_url: String,
    /// The window's own `systemd --user`, with [`UserSession::PrivateManager`].
    #[cfg(unix)]
    pub user_manager: Option<super::systemd::UserManager>,
    /// The port of [`Api::ClosedPort`], kept refusing while the window lives.
    _refused: Option<super::RefusedPort>,
    _root: tempfile::TempDir,
}

impl Deref for App {
    type Target = Session;
    fn deref(&self) -> &Session {
        self.session.as_ref().expect("a running window")
    }
}

static SLOT: tokio::sync::Mutex<Option<App>> = tokio::sync::Mutex::const_new(None);

/// Exclusive use of the shared window. Derefs to [`App`].
pub struct AppGuard {
    guard: tokio::sync::MutexGuard<'static, Option<App>>,
}

impl Deref for AppGuard {
    type Target = App;
    fn deref(&self) -> &App {
        self.guard.as_ref().expect("a started app")
    }
}

impl DerefMut for AppGuard {
    fn deref_mut(&mut self) -> &mut App {
        self.guard.as_mut().expect("a started app")
    }
}

impl Drop for AppGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // The window may be in any state: the next test gets a fresh one.
            self.guard.take();
        }
    }
}

#[cfg(unix)]
extern "C" fn close_at_exit() {
    if let Ok(mut slot) = SLOT.try_lock() {
        slot.take();
    }
}

fn close_at_exit_once() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(unix)]
        {
            extern "C" {
                fn atexit(f: extern "C" fn()) -> std::os::raw::c_int;
            }
            // SAFETY: registers a plain function with the C library's exit handlers.
            unsafe {
                atexit(close_at_exit);
            }
        }
    });
}

/// Whether the window can run here: a display and WebKitWebDriver. Under `CI=true` a missing
/// one fails the test (see [`require`]); otherwise the test is skipped, loudly.
pub fn window_available() -> bool {
    let ok = webdriver::available();
    let reason = ok.as_ref().err().cloned().unwrap_or_default();
    !require(&format!("a window for the end-to-end tests: {reason}"), ok.is_ok())
}

/// Whether the OS keychain (Secret Service) answers and `secret-tool` is installed.
pub fn keychain_available() -> bool {
    let reachable = super::keychain_available();
    if require(
        "an unlocked Secret Service (dbus-run-session + gnome-keyring-daemon --unlock; see scripts/test.sh)",
        reachable,
    ) {
        return false;
    }
    let tool = Command::new("secret-tool").arg("--version").output().is_ok();
    !require("secret-tool (Debian package libsecret-tools)", tool)
}

/// A date `days` from today, as a date field holds it.
pub fn in_days(days: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(days)).format("%Y-%m-%d").to_string()
}

/// The shared window, for a test that saves to the keychain too: `None` (the test returns)
/// when the window or the keychain is missing outside CI; under `CI=true` either fails.
pub async fn with_keychain(setup: Setup) -> Option<AppGuard> {
    if !keychain_available() {
        return None;
    }
    app(setup).await
}

/// Takes the shared window with `setup`, reloaded on the first step with nothing typed.
/// `None` when the prerequisites are missing outside CI (the test then returns early).
pub async fn app(setup: Setup) -> Option<AppGuard> {
    if !window_available() {
        return None;
    }
    close_at_exit_once();
    let mut guard = SLOT.lock().await;
    // The test's time starts now (see TEST_LIMIT); outside block_on there is none to restart.
    let _ = STARTED.try_with(|s| s.set(tokio::time::Instant::now()));
    fake().clear_faults();
    fake().set_behaviour(fake_bitbucket::Behaviour::default());
    if guard.as_ref().is_some_and(|a| a.setup != setup) {
        if let Some(old) = guard.take() {
            old.close().await;
        }
    }
    match guard.as_ref() {
        Some(app) => app.reload().await,
        None => *guard = Some(App::start(setup).await),
    }
    Some(AppGuard { guard })
}

impl App {
    async fn start(setup: Setup) -> App {
        let root = tempfile::Builder::new().prefix("bitbucket-setup-e2e.").tempdir().expect("temp dir");
        let config = root.path().join("config");
        let home = root.path().join("home");
        let exports = root.path().join("exports");
        for d in [&config, &exports, &home.join(".config"), &home.join(".local/share"), &home.join(".cache")] {
            std::fs::create_dir_all(d).unwrap();
        }
        let mut refused = None;
        let api_url = match setup.api {
            Api::Fake => fake().base_url(),
            Api::ClosedPort => format!("{}/2.0", refused.insert(super::RefusedPort::new()).url()),
            Api::NoDns => "https://bitbucket.invalid/2.0".to_string(),
        };
        let mut env = vec![
            ("BITBUCKET_API_URL".to_string(), api_url.clone()),
            ("BITBUCKET_SETUP_CONFIG_DIR".to_string(), config.display().to_string()),
            ("BITBUCKET_SETUP_EXPORT_DIR".to_string(), exports.display().to_string()),
            ("HOME".to_string(), home.display().to_string()),
            ("XDG_CONFIG_HOME".to_string(), home.join(".config").display().to_string()),
            ("XDG_DATA_HOME".to_string(), home.join(".local/share").display().to_string()),
            ("XDG_CACHE_HOME".to_string(), home.join(".cache").display().to_string()),
            ("NO_AT_BRIDGE".to_string(), "1".to_string()),
            // git, as the "Use this for git" step runs it: this HOME's configuration only, and
            // the local git server as Bitbucket's git host.
            ("BITBUCKET_GIT_URL".to_string(), git_server().url()),
            ("GIT_CONFIG_NOSYSTEM".to_string(), "1".to_string()),
            // Every GLib, GTK and WebKit debug message goes to the log too, so the secret
            // audit searches the most the app's stack can write there.
            ("G_MESSAGES_DEBUG".to_string(), "all".to_string()),
        ];
        if setup.dark {
            env.push(("GTK_THEME".to_string(), "Adwaita:dark".to_string()));
        }
        // The manager gets the window's HOME and XDG_CONFIG_HOME (root/home, root/home/.config),
        // and a runtime folder beside them that the window is pointed at.
        #[cfg(unix)]
        let user_manager = match setup.session {
            UserSession::PrivateManager => Some(super::systemd::UserManager::start(root.path())),
            _ => None,
        };
        let runtime = root.path().join("run");
        if setup.session != UserSession::Inherited {
            std::fs::create_dir_all(&runtime).unwrap();
            #[cfg(unix)]
            std::fs::set_permissions(&runtime, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
            env.push(("XDG_RUNTIME_DIR".to_string(), runtime.display().to_string()));
        }
        let confirm = root.path().join("confirm-removal");
        env.push(("BITBUCKET_SETUP_CONFIRM_FILE".to_string(), confirm.display().to_string()));
        let log = root.path().join("logs").join("app.log");
        std::fs::create_dir_all(log.parent().unwrap()).unwrap();
        let session = Session::start(&app_binary(), &env, &["GTK_THEME", "BITBUCKET_TOKEN", super::DMABUF_VAR], &log).await;
        App {
            session: Some(session),
            setup,
            config,
            home,
            exports,
            log,
            confirm,
            api_url,
            #[cfg(unix)]
            user_manager,
            _refused: refused,
            _root: root,
        }
    }

    /// How the next "Remove?" dialog is answered: remove, or keep.
    pub fn answer_removal(&self, remove: bool) {
        std::fs::write(&self.confirm, if remove { "remove" } else { "keep" }).expect("write the answer");
    }

    /// Back to a fresh page (the window's JavaScript state is gone; saved connections stay).
    pub async fn reload(&self) {
        self.client.refresh().await.expect("reload the window");
        self.wait_for("body[data-ready=true]").await;
    }

    /// Closes the window; `Drop` then removes what was saved.
    async fn close(mut self) {
        if let Some(session) = self.session.take() {
            session.close().await;
        }
    }

    // ---- the wizard -------------------------------------------------------------------

    /// The step shown (1..=5).
    pub async fn step(&self) -> u64 {
        self.js("const m = document.getElementById('step'); return m ? Number(m.dataset.step) : 0;")
            .await
            .as_u64()
            .unwrap_or(0)
    }

    /// Waits until step `n` (1..=5) is shown.
    pub async fn wait_step(&self, n: u32) {
        self.wait_js(
            &format!("step {n}"),
            &format!("document.getElementById('step').dataset.step === '{n}' && !document.getElementById('wizard').hidden"),
        )
        .await;
    }

    /// Step 1: picks the tool (`preset` is its id, e.g. "sqai"), types the address and picks
    /// the kind (e.g. "repository_token"); waits until the address is understood.
    pub async fn choose(&self, preset: &str, location: &str, kind: &str) {
        self.wait_step(1).await;
        self.click(&format!("label.choice:has(input[name=preset][value={preset}])")).await;
        self.fill("input[name=location]", location).await;
        self.wait_text(".understood", "Understood").await;
        self.click(&format!("label.choice:has(input[name=kind][value={kind}])")).await;
        self.wait_js("the kind to be chosen", &format!("document.querySelector('input[name=kind][value={kind}]').checked"))
            .await;
    }

    /// Step 1 to step 3 for `preset` / `location` / `kind`.
    pub async fn to_paste(&self, preset: &str, location: &str, kind: &str) {
        self.choose(preset, location, kind).await;
        self.click_button("Continue").await;
        self.wait_step(2).await;
        self.wait_for("#open-page").await;
        self.click_button("I have the token").await;
        self.wait_step(3).await;
    }

    /// Step 3: types the token (and the email, for API tokens) and presses "Check it"; waits
    /// for the verdict and returns its text.
    pub async fn paste_and_check(&self, token: &str, email: Option<&str>) -> String {
        self.paste(token, email).await;
        self.click_button("Check it").await;
        self.wait_step(4).await;
        self.verdict().await
    }

    /// Step 3: types the token (and the email).
    pub async fn paste(&self, token: &str, email: Option<&str>) {
        self.wait_step(3).await;
        if let Some(email) = email {
            self.fill("input[name=email]", email).await;
        }
        self.paste_token(token).await;
    }

    /// Puts `token` in the token field the way a paste does: one `input` event with the whole
    /// value (typing 200 characters one key at a time is slow and not what people do).
    pub async fn paste_token(&self, token: &str) {
        let el = self.wait_for("input[name=token]").await;
        el.clear().await.expect("clear the token field");
        self.client
            .execute(
                "const el = arguments[0]; el.focus(); el.value = arguments[1]; el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));",
                vec![serde_json::to_value(&el).unwrap(), Value::String(token.to_string())],
            )
            .await
            .expect("paste the token");
    }

    /// Sets an input's value as a picker would (one `input` event), e.g. a date field.
    pub async fn set_value(&self, css: &str, value: &str) {
        let el = self.wait_for(css).await;
        self.client
            .execute(
                "const el = arguments[0]; el.value = arguments[1]; el.dispatchEvent(new Event('input', { bubbles: true })); el.dispatchEvent(new Event('change', { bubbles: true })); return el.value;",
                vec![serde_json::to_value(&el).unwrap(), Value::String(value.to_string())],
            )
            .await
            .unwrap_or_else(|e| panic!("set {css}: {e}"));
    }

    /// Step 4: waits for the check to end; returns the verdict's text.
    pub async fn verdict(&self) -> String {
        self.wait_for("#verdict, #check-error").await;
        self.text("#verdict, #check-error").await
    }

    /// Step 4 → 5 → saved, as `name`. Returns the record the app wrote.
    pub async fn save_as(&self, name: &str) -> Value {
        self.click_button("Continue").await;
        self.wait_step(5).await;
        self.fill("input[name=name]", name).await;
        self.click_button("Save").await;
        self.wait_for("#saved").await;
        self.record(name).unwrap_or_else(|| panic!("no saved record named {name:?} in {}", self.config.display()))
    }

    // ---- what the app wrote ------------------------------------------------------------

    /// The saved record named `name` from the app's connections file.
    pub fn record(&self, name: &str) -> Option<Value> {
        let text = std::fs::read_to_string(self.config.join("connections.json")).ok()?;
        let file: Value = serde_json::from_str(&text).expect("connections.json is JSON");
        file["connections"].as_array()?.iter().find(|c| c["name"] == name).cloned()
    }

    /// Files under the app's config folder and HOME, and its log, that contain `needle`.
    pub fn files_containing(&self, needle: &str) -> Vec<PathBuf> {
        let mut found = files_containing(&self.config, needle);
        found.extend(files_containing(&self.home, needle));
        found.extend(files_containing(self.log.parent().unwrap(), needle));
        found
    }

    /// `secret` (a token, an API key) is nowhere in the page: not in a field, the markup, or
    /// web storage, which the app never uses.
    pub async fn assert_not_in_page(&self, secret: &str) {
        let found = self
            .client
            .execute(
                "const t = arguments[0];
                 const fields = [...document.querySelectorAll('input, textarea')].some((i) => i.value.includes(t));
                 const markup = document.documentElement.outerHTML.includes(t);
                 const storage = JSON.stringify(Object.assign({}, localStorage)) + JSON.stringify(Object.assign({}, sessionStorage));
                 return { fields, markup, storage: storage.includes(t), storageEmpty: localStorage.length === 0 && sessionStorage.length === 0 };",
                vec![Value::String(secret.to_string())],
            )
            .await
            .expect("look for the secret in the page");
        assert_eq!(
            found,
            serde_json::json!({"fields": false, "markup": false, "storage": false, "storageEmpty": true}),
            "the secret is still in the page"
        );
    }

    // ---- accessibility and screenshots -------------------------------------------------

    /// Runs axe-core on the window as it is now; fails listing every violation.
    pub async fn axe(&self, what: &str) {
        let violations = self.axe_violations(what).await;
        if !violations.is_empty() {
            let mut report = String::new();
            for v in &violations {
                report.push_str(&format!("\n- {} ({}): {}\n", v["id"].as_str().unwrap_or(""), v["impact"].as_str().unwrap_or(""), v["help"].as_str().unwrap_or("")));
                for n in v["nodes"].as_array().into_iter().flatten() {
                    report.push_str(&format!("    at {}\n      {}\n      {}\n", n["target"].as_str().unwrap_or(""), n["html"].as_str().unwrap_or(""), n["summary"].as_str().unwrap_or("").replace('\n', "\n      ")));
                }
            }
            panic!("axe-core found {} accessibility violation(s) on {what}{}:{report}", violations.len(), if self.setup.dark { " (dark)" } else { "" });
        }
    }

    /// The violations axe-core finds in the window as it is now (id, impact, help, nodes).
    pub async fn axe_violations(&self, what: &str) -> Vec<Value> {
        let loaded = self.js("return typeof window.axe === 'object' && typeof window.axe.run === 'function';").await;
        if loaded != Value::Bool(true) {
            self.client
                .execute(&format!("{AXE}\n;return typeof window.axe;"), vec![])
                .await
                .expect("inject axe-core");
        }
        let out = self
            .js_async(
                r#"axe.run(document, { resultTypes: ["violations"] }).then(
                  (r) => done({ ok: true, violations: r.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 200), summary: n.failureSummary })),
                  })) }),
                  (e) => done({ ok: false, error: String(e) }));"#,
            )
            .await;
        assert_eq!(out["ok"], Value::Bool(true), "axe-core failed to run on {what}: {}", out["error"]);
        out["violations"].as_array().cloned().unwrap_or_default()
    }

    /// Saves a screenshot as `<SCREENSHOTS_DIR>/<name>.png` when SCREENSHOTS_DIR is set.
    pub async fn shot(&self, name: &str) {
        let Some(dir) = std::env::var_os("SCREENSHOTS_DIR") else { return };
        let dir = PathBuf::from(dir);
        let dir = if dir.is_absolute() { dir } else { Path::new(env!("CARGO_MANIFEST_DIR")).join(dir) };
        let path = dir.join(format!("{name}.png"));
        // Let the page finish what it is drawing (animations to their end, two frames), then
        // give the X server a moment to receive the paint.
        let drawn = self
            .js_async(
                "document.getAnimations().forEach((a) => a.finish());
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
                 setTimeout(() => done(false), 2000);",
            )
            .await;
        assert_eq!(drawn, serde_json::json!(true), "screenshot {name}: the page drew no frame within 2 s");
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        self.screenshot(&path);
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // Close the window first (its Drop ends the session and the app), then clean up (the
        // user manager, if any, ends when its field is dropped after this).
        drop(self.session.take());
        remove_saved(&self.config);
    }
}

/// Removes what the tests saved in `config`: the records and their keychain entries.
fn remove_saved(config: &Path) {
    let store = Store::new(ConnectionsFile::at(config.join("connections.json")), Arc::new(KeyringStore::new()));
    if let Ok(loaded) = store.list() {
        for c in loaded.connections {
            let _ = store.remove(&c.id);
        }
    }
}

/// The secrets the OS keychain holds for the connection `id` under the app's service.
pub fn keychain_secrets(id: &str) -> Vec<String> {
    super::keychain::secrets(id)
}
