//! Drives the real app window: WebKitWebDriver (Debian's webkit2gtk-driver) starts the app
//! binary with `webkitgtk:browserOptions`, and fantoccini speaks WebDriver to it. One app
//! session at a time (the tests that use it hold [`SESSION_LOCK`]).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

pub static SESSION_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub struct Session {
    pub client: Client,
    driver: Child,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port()
}

/// Whether a window test can run here (display and driver).
pub fn available() -> Result<(), String> {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err("no DISPLAY (run through scripts/test.sh, which starts Xvfb)".into());
    }
    if Command::new("WebKitWebDriver").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_err() {
        return Err("WebKitWebDriver not installed (Debian package webkit2gtk-driver)".into());
    }
    Ok(())
}

impl Session {
    /// Starts the app with `env` (on top of this process's environment) and connects.
    pub async fn start(app: &Path, env: &[(&str, String)]) -> Session {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = free_port();
        let mut cmd = Command::new("WebKitWebDriver");
        cmd.arg(format!("--port={port}"))
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let driver = cmd.spawn().expect("start WebKitWebDriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "WebKitWebDriver did not listen on port {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "webkitgtk:browserOptions".into(),
            serde_json::json!({"binary": app.to_string_lossy(), "args": []}),
        );
        caps.insert("browserName".into(), serde_json::json!("wry"));
        let mut last_err = String::new();
        for _ in 0..3 {
            match ClientBuilder::rustls()
                .expect("rustls client")
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => {
                    let session = Session { client, driver };
                    session.wait_ready().await;
                    return session;
                }
                Err(e) => {
                    last_err = e.to_string();
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
            }
        }
        panic!("could not open a WebDriver session with the app: {last_err}");
    }

    async fn wait_ready(&self) {
        self.wait_for("body[data-ready=true]").await;
    }

    /// Waits up to 15 s for a CSS selector to match a displayed element.
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if el.is_displayed().await.unwrap_or(false) {
                    return el;
                }
            }
            if Instant::now() > deadline {
                let text = self.text("body").await;
                panic!("timed out waiting for {css}; the window shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `css` contains `needle` in its text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text(css).await;
            if text.contains(needle) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {needle:?} in {css}; it shows:\n{text}\n--- body:\n{}", self.text("body").await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    pub async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks the (visible) button whose text is exactly `label`.
    pub async fn click_button(&self, label: &str) {
        let xpath = format!("//button[normalize-space(.)='{label}']");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(buttons) = self.client.find_all(Locator::XPath(&xpath)).await {
                for b in buttons {
                    if b.is_displayed().await.unwrap_or(false) && b.is_enabled().await.unwrap_or(false) {
                        b.click().await.unwrap_or_else(|e| panic!("click {label}: {e}"));
                        return;
                    }
                }
            }
            if Instant::now() > deadline {
                panic!("no enabled button {label:?}; the window shows:\n{}", self.text("body").await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types into an input after clearing it.
    pub async fn fill(&self, css: &str, value: &str) {
        let el = self.wait_for(css).await;
        el.clear().await.unwrap_or_else(|e| panic!("clear {css}: {e}"));
        el.send_keys(value).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    pub async fn value(&self, css: &str) -> String {
        let el = self.wait_for(css).await;
        el.prop("value").await.ok().flatten().unwrap_or_default()
    }

    /// Runs a script in the page and returns its JSON result.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Saves a screenshot of the window (PNG) to `path`.
    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.expect("screenshot");
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(path, png).expect("write screenshot");
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
