// Step 2: create the credential in Bitbucket (or id.atlassian.com). The page opens in the
// default browser through Rust, which allows only https pages on those two hosts.

import { h } from "../dom.js";

export const title = "Create";

function scopeList(state) {
  return state.scopes.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

export function render(ctx) {
  const { state } = ctx;
  const card = h("form", { class: "card step", novalidate: true });
  const body = h("div", { class: "guide", "aria-busy": "true" }, h("p", {}, "Preparing the instructions…"));
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const kind = ctx.kindInfo(state.kind);

  async function load() {
    try {
      state.guide = await ctx.call("creation_guide", {
        preset: state.preset, kind: state.kind, location: state.location, scopes: scopeList(state),
      });
    } catch (err) {
      body.replaceChildren(h("p", { class: "error", role: "alert" }, err.message));
      return;
    }
    const g = state.guide;
    const open = h("button", { type: "button", class: "primary", id: "open-page" }, "Open the page in your browser");
    open.addEventListener("click", async () => {
      try {
        await ctx.call("open_page", { url: g.url });
        status.textContent = "Opened in your browser. Come back here when you have copied the token.";
      } catch (err) {
        status.textContent = err.message;
      }
    });
    // A box another box includes is listed all the same (the product's guide names it); the
    // note says which box includes it, so a screen that ticks it by itself surprises no one.
    const checklist = h("ul", { class: "checklist", "aria-label": "Boxes to tick" },
      g.checklist.map((item) => h("li", {}, h("label", {},
        h("input", { type: "checkbox" }), " ", h("strong", {}, item.label),
        item.implied_by ? h("span", { class: "implied" }, ` included when you tick ${item.implied_by}`) : null,
        " ", h("code", {}, item.scope)))));
    const anyImplied = g.checklist.some((item) => item.implied_by);
    body.replaceChildren(
      h("div", { class: "where" }, h("p", {}, h("strong", {}, "Where: "), g.where_), h("p", { class: "url" }, h("code", {}, g.url)), open, status),
      h("h2", {}, "On that page"),
      h("ol", { class: "steps-list" }, g.steps.map((s) => h("li", {}, s))),
      h("h2", {}, "Tick exactly these"),
      g.checklist.length ? checklist : h("p", {}, "No scopes are needed beyond reading the repository."),
      anyImplied
        ? h("p", { class: "hint" }, "Tick every box in the list, also those another box includes (Bitbucket's screen may have ticked them already). Leave every other box empty.")
        : null,
      h("h2", {}, "Expiry"),
      h("p", {}, g.expiry_advice),
      h("div", { class: "callout warn", role: "note" }, h("strong", {}, "The token is shown only once. "), "Copy it before you close Bitbucket's dialog. If it is lost, create a new one."),
      g.notes.length ? h("ul", { class: "notes" }, g.notes.map((n) => h("li", {}, n))) : null,
    );
    body.removeAttribute("aria-busy");
  }

  card.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.next();
  });
  load();
  card.append(
    h("h1", {}, `Create the ${kind ? kind.label : "token"}`),
    h("p", { class: "lead" }, "Follow these steps in Bitbucket, then come back with the token."),
    body,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => ctx.back() }, "Back"),
      h("button", { type: "submit", class: "primary" }, "I have the token")),
  );
  return card;
}
