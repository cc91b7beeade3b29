// "Send to n8n" on the export page: n8n's address and API key, and a Send button that creates
// n8n's "Bitbucket Access Token API" credential through n8n's API (or updates the one sent
// before). The token goes from the keychain to n8n in Rust; it never comes to the window.
//
// The API key is typed here and crosses to Rust once, in the send_n8n call. It is never put in
// localStorage, a URL or a log, and the field is emptied once a send went through (Rust keeps
// the key in the keychain for that address). After a failed send it stays in the field, so a
// key n8n shows only once is not lost to a mistyped address.

import { h, field, liveRegion } from "./dom.js";

const KEY_HINT_NEW = "Create one in n8n: Settings → n8n API → Create an API key, with the scopes credential:create and credential:update. After it works once, it is kept in your keychain for this address.";
const KEY_HINT_KEPT = (address) => `A key is kept in your keychain for ${address}: leave this field empty to use it, or paste a new one to replace it.`;

/** The n8n this connection was last sent to, if any: { url, credential_id, at }. */
function lastSent(connection) {
  const sent = (connection.sent || []).filter((s) => s.to === "n8n");
  return sent.length ? sent[sent.length - 1] : null;
}

function whenText(at) {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? at : d.toLocaleString();
}

/**
 * The "Send to n8n" section for `connection` (a saved connection as export_view gives it).
 * Returns the section element; the export page shows or hides it.
 */
export function sendN8nSection(ctx, connection) {
  const before = lastSent(connection);
  const url = h("input", {
    type: "url", name: "n8n_url", autocomplete: "url", inputmode: "url", spellcheck: "false",
    placeholder: "https://n8n.example.com", value: before ? before.url : "",
  });
  const urlField = field({
    label: "n8n address", input: url, name: "n8n-url",
    hint: "The address you open n8n at, for example https://n8n.example.com (plain http:// only for an n8n on this computer, such as http://localhost:5678).",
  });
  const key = h("input", { type: "password", name: "n8n_key", autocomplete: "off", spellcheck: "false", autocapitalize: "off" });
  const keyField = field({ label: "n8n API key", input: key, name: "n8n-key", hint: KEY_HINT_NEW });
  const fields = { n8n_url: urlField, n8n_key: keyField };
  const send = h("button", { type: "submit", class: "primary", id: "send-n8n-button" }, "Send to n8n");
  const result = liveRegion({ id: "send-n8n-result", class: "send-result" });
  const sentBefore = h("p", { class: "hint", id: "send-n8n-before" });
  const showBefore = (s) => {
    sentBefore.hidden = !s;
    sentBefore.textContent = s ? `Last sent to ${s.url} on ${whenText(s.at)} (n8n credential id ${s.credential_id}): sending there again updates that credential.` : "";
  };
  showBefore(before);

  // Whether a key is kept for the address typed: the key field may then stay empty. Only the
  // answer to the latest address counts.
  let asked = 0;
  async function refreshKept() {
    const mine = ++asked;
    let state = { address: null, kept: false };
    try {
      state = await ctx.call("n8n_key_kept", { url: url.value });
    } catch {
      // The keychain could not be asked: Send says why, if it matters.
    }
    if (mine !== asked) return;
    keyField.hint.textContent = state.kept ? KEY_HINT_KEPT(state.address) : KEY_HINT_NEW;
    key.placeholder = state.kept ? "Kept in your keychain" : "";
    key.dataset.kept = String(state.kept);
  }
  let typing = null;
  url.addEventListener("input", () => {
    urlField.setError("");
    clearTimeout(typing);
    typing = setTimeout(refreshKept, 300);
  });
  url.addEventListener("change", () => { clearTimeout(typing); refreshKept(); });
  key.addEventListener("input", () => keyField.setError(""));
  // A refused key is replaced by pasting over it.
  key.addEventListener("focus", () => key.select());

  async function doSend() {
    urlField.setError("");
    keyField.setError("");
    send.disabled = true;
    form.setAttribute("aria-busy", "true");
    result.replaceChildren(h("p", {}, "Sending to n8n…"));
    try {
      const done = await ctx.call("send_n8n", { input: { id: connection.id, url: url.value, key: key.value } });
      // Sent: the key is kept in the keychain (or must be pasted again), not in the page.
      key.value = "";
      url.value = done.address;
      const notKept = done.key === "not_kept";
      result.replaceChildren(
        h("p", { class: "callout ok", id: "send-n8n-done", "data-action": done.action }, done.message),
        done.key_message ? h("p", { class: notKept ? "callout warn" : "hint", id: "send-n8n-key" }, done.key_message) : null);
      // The result says where it went now; "last sent" was about before.
      showBefore(null);
      refreshKept();
    } catch (err) {
      const at = err && fields[err.field];
      if (at) {
        at.setError(err.message);
        result.replaceChildren(h("p", { class: "error" }, `Not sent: see the message under “${at === urlField ? "n8n address" : "n8n API key"}”.`));
        at.input.focus();
      } else {
        result.replaceChildren(h("p", { class: "error", id: "send-n8n-error" }, err.message));
      }
    } finally {
      send.disabled = false;
      form.removeAttribute("aria-busy");
    }
  }

  const form = h("form", { id: "send-n8n-form", novalidate: true }, urlField.wrap, keyField.wrap,
    h("div", { class: "inline-actions" }, send), result);
  form.addEventListener("submit", (e) => { e.preventDefault(); doSend(); });

  const section = h("section", { class: "send-n8n", id: "send-n8n", "aria-labelledby": "send-n8n-title" },
    h("h2", { id: "send-n8n-title" }, "Send to n8n"),
    h("p", {}, "Creates the “Bitbucket Access Token API” credential in your n8n, with this connection's email and token, through n8n's API; when it was sent there before, updates that credential instead. The token goes from your keychain straight to n8n: no file holds it."),
    sentBefore,
    form);
  if (url.value) refreshKept();
  return section;
}
