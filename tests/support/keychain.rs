//! The OS keychain as libsecret's own client, `secret-tool`, sees it: what the app stored,
//! checked from outside the app. Only attributes go on `secret-tool`'s command line, never a
//! secret.

use std::process::Command;

use bitbucket_setup_core::store::secrets::SERVICE;

/// One Secret Service item as `secret-tool` (libsecret's own client) shows it.
#[derive(Debug, Default)]
pub struct Item {
    pub label: String,
    pub secret: String,
    pub attributes: std::collections::BTreeMap<String, String>,
}

/// `secret-tool search --all service <SERVICE> username <account>`: only attributes on the
/// command line, never the secret.
pub fn items(account: &str) -> Vec<Item> {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "service", SERVICE, "username", account])
        .output()
        .expect("secret-tool (libsecret-tools) must be installed for this test");
    assert!(
        out.status.success(),
        "secret-tool failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // secret-tool prints label/secret on stdout and attributes on stderr, item by item.
    let mut items: Vec<Item> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if line.starts_with('[') {
            items.push(Item::default());
        } else if let (Some(item), Some((k, v))) = (items.last_mut(), line.split_once(" = ")) {
            match k {
                "label" => item.label = v.to_string(),
                "secret" => item.secret = v.to_string(),
                _ => {}
            }
        }
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let attr_lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("attribute."))
        .collect();
    if items.len() == 1 {
        for l in attr_lines {
            if let Some((k, v)) = l.trim_start_matches("attribute.").split_once(" = ") {
                items[0].attributes.insert(k.to_string(), v.to_string());
            }
        }
    }
    items
}

/// The secrets stored for the connection `account`.
pub fn secrets(account: &str) -> Vec<String> {
    items(account).into_iter().map(|i| i.secret).collect()
}

/// Every secret stored under the app's service.
pub fn service_secrets() -> Vec<String> {
    let out = Command::new("secret-tool").args(["search", "--all", "service", SERVICE]).output().expect("secret-tool (libsecret-tools)");
    String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.strip_prefix("secret = ").map(str::to_string)).collect()
}

/// Deletes the connection's item, as a user would in their keychain app.
pub fn clear(account: &str) {
    let st = Command::new("secret-tool").args(["clear", "service", SERVICE, "username", account]).status().expect("secret-tool (libsecret-tools)");
    assert!(st.success(), "secret-tool clear failed");
}
