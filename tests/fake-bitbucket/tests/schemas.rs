//! The fake's JSON bodies against the schemas of the committed spec extract: `required`
//! properties present, declared types and enums respected, `additionalProperties: false`
//! honoured, following `allOf` and `$ref` (to schemas the extract keeps) and array `items`.

mod common;

use common::*;
use fake_bitbucket::{demo, Fault};
use serde_json::{json, Map, Value};

/// Where the real service is known to differ from its own spec, and the fake follows the service.
const KNOWN_DEVIATIONS: &[(&str, &str)] = &[
    // A 403 "lack one or more required privilege scopes" has (`docs/bitbucket-behaviour.md`, "Answers")
    // `detail: {"required": [...], "granted": [...]}` where the spec says `detail` is a string.
    ("error", "error.detail"),
];

struct Checker {
    schemas: Map<String, Value>,
    root: &'static str,
    errors: Vec<String>,
}

impl Checker {
    fn new(root: &'static str) -> Checker {
        let x = extract();
        Checker { schemas: x["schemas"].as_object().unwrap().clone(), root, errors: Vec::new() }
    }

    fn check(&mut self, value: &Value, schema: &Value, at: &str, depth: usize) {
        if depth > 8 || value.is_null() {
            return;
        }
        if KNOWN_DEVIATIONS.iter().any(|(root, path)| *root == self.root && *path == at) {
            return;
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap_or("");
            if let Some(s) = self.schemas.get(name).cloned() {
                self.check(value, &s, at, depth + 1);
            }
            return;
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            for p in parts.clone() {
                self.check(value, &p, at, depth + 1);
            }
        }
        if let Some(t) = schema.get("type").and_then(Value::as_str) {
            let ok = match t {
                "string" => value.is_string(),
                "boolean" => value.is_boolean(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "object" => value.is_object(),
                "array" => value.is_array(),
                _ => true,
            };
            if !ok {
                self.errors.push(format!("{at}: expected {t}, got {value}"));
                return;
            }
        }
        if let Some(e) = schema.get("enum").and_then(Value::as_array) {
            if !e.contains(value) {
                self.errors.push(format!("{at}: {value} not in {e:?}"));
            }
        }
        if let Some(req) = schema.get("required").and_then(Value::as_array) {
            for k in req.iter().filter_map(Value::as_str) {
                if value.get(k).is_none() {
                    self.errors.push(format!("{at}: missing required {k:?}"));
                }
            }
        }
        if let (Some(props), Some(obj)) = (schema.get("properties").and_then(Value::as_object), value.as_object()) {
            for (k, sub) in props {
                if let Some(v) = obj.get(k) {
                    let child = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
                    self.check(v, sub, &child, depth + 1);
                }
            }
            if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
                for k in obj.keys() {
                    if !props.contains_key(k) {
                        self.errors.push(format!("{at}: property {k:?} not allowed"));
                    }
                }
            }
        }
        if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
            for (i, v) in arr.iter().enumerate() {
                self.check(v, items, &format!("{at}[{i}]"), depth + 1);
            }
        }
    }
}

fn assert_matches(value: &Value, schema_name: &'static str) {
    let mut c = Checker::new(schema_name);
    let schema = c.schemas.get(schema_name).cloned().unwrap_or_else(|| panic!("no schema {schema_name}"));
    c.check(value, &schema, "", 0);
    assert!(c.errors.is_empty(), "{schema_name}: {:#?}\n{value:#}", c.errors);
}

/// Every property the schema lists (own and through allOf → $ref, one level).
fn listed_properties(schema_name: &str) -> Vec<String> {
    let x = extract();
    let s = &x["schemas"][schema_name];
    let mut out = Vec::new();
    let parts: Vec<Value> = match s.get("allOf").and_then(Value::as_array) {
        Some(p) => p.clone(),
        None => vec![s.clone()],
    };
    for p in parts {
        let p = match p.get("$ref").and_then(Value::as_str) {
            Some(r) => x["schemas"][r.rsplit('/').next().unwrap()].clone(),
            None => p,
        };
        if let Some(props) = p.get("properties").and_then(Value::as_object) {
            out.extend(props.keys().cloned());
        }
    }
    out
}

fn assert_has_all_listed(value: &Value, schema_name: &str, except: &[&str]) {
    for k in listed_properties(schema_name) {
        if !except.contains(&k.as_str()) {
            assert!(value.get(&k).is_some(), "{schema_name} lacks {k}: {value:#}");
        }
    }
}

#[test]
fn the_checker_catches_mistakes() {
    let mut c = Checker::new("repository");
    let s = c.schemas["repository"].clone();
    c.check(&json!({"full_name": 5, "fork_policy": "sometimes", "links": {"bogus": {}}}), &s, "", 0);
    let e = c.errors.join("\n");
    assert!(e.contains("missing required \"type\""), "{e}");
    assert!(e.contains("full_name: expected string"), "{e}");
    assert!(e.contains("fork_policy"), "{e}");
    assert!(e.contains("\"bogus\" not allowed"), "{e}");
}

#[tokio::test]
async fn repository() {
    let fake = demo_fake().await;
    for (path, auth) in [
        ("/repositories/acme/website", sqai()),
        ("/repositories/acme/public-docs", Auth::None),
        ("/repositories/acme/mobile-app", autoheal()),
    ] {
        let r = fetch(&fake, path, auth).await;
        assert_eq!(r.status, 200);
        let v = r.json();
        assert_matches(&v, "repository");
        // `parent` is only for forks; `project` only when the repository has one
        let except: &[&str] = if v.get("project").is_some() { &["parent"] } else { &["parent", "project"] };
        assert_has_all_listed(&v, "repository", except);
        // what the app reads
        assert_eq!(v["type"], "repository");
        for k in ["full_name", "uuid", "name", "slug"] {
            assert!(v[k].is_string(), "{k}");
        }
        assert!(v["is_private"].is_boolean());
        assert!(v["mainbranch"]["name"].is_string());
        assert!(v["links"]["html"]["href"].as_str().unwrap().starts_with("https://bitbucket.org/"));
        assert_eq!(v["workspace"]["type"], "workspace");
        assert_eq!(v["workspace"]["slug"], "acme");
        assert!(v["workspace"]["uuid"].as_str().unwrap().starts_with('{'));
    }
    let v = fetch(&fake, "/repositories/acme/website", sqai()).await.json();
    assert_eq!(v["project"]["key"], "WEB");
    assert_matches(&v["project"], "project");
}

#[tokio::test]
async fn workspace_project_and_pages() {
    let fake = demo_fake().await;
    let ws = Auth::Bearer(demo::WORKSPACE_TOKEN);
    let v = fetch(&fake, "/workspaces/acme", ws).await.json();
    assert_matches(&v, "workspace");
    assert_has_all_listed(&v, "workspace", &[]);
    assert_eq!(v["type"], "workspace");
    assert_eq!(v["slug"], "acme");
    assert_eq!(v["name"], demo::WORKSPACE_NAME);

    let v = fetch(&fake, "/workspaces/acme/projects/WEB", ws).await.json();
    assert_matches(&v, "project");
    assert_has_all_listed(&v, "project", &[]);

    for (path, schema) in [
        ("/repositories/acme", "paginated_repositories"),
        ("/workspaces/acme/projects", "paginated_projects"),
        ("/workspaces/acme/members", "paginated_workspace_memberships"),
        ("/repositories/acme/website/pullrequests", "paginated_pullrequests"),
        ("/repositories/acme/website/pipelines", "paginated_pipelines"),
        ("/repositories/acme/website/hooks", "paginated_webhook_subscriptions"),
    ] {
        let r = fetch(&fake, path, ws).await;
        assert_eq!(r.status, 200, "{path}");
        let v = r.json();
        assert_matches(&v, schema);
        assert!(v["values"].is_array() && v["pagelen"].is_u64() && v["size"].is_u64() && v["page"].is_u64(), "{path}");
    }
    let v = fetch(&fake, "/workspaces/acme/members", ws).await.json();
    assert!(!v["values"].as_array().unwrap().is_empty());
    for m in v["values"].as_array().unwrap() {
        assert_matches(m, "workspace_membership");
        assert_matches(&m["user"], "account");
    }
}

#[tokio::test]
async fn branches() {
    let fake = demo_fake().await;
    let v = fetch(&fake, "/repositories/acme/website/refs/branches/main", sqai()).await.json();
    assert_matches(&v, "branch");
    assert_eq!(v["type"], "branch");
    assert_eq!(v["target"]["hash"].as_str().unwrap().len(), 40);
    let v = fetch(&fake, "/repositories/acme/website/refs/branches", sqai()).await.json();
    for b in v["values"].as_array().unwrap() {
        assert_matches(b, "branch");
    }
}

#[tokio::test]
async fn user() {
    let fake = demo_fake().await;
    for auth in [autoheal(), Auth::Basic(demo::READER_EMAIL, demo::API_TOKEN_REPO_READ)] {
        let r = fetch(&fake, "/user", auth).await;
        if r.status == 403 {
            continue; // the reader lacks read:user
        }
        let v = r.json();
        assert_matches(&v, "user");
        assert_has_all_listed(&v, "user", &[]);
        assert_has_all_listed(&v, "account", &[]);
        for k in ["account_id", "uuid", "display_name"] {
            assert!(v[k].is_string(), "{k}");
        }
    }
}

#[tokio::test]
async fn errors() {
    let fake = demo_fake().await;
    let cases: Vec<(String, Auth<'static>, u16)> = vec![
        ("/user".into(), sqai(), 403),
        ("/repositories/acme/website/pipelines".into(), sqai(), 403),
        ("/repositories/other-co/secret".into(), sqai(), 404),
        ("/nope".into(), sqai(), 404),
        ("/repositories/acme/website".into(), Auth::Bearer(demo::EXPIRED_TOKEN), 401),
        ("/repositories/acme/website".into(), Auth::Basic(demo::ADMIN_EMAIL, demo::API_TOKEN_UNSCOPED), 401),
        ("/workspaces".into(), autoheal(), 410),
        ("/user".into(), Auth::None, 401),
    ];
    for (path, auth, status) in cases {
        let r = fetch(&fake, &path, auth).await;
        assert_eq!(r.status, status, "{path}");
        let v = r.json();
        assert_matches(&v, "error");
        assert_eq!(v["type"], "error");
        assert!(v["error"]["message"].is_string());
    }
    for code in [400, 500, 502, 503] {
        fake.set_fault(Fault::Status(code));
        assert_matches(&fetch(&fake, "/user", autoheal()).await.json(), "error");
    }
}
