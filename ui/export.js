// Export a saved connection for the tool it is for: the product's form field by field with
// "Copy" buttons, or a file saved through the native save dialog. The token never comes to
// the window: "Copy" and "Save" fetch it from the keychain in Rust. For n8n, "Send to n8n"
// (send-n8n.js) puts it into n8n through n8n's API instead.

import { h, field, id, liveRegion } from "./dom.js";
import { sendN8nSection } from "./send-n8n.js";

function fieldRows(ctx, view, status) {
  const rows = view.fields.map((f) => {
    const copy = h("button", { type: "button", class: "secondary small", "data-copy": f.key, "aria-label": f.secret ? `Copy token (${f.label})` : `Copy ${f.label}` }, f.secret ? "Copy token" : "Copy");
    copy.addEventListener("click", async () => {
      try {
        const done = await ctx.call("copy_field", { id: view.connection.id, key: f.key });
        status.textContent = done.clears_in
          ? `Copied the token. The clipboard will be cleared in ${done.clears_in} seconds.`
          : `Copied “${done.label}”.`;
      } catch (err) {
        status.textContent = err.message;
      }
    });
    return h("tr", {},
      h("th", { scope: "row" }, f.label, f.max_len ? h("span", { class: "hint" }, ` (max ${f.max_len})`) : null),
      h("td", {}, f.secret ? h("span", { class: "secret" }, "•••••••• (kept in your keychain)") : h("code", {}, f.value || "—"),
        f.warning ? h("p", { class: "hint warn-text" }, f.warning) : null),
      h("td", {}, copy));
  });
  return h("table", { class: "fields" },
    h("caption", {}, `The ${view.connection.preset === "custom" ? "" : "tool's "}form, in its order`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Field"), h("th", { scope: "col" }, "Value"), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Copy")))),
    h("tbody", {}, rows));
}

export async function renderExport(ctx, main, connectionId, onBack) {
  const status = liveRegion({ id: "export-status" });
  const section = h("section", { class: "card", "aria-labelledby": "export-title" });
  main.replaceChildren(section);
  let view;
  try {
    view = await ctx.call("export_view", { id: connectionId });
  } catch (err) {
    section.append(h("h1", { id: "export-title", tabindex: "-1" }, "Export"), h("p", { class: "error", role: "alert" }, err.message),
      h("button", { type: "button", class: "secondary", onclick: onBack }, "Back"));
    return;
  }
  const c = view.connection;
  const select = h("select", { name: "format" }, view.formats.map((f) => h("option", { value: f.id, selected: f.id === view.default_format }, f.label)));
  const fmt = field({ label: "File format", input: select, name: "format", hint: "The format of the file." });
  const describe = () => {
    const f = view.formats.find((x) => x.id === select.value);
    fmt.hint.textContent = f ? `${f.description} File: ${f.file_name}` : "";
  };
  select.addEventListener("change", describe);
  describe();
  const includeId = id("include");
  const include = h("input", { type: "checkbox", id: includeId, name: "include_secret" });
  const includeWarning = h("p", { class: "callout warn", hidden: true, id: "include-warning" },
    "The file will contain the token in plain text: it becomes a secret. It is created readable only by you. Keep it out of shared folders and version control, and delete it when done.");
  include.addEventListener("change", () => { includeWarning.hidden = !include.checked; });
  const result = liveRegion({ id: "export-result", class: null });
  const save = h("button", { type: "submit", class: "primary" }, "Save file…");

  async function doSave(allowUnvalidated) {
    save.disabled = true;
    result.replaceChildren(h("p", {}, "Preparing the file…"));
    try {
      const done = await ctx.call("export_save", { input: { id: c.id, format: select.value, include_secret: include.checked, allow_unvalidated: allowUnvalidated } });
      result.replaceChildren(h("p", { class: done.contains_secret ? "callout warn" : "callout ok" }, done.message),
        ...done.warnings.map((w) => h("p", { class: "hint" }, w)),
        done.about.length ? h("details", { class: "about-file" }, h("summary", {}, "About this file (its readers allow nothing else in it)"),
          h("ul", {}, done.about.map((line) => h("li", {}, line)))) : null);
    } catch (err) {
      const items = [h("p", { class: "error" }, err.message)];
      if (err.field === "unvalidated") {
        items.push(h("button", { type: "button", class: "secondary", id: "export-anyway", onclick: () => doSave(true) }, "Export anyway, marked unvalidated"));
      }
      result.replaceChildren(...items);
    } finally {
      save.disabled = false;
    }
  }

  const form = h("form", { class: "export-file", novalidate: true },
    h("h2", {}, "Save a configuration file"), fmt.wrap,
    h("div", { class: "field check" }, include, h("label", { for: includeId }, "Include the token in the file")),
    includeWarning, h("div", { class: "inline-actions" }, save), result);
  form.addEventListener("submit", (e) => { e.preventDefault(); doSave(false); });

  // Send to n8n: for an n8n connection, the first way offered (no file holds the token);
  // for another, shown after the file when the n8n format is chosen.
  const n8n = c.preset === "n8n";
  const send = sendN8nSection(ctx, c);
  const showSend = () => { send.hidden = !(n8n || select.value === "n8n"); };
  select.addEventListener("change", showSend);
  showSend();

  section.append(...[
    h("h1", { id: "export-title", tabindex: "-1" }, `Export “${c.name}”`),
    h("p", { class: "lead" }, n8n ? "Send it to your n8n, fill n8n's form with the Copy buttons, or save a file for it." : "Fill the tool's form with the Copy buttons, or save a file for it.", " Without the token, files hold a keychain reference; the message after saving says the command that turns it into the token for scripts."),
    view.validated ? null : h("p", { class: "callout warn", role: "note" }, `Not recently checked: ${view.validation_note} Saving re-checks it first.`),
    view.fields.length ? fieldRows(ctx, view, status) : null,
    status,
    n8n ? send : null,
    form,
    n8n ? null : send,
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: onBack }, "Back"), h("span")),
  ].filter(Boolean));
  section.querySelector("h1").focus();
}
