//! The size/perf report: gzipped sizes of the built site's wasm and JavaScript against the
//! budget, and the browser timings the perf test measured (`tests/artifacts/perf.json`).

use crate::util::Result;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// wasm + JS, gzipped, in bytes (380 KB). Issue 3 set 300 KB for the page it specified; the
/// learner's tools that issues 12–16 put in the page (claim check, practice and exercises, code
/// export, static HTML, symmetric answers, Jacobian and Hessian views) cost about 80 KB more,
/// measured feature by feature in the README; the budget still fails a build that grows past it.
pub const BUDGET_BYTES: u64 = 380_000;

/// Target for the page's keystroke → painted over the "KaTeX HTML swap" floor of the same run.
pub const PAGE_OVER_FLOOR_TARGET: f64 = 1.1;

struct Entry {
    path: PathBuf,
    raw: u64,
    gz: u64,
}

/// Prints the report for `dist`; an error when there is no build or the budget is exceeded.
pub fn report(root: &Path, dist: &Path) -> Result {
    if !dist.join("index.html").exists() {
        return Err(format!(
            "{} has no index.html: build first (`trunk build --release`, or `cargo xtask test`)",
            dist.display()
        ));
    }
    let mut files = Vec::new();
    walk(dist, &mut files)?;
    files.sort();
    let loaded = loaded_code(dist, &files);
    let mut code = Vec::new();
    let mut unused = Vec::new();
    let mut other = Vec::new();
    for path in files {
        let raw = std::fs::metadata(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .len();
        let gz = gzip_len(&path)?;
        let rel = path.strip_prefix(dist).unwrap_or(&path).to_path_buf();
        let entry = Entry { path: rel, raw, gz };
        match path.extension().and_then(|e| e.to_str()) {
            Some("wasm" | "js" | "mjs") if loaded.contains(&path) => code.push(entry),
            Some("wasm" | "js" | "mjs") => unused.push(entry),
            _ => other.push(entry),
        }
    }
    println!(
        "Sizes of {} (gzip -9); the budget counts the wasm and JS the page loads:",
        dist.display()
    );
    println!("  {:<48} {:>10} {:>10}", "file", "raw", "gzipped");
    print_rows(&code);
    let total_gz: u64 = code.iter().map(|e| e.gz).sum();
    let total_raw: u64 = code.iter().map(|e| e.raw).sum();
    let wasm_gz: u64 = code
        .iter()
        .filter(|e| e.path.extension().is_some_and(|x| x == "wasm"))
        .map(|e| e.gz)
        .sum();
    println!(
        "  {:<48} {:>10} {:>10}",
        "wasm + JS total",
        kb(total_raw),
        kb(total_gz)
    );
    println!(
        "  of which wasm {} gz, JS {} gz",
        kb(wasm_gz),
        kb(total_gz - wasm_gz)
    );
    if !unused.is_empty() {
        println!("  JS shipped but not loaded by the page (not in the budget):");
        print_rows(&unused);
    }
    if !other.is_empty() {
        println!("  other files (not in the budget):");
        print_rows(&other);
    }
    perf_figures(root);
    // The budget is for what this project builds (release, wasm-opt): the wasm, its glue and
    // boot.js. KaTeX's own script, pinned from npm, is loaded too and reported beside it.
    let vendored_gz: u64 = code
        .iter()
        .filter(|e| e.path.starts_with("katex"))
        .map(|e| e.gz)
        .sum();
    let own_gz = total_gz - vendored_gz;
    let verdict = if own_gz <= BUDGET_BYTES {
        "within"
    } else {
        "OVER"
    };
    println!(
        "\nwasm + JS built here, gzipped: {} — {verdict} the budget of {}",
        kb(own_gz),
        kb(BUDGET_BYTES)
    );
    println!(
        "with KaTeX's script ({} gz), everything the page loads: {}{}",
        kb(vendored_gz),
        kb(total_gz),
        if total_gz > BUDGET_BYTES {
            " (over the budget; KaTeX's script is not counted in it)"
        } else {
            ""
        }
    );
    if own_gz <= BUDGET_BYTES {
        Ok(())
    } else {
        Err(format!(
            "wasm + JS built here is {} gzipped, over the {} budget",
            kb(own_gz),
            kb(BUDGET_BYTES)
        ))
    }
}

/// The wasm and JS files the page loads: those named in `index.html`, then, transitively, in
/// the loaded JS, by their path relative to the naming file's directory (`katex/katex.min.js`
/// from `index.html`, `./matdiff-web_bg.wasm` from `boot.js`).
fn loaded_code(dist: &Path, files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let is_code = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "wasm" | "js" | "mjs"))
    };
    let mut loaded = BTreeSet::new();
    let mut queue = vec![dist.join("index.html")];
    while let Some(file) = queue.pop() {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let dir = file.parent().unwrap_or(dist);
        for candidate in files.iter().filter(|p| is_code(p)) {
            if loaded.contains(candidate) {
                continue;
            }
            let Ok(rel) = candidate.strip_prefix(dir) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if text.contains(&rel) {
                loaded.insert(candidate.clone());
                if candidate.extension() != Some(std::ffi::OsStr::new("wasm")) {
                    queue.push(candidate.clone());
                }
            }
        }
    }
    loaded
}

fn print_rows(rows: &[Entry]) {
    for e in rows {
        println!(
            "  {:<48} {:>10} {:>10}",
            e.path.display().to_string(),
            kb(e.raw),
            kb(e.gz)
        );
    }
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Bytes of `gzip -9` output, the compression a static host typically serves.
fn gzip_len(path: &Path) -> Result<u64> {
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut child = Command::new("gzip")
        .args(["-9", "-c", "-n"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("gzip has no stdin")?;
    // Write from a thread so a large file cannot deadlock against gzip's full stdout pipe.
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    writer
        .join()
        .map_err(|_| "gzip writer panicked".to_string())?
        .map_err(|e| format!("gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip failed on {}", path.display()));
    }
    Ok(out.stdout.len() as u64)
}

/// The medians written by `tests/perf.test.mjs`, if it ran.
fn perf_figures(root: &Path) {
    let path = root.join("tests/artifacts/perf.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("\n(no browser timings: {} not found)", path.display());
        return;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        println!("\n({} is not JSON)", path.display());
        return;
    };
    println!(
        "\nBrowser timings (medians, headless chromium, from {}):",
        path.display()
    );
    if let Some(obj) = json.as_object() {
        for (section, value) in obj {
            match value.as_object() {
                Some(rows) => {
                    println!("  {section}:");
                    for (k, v) in rows {
                        println!("    {k:<40} {v}");
                    }
                }
                None => println!("  {section}: {value}"),
            }
        }
    }
    page_over_floor(&json);
}

/// The page's keystroke → painted over the KaTeX-HTML floor measured in the same run, per
/// example, against [`PAGE_OVER_FLOOR_TARGET`]. A timing on a shared machine: reported, never a
/// failure of the report.
fn page_over_floor(json: &serde_json::Value) {
    let Some(rows) = json["page_over_katex_floor"].as_object() else {
        println!("\n(no page / floor ratios in perf.json: run tests/perf.test.mjs)");
        return;
    };
    let page = &json["keystroke_to_paint_ms_median"];
    let floor = &json["floor_swap_katex_lines_ms_median"];
    let load = &json["load_average_1_5_15_min"];
    let load = |at: &str| load[at].as_str().unwrap_or("?").to_string();
    println!(
        "\nKeystroke → painted, the page over the KaTeX HTML swap floor of the same run \
         (target ≤ {PAGE_OVER_FLOOR_TARGET}; load averages {} at the start, {} at the end):",
        load("start"),
        load("end")
    );
    let mut over = 0;
    for (example, ratio) in rows {
        let Some(r) = ratio.as_f64() else { continue };
        let met = r <= PAGE_OVER_FLOOR_TARGET;
        if !met {
            over += 1;
        }
        println!(
            "  {example:<16} {r:>5.2}  ({} / {} ms)  {}",
            page[example],
            floor[example],
            if met {
                "meets the target"
            } else {
                "OVER the target"
            }
        );
    }
    if over > 0 {
        println!("  {over} of {} over the target", rows.len());
    }
    page_over_picture(json);
}

/// The page over the floor that swaps in the page's own settled picture (preview, symbol panel,
/// results) by innerHTML: what the page's script adds to showing the same pixels.
fn page_over_picture(json: &serde_json::Value) {
    let Some(rows) = json["page_over_picture_floor"].as_object() else {
        return;
    };
    let page = &json["keystroke_to_paint_ms_median"];
    let floor = &json["floor_swap_picture_ms_median"];
    println!(
        "\nThe page over the floor that swaps in the page's own picture of the same run \
         (the same pixels, no script of the page):"
    );
    for (example, ratio) in rows {
        let Some(r) = ratio.as_f64() else { continue };
        println!(
            "  {example:<16} {r:>5.2}  ({} / {} ms)  {}",
            page[example],
            floor[example],
            if r <= PAGE_OVER_FLOOR_TARGET {
                "within 1.1"
            } else {
                "over 1.1"
            }
        );
    }
}
