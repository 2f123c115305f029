//! Set-up on a fresh machine: installs each tool only when it is missing or at the wrong version.
//!
//! - the `wasm32-unknown-unknown` target (and clippy/rustfmt for the test command), by rustup;
//! - trunk 0.21.14 and the wasm-bindgen CLI at the version of `wasm-bindgen` in `Cargo.lock`,
//!   by `cargo install` into cargo's bin directory, which is then put first on `PATH`;
//! - the npm packages of `package.json` (katex, binaryen's `wasm-opt`, playwright-core), by
//!   `npm ci`; `node_modules/binaryen/bin` goes on `PATH` so trunk finds `wasm-opt`;
//! - Debian's chromium (`/usr/bin/chromium`) for the browser tests, by apt-get.

use crate::util::{cargo, header, is_root, output, run, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The trunk release the project is built with.
pub const TRUNK_VERSION: &str = "0.21.14";
/// The Rust target of the web page.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Where the browser tests expect Debian's chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// What a command needs besides the Rust toolchain itself.
#[derive(Clone, Copy)]
pub struct Needs {
    /// clippy and rustfmt components.
    pub lints: bool,
    /// chromium for the browser tests.
    pub browser: bool,
}

/// Makes every needed tool available and puts the tool directories first on this process's
/// `PATH`, so that every child (trunk, and trunk's own children) sees them.
pub fn ensure(root: &Path, needs: Needs) -> Result {
    header("set-up: tools");
    set_path(root)?;
    rust_target()?;
    if needs.lints {
        rust_components(&["clippy", "rustfmt"])?;
    }
    trunk()?;
    wasm_bindgen(root)?;
    node_packages(root)?;
    if needs.browser {
        chromium()?;
    }
    Ok(())
}

/// Where `cargo install` puts binaries, whatever `PATH` says: `$CARGO_INSTALL_ROOT/bin`, else
/// `$CARGO_HOME/bin`, by default `~/.cargo/bin`.
fn cargo_bin() -> Result<PathBuf> {
    if let Some(root) = std::env::var_os("CARGO_INSTALL_ROOT") {
        return Ok(PathBuf::from(root).join("bin"));
    }
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return Ok(PathBuf::from(home).join("bin"));
    }
    let home = std::env::var_os("HOME").ok_or("neither CARGO_HOME nor HOME is set")?;
    Ok(PathBuf::from(home).join(".cargo").join("bin"))
}

/// `node_modules/binaryen/bin` (wasm-opt for trunk) and cargo's bin directory (trunk,
/// wasm-bindgen), in front of the inherited `PATH`: a freshly installed tool wins over an older
/// copy elsewhere on `PATH`.
fn set_path(root: &Path) -> Result {
    let mut dirs = vec![root.join("node_modules/binaryen/bin"), cargo_bin()?];
    if let Some(old) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&old));
    }
    let mut seen = Vec::new();
    dirs.retain(|d| {
        let fresh = !seen.contains(d);
        seen.push(d.clone());
        fresh
    });
    let path: OsString =
        std::env::join_paths(dirs).map_err(|e| format!("cannot build PATH: {e}"))?;
    // Single-threaded at this point: nothing else reads the environment concurrently.
    std::env::set_var("PATH", &path);
    Ok(())
}

fn rustup() -> Command {
    Command::new("rustup")
}

fn rust_target() -> Result {
    let installed = output(rustup().args(["target", "list", "--installed"])).ok_or(
        "`rustup target list --installed` failed: matdiff needs rustup (https://rustup.rs)",
    )?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        println!("ok: rust target {WASM_TARGET} is installed");
        return Ok(());
    }
    run(rustup().args(["target", "add", WASM_TARGET]))
}

fn rust_components(names: &[&str]) -> Result {
    let installed = output(rustup().args(["component", "list", "--installed"]))
        .ok_or("`rustup component list --installed` failed")?;
    for name in names {
        // Installed components are listed with their host, e.g. `clippy-x86_64-unknown-linux-gnu`.
        let prefix = format!("{name}-");
        if installed
            .lines()
            .any(|l| l.trim() == *name || l.starts_with(&prefix))
        {
            println!("ok: rust component {name} is installed");
        } else {
            run(rustup().args(["component", "add", name]))?;
        }
    }
    Ok(())
}

/// The version a tool reports with `--version` (`trunk 0.21.14` → `0.21.14`), if it runs.
fn tool_version(program: &str) -> Option<String> {
    let text = output(Command::new(program).arg("--version"))?;
    text.split_whitespace().nth(1).map(str::to_string)
}

/// `cargo install`, run from a neutral directory so that the repository's `.cargo/config.toml`
/// cannot change how the tool is built.
fn cargo_install(args: &[&str]) -> Result {
    let mut cmd = cargo();
    cmd.arg("install")
        .args(args)
        .current_dir(std::env::temp_dir());
    run(&mut cmd)
}

fn ensure_cargo_tool(program: &str, want: &str, install: &[&str]) -> Result {
    match tool_version(program) {
        Some(have) if have == want => {
            println!("ok: {program} {have}");
            return Ok(());
        }
        Some(have) => println!("{program} is {have}, the project needs {want}: installing"),
        None => println!("{program} not found: installing {want}"),
    }
    cargo_install(install)?;
    match tool_version(program) {
        Some(have) if have == want => {
            println!("ok: {program} {have}");
            Ok(())
        }
        other => Err(format!(
            "after `cargo install`, `{program} --version` reports {other:?}, not {want}; \
             is another {program} earlier on PATH than {}?",
            cargo_bin()?.display()
        )),
    }
}

fn trunk() -> Result {
    ensure_cargo_tool(
        "trunk",
        TRUNK_VERSION,
        &["trunk", "--version", TRUNK_VERSION, "--locked"],
    )
}

/// The CLI must match the `wasm-bindgen` crate in `Cargo.lock` exactly, or trunk refuses the
/// build (and, offline, cannot fetch another). Installed without `--locked`, as its own lock
/// file pins dependencies that no longer build on current toolchains.
fn wasm_bindgen(root: &Path) -> Result {
    let version = locked_version(root, "wasm-bindgen")?;
    ensure_cargo_tool(
        "wasm-bindgen",
        &version,
        &["wasm-bindgen-cli", "--version", &version],
    )
}

/// The version of `package` in `Cargo.lock`.
pub fn locked_version(root: &Path, package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    version_in_lock(&lock, package).ok_or_else(|| format!("`{package}` is not in Cargo.lock"))
}

/// The `version` of the `[[package]]` named exactly `package` in the text of a lock file.
fn version_in_lock(lock: &str, package: &str) -> Option<String> {
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == name_line {
            return lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
                .map(str::to_string);
        }
    }
    None
}

/// Runs `npm ci` unless every package of `package.json` is installed at its pinned version.
fn node_packages(root: &Path) -> Result {
    if output(Command::new("node").arg("--version")).is_none()
        || output(Command::new("npm").arg("--version")).is_none()
    {
        println!("node or npm not found: installing Debian's nodejs and npm");
        apt_install(&["nodejs", "npm"])?;
    }
    let manifest = read_json(&root.join("package.json"))?;
    let mut stale = Vec::new();
    for section in ["dependencies", "devDependencies"] {
        let Some(deps) = manifest.get(section).and_then(|d| d.as_object()) else {
            continue;
        };
        for (name, want) in deps {
            let want = want.as_str().unwrap_or_default();
            let have = read_json(&root.join("node_modules").join(name).join("package.json"))
                .ok()
                .and_then(|p| p.get("version").and_then(|v| v.as_str()).map(String::from));
            if have.as_deref() != Some(want) {
                stale.push(format!(
                    "{name} (want {want}, have {})",
                    have.as_deref().unwrap_or("none")
                ));
            }
        }
    }
    if stale.is_empty() {
        println!("ok: npm packages match package.json");
        return Ok(());
    }
    println!("npm packages to install: {}", stale.join(", "));
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(root))?;
    let wasm_opt = root.join("node_modules/binaryen/bin/wasm-opt");
    if !wasm_opt.exists() {
        return Err(format!("npm ci did not provide {}", wasm_opt.display()));
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

/// Debian's chromium, which playwright-core drives (never a downloaded browser build).
fn chromium() -> Result {
    if Path::new(CHROMIUM).exists() {
        let version = output(Command::new(CHROMIUM).arg("--version")).unwrap_or_default();
        println!("ok: {CHROMIUM} {version}");
        return Ok(());
    }
    println!("{CHROMIUM} not found: installing Debian's chromium");
    apt_install(&["chromium"])?;
    if Path::new(CHROMIUM).exists() {
        Ok(())
    } else {
        Err(format!(
            "apt-get installed chromium but {CHROMIUM} is missing"
        ))
    }
}

/// `apt-get install -y`, with `sudo` unless root; on failure refreshes the package lists once
/// and tries again.
fn apt_install(packages: &[&str]) -> Result {
    let apt = |args: &[&str]| {
        let mut cmd = if is_root() {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    let mut install = vec!["install", "-y"];
    install.extend_from_slice(packages);
    if run(&mut apt(&install)).is_ok() {
        return Ok(());
    }
    println!("apt-get install failed: refreshing the package lists and trying again");
    run(&mut apt(&["update"]))?;
    run(&mut apt(&install))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_version_is_the_exact_package_not_a_prefix() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"0.2.99\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            version_in_lock(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            version_in_lock(lock, "wasm-bindgen-macro").as_deref(),
            Some("0.2.99")
        );
        assert_eq!(version_in_lock(lock, "trunk"), None);
    }

    #[test]
    fn the_workspace_lock_pins_wasm_bindgen() {
        let v = locked_version(&crate::util::repo_root(), "wasm-bindgen").unwrap();
        let parts: Vec<&str> = v.split('.').collect();
        assert_eq!(parts.len(), 3, "{v}");
        assert!(parts.iter().all(|p| p.parse::<u32>().is_ok()), "{v}");
    }
}
