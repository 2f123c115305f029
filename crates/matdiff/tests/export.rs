//! The exports run for real: every NumPy and JAX export of the Cookbook corpus and of
//! `data/export-functions.txt` (every function of the table) is executed by the project's Python
//! environment (`target/pyenv`, made by `cargo xtask setup`), in one Python process per target;
//! `f` and `grad_f` must agree with `matdiff grad --at` at the same values and `check_gradient`
//! must pass. The Hessian entries of the Jacobian corpus (`matdiff-core/tests/data/jacobians.txt`)
//! are exported with `--hessian` too: `hessian_f` must also agree with `matdiff grad --hessian`
//! and `check_hessian` must pass. The PyTorch exports run too when torch is importable (`cargo xtask test-torch`
//! installs it).
//!
//! Without the environment the test says so and passes, unless `MATDIFF_EXPORT_REQUIRED` is set
//! (the xtask test command sets it after making the environment): then it fails.

#[path = "../../matdiff-core/tests/common/mod.rs"]
mod common;

use matdiff_core::numeric::{resolve_problem_sizes, sample, Sizes};
use matdiff_core::{analyze, Input, Kind};
use nalgebra::DMatrix;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// One function to export: the corpus's fields.
struct Case {
    name: String,
    f: String,
    decls: String,
    wrt: String,
    /// Exported with `--hessian`, compared with `grad --hessian`.
    hessian: bool,
}

fn cases() -> Vec<Case> {
    let mut out: Vec<Case> = common::corpus()
        .into_iter()
        .map(|e| Case {
            name: e.label(),
            f: e.f,
            decls: e.decls,
            wrt: e.wrt,
            hessian: false,
        })
        .collect();
    out.extend(hessian_cases());
    for fields in common::blocks(include_str!("data/export-functions.txt")) {
        let mut c = Case {
            name: format!("export-functions.txt line {}", fields[0].0),
            f: String::new(),
            decls: String::new(),
            wrt: String::new(),
            hessian: false,
        };
        for (_, key, value) in fields {
            match key.as_str() {
                "f" => c.f = value,
                "let" => c.decls = value,
                "wrt" => c.wrt = value,
                "hessian" => c.hessian = value == "yes",
                other => panic!("unknown field {other} in export-functions.txt"),
            }
        }
        out.push(c);
    }
    out
}

/// The Hessian entries of the Jacobian and Hessian corpus.
fn hessian_cases() -> Vec<Case> {
    let mut out = Vec::new();
    for fields in common::blocks(include_str!("../../matdiff-core/tests/data/jacobians.txt")) {
        if !fields.iter().any(|(_, k, v)| k == "kind" && v == "hessian") {
            continue;
        }
        let mut c = Case {
            name: format!("jacobians.txt line {} (Hessian)", fields[0].0),
            f: String::new(),
            decls: String::new(),
            wrt: String::new(),
            hessian: true,
        };
        for (_, key, value) in fields {
            match key.as_str() {
                "f" => c.f = value,
                "let" => c.decls = value,
                "wrt" => c.wrt = value,
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The environment's Python: `MATDIFF_PYTHON`, else `target/pyenv/bin/python`.
fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MATDIFF_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let p = workspace().join("target/pyenv/bin/python");
    p.exists().then_some(p)
}

fn imports(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn matdiff(args: &[&str]) -> Result<String, String> {
    let o = Command::new(env!("CARGO_BIN_EXE_matdiff"))
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).into_owned())
    }
}

/// A value as `matdiff grad --at` reads it: a number, a flat array (column vector) or rows.
fn value_json(m: &DMatrix<f64>, kind: Kind) -> Value {
    match kind {
        Kind::Scalar => json!(m[(0, 0)]),
        Kind::Vector if m.ncols() == 1 => Value::Array(m.iter().map(|x| json!(x)).collect()),
        _ => Value::Array(
            (0..m.nrows())
                .map(|i| Value::Array((0..m.ncols()).map(|j| json!(m[(i, j)])).collect()))
                .collect(),
        ),
    }
}

/// The values (sampled by the engine) and the engine's `grad --at` output at them.
fn engine_numbers(c: &Case, dir: &Path, index: usize) -> Result<(Value, Value), String> {
    let a = analyze(&Input {
        expr: c.f.clone(),
        decls: c.decls.clone(),
        wrt: Some(c.wrt.clone()),
    });
    let p = a.problem.as_ref().ok_or("no problem")?;
    let sizes = resolve_problem_sizes(p, &Sizes::new()).map_err(|d| d.message)?;
    let values = sample(p, &sizes, 1).map_err(|e| e.message)?;
    let mut map = serde_json::Map::new();
    for s in &p.symbols.symbols {
        map.insert(s.name.clone(), value_json(&values[&s.name], s.kind));
    }
    let values = Value::Object(map);
    let file = dir.join(format!("values-{index}.json"));
    std::fs::write(&file, values.to_string()).map_err(|e| e.to_string())?;
    let at = file.to_string_lossy().into_owned();
    let mut args = vec![
        "grad", &c.f, "--wrt", &c.wrt, "--at", &at, "--format", "json",
    ];
    if !c.decls.is_empty() {
        args.extend(["--let", &c.decls]);
    }
    if c.hessian {
        args.push("--hessian");
    }
    let out = matdiff(&args)?;
    let engine: Value = serde_json::from_str(&out).map_err(|e| e.to_string())?;
    Ok((values, engine))
}

#[test]
fn exports_run_and_agree_with_the_engine() {
    let required = std::env::var_os("MATDIFF_EXPORT_REQUIRED").is_some();
    let Some(python) = python().filter(|p| imports(p, "numpy")) else {
        assert!(
            !required,
            "MATDIFF_EXPORT_REQUIRED is set but target/pyenv has no numpy: run `cargo xtask setup`"
        );
        eprintln!("skipped: no Python environment with numpy at target/pyenv (`cargo xtask setup` makes it)");
        return;
    };
    let mut targets = vec!["numpy"];
    for (target, module) in [("jax", "jax"), ("torch", "torch")] {
        if imports(&python, module) {
            targets.push(target);
        } else {
            assert!(
                !(required && target == "jax"),
                "MATDIFF_EXPORT_REQUIRED is set but jax is not importable: run `cargo xtask setup`"
            );
            eprintln!("not running the {target} exports: {module} is not importable");
        }
    }
    if std::env::var_os("MATDIFF_EXPORT_TORCH").is_some() {
        assert!(
            targets.contains(&"torch"),
            "MATDIFF_EXPORT_TORCH is set but torch is not importable"
        );
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("export-tests");
    std::fs::create_dir_all(&dir).expect("scratch dir");

    let start = Instant::now();
    let cases = cases();
    let mut errors = Vec::new();
    let mut refused = 0;
    let mut hessian_modules = 0;
    // Hessian modules whose hessian_f applies the exported linear map (no vec form).
    let mut from_map = 0;
    let mut manifests: Vec<(&str, Vec<Value>)> = targets.iter().map(|t| (*t, Vec::new())).collect();
    for (i, c) in cases.iter().enumerate() {
        let (values, engine) = match engine_numbers(c, &dir, i) {
            Ok(x) => x,
            // A size only an identity has (`tr(I)`): neither `grad --at` nor the export can
            // read it from the values; the export must say so.
            Err(e) if e.contains("no size for the dimension") => {
                let mut args = vec!["export", &c.f, "--wrt", &c.wrt, "--to", "numpy"];
                if !c.decls.is_empty() {
                    args.extend(["--let", &c.decls]);
                }
                match matdiff(&args) {
                    Err(m) if m.contains("is the size of no argument") => refused += 1,
                    other => errors.push(format!(
                        "{}: grad refuses ({e}) but export gives {other:?}",
                        c.name
                    )),
                }
                continue;
            }
            Err(e) => {
                errors.push(format!("{}: the engine: {e}", c.name));
                continue;
            }
        };
        for (target, manifest) in &mut manifests {
            let mut args = vec!["export", &c.f, "--wrt", &c.wrt, "--to", target];
            if !c.decls.is_empty() {
                args.extend(["--let", &c.decls]);
            }
            if c.hessian {
                args.push("--hessian");
            }
            match matdiff(&args) {
                Ok(source) => {
                    let mut case = json!({
                        "name": format!("{} [{target}]", c.name),
                        "source": source,
                        "values": values,
                        "f": engine["value"],
                        "gradient": engine["gradient"],
                    });
                    if c.hessian {
                        case["hessian"] = engine["hessian"].clone();
                        hessian_modules += 1;
                        if source.contains("\ndef hessian_map(") {
                            from_map += 1;
                        }
                    }
                    manifest.push(case);
                }
                Err(e) => errors.push(format!("{} [{target}]: export failed: {e}", c.name)),
            }
        }
    }
    let prepared = start.elapsed();
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/export_runner.py");
    let mut summary = Vec::new();
    for (target, manifest) in manifests {
        let file = dir.join(format!("manifest-{target}.json"));
        let n = manifest.len();
        std::fs::write(
            &file,
            json!({"target": target, "cases": manifest}).to_string(),
        )
        .expect("write manifest");
        let t = Instant::now();
        let o = Command::new(&python)
            .arg(&runner)
            .arg(&file)
            .output()
            .expect("run python");
        let stdout = String::from_utf8_lossy(&o.stdout);
        let report: Value = stdout
            .lines()
            .last()
            .and_then(|l| serde_json::from_str(l).ok())
            .unwrap_or_else(|| {
                panic!(
                    "the runner gave no report for {target}:\n{stdout}\n{}",
                    String::from_utf8_lossy(&o.stderr)
                )
            });
        for failure in report["failures"].as_array().into_iter().flatten() {
            let problems: Vec<&str> = failure["problems"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            errors.push(format!(
                "{}: {}",
                failure["name"].as_str().unwrap_or("?"),
                problems.join("; ")
            ));
        }
        summary.push(format!(
            "{target}: {n} modules in {:.1}s",
            t.elapsed().as_secs_f64()
        ));
    }
    let hessian_cases = cases.iter().filter(|c| c.hessian).count();
    eprintln!(
        "exports: {} cases, {hessian_cases} of them with --hessian ({hessian_modules} Hessian modules, \
         {from_map} of them from the linear map) \
         ({refused} refused: a size no argument has); engine values and exports prepared in {:.1}s; {}",
        cases.len(),
        prepared.as_secs_f64(),
        summary.join(", ")
    );
    assert!(cases.len() >= 80, "only {} cases", cases.len());
    assert!(refused <= 1, "{refused} cases refused");
    assert!(hessian_cases >= 50, "only {hessian_cases} Hessian cases");
    assert!(
        from_map >= 3,
        "only {from_map} Hessian modules from the linear map"
    );
    assert!(
        errors.is_empty(),
        "{} failures:\n{}",
        errors.len(),
        errors.join("\n\n")
    );
}

/// The extra cases use every function of the table, so a new function is exported and run.
#[test]
fn the_extra_cases_use_every_function() {
    let text = include_str!("data/export-functions.txt");
    for f in matdiff_core::Func::ALL {
        let name = f.name();
        let used = text.lines().filter(|l| l.starts_with("f:")).any(|l| {
            l.match_indices(name).any(|(i, _)| {
                let before = l[..i]
                    .chars()
                    .last()
                    .is_none_or(|c| !c.is_ascii_alphanumeric());
                let after = l[i + name.len()..].starts_with('(');
                before && after
            })
        });
        assert!(used, "no case of data/export-functions.txt uses {name}");
    }
}

fn run_matdiff(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_matdiff"))
        .args(args)
        .output()
        .expect("run matdiff")
}

/// The verb's contract: the module on stdout, exit 0 (with `--hessian`, `hessian_f` and
/// `check_hessian` too); bad input and an unknown target with exit 2.
#[test]
fn export_verb_contract() {
    let o = run_matdiff(&[
        "export",
        "x'*inv(A)*x",
        "--wrt",
        "x",
        "--to",
        "jax",
        "--let",
        "A: spd n",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let code = String::from_utf8_lossy(&o.stdout);
    assert!(
        code.starts_with("\"\"\"f and its gradient with respect to x, for JAX"),
        "{code}"
    );
    assert!(
        code.contains("A: matrix n x n, symmetric positive definite"),
        "{code}"
    );
    assert!(
        code.contains("jnp.linalg.solve") && !code.contains("_inv("),
        "{code}"
    );
    assert!(!code.contains("hessian"), "{code}");
    // `--hessian`: hessian_f from the vec form, check_hessian, and __main__ runs both.
    let o = run_matdiff(&[
        "export",
        "tr(X*X*X)",
        "--wrt",
        "X",
        "--to",
        "numpy",
        "--hessian",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let code = String::from_utf8_lossy(&o.stdout);
    for part in [
        "def hessian_f(**values):",
        "_commutation(_n, _n)",
        "_kron(",
        "def check_hessian(seed=0, tolerance=1e-6):",
        "    passed = check_gradient()\n    passed = check_hessian() and passed\n",
        "hessian_f returns the N x N Hessian, N = numel(X), in vec order",
    ] {
        assert!(code.contains(part), "no {part:?} in\n{code}");
    }
    assert!(!code.contains("def hessian_map("), "{code}");
    // No readable Kronecker form: the linear map, exported, applied to the basis directions.
    let o = run_matdiff(&[
        "export",
        "sum(diag(X))^2",
        "--wrt",
        "X",
        "--to",
        "jax",
        "--hessian",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let code = String::from_utf8_lossy(&o.stdout);
    for part in [
        "def hessian_map(direction, **values):",
        "return _hessian_columns(hessian_map, X, values)",
        "jax.hessian",
    ] {
        assert!(code.contains(part), "no {part:?} in\n{code}");
    }
    let o = run_matdiff(&["export", "tr(X", "--to", "numpy"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("error"));
    let o = run_matdiff(&["export", "tr(X)", "--to", "matlab"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run_matdiff(&["export", "x'*x + tr(I)", "--wrt", "x", "--to", "torch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot export to PyTorch: the size"));
}
