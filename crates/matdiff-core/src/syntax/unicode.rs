//! The non-ASCII characters of the input language, and hints for the look-alikes it refuses.
//!
//! Greek letters come from [`crate::greek`]; superscript and subscript digits are read by the
//! lexer. Every other character either stands for an ASCII token here or, when it is refused,
//! may carry a hint saying what to type instead.

use super::lex::Tok;

/// How the lexer reads one non-ASCII character.
pub(super) enum Read {
    /// The character is this token.
    Tok(Tok),
    /// The character is refused, with this hint.
    Hint(&'static str),
}

/// The reading of `c`, or `None` when it is neither accepted nor a known look-alike.
pub(super) fn read(c: char) -> Option<Read> {
    use Read::{Hint, Tok as T};
    Some(match c {
        // U+2212 minus sign, U+2010 hyphen, U+2011 non-breaking hyphen, U+2013 en dash (what
        // word processors make of ` - `).
        '−' | '‐' | '‑' | '–' => T(Tok::Minus),
        // Middle dot, dot operator, multiplication sign, asterisk operator, bullet operator.
        '·' | '⋅' | '×' | '∗' | '∙' => T(Tok::Star),
        '÷' | '∕' => T(Tok::Slash),
        // Circled dot operator, ring operator: the Hadamard product.
        '⊙' | '∘' => T(Tok::DotStar),
        // Circled division slash: elementwise division.
        '⊘' => T(Tok::DotSlash),
        // Circled times: the Kronecker product.
        '⊗' => T(Tok::Otimes),
        // Modifier capital T, right single quotation mark (a smart quote typed for '), prime.
        'ᵀ' | '’' | '′' => T(Tok::Quote),
        // Down tack: Xᵀ written X^⊤ or X⊤.
        '⊤' => T(Tok::Top),
        // Double vertical line, parallel to.
        '‖' | '∥' => T(Tok::Bars),
        '√' => T(Tok::Ident("sqrt".into())),
        '∑' => Hint("`∑` is the summation sign: the sum of the entries is sum(x); the Greek capital letter is Σ (U+03A3) or Sigma"),
        '∏' => Hint("`∏` is the product sign, which matdiff does not read; the Greek capital letter is Π (U+03A0) or Pi"),
        'ˆ' | '＾' => Hint("type ^ for a power"),
        '‘' | '´' => Hint("for the transpose type ' (or ᵀ, ⊤)"),
        'ᵗ' => Hint("for the transpose type ' (or ᵀ, ⊤)"),
        '—' | '―' => Hint("type - for minus"),
        '•' => Hint("type * or · for a product"),
        '⨀' => Hint("the Hadamard product is ⊙ (U+2299), ∘ or .*"),
        '○' | '◦' => Hint("the Hadamard product is ∘ (U+2218), ⊙ or .*"),
        '∣' | '｜' | '¦' => Hint("norms are ‖x‖ or ||x||; the absolute value is abs(x)"),
        '∂' | '∇' => Hint("type the function alone: matdiff takes its differential and reads off the gradient"),
        '½' | '⅓' | '¼' | '¾' | '⅔' => Hint("type the fraction with /, like 1/2"),
        '⁺' => Hint("powers are written x^2, X^-1, x²"),
        '“' | '”' | '„' => Hint("quotation marks are not part of an expression; remove them"),
        '\u{FF01}'..='\u{FF5E}' => Hint("this is a full-width form: type the ASCII character"),
        '\u{1D400}'..='\u{1D7FF}' => {
            Hint("this is a styled mathematical letter or digit: type the plain one (X, x, 2)")
        }
        _ => return None,
    })
}

/// The value of a superscript digit (`²` is 2).
pub(super) fn superscript_digit(c: char) -> Option<u32> {
    match c {
        '⁰' => Some(0),
        '¹' => Some(1),
        '²' => Some(2),
        '³' => Some(3),
        '⁴'..='⁹' => Some(u32::from(c) - u32::from('⁴') + 4),
        _ => None,
    }
}

/// The value of a subscript digit (`₂` is 2).
pub(super) fn subscript_digit(c: char) -> Option<u32> {
    match c {
        '₀'..='₉' => Some(u32::from(c) - u32::from('₀')),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::syntax::tests::{check, check_read, check_spans};
    use expect_test::expect;

    #[test]
    fn greek_letters_are_their_names() {
        check_read(
            "λ*x'x + α + μ",
            expect![[r#"
                ((lambda * (' x) · x) + alpha + mu)
                = lambda*x'*x + alpha + mu
            "#]],
        );
        check_read(
            "tr(ΣX) + λ₁ + λ_2 + α3",
            expect![[r#"
                ((tr (Sigma · X)) + lambda_1 + lambda_2 + alpha3)
                = tr(Sigma*X) + lambda_1 + lambda_2 + alpha3
            "#]],
        );
        // The micro sign, which some keyboards type for μ, is μ.
        check(
            "µ",
            expect![[r#"
            mu
        "#]],
        );
        check_spans("λ₁x", expect!["(lambda_1@0..5 ·@5..5 x@5..6)@0..6"]);
    }

    /// Every letter of the Greek table, typed as its character, is its name; so is its command.
    #[test]
    fn every_greek_letter_is_its_name() {
        for g in crate::greek::GREEK {
            for input in [g.char.to_string(), format!("\\{}", g.name)] {
                let p = crate::syntax::parse(&input);
                assert!(p.diagnostics.is_empty(), "{input}: {:?}", p.diagnostics);
                let read = p.ast.map(|a| a.render(false));
                assert_eq!(read.as_deref(), Some(g.name), "{input}");
            }
        }
    }

    #[test]
    fn every_superscript_and_subscript_digit() {
        check(
            "x⁰ + x¹ + x² + x³ + x⁴ + x⁵ + x⁶ + x⁷ + x⁸ + x⁹ + x⁴⁵⁶⁷⁸⁹⁰",
            expect![[r#"
                ((^ x 0) + (^ x 1) + (^ x 2) + (^ x 3) + (^ x 4) + (^ x 5) + (^ x 6) + (^ x 7) + (^ x 8) + (^ x 9) + (^ x 4567890))
            "#]],
        );
        check(
            "x₀ + x₁ + x₂ + x₃ + x₄ + x₅ + x₆ + x₇ + x₈ + x₉ + x₁₂₃₄₅₆₇₈₉₀",
            expect![[r#"
                (x_0 + x_1 + x_2 + x_3 + x_4 + x_5 + x_6 + x_7 + x_8 + x_9 + x_1234567890)
            "#]],
        );
    }

    #[test]
    fn transposes_and_superscripts() {
        check_read(
            "Xᵀ + X’ + X′ + X⊤ + X^⊤",
            expect![[r#"
            ((' X) + (' X) + (' X) + (' X) + (^ X T))
            error: the expression is a matrix m×n; matdiff differentiates scalar functions
              | Xᵀ + X’ + X′ + X⊤ + X^⊤
              | ^^^^^^^^^^^^^^^^^^^^^^^
              = hint: wrap it in tr(·), sum(·) or ||·||_F
        "#]],
        );
        check_read(
            "tr(X⁻¹) + tr(X⁻ᵀA) + x² + x³ + tr(X¹⁰)",
            expect![[r#"
            ((tr (^ X -1)) + (tr ((' (^ X -1)) · A)) + (^ x 2) + (^ x 3) + (tr (^ X 10)))
            error: cannot raise a vector m×1 to a power
              | tr(X⁻¹) + tr(X⁻ᵀA) + x² + x³ + tr(X¹⁰)
              |                       ^
              |                      - vector m×1
              = hint: for elementwise powers write x.^2; for the squared length write x'*x or ||x||^2
        "#]],
        );
        check_spans("X⁻¹", expect!["(^ X@0..1 -1)@0..6"]);
        check(
            "x⁻",
            expect![[r#"
            (^ x ?)
            error: `^` needs an exponent, found the end of the input
              | x⁻
              |  ^
            error: the exponent must be a number
              | x⁻
              |  ^
              = hint: powers are constants: x^2, X^-1, X^T, x.^0.5; for e^x write exp(x)
        "#]],
        );
    }

    #[test]
    fn norms() {
        check_read(
            "‖Ax − b‖² + ‖X‖_F + ‖x‖₂ + ∥x∥₁",
            expect![[r#"
            ((^ (norm (Ax - b)) 2) + (norm_F X) + (norm_2 x) + (norm_1 x))
            = norm2(A*x - b)^2 + norm2(X) + norm2(x) + norm1(x)
        "#]],
        );
        check_spans("‖x‖₂", expect!["(norm_2 x@3..4)@0..10"]);
        check(
            "3₂",
            expect![[r#"
            3
            error: a subscript must follow a name or a norm
              | 3₂
              |  ^
              = hint: write x₁ (or x_1) for a name, ‖x‖₂ for a norm
        "#]],
        );
    }

    #[test]
    fn operators() {
        check_read(
            "a·b + a⋅b + a×b + a∗b + a∙b − a÷b − a∕b + a‐b + a–b + a‑b",
            expect![[r#"
                ((a * b) + (a * b) + (a * b) + (a * b) + (a * b) - (a / b) - (a / b) + a - b + a - b + a - b)
                = a*b + a*b + a*b + a*b + a*b - a / b - a / b + a - b + a - b + a - b
            "#]],
        );
        check_read(
            "tr(A⊙X) + tr(A∘X) + sum(x⊘y) + √(x'x) + √a",
            expect![[r#"
            ((tr (A .* X)) + (tr (A .* X)) + (sum (x ./ y)) + (sqrt ((' x) · x)) + (~sqrt a))
            = tr(A .* X) + tr(A .* X) + sum(x ./ y) + sqrt(x'*x) + sqrt(a)
        "#]],
        );
    }

    #[test]
    fn look_alikes_are_named_with_a_hint() {
        check(
            "∑x",
            expect![[r#"
            x
            error: unexpected character `∑` (U+2211)
              | ∑x
              | ^
              = hint: `∑` is the summation sign: the sum of the entries is sum(x); the Greek capital letter is Σ (U+03A3) or Sigma
        "#]],
        );
        check(
            "∏x + xˆ2 + x‘ + xᵗ",
            expect![[r#"
            (x + (x · 2) + x + x)
            error: unexpected character `∏` (U+220F)
              | ∏x + xˆ2 + x‘ + xᵗ
              | ^
              = hint: `∏` is the product sign, which matdiff does not read; the Greek capital letter is Π (U+03A0) or Pi
            error: unexpected character `ˆ` (U+02C6)
              | ∏x + xˆ2 + x‘ + xᵗ
              |       ^
              = hint: type ^ for a power
            error: unexpected character `‘` (U+2018)
              | ∏x + xˆ2 + x‘ + xᵗ
              |             ^
              = hint: for the transpose type ' (or ᵀ, ⊤)
            error: unexpected character `ᵗ` (U+1D57)
              | ∏x + xˆ2 + x‘ + xᵗ
              |                  ^
              = hint: for the transpose type ' (or ᵀ, ⊤)
        "#]],
        );
        check(
            "a — b + a•b + A⨀B + A○B",
            expect![[r#"
            ((a · b) + (a · b) + (A · B) + (A · B))
            error: unexpected character `—` (U+2014)
              | a — b + a•b + A⨀B + A○B
              |   ^
              = hint: type - for minus
            error: unexpected character `•` (U+2022)
              | a — b + a•b + A⨀B + A○B
              |          ^
              = hint: type * or · for a product
            error: unexpected character `⨀` (U+2A00)
              | a — b + a•b + A⨀B + A○B
              |                ^
              = hint: the Hadamard product is ⊙ (U+2299), ∘ or .*
            error: unexpected character `○` (U+25CB)
              | a — b + a•b + A⨀B + A○B
              |                      ^
              = hint: the Hadamard product is ∘ (U+2218), ⊙ or .*
        "#]],
        );
        check(
            "∣x∣ + ∂f + ∇f",
            expect![[r#"
            (x + f + f)
            error: unexpected character `∣` (U+2223)
              | ∣x∣ + ∂f + ∇f
              | ^
              = hint: norms are ‖x‖ or ||x||; the absolute value is abs(x)
            error: unexpected character `∣` (U+2223)
              | ∣x∣ + ∂f + ∇f
              |   ^
              = hint: norms are ‖x‖ or ||x||; the absolute value is abs(x)
            error: unexpected character `∂` (U+2202)
              | ∣x∣ + ∂f + ∇f
              |       ^
              = hint: type the function alone: matdiff takes its differential and reads off the gradient
            error: unexpected character `∇` (U+2207)
              | ∣x∣ + ∂f + ∇f
              |            ^
              = hint: type the function alone: matdiff takes its differential and reads off the gradient
        "#]],
        );
        check(
            "½x + x⁺ + “x”",
            expect![[r#"
            (x + x + x)
            error: unexpected character `½` (U+00BD)
              | ½x + x⁺ + “x”
              | ^
              = hint: type the fraction with /, like 1/2
            error: unexpected character `⁺` (U+207A)
              | ½x + x⁺ + “x”
              |       ^
              = hint: powers are written x^2, X^-1, x²
            error: unexpected character `“` (U+201C)
              | ½x + x⁺ + “x”
              |           ^
              = hint: quotation marks are not part of an expression; remove them
            error: unexpected character `”` (U+201D)
              | ½x + x⁺ + “x”
              |             ^
              = hint: quotation marks are not part of an expression; remove them
        "#]],
        );
        check(
            "（x） + 𝐱",
            expect![[r#"
            (x + <error>)
            error: unexpected character `（` (U+FF08)
              | （x） + 𝐱
              | ^
              = hint: this is a full-width form: type the ASCII character
            error: unexpected character `）` (U+FF09)
              | （x） + 𝐱
              |   ^
              = hint: this is a full-width form: type the ASCII character
            error: unexpected character `𝐱` (U+1D431)
              | （x） + 𝐱
              |       ^
              = hint: this is a styled mathematical letter or digit: type the plain one (X, x, 2)
            error: `+` is missing its right operand
              | （x） + 𝐱
              |     ^
        "#]],
        );
    }

    /// Other characters are named with their code points; a run of them is one diagnostic.
    #[test]
    fn other_characters_are_named_with_their_code_points() {
        check(
            "x € y ≤ z + x€£",
            expect![[r#"
            ((x · y · z) + x)
            error: unexpected character `€` (U+20AC)
              | x € y ≤ z + x€£
              |   ^
              = hint: the input language has numbers, names, + - * / .* ./ ^ .^ ' ( ) , and ||·|| norms
            error: unexpected character `≤` (U+2264)
              | x € y ≤ z + x€£
              |       ^
              = hint: the input language has numbers, names, + - * / .* ./ ^ .^ ' ( ) , and ||·|| norms
            error: unexpected characters `€£` (U+20AC U+00A3)
              | x € y ≤ z + x€£
              |              ^^
              = hint: the input language has numbers, names, + - * / .* ./ ^ .^ ' ( ) , and ||·|| norms
        "#]],
        );
        check(
            "tr(X\u{200B})",
            expect![[r#"
                (tr X)
                error: unexpected character `U+200B`
                  | tr(X�)
                  |     ^
                  = hint: the input language has numbers, names, + - * / .* ./ ^ .^ ' ( ) , and ||·|| norms
            "#]],
        );
    }
}
