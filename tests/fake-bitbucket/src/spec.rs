//! The committed extract of Atlassian's OpenAPI spec (`tests/data/bitbucket-spec-extract.json`),
//! used as data: which path templates exist and which scopes each operation needs, in both
//! vocabularies. The fake derives its scope enforcement and its `x-accepted-oauth-scopes` header
//! from here, never from the app crate.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde_json::Value;

/// The raw extract, as committed.
pub const EXTRACT_JSON: &str = include_str!("../../data/bitbucket-spec-extract.json");

/// Scopes one operation needs. `None` means the spec lists no scopes of that vocabulary for the
/// operation (the fake then refuses that kind of credential there: see `crate::model`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationScopes {
    /// Old-style names (`security[].oauth2`): what access tokens are checked against, and what
    /// `x-accepted-oauth-scopes` lists.
    pub oauth2: Option<Vec<String>>,
    /// New-style names (`x-atlassian-oauth2-scopes`): what API tokens are checked against.
    pub api_token: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Lit(String),
    Param(String),
    /// A `{path}` parameter in last position: takes the rest of the path, slashes included.
    Rest(String),
    /// A segment mixing literals and parameters, e.g. `{repo_name}-issues-{task_id}.zip`.
    Mixed(Vec<Part>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    Lit(String),
    Param(String),
}

fn parse_mixed(s: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        match rest.find('{') {
            Some(0) => match rest.find('}') {
                Some(end) => {
                    parts.push(Part::Param(rest[1..end].to_owned()));
                    rest = &rest[end + 1..];
                }
                None => {
                    parts.push(Part::Lit(rest.to_owned()));
                    rest = "";
                }
            },
            Some(i) => {
                parts.push(Part::Lit(rest[..i].to_owned()));
                rest = &rest[i..];
            }
            None => {
                parts.push(Part::Lit(rest.to_owned()));
                rest = "";
            }
        }
    }
    parts
}

/// Matches `s` against literal and parameter parts (parameters take one or more characters).
fn match_mixed(parts: &[Part], s: &str, params: &mut BTreeMap<String, String>) -> bool {
    match parts.split_first() {
        None => s.is_empty(),
        Some((Part::Lit(l), rest)) => s.strip_prefix(l.as_str()).is_some_and(|t| match_mixed(rest, t, params)),
        Some((Part::Param(name), rest)) => {
            // every split point after at least one character
            let ends = s.char_indices().map(|(i, _)| i).skip(1).chain(std::iter::once(s.len()));
            for i in ends.filter(|i| *i > 0) {
                if match_mixed(rest, &s[i..], params) {
                    params.insert(name.clone(), s[..i].to_owned());
                    return true;
                }
            }
            false
        }
    }
}

#[derive(Debug)]
pub(crate) struct Template {
    pub path: String,
    pub segs: Vec<Seg>,
    pub ops: HashMap<String, OperationScopes>,
}

pub(crate) struct Spec {
    pub templates: Vec<Template>,
    pub schemas: serde_json::Map<String, Value>,
}

pub(crate) static SPEC: LazyLock<Spec> = LazyLock::new(|| Spec::parse(EXTRACT_JSON));

fn string_list(v: Option<&Value>) -> Option<Vec<String>> {
    match v {
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    }
}

impl Spec {
    fn parse(text: &str) -> Spec {
        // The extract is committed and checked by this crate's tests; a broken one gives an
        // empty model (every path 404) rather than a panic inside a server task.
        let root: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let mut templates = Vec::new();
        if let Some(ops) = root.get("operations").and_then(Value::as_object) {
            for (path, methods) in ops {
                let Some(methods) = methods.as_object() else { continue };
                let mut map = HashMap::new();
                for (method, o) in methods {
                    map.insert(
                        method.to_ascii_uppercase(),
                        OperationScopes {
                            oauth2: string_list(o.get("oauth2")),
                            api_token: string_list(o.get("api_token")),
                        },
                    );
                }
                let raw: Vec<&str> = path.trim_start_matches('/').split('/').collect();
                let n = raw.len();
                let segs = raw
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        if s.contains('{') && !(s.starts_with('{') && s.ends_with('}') && s.matches('{').count() == 1) {
                            Seg::Mixed(parse_mixed(s))
                        } else if s.starts_with('{') && s.ends_with('}') && s.len() >= 2 {
                            let name = s[1..s.len() - 1].to_owned();
                            if i + 1 == n && name == "path" {
                                Seg::Rest(name)
                            } else {
                                Seg::Param(name)
                            }
                        } else {
                            Seg::Lit((*s).to_owned())
                        }
                    })
                    .collect();
                templates.push(Template { path: path.clone(), segs, ops: map });
            }
        }
        let schemas = root
            .get("schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        Spec { templates, schemas }
    }

    /// Finds the template matching the decoded path segments (below `/2.0`). Literal segments
    /// beat parameters; the template with most literal matches wins.
    pub fn match_path(&self, segs: &[String]) -> Option<(&Template, BTreeMap<String, String>)> {
        let mut best: Option<(&Template, BTreeMap<String, String>, usize)> = None;
        for t in &self.templates {
            let Some((params, score)) = match_template(&t.segs, segs) else { continue };
            if best.as_ref().map_or(true, |(_, _, s)| score > *s) {
                best = Some((t, params, score));
            }
        }
        best.map(|(t, p, _)| (t, p))
    }
}

fn match_template(tpl: &[Seg], segs: &[String]) -> Option<(BTreeMap<String, String>, usize)> {
    let mut params = BTreeMap::new();
    let mut score = 0usize;
    for (i, t) in tpl.iter().enumerate() {
        match t {
            Seg::Rest(name) => {
                if i >= segs.len() {
                    return None;
                }
                params.insert(name.clone(), segs[i..].join("/"));
                return Some((params, score));
            }
            Seg::Lit(l) => {
                if segs.get(i)? != l {
                    return None;
                }
                score += 2;
            }
            Seg::Mixed(parts) => {
                if !match_mixed(parts, segs.get(i)?, &mut params) {
                    return None;
                }
                score += 2;
            }
            Seg::Param(name) => {
                let s = segs.get(i)?;
                if s.is_empty() {
                    return None;
                }
                params.insert(name.clone(), s.clone());
                score += 1;
            }
        }
    }
    if tpl.len() == segs.len() {
        Some((params, score))
    } else {
        None
    }
}

/// The scopes the spec extract lists for `method` on `path_template`
/// (e.g. `("GET", "/repositories/{workspace}/{repo_slug}")`). For tests and tools.
pub fn operation_scopes(method: &str, path_template: &str) -> Option<OperationScopes> {
    SPEC.templates
        .iter()
        .find(|t| t.path == path_template)
        .and_then(|t| t.ops.get(&method.to_ascii_uppercase()).cloned())
}

/// A schema from the extract (`repository`, `workspace`, `account`, `user`, `error`, ...).
pub fn schema(name: &str) -> Option<Value> {
    SPEC.schemas.get(name).cloned()
}

/// Old-style implications (access tokens only), as Atlassian's narrative states them
/// (`docs/scopes.md`, "Implications"):
/// `repository:write` ⊃ `repository`; `pullrequest` ⊃ `repository`;
/// `pullrequest:write` ⊃ `pullrequest` + `repository:write`; `project` ⊃ `repository`;
/// admin scopes imply nothing. New-style names imply nothing at all.
pub fn expand_old_style(granted: &[String]) -> Vec<String> {
    crate::behaviour::holds(granted, crate::behaviour::Implications::Documented)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<String> {
        p.trim_start_matches('/').split('/').map(str::to_owned).collect()
    }

    #[test]
    fn extract_parses() {
        assert!(SPEC.templates.len() > 100);
        assert!(SPEC.schemas.contains_key("repository"));
    }

    #[test]
    fn literal_beats_param() {
        let (t, p) = SPEC.match_path(&segs("/repositories/acme/website")).unwrap();
        assert_eq!(t.path, "/repositories/{workspace}/{repo_slug}");
        assert_eq!(p["workspace"], "acme");
        let (t, _) = SPEC.match_path(&segs("/user/workspaces")).unwrap();
        assert_eq!(t.path, "/user/workspaces");
        let (t, p) = SPEC
            .match_path(&segs("/repositories/a/b/src/main/docs/readme.md"))
            .unwrap();
        assert_eq!(t.path, "/repositories/{workspace}/{repo_slug}/src/{commit}/{path}");
        assert_eq!(p["path"], "docs/readme.md");
        assert!(SPEC.match_path(&segs("/nope")).is_none());
        let (t, p) = SPEC
            .match_path(&segs("/repositories/a/b/issues/export/b-issues-42.zip"))
            .unwrap();
        assert!(t.path.ends_with("{repo_name}-issues-{task_id}.zip"));
        assert_eq!(p["repo_name"], "b");
        assert_eq!(p["task_id"], "42");
        assert!(SPEC.match_path(&segs("/repositories/a/b/issues/export/-issues-.zip")).is_none());
    }

    #[test]
    fn implications() {
        let e = expand_old_style(&["pullrequest:write".into()]);
        for s in ["pullrequest", "repository:write", "repository"] {
            assert!(e.iter().any(|x| x == s), "{s}");
        }
        let e = expand_old_style(&["repository:admin".into()]);
        assert_eq!(e, vec!["repository:admin".to_owned()]);
    }
}
