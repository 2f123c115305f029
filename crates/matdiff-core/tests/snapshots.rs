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
                                   dy = \mathrm{d}(\lVert \mathbf{A} \mathbf{x} - \mathbf{b}\rVert_2^2)
            norm-squared           dy = \mathrm{d}((\mathbf{A} \mathbf{x} - \mathbf{b})^\top (\mathbf{A} \mathbf{x} - \mathbf{b}))
            product-rule           dy = (\mathrm{d}((\mathbf{A} \mathbf{x} - \mathbf{b})^\top)) (\mathbf{A} \mathbf{x} - \mathbf{b}) + (\mathbf{A} \mathbf{x} - \mathbf{b})^\top \, \mathrm{d}(\mathbf{A} \mathbf{x} - \mathbf{b})
            transpose              dy = (\mathrm{d}(\mathbf{A} \mathbf{x} - \mathbf{b}))^\top (\mathbf{A} \mathbf{x} - \mathbf{b}) + (\mathbf{A} \mathbf{x} - \mathbf{b})^\top \, \mathrm{d}(\mathbf{A} \mathbf{x} - \mathbf{b})
            linearity              dy = (\mathrm{d}(\mathbf{A} \mathbf{x}) - \mathrm{d}\mathbf{b})^\top (\mathbf{A} \mathbf{x} - \mathbf{b}) + (\mathbf{A} \mathbf{x} - \mathbf{b})^\top (\mathrm{d}(\mathbf{A} \mathbf{x}) - \mathrm{d}\mathbf{b})
            constant               dy = (\mathrm{d}(\mathbf{A} \mathbf{x}))^\top (\mathbf{A} \mathbf{x} - \mathbf{b}) + (\mathbf{A} \mathbf{x} - \mathbf{b})^\top \, \mathrm{d}(\mathbf{A} \mathbf{x})
            product-rule           dy = ((\mathrm{d}\mathbf{A}) \mathbf{x} + \mathbf{A} \, \mathrm{d}\mathbf{x})^\top (\mathbf{A} \mathbf{x} - \mathbf{b}) + (\mathbf{A} \mathbf{x} - \mathbf{b})^\top ((\mathrm{d}\mathbf{A}) \mathbf{x} + \mathbf{A} \, \mathrm{d}\mathbf{x})
            constant               dy = (\mathbf{A} \, \mathrm{d}\mathbf{x})^\top (\mathbf{A} \mathbf{x} - \mathbf{b}) + (\mathbf{A} \mathbf{x} - \mathbf{b})^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
            scalar-transpose       dy = (\mathbf{A} \mathbf{x} - \mathbf{b})^\top \mathbf{A} \, \mathrm{d}\mathbf{x} + (\mathbf{A} \mathbf{x} - \mathbf{b})^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
            collect                dy = 2 (\mathbf{A} \mathbf{x} - \mathbf{b})^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
            read-off               grad = (2 (\mathbf{A} \mathbf{x} - \mathbf{b})^\top \mathbf{A})^\top
            transpose-product      grad = 2 \mathbf{A}^\top (\mathbf{A} \mathbf{x} - \mathbf{b})
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
                                   dy = \mathrm{d}(\operatorname{Tr}(\mathbf{A} \mathbf{X} \mathbf{B}))
            trace                  dy = \operatorname{Tr}(\mathrm{d}(\mathbf{A} \mathbf{X} \mathbf{B}))
            product-rule           dy = \operatorname{Tr}((\mathrm{d}\mathbf{A}) \mathbf{X} \mathbf{B} + \mathbf{A} \, (\mathrm{d}\mathbf{X}) \mathbf{B} + \mathbf{A} \mathbf{X} \, \mathrm{d}\mathbf{B})
            constant               dy = \operatorname{Tr}(\mathbf{A} \, (\mathrm{d}\mathbf{X}) \mathbf{B})
            trace-cyclic           dy = \operatorname{Tr}(\mathbf{B} \mathbf{A} \, \mathrm{d}\mathbf{X})
            read-off               grad = (\mathbf{B} \mathbf{A})^\top
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
                                   dy = \mathrm{d}(\log\det(\mathbf{X}^\top \mathbf{X}))
            log-det                dy = \operatorname{Tr}((\mathbf{X}^\top \mathbf{X})^{-1} \, \mathrm{d}(\mathbf{X}^\top \mathbf{X}))
            product-rule           dy = \operatorname{Tr}((\mathbf{X}^\top \mathbf{X})^{-1} ((\mathrm{d}(\mathbf{X}^\top)) \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}))
            transpose              dy = \operatorname{Tr}((\mathbf{X}^\top \mathbf{X})^{-1} ((\mathrm{d}\mathbf{X})^\top \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}))
            distribute             dy = \operatorname{Tr}((\mathbf{X}^\top \mathbf{X})^{-1} (\mathrm{d}\mathbf{X})^\top \mathbf{X} + (\mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X})
            trace-linearity        dy = \operatorname{Tr}((\mathbf{X}^\top \mathbf{X})^{-1} (\mathrm{d}\mathbf{X})^\top \mathbf{X}) + \operatorname{Tr}((\mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X})
            trace-transpose        dy = \operatorname{Tr}(\mathbf{X}^\top \, (\mathrm{d}\mathbf{X}) (\mathbf{X}^\top \mathbf{X})^{-1}) + \operatorname{Tr}((\mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X})
            trace-cyclic           dy = \operatorname{Tr}((\mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}) + \operatorname{Tr}((\mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X})
            collect                dy = 2 \operatorname{Tr}((\mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X})
            read-off               grad = (2 (\mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top)^\top
            transpose-product      grad = 2 \mathbf{X} (\mathbf{X}^\top \mathbf{X})^{-1}
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
                                   dy = \mathrm{d}(\mathbf{x}^\top \mathbf{A} \mathbf{x})
            product-rule           dy = (\mathrm{d}(\mathbf{x}^\top)) \mathbf{A} \mathbf{x} + \mathbf{x}^\top \, (\mathrm{d}\mathbf{A}) \mathbf{x} + \mathbf{x}^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
            constant               dy = (\mathrm{d}(\mathbf{x}^\top)) \mathbf{A} \mathbf{x} + \mathbf{x}^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
            transpose              dy = (\mathrm{d}\mathbf{x})^\top \mathbf{A} \mathbf{x} + \mathbf{x}^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
            scalar-transpose       dy = \mathbf{x}^\top \mathbf{A}^\top \, \mathrm{d}\mathbf{x} + \mathbf{x}^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
            collect                dy = \mathbf{x}^\top (\mathbf{A}^\top + \mathbf{A}) \, \mathrm{d}\mathbf{x}
            read-off               grad = (\mathbf{x}^\top (\mathbf{A}^\top + \mathbf{A}))^\top
            transpose-product      grad = (\mathbf{A}^\top + \mathbf{A}) \mathbf{x}
            simplify               grad = (\mathbf{A} + \mathbf{A}^\top) \mathbf{x}
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
                                   dy = \mathrm{d}(\mathbf{x}^\top \mathbf{S} \mathbf{x})
            product-rule           dy = (\mathrm{d}(\mathbf{x}^\top)) \mathbf{S} \mathbf{x} + \mathbf{x}^\top \, (\mathrm{d}\mathbf{S}) \mathbf{x} + \mathbf{x}^\top \mathbf{S} \, \mathrm{d}\mathbf{x}
            constant               dy = (\mathrm{d}(\mathbf{x}^\top)) \mathbf{S} \mathbf{x} + \mathbf{x}^\top \mathbf{S} \, \mathrm{d}\mathbf{x}
            transpose              dy = (\mathrm{d}\mathbf{x})^\top \mathbf{S} \mathbf{x} + \mathbf{x}^\top \mathbf{S} \, \mathrm{d}\mathbf{x}
            scalar-transpose       dy = \mathbf{x}^\top \mathbf{S} \, \mathrm{d}\mathbf{x} + \mathbf{x}^\top \mathbf{S} \, \mathrm{d}\mathbf{x}
            collect                dy = 2 \mathbf{x}^\top \mathbf{S} \, \mathrm{d}\mathbf{x}
            read-off               grad = (2 \mathbf{x}^\top \mathbf{S})^\top
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
                                   dy = \mathrm{d}(\det(\mathbf{X}))
            determinant            dy = \det(\mathbf{X}) \operatorname{Tr}(\mathbf{X}^{-1} \, \mathrm{d}\mathbf{X})
            read-off               grad = (\det(\mathbf{X}) \mathbf{X}^{-1})^\top
            transpose-product      grad = \det(\mathbf{X}) \mathbf{X}^{-\top}
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
                                   dy = \mathrm{d}(\operatorname{Tr}(\mathbf{A} \mathbf{X}^{-1} \mathbf{B}))
            trace                  dy = \operatorname{Tr}(\mathrm{d}(\mathbf{A} \mathbf{X}^{-1} \mathbf{B}))
            product-rule           dy = \operatorname{Tr}((\mathrm{d}\mathbf{A}) \mathbf{X}^{-1} \mathbf{B} + \mathbf{A} \, (\mathrm{d}(\mathbf{X}^{-1})) \mathbf{B} + \mathbf{A} \mathbf{X}^{-1} \, \mathrm{d}\mathbf{B})
            constant               dy = \operatorname{Tr}(\mathbf{A} \, (\mathrm{d}(\mathbf{X}^{-1})) \mathbf{B})
            inverse                dy = \operatorname{Tr}(-\mathbf{A} \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \mathbf{X}^{-1} \mathbf{B})
            trace-linearity        dy = -\operatorname{Tr}(\mathbf{A} \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \mathbf{X}^{-1} \mathbf{B})
            trace-cyclic           dy = -\operatorname{Tr}(\mathbf{X}^{-1} \mathbf{B} \mathbf{A} \mathbf{X}^{-1} \, \mathrm{d}\mathbf{X})
            read-off               grad = (-\mathbf{X}^{-1} \mathbf{B} \mathbf{A} \mathbf{X}^{-1})^\top
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
                                   dy = \mathrm{d}(\mathbf{a}^\top \mathbf{X}^{-1} \mathbf{b})
            product-rule           dy = (\mathrm{d}(\mathbf{a}^\top)) \mathbf{X}^{-1} \mathbf{b} + \mathbf{a}^\top \, (\mathrm{d}(\mathbf{X}^{-1})) \mathbf{b} + \mathbf{a}^\top \mathbf{X}^{-1} \, \mathrm{d}\mathbf{b}
            constant               dy = \mathbf{a}^\top \, (\mathrm{d}(\mathbf{X}^{-1})) \mathbf{b}
            inverse                dy = -\mathbf{a}^\top \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \mathbf{X}^{-1} \mathbf{b}
            scalar-as-trace        dy = -\operatorname{Tr}(\mathbf{a}^\top \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \mathbf{X}^{-1} \mathbf{b})
            trace-cyclic           dy = -\operatorname{Tr}(\mathbf{X}^{-1} \mathbf{b} \mathbf{a}^\top \mathbf{X}^{-1} \, \mathrm{d}\mathbf{X})
            read-off               grad = (-\mathbf{X}^{-1} \mathbf{b} \mathbf{a}^\top \mathbf{X}^{-1})^\top
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
                                   dy = \mathrm{d}(\lVert \mathbf{X}\rVert_F)
            norm                   dy = \frac{\operatorname{Tr}(\mathbf{X}^\top \, \mathrm{d}\mathbf{X})}{\lVert \mathbf{X}\rVert_F}
            read-off               grad = \left(\frac{1}{\lVert \mathbf{X}\rVert_F} \mathbf{X}^\top\right)^\top
            transpose-product      grad = \frac{1}{\lVert \mathbf{X}\rVert_F} \mathbf{X}
            simplify               grad = \frac{\mathbf{X}}{\lVert \mathbf{X}\rVert_F}
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
                                   dy = \mathrm{d}(\lVert \mathbf{x} - \mathbf{a}\rVert_2)
            norm                   dy = \frac{(\mathbf{x} - \mathbf{a})^\top \, \mathrm{d}(\mathbf{x} - \mathbf{a})}{\lVert \mathbf{x} - \mathbf{a}\rVert_2}
            linearity              dy = \frac{(\mathbf{x} - \mathbf{a})^\top (\mathrm{d}\mathbf{x} - \mathrm{d}\mathbf{a})}{\lVert \mathbf{x} - \mathbf{a}\rVert_2}
            constant               dy = \frac{(\mathbf{x} - \mathbf{a})^\top \, \mathrm{d}\mathbf{x}}{\lVert \mathbf{x} - \mathbf{a}\rVert_2}
            read-off               grad = \left(\frac{1}{\lVert \mathbf{x} - \mathbf{a}\rVert_2} (\mathbf{x} - \mathbf{a})^\top\right)^\top
            transpose-product      grad = \frac{1}{\lVert \mathbf{x} - \mathbf{a}\rVert_2} (\mathbf{x} - \mathbf{a})
            simplify               grad = \frac{\mathbf{x} - \mathbf{a}}{\lVert \mathbf{x} - \mathbf{a}\rVert_2}
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
                                   dy = \mathrm{d}(\operatorname{sum}(\exp(\mathbf{A} \mathbf{x})))
            sum                    dy = \operatorname{sum}(\mathrm{d}(\exp(\mathbf{A} \mathbf{x})))
            elementwise-function   dy = \operatorname{sum}(\exp(\mathbf{A} \mathbf{x}) \odot \mathrm{d}(\mathbf{A} \mathbf{x}))
            product-rule           dy = \operatorname{sum}(\exp(\mathbf{A} \mathbf{x}) \odot ((\mathrm{d}\mathbf{A}) \mathbf{x} + \mathbf{A} \, \mathrm{d}\mathbf{x}))
            constant               dy = \operatorname{sum}(\exp(\mathbf{A} \mathbf{x}) \odot (\mathbf{A} \, \mathrm{d}\mathbf{x}))
            sum-as-trace           dy = \operatorname{Tr}(\mathbf{1}^\top (\exp(\mathbf{A} \mathbf{x}) \odot (\mathbf{A} \, \mathrm{d}\mathbf{x})))
            trace-hadamard         dy = \operatorname{Tr}(\exp(\mathbf{A} \mathbf{x})^\top \mathbf{A} \, \mathrm{d}\mathbf{x})
            trace-of-scalar        dy = \exp(\mathbf{A} \mathbf{x})^\top \mathbf{A} \, \mathrm{d}\mathbf{x}
            read-off               grad = (\exp(\mathbf{A} \mathbf{x})^\top \mathbf{A})^\top
            transpose-product      grad = \mathbf{A}^\top \exp(\mathbf{A} \mathbf{x})
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
                                   dy = \mathrm{d}(\operatorname{Tr}(\mathbf{A}^\top (\mathbf{B} \odot \mathbf{X})))
            trace                  dy = \operatorname{Tr}(\mathrm{d}(\mathbf{A}^\top (\mathbf{B} \odot \mathbf{X})))
            product-rule           dy = \operatorname{Tr}((\mathrm{d}(\mathbf{A}^\top)) (\mathbf{B} \odot \mathbf{X}) + \mathbf{A}^\top \, \mathrm{d}(\mathbf{B} \odot \mathbf{X}))
            constant               dy = \operatorname{Tr}(\mathbf{A}^\top \, \mathrm{d}(\mathbf{B} \odot \mathbf{X}))
            hadamard-product       dy = \operatorname{Tr}(\mathbf{A}^\top (\mathrm{d}\mathbf{B} \odot \mathbf{X} + \mathbf{B} \odot \mathrm{d}\mathbf{X}))
            constant               dy = \operatorname{Tr}(\mathbf{A}^\top (\mathbf{B} \odot \mathrm{d}\mathbf{X}))
            trace-hadamard         dy = \operatorname{Tr}((\mathbf{A} \odot \mathbf{B})^\top \, \mathrm{d}\mathbf{X})
            read-off               grad = ((\mathbf{A} \odot \mathbf{B})^\top)^\top
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
                                   dy = \mathrm{d}(\operatorname{sum}(\log(\mathbf{x})))
            sum                    dy = \operatorname{sum}(\mathrm{d}(\log(\mathbf{x})))
            elementwise-function   dy = \operatorname{sum}(\mathbf{x}^{\circ -1} \odot \mathrm{d}\mathbf{x})
            sum-as-trace           dy = \operatorname{Tr}(\mathbf{1}^\top (\mathbf{x}^{\circ -1} \odot \mathrm{d}\mathbf{x}))
            trace-hadamard         dy = \operatorname{Tr}((\mathbf{x}^{\circ -1})^\top \, \mathrm{d}\mathbf{x})
            trace-of-scalar        dy = (\mathbf{x}^{\circ -1})^\top \, \mathrm{d}\mathbf{x}
            read-off               grad = ((\mathbf{x}^{\circ -1})^\top)^\top
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
                                   dy = \mathrm{d}(\operatorname{Tr}(\mathbf{X}^3))
            trace                  dy = \operatorname{Tr}(\mathrm{d}(\mathbf{X}^3))
            matrix-power           dy = \operatorname{Tr}((\mathrm{d}\mathbf{X}) \mathbf{X}^2 + \mathbf{X} \, (\mathrm{d}\mathbf{X}) \mathbf{X} + \mathbf{X}^2 \, \mathrm{d}\mathbf{X})
            trace-linearity        dy = \operatorname{Tr}((\mathrm{d}\mathbf{X}) \mathbf{X}^2) + \operatorname{Tr}(\mathbf{X} \, (\mathrm{d}\mathbf{X}) \mathbf{X}) + \operatorname{Tr}(\mathbf{X}^2 \, \mathrm{d}\mathbf{X})
            trace-cyclic           dy = \operatorname{Tr}(\mathbf{X}^2 \, \mathrm{d}\mathbf{X}) + \operatorname{Tr}(\mathbf{X} \mathbf{X} \, \mathrm{d}\mathbf{X}) + \operatorname{Tr}(\mathbf{X}^2 \, \mathrm{d}\mathbf{X})
            collect                dy = 3 \operatorname{Tr}(\mathbf{X}^2 \, \mathrm{d}\mathbf{X})
            read-off               grad = (3 \mathbf{X}^2)^\top
            transpose-product      grad = 3 (\mathbf{X}^2)^\top
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
                                   dy = \mathrm{d}(\alpha \operatorname{Tr}(\mathbf{X}^\top \mathbf{X}) + \beta \operatorname{sum}(\mathbf{X}))
            linearity              dy = \alpha \, \mathrm{d}(\operatorname{Tr}(\mathbf{X}^\top \mathbf{X})) + \beta \, \mathrm{d}(\operatorname{sum}(\mathbf{X}))
            trace                  dy = \alpha \operatorname{Tr}(\mathrm{d}(\mathbf{X}^\top \mathbf{X})) + \beta \, \mathrm{d}(\operatorname{sum}(\mathbf{X}))
            product-rule           dy = \alpha \operatorname{Tr}((\mathrm{d}(\mathbf{X}^\top)) \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}) + \beta \, \mathrm{d}(\operatorname{sum}(\mathbf{X}))
            transpose              dy = \alpha \operatorname{Tr}((\mathrm{d}\mathbf{X})^\top \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}) + \beta \, \mathrm{d}(\operatorname{sum}(\mathbf{X}))
            sum                    dy = \alpha \operatorname{Tr}((\mathrm{d}\mathbf{X})^\top \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}) + \beta \operatorname{sum}(\mathrm{d}\mathbf{X})
            trace-linearity        dy = \alpha \operatorname{Tr}((\mathrm{d}\mathbf{X})^\top \mathbf{X}) + \alpha \operatorname{Tr}(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}) + \beta \operatorname{sum}(\mathrm{d}\mathbf{X})
            trace-transpose        dy = \alpha \operatorname{Tr}(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}) + \alpha \operatorname{Tr}(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}) + \beta \operatorname{sum}(\mathrm{d}\mathbf{X})
            sum-as-trace           dy = \alpha \operatorname{Tr}(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}) + \alpha \operatorname{Tr}(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}) + \beta \operatorname{Tr}(\mathbf{1}\mathbf{1}^\top \, \mathrm{d}\mathbf{X})
            collect                dy = \operatorname{Tr}((2 \alpha \mathbf{X}^\top + \beta \mathbf{1}\mathbf{1}^\top) \, \mathrm{d}\mathbf{X})
            read-off               grad = (2 \alpha \mathbf{X}^\top + \beta \mathbf{1}\mathbf{1}^\top)^\top
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
                                   dy = \mathrm{d}(\log\det(\mathbf{P} + \mathbf{X}^\top \mathbf{X}))
            log-det                dy = \operatorname{Tr}((\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} \, \mathrm{d}(\mathbf{P} + \mathbf{X}^\top \mathbf{X}))
            linearity              dy = \operatorname{Tr}((\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} (\mathrm{d}\mathbf{P} + \mathrm{d}(\mathbf{X}^\top \mathbf{X})))
            constant               dy = \operatorname{Tr}((\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} \, \mathrm{d}(\mathbf{X}^\top \mathbf{X}))
            product-rule           dy = \operatorname{Tr}((\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} ((\mathrm{d}(\mathbf{X}^\top)) \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}))
            transpose              dy = \operatorname{Tr}((\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} ((\mathrm{d}\mathbf{X})^\top \mathbf{X} + \mathbf{X}^\top \, \mathrm{d}\mathbf{X}))
            distribute             dy = \operatorname{Tr}((\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} (\mathrm{d}\mathbf{X})^\top \mathbf{X} + (\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X})
            trace-linearity        dy = \operatorname{Tr}((\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} (\mathrm{d}\mathbf{X})^\top \mathbf{X}) + \operatorname{Tr}((\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X})
            trace-transpose        dy = \operatorname{Tr}(\mathbf{X}^\top \, (\mathrm{d}\mathbf{X}) (\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1}) + \operatorname{Tr}((\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X})
            trace-cyclic           dy = \operatorname{Tr}((\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X}) + \operatorname{Tr}((\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X})
            collect                dy = 2 \operatorname{Tr}((\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top \, \mathrm{d}\mathbf{X})
            read-off               grad = (2 (\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1} \mathbf{X}^\top)^\top
            transpose-product      grad = 2 \mathbf{X} (\mathbf{P} + \mathbf{X}^\top \mathbf{X})^{-1}
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
                                   dy = \mathrm{d}(\lVert \mathbf{x}\rVert_1)
            norm1                  dy = \operatorname{sum}(\operatorname{sign}(\mathbf{x}) \odot \mathrm{d}\mathbf{x})
            sum-as-trace           dy = \operatorname{Tr}(\mathbf{1}^\top (\operatorname{sign}(\mathbf{x}) \odot \mathrm{d}\mathbf{x}))
            trace-hadamard         dy = \operatorname{Tr}(\operatorname{sign}(\mathbf{x})^\top \, \mathrm{d}\mathbf{x})
            trace-of-scalar        dy = \operatorname{sign}(\mathbf{x})^\top \, \mathrm{d}\mathbf{x}
            read-off               grad = (\operatorname{sign}(\mathbf{x})^\top)^\top
            transpose-product      grad = \operatorname{sign}(\mathbf{x})
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
            quotient               dy = \frac{\mathrm{d}\left(\sqrt{\mathbf{x}^\top \mathbf{x}}\right)}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} \, \mathrm{d}(1 + \mathbf{x}^\top \mathbf{x})}{(1 + \mathbf{x}^\top \mathbf{x})^2}
            chain-scalar           dy = \frac{0.5 (\mathbf{x}^\top \mathbf{x})^{-0.5} \, \mathrm{d}(\mathbf{x}^\top \mathbf{x})}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} \, \mathrm{d}(1 + \mathbf{x}^\top \mathbf{x})}{(1 + \mathbf{x}^\top \mathbf{x})^2}
            product-rule           dy = \frac{0.5 (\mathbf{x}^\top \mathbf{x})^{-0.5} ((\mathrm{d}(\mathbf{x}^\top)) \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x})}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} \, \mathrm{d}(1 + \mathbf{x}^\top \mathbf{x})}{(1 + \mathbf{x}^\top \mathbf{x})^2}
            transpose              dy = \frac{0.5 (\mathbf{x}^\top \mathbf{x})^{-0.5} ((\mathrm{d}\mathbf{x})^\top \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x})}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} \, \mathrm{d}(1 + \mathbf{x}^\top \mathbf{x})}{(1 + \mathbf{x}^\top \mathbf{x})^2}
            linearity              dy = \frac{0.5 (\mathbf{x}^\top \mathbf{x})^{-0.5} ((\mathrm{d}\mathbf{x})^\top \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x})}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} (\mathrm{d}(1) + \mathrm{d}(\mathbf{x}^\top \mathbf{x}))}{(1 + \mathbf{x}^\top \mathbf{x})^2}
            constant               dy = \frac{0.5 (\mathbf{x}^\top \mathbf{x})^{-0.5} ((\mathrm{d}\mathbf{x})^\top \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x})}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} \, \mathrm{d}(\mathbf{x}^\top \mathbf{x})}{(1 + \mathbf{x}^\top \mathbf{x})^2}
            product-rule           dy = \frac{0.5 (\mathbf{x}^\top \mathbf{x})^{-0.5} ((\mathrm{d}\mathbf{x})^\top \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x})}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} ((\mathrm{d}(\mathbf{x}^\top)) \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x})}{(1 + \mathbf{x}^\top \mathbf{x})^2}
            transpose              dy = \frac{0.5 (\mathbf{x}^\top \mathbf{x})^{-0.5} ((\mathrm{d}\mathbf{x})^\top \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x})}{1 + \mathbf{x}^\top \mathbf{x}} - \frac{\sqrt{\mathbf{x}^\top \mathbf{x}} ((\mathrm{d}\mathbf{x})^\top \mathbf{x} + \mathbf{x}^\top \, \mathrm{d}\mathbf{x})}{(1 + \mathbf{x}^\top \mathbf{x})^2}
            distribute             dy = 0.5 \frac{1}{1 + \mathbf{x}^\top \mathbf{x}} (\mathbf{x}^\top \mathbf{x})^{-0.5} ((\mathrm{d}\mathbf{x})^\top \mathbf{x}) + 0.5 \frac{1}{1 + \mathbf{x}^\top \mathbf{x}} (\mathbf{x}^\top \mathbf{x})^{-0.5} (\mathbf{x}^\top \, \mathrm{d}\mathbf{x}) - \frac{1}{(1 + \mathbf{x}^\top \mathbf{x})^2} \sqrt{\mathbf{x}^\top \mathbf{x}} ((\mathrm{d}\mathbf{x})^\top \mathbf{x}) - \frac{1}{(1 + \mathbf{x}^\top \mathbf{x})^2} \sqrt{\mathbf{x}^\top \mathbf{x}} (\mathbf{x}^\top \, \mathrm{d}\mathbf{x})
            scalar-transpose       dy = 0.5 \frac{1}{1 + \mathbf{x}^\top \mathbf{x}} (\mathbf{x}^\top \mathbf{x})^{-0.5} (\mathbf{x}^\top \, \mathrm{d}\mathbf{x}) + 0.5 \frac{1}{1 + \mathbf{x}^\top \mathbf{x}} (\mathbf{x}^\top \mathbf{x})^{-0.5} (\mathbf{x}^\top \, \mathrm{d}\mathbf{x}) - \frac{1}{(1 + \mathbf{x}^\top \mathbf{x})^2} \sqrt{\mathbf{x}^\top \mathbf{x}} (\mathbf{x}^\top \, \mathrm{d}\mathbf{x}) - \frac{1}{(1 + \mathbf{x}^\top \mathbf{x})^2} \sqrt{\mathbf{x}^\top \mathbf{x}} (\mathbf{x}^\top \, \mathrm{d}\mathbf{x})
            collect                dy = \left(\frac{1}{1 + \mathbf{x}^\top \mathbf{x}} (\mathbf{x}^\top \mathbf{x})^{-0.5} \mathbf{x}^\top - 2 \frac{1}{(1 + \mathbf{x}^\top \mathbf{x})^2} \sqrt{\mathbf{x}^\top \mathbf{x}} \mathbf{x}^\top\right) \, \mathrm{d}\mathbf{x}
            read-off               grad = \left(\frac{1}{1 + \mathbf{x}^\top \mathbf{x}} (\mathbf{x}^\top \mathbf{x})^{-0.5} \mathbf{x}^\top - 2 \frac{1}{(1 + \mathbf{x}^\top \mathbf{x})^2} \sqrt{\mathbf{x}^\top \mathbf{x}} \mathbf{x}^\top\right)^\top
            transpose-product      grad = \frac{1}{1 + \mathbf{x}^\top \mathbf{x}} (\mathbf{x}^\top \mathbf{x})^{-0.5} \mathbf{x} - 2 \frac{1}{(1 + \mathbf{x}^\top \mathbf{x})^2} \sqrt{\mathbf{x}^\top \mathbf{x}} \mathbf{x}
            simplify               grad = \frac{\mathbf{x}}{\sqrt{\mathbf{x}^\top \mathbf{x}} (1 + \mathbf{x}^\top \mathbf{x})} - \frac{2 \sqrt{\mathbf{x}^\top \mathbf{x}} \mathbf{x}}{(1 + \mathbf{x}^\top \mathbf{x})^2}
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
                                   dy = \mathrm{d}(\operatorname{Tr}(\operatorname{diag}(\mathbf{x}) \mathbf{A}))
            trace                  dy = \operatorname{Tr}(\mathrm{d}(\operatorname{diag}(\mathbf{x}) \mathbf{A}))
            product-rule           dy = \operatorname{Tr}((\mathrm{d}(\operatorname{diag}(\mathbf{x}))) \mathbf{A} + \operatorname{diag}(\mathbf{x}) \, \mathrm{d}\mathbf{A})
            constant               dy = \operatorname{Tr}((\mathrm{d}(\operatorname{diag}(\mathbf{x}))) \mathbf{A})
            diag                   dy = \operatorname{Tr}(\operatorname{diag}(\mathrm{d}\mathbf{x}) \mathbf{A})
            trace-cyclic           dy = \operatorname{Tr}(\mathbf{A} \operatorname{diag}(\mathrm{d}\mathbf{x}))
            trace-diag             dy = \operatorname{diag}(\mathbf{A})^\top \, \mathrm{d}\mathbf{x}
            read-off               grad = (\operatorname{diag}(\mathbf{A})^\top)^\top
            transpose-product      grad = \operatorname{diag}(\mathbf{A})
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
                                   dy = \mathrm{d}(\operatorname{Tr}(\mathbf{A} \operatorname{adj}(\mathbf{X})))
            trace                  dy = \operatorname{Tr}(\mathrm{d}(\mathbf{A} \operatorname{adj}(\mathbf{X})))
            product-rule           dy = \operatorname{Tr}((\mathrm{d}\mathbf{A}) \operatorname{adj}(\mathbf{X}) + \mathbf{A} \, \mathrm{d}(\operatorname{adj}(\mathbf{X})))
            constant               dy = \operatorname{Tr}(\mathbf{A} \, \mathrm{d}(\operatorname{adj}(\mathbf{X})))
            adjugate               dy = \operatorname{Tr}(\mathbf{A} (\operatorname{adj}(\mathbf{X}) \operatorname{Tr}(\mathbf{X}^{-1} \, \mathrm{d}\mathbf{X}) - \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \operatorname{adj}(\mathbf{X})))
            distribute             dy = \operatorname{Tr}(\mathbf{A} \operatorname{adj}(\mathbf{X}) \operatorname{Tr}(\mathbf{X}^{-1} \, \mathrm{d}\mathbf{X}) - \mathbf{A} \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \operatorname{adj}(\mathbf{X}))
            trace-linearity        dy = \operatorname{Tr}(\mathbf{A} \operatorname{adj}(\mathbf{X}) \operatorname{Tr}(\mathbf{X}^{-1} \, \mathrm{d}\mathbf{X})) + \operatorname{Tr}(-\mathbf{A} \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \operatorname{adj}(\mathbf{X}))
            trace-linearity        dy = \operatorname{Tr}(\mathbf{A} \operatorname{adj}(\mathbf{X})) \operatorname{Tr}(\mathbf{X}^{-1} \, \mathrm{d}\mathbf{X}) - \operatorname{Tr}(\mathbf{A} \mathbf{X}^{-1} \, (\mathrm{d}\mathbf{X}) \operatorname{adj}(\mathbf{X}))
            trace-cyclic           dy = \operatorname{Tr}(\mathbf{A} \operatorname{adj}(\mathbf{X})) \operatorname{Tr}(\mathbf{X}^{-1} \, \mathrm{d}\mathbf{X}) - \operatorname{Tr}(\operatorname{adj}(\mathbf{X}) \mathbf{A} \mathbf{X}^{-1} \, \mathrm{d}\mathbf{X})
            collect                dy = \operatorname{Tr}((\operatorname{Tr}(\mathbf{A} \operatorname{adj}(\mathbf{X})) \mathbf{X}^{-1} - \operatorname{adj}(\mathbf{X}) \mathbf{A} \mathbf{X}^{-1}) \, \mathrm{d}\mathbf{X})
            read-off               grad = (\operatorname{Tr}(\mathbf{A} \operatorname{adj}(\mathbf{X})) \mathbf{X}^{-1} - \operatorname{adj}(\mathbf{X}) \mathbf{A} \mathbf{X}^{-1})^\top
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
                                   dy = \mathrm{d}(\lVert \mathbf{A} \otimes \mathbf{X}\rVert_F^2)
            norm-squared           dy = \mathrm{d}(\operatorname{Tr}((\mathbf{A} \otimes \mathbf{X})^\top (\mathbf{A} \otimes \mathbf{X})))
            trace                  dy = \operatorname{Tr}(\mathrm{d}((\mathbf{A} \otimes \mathbf{X})^\top (\mathbf{A} \otimes \mathbf{X})))
            product-rule           dy = \operatorname{Tr}((\mathrm{d}((\mathbf{A} \otimes \mathbf{X})^\top)) (\mathbf{A} \otimes \mathbf{X}) + (\mathbf{A} \otimes \mathbf{X})^\top \, \mathrm{d}(\mathbf{A} \otimes \mathbf{X}))
            transpose              dy = \operatorname{Tr}((\mathrm{d}(\mathbf{A} \otimes \mathbf{X}))^\top (\mathbf{A} \otimes \mathbf{X}) + (\mathbf{A} \otimes \mathbf{X})^\top \, \mathrm{d}(\mathbf{A} \otimes \mathbf{X}))
            kronecker-product      dy = \operatorname{Tr}((\mathrm{d}\mathbf{A} \otimes \mathbf{X} + \mathbf{A} \otimes \mathrm{d}\mathbf{X})^\top (\mathbf{A} \otimes \mathbf{X}) + (\mathbf{A} \otimes \mathbf{X})^\top (\mathrm{d}\mathbf{A} \otimes \mathbf{X} + \mathbf{A} \otimes \mathrm{d}\mathbf{X}))
            constant               dy = \operatorname{Tr}((\mathbf{A} \otimes \mathrm{d}\mathbf{X})^\top (\mathbf{A} \otimes \mathbf{X}) + (\mathbf{A} \otimes \mathbf{X})^\top (\mathbf{A} \otimes \mathrm{d}\mathbf{X}))
            trace-linearity        dy = \operatorname{Tr}((\mathbf{A} \otimes \mathrm{d}\mathbf{X})^\top (\mathbf{A} \otimes \mathbf{X})) + \operatorname{Tr}((\mathbf{A} \otimes \mathbf{X})^\top (\mathbf{A} \otimes \mathrm{d}\mathbf{X}))
            kronecker-transpose    dy = \operatorname{Tr}((\mathbf{A}^\top \otimes (\mathrm{d}\mathbf{X})^\top) (\mathbf{A} \otimes \mathbf{X})) + \operatorname{Tr}((\mathbf{A}^\top \otimes \mathbf{X}^\top) (\mathbf{A} \otimes \mathrm{d}\mathbf{X}))
            kronecker-mixed-product dy = \operatorname{Tr}((\mathbf{A}^\top \mathbf{A}) \otimes ((\mathrm{d}\mathbf{X})^\top \mathbf{X})) + \operatorname{Tr}((\mathbf{A}^\top \mathbf{A}) \otimes (\mathbf{X}^\top \, \mathrm{d}\mathbf{X}))
            trace-kronecker        dy = \operatorname{Tr}(\mathbf{A}^\top \mathbf{A}) \operatorname{Tr}((\mathrm{d}\mathbf{X})^\top \mathbf{X}) + \operatorname{Tr}(\mathbf{A}^\top \mathbf{A}) \operatorname{Tr}(\mathbf{X}^\top \, \mathrm{d}\mathbf{X})
            trace-transpose        dy = \operatorname{Tr}(\mathbf{A}^\top \mathbf{A}) \operatorname{Tr}(\mathbf{X}^\top \, \mathrm{d}\mathbf{X}) + \operatorname{Tr}(\mathbf{A}^\top \mathbf{A}) \operatorname{Tr}(\mathbf{X}^\top \, \mathrm{d}\mathbf{X})
            collect                dy = 2 \operatorname{Tr}(\operatorname{Tr}(\mathbf{A}^\top \mathbf{A}) \mathbf{X}^\top \, \mathrm{d}\mathbf{X})
            read-off               grad = (2 \operatorname{Tr}(\mathbf{A}^\top \mathbf{A}) \mathbf{X}^\top)^\top
            transpose-product      grad = 2 \operatorname{Tr}(\mathbf{A}^\top \mathbf{A}) \mathbf{X}
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

/// softplus' = sigmoid: the machine-learning functions differentiate entry by entry.
#[test]
fn softplus_of_a_linear_model() {
    check(
        "sum(softplus(X*w))",
        "X: m x n, w: vector n",
        Some("w"),
        expect![[r#"
                                   dy = \mathrm{d}(\operatorname{sum}(\operatorname{softplus}(\mathbf{X} \mathbf{w})))
            sum                    dy = \operatorname{sum}(\mathrm{d}(\operatorname{softplus}(\mathbf{X} \mathbf{w})))
            elementwise-function   dy = \operatorname{sum}(\operatorname{sigmoid}(\mathbf{X} \mathbf{w}) \odot \mathrm{d}(\mathbf{X} \mathbf{w}))
            product-rule           dy = \operatorname{sum}(\operatorname{sigmoid}(\mathbf{X} \mathbf{w}) \odot ((\mathrm{d}\mathbf{X}) \mathbf{w} + \mathbf{X} \, \mathrm{d}\mathbf{w}))
            constant               dy = \operatorname{sum}(\operatorname{sigmoid}(\mathbf{X} \mathbf{w}) \odot (\mathbf{X} \, \mathrm{d}\mathbf{w}))
            sum-as-trace           dy = \operatorname{Tr}(\mathbf{1}^\top (\operatorname{sigmoid}(\mathbf{X} \mathbf{w}) \odot (\mathbf{X} \, \mathrm{d}\mathbf{w})))
            trace-hadamard         dy = \operatorname{Tr}(\operatorname{sigmoid}(\mathbf{X} \mathbf{w})^\top \mathbf{X} \, \mathrm{d}\mathbf{w})
            trace-of-scalar        dy = \operatorname{sigmoid}(\mathbf{X} \mathbf{w})^\top \mathbf{X} \, \mathrm{d}\mathbf{w}
            read-off               grad = (\operatorname{sigmoid}(\mathbf{X} \mathbf{w})^\top \mathbf{X})^\top
            transpose-product      grad = \mathbf{X}^\top \operatorname{sigmoid}(\mathbf{X} \mathbf{w})
            gradient: X'*sigmoid(X*w)
        "#]],
    );
}

/// d mean(X) = mean(dX), then mean(A) = Tr(1ᵀ A) / N with N the number of entries, here 5.
#[test]
fn mean_squared_error() {
    check(
        "mean((A*x - b).^2)",
        "A: 5x3, x: vector 3, b: vector 5",
        Some("x"),
        expect![[r#"
                                   dy = \mathrm{d}(\operatorname{mean}((\mathbf{A} \mathbf{x} - \mathbf{b})^{\circ 2}))
            mean                   dy = \operatorname{mean}(\mathrm{d}((\mathbf{A} \mathbf{x} - \mathbf{b})^{\circ 2}))
            hadamard-power         dy = \operatorname{mean}(2 ((\mathbf{A} \mathbf{x} - \mathbf{b}) \odot \mathrm{d}(\mathbf{A} \mathbf{x} - \mathbf{b})))
            linearity              dy = \operatorname{mean}(2 ((\mathbf{A} \mathbf{x} - \mathbf{b}) \odot (\mathrm{d}(\mathbf{A} \mathbf{x}) - \mathrm{d}\mathbf{b})))
            constant               dy = \operatorname{mean}(2 ((\mathbf{A} \mathbf{x} - \mathbf{b}) \odot \mathrm{d}(\mathbf{A} \mathbf{x})))
            product-rule           dy = \operatorname{mean}(2 ((\mathbf{A} \mathbf{x} - \mathbf{b}) \odot ((\mathrm{d}\mathbf{A}) \mathbf{x} + \mathbf{A} \, \mathrm{d}\mathbf{x})))
            constant               dy = \operatorname{mean}(2 ((\mathbf{A} \mathbf{x} - \mathbf{b}) \odot (\mathbf{A} \, \mathrm{d}\mathbf{x})))
            mean-as-trace          dy = \frac{\operatorname{Tr}(2 \mathbf{1}^\top ((\mathbf{A} \mathbf{x} - \mathbf{b}) \odot (\mathbf{A} \, \mathrm{d}\mathbf{x})))}{5}
            trace-linearity        dy = 2 \frac{1}{5} \operatorname{Tr}(\mathbf{1}^\top ((\mathbf{A} \mathbf{x} - \mathbf{b}) \odot (\mathbf{A} \, \mathrm{d}\mathbf{x})))
            trace-hadamard         dy = 2 \frac{1}{5} \operatorname{Tr}((\mathbf{A} \mathbf{x} - \mathbf{b})^\top \mathbf{A} \, \mathrm{d}\mathbf{x})
            trace-of-scalar        dy = 2 \frac{1}{5} ((\mathbf{A} \mathbf{x} - \mathbf{b})^\top \mathbf{A} \, \mathrm{d}\mathbf{x})
            read-off               grad = \left(2 \frac{1}{5} (\mathbf{A} \mathbf{x} - \mathbf{b})^\top \mathbf{A}\right)^\top
            transpose-product      grad = 2 \frac{1}{5} \mathbf{A}^\top (\mathbf{A} \mathbf{x} - \mathbf{b})
            simplify               grad = \frac{2 \mathbf{A}^\top (\mathbf{A} \mathbf{x} - \mathbf{b})}{5}
            gradient: 2*A'*(A*x - b) / 5
        "#]],
    );
}

/// Sizes without numbers: N is sum(1), the sum of the ones of the argument's shape.
#[test]
fn mean_of_a_matrix_product() {
    check(
        "mean(A*X)",
        "A: m x n, X: n x p",
        Some("X"),
        expect![[r#"
                               dy = \mathrm{d}(\operatorname{mean}(\mathbf{A} \mathbf{X}))
        mean                   dy = \operatorname{mean}(\mathrm{d}(\mathbf{A} \mathbf{X}))
        product-rule           dy = \operatorname{mean}((\mathrm{d}\mathbf{A}) \mathbf{X} + \mathbf{A} \, \mathrm{d}\mathbf{X})
        constant               dy = \operatorname{mean}(\mathbf{A} \, \mathrm{d}\mathbf{X})
        mean-as-trace          dy = \frac{\operatorname{Tr}(\mathbf{1}\mathbf{1}^\top \mathbf{A} \, \mathrm{d}\mathbf{X})}{\operatorname{sum}(\mathbf{1}\mathbf{1}^\top)}
        read-off               grad = \left(\frac{1}{\operatorname{sum}(\mathbf{1}\mathbf{1}^\top)} \mathbf{1}\mathbf{1}^\top \mathbf{A}\right)^\top
        transpose-product      grad = \frac{1}{\operatorname{sum}(\mathbf{1}\mathbf{1}^\top)} \mathbf{A}^\top \mathbf{1}\mathbf{1}^\top
        simplify               grad = \frac{\mathbf{A}^\top \mathbf{1}\mathbf{1}^\top}{\operatorname{sum}(\mathbf{1}\mathbf{1}^\top)}
        gradient: A'*matrix(1) / sum(matrix(1))
    "#]],
    );
}

/// d logsumexp(z) = softmax(z)ᵀ dz: the log-partition of a linear model (a corpus case).
#[test]
fn logsumexp_of_a_linear_model() {
    check(
        "logsumexp(A*x) - b'*x",
        "A: m x n, x: vector n, b: vector n",
        Some("x"),
        expect![[r#"
                                   dy = \mathrm{d}(\operatorname{logsumexp}(\mathbf{A} \mathbf{x}) - \mathbf{b}^\top \mathbf{x})
            linearity              dy = \mathrm{d}(\operatorname{logsumexp}(\mathbf{A} \mathbf{x})) - \mathrm{d}(\mathbf{b}^\top \mathbf{x})
            logsumexp              dy = \operatorname{sum}(\operatorname{softmax}(\mathbf{A} \mathbf{x}) \odot \mathrm{d}(\mathbf{A} \mathbf{x})) - \mathrm{d}(\mathbf{b}^\top \mathbf{x})
            product-rule           dy = \operatorname{sum}(\operatorname{softmax}(\mathbf{A} \mathbf{x}) \odot ((\mathrm{d}\mathbf{A}) \mathbf{x} + \mathbf{A} \, \mathrm{d}\mathbf{x})) - ((\mathrm{d}(\mathbf{b}^\top)) \mathbf{x} + \mathbf{b}^\top \, \mathrm{d}\mathbf{x})
            constant               dy = \operatorname{sum}(\operatorname{softmax}(\mathbf{A} \mathbf{x}) \odot (\mathbf{A} \, \mathrm{d}\mathbf{x})) - \mathbf{b}^\top \, \mathrm{d}\mathbf{x}
            sum-as-trace           dy = \operatorname{Tr}(\mathbf{1}^\top (\operatorname{softmax}(\mathbf{A} \mathbf{x}) \odot (\mathbf{A} \, \mathrm{d}\mathbf{x}))) - \mathbf{b}^\top \, \mathrm{d}\mathbf{x}
            trace-hadamard         dy = \operatorname{Tr}(\operatorname{softmax}(\mathbf{A} \mathbf{x})^\top \mathbf{A} \, \mathrm{d}\mathbf{x}) - \mathbf{b}^\top \, \mathrm{d}\mathbf{x}
            trace-of-scalar        dy = \operatorname{softmax}(\mathbf{A} \mathbf{x})^\top \mathbf{A} \, \mathrm{d}\mathbf{x} - \mathbf{b}^\top \, \mathrm{d}\mathbf{x}
            collect                dy = (\operatorname{softmax}(\mathbf{A} \mathbf{x})^\top \mathbf{A} - \mathbf{b}^\top) \, \mathrm{d}\mathbf{x}
            read-off               grad = (\operatorname{softmax}(\mathbf{A} \mathbf{x})^\top \mathbf{A} - \mathbf{b}^\top)^\top
            transpose-product      grad = \mathbf{A}^\top \operatorname{softmax}(\mathbf{A} \mathbf{x}) - \mathbf{b}
            simplify               grad = -\mathbf{b} + \mathbf{A}^\top \operatorname{softmax}(\mathbf{A} \mathbf{x})
            gradient: -b + A'*softmax(A*x)
        "#]],
    );
}

/// d softmax(z) = s ⊙ dz − s (sᵀ dz), s = softmax(z), rearranged by the Hadamard and trace
/// steps; the cross-entropy of a softmax (a corpus case).
#[test]
fn cross_entropy_of_softmax() {
    check(
        "-t'*log(softmax(z))",
        "t: vector n, z: vector n",
        Some("z"),
        expect![[r#"
                                   dy = \mathrm{d}(-\mathbf{t}^\top \log(\operatorname{softmax}(\mathbf{z})))
            linearity              dy = -\mathrm{d}(\mathbf{t}^\top \log(\operatorname{softmax}(\mathbf{z})))
            product-rule           dy = -((\mathrm{d}(\mathbf{t}^\top)) \log(\operatorname{softmax}(\mathbf{z})) + \mathbf{t}^\top \, \mathrm{d}(\log(\operatorname{softmax}(\mathbf{z}))))
            constant               dy = -(\mathbf{t}^\top \, \mathrm{d}(\log(\operatorname{softmax}(\mathbf{z}))))
            elementwise-function   dy = -(\mathbf{t}^\top (\operatorname{softmax}(\mathbf{z})^{\circ -1} \odot \mathrm{d}(\operatorname{softmax}(\mathbf{z}))))
            softmax                dy = -(\mathbf{t}^\top (\operatorname{softmax}(\mathbf{z})^{\circ -1} \odot (\operatorname{softmax}(\mathbf{z}) \odot \mathrm{d}\mathbf{z} - \operatorname{softmax}(\mathbf{z}) (\operatorname{softmax}(\mathbf{z})^\top \, \mathrm{d}\mathbf{z}))))
            distribute             dy = -(\mathbf{t}^\top (\operatorname{softmax}(\mathbf{z})^{\circ -1} \odot \operatorname{softmax}(\mathbf{z}) \odot \mathrm{d}\mathbf{z})) - \mathbf{t}^\top (\operatorname{softmax}(\mathbf{z})^{\circ -1} \odot (-\operatorname{softmax}(\mathbf{z}) (\operatorname{softmax}(\mathbf{z})^\top \, \mathrm{d}\mathbf{z})))
            scalar-as-trace        dy = -\operatorname{Tr}(\mathbf{t}^\top (\operatorname{softmax}(\mathbf{z})^{\circ -1} \odot \operatorname{softmax}(\mathbf{z}) \odot \mathrm{d}\mathbf{z})) - \operatorname{Tr}(\mathbf{t}^\top (\operatorname{softmax}(\mathbf{z})^{\circ -1} \odot (-\operatorname{softmax}(\mathbf{z}) (\operatorname{softmax}(\mathbf{z})^\top \, \mathrm{d}\mathbf{z}))))
            trace-hadamard         dy = -\operatorname{Tr}((\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1} \odot \operatorname{softmax}(\mathbf{z}))^\top \, \mathrm{d}\mathbf{z}) - \operatorname{Tr}((-(\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1})^\top \operatorname{softmax}(\mathbf{z})) (\operatorname{softmax}(\mathbf{z})^\top \, \mathrm{d}\mathbf{z}))
            trace-of-scalar        dy = -((\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1} \odot \operatorname{softmax}(\mathbf{z}))^\top \, \mathrm{d}\mathbf{z}) - \operatorname{Tr}((-(\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1})^\top \operatorname{softmax}(\mathbf{z})) (\operatorname{softmax}(\mathbf{z})^\top \, \mathrm{d}\mathbf{z}))
            trace-linearity        dy = -((\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1} \odot \operatorname{softmax}(\mathbf{z}))^\top \, \mathrm{d}\mathbf{z}) - (-(\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1})^\top \operatorname{softmax}(\mathbf{z})) \operatorname{Tr}(\operatorname{softmax}(\mathbf{z})^\top \, \mathrm{d}\mathbf{z})
            trace-of-scalar        dy = -((\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1} \odot \operatorname{softmax}(\mathbf{z}))^\top \, \mathrm{d}\mathbf{z}) - (-(\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1})^\top \operatorname{softmax}(\mathbf{z})) (\operatorname{softmax}(\mathbf{z})^\top \, \mathrm{d}\mathbf{z})
            collect                dy = (-(\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1} \odot \operatorname{softmax}(\mathbf{z}))^\top - (-(\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1})^\top \operatorname{softmax}(\mathbf{z})) \operatorname{softmax}(\mathbf{z})^\top) \, \mathrm{d}\mathbf{z}
            read-off               grad = (-(\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1} \odot \operatorname{softmax}(\mathbf{z}))^\top - (-(\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1})^\top \operatorname{softmax}(\mathbf{z})) \operatorname{softmax}(\mathbf{z})^\top)^\top
            transpose-product      grad = -(\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1} \odot \operatorname{softmax}(\mathbf{z})) - (-(\mathbf{t} \odot \operatorname{softmax}(\mathbf{z})^{\circ -1})^\top \operatorname{softmax}(\mathbf{z})) \operatorname{softmax}(\mathbf{z})
            simplify               grad = -\mathbf{t} + \operatorname{sum}(\mathbf{t}) \operatorname{softmax}(\mathbf{z})
            gradient: -t + sum(t)*softmax(z)
        "#]],
    );
}
