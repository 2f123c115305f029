//! The LaTeX commands the input language reads (input with a backslash is read as LaTeX).
//!
//! Every command of matdiff's own LaTeX output is here, so printed formulas parse back, and the
//! common hand-written forms: `\operatorname{Tr}`, `\mathbf{X}`, `\frac{a}{b}`, `\left( \right)`,
//! `^\top`, Greek letters. A command not in this table is reported at its span.

use super::lex::Tok as T;
use crate::greek;
use crate::syntax::is_function_name;

/// What a command stands for.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Command {
    /// One token: `\cdot` is `*`.
    Tok(T),
    /// A name (Greek letter or function): `\alpha`, `\exp`.
    Name(&'static str),
    /// Spacing and style only: `\,`, `\quad`, `\displaystyle`.
    Space,
    /// A font around a name: `\mathbf{X}` is `X` (`bold`: `\mathbf{1}` is the vector of ones).
    Font { bold: bool },
    /// `\operatorname{name}`: a function by name.
    Operatorname,
    /// `\left`, `\right`, `\bigl`, …: the delimiter after it.
    Sizing,
    /// `\frac{a}{b}`.
    Frac,
    /// Not read, with a hint.
    Refused(&'static str),
}

/// The command `\name` (`name` without the backslash), or `None` when it is unknown.
pub(super) fn command(name: &str) -> Option<Command> {
    use Command::*;
    Some(match name {
        "," | ";" | ":" | "!" | ">" | " " | "quad" | "qquad" | "thinspace" | "medspace"
        | "thickspace" | "enspace" | "negthinspace" | "displaystyle" | "textstyle" => Space,
        "|" | "Vert" | "lVert" | "rVert" => Tok(T::Bars),
        "vert" | "lvert" | "rvert" => Tok(T::Bar),
        "_" => Tok(T::Underscore),
        "cdot" | "times" | "ast" => Tok(T::Star),
        "div" => Tok(T::Slash),
        "odot" | "circ" => Tok(T::DotStar),
        "oslash" => Tok(T::DotSlash),
        "otimes" => Tok(T::Otimes),
        "top" | "intercal" => Tok(T::Top),
        "prime" => Tok(T::Quote),
        "frac" | "dfrac" | "tfrac" => Frac,
        "left" | "right" | "middle" | "big" | "Big" | "bigg" | "Bigg" | "bigl" | "bigr"
        | "Bigl" | "Bigr" | "biggl" | "biggr" | "Biggl" | "Biggr" => Sizing,
        "mathbf" | "boldsymbol" | "bm" | "pmb" | "mathbb" | "textbf" => Font { bold: true },
        "mathrm" | "mathit" | "mathsf" | "mathtt" | "mathcal" | "mathnormal" | "text"
        | "textrm" | "textit" | "textsf" | "mathop" => Font { bold: false },
        "operatorname" => Operatorname,
        "sum" => Refused(
            r"\sum with an index is not read: for the sum of the entries write \operatorname{sum}(x) or sum(x)",
        ),
        "prod" => Refused(r"\prod is not read: write the product out"),
        "nabla" | "partial" => Refused(
            "type the function alone: matdiff takes its differential and reads off the gradient",
        ),
        "begin" | "end" | "\\" => {
            Refused(r"paste one formula, without \begin{…}, \end{…} or line breaks \\")
        }
        "cdots" | "ldots" | "dots" | "vdots" | "ddots" => {
            Refused("write the expression out without dots")
        }
        "hat" | "bar" | "tilde" | "vec" | "dot" | "ddot" => {
            Refused("accents are not read: name the symbol plainly (xhat, x_bar) or declare it")
        }
        n => {
            if let Some(g) = greek::by_name(n) {
                Name(g.name)
            } else if let Some(f) = function_name(n) {
                Name(f)
            } else {
                return None;
            }
        }
    })
}

/// `name` as a function name the parser knows, when `\name` is written for it (`\exp`, `\det`,
/// `\tr`); `\sum` is the summation sign, never the function.
fn function_name(name: &str) -> Option<&'static str> {
    if name == "sum" || !is_function_name(name) {
        return None;
    }
    crate::funcs::accepted_names()
        .chain(["inv", "logdet", "eye", "vector", "matrix"])
        .find(|n| *n == name)
}

/// The hint of an unknown command.
pub(super) const UNKNOWN_HINT: &str = r"matdiff reads the LaTeX it prints and the common forms: \frac{a}{b}, \sqrt{x}, \left( \right), \|x\|_F, \operatorname{Tr}, \mathbf{X}, ^\top, ^{-1}, \cdot, \odot and the Greek letters";

#[cfg(test)]
mod tests {
    use crate::syntax::tests::{check, check_read, check_spans};
    use expect_test::expect;

    #[test]
    fn traces_and_fonts() {
        check_read(
            r"\operatorname{Tr}(\mathbf{A}\mathbf{X}\mathbf{B}) + \mathrm{tr}(\mathbf{X}) + \mathrm{Tr}\left(\mathbf{X}\right) + \tr{X} + \operatorname{trace}(X)",
            expect![[r#"
                ((Tr (A · X · B)) + (tr X) + (Tr X) + (tr X) + (trace X))
                = tr(A*X*B) + tr(X) + tr(X) + tr(X) + tr(X)
            "#]],
        );
        check_read(
            r"\operatorname{Tr}(\boldsymbol{\Sigma} \mathbf{X} + \bm{X} + \mathit{X} + \mathsf{X} + \mathtt{X} + \mathcal{X} + \text{X} + \mathbb{X})",
            expect![[r#"
                (Tr ((Sigma · X) + X + X + X + X + X + X + X))
                = tr(Sigma*X + X + X + X + X + X + X + X)
            "#]],
        );
        check_spans(r"\mathbf{Ax}", expect!["Ax@8..10"]);
    }

    /// `\mathbf{Ax}` is one symbol when declared, else the usual implicit product A·x.
    #[test]
    fn bold_names_read_like_plain_names() {
        let declared = crate::lower::lower(r"\mathbf{Ax}^\top \mathbf{Ax}", "Ax: vector n", None)
            .map(|p| crate::print::text(&p.expr, &p.symbols));
        assert_eq!(declared.as_deref(), Ok("Ax'*Ax"));
        check_read(
            r"\|\mathbf{Ax} - \mathbf{b}\|^2",
            expect![[r#"
            (^ (norm (Ax - b)) 2)
            = norm2(A*x - b)^2
        "#]],
        );
    }

    #[test]
    fn determinants_logs_and_elementwise_functions() {
        check_read(
            r"\log\det(\mathbf{X}) + \log \det \mathbf{X} + \det\left(\mathbf{X}\right) + \ln\det X",
            expect![[r#"
                ((~log (det X)) + (~log (~det X)) + (det X) + (~ln (~det X)))
                = logdet(X) + logdet(X) + det(X) + logdet(X)
            "#]],
        );
        check_read(
            r"\operatorname{sum}\left(\exp(\mathbf{x}) + \log(\mathbf{x}) + \sqrt{\mathbf{x}} + \sin\mathbf{x} + \cos x + \tan x + \tanh x + \arcsin x + \arccos x + \arctan x\right)",
            expect![[r#"
                (sum ((exp x) + (log x) + (sqrt x) + (~sin x) + (~cos x) + (~tan x) + (~tanh x) + (~arcsin x) + (~arccos x) + (~arctan x)))
                = sum(exp(x) + log(x) + sqrt(x) + sin(x) + cos(x) + tan(x) + tanh(x) + arcsin(x) + arccos(x) + arctan(x))
            "#]],
        );
        check_read(
            r"\operatorname{sum}(\operatorname{sign}(x) + \operatorname{relu}(x) + \operatorname{step}(x)) + \operatorname{Tr}(\operatorname{diag}(x)^\top\operatorname{diag}(x)) + \operatorname{Tr}(\operatorname{adj}(X))",
            expect![[r#"
                ((sum ((sign x) + (relu x) + (step x))) + (Tr ((^ (diag x) T) · (diag x))) + (Tr (adj X)))
                = sum(sign(x) + relu(x) + step(x)) + tr(diag(x)'*diag(x)) + tr(adj(X))
            "#]],
        );
    }

    #[test]
    fn transposes_and_inverses() {
        check_read(
            r"\mathbf{x}^\top \mathbf{A}^T \mathbf{x} + \mathbf{x}^{\top}\mathbf{x} + x^{T}x + x^\intercal x + x^\prime x",
            expect![[r#"
                (((^ x T) · (^ A T) · x) + ((^ x T) · x) + ((^ x T) · x) + ((^ x T) · x) + ((^ x T) · x))
                = x'*A'*x + x'*x + x'*x + x'*x + x'*x
            "#]],
        );
        check_read(
            r"\operatorname{Tr}(\mathbf{X}^{-1} + \mathbf{X}^{-\top} + X^{-T} + X^-1 + \mathbf{X}^{2})",
            expect![[r#"
                (Tr ((^ X -1) + (' (^ X -1)) + (' (^ X -1)) + (^ X -1) + (^ X 2)))
                = tr(inv(X) + inv(X)' + inv(X)' + inv(X) + X^2)
            "#]],
        );
        check(
            "x^TAx",
            expect![[r#"
            (^ x ?)
            error: the exponent must be a number
              | x^TAx
              |   ^^^
              = hint: powers are constants: x^2, X^-1, X^T, x.^0.5; for e^x write exp(x)
        "#]],
        );
        check(
            r"\mathbf{x}^2y + x^{10} + x^10",
            expect![[r#"
            (((^ x 2) · y) + (^ x 10) + ((^ x 1) · 0))
        "#]],
        );
    }

    /// LaTeX takes a subscript and a power in either order.
    #[test]
    fn power_before_subscript() {
        check_read(
            r"\|\mathbf{x}\|^2_2 + \left\|X\right\|^{2}_{F} + \lambda^2_1 + a^{-1}_{1} + \|x\|^2",
            expect![[r#"
                ((^ (norm_2 x) 2) + (^ (norm_F X) 2) + (^ lambda_1 2) + (^ a_1 -1) + (^ (norm x) 2))
                = norm2(x)^2 + norm2(X)^2 + lambda_1^2 + a_1^(-1) + norm2(x)^2
            "#]],
        );
        check_read(
            "‖x‖²₂ + ‖x‖₂² + ||x||^2_2",
            expect![[r#"
            ((^ (norm_2 x) 2) + (^ (norm_2 x) 2) + (^ (norm_2 x) 2))
            = norm2(x)^2 + norm2(x)^2 + norm2(x)^2
        "#]],
        );
        check_spans(r"\|x\|^2_2", expect!["(^ (norm_2 x@2..3)@0..9 2)@0..9"]);
    }

    #[test]
    fn norms_and_absolute_values() {
        check_read(
            r"\|\mathbf{A}\mathbf{x} - \mathbf{b}\|_2^2 + \left\|\mathbf{X}\right\|_F + \lVert x \rVert_1 + \Vert x\Vert + \bigl\| x \bigr\|_{2}",
            expect![[r#"
                ((^ (norm_2 ((A · x) - b)) 2) + (norm_F X) + (norm_1 x) + (norm x) + (norm_2 x))
                = norm2(A*x - b)^2 + norm2(X) + norm1(x) + norm2(x) + norm2(x)
            "#]],
        );
        check_read(
            r"\operatorname{sum}(\left|x\right| + |x| + \lvert x \rvert)",
            expect![[r#"
            (sum ((abs x) + (abs x) + (abs x)))
            = sum(abs(x) + abs(x) + abs(x))
        "#]],
        );
        check_spans(r"\left\|x\right\|_F", expect!["(norm_F x@7..8)@0..18"]);
    }

    #[test]
    fn products_fractions_and_groups() {
        check_read(
            r"a \cdot b + a \times b + a \ast b + \operatorname{Tr}(\mathbf{A} \odot \mathbf{X}) + \operatorname{Tr}(A \circ X) + \operatorname{sum}(x \oslash y) + a \div b",
            expect![[r#"
                ((a * b) + (a * b) + (a * b) + (Tr (A .* X)) + (Tr (A .* X)) + (sum (x ./ y)) + (a / b))
                = a*b + a*b + a*b + tr(A .* X) + tr(A .* X) + sum(x ./ y) + a / b
            "#]],
        );
        check_read(
            r"\frac{1}{2}\|\mathbf{A}\mathbf{x}-\mathbf{b}\|^2 + \frac12 x^\top x + \dfrac{x^\top x}{a} + \tfrac{a}{2}",
            expect![[r#"
                (([([1] / [2])] · (^ (norm ((A · x) - b)) 2)) + ([(1 / 2)] · (^ x T) · x) + [([((^ x T) · x)] / [a])] + [([a] / [2])])
                = (1 / 2)*norm2(A*x - b)^2 + (1 / 2)*x'*x + x'*x / a + a / 2
            "#]],
        );
        check_read(
            r"{a+b}c + \left[a + b\right] c + \sqrt{{a}}",
            expect![[r#"
            (([(a + b)] · c) + ([(a + b)] · c) + (sqrt [a]))
            = (a + b)*c + (a + b)*c + sqrt(a)
        "#]],
        );
        check_read(
            r"\operatorname{sum}(x^{\circ 2} + x^{\circ -1}) + \mathbf{1}^\top \mathbf{x}",
            expect![[r#"
            ((sum ((.^ x 2) + (.^ x -1))) + ((^ (vector 1) T) · x))
            = sum(x.^2 + x.^(-1)) + vector(1)'*x
        "#]],
        );
        // The printer writes (-a)/b as -\frac{a}{b}.
        check_read(
            r"-\frac{a}{b} - \frac{1}{2}^2 + -\frac12",
            expect![[r#"
            ([((neg [a]) / [b])] - (^ [([1] / [2])] 2) + [((neg 1) / 2)])
            = -a / b - (1 / 2)^2 - 1 / 2
        "#]],
        );
        check_spans(
            r"\frac{a}{b}",
            expect!["[([a@6..7]@5..8 /@0..5 [b@9..10]@8..11)@5..11]@0..11"],
        );
    }

    #[test]
    fn greek_letters_and_subscripts() {
        check_read(
            r"\alpha + \beta\gamma + \lambda_1 + \lambda_{12} + \mu_{i,j} + x_{1}^\top x_1 + \varepsilon",
            expect![[r#"
                (alpha + (beta · gamma) + lambda_1 + lambda_12 + mu_i_j + ((^ x_1 T) · x_1) + varepsilon)
                = alpha + beta*gamma + lambda_1 + lambda_12 + mu_i_j + x_1'*x_1 + varepsilon
            "#]],
        );
        check_read(
            r"\operatorname{Tr}(\boldsymbol{\Sigma}_{k}\mathbf{X}) + \operatorname{Tr}(\Lambda X) + \mathbf{x\_1}^\top\mathbf{x\_1}",
            expect![[r#"
                ((Tr (Sigma_k · X)) + (Tr (Lambda · X)) + ((^ x_1 T) · x_1))
                = tr(Sigma_k*X) + tr(Lambda*X) + x_1'*x_1
            "#]],
        );
        check_spans(
            r"\lambda_{1}x",
            expect!["(lambda_1@0..11 ·@11..11 x@11..12)@0..12"],
        );
    }

    /// One line per command the table reads, each in a small input: the input, then the tree
    /// (or the first diagnostic).
    #[test]
    fn every_command_is_read() {
        let inputs = [
            r"a\,b",
            r"a\;b",
            r"a\:b",
            r"a\!b",
            r"a\>b",
            r"a\ b",
            r"a\quad b",
            r"a\qquad b",
            r"a\thinspace b",
            r"a\medspace b",
            r"a\thickspace b",
            r"a\enspace b",
            r"a\negthinspace b",
            r"\displaystyle a",
            r"\textstyle a",
            r"\|x\|",
            r"\Vert x\Vert",
            r"\lVert x\rVert",
            r"\vert a\vert",
            r"\lvert a\rvert",
            r"x\_1",
            r"a\cdot b",
            r"a\times b",
            r"a\ast b",
            r"a\div b",
            r"A\odot B",
            r"A\circ B",
            r"A\oslash B",
            r"X^\top",
            r"X^\intercal",
            r"X^\prime",
            r"X\top",
            r"\frac{a}{b}",
            r"\dfrac{a}{b}",
            r"\tfrac{a}{b}",
            r"\left(a\right)",
            r"\middle(a\middle)",
            r"\big(a\big)",
            r"\Big(a\Big)",
            r"\bigg(a\bigg)",
            r"\Bigg(a\Bigg)",
            r"\bigl(a\bigr)",
            r"\Bigl(a\Bigr)",
            r"\biggl(a\biggr)",
            r"\Biggl(a\Biggr)",
            r"\left[a\right]",
            r"\left\{a\right\}",
            r"\left\lbrace a\right\rbrace",
            r"\left.a\right.",
            r"\left|a\right|",
            r"\left\|x\right\|",
            r"\left\Vert x\right\Vert",
            r"\left\lvert a\right\rvert",
            r"\mathbf{X}",
            r"\boldsymbol{X}",
            r"\bm{X}",
            r"\pmb{X}",
            r"\mathbb{X}",
            r"\textbf{X}",
            r"\mathrm{X}",
            r"\mathit{X}",
            r"\mathsf{X}",
            r"\mathtt{X}",
            r"\mathcal{X}",
            r"\mathnormal{X}",
            r"\text{X}",
            r"\textrm{X}",
            r"\textit{X}",
            r"\textsf{X}",
            r"\mathop{X}",
            r"\mathbf{1}",
            r"\bm{1}",
            r"\operatorname{tr}(X)",
            r"\operatorname*{Tr}(X)",
            r"\tr X",
            r"\Tr X",
            r"\trace X",
            r"\det X",
            r"\logdet X",
            r"\inv X",
            r"\adj X",
            r"\diag x",
            r"\norm{x}",
            r"\exp x",
            r"\log x",
            r"\ln x",
            r"\sin x",
            r"\cos x",
            r"\tan x",
            r"\arcsin x",
            r"\arccos x",
            r"\arctan x",
            r"\asin x",
            r"\tanh x",
            r"\sqrt x",
            r"\abs{x}",
            r"\sign x",
            r"\relu x",
            r"\step x",
            r"\eye",
            r"\vector{2}",
            r"\matrix{2}",
            r"\alpha",
            r"\omicron",
            r"\varepsilon",
            r"\Omega",
        ];
        let shown: Vec<String> = inputs
            .iter()
            .map(|input| {
                let p = crate::syntax::parse(input);
                let read = match (&p.ast, p.diagnostics.first()) {
                    (_, Some(d)) => format!("error: {}", d.message),
                    (Some(a), None) => a.render(false),
                    (None, None) => "<none>".to_string(),
                };
                format!("{input:<28} {read}")
            })
            .collect();
        expect![[r#"
            a\,b                         (a · b)
            a\;b                         (a · b)
            a\:b                         (a · b)
            a\!b                         (a · b)
            a\>b                         (a · b)
            a\ b                         (a · b)
            a\quad b                     (a · b)
            a\qquad b                    (a · b)
            a\thinspace b                (a · b)
            a\medspace b                 (a · b)
            a\thickspace b               (a · b)
            a\enspace b                  (a · b)
            a\negthinspace b             (a · b)
            \displaystyle a              a
            \textstyle a                 a
            \|x\|                        (norm x)
            \Vert x\Vert                 (norm x)
            \lVert x\rVert               (norm x)
            \vert a\vert                 (abs a)
            \lvert a\rvert               (abs a)
            x\_1                         x_1
            a\cdot b                     (a * b)
            a\times b                    (a * b)
            a\ast b                      (a * b)
            a\div b                      (a / b)
            A\odot B                     (A .* B)
            A\circ B                     (A .* B)
            A\oslash B                   (A ./ B)
            X^\top                       (^ X T)
            X^\intercal                  (^ X T)
            X^\prime                     (^ X T)
            X\top                        (' X)
            \frac{a}{b}                  [([a] / [b])]
            \dfrac{a}{b}                 [([a] / [b])]
            \tfrac{a}{b}                 [([a] / [b])]
            \left(a\right)               [a]
            \middle(a\middle)            [a]
            \big(a\big)                  [a]
            \Big(a\Big)                  [a]
            \bigg(a\bigg)                [a]
            \Bigg(a\Bigg)                [a]
            \bigl(a\bigr)                [a]
            \Bigl(a\Bigr)                [a]
            \biggl(a\biggr)              [a]
            \Biggl(a\Biggr)              [a]
            \left[a\right]               [a]
            \left\{a\right\}             [a]
            \left\lbrace a\right\rbrace  [a]
            \left.a\right.               a
            \left|a\right|               (abs a)
            \left\|x\right\|             (norm x)
            \left\Vert x\right\Vert      (norm x)
            \left\lvert a\right\rvert    (abs a)
            \mathbf{X}                   X
            \boldsymbol{X}               X
            \bm{X}                       X
            \pmb{X}                      X
            \mathbb{X}                   X
            \textbf{X}                   X
            \mathrm{X}                   X
            \mathit{X}                   X
            \mathsf{X}                   X
            \mathtt{X}                   X
            \mathcal{X}                  X
            \mathnormal{X}               X
            \text{X}                     X
            \textrm{X}                   X
            \textit{X}                   X
            \textsf{X}                   X
            \mathop{X}                   X
            \mathbf{1}                   (vector 1)
            \bm{1}                       (vector 1)
            \operatorname{tr}(X)         (tr X)
            \operatorname*{Tr}(X)        (Tr X)
            \tr X                        (~tr X)
            \Tr X                        (~Tr X)
            \trace X                     (~trace X)
            \det X                       (~det X)
            \logdet X                    (~logdet X)
            \inv X                       (~inv X)
            \adj X                       (~adj X)
            \diag x                      (~diag x)
            \norm{x}                     (norm x)
            \exp x                       (~exp x)
            \log x                       (~log x)
            \ln x                        (~ln x)
            \sin x                       (~sin x)
            \cos x                       (~cos x)
            \tan x                       (~tan x)
            \arcsin x                    (~arcsin x)
            \arccos x                    (~arccos x)
            \arctan x                    (~arctan x)
            \asin x                      (~asin x)
            \tanh x                      (~tanh x)
            \sqrt x                      (~sqrt x)
            \abs{x}                      (abs x)
            \sign x                      (~sign x)
            \relu x                      (~relu x)
            \step x                      (~step x)
            \eye                         eye
            \vector{2}                   (vector 2)
            \matrix{2}                   (matrix 2)
            \alpha                       alpha
            \omicron                     omicron
            \varepsilon                  varepsilon
            \Omega                       Omega"#]]
        .assert_eq(&shown.join("\n"));
    }

    #[test]
    fn spacing_is_ignored() {
        check_read(
            r"\displaystyle a\,b\;c\:d\!e\ f\quad g\qquad a~b",
            expect![[r#"
            (a · b · c · d · e · f · g · a · b)
            = a*b*c*d*e*f*g*a*b
        "#]],
        );
    }

    #[test]
    fn unknown_and_refused_commands_are_named_at_their_span() {
        check(
            r"\sinh(x) + \href{javascript:alert(1)}{x}",
            expect![[r#"
            ((<error> · [x]) + <error>)
            error: unknown LaTeX command `\sinh`
              | \sinh(x) + \href{javascript:alert(1)}{x}
              | ^^^^^
              = hint: matdiff reads the LaTeX it prints and the common forms: \frac{a}{b}, \sqrt{x}, \left( \right), \|x\|_F, \operatorname{Tr}, \mathbf{X}, ^\top, ^{-1}, \cdot, \odot and the Greek letters
            error: unknown LaTeX command `\href`
              | \sinh(x) + \href{javascript:alert(1)}{x}
              |            ^^^^^
              = hint: matdiff reads the LaTeX it prints and the common forms: \frac{a}{b}, \sqrt{x}, \left( \right), \|x\|_F, \operatorname{Tr}, \mathbf{X}, ^\top, ^{-1}, \cdot, \odot and the Greek letters
        "#]],
        );
        check(
            r"\sum_i x_i",
            expect![[r#"
            (<error> · i · x_i)
            error: the LaTeX command `\sum` is not read here
              | \sum_i x_i
              | ^^^^
              = hint: \sum with an index is not read: for the sum of the entries write \operatorname{sum}(x) or sum(x)
            error: unexpected `_`
              | \sum_i x_i
              |     ^
        "#]],
        );
        check(
            r"\operatorname{rank}(X) + \nabla f",
            expect![[r#"
            ((<error> · [X]) + (<error> · f))
            error: unknown function `\operatorname{rank}`
              | \operatorname{rank}(X) + \nabla f
              | ^^^^^^^^^^^^^^^^^^^
              = hint: the functions are tr, det, logdet, inv, adj, sum, diag, the norms and the elementwise functions (exp, log, sqrt, …): \operatorname{Tr}, \operatorname{diag}
            error: the LaTeX command `\nabla` is not read here
              | \operatorname{rank}(X) + \nabla f
              |                          ^^^^^^
              = hint: type the function alone: matdiff takes its differential and reads off the gradient
        "#]],
        );
        check(
            r"\begin{align}x\end{align}",
            expect![[r#"
            (<error> · x · <error>)
            error: the LaTeX command `\begin` is not read here
              | \begin{align}x\end{align}
              | ^^^^^^
              = hint: paste one formula, without \begin{…}, \end{…} or line breaks \\
            error: the LaTeX command `\end` is not read here
              | \begin{align}x\end{align}
              |               ^^^^
              = hint: paste one formula, without \begin{…}, \end{…} or line breaks \\
        "#]],
        );
        check(
            r"\hat{x} + x\",
            expect![[r#"
            (<error> + x)
            error: the LaTeX command `\hat` is not read here
              | \hat{x} + x\
              | ^^^^
              = hint: accents are not read: name the symbol plainly (xhat, x_bar) or declare it
            error: a backslash alone
              | \hat{x} + x\
              |            ^
              = hint: LaTeX commands are written like \frac, \cdot or \alpha
        "#]],
        );
        check(
            r"\left x + \mathbf{X",
            expect![[r#"
            (x + X)
            error: `\left` must be followed by a delimiter
              | \left x + \mathbf{X
              | ^^^^^
              = hint: write \left( … \right), \left\| … \right\| or \left| … \right|
            error: missing `}`: found the end of the input
              | \left x + \mathbf{X
              |                    ^
              |                  - this `{` is not closed
        "#]],
        );
        check(
            r"\frac{a} + \frac",
            expect![[r#"
            ([([a] / <error>)] + [(<error> / <error>)])
            error: `\frac` needs two arguments
              | \frac{a} + \frac
              | ^^^^^
              = hint: write it like \frac{a}{b}
            error: `\frac` needs two arguments
              | \frac{a} + \frac
              |            ^^^^^
              = hint: write it like \frac{a}{b}
        "#]],
        );
        check(
            r"x_{i+1} + \log_2 x",
            expect![[r#"
            (((x · [(i + 1)]) + <error>) · 2 · x)
            error: unexpected `_`
              | x_{i+1} + \log_2 x
              |  ^
            error: `log` needs an argument
              | x_{i+1} + \log_2 x
              |           ^^^^
              = hint: write it like log(X)
            error: unexpected `_`
              | x_{i+1} + \log_2 x
              |               ^
        "#]],
        );
    }

    /// Without a backslash, braces and `|` keep their plain meaning.
    #[test]
    fn plain_input_is_not_latex() {
        check(
            "{a} + |x|",
            expect![[r#"
            ((<error> · a) + x)
            error: unexpected character `|`
              | {a} + |x|
              |       ^
              = hint: norms are written ||x||, ||x||_1 or ||X||_F; the absolute value is abs(x)
            error: unexpected character `|`
              | {a} + |x|
              |         ^
              = hint: norms are written ||x||, ||x||_1 or ||X||_F; the absolute value is abs(x)
            error: expected an operand before `{`
              | {a} + |x|
              | ^
            error: unexpected `{`
              | {a} + |x|
              | ^
            error: unmatched `}`
              | {a} + |x|
              |   ^
        "#]],
        );
        check(
            "x_{1}",
            expect![[r#"
            (x_ · 1)
            error: unexpected `{`
              | x_{1}
              |   ^
            error: unmatched `}`
              | x_{1}
              |     ^
        "#]],
        );
    }
}
