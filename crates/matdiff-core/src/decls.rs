//! The declarations language (`A: 3x4, S: symmetric n, x: vector n, a: scalar`) and the default typing of names.
//!
//! [`parse_decls`] never fails: it returns the declarations it could read and a diagnostic
//! (with [`Source::Decls`] spans into the declarations string) for each problem.

use crate::diagnostic::{Diagnostic, Source, Span};
use crate::expr::{Dim, Kind};
use crate::greek::is_lower_greek;
use crate::syntax::{is_also_a_symbol, is_function_name};

/// Largest numeric dimension a declaration may give.
pub const MAX_DIM: usize = 1000;

/// One declared symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decl {
    pub name: String,
    pub name_span: Span,
    /// The whole `name: …` item.
    pub span: Span,
    pub kind: Kind,
    /// Declared rows; `None` leaves the size to inference.
    pub rows: Option<Dim>,
    /// Declared columns; `None` leaves the size to inference.
    pub cols: Option<Dim>,
    /// Rows equal columns (declared `square`, `symmetric`, `spd`, or one size for a matrix).
    pub square: bool,
    /// Declared `symmetric` (also set by `spd`).
    pub symmetric: bool,
    pub spd: bool,
}

/// The kind of an undeclared name: a–g and lower-case Greek names (also subscripted: `lambda_1`,
/// `alpha2`) are scalars, h–z vectors, A–Z and upper-case Greek names matrices.
pub fn default_kind(name: &str) -> Kind {
    // The letter a subscript decorates counts: `lambda_1` and `alpha2` are Greek, so scalars.
    let base = name.split('_').next().unwrap_or(name);
    let base = base.trim_end_matches(|c: char| c.is_ascii_digit());
    if is_lower_greek(base) {
        return Kind::Scalar;
    }
    match name.bytes().next() {
        Some(b'a'..=b'g') => Kind::Scalar,
        Some(b'h'..=b'z') => Kind::Vector,
        _ => Kind::Matrix,
    }
}

const ACCEPTED: &str = "accepted words: scalar, vector, matrix, square, symmetric, spd, and sizes like 3x4, m x n, m*n or n";

#[derive(Clone, Debug, PartialEq)]
enum DTok {
    Word(String),
    Num(Option<usize>),
    Times,
    Other(char),
}

fn lex_item(src: &str, range: Span) -> Vec<(DTok, Span)> {
    let text = src.get(range.clone()).unwrap_or("");
    let bytes = text.as_bytes();
    let at = |k: usize| bytes.get(k).copied().unwrap_or(0);
    let base = range.start;
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = at(i);
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let mut j = i;
            while at(j).is_ascii_digit() {
                j += 1;
            }
            let n = text[i..j].parse::<usize>().ok();
            out.push((DTok::Num(n), base + i..base + j));
            i = j;
            // `3x4`, `3xn`: the `x` is a times sign.
            if matches!(at(i), b'x' | b'X') && at(i + 1).is_ascii_alphanumeric() {
                out.push((DTok::Times, base + i..base + i + 1));
                i += 1;
            }
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let mut j = i;
            while at(j).is_ascii_alphanumeric() || at(j) == b'_' {
                j += 1;
            }
            let w = &text[i..j];
            let wb = w.as_bytes();
            // `mxn` as m × n.
            if wb.len() == 3
                && wb[1] == b'x'
                && wb[0].is_ascii_lowercase()
                && wb[2].is_ascii_lowercase()
            {
                out.push((DTok::Word(w[..1].to_string()), base + i..base + i + 1));
                out.push((DTok::Times, base + i + 1..base + i + 2));
                out.push((DTok::Word(w[2..].to_string()), base + i + 2..base + j));
            } else {
                out.push((DTok::Word(w.to_string()), base + i..base + j));
            }
            i = j;
        } else {
            let ch = text[i..].chars().next().unwrap_or('?');
            let len = ch.len_utf8();
            let t = if matches!(ch, '*' | '×' | '⨯' | '·') {
                DTok::Times
            } else {
                DTok::Other(ch)
            };
            out.push((t, base + i..base + i + len));
            i += len;
        }
    }
    out
}

fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "scalar" | "vector" | "matrix" | "square" | "symmetric" | "sym" | "spd"
    )
}

/// A word that can name a dimension: `n`, `m`, `nk`, `n1`, `k_2`.
fn is_dim_name(w: &str) -> bool {
    let mut chars = w.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    first_ok
        && !is_keyword(w)
        && (w.len() <= 2 || (w.len() <= 5 && chars.all(|c| c.is_ascii_digit() || c == '_')))
}

fn err(span: Span, msg: impl Into<String>) -> Diagnostic {
    Diagnostic::new(span, msg).in_source(Source::Decls)
}

/// Parses the declarations string: items separated by `,`, `;` or new lines.
pub fn parse_decls(src: &str) -> (Vec<Decl>, Vec<Diagnostic>) {
    let mut decls: Vec<Decl> = Vec::new();
    let mut diags = Vec::new();
    if src.len() > crate::syntax::MAX_INPUT_BYTES {
        diags.push(err(
            0..src.len(),
            format!(
                "the declarations are too long ({} bytes; the limit is {})",
                src.len(),
                crate::syntax::MAX_INPUT_BYTES
            ),
        ));
        return (decls, diags);
    }
    let mut start = 0;
    for (i, c) in src.char_indices().chain(std::iter::once((src.len(), ','))) {
        if matches!(c, ',' | ';' | '\n') {
            let range = start..i;
            start = i + c.len_utf8();
            if src.get(range.clone()).is_some_and(|t| !t.trim().is_empty()) {
                match parse_item(src, range) {
                    Ok(d) => {
                        if let Some(prev) = decls.iter().find(|p| p.name == d.name) {
                            diags.push(
                                err(
                                    d.name_span.clone(),
                                    format!("`{}` is declared twice", d.name),
                                )
                                .with_label(prev.name_span.clone(), "first declared here"),
                            );
                        } else {
                            decls.push(d);
                        }
                    }
                    Err(d) => diags.push(d),
                }
            }
        }
    }
    (decls, diags)
}

fn trimmed(src: &str, r: Span) -> Span {
    let t = src.get(r.clone()).unwrap_or("");
    let lead = t.len() - t.trim_start().len();
    let trail = t.len() - t.trim_end().len();
    r.start + lead..(r.end - trail).max(r.start + lead)
}

fn parse_item(src: &str, range: Span) -> Result<Decl, Diagnostic> {
    let item = trimmed(src, range);
    let text = src.get(item.clone()).unwrap_or("");
    let Some(colon) = text.find(':') else {
        return Err(err(item, "expected `name: type`")
            .with_hint("e.g. `A: 3x4, S: symmetric n, x: vector n, a: scalar`"));
    };
    let name_span = trimmed(src, item.start..item.start + colon);
    // As the expression's lexer reads it: `Σ` and `\Sigma` are `Sigma`, `λ_1` is `lambda_1`.
    let name = crate::greek::spelled(src.get(name_span.clone()).unwrap_or(""));
    let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name {
        let shown = if name.is_empty() { "nothing" } else { &name };
        let d = err(
            if name.is_empty() {
                item.start..item.start + colon + 1
            } else {
                name_span
            },
            format!("`{shown}` is not a symbol name"),
        );
        return Err(d.with_hint("names start with a letter, then letters, digits or _"));
    }
    if is_function_name(&name) && !is_also_a_symbol(&name) {
        return Err(err(
            name_span,
            format!("`{name}` is a function name and cannot be declared"),
        ));
    }
    let toks = lex_item(src, item.start + colon + 1..item.end);
    if toks.is_empty() {
        return Err(err(item, format!("`{name}:` declares nothing")).with_hint(ACCEPTED));
    }

    let mut kind: Option<(Kind, Span)> = None;
    let (mut square, mut symmetric, mut spd) = (false, false, false);
    let mut prop_span: Option<Span> = None;
    let mut dims: Option<(Vec<Dim>, Span)> = None;
    let mut i = 0;
    let dim_of = |t: &(DTok, Span)| -> Option<Result<Dim, Diagnostic>> {
        match &t.0 {
            DTok::Num(Some(0)) => Some(Err(err(t.1.clone(), "a dimension must be at least 1"))),
            DTok::Num(Some(1)) => Some(Ok(Dim::One)),
            DTok::Num(Some(n)) if *n <= MAX_DIM => Some(Ok(Dim::Num(*n))),
            DTok::Num(_) => Some(Err(err(
                t.1.clone(),
                format!("this dimension is too large (the limit is {MAX_DIM})"),
            ))),
            DTok::Word(w) if is_dim_name(w) => Some(Ok(Dim::Name(w.as_str().into()))),
            _ => None,
        }
    };
    while let Some(t) = toks.get(i) {
        let span = t.1.clone();
        if let Some(d1) = dim_of(t) {
            let d1 = d1?;
            let mut ds = vec![d1];
            let mut end = span.end;
            let sep = toks
                .get(i + 1)
                .is_some_and(|s| s.0 == DTok::Times || s.0 == DTok::Word("x".into()));
            if sep {
                match toks
                    .get(i + 2)
                    .and_then(|t2| dim_of(t2).map(|d| (d, t2.1.end)))
                {
                    Some((d2, e)) => {
                        ds.push(d2?);
                        end = e;
                        i += 2;
                    }
                    None => {
                        let at = toks.get(i + 1).map_or(span.clone(), |s| s.1.clone());
                        return Err(
                            err(at, "expected a second dimension after `x`").with_hint(ACCEPTED)
                        );
                    }
                }
            }
            if let Some((_, first)) = &dims {
                return Err(
                    err(span.start..end, "two sizes given: write one size, like 3x4")
                        .with_label(first.clone(), "the size is already given here")
                        .with_hint(ACCEPTED),
                );
            }
            dims = Some((ds, span.start..end));
            i += 1;
            continue;
        }
        match &t.0 {
            DTok::Word(w) => match w.as_str() {
                "scalar" | "vector" | "matrix" => {
                    let k = match w.as_str() {
                        "scalar" => Kind::Scalar,
                        "vector" => Kind::Vector,
                        _ => Kind::Matrix,
                    };
                    if let Some((k0, s0)) = &kind {
                        if *k0 != k {
                            return Err(err(
                                span,
                                format!("`{name}` cannot be both a {k0} and a {k}"),
                            )
                            .with_label(s0.clone(), format!("declared a {k0} here")));
                        }
                    }
                    kind = Some((k, span));
                }
                "square" => {
                    square = true;
                    prop_span.get_or_insert(span);
                }
                "symmetric" | "sym" => {
                    symmetric = true;
                    prop_span.get_or_insert(span);
                }
                "spd" => {
                    spd = true;
                    symmetric = true;
                    prop_span.get_or_insert(span);
                }
                _ => {
                    return Err(err(
                        span,
                        format!("unknown word `{w}` in the declaration of `{name}`"),
                    )
                    .with_hint(ACCEPTED))
                }
            },
            DTok::Times => {
                return Err(
                    err(span, "a times sign without dimensions around it").with_hint(ACCEPTED)
                )
            }
            DTok::Other(c) => {
                return Err(err(
                    span,
                    format!("unexpected character `{c}` in the declaration of `{name}`"),
                )
                .with_hint(ACCEPTED))
            }
            DTok::Num(_) => return Err(err(span, "unexpected number").with_hint(ACCEPTED)),
        }
        i += 1;
    }

    let squareish = square || symmetric;
    let prop_word = if spd {
        "spd"
    } else if symmetric {
        "symmetric"
    } else {
        "square"
    };
    let dims_span = dims.as_ref().map(|d| d.1.clone());
    let dims_list = dims.map(|d| d.0);
    let kind = match (kind.map(|k| k.0), squareish) {
        (Some(k), _) => k,
        (None, true) => Kind::Matrix,
        (None, false) => match dims_list.as_deref() {
            None => unreachable_nothing(),
            Some([_, c]) if *c != Dim::One => Kind::Matrix,
            Some([_, _]) => Kind::Vector,
            Some([d]) if *d == Dim::One => Kind::Scalar,
            Some(_) => match default_kind(&name) {
                Kind::Matrix => Kind::Matrix,
                _ => Kind::Vector,
            },
        },
    };
    let whole = item.clone();
    let dspan = dims_span.clone().unwrap_or(whole.clone());
    let (rows, cols) = match (kind, dims_list.as_deref()) {
        (Kind::Scalar, None) => (Some(Dim::One), Some(Dim::One)),
        (Kind::Scalar, Some(ds)) if ds.iter().all(|d| *d == Dim::One) => {
            (Some(Dim::One), Some(Dim::One))
        }
        (Kind::Scalar, Some(_)) => {
            return Err(err(
                dspan,
                format!("a scalar has no dimensions; write `{name}: vector n` or `{name}: m x n`"),
            ))
        }
        (Kind::Vector, None) => (None, Some(Dim::One)),
        (Kind::Vector, Some([d])) | (Kind::Vector, Some([d, Dim::One])) => {
            if *d == Dim::One {
                return Err(err(dspan, "a vector of length 1 is a scalar")
                    .with_hint(format!("write `{name}: scalar`")));
            }
            (Some(d.clone()), Some(Dim::One))
        }
        (Kind::Vector, Some(_)) => {
            return Err(err(dspan, "a vector has one dimension (its length)")
                .with_hint(format!("write `{name}: vector n`")))
        }
        (Kind::Matrix, None) => (None, None),
        (Kind::Matrix, Some([d])) => (Some(d.clone()), Some(d.clone())),
        (Kind::Matrix, Some([r, c])) => (Some(r.clone()), Some(c.clone())),
        (Kind::Matrix, Some(_)) => return Err(err(dspan, "a matrix has two dimensions")),
    };
    let is_square = rows == cols;
    if squareish || spd {
        if kind != Kind::Matrix {
            let at = prop_span.unwrap_or(whole.clone());
            return Err(err(
                at,
                format!("`{prop_word}` applies to square matrices, and `{name}` is a {kind}"),
            ));
        }
        if !is_square {
            return Err(err(dspan, format!("a {prop_word} matrix must be square"))
                .with_hint(format!("give one size: `{name}: {prop_word} n`")));
        }
    }
    Ok(Decl {
        name,
        name_span,
        span: whole,
        kind,
        square: kind == Kind::Matrix && (squareish || (is_square && rows.is_some())),
        rows,
        cols,
        symmetric,
        spd,
    })
}

/// `dims` is `None` only with an explicit kind or property word, which is handled first; a
/// declaration with no words at all is rejected before. Kept total anyway: a vector.
fn unreachable_nothing() -> Kind {
    Kind::Vector
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    fn render_decl(d: &Decl) -> String {
        let dim = |d: &Option<Dim>| d.as_ref().map_or("?".to_string(), |d| d.to_string());
        let mut s = format!("{}: {} {}x{}", d.name, d.kind, dim(&d.rows), dim(&d.cols));
        for (on, w) in [
            (d.square, "square"),
            (d.symmetric, "symmetric"),
            (d.spd, "spd"),
        ] {
            if on {
                s.push(' ');
                s.push_str(w);
            }
        }
        s
    }

    fn check(input: &str, expect: Expect) {
        let (decls, diags) = parse_decls(input);
        let mut out = String::new();
        for d in &decls {
            out.push_str(&render_decl(d));
            out.push('\n');
        }
        for d in &diags {
            assert_eq!(d.source, Source::Decls);
            out.push_str(&d.render(input));
        }
        expect.assert_eq(&out);
    }

    #[test]
    fn kinds_and_dims() {
        check(
            "A: 3x4, S: symmetric n, P: spd n, x: vector n, a: scalar",
            expect![[r#"
                A: matrix 3x4
                S: matrix nxn square symmetric
                P: matrix nxn square symmetric spd
                x: vector nx1
                a: scalar 1x1
            "#]],
        );
        check(
            "M: matrix m x n; B: 3 x 4\nC: 3×4, D: m*n, E: mxn, F: n",
            expect![[r#"
                M: matrix mxn
                B: matrix 3x4
                C: matrix 3x4
                D: matrix mxn
                E: matrix mxn
                F: matrix nxn square
            "#]],
        );
        check(
            "x: n, y: 5, z: vector, a: n, b: 3x1, X: matrix, Q: square, w: vector 5",
            expect![[r#"
                x: vector nx1
                y: vector 5x1
                z: vector ?x1
                a: vector nx1
                b: vector 3x1
                X: matrix ?x?
                Q: matrix ?x? square
                w: vector 5x1
            "#]],
        );
        check(
            "  , ;\n S : spd , alpha: scalar, Sigma: symmetric k, v: n1",
            expect![[r#"
                S: matrix ?x? square symmetric spd
                alpha: scalar 1x1
                Sigma: matrix kxk square symmetric
                v: vector n1x1
            "#]],
        );
    }

    /// A Greek character or command names the letter, as in the expression.
    #[test]
    fn greek_names() {
        check(
            r"Σ: spd n, λ: scalar, λ_1: scalar, \Lambda: 3x3, \mu_k: vector n, µ2: scalar",
            expect![[r#"
                Sigma: matrix nxn square symmetric spd
                lambda: scalar 1x1
                lambda_1: scalar 1x1
                Lambda: matrix 3x3 square
                mu_k: vector nx1
                mu2: scalar 1x1
            "#]],
        );
        check(
            r"λx: scalar, \Sigmax: 3x3",
            expect![[r#"
            error: `λx` is not a symbol name
              | λx: scalar, \Sigmax: 3x3
              | ^^
              = hint: names start with a letter, then letters, digits or _
            error: `\Sigmax` is not a symbol name
              | λx: scalar, \Sigmax: 3x3
              |             ^^^^^^^
              = hint: names start with a letter, then letters, digits or _
        "#]],
        );
    }

    #[test]
    fn errors() {
        check(
            "A: symetric n",
            expect![[r#"
                error: unknown word `symetric` in the declaration of `A`
                  | A: symetric n
                  |    ^^^^^^^^
                  = hint: accepted words: scalar, vector, matrix, square, symmetric, spd, and sizes like 3x4, m x n, m*n or n
            "#]],
        );
        check(
            "S: symmetric 3x4",
            expect![[r#"
                error: a symmetric matrix must be square
                  | S: symmetric 3x4
                  |              ^^^
                  = hint: give one size: `S: symmetric n`
            "#]],
        );
        check(
            "x: spd vector",
            expect![[r#"
                error: `spd` applies to square matrices, and `x` is a vector
                  | x: spd vector
                  |    ^^^
            "#]],
        );
        check(
            "A: 3x4, A: 3x3",
            expect![[r#"
                A: matrix 3x4
                error: `A` is declared twice
                  | A: 3x4, A: 3x3
                  |         ^
                  | - first declared here
            "#]],
        );
        check(
            "A 3x4",
            expect![[r#"
                error: expected `name: type`
                  | A 3x4
                  | ^^^^^
                  = hint: e.g. `A: 3x4, S: symmetric n, x: vector n, a: scalar`
            "#]],
        );
        check(
            "3A: matrix, : scalar, tr: scalar, x:",
            expect![[r#"
                error: `3A` is not a symbol name
                  | 3A: matrix, : scalar, tr: scalar, x:
                  | ^^
                  = hint: names start with a letter, then letters, digits or _
                error: `nothing` is not a symbol name
                  | 3A: matrix, : scalar, tr: scalar, x:
                  |             ^
                  = hint: names start with a letter, then letters, digits or _
                error: `tr` is a function name and cannot be declared
                  | 3A: matrix, : scalar, tr: scalar, x:
                  |                       ^^
                error: `x:` declares nothing
                  | 3A: matrix, : scalar, tr: scalar, x:
                  |                                   ^^
                  = hint: accepted words: scalar, vector, matrix, square, symmetric, spd, and sizes like 3x4, m x n, m*n or n
            "#]],
        );
        check(
            "a: scalar 3, x: vector 3x4, x2: vector 1, A: vector matrix",
            expect![[r#"
                error: a scalar has no dimensions; write `a: vector n` or `a: m x n`
                  | a: scalar 3, x: vector 3x4, x2: vector 1, A: vector matrix
                  |           ^
                error: a vector has one dimension (its length)
                  | a: scalar 3, x: vector 3x4, x2: vector 1, A: vector matrix
                  |                        ^^^
                  = hint: write `x: vector n`
                error: a vector of length 1 is a scalar
                  | a: scalar 3, x: vector 3x4, x2: vector 1, A: vector matrix
                  |                                        ^
                  = hint: write `x2: scalar`
                error: `A` cannot be both a vector and a matrix
                  | a: scalar 3, x: vector 3x4, x2: vector 1, A: vector matrix
                  |                                                     ^^^^^^
                  |                                              ------ declared a vector here
            "#]],
        );
        check(
            "A: 0x3, B: 3x99999999999999999999999, C: 3 x, D: 3 4, E: x, F: 3#",
            expect![[r#"
                E: matrix xxx square
                error: a dimension must be at least 1
                  | A: 0x3, B: 3x99999999999999999999999, C: 3 x, D: 3 4, E: x, F: 3#
                  |    ^
                error: this dimension is too large (the limit is 1000)
                  | A: 0x3, B: 3x99999999999999999999999, C: 3 x, D: 3 4, E: x, F: 3#
                  |              ^^^^^^^^^^^^^^^^^^^^^^^
                error: expected a second dimension after `x`
                  | A: 0x3, B: 3x99999999999999999999999, C: 3 x, D: 3 4, E: x, F: 3#
                  |                                            ^
                  = hint: accepted words: scalar, vector, matrix, square, symmetric, spd, and sizes like 3x4, m x n, m*n or n
                error: two sizes given: write one size, like 3x4
                  | A: 0x3, B: 3x99999999999999999999999, C: 3 x, D: 3 4, E: x, F: 3#
                  |                                                    ^
                  |                                                  - the size is already given here
                  = hint: accepted words: scalar, vector, matrix, square, symmetric, spd, and sizes like 3x4, m x n, m*n or n
                error: unexpected character `#` in the declaration of `F`
                  | A: 0x3, B: 3x99999999999999999999999, C: 3 x, D: 3 4, E: x, F: 3#
                  |                                                                 ^
                  = hint: accepted words: scalar, vector, matrix, square, symmetric, spd, and sizes like 3x4, m x n, m*n or n
            "#]],
        );
    }

    #[test]
    fn fuzz_no_panic() {
        for s in crate::syntax::tests::fuzz_inputs(3000) {
            for src in [s.clone(), format!("A: {s}"), format!("{s}: 3x4, x: {s}")] {
                let (_, diags) = parse_decls(&src);
                for d in diags {
                    assert!(
                        d.range.start <= d.range.end && d.range.end <= src.len(),
                        "{src:?} {d:?}"
                    );
                    assert!(
                        src.is_char_boundary(d.range.start) && src.is_char_boundary(d.range.end),
                        "{src:?}"
                    );
                    let _ = d.render(&src);
                }
            }
        }
    }
}
