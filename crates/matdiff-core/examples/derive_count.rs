//! Runs one of the lecture note's examples a given number of times through the `derive-note`
//! path of the benchmarks (`problem` + `derive_exprs`, no LaTeX), for instruction counts:
//! `derive_count least-squares|trace-AXB|logdet-XtX N`. `cargo xtask callgrind` runs it under
//! callgrind with N and 2N derivations; the difference divided by N is one derivation, without
//! the start-up.

#[path = "../tests/common/mod.rs"]
mod common;

use matdiff_core::{derive_exprs, problem};
use std::hint::black_box;
use std::process::ExitCode;

/// The examples by name, as the `derive-note` benchmark names them.
const NAMES: [&str; 3] = ["least-squares", "trace-AXB", "logdet-XtX"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(name), Some(n)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: derive_count {} N", NAMES.join("|"));
        return ExitCode::from(2);
    };
    let Some((expr, decls, wrt)) = NAMES
        .iter()
        .zip(common::NOTE)
        .find(|(k, _)| *k == name)
        .map(|(_, e)| e)
    else {
        eprintln!(
            "unknown example `{name}`; the examples are {}",
            NAMES.join(", ")
        );
        return ExitCode::from(2);
    };
    let input = common::input(expr, decls, wrt);
    let mut steps = 0;
    for _ in 0..n {
        steps += problem(black_box(&input))
            .ok()
            .and_then(|p| derive_exprs(&p).ok())
            .map_or(0, |d| d.steps.len());
    }
    if n > 0 && steps == 0 {
        eprintln!("`{expr}` did not derive");
        return ExitCode::FAILURE;
    }
    println!("{steps}");
    ExitCode::SUCCESS
}
