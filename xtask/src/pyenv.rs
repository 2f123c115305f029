//! The project's Python environment for the code-export tests: a virtual environment at
//! `target/pyenv` (`python3 -m venv`) with NumPy and JAX (CPU) at pinned versions from the
//! package registry, and PyTorch for `cargo xtask test-torch`.

use crate::util::{output, run, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned packages of the test command (CPython 3.11 wheels exist for all of them).
pub const PACKAGES: &[(&str, &str)] =
    &[("numpy", "2.2.6"), ("jax", "0.4.38"), ("jaxlib", "0.4.38")];
/// The pinned PyTorch of `cargo xtask test-torch`.
pub const TORCH: (&str, &str) = ("torch", "2.5.1");
/// PyTorch's own index of CPU-only wheels, tried first (the registry's wheels bring the CUDA
/// libraries, several GB).
const TORCH_CPU_INDEX: &str = "https://download.pytorch.org/whl/cpu";

/// The environment's directory.
pub fn dir(root: &Path) -> PathBuf {
    root.join("target/pyenv")
}

/// The environment's interpreter.
pub fn python(root: &Path) -> PathBuf {
    dir(root).join("bin/python")
}

/// The version of `package` installed in the environment, if any.
fn installed(root: &Path, package: &str) -> Option<String> {
    let code = format!("import importlib.metadata as m; print(m.version({package:?}))");
    output(Command::new(python(root)).args(["-c", &code])).map(|s| s.trim().to_string())
}

fn pip(root: &Path) -> Command {
    let mut cmd = Command::new(python(root));
    cmd.args(["-m", "pip", "install", "--disable-pip-version-check"]);
    cmd
}

/// Makes `target/pyenv` if missing and installs whatever of `packages` is missing or at
/// another version.
fn ensure_packages(root: &Path, packages: &[(&str, &str)]) -> Result {
    if !python(root).exists() {
        println!("making the Python environment {}", dir(root).display());
        run(Command::new("python3").args(["-m", "venv"]).arg(dir(root))).map_err(|e| {
            format!("{e}\n`python3 -m venv` failed: the export tests need CPython 3 with venv (Debian: apt-get install python3-venv)")
        })?;
    }
    let mut missing = Vec::new();
    for (name, version) in packages {
        match installed(root, name) {
            Some(v) if v == *version => println!("ok: python {name} {v}"),
            other => {
                println!(
                    "python {name}: want {version}, have {}",
                    other.as_deref().unwrap_or("none")
                );
                missing.push(format!("{name}=={version}"));
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    run(pip(root).args(&missing))
}

/// The environment with NumPy and JAX.
pub fn ensure(root: &Path) -> Result {
    ensure_packages(root, PACKAGES)
}

/// The environment with PyTorch too: the CPU-only wheel from PyTorch's index when it answers,
/// else the registry's.
pub fn ensure_torch(root: &Path) -> Result {
    ensure(root)?;
    let (name, version) = TORCH;
    if installed(root, name).is_some_and(|v| v.split('+').next() == Some(version)) {
        println!("ok: python {name} {version}");
        return Ok(());
    }
    let spec = format!("{name}=={version}");
    if run(pip(root).args([&spec, "--index-url", TORCH_CPU_INDEX])).is_ok() {
        return Ok(());
    }
    println!("PyTorch's CPU index did not answer: installing {spec} from the registry");
    run(pip(root).arg(&spec))
}
