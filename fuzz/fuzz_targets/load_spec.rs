//! Fuzz target: spec loading and validation must never panic, whatever the bytes.
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run load_spec -- -max_total_time=300` (from the repo root).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.yaml");
    // Every environment the input might name, and none.
    let _ = byoa::spec::load_str(path, text, None);
    let _ = byoa::spec::load_str(path, text, Some("dev"));
});
