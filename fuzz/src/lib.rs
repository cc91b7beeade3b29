//! What the fuzz targets share: without libFuzzer, a target's `main` replays inputs from files.
//!
//! cargo-fuzz links libFuzzer (the `link_libfuzzer` feature, which fuzz/run.sh turns on), and
//! libFuzzer brings its own `main`. The workspace's own build has no libFuzzer: there each target
//! is a small program that runs its fuzz body once per file named on its command line (every
//! file in a folder), so the committed seeds are replayed by every test run (tests/seeds.rs), and
//! an input libFuzzer once found stays fixed.
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Runs the target's fuzz body (what `fuzz_target!` defined) on every input named on the
/// command line, as libFuzzer would, and prints how many it ran. Exits 2 when there is nothing to
/// run, an input cannot be read, or the arguments are libFuzzer's (`-max_total_time=…`: this
/// build has no libFuzzer). An input that fails the body panics, and the process aborts after
/// the panic's message, as under libFuzzer.
pub fn replay() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if args.iter().any(|a| a.to_string_lossy().starts_with('-')) {
        eprintln!(
            "This build has no libFuzzer: it only replays input files. To fuzz, run fuzz/run.sh \
             (cargo fuzz run --features link_libfuzzer TARGET)."
        );
        return ExitCode::from(2);
    }
    let inputs = match inputs(&args) {
        Ok(inputs) if !inputs.is_empty() => inputs,
        Ok(_) => {
            eprintln!("No input to replay: name files or folders of inputs (fuzz/seeds/TARGET).");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    for (path, data) in &inputs {
        eprintln!("replaying {}", path.display());
        // SAFETY: the pointer and length are those of a live slice; the function is the entry
        // point libFuzzer calls with the same pair, and it only reads them.
        unsafe {
            libfuzzer_sys::test_input_wrap(data.as_ptr(), data.len());
        }
    }
    println!("replayed {} inputs", inputs.len());
    ExitCode::SUCCESS
}

/// Every file named, and every file in every folder named (sorted), with its bytes.
fn inputs(args: &[PathBuf]) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let mut out = Vec::new();
    for arg in args {
        let files = if arg.is_dir() { folder(arg)? } else { vec![arg.clone()] };
        for file in files {
            let data = std::fs::read(&file).map_err(|e| format!("Could not read {}: {e}", file.display()))?;
            out.push((file, data));
        }
    }
    Ok(out)
}

fn folder(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("Could not list {}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("Could not list {}: {e}", dir.display()))?.path();
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
