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

/// The letter written as the character `c` (`λ`), if it is one. The micro sign `µ` (U+00B5),
/// which keyboards type for `μ`, is `mu`.
pub fn by_char(c: char) -> Option<&'static Greek> {
    let c = if c == '\u{B5}' { 'μ' } else { c };
    GREEK.iter().find(|g| g.char == c)
}

/// A name that starts with a Greek character, spelled out: `λ` is `lambda`, `λ1` is `lambda1`,
/// `Σ_k` is `Sigma_k` (the letter, then digits and `_` subscripts of letters and digits, as the
/// expression's lexer reads them). Returns the name and the bytes of `text` it takes.
pub fn spell(text: &str) -> Option<(String, usize)> {
    let c = text.chars().next()?;
    let g = by_char(c)?;
    let bytes = text.as_bytes();
    let at = |k: usize| bytes.get(k).copied().unwrap_or(0);
    let mut j = c.len_utf8();
    while at(j).is_ascii_digit() {
        j += 1;
    }
    while at(j) == b'_' && at(j + 1).is_ascii_alphanumeric() {
        j += 1;
        while at(j).is_ascii_alphanumeric() {
            j += 1;
        }
    }
    Some((format!("{}{}", g.name, &text[c.len_utf8()..j]), j))
}

/// `name` with a leading Greek character or LaTeX command spelled out when the whole of it is
/// such a name (`λ_1` and `\lambda_1` are `lambda_1`); otherwise `name` as it is. For names
/// given outside an expression: declarations, values, the variable.
pub fn spelled(name: &str) -> String {
    let read = match name.strip_prefix('\\') {
        Some(rest) => {
            let letters = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            by_name(&rest[..letters]).map(|g| format!("{}{}", g.name, &rest[letters..]))
        }
        None => spell(name)
            .filter(|(_, len)| *len == name.len())
            .map(|(spelled, _)| spelled),
    };
    match read {
        // What follows the letter must be digits and `_` subscripts, as `spell` reads them.
        Some(spelled) if spell_suffix_ok(&spelled) => spelled,
        _ => name.to_string(),
    }
}

/// Whether a spelled name is a Greek name followed only by digits and `_` subscripts.
fn spell_suffix_ok(spelled: &str) -> bool {
    let letters = spelled
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(spelled.len());
    let rest = &spelled[letters..];
    let digits = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    is_greek(&spelled[..letters])
        && (digits.is_empty()
            || (digits.starts_with('_')
                && digits[1..]
                    .split('_')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))))
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

    #[test]
    fn names_with_greek_characters_are_spelled_out() {
        let shown: Vec<String> = [
            "λ",
            "λ1",
            "Σ_k",
            "µ",
            "λ_1_j",
            "λx",
            "x",
            "λ_",
            "",
            r"\Sigma",
            r"\lambda_1",
            r"\Sigmax",
            r"\lambda_",
            r"\",
        ]
        .iter()
        .map(|n| format!("{n} -> {} {:?}", spelled(n), spell(n)))
        .collect();
        expect_test::expect![[r#"
            λ -> lambda Some(("lambda", 2))
            λ1 -> lambda1 Some(("lambda1", 3))
            Σ_k -> Sigma_k Some(("Sigma_k", 4))
            µ -> mu Some(("mu", 2))
            λ_1_j -> lambda_1_j Some(("lambda_1_j", 6))
            λx -> λx Some(("lambda", 2))
            x -> x None
            λ_ -> λ_ Some(("lambda", 2))
             ->  None
            \Sigma -> Sigma None
            \lambda_1 -> lambda_1 None
            \Sigmax -> \Sigmax None
            \lambda_ -> \lambda_ None
            \ -> \ None"#]]
        .assert_eq(&shown.join("\n"));
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
