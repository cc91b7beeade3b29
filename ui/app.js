// The wizard's state and step router. Each step is an ES module in steps/ exporting
// { title, render(ctx) }; render returns the step's element. The token is never kept here:
// it lives in the paste field until "Check" sends it to Rust, once.

import { call } from "./ipc.js";
import { h } from "./dom.js";
import * as choose from "./steps/choose.js";
import * as create from "./steps/create.js";
import * as paste from "./steps/paste.js";
import * as check from "./steps/check.js";
import * as save from "./steps/save.js";
import { renderConnections, refreshAlerts } from "./connections.js";

const STEPS = [choose, create, paste, check, save];

const state = {
  step: 0,
  preset: null,
  locationInput: "",
  location: null,
  kind: null,
  scopes: "",
  email: "",
  expires: "",
  apiUrl: "",
  guide: null,
  report: null,
  pendingId: null,
  tokenChecked: false,
  name: "",
  description: "",
  saved: null,
};

const ctx = {
  state,
  catalog: null,
  call,
  go,
  next: () => go(state.step + 1),
  back: () => go(state.step - 1),
  reset,
  showConnections,
  showWizard,
  preset: () => ctx.catalog.presets.find((p) => p.id === state.preset),
  kindInfo: (id) => ctx.catalog.kinds.find((k) => k.id === id),
  // Set by a step that handles Escape itself (the check step cancels a running check).
  onEscape: null,
};

const main = document.getElementById("main");

function go(index) {
  const target = Math.max(0, Math.min(STEPS.length - 1, index));
  state.step = target;
  ctx.onEscape = null;
  const step = STEPS[target];
  document.querySelectorAll("#steps li").forEach((li, i) => {
    li.classList.toggle("done", i < target);
    if (i === target) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
  });
  document.title = `${step.title} — Bitbucket Setup Assistant`;
  main.replaceChildren(step.render(ctx));
  main.dataset.step = String(target + 1);
  const heading = main.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

function reset() {
  call("discard_pending").catch(() => {});
  Object.assign(state, {
    preset: null, locationInput: "", location: null, kind: null, scopes: "", email: "",
    expires: "", guide: null, report: null, pendingId: null, tokenChecked: false, name: "",
    description: "", saved: null,
  });
  go(0);
}

function showConnections() {
  document.getElementById("wizard").hidden = true;
  document.getElementById("connections").hidden = false;
  document.getElementById("tab-wizard").removeAttribute("aria-current");
  document.getElementById("tab-connections").setAttribute("aria-current", "page");
  renderConnections(ctx, document.getElementById("connections-main"));
}

function showWizard() {
  document.getElementById("connections").hidden = true;
  document.getElementById("wizard").hidden = false;
  document.getElementById("tab-connections").removeAttribute("aria-current");
  document.getElementById("tab-wizard").setAttribute("aria-current", "page");
  go(state.step);
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || document.getElementById("wizard").hidden) return;
  if (document.querySelector("dialog[open]")) return;
  event.preventDefault();
  if (ctx.onEscape) ctx.onEscape();
  else if (state.step > 0) go(state.step - 1);
});

async function start() {
  try {
    ctx.catalog = await call("catalog");
    state.apiUrl = ctx.catalog.api_url === ctx.catalog.default_api_url ? "" : ctx.catalog.api_url;
  } catch (err) {
    main.replaceChildren(h("section", { class: "card" }, h("h1", {}, "The assistant could not start"), h("p", {}, err.message)));
    return;
  }
  document.getElementById("tab-wizard").addEventListener("click", showWizard);
  document.getElementById("tab-connections").addEventListener("click", showConnections);
  go(0);
  refreshAlerts(ctx);
  document.body.dataset.ready = "true";
}

start();
