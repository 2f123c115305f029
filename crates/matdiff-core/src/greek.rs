//! The Greek letters, one table: each name with its case, LaTeX macro and Unicode character, for letter typing, implicit products and the printers.
//!
//! A lower-case name types an undeclared symbol as a scalar and an upper-case one as a matrix
//! (see [`crate::decls::default_kind`]); a name of the table is one part of an implicit product
//! (`SigmaX` is Σ·X); the printers write the macro. The character is the one a Greek keyboard
//! types (the `var` forms take the variant code points), for reading typed `λ` as `lambda`.

/// Lower-case (`alpha`) or upper-case (`Sigma`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Lower,
    Upper,
}

/// One Greek letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Greek {
    /// As written in the input: `alpha`, `Sigma`.
    pub name: &'static str,
    pub case: Case,
    /// The LaTeX for it (`\alpha`; `o` for omicron, which has no macro).
    pub latex: &'static str,
    /// The Unicode character: `α`, `Σ`.
    pub char: char,
}

const fn lower(name: &'static str, latex: &'static str, char: char) -> Greek {
    Greek {
        name,
        case: Case::Lower,
        latex,
        char,
    }
}

const fn upper(name: &'static str, latex: &'static str, char: char) -> Greek {
    Greek {
        name,
        case: Case::Upper,
        latex,
        char,
    }
}

/// Every Greek name the input language knows. Upper-case letters that look Latin (`A`, `B`, …)
/// are not here: they are Latin letters.
pub const GREEK: &[Greek] = &[
    lower("alpha", r"\alpha", 'α'),
    lower("beta", r"\beta", 'β'),
    lower("gamma", r"\gamma", 'γ'),
    lower("delta", r"\delta", 'δ'),
    lower("epsilon", r"\epsilon", 'ε'),
    lower("varepsilon", r"\varepsilon", 'ϵ'),
    lower("zeta", r"\zeta", 'ζ'),
    lower("eta", r"\eta", 'η'),
    lower("theta", r"\theta", 'θ'),
    lower("vartheta", r"\vartheta", 'ϑ'),
    lower("iota", r"\iota", 'ι'),
    lower("kappa", r"\kappa", 'κ'),
    lower("lambda", r"\lambda", 'λ'),
    lower("mu", r"\mu", 'μ'),
    lower("nu", r"\nu", 'ν'),
    lower("xi", r"\xi", 'ξ'),
    lower("omicron", "o", 'ο'),
    lower("pi", r"\pi", 'π'),
    lower("rho", r"\rho", 'ρ'),
    lower("varrho", r"\varrho", 'ϱ'),
    lower("sigma", r"\sigma", 'σ'),
    lower("varsigma", r"\varsigma", 'ς'),
    lower("tau", r"\tau", 'τ'),
    lower("upsilon", r"\upsilon", 'υ'),
    lower("phi", r"\phi", 'φ'),
    lower("varphi", r"\varphi", 'ϕ'),
    lower("chi", r"\chi", 'χ'),
    lower("psi", r"\psi", 'ψ'),
    lower("omega", r"\omega", 'ω'),
    upper("Gamma", r"\Gamma", 'Γ'),
    upper("Delta", r"\Delta", 'Δ'),
    upper("Theta", r"\Theta", 'Θ'),
    upper("Lambda", r"\Lambda", 'Λ'),
    upper("Xi", r"\Xi", 'Ξ'),
    upper("Pi", r"\Pi", 'Π'),
    upper("Sigma", r"\Sigma", 'Σ'),
    upper("Upsilon", r"\Upsilon", 'Υ'),
    upper("Phi", r"\Phi", 'Φ'),
    upper("Psi", r"\Psi", 'Ψ'),
    upper("Omega", r"\Omega", 'Ω'),
];

/// The letter named `name` (`alpha`, `Sigma`), if it is one.
pub fn by_name(name: &str) -> Option<&'static Greek> {
    GREEK.iter().find(|g| g.name == name)
}

/// The letter written as the character `c` (`λ`), if it is one.
pub fn by_char(c: char) -> Option<&'static Greek> {
    GREEK.iter().find(|g| g.char == c)
}

/// Whether `name` is a Greek letter name (`alpha`, `Sigma`, …).
pub fn is_greek(name: &str) -> bool {
    by_name(name).is_some()
}

/// Whether `name` is a lower-case Greek letter name (`alpha`, `lambda`, …).
pub fn is_lower_greek(name: &str) -> bool {
    by_name(name).is_some_and(|g| g.case == Case::Lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (i, g) in GREEK.iter().enumerate() {
            assert!(
                GREEK[..i]
                    .iter()
                    .all(|h| h.name != g.name && h.char != g.char),
                "{} twice",
                g.name
            );
            let first = g.name.chars().next().unwrap_or(' ');
            assert_eq!(
                first.is_ascii_uppercase(),
                g.case == Case::Upper,
                "{}",
                g.name
            );
            assert_eq!(g.char.is_uppercase(), g.case == Case::Upper, "{}", g.name);
            assert!(
                g.name.bytes().all(|b| b.is_ascii_alphabetic()),
                "{}",
                g.name
            );
            assert_eq!(by_char(g.char).map(|h| h.name), Some(g.name));
            if g.name != "omicron" {
                assert_eq!(g.latex, format!(r"\{}", g.name));
            }
        }
        assert_eq!(by_name("lambda").map(|g| g.char), Some('λ'));
        assert_eq!(by_char('Σ').map(|g| g.latex), Some(r"\Sigma"));
        assert!(is_lower_greek("alpha") && !is_lower_greek("Sigma") && !is_lower_greek("a"));
        assert!(is_greek("Omega") && !is_greek("omegax") && !is_greek("B"));
    }

    /// The printer and the letter typing read the same table.
    #[test]
    fn printer_and_typing_use_the_table() {
        use crate::decls::default_kind;
        use crate::expr::Kind;
        use crate::print::symbol_latex;
        let shown: Vec<String> = [
            "alpha", "varphi_1", "omicron", "lambda2", "Sigma", "Omega_k", "Alpha",
        ]
        .iter()
        .map(|n| {
            let kind = default_kind(n);
            format!("{n}: {kind} {}", symbol_latex(n, kind))
        })
        .collect();
        expect_test::expect![[r#"
            alpha: scalar \alpha
            varphi_1: scalar \varphi_1
            omicron: scalar o
            lambda2: scalar \lambda_2
            Sigma: matrix \boldsymbol{\Sigma}
            Omega_k: matrix \boldsymbol{\Omega}_k
            Alpha: matrix \mathbf{Alpha}"#]]
        .assert_eq(&shown.join("\n"));
        assert_eq!(default_kind("Lambda"), Kind::Matrix);
    }
}
