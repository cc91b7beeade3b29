// Step 5: name the connection and save it: the token to the OS keychain, the settings to the
// app's config file. Then offer the export and another setup.

import { h, field } from "../dom.js";
import { gitSection } from "../git.js";

export const title = "Save";

/** What the checked connection is, as a short list above the fields. */
function whatIsSaved(ctx) {
  const report = ctx.state.report;
  if (!report) return null;
  const preset = ctx.preset();
  const kind = ctx.kindInfo(report.credential_kind);
  const rows = [
    ["For", preset && preset.name],
    ["Where", report.repository || report.workspace],
    ["Credential", kind && kind.label[0].toUpperCase() + kind.label.slice(1)],
    ["Account", report.account],
    ["Default branch", report.default_branch],
  ].filter(([, v]) => v);
  return h("dl", { class: "facts summary", "aria-label": "What will be saved" },
    rows.map(([k, v]) => h("div", { class: "fact" }, h("dt", {}, k), h("dd", {}, v))));
}

export function render(ctx) {
  const { state } = ctx;
  const form = h("form", { class: "card step", novalidate: true });
  if (!state.name && state.guide) state.name = state.guide.token_name;
  const nameInput = h("input", { type: "text", name: "name", maxlength: 50, value: state.name, required: true });
  const name = field({ label: "Connection name", input: nameInput, name: "name", hint: "Up to 50 characters, like the tools ask for. Used to find it later." });
  const descInput = h("textarea", { name: "description", maxlength: 255, rows: 2 });
  descInput.value = state.description;
  const desc = field({ label: "Description (optional)", input: descInput, name: "description", hint: "Up to 255 characters." });
  const expiresInput = h("input", { type: "date", name: "expires", value: state.expires });
  const expires = field({ label: "Expiry date (optional)", input: expiresInput, name: "expires", hint: "The date you chose in Bitbucket; the assistant warns 14 days before." });
  nameInput.addEventListener("input", () => { state.name = nameInput.value; });
  descInput.addEventListener("input", () => { state.description = descInput.value; });
  expiresInput.addEventListener("input", () => { state.expires = expiresInput.value; });
  const formError = h("p", { class: "error form-error", role: "alert", hidden: true });
  const area = h("div");
  const summary = whatIsSaved(ctx);

  function done(saved) {
    state.saved = saved;
    const last = document.querySelector("#steps li:last-child");
    if (last) last.classList.add("done");
    area.replaceChildren(
      h("section", { class: "verdict good", tabindex: "-1", id: "saved" },
        h("h2", {}, "Saved"),
        h("p", {}, `“${saved.name}” is ready. The token is in your system keychain; the settings are in the app's configuration.`),
        h("div", { class: "inline-actions" },
          h("button", { type: "button", class: "primary", id: "export-saved", onclick: () => ctx.showExport(saved.id) }, "Export the configuration"),
          h("button", { type: "button", class: "secondary", onclick: () => ctx.reset() }, "Set up another"),
          h("button", { type: "button", class: "secondary", onclick: () => ctx.showConnections() }, "See saved connections"))),
    );
    // For git over HTTPS: offer to make git ask this app for the token.
    if (saved.preset === "git") area.append(gitSection(ctx, saved));
    form.querySelector(".save-fields").hidden = true;
    form.querySelector(".actions").hidden = true;
    area.querySelector("#saved").focus();
    // Saved: there is no step to go back to (the checked token has moved to the keychain).
    ctx.onEscape = () => {};
    ctx.refreshAlerts();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    state.name = nameInput.value;
    state.description = descInput.value;
    state.expires = expiresInput.value;
    name.setError(""); expires.setError(""); formError.hidden = true;
    if (!state.name.trim()) {
      name.setError("Give the connection a name.");
      nameInput.focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    button.textContent = "Saving…";
    try {
      const saved = await ctx.call("save_connection", {
        input: { pending_id: state.pendingId, name: state.name, description: state.description || null, expires: state.expires || null },
      });
      state.pendingId = null;
      done(saved);
    } catch (err) {
      if (err.field === "name") { name.setError(err.message); nameInput.focus(); }
      else if (err.field === "expires") { expires.setError(err.message); expiresInput.focus(); }
      else { formError.textContent = err.message; formError.hidden = false; }
    } finally {
      button.disabled = false;
      button.textContent = "Save";
    }
  });

  form.append(
    h("h1", {}, "Save the connection"),
    h("p", { class: "lead" }, "The token goes to your system keychain, never to a plain file."),
    h("div", { class: "save-fields" }, summary, name.wrap, desc.wrap, expires.wrap, formError),
    area,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => ctx.back() }, "Back"),
      h("button", { type: "submit", class: "primary" }, "Save")),
  );
  if (state.saved) queueMicrotask(() => done(state.saved));
  return form;
}
