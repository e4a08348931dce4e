//! Process hardening done once at start, before any secret is read.

/// Turns core dumps off (Linux): `RLIMIT_CORE` = 0 and `PR_SET_DUMPABLE` = 0, so a crash
/// after sign-in never writes a private key, a token or a password into a core file, and
/// other processes of the same user cannot read this one's memory through `/proc`.
/// Best effort: a failure (a sandbox forbidding the calls) does not stop the run.
pub fn disable_core_dumps() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{DumpableBehavior, Resource, Rlimit};
        let none = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        let _ = rustix::process::setrlimit(Resource::Core, none);
        let _ = rustix::process::set_dumpable_behavior(DumpableBehavior::NotDumpable);
    }
}
