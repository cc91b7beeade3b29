//! Baseline for the benchmarks: a window, one page, one command. `ui_ready` behaves like the
//! assistant's: with BITBUCKET_SETUP_READY_FILE set it writes that file when the page is up.

#[tauri::command]
fn ui_ready() {
    if let Some(path) = std::env::var_os("BITBUCKET_SETUP_READY_FILE") {
        let _ = std::fs::write(path, b"ready");
    }
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ui_ready])
        .run(tauri::generate_context!())
        .expect("hello-tauri failed to start");
}
