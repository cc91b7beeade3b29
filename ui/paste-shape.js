// Immediate feedback on a pasted token, in the window, so the token need not cross to Rust
// on every keystroke. It mirrors credential::classify in Rust (prefixes ATCT / ATAT / ATBB,
// legacy 20-character app passwords, obvious wrong pastes); Rust checks again on "Check".

const LABELS = {
  access: "an access token (repository, project or workspace)",
  api: "an Atlassian API token",
  app_password: "an app password",
};

/**
 * Returns { ok, message, shape } for the raw value and the chosen kind: an entry of the
 * catalog's kinds (its label and whether it is an access token come from Rust), or undefined.
 */
export function judgePaste(raw, kind) {
  const value = raw.replace(/^[\s\uFEFF]+|[\s\uFEFF]+$/g, "");
  if (!value) return { ok: false, message: "" };
  if (value.length > 4096) return { ok: false, message: "This is too long to be a token. Check that you copied only the token." };
  if (/^(https?:\/\/|git@|ssh:\/\/|bitbucket\.org\/|www\.)/i.test(value)) {
    return { ok: false, message: "This looks like a web address, not a token. Paste the token itself." };
  }
  if (/\s/.test(value)) return { ok: false, message: "The token has spaces or line breaks inside it. Copy it again in one piece." };
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    return { ok: false, message: "This looks like an email address, not a token. The email goes in its own field." };
  }
  let shape = null;
  if (value.startsWith("ATCT")) shape = "access";
  else if (value.startsWith("ATAT")) shape = "api";
  else if (value.startsWith("ATBB") || /^[A-Za-z0-9]{20}$/.test(value)) shape = "app_password";
  const isAccess = Boolean(kind && kind.access_token);
  if (shape === "app_password" && value.startsWith("ATBB")) {
    return { ok: false, shape, message: "This is an app password. App passwords stopped working on 2026-07-28: create an API token with scopes or an access token instead." };
  }
  if (shape === "api" && isAccess) {
    return { ok: false, shape, message: `This looks like ${LABELS.api}, but you chose ${kind.label}. Go back and choose "API token with scopes", or paste the access token.` };
  }
  if (shape === "access" && kind && kind.id === "api_token") {
    return { ok: false, shape, message: `This looks like ${LABELS.access}, but you chose ${kind.label}. Go back and choose the access token kind, or paste the API token.` };
  }
  const recognised = shape === "access" || shape === "api";
  return { ok: true, shape, message: recognised ? `Looks like ${LABELS[shape]}.` : "" };
}
