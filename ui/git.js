// "Use this for git on this computer": after a Git connection is saved, show the two lines
// `bitbucket-setup git setup` adds to git's configuration, add them on request, and confirm
// with `git ls-remote` that git now reaches the repository. Also lists app passwords git still
// keeps in plain text, with one button that retires them (a backup of each file is kept).

import { h } from "./dom.js";

export function gitSection(ctx, saved) {
  const section = h("section", { class: "card git-setup", id: "git-setup", "aria-labelledby": "git-setup-title" },
    h("h2", { id: "git-setup-title" }, "Use this for git on this computer"),
    h("p", { role: "status" }, "Asking git how it is set up…"));
  const result = h("div", { role: "status", "aria-live": "polite", id: "git-result" });

  async function load() {
    let plan;
    try {
      plan = await ctx.call("git_plan", { id: saved.id });
    } catch (err) {
      section.replaceChildren(section.firstChild, h("p", { class: "error" }, err.message));
      return;
    }
    const use = h("button", { type: "button", class: "primary", id: "git-use" }, plan.set_up ? "Check that git works" : "Use this for git");
    use.addEventListener("click", async () => {
      use.disabled = true;
      result.replaceChildren(h("p", {}, "Setting up git and trying the repository…"));
      try {
        const done = await ctx.call("git_apply", { id: saved.id });
        const reach = done.reach;
        result.replaceChildren(
          done.added.length ? h("p", {}, `Added ${done.added.length} line(s) to your git configuration.`) : h("p", {}, "git was already set up."),
          reach ? h("p", { class: reach.ok ? "ok" : "error", id: "git-reach" }, reach.message)
            : h("p", {}, "This connection names no repository, so git was not tried."));
      } catch (err) {
        result.replaceChildren(h("p", { class: "error" }, err.message));
      } finally {
        use.disabled = false;
      }
    });
    const parts = [
      section.firstChild,
      h("p", {}, "git will ask this app for the saved token whenever it talks to Bitbucket over HTTPS. The token stays in your keychain; nothing is written to a plain file. Other credential helpers stay in place for other sites; for Bitbucket, git asks only this app."),
      h("p", {}, plan.set_up ? "git already asks this app. These are the lines:" : "It adds these lines to your git configuration (the same as running them yourself):"),
      h("pre", { class: "commands", id: "git-commands" }, plan.commands.join("\n")),
    ];
    if (plan.found.length) {
      const retire = h("button", { type: "button", class: "secondary", id: "git-retire" }, "Replace them with this app");
      retire.addEventListener("click", async () => {
        retire.disabled = true;
        try {
          const r = await ctx.call("git_retire");
          const done = [];
          if (r.retired.length) {
            done.push(h("p", {}, `Removed ${r.retired.length} stored password(s). Backups (they still hold the old passwords; delete them once git works): ${r.backups.join(", ")}`),
              h("ul", {}, r.retired.map((c) => h("li", {}, c))));
          }
          if (r.failed.length) {
            done.push(h("p", { class: "error" }, "These files were left as they were:"), h("ul", {}, r.failed.map((f) => h("li", {}, f))));
          }
          found.replaceChildren(...done);
        } catch (err) {
          found.replaceChildren(h("p", { class: "error" }, err.message));
        }
      });
      const found = h("div", { class: "found", id: "git-found" },
        h("p", {}, "git still keeps these Bitbucket passwords in plain text. App passwords stopped working on 28 July 2026:"),
        h("ul", {}, plan.found.map((f) => h("li", {}, f))),
        retire);
      parts.push(found);
    }
    if (plan.unreadable.length) {
      parts.push(h("div", { class: "found", id: "git-unreadable" },
        h("p", { class: "error" }, "These files could not be read, so whether they hold a Bitbucket password is not known:"),
        h("ul", {}, plan.unreadable.map((u) => h("li", {}, u)))));
    }
    parts.push(h("div", { class: "inline-actions" }, use), result);
    section.replaceChildren(...parts);
  }
  load();
  return section;
}
