//! Fuzz target: `analyze` then `check` with small sizes, on arbitrary UTF-8 expressions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use matdiff_core::{analyze, check, CheckOptions, Input};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (expr, decls) = text.split_once('\0').unwrap_or((text, ""));
    let analysis = analyze(&Input {
        expr: expr.to_string(),
        decls: decls.to_string(),
        wrt: None,
    });
    if analysis.derivation.is_none() {
        return;
    }
    // Small sizes keep each run short; dimensions the expression does not mention are ignored.
    let sizes = ["m", "n", "k", "p", "q", "r", "s", "l"]
        .iter()
        .enumerate()
        .map(|(i, d)| (d.to_string(), 2 + i % 3))
        .collect();
    let _ = check(
        &analysis,
        &CheckOptions {
            sizes,
            seed: data.len() as u64,
        },
    );
});
