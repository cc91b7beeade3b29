// Step 3: paste the token (and the Atlassian email for API tokens), and the expiry date the
// user chose. The token stays in the field only; "Check" sends it to Rust once.

import { h, field } from "../dom.js";
import { judgePaste } from "../paste-shape.js";

export const title = "Paste";

export function render(ctx) {
  const { state } = ctx;
  const kind = ctx.kindInfo(state.kind);
  const form = h("form", { class: "card step", novalidate: true, autocomplete: "off" });
  // A check made with other inputs (changed in step 1 or here) no longer counts.
  if (state.tokenChecked && !ctx.checkIsCurrent()) ctx.forgetCheck();

  const tokenInput = h("input", { type: "password", name: "token", autocomplete: "off", spellcheck: false, placeholder: state.tokenChecked ? "Already checked — paste again to replace it" : "" });
  const token = field({ label: kind ? `Your ${kind.label}` : "Token", input: tokenInput, name: "token", hint: `Paste with ${ctx.catalog.platform.paste_keys}. It is sent only to Bitbucket and stored only in ${ctx.catalog.platform.keychain}.` });
  const toggle = h("button", { type: "button", class: "secondary small", "aria-pressed": "false", "aria-controls": tokenInput.id }, "Show");
  toggle.addEventListener("click", () => {
    const shown = tokenInput.type === "text";
    tokenInput.type = shown ? "password" : "text";
    toggle.textContent = shown ? "Show" : "Hide";
    toggle.setAttribute("aria-pressed", String(!shown));
  });
  token.wrap.querySelector("label").after(h("div", { class: "input-row" }));
  const row = token.wrap.querySelector(".input-row");
  row.append(tokenInput, toggle);
  const shape = h("p", { class: "shape", role: "status", "aria-live": "polite" });
  token.wrap.append(shape);
  tokenInput.addEventListener("input", () => {
    const verdict = judgePaste(tokenInput.value, kind);
    token.setError(verdict.ok ? "" : verdict.message);
    shape.textContent = verdict.ok ? verdict.message : "";
  });

  const emailInput = h("input", { type: "email", name: "email", autocomplete: "email", value: state.email });
  emailInput.addEventListener("input", () => { state.email = emailInput.value.trim(); });
  const email = field({ label: "Atlassian account email", input: emailInput, name: "email", hint: "The email you log in to Bitbucket with. id.atlassian.com > Account settings shows it. Not your Bitbucket username." });
  email.wrap.hidden = !(kind && kind.needs_email);

  const expiresInput = h("input", { type: "date", name: "expires", value: state.expires });
  expiresInput.addEventListener("input", () => { state.expires = expiresInput.value; });
  const expires = field({ label: "Expiry date you chose (optional)", input: expiresInput, name: "expires", hint: "Bitbucket never tells apps this date. The assistant reminds you 14 days before it." });

  const apiInput = h("input", { type: "url", name: "api_url", value: state.apiUrl, placeholder: ctx.catalog.api_url, spellcheck: false });
  apiInput.addEventListener("input", () => { state.apiUrl = apiInput.value.trim(); });
  const api = field({ label: "API address", input: apiInput, name: "api_url", hint: "Leave empty for Bitbucket Cloud. Change it only for a tunnel your IT team gave you." });
  const advanced = h("details", { class: "advanced" }, h("summary", {}, "Advanced"), api.wrap);
  if (state.apiUrl) advanced.open = true;

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    state.email = emailInput.value.trim();
    state.expires = expiresInput.value;
    state.apiUrl = apiInput.value.trim();
    let ok = true;
    const value = tokenInput.value;
    if (state.tokenChecked && !ctx.checkIsCurrent()) ctx.forgetCheck();
    if (!value.trim()) {
      if (!state.tokenChecked) {
        token.setError("Paste the token you copied from Bitbucket.");
        ok = false;
      }
    } else {
      const verdict = judgePaste(value, kind);
      if (!verdict.ok) {
        token.setError(verdict.message);
        ok = false;
      }
    }
    if (kind && kind.needs_email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(state.email)) {
      email.setError(state.email ? "That is not an email address. API tokens need your Atlassian account email." : "Enter your Atlassian account email: API tokens are used together with it.");
      ok = false;
    } else {
      email.setError("");
    }
    if (state.expires && state.expires < new Date().toISOString().slice(0, 10)) {
      expires.setError("That date is in the past. Enter the expiry date you chose in Bitbucket.");
      ok = false;
    } else {
      expires.setError("");
    }
    if (!ok) {
      const invalid = form.querySelector("[aria-invalid=true]");
      if (invalid) invalid.focus();
      return;
    }
    // Hand the token to the check step without keeping it in state.
    ctx.takeToken = () => {
      const t = tokenInput.value;
      tokenInput.value = "";
      return t;
    };
    if (!value.trim() && state.tokenChecked) {
      ctx.takeToken = null;
    }
    ctx.next();
  });

  form.append(
    h("h1", {}, "Paste the token"),
    h("p", { class: "lead" }, "Paste the token Bitbucket showed you. The assistant checks its shape as you paste."),
    token.wrap,
    email.wrap,
    expires.wrap,
    advanced,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => ctx.back() }, "Back"),
      h("button", { type: "submit", class: "primary" }, "Check it")),
  );
  return form;
}
