// Tells the process the page is ready, exactly as the assistant's first step does.
window.__TAURI__.core.invoke("ui_ready");
