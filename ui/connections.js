// Saved connections: status (valid / needs attention / expired / expiring / keychain entry
// missing), last check, and actions: Re-test, Replace token, Remove (confirmed in a system dialog).

import { h, field } from "./dom.js";
import { judgePaste } from "./paste-shape.js";
import { supportDetails } from "./support.js";
import { remindersBox } from "./reminders.js";

const BADGES = {
  valid: ["ok", "Valid"],
  expiring_soon: ["warn", "Expiring soon"],
  expired: ["bad", "Expired"],
  needs_attention: ["bad", "Needs attention"],
  keychain_entry_missing: ["bad", "Keychain entry missing"],
};

function kindLabel(ctx, kind) {
  const info = ctx.kindInfo(kind);
  return info ? info.label : kind.replaceAll("_", " ");
}

/** The text as a sentence: ends with one full stop. */
function sentence(text) {
  const t = (text || "").trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

function when(iso) {
  if (!iso) return "never";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** Flags connections that expire within 14 days (or already did) at the top of the window. */
export async function refreshAlerts(ctx) {
  const alerts = document.getElementById("alerts");
  const count = document.getElementById("count");
  let view;
  try {
    view = await ctx.call("list_connections");
  } catch (err) {
    alerts.replaceChildren(h("p", { class: "banner bad", role: "alert" }, err.message));
    return null;
  }
  count.textContent = view.connections.length ? `(${view.connections.length})` : "";
  const flagged = view.connections.filter((c) => c.status === "expired" || c.status === "expiring_soon");
  const items = [];
  for (const message of view.set_aside) items.push(h("p", { class: "banner warn", role: "alert" }, message));
  if (flagged.length) {
    items.push(h("div", { class: "banner warn", role: "alert", id: "expiry-banner" },
      h("strong", {}, flagged.length === 1 ? "A token needs replacing soon: " : `${flagged.length} tokens need replacing soon: `),
      flagged.map((c) => `${c.name} (${c.status_text.toLowerCase()})`).join(", "), ". ",
      document.getElementById("connections").hidden
        ? h("button", { type: "button", class: "link", onclick: () => ctx.showConnections() }, "Open saved connections")
        : null));
  }
  alerts.replaceChildren(...items);
  return view;
}

function replaceForm(ctx, c, onDone) {
  const form = h("form", { class: "replace", novalidate: true, autocomplete: "off" });
  const tokenInput = h("input", { type: "password", name: "token", autocomplete: "off", spellcheck: false });
  const token = field({ label: `New ${kindLabel(ctx, c.kind)}`, input: tokenInput, name: "replace-token", hint: "The old token stays until the new one passes the check." });
  const emailInput = h("input", { type: "email", name: "email", value: c.email || "" });
  const email = field({ label: "Atlassian account email", input: emailInput, name: "replace-email" });
  email.wrap.hidden = c.kind !== "api_token";
  const expiresInput = h("input", { type: "date", name: "expires", value: c.expires || "" });
  const expires = field({ label: "New expiry date", input: expiresInput, name: "replace-expires" });
  const result = h("div", { role: "status", "aria-live": "polite" });
  const pageButton = h("button", { type: "button", class: "secondary" }, "Open the Bitbucket page");
  pageButton.addEventListener("click", async () => {
    try {
      const g = await ctx.call("creation_guide", { preset: c.preset, kind: c.kind, location: { workspace: c.workspace, repository: c.repository, git_ref: null, path: null }, scopes: c.preset === "custom" ? c.granted_scopes : [] });
      await ctx.call("open_page", { url: g.url });
    } catch (err) {
      result.textContent = err.message;
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const verdict = judgePaste(tokenInput.value, ctx.kindInfo(c.kind));
    if (!tokenInput.value.trim() || !verdict.ok) {
      token.setError(verdict.message || "Paste the new token.");
      tokenInput.focus();
      return;
    }
    token.setError("");
    const value = tokenInput.value;
    tokenInput.value = "";
    result.textContent = "Checking the new token…";
    try {
      const report = await ctx.call("replace_token", { input: { id: c.id, token: value, email: emailInput.value || null, expires: expiresInput.value || null } });
      if (report.ok) {
        onDone(`Token replaced: ${report.message}`, report);
      } else {
        result.replaceChildren(h("p", { class: "error" }, `The new token did not pass, so the old one was kept. ${report.message} ${report.next_step}`));
      }
    } catch (err) {
      if (err.field === "expires") expires.setError(err.message);
      else result.replaceChildren(h("p", { class: "error" }, err.message));
    }
  });
  form.append(token.wrap, email.wrap, expires.wrap, result,
    h("div", { class: "inline-actions" }, pageButton, h("button", { type: "submit", class: "primary" }, "Check and replace")));
  return form;
}

function card(ctx, c, refresh, announce) {
  const [tone, text] = BADGES[c.status] || ["muted", c.status];
  const place = c.repository ? `${c.workspace}/${c.repository}` : `${c.workspace} (workspace)`;
  const preset = ctx.catalog.presets.find((p) => p.id === c.preset);
  const slot = h("div", { class: "slot" });
  const support = supportDetails(ctx, "copy_connection_details", { id: c.id });
  const el = h("article", { class: "connection", "aria-labelledby": `conn-${c.id}`, dataset: { name: c.name, status: c.status } },
    h("header", {}, h("h2", { id: `conn-${c.id}` }, c.name), h("span", { class: `badge ${tone}` }, text)),
    h("p", { class: "meta" }, `${place} · ${kindLabel(ctx, c.kind)} · for ${preset ? preset.name : c.preset}`),
    c.description ? h("p", { class: "description" }, c.description) : null,
    c.api_url !== ctx.catalog.default_api_url
      ? h("p", { class: "meta not-cloud", "data-role": "api" }, `Checked against ${c.api_url}, not Bitbucket Cloud: the token is sent there.`)
      : null,
    h("p", { class: "meta" }, `${sentence(c.status_text)} Last checked: ${when(c.last_check && c.last_check.at)}.`),
    h("div", { class: "inline-actions" },
      h("button", { type: "button", class: "secondary", "data-action": "retest", onclick: retest }, "Re-test"),
      h("button", { type: "button", class: "secondary", "data-action": "replace", onclick: replace }, "Replace token"),
      h("button", { type: "button", class: "secondary", "data-action": "export", onclick: () => ctx.showExport(c.id) }, "Export"),
      support.button,
      h("button", { type: "button", class: "danger", "data-action": "remove", onclick: remove }, "Remove")),
    support.status, support.shown, slot);

  async function retest() {
    slot.replaceChildren(h("p", { role: "status" }, "Checking with Bitbucket…"));
    try {
      const report = await ctx.call("retest_connection", { id: c.id });
      await refresh(`${c.name}: ${report.ok ? "passed" : "did not pass"}. ${report.message}`);
    } catch (err) {
      slot.replaceChildren(h("p", { class: "error", role: "alert" }, err.message));
    }
  }
  function replace() {
    slot.replaceChildren(replaceForm(ctx, c, (msg, replaced) => refresh(msg, { id: c.id, name: c.name, ...replaced })));
    slot.querySelector("input").focus();
  }
  async function remove() {
    // The app asks for confirmation itself, in a dialog of the system.
    try {
      const outcome = await ctx.call("remove_connection", { id: c.id });
      if (outcome.removed) await refresh(outcome.message);
      else slot.replaceChildren(h("p", { role: "status" }, outcome.message));
    } catch (err) {
      slot.replaceChildren(h("p", { class: "error", role: "alert" }, err.message));
    }
  }
  return el;
}

const GROUP_TONES = { updated: "ok", left: "warn", by_hand: "todo" };

/** `path` with a line-break opportunity after each folder separator, so a long path wraps
 *  between folders (a <wbr> is not copied with the text, unlike a zero-width space). */
function breakable(path) {
  const parts = path.match(/[^\\/]+[\\/]?|[\\/]/g) || [path];
  return parts.flatMap((part, i) => (i ? [h("wbr"), part] : [part]));
}

/** One file, tool or form of the summary: its name and kind, what became of it, its full path
 *  (on a line of its own, wrapping), and the next step. */
function deliveredItem(item) {
  return h("li", { class: "delivered-item" },
    h("p", { class: "item-name" }, h("strong", {}, item.name), item.kind ? h("span", { class: "item-kind" }, item.kind) : null),
    h("p", { class: "item-detail" }, item.detail),
    item.path ? h("p", { class: "item-path" }, item.path_label ? `${item.path_label}: ` : null, h("code", {}, breakable(item.path))) : null,
    item.next ? h("p", { class: "item-next" }, item.next) : null);
}

/** After a token replacement: the check's verdict, then where the new token went, grouped
 *  (written again, left as it is, still to paste by hand), as window/src/advice/redeliver.rs
 *  words it. */
function deliveredPanel(ctx, replaced) {
  const view = replaced.delivered_view;
  const body = [
    h("h2", { id: "delivered-title", tabindex: "-1" }, `Token replaced for \u201c${replaced.name}\u201d`),
    h("p", { class: "delivered-verdict" }, replaced.message),
  ];
  if (replaced.delivery_problem) body.push(h("p", { class: "error" }, replaced.delivery_problem));
  for (const group of view ? view.groups : []) {
    const heading = h("h3", { id: `delivered-${group.kind}` }, group.title);
    body.push(h("div", { class: `delivered-group ${GROUP_TONES[group.kind] || ""}`, role: "group", "aria-labelledby": heading.id, dataset: { group: group.kind } },
      heading,
      h("ul", {}, group.items.map(deliveredItem)),
      group.kind === "by_hand"
        ? h("div", { class: "inline-actions" }, h("button", { type: "button", class: "secondary", "data-action": "form-fields", onclick: () => ctx.showExport(replaced.id) }, "Show the form\u2019s fields"))
        : null));
  }
  for (const note of view ? view.notes : []) body.push(h("p", { class: "item-detail" }, note));
  return h("section", { class: "delivered", id: "connections-delivered", "aria-labelledby": "delivered-title" }, body);
}

/** `replaced`: after a token replacement, what `replace_token` answered, with the connection's id and name. */
export async function renderConnections(ctx, main, message = "", replaced = null) {
  // After a replacement the summary shows the message itself; screen readers still hear it.
  const announce = h("p", { class: replaced ? "status visually-hidden" : "status", role: "status", "aria-live": "polite", id: "connections-status" }, message);
  const delivered = replaced ? deliveredPanel(ctx, replaced) : null;
  const list = h("div", { class: "connection-list" });
  const section = h("section", { class: "card", "aria-labelledby": "connections-title" },
    h("h1", { tabindex: "-1", id: "connections-title" }, "Saved connections"),
    h("p", { class: "lead" }, "Tokens are in your system keychain; re-test one after changing it in Bitbucket, replace it before it expires."),
    remindersBox(ctx),
    announce, delivered, list);
  main.replaceChildren(section);
  const view = await refreshAlerts(ctx);
  if (!view) {
    list.append(h("p", { class: "error" }, "The saved connections could not be read."));
    return;
  }
  const refresh = (msg, again) => renderConnections(ctx, main, msg, again);
  if (!view.connections.length) {
    list.append(h("div", { class: "empty" }, h("p", {}, "No saved connections yet."), h("button", { type: "button", class: "primary", onclick: () => ctx.showWizard() }, "Set one up")));
  }
  for (const c of view.connections) list.append(card(ctx, c, refresh, announce));
  // After a replacement the summary is what to read next: the keyboard starts there.
  (delivered ? delivered.querySelector("h2") : section.querySelector("h1")).focus();
}
