// The one way the window talks to Rust. Errors come back as { message, field }.

export async function call(command, args = {}) {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    throw { message: "The app's engine is not reachable. Restart Bitbucket Setup Assistant.", field: null };
  }
  try {
    return await tauri.core.invoke(command, args);
  } catch (err) {
    if (err && typeof err === "object" && "message" in err) throw err;
    throw { message: String(err), field: null };
  }
}
