//! Fault injection for tests: with the `fault-injection` feature (the test command enables
//! it; release builds never do) a test can make the process die at a named point, to prove
//! what survives a crash there. Without the feature every hook is an empty inline function.

/// Dies at once — no destructors, no flush, no publish — when `KEEBAI_FAULT_EXIT_AFTER_COMMIT`
/// names `what`: the point right after a change committed and before it was announced.
#[cfg(feature = "fault-injection")]
pub fn after_commit(what: &str) {
    if std::env::var("KEEBAI_FAULT_EXIT_AFTER_COMMIT").as_deref() == Ok(what) {
        eprintln!("fault injection: dying after the {what} committed");
        std::process::abort();
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn after_commit(_what: &str) {}

/// A pretend offset of this process's clock, in ms, from `KEEBAI_FAULT_CLOCK_OFFSET_MS`: a
/// test cannot move the machine's clock, so it moves what the clock check reads.
#[cfg(feature = "fault-injection")]
pub fn clock_offset_ms() -> i64 {
    std::env::var("KEEBAI_FAULT_CLOCK_OFFSET_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn clock_offset_ms() -> i64 {
    0
}
