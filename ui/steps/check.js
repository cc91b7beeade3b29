// Step 4: check the token against Bitbucket (read-only) and say plainly what was found, or
// exactly what is missing and how to fix it.

import { h } from "../dom.js";
import { supportDetails } from "../support.js";

export const title = "Check";

function scopeList(state) {
  return state.scopes.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

function capitalised(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

function facts(ctx, report) {
  const rows = [];
  const add = (label, ...value) => { if (value[0]) rows.push(h("div", { class: "fact" }, h("dt", {}, label), h("dd", {}, ...value))); };
  const kind = ctx.kindInfo(report.credential_kind);
  if (report.credential_type) {
    add("Credential", capitalised(kind ? kind.label : report.credential_kind), " ", h("code", { class: "type" }, report.credential_type));
  }
  add("Account", report.account);
  add("Workspace", report.workspace_name ? `${report.workspace_name} (${report.workspace})` : report.workspace);
  add("Repository", report.repository);
  add("Default branch", report.default_branch);
  return h("dl", { class: "facts" }, rows);
}

function verdict(ctx, report, status, pasteWarning) {
  const { state } = ctx;
  const good = report.ok;
  const box = h("section", { class: `verdict ${good ? "good" : "bad"}`, "aria-labelledby": "verdict-title", tabindex: "-1", id: "verdict" });
  box.append(
    h("h2", { id: "verdict-title" }, good ? "Ready to use" : "Not ready yet"),
    h("p", { class: "message", id: "verdict-message" }, report.message),
  );
  if (report.missing_labels.length) {
    box.append(h("p", { class: "missing-title", id: "missing-title" }, "Missing in Bitbucket's words:"), h("ul", { class: "missing", id: "missing", "aria-labelledby": "missing-title" },
      report.missing_labels.map((m) => h("li", {}, h("strong", {}, m.label), " ", h("code", {}, m.scope)))));
  }
  if (report.next_step) box.append(h("p", { class: "next" }, h("strong", {}, "What to do: "), report.next_step));
  if (pasteWarning) box.append(h("p", { class: "callout warn", role: "note" }, pasteWarning));
  box.append(facts(ctx, report));
  if (report.granted_raw.length) {
    // Bitbucket may list only the highest level of a scope; what that level includes is
    // shown too, marked as such.
    const listed = new Set(report.granted_raw);
    const held = [...report.granted_raw, ...report.granted.filter((s) => !listed.has(s))];
    box.append(h("details", { class: "granted" }, h("summary", {}, `Scopes this token holds (${held.length})`),
      h("ul", {}, held.map((s) => h("li", {}, h("code", {}, s), listed.has(s) ? null : " (included in the above)")))));
  }
  for (const w of report.warnings) box.append(h("p", { class: "callout warn", role: "note" }, w));
  const buttons = h("div", { class: "inline-actions" });
  if (!good && ["missing_scopes", "unauthorized", "unscoped_api_token", "wrong_token_for_location", "app_password_retired"].includes(report.problem) && state.guide) {
    const reopen = h("button", { type: "button", class: "primary", id: "reopen-page" }, "Open the Bitbucket page again");
    reopen.addEventListener("click", () => ctx.call("open_page", { url: state.guide.url }).then(
      () => { status.textContent = "Opened in your browser."; },
      (err) => { status.textContent = err.message; }));
    buttons.append(reopen);
  }
  if (!good) buttons.append(h("button", { type: "button", class: "secondary", onclick: () => ctx.go(2) }, "Paste another token"));
  const support = supportDetails(ctx, "copy_check_details");
  buttons.append(support.button);
  box.append(buttons, support.status, support.shown);
  return box;
}

export function render(ctx) {
  const { state } = ctx;
  const card = h("form", { class: "card step", novalidate: true });
  const area = h("div", { class: "check-area", "aria-live": "polite" });
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const nextButton = h("button", { type: "submit", class: "primary", disabled: true }, "Continue");

  function show(report, pasteWarning) {
    state.report = report;
    area.replaceChildren(verdict(ctx, report, status, pasteWarning));
    nextButton.disabled = !(report.ok && state.pendingId);
    area.querySelector("#verdict").focus();
    ctx.onEscape = null;
  }

  async function run(token) {
    const cancel = h("button", { type: "button", class: "secondary", id: "cancel-check" }, "Cancel");
    area.replaceChildren(h("div", { class: "progress", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), h("span", {}, "Checking with Bitbucket…"), cancel));
    let cancelled = false;
    const stop = () => {
      cancelled = true;
      ctx.call("cancel_check").catch(() => {});
      area.replaceChildren(h("p", { class: "callout", role: "status" }, "Check cancelled. Nothing was saved."), h("button", { type: "button", class: "secondary", onclick: () => ctx.go(2) }, "Back to the token"));
      ctx.onEscape = null;
    };
    cancel.addEventListener("click", stop);
    ctx.onEscape = stop;
    cancel.focus();
    state.pendingId = null;
    state.tokenChecked = false;
    state.checkedSig = ctx.signature();
    try {
      const outcome = await ctx.call("check_credential", {
        input: {
          kind: state.kind, token, email: state.email || null, location: state.locationInput,
          preset: state.preset, scopes: scopeList(state), api_url: state.apiUrl || null,
        },
      });
      token = null;
      if (cancelled) return;
      state.pendingId = outcome.pending_id;
      state.tokenChecked = Boolean(outcome.pending_id);
      show(outcome.report, outcome.paste_warning);
    } catch (err) {
      token = null;
      if (cancelled) return;
      ctx.onEscape = null;
      const box = h("section", { class: "verdict bad", id: "check-error", tabindex: "-1", "aria-labelledby": "check-error-title" },
        h("h2", { id: "check-error-title" }, "Could not check yet"), h("p", { class: "message" }, err.message),
        h("div", { class: "inline-actions" },
          h("button", { type: "button", class: "secondary", onclick: () => ctx.go(err.field === "location" ? 0 : 2) }, "Go back and fix it")));
      area.replaceChildren(box);
      box.focus();
    }
  }

  card.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.next();
  });
  card.append(
    h("h1", {}, "Check the token"),
    h("p", { class: "lead" }, "The assistant asks Bitbucket, read-only, what this token is and what it can do."),
    area,
    status,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => ctx.back() }, "Back"),
      nextButton),
  );
  const take = ctx.takeToken;
  ctx.takeToken = null;
  if (take) run(take());
  else if (state.report && ctx.checkIsCurrent()) queueMicrotask(() => show(state.report));
  else queueMicrotask(() => ctx.go(2));
  return card;
}
