//! Conflicting uses: when no reading of the kinds types, the symbol whose uses want two kinds, with both spans.
//!
//! Each use of an undeclared symbol that occurs more than once is made a symbol of its own (the
//! tree is copied with the uses renamed), and the readings are tried again. Where one types with
//! two uses of different kinds (in `a'*X*b + a*tr(B)`, the first `a` a vector and the second a
//! scalar), the symbol is the culprit: the diagnostic points at the later use and labels the
//! earlier one. Only symbols of at most [`MAX_SPLIT_USES`] uses are split, at most
//! [`MAX_SPLIT_SYMBOLS`] of them, with at most [`MAX_SPLIT_READINGS`] readings in all, and only
//! on the way to an error (where the readings of the whole have already been tried).

use super::{lower_with, readings, symbols, Goal, Lowerer};
use crate::decls::Decl;
use crate::diagnostic::{Diagnostic, Span};
use crate::expr::Kind;
use crate::syntax::{Ast, AstKind};

/// Most symbols whose uses are split apart to find a conflict.
pub const MAX_SPLIT_SYMBOLS: usize = 3;
/// Most uses of a symbol split apart.
pub const MAX_SPLIT_USES: usize = 4;
/// Most readings tried in all with uses split apart.
pub const MAX_SPLIT_READINGS: usize = 16;

/// The name of the `i`-th use of `name` once split: read by its letter as `name` is (the part
/// before the first `_` decides), never a name the user can type.
fn use_name(name: &str, i: usize) -> String {
    format!("{name}_#{i}")
}

/// The spans of the bare uses of `name` (not parts of an implicit product), in order.
fn uses(ast: &Ast, name: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut stack = vec![ast];
    while let Some(a) = stack.pop() {
        if matches!(&a.kind, AstKind::Ident(n) if n == name) {
            out.push(a.span.clone());
        }
        stack.extend(a.children().into_iter().rev());
    }
    out
}

/// `ast` with the uses of `name` renamed one by one, in order ([`use_name`]).
fn split(ast: &Ast, name: &str) -> Ast {
    let mut copy = ast.clone();
    let mut i = 0;
    let mut stack = vec![&mut copy];
    while let Some(a) = stack.pop() {
        if let AstKind::Ident(n) = &mut a.kind {
            if n == name {
                *n = use_name(name, i);
                i += 1;
            }
        }
        let mut children = a.children_mut();
        children.reverse();
        stack.extend(children);
    }
    copy
}

/// The conflict of kinds between two uses of one undeclared symbol, if the expression types once
/// its uses are apart (see the module's documentation).
pub(super) fn find(ast: &Ast, decls: &[Decl], wrt: Option<&str>) -> Option<Diagnostic> {
    let names = symbols::undeclared_names(ast, decls);
    let candidates = names
        .iter()
        .map(|n| (n, uses(ast, n)))
        .filter(|(_, spans)| (2..=MAX_SPLIT_USES).contains(&spans.len()))
        .take(MAX_SPLIT_SYMBOLS);
    let mut tries = 0;
    for (name, spans) in candidates {
        let apart = split(ast, name);
        let apart_names = symbols::undeclared_names(&apart, decls);
        for kinds in &readings(&apart_names, 2) {
            if tries == MAX_SPLIT_READINGS {
                return None;
            }
            tries += 1;
            let Ok(p) = lower_with(&mut Lowerer::new(decls, kinds, Goal::Scalar), &apart, wrt).0
            else {
                continue;
            };
            let kind_of = |i: usize| p.symbols.get(&use_name(name, i)).map(|s| s.kind);
            let Some(first) = kind_of(0) else {
                continue;
            };
            let other =
                (1..spans.len()).find_map(|i| kind_of(i).filter(|k| *k != first).map(|k| (i, k)));
            if let Some((i, k)) = other {
                return Some(conflict(name, (&spans[0], first), (&spans[i], k)));
            }
        }
    }
    None
}

/// `a` used as a vector at `first` and as a scalar at `then`.
fn conflict(name: &str, first: (&Span, Kind), then: (&Span, Kind)) -> Diagnostic {
    Diagnostic::new(
        then.0.clone(),
        format!(
            "`{name}` is used as a {} here but as a {} before: one symbol cannot be both",
            then.1, first.1
        ),
    )
    .with_label(first.0.clone(), format!("used as a {}", first.1))
    .with_label(then.0.clone(), format!("used as a {}", then.1))
    .with_hint(format!(
        "give one of the uses another name, or declare `{name}` (`{name}: {}`) to see where the other use fails",
        first.1
    ))
}

#[cfg(test)]
mod tests {
    use expect_test::{expect, Expect};

    fn check(input: &str, expect: Expect) {
        let out = match super::super::lower(input, "", None) {
            Ok(p) => format!("types: {}", super::super::sexpr(&p.expr)),
            Err(d) => d.iter().map(|d| d.render(input)).collect(),
        };
        expect.assert_eq(&out);
    }

    #[test]
    fn two_uses_of_two_kinds_are_named_with_both_spans() {
        check(
            "a'*X*b + a*tr(B)",
            expect![[r#"
                error: `a` is used as a scalar here but as a vector before: one symbol cannot be both
                  | a'*X*b + a*tr(B)
                  |          ^
                  | - used as a vector
                  |          - used as a scalar
                  = hint: give one of the uses another name, or declare `a` (`a: vector`) to see where the other use fails
            "#]],
        );
        check(
            "x'*A*x + b'*x + b*tr(A)",
            expect![[r#"
                error: `b` is used as a scalar here but as a vector before: one symbol cannot be both
                  | x'*A*x + b'*x + b*tr(A)
                  |                 ^
                  |          - used as a vector
                  |                 - used as a scalar
                  = hint: give one of the uses another name, or declare `b` (`b: vector`) to see where the other use fails
            "#]],
        );
        check(
            "tr(k*A) + k'*x",
            expect![[r#"
                error: `k` is used as a vector here but as a scalar before: one symbol cannot be both
                  | tr(k*A) + k'*x
                  |           ^
                  |    - used as a scalar
                  |           - used as a vector
                  = hint: give one of the uses another name, or declare `k` (`k: scalar`) to see where the other use fails
            "#]],
        );
    }

    #[test]
    fn no_conflict_where_the_uses_agree_or_nothing_types() {
        // One kind for every use: it types (c a vector).
        check(
            "sum(c.*x) + c'*A*c",
            expect!["types: (+ (sum (.* c x)) (* (' c) A c))"],
        );
        // Not a scalar function under any reading: the first-letter error stands.
        check(
            "tr(A*X) + A",
            expect![[r#"
            error: the expression is a matrix n×m; matdiff differentiates scalar functions
              | tr(A*X) + A
              | ^^^^^^^^^^^
              = hint: wrap it in tr(·), sum(·) or ||·||_F
        "#]],
        );
        // Uses of one kind in an expression that is no scalar: the letters' error stands.
        check(
            "A*x + x",
            expect![[r#"
            error: the expression is a vector n×1; matdiff differentiates scalar functions
              | A*x + x
              | ^^^^^^^
              = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
        "#]],
        );
    }
}
