//! Lowering tests: the lowered s-expression, the symbol table and the variable, or the diagnostics.

use super::*;
use crate::diagnostic::Source;
use crate::expr::Kind;
use expect_test::{expect, Expect};

/// Lowers and renders the expression, the symbol table and the variable, or the diagnostics.
fn check_with(input: &str, decls: &str, wrt: Option<&str>, expect: Expect) {
    let out = match lower(input, decls, wrt) {
        Ok(p) => {
            let mut out = sexpr(&p.expr);
            out.push('\n');
            for s in &p.symbols.symbols {
                let _ = write!(
                    out,
                    "{}: {} {}×{}",
                    s.name, s.kind, s.shape.rows, s.shape.cols
                );
                if s.origin == crate::expr::Origin::Context {
                    let _ = write!(out, " (from context)");
                }
                for (on, w) in [
                    (s.declared(), "declared"),
                    (s.symmetric, "symmetric"),
                    (s.spd, "spd"),
                ] {
                    if on {
                        let _ = write!(out, " {w}");
                    }
                }
                out.push('\n');
            }
            let _ = writeln!(out, "wrt {}", p.wrt);
            out
        }
        Err(diags) => diags
            .iter()
            .map(|d| match d.source {
                Source::Expr => d.render(input),
                Source::Decls => format!("[decls] {}", d.render(decls)),
                Source::Other => format!("[other] {}", d.render("")),
            })
            .collect(),
    };
    expect.assert_eq(&out);
}

fn check(input: &str, expect: Expect) {
    check_with(input, "", None, expect);
}

#[test]
fn note_examples() {
    check(
        "||A*x - b||^2",
        expect![[r#"
            (^ (norm2 (+ (* A x) (* -1 b))) 2)
            A: matrix n×m
            x: vector m×1
            b: vector n×1 (from context)
            wrt x
        "#]],
    );
    check(
        "tr(A*X*B)",
        expect![[r#"
            (tr (* A X B))
            A: matrix n×m
            X: matrix m×p
            B: matrix p×n
            wrt X
        "#]],
    );
    check(
        "logdet(X'*X)",
        expect![[r#"
            (logdet (* (' X) X))
            X: matrix n×m
            wrt X
        "#]],
    );
    check_with(
        "||A*x - b||^2",
        "b: vector",
        None,
        expect![[r#"
        (^ (norm2 (+ (* A x) (* -1 b))) 2)
        A: matrix n×m
        x: vector m×1
        b: vector n×1 declared
        wrt x
    "#]],
    );
}

#[test]
fn operators() {
    check(
        "a*x'*x + b - c/2",
        expect![[r#"
        (+ (* a (' x) x) b (* -1 (/ c 2)))
        a: scalar 1×1
        x: vector n×1
        b: scalar 1×1
        c: scalar 1×1
        wrt x
    "#]],
    );
    check(
        "x .* y ./ z .* w + x.^2",
        expect![[r#"
        error: the expression is a vector n×1; matdiff differentiates scalar functions
          | x .* y ./ z .* w + x.^2
          | ^^^^^^^^^^^^^^^^^^^^^^^
          = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
    "#]],
    );
    check(
        "-x'*y - -a",
        expect![[r#"
        (+ (* -1 (' x) y) (* -1 -1 a))
        x: vector n×1
        y: vector n×1
        a: scalar 1×1
        wrt x
    "#]],
    );
    check(
        "-(A*x)'*(B*y)",
        expect![[r#"
        (* -1 (' (* A x)) B y)
        A: matrix n×m
        x: vector m×1
        B: matrix n×p
        y: vector p×1
        wrt x
    "#]],
    );
    check(
        "x'*(A + B')*x",
        expect![[r#"
        (* (' x) (+ A (' B)) x)
        x: vector n×1
        A: matrix n×n
        B: matrix n×n
        wrt x
    "#]],
    );
    check(
        "a^2 + a^0.5 + a^-1",
        expect![[r#"
        (+ (^ a 2) (^ a 0.5) (^ a -1))
        a: scalar 1×1
        wrt a
    "#]],
    );
    check(
        "sum(exp(x) .* sin(x)) + sum(sqrt(abs(X)))",
        expect![[r#"
        (+ (sum (.* (exp x) (sin x))) (sum (sqrt (abs X))))
        x: vector n×1
        X: matrix m×p
        wrt X
    "#]],
    );
    check(
        "+x'x",
        expect![[r#"
        (* (' x) x)
        x: vector n×1
        wrt x
    "#]],
    );
}

#[test]
fn implicit_products_and_axb() {
    check(
        "x'A x",
        expect![[r#"
        (* (' x) A x)
        x: vector n×1
        A: matrix n×n
        wrt x
    "#]],
    );
    check(
        "2x'x",
        expect![[r#"
        (* 2 (' x) x)
        x: vector n×1
        wrt x
    "#]],
    );
    check(
        "tr(AXB)",
        expect![[r#"
        (tr (* A X B))
        A: matrix n×m
        X: matrix m×p
        B: matrix p×n
        wrt X
    "#]],
    );
    check(
        "tr(A(X+B)C)",
        expect![[r#"
        (tr (* A (+ X B) C))
        A: matrix n×m
        X: matrix m×p
        B: matrix m×p
        C: matrix p×n
        wrt X
    "#]],
    );
    // Mixed-case names read as products too: capitals, single small letters, Greek names.
    check(
        "||Ax - b||^2",
        expect![[r#"
            (^ (norm2 (+ (* A x) (* -1 b))) 2)
            A: matrix n×m
            x: vector m×1
            b: vector n×1 (from context)
            wrt x
        "#]],
    );
    check(
        "x'Ax",
        expect![[r#"
            (* (' x) A x)
            x: vector n×1
            A: matrix n×n
            wrt x
        "#]],
    );
    check(
        "tr(ASigmaX) + tr(lambdaI)",
        expect![[r#"
            (+ (tr (* A Sigma X)) (tr (* lambda (I q))))
            A: matrix n×m
            Sigma: matrix m×p
            X: matrix p×n
            lambda: scalar 1×1
            wrt X
        "#]],
    );
    // Dividing by a literal zero is refused where it is written.
    check(
        "a/0 + x'*x./(1-1)",
        expect![[r#"
            error: division by zero
              | a/0 + x'*x./(1-1)
              |   ^
              = hint: f is undefined everywhere: divide by a nonzero number
        "#]],
    );
    check(
        "x'*x./(1-1)",
        expect![[r#"
            error: division by zero
              | x'*x./(1-1)
              |       ^^^^^
              = hint: f is undefined everywhere: divide by a nonzero number
        "#]],
    );
    // Not products: a run of small letters that is neither one letter nor Greek.
    check(
        "tr(Xtrain) + sum(Sigmax)",
        expect![[r#"
            (+ (tr Xtrain) (sum Sigmax))
            Xtrain: matrix n×n
            Sigmax: matrix m×p
            wrt Xtrain
        "#]],
    );
    check(
        "tr(AXIB)",
        expect![[r#"
        (tr (* A X (I p) B))
        A: matrix n×m
        X: matrix m×p
        B: matrix p×n
        wrt X
    "#]],
    );
    check_with(
        "tr(AB)",
        "AB: 3x3",
        None,
        expect![[r#"
        (tr AB)
        AB: matrix 3×3 declared
        wrt AB
    "#]],
    );
    check_with(
        "tr(AXB)",
        "A: 2x3, B: 4x2",
        None,
        expect![[r#"
        (tr (* A X B))
        A: matrix 2×3 declared
        X: matrix 3×4
        B: matrix 4×2 declared
        wrt X
    "#]],
    );
    check(
        "tr(Sigma X) + tr(Lambda)",
        expect![[r#"
        (+ (tr (* Sigma X)) (tr Lambda))
        Sigma: matrix n×m
        X: matrix m×n
        Lambda: matrix p×p
        wrt X
    "#]],
    );
}

#[test]
fn flattening() {
    // A product in parentheses joins the chain; a scalar sub-product used as a scalar does not.
    check(
        "x'*(A*(B*x))",
        expect![[r#"
        (* (' x) A B x)
        x: vector n×1
        A: matrix n×m
        B: matrix m×n
        wrt x
    "#]],
    );
    check(
        "sum(A*(x'*y))",
        expect![[r#"
        (sum (* A (* (' x) y)))
        A: matrix n×m
        x: vector p×1
        y: vector p×1
        wrt x
    "#]],
    );
    check(
        "(x'*y)*(z'*w)",
        expect![[r#"
        (* (' x) y (' z) w)
        x: vector n×1
        y: vector n×1
        z: vector m×1
        w: vector m×1
        wrt x
    "#]],
    );
    check(
        "a + (b + c) - (d - e)",
        expect![[r#"
        (+ a b c (* -1 (+ d (* -1 e))))
        a: scalar 1×1
        b: scalar 1×1
        c: scalar 1×1
        d: scalar 1×1
        e: scalar 1×1
        wrt a
    "#]],
    );
    check(
        "sum(x .* (y .* z))",
        expect![[r#"
        (sum (.* x y z))
        x: vector n×1
        y: vector n×1
        z: vector n×1
        wrt x
    "#]],
    );
}

#[test]
fn transposes_inverses_powers() {
    check(
        "tr(X^T A) + tr(X' B) + tr(X^{T} C)",
        expect![[r#"
        (+ (tr (* (' X) A)) (tr (* (' X) B)) (tr (* (' X) C)))
        X: matrix n×m
        A: matrix n×m
        B: matrix n×m
        C: matrix n×m
        wrt X
    "#]],
    );
    check(
        "tr(X^-1) + tr(X^{-1}) + tr(inv(X))",
        expect![[r#"
        (+ (tr (inv X)) (tr (inv X)) (tr (inv X)))
        X: matrix n×n
        wrt X
    "#]],
    );
    check(
        "tr(X^3) + tr(X^-2) + tr(X^0) + tr(X^1)",
        expect![[r#"
        (+ (tr (^ X 3)) (tr (inv (^ X 2))) (tr (I n)) (tr X))
        X: matrix n×n
        wrt X
    "#]],
    );
    check(
        "sum(X.^0.5)",
        expect![[r#"
        (sum (.^ X 0.5))
        X: matrix n×m
        wrt X
    "#]],
    );
    check(
        "tr(A^0.5)",
        expect![[r#"
        error: a matrix can only be raised to an integer power, not 0.5
          | tr(A^0.5)
          |      ^^^
          |    - matrix n×m
          = hint: for elementwise powers write .^0.5
    "#]],
    );
    check(
        "x^2",
        expect![[r#"
        error: cannot raise a vector n×1 to a power
          | x^2
          |  ^
          | - vector n×1
          = hint: for elementwise powers write x.^2; for the squared length write x'*x or ||x||^2
    "#]],
    );
    check(
        "tr(A^2)",
        expect![[r#"
        (tr (^ A 2))
        A: matrix n×n
        wrt A
    "#]],
    );
    check_with(
        "tr(A^2)",
        "A: 3x4",
        None,
        expect![[r#"
        error: a matrix power needs a square matrix, but its argument is a matrix 3×4
          | tr(A^2)
          |     ^
          |    - matrix 3×4
    "#]],
    );
    check(
        "tr(X^200)",
        expect![[r#"
        error: matrix powers are limited to ±50, not 200
          | tr(X^200)
          |      ^^^
    "#]],
    );
}

#[test]
fn functions() {
    check(
        "log det(X) + log(det(X)) + logdet(X) + ln(det(Y))",
        expect![[r#"
            (+ (logdet X) (logdet X) (logdet X) (logdet Y))
            X: matrix n×n
            Y: matrix m×m
            wrt X
        "#]],
    );
    check(
        "log(x'x) + det(X)",
        expect![[r#"
        (+ (log (* (' x) x)) (det X))
        x: vector n×1
        X: matrix m×m
        wrt X
    "#]],
    );
    check(
        "sum(diag(x)) + sum(diag(X)) + x'diag(X)",
        expect![[r#"
        (+ (sum (diag x)) (sum (diagof X)) (* (' x) (diagof X)))
        x: vector n×1
        X: matrix n×n
        wrt X
    "#]],
    );
    check(
        "tr(diag(x) A)",
        expect![[r#"
        (tr (* (diag x) A))
        x: vector n×1
        A: matrix n×n
        wrt x
    "#]],
    );
    check(
        "diag(a)",
        expect![[r#"
        error: diag takes a column vector or a square matrix, not a scalar
          | diag(a)
          | ^^^^
          |      - scalar
    "#]],
    );
    check(
        "diag(x')",
        expect![[r#"
        error: diag takes a column vector or a square matrix, not a row vector 1×n
          | diag(x')
          | ^^^^
          |      -- row vector 1×n
    "#]],
    );
    check(
        "softmax(X)",
        expect![[r#"
        error: `softmax` takes a column vector, not a matrix n×m
          | softmax(X)
          | ^^^^^^^
          |         - matrix n×m
    "#]],
    );
    check(
        "softmax(x') + logsumexp(X)",
        expect![[r#"
        error: `softmax` takes a column vector, not a row vector 1×n
          | softmax(x') + logsumexp(X)
          | ^^^^^^^
          |         -- row vector 1×n
    "#]],
    );
    check(
        "y'*softmax(W*x) + logsumexp(X)",
        expect![[r#"
        (+ (* (' y) (softmax (* W x))) (logsumexp X))
        y: vector n×1
        W: matrix n×m
        x: vector m×1
        X: matrix p×q
        wrt X
    "#]],
    );
    check(
        "norm2(x) + norm1(x) + ||X||_F + ||x||_1 + ||a||",
        expect![[r#"
            (+ (norm2 x) (norm1 x) (norm2 X) (norm1 x) (norm2 a))
            x: vector n×1
            X: matrix m×p
            a: scalar 1×1
            wrt X
        "#]],
    );
    check(
        "tr(X + eye) + tr(I*X) + tr(eye(3))",
        expect![[r#"
        (+ (tr (+ X (I n))) (tr (* (I n) X)) (tr (I 3)))
        X: matrix n×n
        wrt X
    "#]],
    );
    check(
        "x'*vector(2) + sum(matrix(3) .* X) + sum(vector())",
        expect![[r#"
            (+ (* (' x) 2 (ones n 1)) (sum (.* (* 3 (ones m p)) X)) (sum (ones q 1)))
            x: vector n×1
            X: matrix m×p
            wrt X
        "#]],
    );
    check(
        "sum(vector(x))",
        expect![[r#"
        error: vector(c) takes a number c
          | sum(vector(x))
          |            ^
          = hint: vector(c) is the vector with every entry c, of inferred size
    "#]],
    );
    check(
        "tr(eye(1))",
        expect![[r#"
        error: the size of eye(·) must be a whole number from 2 to 1000
          | tr(eye(1))
          |        ^
          = hint: or write I (or eye) alone and let the size be inferred
    "#]],
    );
    check(
        "tr(x, y)",
        expect![[r#"
        error: `tr` takes one argument
          | tr(x, y)
          |       ^
          | -- `tr` is called here
    "#]],
    );
    check(
        "tr()",
        expect![[r#"
        error: `tr` needs an argument
          | tr()
          | ^^
          = hint: write it like tr(X)
    "#]],
    );
    check(
        "tr(x)",
        expect![[r#"
        error: `tr` needs a square matrix, but its argument is a vector n×1
          | tr(x)
          | ^^
          |    - vector n×1
    "#]],
    );
    check(
        "det(A) * tr(A)",
        expect![[r#"
        (* (det A) (tr A))
        A: matrix n×n
        wrt A
    "#]],
    );
    check(
        "relu(x)'step(x) + arctan(a) + tanh(b) + sign(c)",
        expect![[r#"
            (+ (* (' (relu x)) (step x)) (arctan a) (tanh b) (sign c))
            x: vector n×1
            a: scalar 1×1
            b: scalar 1×1
            c: scalar 1×1
            wrt x
        "#]],
    );
}

#[test]
fn declarations_and_unification() {
    check_with(
        "x'*A*x",
        "A: 3x4, x: vector 5",
        None,
        expect![[r#"
        error: cannot multiply a row vector 1×5 by a matrix 3×4: the inner dimensions 5 and 3 differ
          | x'*A*x
          |   ^
          | -- row vector 1×5
          |    - matrix 3×4
          = hint: in a product the columns of the left side must match the rows of the right side
    "#]],
    );
    check_with(
        "sum(A*x)",
        "A: 3x4, x: vector 5",
        None,
        expect![[r#"
        error: cannot multiply a matrix 3×4 by a vector 5×1: the inner dimensions 4 and 5 differ
          | sum(A*x)
          |      ^
          |     - matrix 3×4
          |       - vector 5×1
          = hint: in a product the columns of the left side must match the rows of the right side
    "#]],
    );
    check_with(
        "sum(A*x)",
        "A: 3x4",
        None,
        expect![[r#"
        (sum (* A x))
        A: matrix 3×4 declared
        x: vector 4×1
        wrt x
    "#]],
    );
    check_with(
        "x'*S*x + tr(P)",
        "S: symmetric n, P: spd m",
        None,
        expect![[r#"
        (+ (* (' x) S x) (tr P))
        x: vector n×1
        S: matrix n×n declared symmetric
        P: matrix m×m declared symmetric spd
        wrt x
    "#]],
    );
    check_with(
        "x'*S*y",
        "S: symmetric n, y: vector 3",
        None,
        expect![[r#"
        error: cannot multiply a row vector 1×n by a vector 3×1: the inner dimensions n and 3 differ
          | x'*S*y
          |     ^
          | ---- row vector 1×n
          |      - vector 3×1
          = hint: in a product the columns of the left side must match the rows of the right side
    "#]],
    );
    check_with(
        "a*x'x",
        "a: scalar, x: vector n, Z: 2x2",
        None,
        expect![[r#"
        (* a (' x) x)
        a: scalar 1×1 declared
        x: vector n×1 declared
        wrt x
    "#]],
    );
    check_with(
        "tr(A*B)",
        "A: m x n, B: m x n",
        None,
        expect![[r#"
        error: cannot multiply a matrix m×n by a matrix m×n: the inner dimensions n and m differ
          | tr(A*B)
          |     ^
          |    - matrix m×n
          |      - matrix m×n
          = hint: in a product the columns of the left side must match the rows of the right side
    "#]],
    );
    check_with(
        "tr(A*B)",
        "A: m x n",
        None,
        expect![[r#"
        (tr (* A B))
        A: matrix m×n declared
        B: matrix n×m
        wrt A
    "#]],
    );
    check_with(
        "y'*y",
        "y: matrix",
        None,
        expect![[r#"
        error: the expression is a matrix m×m; matdiff differentiates scalar functions
          | y'*y
          | ^^^^
          = hint: wrap it in tr(·), sum(·) or ||·||_F
    "#]],
    );
    check_with(
        "tr(n*N)",
        "n: vector",
        None,
        expect![[r#"
            error: cannot multiply a vector m×1 by a matrix p×q: the inner dimensions 1 and p differ
              | tr(n*N)
              |     ^
              |    - vector m×1
              |      - matrix p×q
              = hint: in a product the columns of the left side must match the rows of the right side
        "#]],
    );
    check_with(
        "tr(n*N)",
        "",
        None,
        expect![[r#"
            (tr (* n N))
            n: scalar 1×1 (from context)
            N: matrix m×m
            wrt N
        "#]],
    );
    check_with(
        "x'*A*x",
        "A: n",
        None,
        expect![[r#"
        (* (' x) A x)
        x: vector n×1
        A: matrix n×n declared
        wrt x
    "#]],
    );
    check_with(
        "x'*x",
        "x: 3x",
        None,
        expect![[r#"
        [decls] error: expected a second dimension after `x`
          | x: 3x
          |     ^
          = hint: accepted words: scalar, vector, matrix, square, symmetric, spd, and sizes like 3x4, m x n, m*n or n
    "#]],
    );
}

#[test]
fn shape_errors() {
    check(
        "x*y",
        expect![[r#"
        error: cannot multiply a vector n×1 by a vector m×1: the inner dimensions 1 and m differ
          | x*y
          |  ^
          | - vector n×1
          |   - vector m×1
          = hint: transpose one side with ': x'*y is an inner product, x*y' an outer product
    "#]],
    );
    check(
        "x + A*y",
        expect![[r#"
        error: the expression is a vector n×1; matdiff differentiates scalar functions
          | x + A*y
          | ^^^^^^^
          = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
    "#]],
    );
    check(
        "x'x + x",
        expect![[r#"
            error: the expression is a vector n×1; matdiff differentiates scalar functions
              | x'x + x
              | ^^^^^^^
              = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
        "#]],
    );
    check(
        "x'x - x + 1",
        expect![[r#"
            error: the expression is a vector n×1; matdiff differentiates scalar functions
              | x'x - x + 1
              | ^^^^^^^^^^^
              = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
        "#]],
    );
    check(
        "sum(x + 2)",
        expect![[r#"
            (sum (+ x (* 2 (ones n 1))))
            x: vector n×1
            wrt x
        "#]],
    );
    check(
        "tr(X + 2)",
        expect![[r#"
            (tr (+ X (* 2 (ones n n))))
            X: matrix n×n
            wrt X
        "#]],
    );
    check(
        "sum(x/y)",
        expect![[r#"
        error: cannot divide by a vector m×1: `/` divides by scalars only
          | sum(x/y)
          |      ^
          |     - vector n×1
          |       - vector m×1
          = hint: for A B⁻¹ write A*inv(B); for elementwise division write ./
    "#]],
    );
    check(
        "sum(x .* y')",
        expect![[r#"
        error: cannot multiply elementwise a vector n×1 and a row vector 1×m: the shapes differ
          | sum(x .* y')
          |       ^^
          |     - vector n×1
          |          -- row vector 1×m
    "#]],
    );
    check_with(
        "sum(A .* B)",
        "A: 2x3, B: 3x2",
        None,
        expect![[r#"
        error: cannot multiply elementwise a matrix 2×3 and a matrix 3×2: the shapes differ
          | sum(A .* B)
          |       ^^
          |     - matrix 2×3
          |          - matrix 3×2
    "#]],
    );
    check_with(
        "sum(A ./ B)",
        "A: 2x3, B: 3x2",
        None,
        expect![[r#"
        error: cannot divide elementwise a matrix 2×3 and a matrix 3×2: the shapes differ
          | sum(A ./ B)
          |       ^^
          |     - matrix 2×3
          |          - matrix 3×2
    "#]],
    );
    check_with(
        "tr(A) + tr(X*A)",
        "A: 3x4",
        None,
        expect![[r#"
        error: `tr` needs a square matrix, but its argument is a matrix 3×4
          | tr(A) + tr(X*A)
          | ^^
          |    - matrix 3×4
    "#]],
    );
    check_with(
        "tr(AXB)",
        "A: 2x3, B: 2x2, X: 4x2",
        None,
        expect![[r#"
        error: cannot multiply a matrix 2×3 by a matrix 4×2: the inner dimensions 3 and 4 differ
          | tr(AXB)
          |     ^
          |    - matrix 2×3
          |     - matrix 4×2
          = hint: in a product the columns of the left side must match the rows of the right side
    "#]],
    );
    check_with(
        "tr(logdet(A))",
        "A: 2x3",
        None,
        expect![[r#"
        error: `logdet` needs a square matrix, but its argument is a matrix 2×3
          | tr(logdet(A))
          |    ^^^^^^
          |           - matrix 2×3
    "#]],
    );
    check_with(
        "log det(A)",
        "A: 2x3",
        None,
        expect![[r#"
        error: log det needs a square matrix, but its argument is a matrix 2×3
          | log det(A)
          |     ^^^
          |         - matrix 2×3
    "#]],
    );
    check_with(
        "sum(inv(A))",
        "A: 2x3",
        None,
        expect![[r#"
        error: inv needs a square matrix, but its argument is a matrix 2×3
          | sum(inv(A))
          |     ^^^
          |         - matrix 2×3
    "#]],
    );
}

#[test]
fn not_scalar_and_variable() {
    check(
        "A*x",
        expect![[r#"
        error: the expression is a vector n×1; matdiff differentiates scalar functions
          | A*x
          | ^^^
          = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
    "#]],
    );
    check(
        "X",
        expect![[r#"
        error: the expression is a matrix n×m; matdiff differentiates scalar functions
          | X
          | ^
          = hint: wrap it in tr(·), sum(·) or ||·||_F
    "#]],
    );
    check(
        "x'",
        expect![[r#"
        error: the expression is a row vector 1×n; matdiff differentiates scalar functions
          | x'
          | ^^
          = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
    "#]],
    );
    check(
        "2 + 3",
        expect![[r#"
        error: nothing to differentiate: the expression has no symbols
          | 2 + 3
          | ^^^^^
          = hint: use a variable, e.g. x'*x or tr(X)
    "#]],
    );
    check(
        "tr(I)",
        expect![[r#"
        error: nothing to differentiate: the expression has no symbols
          | tr(I)
          | ^^^^^
          = hint: use a variable, e.g. x'*x or tr(X)
    "#]],
    );
    check_with(
        "x'*A*x",
        "",
        Some("A"),
        expect![[r#"
        (* (' x) A x)
        x: vector n×1
        A: matrix n×n
        wrt A
    "#]],
    );
    check_with(
        "x'*A*x",
        "",
        Some(" Y "),
        expect![[r#"
            (* (' x) A x)
            x: vector n×1
            A: matrix n×n
            Y: matrix m×p
            wrt Y
        "#]],
    );
    check_with(
        "2*3",
        "",
        Some("x"),
        expect![[r#"
            (* 2 3)
            x: vector n×1
            wrt x
        "#]],
    );
    // A variable the expression does not mention is typed by its declaration, else by its
    // letter with sizes of its own; names that could not be one symbol are still refused.
    check_with(
        "tr(A)",
        "X: 3x4",
        Some("X"),
        expect![[r#"
            (tr A)
            A: matrix n×n
            X: matrix 3×4 declared
            wrt X
        "#]],
    );
    check_with(
        "tr(A)",
        "",
        Some("alpha"),
        expect![[r#"
            (tr A)
            A: matrix n×n
            alpha: scalar 1×1
            wrt alpha
        "#]],
    );
    for not_a_symbol in ["AX", "tr", "I", "x y", "1+", "x'"] {
        let refused = lower("x'*A*x", "", Some(not_a_symbol))
            .err()
            .unwrap_or_default();
        assert!(
            matches!(&refused[..], [d] if d.message.contains("is not a symbol of the expression")),
            "{not_a_symbol}: {refused:?}"
        );
    }
    check(
        "a*b + c",
        expect![[r#"
        (+ (* a b) c)
        a: scalar 1×1
        b: scalar 1×1
        c: scalar 1×1
        wrt a
    "#]],
    );
    check(
        "x'y + a",
        expect![[r#"
        (+ (* (' x) y) a)
        x: vector n×1
        y: vector n×1
        a: scalar 1×1
        wrt x
    "#]],
    );
    check(
        "tr(A*B)",
        expect![[r#"
        (tr (* A B))
        A: matrix n×m
        B: matrix m×n
        wrt A
    "#]],
    );
    check(
        "x'*x + tr(X)",
        expect![[r#"
        (+ (* (' x) x) (tr X))
        x: vector n×1
        X: matrix m×m
        wrt X
    "#]],
    );
    check(
        "x'*x + tr(Y)",
        expect![[r#"
        (+ (* (' x) x) (tr Y))
        x: vector n×1
        Y: matrix m×m
        wrt x
    "#]],
    );
}

#[test]
fn letter_scalars_added_to_vectors_become_vectors() {
    check(
        "sum(x - c) + tr(X + lambda)",
        expect![[r#"
            (+ (sum (+ x (* -1 c))) (tr (+ X lambda)))
            x: vector n×1
            c: vector n×1 (from context)
            X: matrix m×m
            lambda: matrix m×m (from context)
            wrt X
        "#]],
    );
    check(
        "b + A*x",
        expect![[r#"
        error: the expression is a vector n×1; matdiff differentiates scalar functions
          | b + A*x
          | ^^^^^^^
          = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
    "#]],
    );
    check(
        "sum(x' - b)",
        expect![[r#"
            (sum (+ (' x) (* -1 b (ones 1 n))))
            x: vector n×1
            b: scalar 1×1
            wrt x
        "#]],
    );
    check_with(
        "sum(x - c)",
        "c: scalar",
        None,
        expect![[r#"
            (sum (+ x (* -1 c (ones n 1))))
            x: vector n×1
            c: scalar 1×1 declared
            wrt x
        "#]],
    );
}

#[test]
fn many_promotions_stay_cheap() {
    // Each symbol is promoted in place, in one pass.
    let names: Vec<String> = (0..580).map(|i| format!("a{i}")).collect();
    let src = format!("sum(x - {})", names.join(" - "));
    let p = lower(&src, "", None).map_err(|d| d[0].message.clone());
    let kinds = p.map(|p| {
        p.symbols
            .symbols
            .iter()
            .filter(|s| s.kind == Kind::Vector)
            .count()
    });
    assert_eq!(kinds, Ok(581));
    // A symbol used as a scalar before stays a scalar.
    check(
        "a*(x'x) + sum(x - a)",
        expect![[r#"
            (+ (* a (' x) x) (sum (+ x (* -1 a (ones n 1)))))
            a: scalar 1×1
            x: vector n×1
            wrt x
        "#]],
    );
}

#[test]
fn parse_and_decl_errors_pass_through() {
    check_with(
        "tr(X",
        "A: 3x",
        None,
        expect![[r#"
        error: missing `)`: found the end of the input
          | tr(X
          |     ^
          |   - this `(` is not closed
        [decls] error: expected a second dimension after `x`
          | A: 3x
          |     ^
          = hint: accepted words: scalar, vector, matrix, square, symmetric, spd, and sizes like 3x4, m x n, m*n or n
    "#]],
    );
    check_with(
        "tr(X)",
        "A: nonsense",
        None,
        expect![[r#"
        [decls] error: unknown word `nonsense` in the declaration of `A`
          | A: nonsense
          |    ^^^^^^^^
          = hint: accepted words: scalar, vector, matrix, square, symmetric, spd, and sizes like 3x4, m x n, m*n or n
    "#]],
    );
}

#[test]
fn caps() {
    let sum = vec!["x'x"; 1000].join("+");
    let p = lower(&sum, "", None);
    let msg = p.err().and_then(|d| d.first().map(|d| d.message.clone()));
    assert_eq!(
        msg.as_deref(),
        Some("the expression is too large (4001 nodes; the limit is 2000)")
    );

    let deep = "exp(".repeat(250) + "a" + &")".repeat(250);
    let p = lower(&deep, "", None);
    let msg = p.err().and_then(|d| d.first().map(|d| d.message.clone()));
    assert_eq!(
        msg.as_deref(),
        Some("the expression is nested too deeply (depth 251; the limit is 200)")
    );

    // The adversarial inputs of issue 4 are accepted.
    let parens = "(".repeat(500) + "x'x" + &")".repeat(500);
    assert!(lower(&parens, "", None).is_ok());
    let terms = vec!["a*x'x"; 200].join(" + ");
    assert!(lower(&terms, "", None).is_ok());
    assert!(lower("tr(X^50)", "", None).is_ok());
    let invs =
        "inv(".repeat(MAX_NESTED_FUNCTIONS - 1) + "X" + &")".repeat(MAX_NESTED_FUNCTIONS - 1);
    assert!(lower(&format!("tr({invs})"), "", None).is_ok());
    let prod = vec!["X"; 20].join("*");
    assert!(lower(&format!("logdet({prod})"), "", None).is_ok());
    let implicit = "AX".repeat(MAX_FACTORS / 2);
    assert!(lower(&format!("tr({implicit})"), "", None).is_ok());
    let had = vec!["X"; MAX_HADAMARD_FACTORS].join(" .* ");
    assert!(lower(&format!("sum({had})"), "", None).is_ok());

    // Beyond the work caps: a clear message naming the limit.
    let first = |src: &str| {
        lower(src, "", None)
            .err()
            .and_then(|d| d.first().map(|d| d.message.clone()))
    };
    assert_eq!(
        first(&format!("tr({})", "A".repeat(300))).as_deref(),
        Some("the expression has a product of 300 factors; the limit is 24")
    );
    let had = vec!["X"; 25].join(" .* ");
    assert_eq!(
        first(&format!("sum({had})")).as_deref(),
        Some("the expression has an elementwise product of 25 factors; the limit is 24")
    );
    let nest = "exp(log(".repeat(12) + "x" + &"))".repeat(12);
    assert_eq!(
        first(&format!("sum({nest})")).as_deref(),
        Some("functions, inverses and transposes are nested 25 deep; the limit is 24")
    );
}

#[test]
fn deep_inputs_fit_a_small_stack() {
    // A wasm page has about 1 MiB of stack; debug frames are about 8 times larger than release ones.
    let run = || {
        for src in [
            "(a+".repeat(990) + "a" + &")".repeat(990),
            "(".repeat(990) + "x'x" + &")".repeat(990),
            "-".repeat(990) + "a",
            "sin(".repeat(490) + "a" + &")".repeat(490),
            "a".to_string() + &"'".repeat(990),
        ] {
            let _ = lower(&src, "", None);
        }
    };
    let stack = if cfg!(debug_assertions) {
        4 << 20
    } else {
        1 << 20
    };
    let handle = std::thread::Builder::new().stack_size(stack).spawn(run);
    assert!(handle.map(|h| h.join().is_ok()).unwrap_or(false));
}

#[test]
fn fuzz_no_panic() {
    let decls = [
        "",
        "A: 3x4",
        "x: vector 5, S: spd n",
        "b: vector, X: symmetric",
        "A: 3x4, x: vector 5",
    ];
    let mut rng = crate::syntax::tests::Rng(42);
    for s in crate::syntax::tests::fuzz_inputs(4000) {
        let d = decls[rng.below(decls.len())];
        let wrt = ["x", "X", "A", "zz"].get(rng.below(6)).copied();
        match lower(&s, d, wrt) {
            Ok(p) => {
                assert!(p.symbols.get(&p.wrt).is_some(), "{s:?}");
                assert!(
                    crate::expr::shape_of(&p.expr, &p.symbols).is_scalar(),
                    "{s:?}"
                );
                assert!(!format!("{:?}", p.expr).contains("Name(\"?\")"), "{s:?}");
            }
            Err(diags) => {
                assert!(!diags.is_empty());
                for g in diags {
                    let text = match g.source {
                        Source::Expr => s.as_str(),
                        Source::Decls => d,
                        Source::Other => "",
                    };
                    assert!(
                        g.range.start <= g.range.end && g.range.end <= text.len(),
                        "{s:?} {g:?}"
                    );
                    for l in &g.labels {
                        assert!(
                            l.range.start <= l.range.end && l.range.end <= text.len(),
                            "{s:?} {g:?}"
                        );
                    }
                    let _ = g.render(text);
                }
            }
        }
    }
}

#[test]
fn well_typed_results_agree_with_shape_of() {
    // Every expression lowering accepts must be well typed by the shared shape_of.
    for src in [
        "x'A x",
        "sum(A*(x'*y))",
        "(x'*y)*(z'*w)",
        "tr(AXB)",
        "x'*(A*(B*x))",
        "sum(x .* (2*y))",
        "-(A*x)'*(B*y)",
        "sum(vector(2)) + sum(matrix(3) .* X)",
        "x'diag(X)",
        "tr(diag(x) A)",
    ] {
        let p = lower(src, "", None).unwrap_or_else(|d| panic!("{src}: {d:?}"));
        assert!(
            crate::expr::shape_of(&p.expr, &p.symbols).is_scalar(),
            "{src}"
        );
    }
}

#[test]
fn holes_take_the_final_sizes() {
    // The size of `I` is a variable when it is built and is unified later.
    check(
        "tr(I*A) + tr(A*B)",
        expect![[r#"
            (+ (tr (* (I n) A)) (tr (* A B)))
            A: matrix n×n
            B: matrix n×n
            wrt A
        "#]],
    );
    check_with(
        "tr(I*A) + tr(A*B)",
        "B: 3x3",
        None,
        expect![[r#"
        (+ (tr (* (I 3) A)) (tr (* A B)))
        A: matrix 3×3
        B: matrix 3×3 declared
        wrt A
    "#]],
    );
    check_with(
        "tr(I*A) + sum(matrix(2) .* A)",
        "A: k x k",
        None,
        expect![[r#"
        (+ (tr (* (I k) A)) (sum (.* (* 2 (ones k k)) A)))
        A: matrix k×k declared
        wrt A
    "#]],
    );
    check_with(
        "x'*(I + 3*matrix(1))*x",
        "x: vector 4",
        None,
        expect![[r#"
        (* (' x) (+ (I 4) (* 3 (ones 4 4))) x)
        x: vector 4×1 declared
        wrt x
    "#]],
    );
    check(
        "sum(1 ./ x) + x'*I*y + tr(eye)",
        expect![[r#"
        (+ (sum (./ (ones n 1) x)) (* (' x) (I n) y) (tr (I m)))
        x: vector n×1
        y: vector n×1
        wrt x
    "#]],
    );
    // `X^0` is the identity of X's size.
    check(
        "tr(X^0*Y)",
        expect![[r#"
        (tr (* (I n) Y))
        X: matrix n×n
        Y: matrix n×n
        wrt X
    "#]],
    );
}

/// The union-find: variables link to the older one or to a rigid size, never to 1, and a
/// failed shape unification changes nothing.
#[test]
fn unification_of_dimensions() {
    use super::unify::{Dims, D, TS};
    use crate::expr::Dim;
    let mut d = Dims::default();
    let (a, b, c) = (d.fresh(), d.fresh(), d.fresh());
    assert!(!d.unify(a, D::One));
    assert!(d.unify(c, b));
    assert_eq!(d.find(c), b);
    let n = d.rigid(&Dim::Name("n".into()));
    assert!(d.unify(b, n));
    assert_eq!(d.find(c), n);
    assert!(!d.unify(c, D::Num(3)));
    let (x, y) = (d.fresh(), d.fresh());
    // a×1 against x×y: the columns cannot unify (1 against a variable), so the rows stay apart.
    assert!(!d.unify_shapes(TS { r: a, c: D::One }, TS { r: x, c: y }));
    assert!(!d.same(a, x));
    assert!(d.unify_shapes(TS { r: a, c: x }, TS { r: y, c: n }));
    assert_eq!((d.find(y), d.find(x)), (a, n));
    assert!(d.chain_ok(&[TS { r: a, c: n }, TS::SCALAR, TS { r: c, c: D::One }]));
    assert!(!d.chain_ok(&[TS { r: a, c: n }, TS { r: a, c: D::One }]));
}

#[test]
fn errors_point_at_the_operator_and_label_the_operands() {
    check(
        "tr(A*x*y)",
        expect![[r#"
        error: cannot multiply a vector n×1 by a vector p×1: the inner dimensions 1 and p differ
          | tr(A*x*y)
          |       ^
          |    --- vector n×1
          |        - vector p×1
          = hint: transpose one side with ': x'*y is an inner product, x*y' an outer product
    "#]],
    );
    check(
        "sum(x .* X) + tr(X)",
        expect![[r#"
            error: `X` is used as a matrix here but as a vector before: one symbol cannot be both
              | sum(x .* X) + tr(X)
              |                  ^
              |          - used as a vector
              |                  - used as a matrix
              = hint: give one of the uses another name, or declare `X` (`X: vector`) to see where the other use fails
        "#]],
    );
    check(
        "sum(x ./ 0)",
        expect![[r#"
        error: division by zero
          | sum(x ./ 0)
          |          ^
          = hint: f is undefined everywhere: divide by a nonzero number
    "#]],
    );
    check(
        "tr(X^1.5)",
        expect![[r#"
        error: a matrix can only be raised to an integer power, not 1.5
          | tr(X^1.5)
          |      ^^^
          |    - matrix n×m
          = hint: for elementwise powers write .^1.5
    "#]],
    );
    check(
        "diag(x')*y",
        expect![[r#"
        error: diag takes a column vector or a square matrix, not a row vector 1×n
          | diag(x')*y
          | ^^^^
          |      -- row vector 1×n
    "#]],
    );
}

#[test]
fn kinds_from_context() {
    // Cookbook 70 as people write it: a and b are vectors by context, not scalars by letter.
    check(
        "a'*X*b",
        expect![[r#"
            (* (' a) X b)
            a: vector n×1 (from context)
            X: matrix n×m
            b: vector m×1 (from context)
            wrt X
        "#]],
    );
    check(
        "x'*A*x + b'*x",
        expect![[r#"
        (+ (* (' x) A x) (* (' b) x))
        x: vector n×1
        A: matrix n×n
        b: vector n×1 (from context)
        wrt x
    "#]],
    );
    check(
        "a'*inv(X)*b",
        expect![[r#"
        (* (' a) (inv X) b)
        a: vector n×1 (from context)
        X: matrix n×n
        b: vector n×1 (from context)
        wrt X
    "#]],
    );
    check(
        "k*det(X)",
        expect![[r#"
        (* k (det X))
        k: scalar 1×1 (from context)
        X: matrix n×n
        wrt X
    "#]],
    );
    check(
        "(y.*c)'*x",
        expect![[r#"
        (* (' (* y c)) x)
        y: vector n×1
        c: scalar 1×1
        x: vector n×1
        wrt x
    "#]],
    );
    check_with(
        "tr(inv(A + t*B))",
        "",
        Some("t"),
        expect![[r#"
        (tr (inv (+ A (* t B))))
        A: matrix n×n
        t: scalar 1×1 (from context)
        B: matrix n×n
        wrt t
    "#]],
    );
    check_with(
        "x'*x/(2*s^2)",
        "",
        Some("s"),
        expect![[r#"
        (/ (* (' x) x) (* 2 (^ s 2)))
        x: vector n×1
        s: scalar 1×1 (from context)
        wrt s
    "#]],
    );
    // Where the letters' reading types, it stands.
    check(
        "tr(A*X)",
        expect![[r#"
        (tr (* A X))
        A: matrix n×m
        X: matrix m×n
        wrt X
    "#]],
    );
    check(
        "a*x'*x",
        expect![[r#"
        (* a (' x) x)
        a: scalar 1×1
        x: vector n×1
        wrt x
    "#]],
    );
    // A reading that types but is over a work bound reports the bound, not the letters' error.
    let long = format!("r*tr({}X)", "X*".repeat(24));
    check(
        &long,
        expect![[r#"
        error: the expression has a product of 25 factors; the limit is 24
          | r*tr(X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X)
          | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
          = hint: name a part of the product with one symbol, or split the expression
    "#]],
    );
    // A half-typed product stays an error: a capital is not read as a vector just to make
    // f a scalar.
    check(
        "x'*A",
        expect![[r#"
        error: the expression is a row vector 1×m; matdiff differentiates scalar functions
          | x'*A
          | ^^^^
          = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
    "#]],
    );
    // u–z stay vectors and capitals stay arrays: no guess mends these.
    check(
        "a*x",
        expect![[r#"
        error: the expression is a vector n×1; matdiff differentiates scalar functions
          | a*x
          | ^^^
          = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
    "#]],
    );
    check(
        "x^2",
        expect![[r#"
        error: cannot raise a vector n×1 to a power
          | x^2
          |  ^
          | - vector n×1
          = hint: for elementwise powers write x.^2; for the squared length write x'*x or ||x||^2
    "#]],
    );
    check(
        "tr(X^0.5)",
        expect![[r#"
        error: a matrix can only be raised to an integer power, not 0.5
          | tr(X^0.5)
          |      ^^^
          |    - matrix n×m
          = hint: for elementwise powers write .^0.5
    "#]],
    );
    // A declaration is never second-guessed.
    check_with(
        "a'*X*b",
        "a: scalar",
        None,
        expect![[r#"
        error: the expression is a matrix n×m; matdiff differentiates scalar functions
          | a'*X*b
          | ^^^^^^
          = hint: wrap it in tr(·), sum(·) or ||·||_F
    "#]],
    );
}

/// A Kronecker product's sides are products of its arguments' sides; the trace makes both
/// factors square (products unify factor by factor), and numbers multiply.
#[test]
fn kronecker_dimensions_are_products() {
    check(
        "tr(kron(A, X) + B)",
        expect![[r#"
            (tr (+ (kron A X) B))
            A: matrix n×n
            X: matrix m×m
            B: matrix n·m×n·m
            wrt X
        "#]],
    );
    check_with(
        "tr(kron(A, X) * C)",
        "A: 2x3, X: 3x2",
        None,
        expect![[r#"
            (tr (* (kron A X) C))
            A: matrix 2×3 declared
            X: matrix 3×2 declared
            C: matrix 6×6
            wrt X
        "#]],
    );
    check(
        "sum(kron(x, y'))",
        expect![[r#"
        (sum (kron x (' y)))
        x: vector n×1
        y: vector m×1
        wrt x
    "#]],
    );
    check(
        "tr(kron(A, X) + I)",
        expect![[r#"
        (tr (+ (kron A X) (I n·m)))
        A: matrix n×n
        X: matrix m×m
        wrt X
    "#]],
    );
}

/// The number of arguments comes from the function's row; a wrong count is reported at the call.
#[test]
fn calls_take_their_arity() {
    check(
        "tr(kron(A))",
        expect![[r#"
        error: `kron` takes two arguments, but it is given one argument
          | tr(kron(A))
          |    ^^^^^^^
          |    ---- `kron` is called here
          = hint: write it like kron(A, B)
    "#]],
    );
    check(
        "tr(kron(A, B, X))",
        expect![[r#"
        error: `kron` takes two arguments
          | tr(kron(A, B, X))
          |               ^
          |    ---- `kron` is called here
    "#]],
    );
    check(
        "tr(kron())",
        expect![[r#"
        error: `kron` takes two arguments, but it is given none
          | tr(kron())
          |    ^^^^^^
          |    ---- `kron` is called here
          = hint: write it like kron(A, B)
    "#]],
    );
    check(
        "tr(X, A)",
        expect![[r#"
        error: `tr` takes one argument
          | tr(X, A)
          |       ^
          | -- `tr` is called here
    "#]],
    );
}

/// `mean` is the function when called and a symbol otherwise, declared or not; the other
/// functions of machine learning are plain calls.
#[test]
fn mean_is_a_function_only_when_called() {
    check(
        "w'*(x - mean) + mean(x) + sum(sigmoid(x) + softplus(x) + log1p(x))",
        expect![[r#"
            (+ (* (' w) (+ x (* -1 mean))) (mean x) (sum (+ (sigmoid x) (softplus x) (log1p x))))
            w: vector n×1
            x: vector n×1
            mean: vector n×1
            wrt x
        "#]],
    );
    check_with(
        "mean'*mean(X)",
        "mean: scalar",
        Some("X"),
        expect![[r#"
            (* (' mean) (mean X))
            mean: scalar 1×1 declared
            X: matrix n×m
            wrt X
        "#]],
    );
}

/// A power or transpose written after an implicit product binds to its last part, as in print:
/// `AX⁻¹` is A·X⁻¹, `AX'` is A·X', `Ax^2` is A·x² (an error: x is a vector).
#[test]
fn powers_and_transposes_bind_to_the_last_part_of_a_name() {
    check(
        "tr(AX⁻¹B)",
        expect![[r#"
        (tr (* A (inv X) B))
        A: matrix n×m
        X: matrix m×m
        B: matrix m×n
        wrt X
    "#]],
    );
    check(
        "tr(AX^2)",
        expect![[r#"
        (tr (* A (^ X 2)))
        A: matrix n×n
        X: matrix n×n
        wrt X
    "#]],
    );
    check(
        "tr(AX'B)",
        expect![[r#"
        (tr (* A (' X) B))
        A: matrix n×m
        X: matrix p×m
        B: matrix p×n
        wrt X
    "#]],
    );
    check(
        "sum(Ax^2)",
        expect![[r#"
        error: cannot raise a vector p×1 to a power
          | sum(Ax^2)
          |       ^
          |      - vector p×1
          = hint: for elementwise powers write x.^2; for the squared length write x'*x or ||x||^2
    "#]],
    );
}

/// The readings are made lazily in order of cost, then length, then appearance: the same list
/// as sorting all of them, cut at `MAX_READINGS`.
#[test]
fn readings_in_order_of_cost_as_if_sorted() {
    fn sorted(seen: &[String], each: usize) -> Vec<Vec<(String, Kind)>> {
        let others = |name: &str| -> Vec<(Kind, usize)> {
            [Kind::Scalar, Kind::Vector, Kind::Matrix]
                .into_iter()
                .filter_map(|k| stray(name, k).map(|c| (k, c)))
                .filter(|(_, c)| *c > 0 && *c <= each)
                .collect()
        };
        let mut out: Vec<(usize, Vec<(String, Kind)>)> = Vec::new();
        for (i, a) in seen.iter().enumerate() {
            for (ka, ca) in others(a) {
                out.push((ca, vec![(a.clone(), ka)]));
                for b in &seen[i + 1..] {
                    for (kb, cb) in others(b) {
                        out.push((ca + cb, vec![(a.clone(), ka), (b.clone(), kb)]));
                    }
                }
            }
        }
        out.sort_by_key(|(c, r)| (*c, r.len()));
        out.into_iter().map(|(_, r)| r).take(MAX_READINGS).collect()
    }
    let names = |s: &str| -> Vec<String> { s.split(' ').map(str::to_string).collect() };
    for seen in [
        "a X b",
        "a b c x y k",
        "A B C D E F G H a b c d e f g h i j k l m n",
        "x",
        "lambda Sigma mu t s",
    ] {
        for each in [1, 2] {
            assert_eq!(
                readings(&names(seen), each),
                sorted(&names(seen), each),
                "{seen} {each}"
            );
        }
    }
}
