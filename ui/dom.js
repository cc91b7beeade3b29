// Tiny DOM helpers: build elements without innerHTML, so nothing from Bitbucket or the user
// is ever parsed as markup.

/** h("p", {class: "x", onclick: fn}, "text", child) → HTMLElement */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key in el && typeof value !== "string") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let uid = 0;
/** A unique id for label/aria wiring. */
export function id(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/**
 * A labelled field with hint and error text tied to it for screen readers.
 * Returns { wrap, input, setError(msg), hint }.
 */
export function field({ label, input, hint, name }) {
  const inputId = input.id || id(name || "field");
  input.id = inputId;
  const hintEl = hint ? h("p", { class: "hint", id: `${inputId}-hint` }, hint) : null;
  const errorEl = h("p", { class: "error", id: `${inputId}-error`, hidden: true });
  const described = [hintEl && hintEl.id, errorEl.id].filter(Boolean).join(" ");
  input.setAttribute("aria-describedby", described);
  const wrap = h("div", { class: "field" }, h("label", { for: inputId }, label), input, hintEl, errorEl);
  return {
    wrap,
    input,
    hint: hintEl,
    setError(message) {
      if (message) {
        errorEl.textContent = message;
        errorEl.hidden = false;
        input.setAttribute("aria-invalid", "true");
      } else {
        errorEl.textContent = "";
        errorEl.hidden = true;
        input.removeAttribute("aria-invalid");
      }
    },
  };
}

/** A status line screen readers announce; `props` add to or replace its defaults (`class: null` drops the class). */
export function liveRegion(props = {}) {
  return h("div", { class: "status", role: "status", "aria-live": "polite", ...props });
}
