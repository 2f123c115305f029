//! The reading offer: after lowering, the other kinds of one undeclared symbol under which the expression also types.
//!
//! Lowering picks one reading of the undeclared symbols' kinds (the letters', or the least
//! far-fetched that types; see [`super::lower_ast`]). Where another reading also types, the
//! page says which one it chose and offers the other: in `sum(a.*x)` the letter makes `a` a
//! scalar, and `a` a vector types too. Only cheap alternatives are tried: the chosen reading
//! with one symbol's kind changed to one at most one step from its letter's (a scalar letter a
//! vector, a vector letter other than u–z a scalar; see [`stray`]), at most [`MAX_OFFER_TRIES`]
//! lowerings in all. A scalar reading that only types by broadcasting the symbol beside an
//! array (`t` in `||t - Phi*w||^2`) is not offered, nor is a symbol the engine read as an array
//! because its first use is an operand of `+`/`-` beside one (`b` in `||A*x - b||^2`): that is
//! what the relaxation exists for.

use super::{choose, lower_with, stray, Goal, Lowerer};
use crate::decls::{parse_decls, Decl};
use crate::diagnostic::Diagnostic;
use crate::expr::{Expr, Kind, Origin, Problem};
use crate::syntax::{parse, Ast};

/// Most lowerings tried to find the other readings of one input.
pub const MAX_OFFER_TRIES: usize = 16;

/// Another well-typed reading of one undeclared symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherReading {
    /// The symbol.
    pub name: String,
    /// The kind the reading chosen gives it.
    pub chosen: Kind,
    /// Where that kind came from (its first letter, or the context).
    pub origin: Origin,
    /// The other kind under which the expression also types.
    pub other: Kind,
}

impl OtherReading {
    /// The declaration item that takes the other reading (`a: vector`).
    #[must_use]
    pub fn declaration(&self) -> String {
        format!("{}: {}", self.name, self.other)
    }
}

/// Whether the scalar `name` is broadcast beside an array (`name · 1` in a sum).
fn broadcasts(e: &Expr, name: &str) -> bool {
    e.any(&mut |n| {
        matches!(n, Expr::Mul(fs)
            if fs.iter().any(|f| matches!(f, Expr::Ones(_)))
                && fs.iter().any(|f| matches!(f, Expr::Sym(s) if **s == *name)))
    })
}

/// [`super::lower`], with the other readings of one symbol that also type (see the module's
/// documentation).
pub fn lower_offering(
    expr_src: &str,
    decls_src: &str,
    wrt: Option<&str>,
) -> Result<(Problem, Vec<OtherReading>), Vec<Diagnostic>> {
    let parsed = parse(expr_src);
    let (decls, decl_diags) = parse_decls(decls_src);
    let mut diags = parsed.diagnostics;
    diags.extend(decl_diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    let Some(ast) = parsed.ast else {
        return super::lower(expr_src, decls_src, wrt).map(|p| (p, Vec::new()));
    };
    let (problem, chosen) = choose(&ast, &decls, wrt, Goal::Scalar)?;
    let others = other_readings(&ast, &decls, wrt, &problem, &chosen);
    Ok((problem, others))
}

/// The other readings of `problem`, read from `ast` under `chosen` kinds (those not their
/// letters'), one symbol changed at a time, in order of appearance.
fn other_readings(
    ast: &Ast,
    decls: &[Decl],
    wrt: Option<&str>,
    problem: &Problem,
    chosen: &[(String, Kind)],
) -> Vec<OtherReading> {
    let mut out = Vec::new();
    let mut tries = 0;
    for sym in &problem.symbols.symbols {
        if sym.origin == Origin::Declared {
            continue;
        }
        // Read as an array by the `+`/`-` relaxation, not by a reading: not offered as a scalar.
        let promoted = sym.origin == Origin::Context && !chosen.iter().any(|(n, _)| *n == sym.name);
        for other in [Kind::Scalar, Kind::Vector, Kind::Matrix] {
            if other == sym.kind || stray(&sym.name, other).is_none_or(|c| c > 1) || promoted {
                continue;
            }
            if tries == MAX_OFFER_TRIES {
                return out;
            }
            tries += 1;
            let mut kinds: Vec<(String, Kind)> = chosen
                .iter()
                .filter(|(n, _)| *n != sym.name)
                .cloned()
                .collect();
            kinds.push((sym.name.clone(), other));
            let (result, _) = lower_with(&mut Lowerer::new(decls, &kinds, Goal::Scalar), ast, wrt);
            let typed = result.ok().filter(|p| {
                p.symbols.get(&sym.name).map(|s| s.kind) == Some(other)
                    && !broadcasts(&p.expr, &sym.name)
            });
            if typed.is_some() {
                out.push(OtherReading {
                    name: sym.name.clone(),
                    chosen: sym.kind,
                    origin: sym.origin,
                    other,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    /// The other readings of each input, one a line (`a: scalar (letter) → vector`), or none.
    fn offers(input: &str, decls: &str) -> String {
        match lower_offering(input, decls, None) {
            Ok((_, others)) => others.iter().fold(String::new(), |mut out, o| {
                let _ = writeln!(
                    out,
                    "{}: {} ({:?}) → {}",
                    o.name, o.chosen, o.origin, o.other
                );
                out
            }),
            Err(d) => format!("error: {}", d[0].message),
        }
    }

    #[test]
    fn other_readings_that_type() {
        let cases: &[(&str, &str, &str)] = &[
            // The letter picks a scalar; a vector types too.
            ("sum(a.*x)", "", "a: scalar (Letter) → vector\n"),
            ("sum(x.*c)", "", "c: scalar (Letter) → vector\n"),
            // Context picks vectors (the letters' reading does not type); nothing else types.
            ("a'*X*b", "", ""),
            // Context picks a scalar (k); its letter's vector does not type.
            ("k*x'*x", "", ""),
            // As written in PRML 4.62 and the Cookbook's x'*a*a'*x: the letter's scalar types,
            // and so does the author's vector.
            ("log(sum(exp(a)))", "", "a: scalar (Letter) → vector\n"),
            ("x'*a*a'*x", "", "a: scalar (Letter) → vector\n"),
            // A broadcast scalar is not offered (t in t - Phi*w).
            ("(1/2)*||t - Phi*w||^2", "", ""),
            // The relaxation's vector is not offered as a scalar.
            ("||A*x - b||^2", "", ""),
            ("tr(A*X*B)", "", ""),
            ("x'*A*x", "", ""),
            // A declared symbol is never offered.
            ("sum(a.*x)", "a: scalar", ""),
        ];
        for (input, decls, want) in cases {
            assert_eq!(offers(input, decls), *want, "{input} with {decls:?}");
        }
    }

    /// Every reading offered types, and taking it by its declaration gives that kind.
    #[test]
    fn every_offer_types_when_declared() {
        for input in ["sum(a.*x)", "sum(x.*c)", "a*b + sum(c.*x)"] {
            let (_, others) = lower_offering(input, "", None).unwrap();
            assert!(!others.is_empty(), "{input}");
            for o in others {
                let p = super::super::lower(input, &o.declaration(), None).unwrap();
                assert_eq!(p.symbols.get(&o.name).map(|s| s.kind), Some(o.other));
            }
        }
    }
}
