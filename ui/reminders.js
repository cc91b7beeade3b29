// "Daily reminders outside the app": a switch in the saved connections that registers (or
// removes) a daily job of the user's own with the system's scheduler. The job runs the saved
// connections' check and shows a notification only when something needs the user; the window
// only says how it stands. While Rust works the switch is disabled; when it fails, the switch
// shows the real state again and the reason stays beside it.

import { h } from "./dom.js";

/** The reminders box; fills in its state when Rust has answered. */
export function remindersBox(ctx) {
  const input = h("input", {
    type: "checkbox",
    role: "switch",
    id: "reminders-switch",
    class: "switch",
    disabled: true,
    "aria-describedby": "reminders-what reminders-state reminders-error",
  });
  const state = h("p", { class: "reminders-state", id: "reminders-state", role: "status", "aria-live": "polite" }, "Finding out whether they are on…");
  const error = h("p", { class: "error", id: "reminders-error", role: "alert", hidden: true });
  const box = h("section", { class: "reminders", id: "reminders", "aria-label": "Reminders outside the app" },
    h("div", { class: "switch-row" },
      input,
      h("label", { for: "reminders-switch" }, "Daily reminders outside the app")),
    h("p", { class: "hint", id: "reminders-what" },
      "Once a day, also while this app is closed, your saved connections are checked again. A notification appears only when a token expires within 14 days or fails its check; when all is well, nothing is shown."),
    state, error);

  function show(view) {
    input.checked = view.state === "on";
    input.indeterminate = view.state === "unknown";
    box.dataset.state = view.state;
    state.textContent = view.message;
  }
  function fail(message) {
    error.textContent = message;
    error.hidden = false;
  }

  async function load() {
    try {
      show(await ctx.call("reminders_status"));
    } catch (err) {
      // The state cannot be asked here: the switch stays usable, and turning it on says why.
      input.checked = false;
      box.dataset.state = "unknown";
      state.textContent = "";
      fail(err.message);
    } finally {
      input.disabled = false;
    }
  }

  input.addEventListener("change", async () => {
    const wanted = input.checked;
    input.disabled = true;
    box.setAttribute("aria-busy", "true");
    error.hidden = true;
    error.textContent = "";
    state.textContent = wanted ? "Turning the reminders on…" : "Turning the reminders off…";
    try {
      show(await ctx.call("reminders_set", { on: wanted }));
    } catch (err) {
      // Back to the real state, then the reason beside it.
      try {
        show(await ctx.call("reminders_status"));
      } catch {
        input.checked = !wanted;
        state.textContent = "";
      }
      fail(err.message);
    } finally {
      box.removeAttribute("aria-busy");
      input.disabled = false;
      input.focus();
    }
  });

  load();
  return box;
}
