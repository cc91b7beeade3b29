//! Every committed seed of every fuzz target is replayed through the target itself (built
//! without libFuzzer, see src/lib.rs): what fuzzing once found stays fixed, and the targets keep
//! up with the crates they call.
use std::path::Path;
use std::process::Command;

const TARGETS: [(&str, &str); 5] = [
    ("location", env!("CARGO_BIN_EXE_location")),
    ("classify", env!("CARGO_BIN_EXE_classify")),
    ("scope_header", env!("CARGO_BIN_EXE_scope_header")),
    ("config_loader", env!("CARGO_BIN_EXE_config_loader")),
    ("export_writers", env!("CARGO_BIN_EXE_export_writers")),
];

fn seeds(target: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(target)
}

#[test]
fn every_target_replays_all_its_seeds() {
    for (target, exe) in TARGETS {
        let dir = seeds(target);
        let count = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).count();
        assert!(count > 0, "{target} has seeds in {}", dir.display());
        let out = Command::new(exe).arg(&dir).output().expect("run the target");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{target} failed on a seed: {}\n{stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout.trim(), format!("replayed {count} inputs"), "{target}");
    }
}

#[test]
fn a_target_declared_in_the_manifest_is_replayed_here() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let bins = manifest.lines().filter(|l| l.trim() == "[[bin]]").count();
    assert_eq!(bins, TARGETS.len(), "every [[bin]] of fuzz/Cargo.toml is in TARGETS");
    for (target, _) in TARGETS {
        assert!(seeds(target).is_dir(), "fuzz/seeds/{target} exists");
    }
}

#[test]
fn without_libfuzzer_a_target_refuses_libfuzzer_arguments_and_missing_inputs() {
    let (_, exe) = TARGETS[0];
    let fuzzing = Command::new(exe).arg("-max_total_time=1").output().unwrap();
    assert_eq!(fuzzing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&fuzzing.stderr).contains("fuzz/run.sh"));
    let nothing = Command::new(exe).output().unwrap();
    assert_eq!(nothing.status.code(), Some(2));
    let missing = Command::new(exe).arg(seeds("no-such-target")).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("Could not read"));
}
