#!/usr/bin/env python3
"""Makes tests/data/bitbucket-spec-extract.json from Atlassian's OpenAPI spec of Bitbucket Cloud.

The tests read only this trimmed extract, committed together with this script. Re-run it when
Atlassian publishes a new spec (what the tables rely on is in docs/scopes.md):

    curl -fsSL -o swagger.v3.json https://dac-static.atlassian.com/cloud/bitbucket/swagger.v3.json
    python3 tests/data/extract-spec.py swagger.v3.json

It keeps, for every operation, the scopes it needs in both vocabularies (old style under
`security[].oauth2`, new style under `x-atlassian-oauth2-scopes`), the old-style scope
descriptions, and the few response schemas the fake Bitbucket must follow.
"""
import json
import sys

SCHEMAS = ["repository", "workspace", "account", "user", "error", "branch", "project",
           "pullrequest", "pipeline", "webhook_subscription", "paginated_repositories",
           "paginated_pullrequests", "paginated_pipelines", "paginated_webhook_subscriptions",
           "paginated_projects", "paginated_workspace_memberships", "workspace_membership",
           "object", "base_commit", "commit", "ref"]


def main(src, dst):
    spec = json.load(open(src, encoding="utf-8"))
    operations = {}
    for path, item in sorted(spec["paths"].items()):
        for method, op in sorted(item.items()):
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            old = None
            for requirement in op.get("security") or []:
                if "oauth2" in requirement:
                    old = sorted(requirement["oauth2"])
            new = None
            for entry in op.get("x-atlassian-oauth2-scopes") or []:
                if entry.get("scheme") == "oauth2":
                    new = sorted(entry.get("scopes") or [])
            operations.setdefault(path, {})[method] = {"oauth2": old, "api_token": new}
    schemes = spec["components"]["securitySchemes"]
    old_scopes = schemes["oauth2"]["flows"]["authorizationCode"]["scopes"]
    schemas = {k: v for k, v in spec["components"]["schemas"].items() if k in SCHEMAS}
    out = {
        "source": "Atlassian Bitbucket Cloud OpenAPI 3 spec (REST API 2.0)",
        "x-revision": spec.get("x-revision"),
        "old_scopes": old_scopes,
        "new_scopes": sorted({s for ops in operations.values() for o in ops.values()
                              for s in (o["api_token"] or [])}),
        "operations": operations,
        "schemas": schemas,
    }
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    src = sys.argv[1] if len(sys.argv) > 1 else "swagger.v3.json"
    dst = sys.argv[2] if len(sys.argv) > 2 else "tests/data/bitbucket-spec-extract.json"
    main(src, dst)
