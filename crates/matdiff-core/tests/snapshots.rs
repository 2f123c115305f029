//! Snapshot tests of derivations (rule id and LaTeX of every line) and the note's rule order.

mod common;

use common::{derivation, MORE, NOTE};
use expect_test::{expect, Expect};

/// One line per step: the rule id (blank on the first line), then the LaTeX; then the gradient.
fn render(expr: &str, decls: &str, wrt: Option<&str>) -> String {
    match derivation(expr, decls, wrt) {
        Ok(d) => {
            let mut out = String::new();
            for s in &d.steps {
                let lhs = match s.lhs {
                    matdiff_core::Lhs::Dy => "dy",
                    matdiff_core::Lhs::Gradient => "grad",
                };
                let id = s.rule.map_or("", |r| r.id);
                out.push_str(&format!("{id:<22} {lhs} = {}\n", s.latex));
            }
            out.push_str(&format!("gradient: {}\n", d.gradient_text));
            out
        }
        Err(e) => format!("ERROR\n{e}"),
    }
}

fn check(expr: &str, decls: &str, wrt: Option<&str>, expect: Expect) {
    expect.assert_eq(&render(expr, decls, wrt));
}

/// Rule ids of a derivation, in order.
fn rule_ids(expr: &str, decls: &str, wrt: Option<&str>) -> Vec<&'static str> {
    match derivation(expr, decls, wrt) {
        Ok(d) => d
            .steps
            .iter()
            .filter_map(|s| s.rule.map(|r| r.id))
            .collect(),
        Err(e) => panic!("{expr}: {e}"),
    }
}

/// Whether `wanted` occurs in `ids` in order (not necessarily adjacent).
fn is_subsequence(wanted: &[&str], ids: &[&str]) -> bool {
    let mut it = ids.iter();
    wanted.iter().all(|w| it.any(|id| id == w))
}

#[test]
fn subsequence_helper() {
    assert!(is_subsequence(&["a", "c"], &["a", "b", "c"]));
    assert!(!is_subsequence(&["c", "a"], &["a", "b", "c"]));
    assert!(!is_subsequence(&["a", "a"], &["a", "b"]));
}

fn assert_rule_order(example: usize, wanted: &[&str]) {
    let (expr, decls, wrt) = NOTE[example];
    let ids = rule_ids(expr, decls, wrt);
    assert!(
        is_subsequence(wanted, &ids),
        "{expr}: {wanted:?} is not a subsequence of {ids:?}"
    );
}

#[test]
fn note_rule_order_least_squares() {
    assert_rule_order(
        0,
        &["product-rule", "transpose", "product-rule", "constant"],
    );
}

#[test]
fn note_rule_order_trace() {
    assert_rule_order(1, &["trace", "product-rule", "constant", "trace-cyclic"]);
}

/// The note splits Tr(S((dX)'X + X'dX)) into two traces: linearity of the trace.
#[test]
fn note_rule_order_logdet() {
    assert_rule_order(
        2,
        &["log-det", "product-rule", "transpose", "trace-linearity"],
    );
}

#[test]
fn note_gradients_read_as_the_note() {
    let expected = ["2*A'*(A*x - b)", "A'*B'", "2*X*inv(X'*X)"];
    for ((expr, decls, wrt), want) in NOTE.iter().zip(expected) {
        let d = derivation(expr, decls, *wrt).unwrap_or_else(|e| panic!("{expr}: {e}"));
        assert_eq!(d.gradient_text, want, "{expr}");
    }
}

#[test]
fn every_example_derives() {
    for (expr, decls, wrt) in NOTE.iter().chain(MORE.iter()) {
        if let Err(e) = derivation(expr, decls, *wrt) {
            panic!("{expr} [{decls}]: {e}");
        }
    }
}

#[test]
fn note_least_squares() {
    check(
        "||A*x - b||^2",
        "",
        Some("x"),
        expect![[r#"
                               dy = \mathrm{d}\left(\left\|\mathbf{A} \mathbf{x} - \mathbf{b}\right\|_2^{2}\right)
        norm-squared           dy = \mathrm{d}\left(\left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)^\top \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)\right)
        product-rule           dy = \left(\mathrm{d}\left(\left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)^\top\right)\right) \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right) + \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)^\top \, \mathrm{d}\left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)
        transpose              dy = \left(\mathrm{d}\left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)\right)^\top \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right) + \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)^\top \, \mathrm{d}\left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)
        linearity              dy = \left(\mathrm{d}\left(\mathbf{A} \mathbf{x}\right) - \mathrm{d}\mathbf{b}\right)^\top \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right) + \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)^\top \left(\mathrm{d}\left(\mathbf{A} \mathbf{x}\right) - \mathrm{d}\mathbf{b}\right)
        constant               dy = \left(\mathrm{d}\left(\mathbf{A} \mathbf{x}\right)\right)^\top \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right) + \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)^\top \, \mathrm{d}\left(\mathbf{A} \mathbf{x}\right)
        product-rule           dy = \left((\mathrm{d}\mathbf{A}) \mathbf{x} + \mathbf{A} \, \mathrm{d}\mathbf{x}\right)^\top \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right) + \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)^\top \left((\mathrm{d}\mathbf{A}) \mathbf{x} + \mathbf{A} \, \mathrm{d}\mathbf{x}\right)
        constant               dy = \left(\mathbf{A} \, \mathrm{d}\mathbf{x}\right)^\top \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right) + \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
        scalar-transpose       dy = \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)^\top \mathbf{A} \, \mathrm{d}\mathbf{x} + \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
        collect                dy = 2 \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
        read-off               grad = \left(2 \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)^\top \mathbf{A}\right)^\top
        transpose-product      grad = 2 \mathbf{A}^\top \left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)
        gradient: 2*A'*(A*x - b)
    "#]],
    );
}

#[test]
fn note_trace_axb() {
    check(
        "tr(A*X*B)",
        "",
        None,
        expect![[r#"
                               dy = \mathrm{d}\left(\operatorname{Tr}\left(\mathbf{A} \mathbf{X} \mathbf{B}\right)\right)
        trace                  dy = \operatorname{Tr}\left(\mathrm{d}\left(\mathbf{A} \mathbf{X} \mathbf{B}\right)\right)
        product-rule           dy = \operatorname{Tr}\left((\mathrm{d}\mathbf{A}) \mathbf{X} \mathbf{B} + \mathbf{A} \, (\mathrm{d}\mathbf{X}) \mathbf{B} + \mathbf{A} \mathbf{X} \, \mathrm{d}\mathbf{B}\right)
        constant               dy = \operatorname{Tr}\left(\mathbf{A} \, (\mathrm{d}\mathbf{X}) \mathbf{B}\right)
        trace-cyclic           dy = \operatorname{Tr}\left(\mathbf{B} \mathbf{A} \, \mathrm{d}\mathbf{X}\right)
        read-off               grad = \left(\mathbf{B} \mathbf{A}\right)^\top
        transpose-product      grad = \mathbf{A}^\top \mathbf{B}^\top
        gradient: A'*B'
    "#]],
    );
}

#[test]
fn note_logdet() {
    check(
        "logdet(X'*X)",
        "",
        None,
        expect![[r#"
                                   dy = \mathrm{d}\left(\log\det\left(\mathbf{X}^\top \mathbf{X}\right)\right)
            log-det                dy = \operatorname{Tr}\left(\left(\mathbf{X}^\top \mathbf{X}\right)^{-1} \, \mathrm{d}\left(\mathbf{X}^\top \mathbf{X}\right)\right)
            product-rule           dy = \operatorname{Tr}\left(\left(\mathbf{X}^\top \mathbf{X}\right)^{-1} \left(\left(\mathrm{d}\left(\mathbf{X}^\top\right)\right) \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)\right)
            transpose              dy = \operatorname{Tr}\left(\left(\mathbf{X}^\top \mathbf{X}\right)^{-1} \left(\left(\mathrm{d}\mathbf{X}\right)^\top \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)\right)
            distribute             dy = \operatorname{Tr}\left(\left(\mathbf{X}^\top \mathbf{X}\right)^{-1} \left(\mathrm{d}\mathbf{X}\right)^\top \mathbf{X} + \left(\mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)
            trace-linearity        dy = \operatorname{Tr}\left(\left(\mathbf{X}^\top \mathbf{X}\right)^{-1} \left(\mathrm{d}\mathbf{X}\right)^\top \mathbf{X}\right) + \operatorname{Tr}\left(\left(\mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)
            trace-transpose        dy = \operatorname{Tr}\left(\mathbf{X}^\top \, (\mathrm{d}\mathbf{X}) \left(\mathbf{X}^\top \mathbf{X}\right)^{-1}\right) + \operatorname{Tr}\left(\left(\mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)
            trace-cyclic           dy = \operatorname{Tr}\left(\left(\mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right) + \operatorname{Tr}\left(\left(\mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)
            collect                dy = 2 \operatorname{Tr}\left(\left(\mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)
            read-off               grad = \left(2 \left(\mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top\right)^\top
            transpose-product      grad = 2 \mathbf{X} \left(\mathbf{X}^\top \mathbf{X}\right)^{-1}
            gradient: 2*X*inv(X'*X)
        "#]],
    );
}

#[test]
fn quadratic_form() {
    check(
        "x'*A*x",
        "",
        Some("x"),
        expect![[r#"
                               dy = \mathrm{d}\left(\mathbf{x}^\top \mathbf{A} \mathbf{x}\right)
        product-rule           dy = \left(\mathrm{d}\left(\mathbf{x}^\top\right)\right) \mathbf{A} \mathbf{x} + \mathbf{x}^\top \, (\mathrm{d}\mathbf{A}) \mathbf{x} + \mathbf{x}^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
        constant               dy = \left(\mathrm{d}\left(\mathbf{x}^\top\right)\right) \mathbf{A} \mathbf{x} + \mathbf{x}^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
        transpose              dy = \left(\mathrm{d}\mathbf{x}\right)^\top \mathbf{A} \mathbf{x} + \mathbf{x}^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
        scalar-transpose       dy = \mathbf{x}^\top \mathbf{A}^\top \, \mathrm{d}\mathbf{x} + \mathbf{x}^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
        collect                dy = \mathbf{x}^\top \left(\mathbf{A}^\top + \mathbf{A}\right) \, \mathrm{d}\mathbf{x}
        read-off               grad = \left(\mathbf{x}^\top \left(\mathbf{A}^\top + \mathbf{A}\right)\right)^\top
        transpose-product      grad = \left(\mathbf{A}^\top + \mathbf{A}\right) \mathbf{x}
        simplify               grad = \left(\mathbf{A} + \mathbf{A}^\top\right) \mathbf{x}
        gradient: (A + A')*x
    "#]],
    );
}

#[test]
fn quadratic_form_symmetric() {
    check(
        "x'*S*x",
        "S: symmetric n",
        Some("x"),
        expect![[r#"
                               dy = \mathrm{d}\left(\mathbf{x}^\top \mathbf{S} \mathbf{x}\right)
        product-rule           dy = \left(\mathrm{d}\left(\mathbf{x}^\top\right)\right) \mathbf{S} \mathbf{x} + \mathbf{x}^\top \, (\mathrm{d}\mathbf{S}) \mathbf{x} + \mathbf{x}^\top \mathbf{S} \, \mathrm{d}\mathbf{x}
        constant               dy = \left(\mathrm{d}\left(\mathbf{x}^\top\right)\right) \mathbf{S} \mathbf{x} + \mathbf{x}^\top \mathbf{S} \, \mathrm{d}\mathbf{x}
        transpose              dy = \left(\mathrm{d}\mathbf{x}\right)^\top \mathbf{S} \mathbf{x} + \mathbf{x}^\top \mathbf{S} \, \mathrm{d}\mathbf{x}
        scalar-transpose       dy = \mathbf{x}^\top \mathbf{S} \, \mathrm{d}\mathbf{x} + \mathbf{x}^\top \mathbf{S} \, \mathrm{d}\mathbf{x}
        collect                dy = 2 \mathbf{x}^\top \mathbf{S} \, \mathrm{d}\mathbf{x}
        read-off               grad = \left(2 \mathbf{x}^\top \mathbf{S}\right)^\top
        transpose-product      grad = 2 \mathbf{S} \mathbf{x}
        gradient: 2*S*x
    "#]],
    );
}

#[test]
fn determinant() {
    check(
        "det(X)",
        "",
        None,
        expect![[r#"
                               dy = \mathrm{d}\left(\det\left(\mathbf{X}\right)\right)
        determinant            dy = \det\left(\mathbf{X}\right) \operatorname{Tr}\left(\mathbf{X}^{-1} \, \mathrm{d}\mathbf{X}\right)
        read-off               grad = \left(\det\left(\mathbf{X}\right) \mathbf{X}^{-1}\right)^\top
        transpose-product      grad = \det\left(\mathbf{X}\right) \mathbf{X}^{-\top}
        gradient: det(X)*inv(X)'
    "#]],
    );
}

#[test]
fn trace_of_inverse_product() {
    check(
        "tr(A*inv(X)*B)",
        "",
        None,
        expect![[r#"
                               dy = \mathrm{d}\left(\operatorname{Tr}\left(\mathbf{A} \mathbf{X}^{-1} \mathbf{B}\right)\right)
        trace                  dy = \operatorname{Tr}\left(\mathrm{d}\left(\mathbf{A} \mathbf{X}^{-1} \mathbf{B}\right)\right)
        product-rule           dy = \operatorname{Tr}\left((\mathrm{d}\mathbf{A}) \mathbf{X}^{-1} \mathbf{B} + \mathbf{A} \, \left(\mathrm{d}\left(\mathbf{X}^{-1}\right)\right) \mathbf{B} + \mathbf{A} \mathbf{X}^{-1} \, \mathrm{d}\mathbf{B}\right)
        constant               dy = \operatorname{Tr}\left(\mathbf{A} \, \left(\mathrm{d}\left(\mathbf{X}^{-1}\right)\right) \mathbf{B}\right)
        inverse                dy = \operatorname{Tr}\left(-\mathbf{A} \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \mathbf{X}^{-1} \mathbf{B}\right)
        trace-linearity        dy = -\operatorname{Tr}\left(\mathbf{A} \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \mathbf{X}^{-1} \mathbf{B}\right)
        trace-cyclic           dy = -\operatorname{Tr}\left(\mathbf{X}^{-1} \mathbf{B} \mathbf{A} \mathbf{X}^{-1} \, \mathrm{d}\mathbf{X}\right)
        read-off               grad = \left(-\mathbf{X}^{-1} \mathbf{B} \mathbf{A} \mathbf{X}^{-1}\right)^\top
        transpose-product      grad = -\mathbf{X}^{-\top} \mathbf{A}^\top \mathbf{B}^\top \mathbf{X}^{-\top}
        gradient: -inv(X)'*A'*B'*inv(X)'
    "#]],
    );
}

#[test]
fn bilinear_inverse() {
    check(
        "a'*inv(X)*b",
        "a: vector n, b: vector n",
        None,
        expect![[r#"
                               dy = \mathrm{d}\left(\mathbf{a}^\top \mathbf{X}^{-1} \mathbf{b}\right)
        product-rule           dy = \left(\mathrm{d}\left(\mathbf{a}^\top\right)\right) \mathbf{X}^{-1} \mathbf{b} + \mathbf{a}^\top \, \left(\mathrm{d}\left(\mathbf{X}^{-1}\right)\right) \mathbf{b} + \mathbf{a}^\top \mathbf{X}^{-1} \, \mathrm{d}\mathbf{b}
        constant               dy = \mathbf{a}^\top \, \left(\mathrm{d}\left(\mathbf{X}^{-1}\right)\right) \mathbf{b}
        inverse                dy = -\mathbf{a}^\top \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \mathbf{X}^{-1} \mathbf{b}
        scalar-as-trace        dy = -\operatorname{Tr}\left(\mathbf{a}^\top \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \mathbf{X}^{-1} \mathbf{b}\right)
        trace-cyclic           dy = -\operatorname{Tr}\left(\mathbf{X}^{-1} \mathbf{b} \mathbf{a}^\top \mathbf{X}^{-1} \, \mathrm{d}\mathbf{X}\right)
        read-off               grad = \left(-\mathbf{X}^{-1} \mathbf{b} \mathbf{a}^\top \mathbf{X}^{-1}\right)^\top
        transpose-product      grad = -\mathbf{X}^{-\top} \mathbf{a} \mathbf{b}^\top \mathbf{X}^{-\top}
        gradient: -inv(X)'*a*b'*inv(X)'
    "#]],
    );
}

#[test]
fn frobenius_norm() {
    check(
        "||X||_F",
        "",
        None,
        expect![[r#"
                               dy = \mathrm{d}\left(\left\|\mathbf{X}\right\|_F\right)
        norm                   dy = \frac{\operatorname{Tr}\left(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)}{\left\|\mathbf{X}\right\|_F}
        read-off               grad = \left(\frac{1}{\left\|\mathbf{X}\right\|_F} \mathbf{X}^\top\right)^\top
        transpose-product      grad = \frac{1}{\left\|\mathbf{X}\right\|_F} \mathbf{X}
        simplify               grad = \frac{\mathbf{X}}{\left\|\mathbf{X}\right\|_F}
        gradient: X / norm2(X)
    "#]],
    );
}

#[test]
fn euclidean_distance() {
    check(
        "||x - a||",
        "a: vector n",
        Some("x"),
        expect![[r#"
                               dy = \mathrm{d}\left(\left\|\mathbf{x} - \mathbf{a}\right\|_2\right)
        norm                   dy = \frac{\left(\mathbf{x} - \mathbf{a}\right)^\top \, \mathrm{d}\left(\mathbf{x} - \mathbf{a}\right)}{\left\|\mathbf{x} - \mathbf{a}\right\|_2}
        linearity              dy = \frac{\left(\mathbf{x} - \mathbf{a}\right)^\top \left(\mathrm{d}\mathbf{x} - \mathrm{d}\mathbf{a}\right)}{\left\|\mathbf{x} - \mathbf{a}\right\|_2}
        constant               dy = \frac{\left(\mathbf{x} - \mathbf{a}\right)^\top \, \mathrm{d}\mathbf{x}}{\left\|\mathbf{x} - \mathbf{a}\right\|_2}
        read-off               grad = \left(\frac{1}{\left\|\mathbf{x} - \mathbf{a}\right\|_2} \left(\mathbf{x} - \mathbf{a}\right)^\top\right)^\top
        transpose-product      grad = \frac{1}{\left\|\mathbf{x} - \mathbf{a}\right\|_2} \left(\mathbf{x} - \mathbf{a}\right)
        simplify               grad = \frac{\mathbf{x} - \mathbf{a}}{\left\|\mathbf{x} - \mathbf{a}\right\|_2}
        gradient: (x - a) / norm2(x - a)
    "#]],
    );
}

#[test]
fn sum_exp() {
    check(
        "sum(exp(A*x))",
        "",
        Some("x"),
        expect![[r#"
                                   dy = \mathrm{d}\left(\operatorname{sum}\left(\exp\left(\mathbf{A} \mathbf{x}\right)\right)\right)
            sum                    dy = \operatorname{sum}\left(\mathrm{d}\left(\exp\left(\mathbf{A} \mathbf{x}\right)\right)\right)
            elementwise-function   dy = \operatorname{sum}\left(\exp\left(\mathbf{A} \mathbf{x}\right) \odot \mathrm{d}\left(\mathbf{A} \mathbf{x}\right)\right)
            product-rule           dy = \operatorname{sum}\left(\exp\left(\mathbf{A} \mathbf{x}\right) \odot \left((\mathrm{d}\mathbf{A}) \mathbf{x} + \mathbf{A} \, \mathrm{d}\mathbf{x}\right)\right)
            constant               dy = \operatorname{sum}\left(\exp\left(\mathbf{A} \mathbf{x}\right) \odot \left(\mathbf{A} \, \mathrm{d}\mathbf{x}\right)\right)
            sum-as-trace           dy = \operatorname{Tr}\left(\mathbf{1}^\top \left(\exp\left(\mathbf{A} \mathbf{x}\right) \odot \left(\mathbf{A} \, \mathrm{d}\mathbf{x}\right)\right)\right)
            trace-hadamard         dy = \operatorname{Tr}\left(\exp\left(\mathbf{A} \mathbf{x}\right)^\top \mathbf{A} \, \mathrm{d}\mathbf{x}\right)
            trace-of-scalar        dy = \exp\left(\mathbf{A} \mathbf{x}\right)^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
            read-off               grad = \left(\exp\left(\mathbf{A} \mathbf{x}\right)^\top \mathbf{A}\right)^\top
            transpose-product      grad = \mathbf{A}^\top \exp\left(\mathbf{A} \mathbf{x}\right)
            gradient: A'*exp(A*x)
        "#]],
    );
}

#[test]
fn trace_hadamard() {
    check(
        "tr(A'*(B .* X))",
        "",
        None,
        expect![[r#"
                               dy = \mathrm{d}\left(\operatorname{Tr}\left(\mathbf{A}^\top \left(\mathbf{B} \odot \mathbf{X}\right)\right)\right)
        trace                  dy = \operatorname{Tr}\left(\mathrm{d}\left(\mathbf{A}^\top \left(\mathbf{B} \odot \mathbf{X}\right)\right)\right)
        product-rule           dy = \operatorname{Tr}\left(\left(\mathrm{d}\left(\mathbf{A}^\top\right)\right) \left(\mathbf{B} \odot \mathbf{X}\right) + \mathbf{A}^\top \, \mathrm{d}\left(\mathbf{B} \odot \mathbf{X}\right)\right)
        constant               dy = \operatorname{Tr}\left(\mathbf{A}^\top \, \mathrm{d}\left(\mathbf{B} \odot \mathbf{X}\right)\right)
        hadamard-product       dy = \operatorname{Tr}\left(\mathbf{A}^\top \left(\mathrm{d}\mathbf{B} \odot \mathbf{X} + \mathbf{B} \odot \mathrm{d}\mathbf{X}\right)\right)
        constant               dy = \operatorname{Tr}\left(\mathbf{A}^\top \left(\mathbf{B} \odot \mathrm{d}\mathbf{X}\right)\right)
        trace-hadamard         dy = \operatorname{Tr}\left(\left(\mathbf{A} \odot \mathbf{B}\right)^\top \, \mathrm{d}\mathbf{X}\right)
        read-off               grad = \left(\left(\mathbf{A} \odot \mathbf{B}\right)^\top\right)^\top
        transpose-product      grad = \mathbf{A} \odot \mathbf{B}
        gradient: A .* B
    "#]],
    );
}

#[test]
fn sum_log() {
    check(
        "sum(log(x))",
        "",
        Some("x"),
        expect![[r#"
                                   dy = \mathrm{d}\left(\operatorname{sum}\left(\log\left(\mathbf{x}\right)\right)\right)
            sum                    dy = \operatorname{sum}\left(\mathrm{d}\left(\log\left(\mathbf{x}\right)\right)\right)
            elementwise-function   dy = \operatorname{sum}\left(\mathbf{x}^{\circ -1} \odot \mathrm{d}\mathbf{x}\right)
            sum-as-trace           dy = \operatorname{Tr}\left(\mathbf{1}^\top \left(\mathbf{x}^{\circ -1} \odot \mathrm{d}\mathbf{x}\right)\right)
            trace-hadamard         dy = \operatorname{Tr}\left(\left(\mathbf{x}^{\circ -1}\right)^\top \, \mathrm{d}\mathbf{x}\right)
            trace-of-scalar        dy = \left(\mathbf{x}^{\circ -1}\right)^\top \, \mathrm{d}\mathbf{x}
            read-off               grad = \left(\left(\mathbf{x}^{\circ -1}\right)^\top\right)^\top
            transpose-product      grad = \mathbf{x}^{\circ -1}
            gradient: x.^(-1)
        "#]],
    );
}

#[test]
fn matrix_power() {
    check(
        "tr(X^3)",
        "",
        None,
        expect![[r#"
                               dy = \mathrm{d}\left(\operatorname{Tr}\left(\mathbf{X}^{3}\right)\right)
        trace                  dy = \operatorname{Tr}\left(\mathrm{d}\left(\mathbf{X}^{3}\right)\right)
        matrix-power           dy = \operatorname{Tr}\left((\mathrm{d}\mathbf{X}) \mathbf{X}^{2} + \mathbf{X} \, (\mathrm{d}\mathbf{X}) \mathbf{X} + \mathbf{X}^{2} \, \mathrm{d}\mathbf{X}\right)
        trace-linearity        dy = \operatorname{Tr}\left((\mathrm{d}\mathbf{X}) \mathbf{X}^{2}\right) + \operatorname{Tr}\left(\mathbf{X} \, (\mathrm{d}\mathbf{X}) \mathbf{X}\right) + \operatorname{Tr}\left(\mathbf{X}^{2} \, \mathrm{d}\mathbf{X}\right)
        trace-cyclic           dy = \operatorname{Tr}\left(\mathbf{X}^{2} \, \mathrm{d}\mathbf{X}\right) + \operatorname{Tr}\left(\mathbf{X} \mathbf{X} \, \mathrm{d}\mathbf{X}\right) + \operatorname{Tr}\left(\mathbf{X}^{2} \, \mathrm{d}\mathbf{X}\right)
        collect                dy = 3 \operatorname{Tr}\left(\mathbf{X}^{2} \, \mathrm{d}\mathbf{X}\right)
        read-off               grad = \left(3 \mathbf{X}^{2}\right)^\top
        transpose-product      grad = 3 \left(\mathbf{X}^{2}\right)^\top
        gradient: 3*(X^2)'
    "#]],
    );
}

#[test]
fn scalar_coefficients() {
    check(
        "alpha*tr(X'*X) + beta*sum(X)",
        "",
        None,
        expect![[r#"
                                   dy = \mathrm{d}\left(\alpha \operatorname{Tr}\left(\mathbf{X}^\top \mathbf{X}\right) + \beta \operatorname{sum}\left(\mathbf{X}\right)\right)
            linearity              dy = \alpha \, \mathrm{d}\left(\operatorname{Tr}\left(\mathbf{X}^\top \mathbf{X}\right)\right) + \beta \, \mathrm{d}\left(\operatorname{sum}\left(\mathbf{X}\right)\right)
            trace                  dy = \alpha \operatorname{Tr}\left(\mathrm{d}\left(\mathbf{X}^\top \mathbf{X}\right)\right) + \beta \, \mathrm{d}\left(\operatorname{sum}\left(\mathbf{X}\right)\right)
            product-rule           dy = \alpha \operatorname{Tr}\left(\left(\mathrm{d}\left(\mathbf{X}^\top\right)\right) \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right) + \beta \, \mathrm{d}\left(\operatorname{sum}\left(\mathbf{X}\right)\right)
            transpose              dy = \alpha \operatorname{Tr}\left(\left(\mathrm{d}\mathbf{X}\right)^\top \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right) + \beta \, \mathrm{d}\left(\operatorname{sum}\left(\mathbf{X}\right)\right)
            sum                    dy = \alpha \operatorname{Tr}\left(\left(\mathrm{d}\mathbf{X}\right)^\top \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right) + \beta \operatorname{sum}\left(\mathrm{d}\mathbf{X}\right)
            trace-linearity        dy = \alpha \operatorname{Tr}\left(\left(\mathrm{d}\mathbf{X}\right)^\top \mathbf{X}\right) + \alpha \operatorname{Tr}\left(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right) + \beta \operatorname{sum}\left(\mathrm{d}\mathbf{X}\right)
            trace-transpose        dy = \alpha \operatorname{Tr}\left(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right) + \alpha \operatorname{Tr}\left(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right) + \beta \operatorname{sum}\left(\mathrm{d}\mathbf{X}\right)
            sum-as-trace           dy = \alpha \operatorname{Tr}\left(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right) + \alpha \operatorname{Tr}\left(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right) + \beta \operatorname{Tr}\left(\mathbf{1}\mathbf{1}^\top \, \mathrm{d}\mathbf{X}\right)
            collect                dy = \operatorname{Tr}\left(\left(2 \alpha \mathbf{X}^\top + \beta \mathbf{1}\mathbf{1}^\top\right) \, \mathrm{d}\mathbf{X}\right)
            read-off               grad = \left(2 \alpha \mathbf{X}^\top + \beta \mathbf{1}\mathbf{1}^\top\right)^\top
            transpose-product      grad = 2 \alpha \mathbf{X} + \beta \mathbf{1}\mathbf{1}^\top
            gradient: 2*alpha*X + beta*matrix(1)
        "#]],
    );
}

#[test]
fn logdet_spd_plus_gram() {
    check(
        "logdet(P + X'*X)",
        "P: spd n",
        None,
        expect![[r#"
                                   dy = \mathrm{d}\left(\log\det\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)\right)
            log-det                dy = \operatorname{Tr}\left(\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \, \mathrm{d}\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)\right)
            linearity              dy = \operatorname{Tr}\left(\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \left(\mathrm{d}\mathbf{P} + \mathrm{d}\left(\mathbf{X}^\top \mathbf{X}\right)\right)\right)
            constant               dy = \operatorname{Tr}\left(\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \, \mathrm{d}\left(\mathbf{X}^\top \mathbf{X}\right)\right)
            product-rule           dy = \operatorname{Tr}\left(\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \left(\left(\mathrm{d}\left(\mathbf{X}^\top\right)\right) \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)\right)
            transpose              dy = \operatorname{Tr}\left(\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \left(\left(\mathrm{d}\mathbf{X}\right)^\top \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)\right)
            distribute             dy = \operatorname{Tr}\left(\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \left(\mathrm{d}\mathbf{X}\right)^\top \mathbf{X} + \left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)
            trace-linearity        dy = \operatorname{Tr}\left(\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \left(\mathrm{d}\mathbf{X}\right)^\top \mathbf{X}\right) + \operatorname{Tr}\left(\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)
            trace-transpose        dy = \operatorname{Tr}\left(\mathbf{X}^\top \, (\mathrm{d}\mathbf{X}) \left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1}\right) + \operatorname{Tr}\left(\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)
            trace-cyclic           dy = \operatorname{Tr}\left(\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right) + \operatorname{Tr}\left(\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)
            collect                dy = 2 \operatorname{Tr}\left(\left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)
            read-off               grad = \left(2 \left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1} \mathbf{X}^\top\right)^\top
            transpose-product      grad = 2 \mathbf{X} \left(\mathbf{P} + \mathbf{X}^\top \mathbf{X}\right)^{-1}
            gradient: 2*X*inv(P + X'*X)
        "#]],
    );
}

#[test]
fn one_norm() {
    check(
        "norm1(x)",
        "",
        Some("x"),
        expect![[r#"
                                   dy = \mathrm{d}\left(\left\|\mathbf{x}\right\|_1\right)
            norm1                  dy = \operatorname{sum}\left(\operatorname{sign}\left(\mathbf{x}\right) \odot \mathrm{d}\mathbf{x}\right)
            sum-as-trace           dy = \operatorname{Tr}\left(\mathbf{1}^\top \left(\operatorname{sign}\left(\mathbf{x}\right) \odot \mathrm{d}\mathbf{x}\right)\right)
            trace-hadamard         dy = \operatorname{Tr}\left(\operatorname{sign}\left(\mathbf{x}\right)^\top \, \mathrm{d}\mathbf{x}\right)
            trace-of-scalar        dy = \operatorname{sign}\left(\mathbf{x}\right)^\top \, \mathrm{d}\mathbf{x}
            read-off               grad = \left(\operatorname{sign}\left(\mathbf{x}\right)^\top\right)^\top
            transpose-product      grad = \operatorname{sign}\left(\mathbf{x}\right)
            gradient: sign(x)
        "#]],
    );
}

#[test]
fn quotient() {
    check(
        "sqrt(x'*x) / (1 + x'*x)",
        "",
        Some("x"),
        expect![[r#"
                                   dy = \mathrm{d}\left(\frac{\sqrt{\mathbf{x}^\top \mathbf{x}}}{1 + \mathbf{x}^\top \mathbf{x}}\right)
            quotient               dy = \frac{\mathrm{d}\left(\sqrt{\mathbf{x}^\top \mathbf{x}}\right)}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} \, \mathrm{d}\left(1 + \mathbf{x}^\top \mathbf{x}\right)}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}}
            chain-scalar           dy = \frac{0.5 \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \, \mathrm{d}\left(\mathbf{x}^\top \mathbf{x}\right)}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} \, \mathrm{d}\left(1 + \mathbf{x}^\top \mathbf{x}\right)}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}}
            product-rule           dy = \frac{0.5 \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \left(\left(\mathrm{d}\left(\mathbf{x}^\top\right)\right) \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right)}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} \, \mathrm{d}\left(1 + \mathbf{x}^\top \mathbf{x}\right)}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}}
            transpose              dy = \frac{0.5 \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \left(\left(\mathrm{d}\mathbf{x}\right)^\top \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right)}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} \, \mathrm{d}\left(1 + \mathbf{x}^\top \mathbf{x}\right)}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}}
            linearity              dy = \frac{0.5 \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \left(\left(\mathrm{d}\mathbf{x}\right)^\top \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right)}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} \left(\mathrm{d}\left(1\right) + \mathrm{d}\left(\mathbf{x}^\top \mathbf{x}\right)\right)}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}}
            constant               dy = \frac{0.5 \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \left(\left(\mathrm{d}\mathbf{x}\right)^\top \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right)}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} \, \mathrm{d}\left(\mathbf{x}^\top \mathbf{x}\right)}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}}
            product-rule           dy = \frac{0.5 \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \left(\left(\mathrm{d}\mathbf{x}\right)^\top \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right)}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} \left(\left(\mathrm{d}\left(\mathbf{x}^\top\right)\right) \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right)}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}}
            transpose              dy = \frac{0.5 \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \left(\left(\mathrm{d}\mathbf{x}\right)^\top \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right)}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} \left(\left(\mathrm{d}\mathbf{x}\right)^\top \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right)}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}}
            distribute             dy = 0.5 \frac{1}{1 + \mathbf{x}^\top \mathbf{x}} \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \left(\left(\mathrm{d}\mathbf{x}\right)^\top \mathbf{x}\right) + 0.5 \frac{1}{1 + \mathbf{x}^\top \mathbf{x}} \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \left(\mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right) - \frac{1}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}} \sqrt{\mathbf{x}^\top \mathbf{x}} \left(\left(\mathrm{d}\mathbf{x}\right)^\top \mathbf{x}\right) - \frac{1}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}} \sqrt{\mathbf{x}^\top \mathbf{x}} \left(\mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right)
            scalar-transpose       dy = 0.5 \frac{1}{1 + \mathbf{x}^\top \mathbf{x}} \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \left(\mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right) + 0.5 \frac{1}{1 + \mathbf{x}^\top \mathbf{x}} \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \left(\mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right) - \frac{1}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}} \sqrt{\mathbf{x}^\top \mathbf{x}} \left(\mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right) - \frac{1}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}} \sqrt{\mathbf{x}^\top \mathbf{x}} \left(\mathbf{x}^\top \, \mathrm{d}\mathbf{x}\right)
            collect                dy = \left(\frac{1}{1 + \mathbf{x}^\top \mathbf{x}} \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \mathbf{x}^\top - 2 \frac{1}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}} \sqrt{\mathbf{x}^\top \mathbf{x}} \mathbf{x}^\top\right) \, \mathrm{d}\mathbf{x}
            read-off               grad = \left(\frac{1}{1 + \mathbf{x}^\top \mathbf{x}} \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \mathbf{x}^\top - 2 \frac{1}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}} \sqrt{\mathbf{x}^\top \mathbf{x}} \mathbf{x}^\top\right)^\top
            transpose-product      grad = \frac{1}{1 + \mathbf{x}^\top \mathbf{x}} \left(\mathbf{x}^\top \mathbf{x}\right)^{-0.5} \mathbf{x} - 2 \frac{1}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}} \sqrt{\mathbf{x}^\top \mathbf{x}} \mathbf{x}
            simplify               grad = \frac{\mathbf{x}}{\sqrt{\mathbf{x}^\top \mathbf{x}} \left(1 + \mathbf{x}^\top \mathbf{x}\right)} - \frac{2 \sqrt{\mathbf{x}^\top \mathbf{x}} \mathbf{x}}{\left(1 + \mathbf{x}^\top \mathbf{x}\right)^{2}}
            gradient: x / (sqrt(x'*x)*(1 + x'*x)) - 2*sqrt(x'*x)*x / (1 + x'*x)^2
        "#]],
    );
}

#[test]
fn diag_trace() {
    check(
        "tr(diag(x)*A)",
        "",
        Some("x"),
        expect![[r#"
                               dy = \mathrm{d}\left(\operatorname{Tr}\left(\operatorname{diag}\left(\mathbf{x}\right) \mathbf{A}\right)\right)
        trace                  dy = \operatorname{Tr}\left(\mathrm{d}\left(\operatorname{diag}\left(\mathbf{x}\right) \mathbf{A}\right)\right)
        product-rule           dy = \operatorname{Tr}\left(\left(\mathrm{d}\left(\operatorname{diag}\left(\mathbf{x}\right)\right)\right) \mathbf{A} + \operatorname{diag}\left(\mathbf{x}\right) \, \mathrm{d}\mathbf{A}\right)
        constant               dy = \operatorname{Tr}\left(\left(\mathrm{d}\left(\operatorname{diag}\left(\mathbf{x}\right)\right)\right) \mathbf{A}\right)
        diag                   dy = \operatorname{Tr}\left(\operatorname{diag}\left(\mathrm{d}\mathbf{x}\right) \mathbf{A}\right)
        trace-cyclic           dy = \operatorname{Tr}\left(\mathbf{A} \operatorname{diag}\left(\mathrm{d}\mathbf{x}\right)\right)
        trace-diag             dy = \operatorname{diag}\left(\mathbf{A}\right)^\top \, \mathrm{d}\mathbf{x}
        read-off               grad = \left(\operatorname{diag}\left(\mathbf{A}\right)^\top\right)^\top
        transpose-product      grad = \operatorname{diag}\left(\mathbf{A}\right)
        gradient: diag(A)
    "#]],
    );
}

#[test]
fn adjugate() {
    check(
        "tr(A*adj(X))",
        "",
        None,
        expect![[r#"
                                   dy = \mathrm{d}\left(\operatorname{Tr}\left(\mathbf{A} \operatorname{adj}\left(\mathbf{X}\right)\right)\right)
            trace                  dy = \operatorname{Tr}\left(\mathrm{d}\left(\mathbf{A} \operatorname{adj}\left(\mathbf{X}\right)\right)\right)
            product-rule           dy = \operatorname{Tr}\left((\mathrm{d}\mathbf{A}) \operatorname{adj}\left(\mathbf{X}\right) + \mathbf{A} \, \mathrm{d}\left(\operatorname{adj}\left(\mathbf{X}\right)\right)\right)
            constant               dy = \operatorname{Tr}\left(\mathbf{A} \, \mathrm{d}\left(\operatorname{adj}\left(\mathbf{X}\right)\right)\right)
            adjugate               dy = \operatorname{Tr}\left(\mathbf{A} \left(\operatorname{adj}\left(\mathbf{X}\right) \operatorname{Tr}\left(\mathbf{X}^{-1} \, \mathrm{d}\mathbf{X}\right) - \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \operatorname{adj}\left(\mathbf{X}\right)\right)\right)
            distribute             dy = \operatorname{Tr}\left(\mathbf{A} \operatorname{adj}\left(\mathbf{X}\right) \operatorname{Tr}\left(\mathbf{X}^{-1} \, \mathrm{d}\mathbf{X}\right) - \mathbf{A} \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \operatorname{adj}\left(\mathbf{X}\right)\right)
            trace-linearity        dy = \operatorname{Tr}\left(\mathbf{A} \operatorname{adj}\left(\mathbf{X}\right) \operatorname{Tr}\left(\mathbf{X}^{-1} \, \mathrm{d}\mathbf{X}\right)\right) + \operatorname{Tr}\left(-\mathbf{A} \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \operatorname{adj}\left(\mathbf{X}\right)\right)
            trace-linearity        dy = \operatorname{Tr}\left(\mathbf{A} \operatorname{adj}\left(\mathbf{X}\right)\right) \operatorname{Tr}\left(\mathbf{X}^{-1} \, \mathrm{d}\mathbf{X}\right) - \operatorname{Tr}\left(\mathbf{A} \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \operatorname{adj}\left(\mathbf{X}\right)\right)
            trace-cyclic           dy = \operatorname{Tr}\left(\mathbf{A} \operatorname{adj}\left(\mathbf{X}\right)\right) \operatorname{Tr}\left(\mathbf{X}^{-1} \, \mathrm{d}\mathbf{X}\right) - \operatorname{Tr}\left(\operatorname{adj}\left(\mathbf{X}\right) \mathbf{A} \mathbf{X}^{-1} \, \mathrm{d}\mathbf{X}\right)
            collect                dy = \operatorname{Tr}\left(\left(\operatorname{Tr}\left(\mathbf{A} \operatorname{adj}\left(\mathbf{X}\right)\right) \mathbf{X}^{-1} - \operatorname{adj}\left(\mathbf{X}\right) \mathbf{A} \mathbf{X}^{-1}\right) \, \mathrm{d}\mathbf{X}\right)
            read-off               grad = \left(\operatorname{Tr}\left(\mathbf{A} \operatorname{adj}\left(\mathbf{X}\right)\right) \mathbf{X}^{-1} - \operatorname{adj}\left(\mathbf{X}\right) \mathbf{A} \mathbf{X}^{-1}\right)^\top
            gradient: (tr(A*adj(X))*inv(X) - adj(X)*A*inv(X))'
        "#]],
    );
}

/// The Kronecker product leaves the trace by its transpose, mixed-product and trace identities
/// (the gradient is checked numerically by the corpus, `tests/data/cookbook.txt`).
#[test]
fn kronecker_frobenius_norm() {
    check(
        "||kron(A, X)||_F^2",
        "",
        None,
        expect![[r#"
                                   dy = \mathrm{d}\left(\left\|\mathbf{A} \otimes \mathbf{X}\right\|_F^{2}\right)
            norm-squared           dy = \mathrm{d}\left(\operatorname{Tr}\left(\left(\mathbf{A} \otimes \mathbf{X}\right)^\top \left(\mathbf{A} \otimes \mathbf{X}\right)\right)\right)
            trace                  dy = \operatorname{Tr}\left(\mathrm{d}\left(\left(\mathbf{A} \otimes \mathbf{X}\right)^\top \left(\mathbf{A} \otimes \mathbf{X}\right)\right)\right)
            product-rule           dy = \operatorname{Tr}\left(\left(\mathrm{d}\left(\left(\mathbf{A} \otimes \mathbf{X}\right)^\top\right)\right) \left(\mathbf{A} \otimes \mathbf{X}\right) + \left(\mathbf{A} \otimes \mathbf{X}\right)^\top \, \mathrm{d}\left(\mathbf{A} \otimes \mathbf{X}\right)\right)
            transpose              dy = \operatorname{Tr}\left(\left(\mathrm{d}\left(\mathbf{A} \otimes \mathbf{X}\right)\right)^\top \left(\mathbf{A} \otimes \mathbf{X}\right) + \left(\mathbf{A} \otimes \mathbf{X}\right)^\top \, \mathrm{d}\left(\mathbf{A} \otimes \mathbf{X}\right)\right)
            kronecker-product      dy = \operatorname{Tr}\left(\left(\mathrm{d}\mathbf{A} \otimes \mathbf{X} + \mathbf{A} \otimes \mathrm{d}\mathbf{X}\right)^\top \left(\mathbf{A} \otimes \mathbf{X}\right) + \left(\mathbf{A} \otimes \mathbf{X}\right)^\top \left(\mathrm{d}\mathbf{A} \otimes \mathbf{X} + \mathbf{A} \otimes \mathrm{d}\mathbf{X}\right)\right)
            constant               dy = \operatorname{Tr}\left(\left(\mathbf{A} \otimes \mathrm{d}\mathbf{X}\right)^\top \left(\mathbf{A} \otimes \mathbf{X}\right) + \left(\mathbf{A} \otimes \mathbf{X}\right)^\top \left(\mathbf{A} \otimes \mathrm{d}\mathbf{X}\right)\right)
            trace-linearity        dy = \operatorname{Tr}\left(\left(\mathbf{A} \otimes \mathrm{d}\mathbf{X}\right)^\top \left(\mathbf{A} \otimes \mathbf{X}\right)\right) + \operatorname{Tr}\left(\left(\mathbf{A} \otimes \mathbf{X}\right)^\top \left(\mathbf{A} \otimes \mathrm{d}\mathbf{X}\right)\right)
            kronecker-transpose    dy = \operatorname{Tr}\left(\left(\mathbf{A}^\top \otimes \left(\mathrm{d}\mathbf{X}\right)^\top\right) \left(\mathbf{A} \otimes \mathbf{X}\right)\right) + \operatorname{Tr}\left(\left(\mathbf{A}^\top \otimes \mathbf{X}^\top\right) \left(\mathbf{A} \otimes \mathrm{d}\mathbf{X}\right)\right)
            kronecker-mixed-product dy = \operatorname{Tr}\left(\left(\mathbf{A}^\top \mathbf{A}\right) \otimes \left(\left(\mathrm{d}\mathbf{X}\right)^\top \mathbf{X}\right)\right) + \operatorname{Tr}\left(\left(\mathbf{A}^\top \mathbf{A}\right) \otimes \left(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)\right)
            trace-kronecker        dy = \operatorname{Tr}\left(\mathbf{A}^\top \mathbf{A}\right) \operatorname{Tr}\left(\left(\mathrm{d}\mathbf{X}\right)^\top \mathbf{X}\right) + \operatorname{Tr}\left(\mathbf{A}^\top \mathbf{A}\right) \operatorname{Tr}\left(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)
            trace-transpose        dy = \operatorname{Tr}\left(\mathbf{A}^\top \mathbf{A}\right) \operatorname{Tr}\left(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right) + \operatorname{Tr}\left(\mathbf{A}^\top \mathbf{A}\right) \operatorname{Tr}\left(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)
            collect                dy = 2 \operatorname{Tr}\left(\operatorname{Tr}\left(\mathbf{A}^\top \mathbf{A}\right) \mathbf{X}^\top \, \mathrm{d}\mathbf{X}\right)
            read-off               grad = \left(2 \operatorname{Tr}\left(\mathbf{A}^\top \mathbf{A}\right) \mathbf{X}^\top\right)^\top
            transpose-product      grad = 2 \operatorname{Tr}\left(\mathbf{A}^\top \mathbf{A}\right) \mathbf{X}
            gradient: 2*tr(A'*A)*X
        "#]],
    );
}

/// Any other place of dX in a Kronecker product is refused, saying which forms work.
#[test]
fn kronecker_next_to_a_matrix_is_refused() {
    check(
        "tr(M*kron(A, X))",
        "",
        None,
        expect![[r#"
        ERROR
        error: matdiff cannot take dX out of this Kronecker product: it rearranges traces of Kronecker products of square matrices, Tr(A ⊗ dX) = Tr(A) Tr(dX), not a Kronecker product next to another matrix or inside sum(·)
          | tr(M*kron(A, X))
          | ^
          = hint: supported: tr(kron(A, X)), tr(kron(X, B)), ||kron(A, X)||_F^2, tr(kron(A, X)*kron(B, X))
    "#]],
    );
}
