//! `cargo xtask callgrind`: instructions per derivation of each of the lecture note's examples
//! without LaTeX (the `derive-note` path), by callgrind, against the baselines of issue 11.
//!
//! The example binary `derive_count` (bench profile) runs one example N and then 2N times under
//! `valgrind --tool=callgrind`; the difference of the two totals divided by N is one derivation,
//! with the start-up (loader, allocator, argument parsing) cancelled out.

use crate::util::{cargo, display, header, run, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The examples as `derive_count` names them, and the most instructions one derivation may take.
const BASELINES: [(&str, &str, u64); 3] = [
    ("least-squares", "||A*x - b||^2", 374_000),
    ("trace-AXB", "tr(A*X*B)", 116_000),
    ("logdet-XtX", "logdet(X'*X)", 234_000),
];

/// Derivations in the shorter of the two runs, unless given.
const DEFAULT_N: u64 = 500;

pub fn callgrind(root: &Path, args: &[String]) -> Result {
    let n = match args.first() {
        Some(a) => a
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("bad count `{a}`: expected a positive integer"))?,
        None => DEFAULT_N,
    };
    header("build: derive_count (bench profile)");
    run(cargo()
        .args([
            "build",
            "--profile",
            "bench",
            "-p",
            "matdiff-core",
            "--example",
            "derive_count",
        ])
        .current_dir(root))?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    // The bench profile builds into `release/`.
    let binary = target.join("release/examples/derive_count");
    if !binary.is_file() {
        return Err(format!("{} was not built", binary.display()));
    }
    let out_dir = target.join("callgrind");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    header(&format!(
        "callgrind: instructions per derivation without LaTeX ({n} and {} derivations)",
        2 * n
    ));
    let mut over = Vec::new();
    println!(
        "{:<14} {:<16} {:>14} {:>10}  verdict",
        "example", "f", "per derivation", "baseline"
    );
    for (name, f, baseline) in BASELINES {
        let once = instructions(&binary, &out_dir, name, n)?;
        let twice = instructions(&binary, &out_dir, name, 2 * n)?;
        let per = twice.saturating_sub(once) as f64 / n as f64;
        let ok = per <= baseline as f64;
        println!(
            "{name:<14} {f:<16} {:>14} {:>10}  {}",
            format!("{:.1}K", per / 1000.0),
            format!("{}K", baseline / 1000),
            if ok { "ok" } else { "OVER" }
        );
        if !ok {
            over.push(name);
        }
    }
    println!(
        "(callgrind output files: {}; read one with callgrind_annotate)",
        out_dir.display()
    );
    if over.is_empty() {
        Ok(())
    } else {
        Err(format!("over the baseline: {}", over.join(", ")))
    }
}

/// The instructions callgrind counts for `derive_count name n` (the whole run).
fn instructions(binary: &Path, out_dir: &Path, name: &str, n: u64) -> Result<u64> {
    let out_file = out_dir.join(format!("callgrind.{name}.{n}.out"));
    let mut cmd = Command::new("valgrind");
    cmd.arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(binary)
        .args([name, &n.to_string()])
        .stdin(Stdio::null());
    let output = cmd.output().map_err(|e| {
        format!(
            "cannot start `{}` (is valgrind installed?): {e}",
            display(&cmd)
        )
    })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!(
            "`{}` failed ({}):\n{stderr}",
            display(&cmd),
            output.status
        ));
    }
    // callgrind ends with `==pid== Collected : 123456789`.
    stderr
        .lines()
        .find_map(|l| {
            let (_, rest) = l.split_once("Collected :")?;
            rest.trim().parse::<u64>().ok()
        })
        .ok_or_else(|| {
            format!(
                "no instruction count in the output of `{}`:\n{stderr}",
                display(&cmd)
            )
        })
}
