//! Process hardening, first thing in `main` for the window and the command line alike: this
//! process holds the token in memory while it checks, saves or exports it, so a crash, or a
//! request for a core dump (`kill -QUIT`, `gcore`), must not write that memory to disk.
//!
//! * Linux and macOS: the core file size limit (`RLIMIT_CORE`) is set to 0, soft and hard. A
//!   hard limit of 0 cannot be raised again by this process (short of `CAP_SYS_RESOURCE`), and
//!   child processes (WebKit's, on Linux) inherit it.
//! * Linux, also: `prctl(PR_SET_DUMPABLE, 0)`. A `core_pattern` that pipes dumps to a helper
//!   (systemd-coredump, apport) is started whatever the core limit says, and not every helper
//!   honours the limit; a process that is not dumpable is never dumped. It also stops other
//!   processes of the same user from attaching a debugger or reading `/proc/PID/mem` and
//!   `/proc/PID/environ`. WebKit's own processes start dumpable again (an `exec` resets the
//!   flag), but keep the core limit of 0.
//! * Windows: no switch keeps a process's memory out of every dump. `WerSetFlags` with
//!   `WER_FAULT_REPORTING_FLAG_NOHEAP` keeps the heap, where the token lives, out of the report
//!   Windows Error Reporting makes when this process crashes. Dumps an administrator asked for
//!   (WER's `LocalDumps` registry key) or a debugger takes are beyond a process's reach;
//!   `WerAddExcludedApplication` would change the user's registry for good rather than this
//!   process, and `SetErrorMode` only hides the crash dialog, so neither is used.
//! * Other systems: nothing.
//!
//! Best effort: the app works without any of it, so `main` ignores what [`apply`] reports; the
//! tests (`tests/hardening.rs`) require that every step succeeded.

/// What a crash could do without the step; every message ends with it.
const WITHOUT_IT: &str = "Bitbucket Setup Assistant works without it, but a crash could then write its memory, tokens included, to disk.";

/// A step of [`apply`] that did not take effect. `Display` is the message for a person: what is
/// missing, and that the app works without it.
#[derive(Debug, thiserror::Error)]
pub enum HardeningError {
    #[error("The core file size limit could not be set to 0: {0} {WITHOUT_IT}")]
    CoreLimit(std::io::Error),
    #[error("The process could not be marked as not dumpable: {0} {WITHOUT_IT}")]
    NotDumpable(std::io::Error),
    #[error("Windows Error Reporting could not be told to leave the heap out of crash reports (HRESULT {0:#010x}). {WITHOUT_IT}")]
    WerNoHeap(i32),
}

/// Applies every step this system has; returns the ones that failed (none on success).
pub fn apply() -> Result<(), Vec<HardeningError>> {
    #[allow(unused_mut)]
    let mut failed = Vec::new();
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    if let Err(e) = no_core_files() {
        failed.push(HardeningError::CoreLimit(e));
    }
    #[cfg(target_os = "linux")]
    if let Err(e) = not_dumpable() {
        failed.push(HardeningError::NotDumpable(e));
    }
    #[cfg(windows)]
    if let Err(hr) = wer_no_heap() {
        failed.push(HardeningError::WerNoHeap(hr));
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed)
    }
}

/// `RLIMIT_CORE` soft and hard to 0.
#[cfg(any(target_os = "linux", target_os = "macos"))]
fn no_core_files() -> std::io::Result<()> {
    let zero = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: setrlimit reads the struct it is given and nothing else.
    if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &zero) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// `prctl(PR_SET_DUMPABLE, 0)`.
#[cfg(target_os = "linux")]
fn not_dumpable() -> std::io::Result<()> {
    // SAFETY: PR_SET_DUMPABLE takes one integer argument; the unused ones are 0 as documented.
    if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// `WerSetFlags(WER_FAULT_REPORTING_FLAG_NOHEAP)`; the HRESULT on failure.
#[cfg(windows)]
fn wer_no_heap() -> Result<(), i32> {
    /// werapi.h
    const WER_FAULT_REPORTING_FLAG_NOHEAP: u32 = 1;
    #[link(name = "kernel32")]
    extern "system" {
        fn WerSetFlags(flags: u32) -> i32;
    }
    // SAFETY: WerSetFlags takes a flag word and only changes this process's WER settings.
    let hr = unsafe { WerSetFlags(WER_FAULT_REPORTING_FLAG_NOHEAP) };
    if hr >= 0 {
        Ok(())
    } else {
        Err(hr)
    }
}
