// Step 1: what is being connected (the target product), where (a Bitbucket URL), and with
// which kind of credential.

import { h, field, id } from "../dom.js";

export const title = "Choose";

function presetChoices(ctx, onChange) {
  const name = "preset";
  const grid = h("div", { class: "choice-grid" });
  for (const p of ctx.catalog.presets) {
    const input = h("input", { type: "radio", name, value: p.id, checked: ctx.state.preset === p.id, onchange: () => onChange(p.id) });
    grid.append(h("label", { class: "choice" }, input, h("strong", {}, p.name), h("small", {}, p.summary)));
  }
  return h("fieldset", { class: "choices" }, h("legend", {}, "Which tool needs access to Bitbucket?"), grid);
}

function kindChoices(ctx, onChange) {
  const preset = ctx.preset();
  const list = h("div", { class: "kind-list" });
  for (const k of ctx.catalog.kinds) {
    const accepted = preset ? preset.kinds.includes(k.id) : true;
    if (k.retired) {
      list.append(
        h("div", { class: "kind retired", id: "kind-app-password" },
          h("strong", {}, "App password"), " ", h("span", { class: "badge muted" }, "Retired"),
          h("p", { class: "hint" }, "Atlassian switched app passwords off on 2026-07-28. If a guide asks for one, use an API token with scopes (or an access token) instead; this assistant sets it up.")),
      );
      continue;
    }
    const descId = id("kind-desc");
    const facts = k.facts;
    const input = h("input", {
      type: "radio", name: "kind", value: k.id, disabled: !accepted,
      checked: ctx.state.kind === k.id, "aria-describedby": descId, onchange: () => onChange(k.id),
    });
    const recommended = preset && preset.recommended === k.id;
    list.append(
      h("label", { class: `choice kind${accepted ? "" : " disabled"}` },
        input,
        h("strong", {}, capitalised(k.label)),
        h("small", { id: descId }, `${facts.reaches}. Created by: ${facts.who}. ${facts.plan}.`),
        h("span", { class: "badges" },
          recommended ? h("span", { class: "badge ok" }, "Recommended") : null,
          !accepted ? h("span", { class: "badge muted" }, `Not accepted by ${preset.name}`) : null)),
    );
  }
  return h("fieldset", { class: "choices" }, h("legend", {}, "Which kind of credential?"), list, comparison(ctx));
}

function capitalised(label) {
  return label[0].toUpperCase() + label.slice(1);
}

// The kinds and their facts come from Rust (the catalog), in Rust's order.
function comparison(ctx) {
  const rows = ctx.catalog.kinds.filter((k) => k.facts).map((k) =>
    h("tr", {}, h("th", { scope: "row" }, capitalised(k.label)), h("td", {}, k.facts.who), h("td", {}, k.facts.reaches), h("td", {}, k.facts.plan)));
  return h("details", { class: "compare" },
    h("summary", {}, "Compare the kinds side by side"),
    h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Kind"), h("th", { scope: "col" }, "Who can create it"), h("th", { scope: "col" }, "What it reaches"), h("th", { scope: "col" }, "Plan"))),
      h("tbody", {}, rows)),
    h("p", { class: "hint" }, "Access tokens belong to the repository, project or workspace, not to a person, so they keep working when someone leaves. API tokens act as you and need your Atlassian account email."));
}

export function render(ctx) {
  const { state } = ctx;
  const form = h("form", { class: "card step", novalidate: true });
  const locInput = h("input", { type: "text", name: "location", value: state.locationInput, autocomplete: "off", spellcheck: false, placeholder: "https://bitbucket.org/your-workspace/your-repository" });
  const loc = field({ label: "Bitbucket repository or workspace address", input: locInput, name: "location", hint: "Paste the address from your browser, a clone URL, or type workspace/repository." });
  const understood = h("p", { class: "understood", role: "status", "aria-live": "polite" });
  const scopesInput = h("textarea", { name: "scopes", rows: 2, spellcheck: false, value: state.scopes });
  scopesInput.value = state.scopes;
  const scopes = field({ label: "Scopes you need", input: scopesInput, name: "scopes", hint: "Separate with spaces or commas, in either form: pullrequest:write or read:pullrequest:bitbucket." });
  const formError = h("p", { class: "error form-error", role: "alert", hidden: true });
  const kindBox = h("div", { class: "kind-box" });

  function drawKinds() {
    kindBox.replaceChildren(kindChoices(ctx, (k) => { state.kind = k; }));
    scopes.wrap.hidden = state.preset !== "custom";
  }

  let timer = null;
  async function parseLocation() {
    const value = locInput.value.trim();
    state.locationInput = locInput.value;
    if (!value) {
      state.location = null;
      understood.textContent = "";
      loc.setError("");
      return;
    }
    try {
      const view = await ctx.call("parse_location", { input: value });
      state.location = view.location;
      loc.setError("");
      understood.replaceChildren("Understood: ", h("strong", {}, view.display));
    } catch (err) {
      state.location = null;
      understood.textContent = "";
      loc.setError(err.message);
    }
  }
  locInput.addEventListener("input", () => {
    state.locationInput = locInput.value;
    clearTimeout(timer);
    timer = setTimeout(parseLocation, 250);
  });

  const presets = presetChoices(ctx, (p) => {
    state.preset = p;
    const preset = ctx.preset();
    if (!state.kind || !preset.kinds.includes(state.kind)) state.kind = preset.recommended;
    drawKinds();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearTimeout(timer);
    await parseLocation();
    state.scopes = scopesInput.value;
    const problems = [];
    if (!state.preset) problems.push("Choose the tool you are connecting.");
    if (!state.location) {
      if (!locInput.value.trim()) loc.setError("Paste the address of the repository (or workspace) in Bitbucket.");
      problems.push("Give a Bitbucket address that the assistant understands.");
    }
    const preset = ctx.preset();
    const narrow = state.kind === "repository_token" || state.kind === "project_token";
    if (state.location && preset && !state.location.repository && (preset.needs_repository || narrow)) {
      const who = preset.needs_repository ? `${preset.name} works on one repository`
        : state.kind === "project_token" ? "A project access token is checked on one of its project's repositories"
        : "A repository access token works on one repository";
      loc.setError(`${who}: paste the repository's address, not only the workspace.`);
      problems.push("A repository is needed.");
    }
    if (!state.kind) problems.push("Choose the kind of credential.");
    if (preset && preset.id === "custom" && !state.scopes.trim()) {
      scopes.setError("List at least one scope.");
      problems.push("List the scopes you need.");
    } else {
      scopes.setError("");
    }
    if (problems.length) {
      formError.textContent = problems.join(" ");
      formError.hidden = false;
      const invalid = form.querySelector("[aria-invalid=true]") || form.querySelector("input[name=preset]");
      if (invalid) invalid.focus();
      return;
    }
    formError.hidden = true;
    ctx.next();
  });

  drawKinds();
  if (state.locationInput) parseLocation();

  form.append(
    h("h1", {}, "What are you connecting?"),
    h("p", { class: "lead" }, "Pick the tool that needs Bitbucket Cloud access and where it should work. The assistant then shows exactly which token to create, checks it, and keeps it in your system keychain."),
    presets,
    loc.wrap,
    understood,
    scopes.wrap,
    kindBox,
    formError,
    h("div", { class: "actions" }, h("span"), h("button", { type: "submit", class: "primary" }, "Continue")),
  );
  return form;
}
