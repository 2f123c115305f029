//! Fuzz target: `analyze` on arbitrary UTF-8 (expression, then declarations after a NUL byte).
#![no_main]

use libfuzzer_sys::fuzz_target;
use matdiff_core::{analyze, Input};

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
    // Rendering a diagnostic against its own source must not panic either.
    for d in &analysis.diagnostics {
        let src = match d.source {
            matdiff_core::Source::Decls => decls,
            _ => expr,
        };
        let _ = d.render(src);
    }
    if let Some(d) = &analysis.derivation {
        let _ = (d.to_align(), d.to_text(), d.to_markdown());
    }
});
