//! Tests of the code export: every function of the table maps to every target, and the shapes
//! of the generated code (solves, slogdet, shared temporaries) on small examples.

use super::*;
use crate::api::{analyze, Input};

fn export(expr: &str, decls: &str, wrt: &str, target: Target) -> Result<String, String> {
    let a = analyze(&Input {
        expr: expr.into(),
        decls: decls.into(),
        wrt: Some(wrt.into()),
    });
    let (Some(p), Some(d)) = (&a.problem, &a.derivation) else {
        return Err(format!("{expr}: {:?}", a.diagnostics));
    };
    python(p, d, target).map_err(|d| d.message)
}

/// A new function of the table needs its Python form for every target (no placeholder left).
#[test]
fn every_function_maps_to_every_target() {
    for f in Func::ALL {
        let m = mapping(*f).unwrap_or_else(|e| panic!("{}: {e}", f.name()));
        if let Mapping::Helper(h) = m {
            for t in Target::ALL {
                let def = h.definition(t);
                assert!(def.starts_with(&format!("def {}(", h.name())), "{def}");
                assert!(!def.contains("XP"), "{def}");
            }
        }
    }
}

#[test]
fn inverse_times_vector_is_a_solve_and_logdet_is_slogdet() {
    let code = export("x'*inv(A)*x + logdet(A)", "", "x", Target::Numpy).unwrap();
    assert!(code.contains("_solve("), "{code}");
    assert!(!code.contains("_inv("), "{code}");
    assert!(code.contains("np.linalg.slogdet"), "{code}");
    assert!(!code.contains("np.log(_det"), "{code}");
    let code = export("log(det(X))", "", "X", Target::Jax).unwrap();
    assert!(code.contains("_logdet(X)"), "{code}");
    let code = export("logdet(S) + tr(S*X)", "S: spd n", "X", Target::Torch).unwrap();
    assert!(
        code.contains("_logdet_spd(S)") && code.contains("torch.linalg.cholesky"),
        "{code}"
    );
}

#[test]
fn repeated_subexpressions_are_computed_once() {
    let code = export("exp(x'*A*x) + (x'*A*x)^2", "", "x", Target::Numpy).unwrap();
    let f = &code[code.find("def f(").unwrap()..code.find("def grad_f(").unwrap()];
    assert_eq!(f.matches("x.T @").count(), 1, "{f}");
    assert!(f.contains("_t1 = "), "{f}");
}

#[test]
fn keywords_are_renamed_and_docstring_names_shapes() {
    let code = export("lambda*x'*x", "", "x", Target::Numpy).unwrap();
    assert!(
        code.contains("lambda_ = _scalar(values[\"lambda\"])"),
        "{code}"
    );
    assert!(code.contains("x: vector of size n"), "{code}");
}

#[test]
fn a_size_only_an_identity_has_is_refused() {
    let e = export("x'*x + tr(I)", "", "x", Target::Numpy).unwrap_err();
    assert!(e.contains("is the size of no argument"), "{e}");
}
