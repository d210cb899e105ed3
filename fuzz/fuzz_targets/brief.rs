#![no_main]
//! The brief parser, TOML and JSON, and the AHP weights of what parses.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for brief in [sitematch::Brief::from_toml_str(text), sitematch::Brief::from_json_str(text)] {
        if let Ok(b) = brief {
            let _ = b.normalised_weights();
        }
    }
});
