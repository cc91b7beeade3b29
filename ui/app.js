// The wizard's state and step router. Each step is an ES module in steps/ exporting
// { title, render(ctx) }; render returns the step's element. The token is never kept here:
// it lives in the paste field until "Check" sends it to Rust, once.

import { call } from "./ipc.js";
import { h } from "./dom.js";
import * as choose from "./steps/choose.js";

// Only the first step is needed to start; the other steps and views load right after it is
// on screen (the window is up about 8 ms sooner; scripts/bench.sh measures start-up).
// go() waits for them should someone be quicker than that.
const STEPS = [choose, null, null, null, null];
const views = { renderExport: null, renderConnections: null, refreshAlerts: null };
let rest = null;

function loadRest() {
  rest ??= Promise.all([
    import("./steps/create.js"),
    import("./steps/paste.js"),
    import("./steps/check.js"),
    import("./steps/save.js"),
    import("./export.js"),
    import("./connections.js"),
  ]).then(([create, paste, check, save, exp, conn]) => {
    STEPS.splice(1, 4, create, paste, check, save);
    Object.assign(views, { renderExport: exp.renderExport, renderConnections: conn.renderConnections, refreshAlerts: conn.refreshAlerts });
  });
  return rest;
}

/** Runs `fn` once the rest of the page is loaded; says so plainly if it cannot load. */
function withRest(fn) {
  return loadRest().then(fn, () => {
    document.getElementById("alerts").replaceChildren(
      h("p", { class: "banner bad", role: "alert" }, "Part of the assistant could not be loaded. Restart Bitbucket Setup Assistant."));
  });
}

/** Everything the wizard holds for one connection, empty. */
function freshInputs() {
  return {
    preset: null,
    locationInput: "",
    location: null,
    kind: null,
    scopes: "",
    email: "",
    expires: "",
    // Only what the user typed in "Advanced"; empty means the app's default API address.
    apiUrl: "",
    guide: null,
    report: null,
    pendingId: null,
    tokenChecked: false,
    // What the last check was made with (see signature()): a change makes it stale.
    checkedSig: null,
    name: "",
    description: "",
    saved: null,
  };
}

const state = { step: 0, ...freshInputs() };

const ctx = {
  state,
  catalog: null,
  call,
  go,
  next: () => go(state.step + 1),
  back: () => go(state.step - 1),
  reset,
  showConnections,
  showExport,
  showWizard,
  signature,
  checkIsCurrent,
  forgetCheck,
  refreshAlerts: () => withRest(() => views.refreshAlerts(ctx)),
  preset: () => ctx.catalog.presets.find((p) => p.id === state.preset),
  kindInfo: (id) => ctx.catalog.kinds.find((k) => k.id === id),
  // Set by a step that handles Escape itself (the check step cancels a running check).
  onEscape: null,
};

const host = document.getElementById("step");
const wizard = document.getElementById("wizard");
const connections = document.getElementById("connections");

/** The inputs a check depends on; the check is stale when this changes. */
function signature() {
  return JSON.stringify([state.preset, state.locationInput.trim(), state.kind, state.scopes.trim(), state.email.trim(), state.apiUrl.trim()]);
}

/** A verdict is on record for exactly the inputs there are now (passed or not). */
function checkIsCurrent() {
  return Boolean(state.report) && state.checkedSig === signature();
}

/** Forgets a check whose inputs changed: its token is dropped in Rust too. */
function forgetCheck() {
  if (!state.tokenChecked && !state.report) return;
  call("discard_pending").catch(() => {});
  Object.assign(state, { report: null, pendingId: null, tokenChecked: false, checkedSig: null });
}

// The API address the connection was last opened for, and when: servers close idle
// connections after a minute or so, so a later step opens it again.
let preconnected = { key: null, at: 0 };
function preconnect() {
  const key = state.apiUrl || "";
  if (preconnected.key === key && Date.now() - preconnected.at < 45000) return;
  preconnected = { key, at: Date.now() };
  call("preconnect", { apiUrl: state.apiUrl || null }).then((r) => {
    const notice = document.getElementById("network-notice");
    if (notice) {
      notice.hidden = r.ok;
      notice.textContent = r.ok ? "" : r.message;
    }
    if (!r.ok) preconnected = { key: null, at: 0 };
  }, () => { preconnected = { key: null, at: 0 }; });
}
// Back online: try again at once, so the notice goes away without a click.
window.addEventListener("online", () => {
  preconnected = { key: null, at: 0 };
  const step = Number(host.dataset.step || 0);
  if (step === 2 || step === 3) preconnect();
});

function go(index) {
  const target = Math.max(0, Math.min(STEPS.length - 1, index));
  if (!STEPS[target]) {
    withRest(() => go(target));
    return;
  }
  state.step = target;
  ctx.onEscape = null;
  const step = STEPS[target];
  document.querySelectorAll("#steps li").forEach((li, i) => {
    li.classList.toggle("done", i < target);
    if (i === target) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
  });
  document.title = `${step.title} — Bitbucket Setup Assistant`;
  host.replaceChildren(step.render(ctx));
  host.dataset.step = String(target + 1);
  // While the person creates and pastes the token, open the connection to Bitbucket (no
  // credential is sent), so the check is one request; and say at once when there is no network.
  if (target === 1 || target === 2) preconnect();
  const heading = host.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

function reset() {
  call("discard_pending").catch(() => {});
  Object.assign(state, freshInputs());
  go(0);
}

/** Shows the connections pane (the list, or one connection's export) with `title`. */
function showConnectionsPane(title) {
  ctx.onEscape = null;
  wizard.hidden = true;
  connections.hidden = false;
  document.getElementById("tab-wizard").removeAttribute("aria-current");
  document.getElementById("tab-connections").setAttribute("aria-current", "page");
  document.title = `${title} — Bitbucket Setup Assistant`;
}

function showConnections() {
  showConnectionsPane("Saved connections");
  withRest(() => views.renderConnections(ctx, connections));
}

function showExport(id) {
  showConnectionsPane("Export");
  withRest(() => views.renderExport(ctx, connections, id, showConnections));
}

function showWizard() {
  connections.hidden = true;
  wizard.hidden = false;
  document.getElementById("tab-connections").removeAttribute("aria-current");
  document.getElementById("tab-wizard").setAttribute("aria-current", "page");
  go(state.step);
  ctx.refreshAlerts();
}

// Keyboard: Enter submits the step (also when the focus is on its heading or a choice),
// Escape goes back one step (or cancels a running check). Text fields submit on Enter by
// themselves; buttons, links, text areas and disclosure summaries keep their own Enter.
document.addEventListener("keydown", (event) => {
  if (wizard.hidden || document.querySelector("dialog[open]") || event.defaultPrevented) return;
  if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
  if (event.key === "Escape") {
    event.preventDefault();
    if (ctx.onEscape) ctx.onEscape();
    else if (state.step > 0) go(state.step - 1);
    return;
  }
  if (event.key !== "Enter" || event.shiftKey) return;
  const target = event.target instanceof Element ? event.target : null;
  if (target && target.closest("button, a[href], textarea, select, summary")) return;
  if (target && target.matches("input") && !target.matches("[type=radio], [type=checkbox]")) return;
  const form = host.querySelector("form.step");
  // Only what clicking the step's own button would do: nothing when it is disabled (a check
  // not passed yet) or hidden (a connection already saved).
  const submit = form && form.querySelector("button[type=submit]");
  if (!submit || submit.disabled || submit.getClientRects().length === 0) return;
  event.preventDefault();
  form.requestSubmit(submit);
});

async function start() {
  try {
    ctx.catalog = await call("catalog");
  } catch (err) {
    host.replaceChildren(h("section", { class: "card" }, h("h1", {}, "The assistant could not start"), h("p", {}, err.message)));
    return;
  }
  document.getElementById("tab-wizard").addEventListener("click", showWizard);
  document.getElementById("tab-connections").addEventListener("click", showConnections);
  go(0);
  // The first step is on screen: the start-up benchmark measures up to here.
  call("ui_ready").catch(() => {});
  await ctx.refreshAlerts();
  document.body.dataset.ready = "true";
}

start();
