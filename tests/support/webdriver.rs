//! Drives the real app window: WebKitWebDriver (Debian's webkit2gtk-driver) starts the app
//! binary with `webkitgtk:browserOptions`, and fantoccini speaks WebDriver to it.
//!
//! Waiting is always for a condition in the page (evaluated in the page, every 25 ms, up to a
//! deadline), never a fixed sleep. A [`Session`] cleans up after itself even when a test
//! panics: its `Drop` ends the WebDriver session (which closes the app), then kills what is left.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

use super::free_port;

/// How long a wait for the page may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

pub struct Session {
    pub client: Client,
    driver: Driver,
    session_id: Option<String>,
    app_pid: Option<u32>,
}

/// The WebKitWebDriver process; killed on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

/// Whether a window test can run here (display and driver).
pub fn available() -> Result<(), String> {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err("no DISPLAY (run through scripts/test.sh, which starts Xvfb)".into());
    }
    if !on_path("WebKitWebDriver") {
        return Err("WebKitWebDriver not installed (Debian package webkit2gtk-driver)".into());
    }
    Ok(())
}

/// The pids of the direct children of `pid` (all its threads).
fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return out };
    for task in tasks.flatten() {
        if let Ok(text) = std::fs::read_to_string(task.path().join("children")) {
            out.extend(text.split_whitespace().filter_map(|p| p.parse::<u32>().ok()));
        }
    }
    out
}

/// Every process below `pid`.
fn descendants_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        for c in children_of(p) {
            out.push(c);
            todo.push(c);
        }
    }
    out
}

fn alive(pid: u32) -> bool {
    // A zombie is as good as gone.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'),
        Err(_) => false,
    }
}

fn kill(pid: u32) {
    let _ = Command::new("kill").arg("-KILL").arg(pid.to_string()).stderr(Stdio::null()).status();
}

/// A blocking `DELETE` to the driver, for cleanup where no async runtime can be used.
fn http_delete(port: u16, path: &str) {
    let Ok(mut stream) = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(2)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = write!(stream, "DELETE {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let mut sink = Vec::new();
    let _ = stream.read_to_end(&mut sink);
}

impl Session {
    /// Starts WebKitWebDriver with `env` added to and `remove` taken from this process's
    /// environment (the driver passes its environment on to the app) and its output, with the
    /// app's, going to the file `log`; then opens a session
    /// that launches `app`, and waits until the page says it is ready (`body[data-ready]`).
    pub async fn start(app: &Path, env: &[(String, String)], remove: &[&str], log: &Path) -> Session {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = free_port();
        let mut cmd = Command::new("WebKitWebDriver");
        let log = std::fs::File::create(log).unwrap_or_else(|e| panic!("create {}: {e}", log.display()));
        cmd.arg(format!("--port={port}"))
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log);
        for k in remove {
            cmd.env_remove(k);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut driver = Driver { child: cmd.spawn().expect("start WebKitWebDriver"), port };
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "WebKitWebDriver did not listen on port {port}");
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("WebKitWebDriver exited at once: {status}");
            }
            // The driver is a separate process: there is no page to wait on yet.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "webkitgtk:browserOptions".into(),
            json!({"binary": app.to_string_lossy(), "args": []}),
        );
        let client = match ClientBuilder::new(HttpConnector::new()).capabilities(caps).connect(&format!("http://127.0.0.1:{port}")).await {
            Ok(client) => client,
            Err(e) => panic!("could not open a WebDriver session with the app: {e}"),
        };
        let session_id = client.session_id().await.ok().flatten();
        // The command line started without arguments becomes the window program beside it
        // (exec: the same process, the window's file as argv[0]).
        let binary = std::fs::canonicalize(super::window_binary()).unwrap_or_else(|_| app.to_path_buf());
        // By its command line: the app is not dumpable (crates/core/src/hardening.rs), so unless
        // the tests run as root, its /proc/PID/exe cannot be read; cmdline can.
        let app_pid = children_of(driver.child.id()).into_iter().find(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .ok()
                .and_then(|c| c.split(|b| *b == 0).next().map(|argv0| String::from_utf8_lossy(argv0).into_owned()))
                .and_then(|argv0| std::fs::canonicalize(argv0).ok())
                .is_some_and(|exe| exe == binary)
        });
        let session = Session { client, driver, session_id, app_pid };
        session.wait_for("body[data-ready=true]").await;
        session
    }

    /// Evaluates the JavaScript expression `cond` in the page until it is truthy; returns its
    /// value. Panics after [`WAIT`] with `what` and the window's text.
    pub async fn wait_js(&self, what: &str, cond: &str) -> Value {
        let script = format!(
            r#"const done = arguments[arguments.length - 1];
            const limit = Date.now() + {ms};
            const check = () => {{ try {{ return ({cond}); }} catch (e) {{ return null; }} }};
            (function tick() {{
              const v = check();
              if (v) return done({{ ok: true, value: v }});
              if (Date.now() > limit) return done({{ ok: false, text: document.body ? document.body.innerText : "" }});
              setTimeout(tick, 25);
            }})();"#,
            ms = WAIT.as_millis()
        );
        let out = self
            .client
            .execute_async(&script, vec![])
            .await
            .unwrap_or_else(|e| panic!("waiting for {what}: the script failed: {e}"));
        if out["ok"] == json!(true) {
            return out["value"].clone();
        }
        panic!("timed out waiting for {what}; the window shows:\n{}", out["text"].as_str().unwrap_or(""));
    }

    /// Waits for an element matching `css` that is displayed, and returns it.
    pub async fn wait_for(&self, css: &str) -> Element {
        let css_js = serde_json::to_string(css).unwrap();
        self.wait_js(
            &format!("{css} to be shown"),
            &format!("(() => {{ const el = document.querySelector({css_js}); return !!el && el.getClientRects().length > 0; }})()"),
        )
        .await;
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("find {css}: {e}"))
    }

    /// Waits until no element matches `css` (or none is displayed).
    pub async fn wait_gone(&self, css: &str) {
        let css_js = serde_json::to_string(css).unwrap();
        self.wait_js(
            &format!("{css} to go away"),
            &format!("[...document.querySelectorAll({css_js})].every((el) => el.getClientRects().length === 0)"),
        )
        .await;
    }

    /// Waits until the text of `css` contains `needle`; returns the text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let css_js = serde_json::to_string(css).unwrap();
        let needle_js = serde_json::to_string(needle).unwrap();
        let v = self
            .wait_js(
                &format!("{needle:?} in {css}"),
                &format!("(() => {{ const el = document.querySelector({css_js}); const t = el && el.innerText; return t && t.includes({needle_js}) ? t : null; }})()"),
            )
            .await;
        v.as_str().unwrap_or_default().to_string()
    }

    /// The rendered text of the first element matching `css` ("" when there is none).
    pub async fn text(&self, css: &str) -> String {
        let css_js = serde_json::to_string(css).unwrap();
        self.js(&format!("const el = document.querySelector({css_js}); return el ? el.innerText : '';"))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks the displayed, enabled button whose text is exactly `label`.
    pub async fn click_button(&self, label: &str) {
        let label_js = serde_json::to_string(label).unwrap();
        self.wait_js(
            &format!("an enabled button {label:?}"),
            &format!(
                "[...document.querySelectorAll('button')].some((b) => b.innerText.trim() === {label_js} && !b.disabled && b.getClientRects().length > 0)"
            ),
        )
        .await;
        let xpath = format!("//button[normalize-space(.)={}]", xpath_literal(label));
        for b in self.client.find_all(Locator::XPath(&xpath)).await.unwrap_or_default() {
            if b.is_displayed().await.unwrap_or(false) && b.is_enabled().await.unwrap_or(false) {
                b.click().await.unwrap_or_else(|e| panic!("click {label}: {e}"));
                return;
            }
        }
        panic!("no enabled button {label:?}; the window shows:\n{}", self.text("body").await);
    }

    /// Types into an input after clearing it, as a person would (key events).
    pub async fn fill(&self, css: &str, value: &str) {
        let el = self.wait_for(css).await;
        el.clear().await.unwrap_or_else(|e| panic!("clear {css}: {e}"));
        if !value.is_empty() {
            el.send_keys(value).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
        }
    }

    /// Sends one key to the focused element.
    pub async fn press(&self, key: Key) {
        let el = self.client.active_element().await.expect("the focused element");
        el.send_keys(&char::from(key).to_string()).await.unwrap_or_else(|e| panic!("press {key:?}: {e}"));
    }

    pub async fn value(&self, css: &str) -> String {
        let el = self.wait_for(css).await;
        el.prop("value").await.ok().flatten().unwrap_or_default()
    }

    /// Runs a script in the page and returns its JSON result.
    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs an asynchronous script: it ends by calling `done(value)`.
    pub async fn js_async(&self, body: &str) -> Value {
        let script = format!("const done = arguments[arguments.length - 1];\n{body}");
        self.client.execute_async(&script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{body}"))
    }

    /// The value of `var` in the environment of each of the window's WebKit web processes
    /// (what WebKit itself read when it started them).
    pub fn web_process_env(&self, var: &str) -> Vec<Option<String>> {
        let Some(app) = self.app_pid else { panic!("the app's process was not found under the driver") };
        let web: Vec<u32> = descendants_of(app)
            .into_iter()
            .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "WebKitWebProces"))
            .collect();
        assert!(!web.is_empty(), "the app {app} has no WebKitWebProcess");
        web.iter()
            .map(|pid| {
                let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
                let prefix = format!("{var}=");
                environ
                    .split(|b| *b == 0)
                    .find_map(|kv| kv.strip_prefix(prefix.as_bytes()).map(|v| String::from_utf8_lossy(v).into_owned()))
            })
            .collect()
    }

    /// Saves what the X server shows of the app's window (PNG) to `path`: the picture a person
    /// looking at the screen gets, taken with ImageMagick's `import`.
    ///
    /// Not WebDriver's screenshot: that one waits for WebKit's next presentation update, and on
    /// the legacy renderer the app uses (window/src/renderer.rs) an idle page may present none.
    pub fn screenshot(&self, path: &Path) {
        let window = self.x_window().unwrap_or_else(|| panic!("no X window of the app (pid {:?}) was found", self.app_pid));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot folder");
        }
        let status = Command::new("import").args(["-window", &window]).arg(path).status().expect("run ImageMagick's import");
        assert!(status.success(), "import -window {window} failed: {status}");
    }

    /// The app's top-level X window: the one, larger than GTK's 10x10 leader, whose
    /// _NET_WM_PID is the app's process.
    fn x_window(&self) -> Option<String> {
        let pid = self.app_pid?;
        let tree = Command::new("xwininfo").args(["-root", "-children"]).output().expect("run xwininfo (x11-utils)");
        String::from_utf8_lossy(&tree.stdout).lines().find_map(|line| {
            let id = line.split_whitespace().next().filter(|w| w.starts_with("0x"))?;
            let size = line.split_whitespace().find(|w| w.contains('x') && w.contains('+') && !w.starts_with("0x"))?;
            let width: u32 = size.split('x').next()?.parse().ok()?;
            if width <= 10 {
                return None;
            }
            let prop = Command::new("xprop").args(["-id", id, "_NET_WM_PID"]).output().ok()?;
            let owner = String::from_utf8_lossy(&prop.stdout).rsplit('=').next()?.trim().parse::<u32>().ok()?;
            (owner == pid).then(|| id.to_string())
        })
    }

    /// Ends the session (the driver closes the app) and stops the driver.
    pub async fn close(mut self) {
        if self.client.clone().close().await.is_ok() {
            self.session_id = None;
        }
        self.shutdown();
    }

    fn shutdown(&mut self) {
        // The app and its WebKit helper processes (which write to the app's HOME as they
        // exit): all must be gone before the caller deletes that HOME.
        let mut family = descendants_of(self.driver.child.id());
        family.extend(self.app_pid.take());
        if let Some(id) = self.session_id.take() {
            http_delete(self.driver.port, &format!("/session/{id}"));
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while family.iter().any(|&pid| alive(pid)) && Instant::now() < deadline {
            // Waiting for other processes to exit: there is no page to wait on.
            std::thread::sleep(Duration::from_millis(20));
        }
        for &pid in &family {
            if alive(pid) {
                kill(pid);
            }
        }
        let _ = self.driver.child.kill();
        let _ = self.driver.child.wait();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("concat('{}')", s.replace('\'', "', \"'\", '"))
    }
}
