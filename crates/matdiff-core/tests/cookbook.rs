//! The Matrix Cookbook corpus (`data/cookbook.txt`): each identity derives, its gradient equals the
//! Cookbook's numerically at random points, the numeric checks pass, and canonical forms print as stated.

mod common;

use common::{check_entry, corpus, Entry};

#[test]
fn corpus_is_large_and_labelled() {
    let entries = corpus();
    assert!(entries.len() >= 60, "only {} identities", entries.len());
    let numbered = entries.iter().filter(|e| e.eq != "derived").count();
    assert!(
        numbered >= 50,
        "only {numbered} identities carry a Cookbook equation number"
    );
    for e in &entries {
        assert!(
            e.eq == "derived" || (e.eq.parse::<u32>().is_ok_and(|n| (1..=600).contains(&n))),
            "bad label {}",
            e.label()
        );
    }
    assert_eq!(entries.iter().filter(|e| e.canonical.is_some()).count(), 2);
}

#[test]
fn cookbook_identities() {
    let entries = corpus();
    let failures: Vec<String> = entries
        .iter()
        .filter_map(|e| {
            check_entry(e)
                .err()
                .map(|m| format!("{}\n    {m}", e.label()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} identities failed:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}

/// The third canonical form of the note, `logdet(X'*X)`, without declarations.
#[test]
fn note_logdet_is_canonical() {
    let d = common::derivation("logdet(X'*X)", "", None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.gradient_text, "2*X*inv(X'*X)");
}

/// Checks `(f, wrt, expected gradient)` cases like corpus entries; with `canonical`, the gradient
/// must also print exactly as expected.
fn check_derived(cases: &[(&str, &str, &str)], canonical: bool) {
    for &(f, wrt, grad) in cases {
        let e = Entry {
            eq: "derived".into(),
            f: f.into(),
            wrt: wrt.into(),
            grad: grad.into(),
            canonical: canonical.then(|| grad.into()),
            ..Entry::default()
        };
        check_entry(&e).unwrap_or_else(|err| panic!("{}: {err}", e.label()));
    }
}

/// Names written as implicit products (`Ax`, `x'Ax`, `SigmaX`) and subscripted Greek scalars
/// (`lambda_1`) derive like their explicit forms: each gradient is compared with the explicit
/// one at random points and checked numerically, like a corpus entry.
#[test]
fn implicit_products_and_greek_subscripts_derive_like_explicit_forms() {
    let cases = [
        ("||Ax - b||^2", "x", "2*A'*(A*x - b)"),
        ("x'Ax", "x", "(A + A')*x"),
        ("x'Ax", "A", "x*x'"),
        ("tr(SigmaX)", "X", "Sigma'"),
        ("tr(AXB) + lambda_1*tr(X'X)", "X", "A'*B' + 2*lambda_1*X"),
        ("alpha2*x'x", "x", "2*alpha2*x"),
    ];
    check_derived(&cases, false);
    // The two readings agree exactly, not only numerically.
    let implicit = common::derivation("||Ax - b||^2", "", None).unwrap_or_else(|e| panic!("{e}"));
    let explicit = common::derivation("||A*x - b||^2", "", None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(implicit.gradient_text, explicit.gradient_text);
    assert_eq!(implicit.wrt, "x");
}

/// A whole coefficient over a number is reduced: `x'x/2` has the gradient `x`, not `2*x / 2`.
/// Each is also compared with the expected gradient at random points and checked numerically.
#[test]
fn whole_coefficients_over_a_number_are_reduced() {
    let cases = [
        ("x'*x/2", "x", "x"),
        ("(1/2)*||A*x - b||^2", "x", "A'*(A*x - b)"),
        ("x'*x/4", "x", "x / 2"),
        ("x'*x/(-2)", "x", "-x"),
        ("x'*x/3", "x", "2*x / 3"),
    ];
    check_derived(&cases, true);
}
