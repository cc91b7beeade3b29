// "Copy details for support": Rust builds the redacted text of a check (no token, no email, no
// account name) and puts it on the clipboard; the window shows exactly what was copied.

import { h } from "./dom.js";

/**
 * A button that copies the details of a check, and the place that shows them.
 * `command` is the Rust command, `args` its arguments.
 */
export function supportDetails(ctx, command, args = {}) {
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const shown = h("div", { class: "support-details" });
  const button = h("button", { type: "button", class: "secondary", "data-action": "support" }, "Copy details for support");
  button.addEventListener("click", async () => {
    try {
      const copied = await ctx.call(command, args);
      status.textContent = "Copied the details of the last check. They hold no token, email address or account name.";
      shown.replaceChildren(h("details", {},
        h("summary", {}, "What was copied"),
        h("pre", { class: "support-text", tabindex: "0" }, copied.text)));
    } catch (err) {
      status.textContent = err.message;
    }
  });
  return { button, status, shown };
}
