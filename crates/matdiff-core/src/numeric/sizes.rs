//! Sizes of the symbolic dimensions for the checks: the user's, else small defaults that differ.

use super::{Sizes, MAX_SIZE};
use crate::diagnostic::{Diagnostic, Source};
use crate::expr::{Dim, SymbolTable};

/// Defaults, in order of first appearance of the dimension names. They differ from each
/// other (and skip the fixed sizes already in use) so that a transposed factor or a
/// swapped dimension shows up as a shape error or a wrong number rather than by luck.
/// The first is larger than the second, so a matrix `m×n` is tall and `XᵀX` (the Gram
/// matrix of least squares and of the lecture note's `logdet(XᵀX)`) is invertible.
const DEFAULTS: [usize; 8] = [4, 3, 5, 2, 6, 7, 8, 9];

fn other(message: String) -> Diagnostic {
    Diagnostic::new(0..0, message).in_source(Source::Other)
}

/// Gives every symbolic dimension of `table` a size: the one in `user`, else a default.
///
/// Unknown names in `user`, and sizes of 0 or above [`MAX_SIZE`], are errors.
pub fn resolve_sizes(table: &SymbolTable, user: &Sizes) -> Result<Sizes, Diagnostic> {
    resolve_sizes_with(table, &[], user)
}

/// Sizes for every dimension of a problem: its symbols' and those only its expression mentions.
pub fn resolve_problem_sizes(
    problem: &crate::expr::Problem,
    user: &Sizes,
) -> Result<Sizes, Diagnostic> {
    resolve_sizes_with(
        &problem.symbols,
        &crate::expr::expr_dim_names(&problem.expr),
        user,
    )
}

/// Like [`resolve_sizes`], also sizing `extra` dimension names that no symbol carries
/// (the size of an `eye` that only the expression mentions, as in `tr(eye)`).
pub fn resolve_sizes_with(
    table: &SymbolTable,
    extra: &[String],
    user: &Sizes,
) -> Result<Sizes, Diagnostic> {
    let mut names = table.dim_names();
    for name in extra {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    for (name, &size) in user {
        if !names.contains(name) {
            let known = if names.is_empty() {
                "this expression has no symbolic dimensions".to_string()
            } else {
                format!("the dimensions of this expression are {}", names.join(", "))
            };
            return Err(
                other(format!("unknown dimension `{name}` in the sizes; {known}"))
                    .with_hint("give sizes as name=value for the dimensions listed, e.g. m=3,n=4"),
            );
        }
        if size == 0 || size > MAX_SIZE {
            return Err(other(format!("the size {name}={size} is out of range"))
                .with_hint(format!("sizes go from 1 to {MAX_SIZE}")));
        }
    }
    let mut used: Vec<usize> = user.values().copied().collect();
    for s in &table.symbols {
        for d in [&s.shape.rows, &s.shape.cols] {
            if let Dim::Num(n) = d {
                used.push(*n);
            }
        }
    }
    let mut out = Sizes::new();
    for name in names {
        let size = match user.get(&name) {
            Some(&n) => n,
            None => {
                let fresh = DEFAULTS.iter().copied().find(|n| !used.contains(n));
                // More names than defaults: cycle through them again.
                let n = fresh.unwrap_or(DEFAULTS[out.len() % DEFAULTS.len()]);
                used.push(n);
                n
            }
        };
        out.insert(name, size);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::testutil::*;
    use expect_test::{expect, Expect};

    fn check(symbols: Vec<crate::expr::Symbol>, user: &[(&str, usize)], expect: Expect) {
        let user: Sizes = user.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let out = match resolve_sizes(&table(symbols), &user) {
            Ok(s) => s
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(","),
            Err(d) => format!(
                "{:?}: {} (hint: {})",
                d.source,
                d.message,
                d.hint.unwrap_or_default()
            ),
        };
        expect.assert_eq(&out);
    }

    #[test]
    fn defaults_differ_and_user_sizes_win() {
        check(
            vec![symbol("A", "m", "n"), symbol("x", "n", "1")],
            &[],
            expect!["m=4,n=3"],
        );
        check(
            vec![symbol("A", "m", "n"), symbol("B", "n", "p")],
            &[("n", 3)],
            expect!["m=4,n=3,p=5"],
        );
        // Fixed sizes in use are avoided by the defaults.
        check(
            vec![symbol("A", "3", "n"), symbol("x", "n", "1")],
            &[],
            expect!["n=4"],
        );
        check(
            vec![
                symbol("A", "a", "b"),
                symbol("B", "c", "d"),
                symbol("C", "e", "f"),
                symbol("D", "g", "h"),
                symbol("E", "i", "j"),
            ],
            &[],
            expect!["a=4,b=3,c=5,d=2,e=6,f=7,g=8,h=9,i=4,j=3"],
        );
        check(vec![symbol("a", "1", "1")], &[], expect![""]);
        check(vec![symbol("x", "n", "1")], &[("n", 1)], expect!["n=1"]);
        check(vec![symbol("x", "n", "1")], &[("n", 200)], expect!["n=200"]);
    }

    #[test]
    fn bad_sizes_are_diagnostics() {
        check(
            vec![symbol("A", "m", "n")],
            &[("k", 3)],
            expect!["Other: unknown dimension `k` in the sizes; the dimensions of this expression are m, n (hint: give sizes as name=value for the dimensions listed, e.g. m=3,n=4)"],
        );
        check(
            vec![symbol("a", "1", "1")],
            &[("n", 3)],
            expect!["Other: unknown dimension `n` in the sizes; this expression has no symbolic dimensions (hint: give sizes as name=value for the dimensions listed, e.g. m=3,n=4)"],
        );
        check(
            vec![symbol("x", "n", "1")],
            &[("n", 0)],
            expect!["Other: the size n=0 is out of range (hint: sizes go from 1 to 200)"],
        );
        check(
            vec![symbol("x", "n", "1")],
            &[("n", 201)],
            expect!["Other: the size n=201 is out of range (hint: sizes go from 1 to 200)"],
        );
    }
}
