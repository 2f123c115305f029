//! Lowering: syntax tree + declarations → typed [`Expr`] and [`SymbolTable`], with dimensions inferred by unification.
//!
//! Undeclared symbols are typed by their first letter (see [`crate::decls::default_kind`]); their sizes are
//! dimension variables, unified by the operators. A variable never unifies with the literal 1, so
//! vectors stay vectors; declared sizes and numbers are rigid. Leftover variables are named
//! `n, m, p, q, r, s, k, l, n1, n2, …` in order of first appearance.
//!
//! One relaxation: an undeclared scalar-by-letter symbol (`b`, `lambda`) whose first use is as an
//! operand of `+`/`-` against a vector or matrix is read as a vector or matrix of that shape, so
//! `||A*x - b||^2` works without declaring `b`. A symbol already used as a scalar stays one.
//!
//! The parts: [`unify`] (dimensions, the union-find of inference variables), [`symbols`]
//! (letter typing, declarations, implicit products), [`ops`] (one typing function per
//! construct) and [`finish`] (names of the remaining dimensions, work bounds, the `Problem`).

mod conflict;
mod finish;
mod offer;
mod ops;
mod symbols;
#[cfg(test)]
mod tests;
mod unify;

use crate::decls::default_kind;
use crate::decls::{parse_decls, Decl};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::expr::{Expr, Func, Kind, Problem};
use crate::syntax::{parse, Ast};
use std::fmt::Write as _;
use symbols::SymInfo;
use unify::{Dims, TS};

pub use offer::{lower_offering, OtherReading, MAX_OFFER_TRIES};

/// Most nodes a lowered expression may have.
pub const MAX_NODES: usize = 2000;
/// Deepest a lowered expression may be.
pub const MAX_DEPTH: usize = 200;
/// Most factors of one product (`A B C …`; a matrix power `X^k` counts as |k| factors): each
/// factor is one more product-rule term in every later line, so the derivation grows
/// quadratically. The limit keeps derive + check of any accepted input under 50 ms natively.
pub const MAX_FACTORS: usize = 24;
/// Most factors of one elementwise product: each term of its derivative is a whole product again.
pub const MAX_HADAMARD_FACTORS: usize = 24;
/// Most factors of all products and elementwise products of more than six factors together
/// (several long products in one expression add up: `logdet(ABC…) logdet(DEF…)`).
pub const MAX_TOTAL_FACTORS: usize = 24;
/// Products of at most this many factors do not count toward [`MAX_TOTAL_FACTORS`].
const SHORT_PRODUCT: usize = 6;
/// Deepest nesting of functions, inverses and transposes (`exp(log(exp(…)))`, `inv(inv(…))`,
/// `(AB)…`): every level repeats the whole inner expression in later lines. Same purpose as [`MAX_FACTORS`].
pub const MAX_NESTED_FUNCTIONS: usize = 24;
/// Largest integer power of a matrix.
pub const MAX_MATRIX_POWER: f64 = 50.0;

/// Parses `expr_src` and `decls_src`, types the expression and picks the variable.
///
/// Diagnostics from the declarations carry [`Source::Decls`](crate::diagnostic::Source::Decls), the variable choice [`Source::Other`](crate::diagnostic::Source::Other).
pub fn lower(
    expr_src: &str,
    decls_src: &str,
    wrt: Option<&str>,
) -> Result<Problem, Vec<Diagnostic>> {
    lower_for(expr_src, decls_src, wrt, Goal::Scalar)
}

/// The end of the message that refuses a vector- or matrix-valued f for a gradient (the
/// command then derives its Jacobian instead).
pub const NOT_SCALAR: &str = "matdiff differentiates scalar functions";

/// What the expression is lowered for: a scalar function (a gradient, a Hessian) or any
/// function, vector- and matrix-valued ones included (a Jacobian).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    Scalar,
    Array,
}

/// [`lower`] for a [`Goal`]: with [`Goal::Array`] a vector- or matrix-valued expression is
/// accepted as it is.
pub fn lower_for(
    expr_src: &str,
    decls_src: &str,
    wrt: Option<&str>,
    goal: Goal,
) -> Result<Problem, Vec<Diagnostic>> {
    let parsed = parse(expr_src);
    let (decls, decl_diags) = parse_decls(decls_src);
    let mut diags = parsed.diagnostics;
    diags.extend(decl_diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    match parsed.ast {
        Some(ast) => lower_ast_for(&ast, &decls, wrt, goal),
        None => Err(vec![Diagnostic::new(
            0..expr_src.len(),
            "type an expression, e.g. tr(A*X*B)",
        )]),
    }
}

/// One reading: the undeclared symbols given another kind than their letter's.
type Reading = Vec<(String, Kind)>;
/// Types an expression of any shape (a claimed gradient) in the symbol context of a problem:
/// every symbol of `table` keeps its kind, shape and properties, as if declared. Returns the
/// expression with a table of the symbols it uses (`wrt` among them), or the diagnostics; and
/// beside either, the names it uses that `table` does not have, so that the caller can say
/// which symbol is foreign rather than how it fails to type.
pub fn lower_claim(
    expr_src: &str,
    table: &crate::expr::SymbolTable,
    wrt: &str,
) -> (Result<Problem, Vec<Diagnostic>>, Vec<String>) {
    let parsed = parse(expr_src);
    if !parsed.diagnostics.is_empty() {
        return (Err(parsed.diagnostics), Vec::new());
    }
    let Some(ast) = parsed.ast else {
        let empty = Diagnostic::new(0..expr_src.len(), "type the gradient you claim, e.g. A'*B'");
        return (Err(vec![empty]), Vec::new());
    };
    let decls: Vec<Decl> = table
        .symbols
        .iter()
        .map(|s| Decl {
            name: s.name.clone(),
            name_span: 0..0,
            span: 0..0,
            kind: s.kind,
            rows: Some(s.shape.rows.clone()),
            cols: Some(s.shape.cols.clone()),
            square: s.shape.rows == s.shape.cols && s.kind == Kind::Matrix,
            symmetric: s.symmetric,
            spd: s.spd,
        })
        .collect();
    let foreign = symbols::undeclared_names(&ast, &decls);
    let mut cx = Lowerer::new(&decls, &[], Goal::Array);
    let result = cx.lower(&ast).map_err(|d| vec![*d]).and_then(|low| {
        cx.absent_variable(wrt);
        // Sizes the claim leaves open (`2*tr(X)*I`) are the variable's, where they can be.
        let var = cx.symbol(wrt);
        let _ = cx.dims.unify_shapes(low.s, var);
        cx.finish_array(low, &ast, Some(wrt)).map_err(|d| vec![d])
    });
    (result, foreign)
}

/// Most other readings tried for an expression that is ill-typed under the first-letter kinds.
pub const MAX_READINGS: usize = 64;

/// Types a parsed expression against the declarations and picks the variable.
///
/// Undeclared symbols take the kind of their first letter. When the expression is ill-typed
/// that way (or not a scalar), the kinds of its undeclared symbols are varied, one or two
/// symbols at a time, and the first reading that is well-typed wins: in `a'*X*b` the
/// letters make `a` and `b` scalars, the context makes them vectors. The letters still break
/// ties: their reading is tried first, and the others in order of how far they stray from it
/// (see [`readings`]). Without any such reading, the first-letter reading's error stands.
pub fn lower_ast(ast: &Ast, decls: &[Decl], wrt: Option<&str>) -> Result<Problem, Vec<Diagnostic>> {
    lower_ast_for(ast, decls, wrt, Goal::Scalar)
}

/// [`lower_ast`] for a [`Goal`].
pub fn lower_ast_for(
    ast: &Ast,
    decls: &[Decl],
    wrt: Option<&str>,
    goal: Goal,
) -> Result<Problem, Vec<Diagnostic>> {
    choose(ast, decls, wrt, goal).map(|(p, _)| p)
}

/// [`lower_ast_for`], with the kinds of the reading chosen that are not their letters' (empty
/// for the letters' reading).
fn choose(
    ast: &Ast,
    decls: &[Decl],
    wrt: Option<&str>,
    goal: Goal,
) -> Result<(Problem, Reading), Vec<Diagnostic>> {
    let mut cx = Lowerer::new(decls, &[], goal);
    let (result, typed) = lower_with(&mut cx, ast, wrt);
    let Err(diag) = result else {
        return result.map(|p| (p, Vec::new())).map_err(|d| vec![d]);
    };
    // To make a well-typed array into a scalar, only small changes (`a'*X*b`: a and b
    // vectors), never a capital (`x'*A`, half typed, stays an error rather than reading A as a
    // vector); to mend an operator that does not type, any.
    let each = if typed { 1 } else { 2 };
    let names = symbols::undeclared_names(ast, decls);
    // A reading that types but reaches a work bound explains more than the letters' type error
    // (the bound is what stands between the input and a derivation): it is reported instead.
    let mut bound: Option<Diagnostic> = None;
    for kinds in readings(&names, each).iter().take(MAX_READINGS) {
        match lower_with(&mut Lowerer::new(decls, kinds, goal), ast, wrt) {
            (Ok(p), _) => return Ok((p, kinds.clone())),
            (Err(d), true) if d.code == Code::WorkBound && bound.is_none() => bound = Some(d),
            _ => {}
        }
    }
    if let Some(d) = bound.filter(|_| diag.code != Code::WorkBound) {
        return Err(vec![d]);
    }
    // No reading types: where the uses of one symbol want two kinds, that says more.
    if diag.code != Code::WorkBound {
        if let Some(d) = conflict::find(ast, decls, wrt) {
            return Err(vec![d]);
        }
    }
    Err(vec![diag])
}

/// One reading: the problem or the first error, and whether every operator typed (a failure
/// then came from finishing: f not a scalar, a limit).
fn lower_with(
    cx: &mut Lowerer,
    ast: &Ast,
    wrt: Option<&str>,
) -> (Result<Problem, Diagnostic>, bool) {
    match cx.lower(ast) {
        Ok(low) => {
            if let Some(w) = wrt {
                cx.absent_variable(w.trim());
            }
            (cx.finish(low, ast, wrt), true)
        }
        Err(d) => (Err(*d), false),
    }
}

/// How far reading an undeclared symbol as `to` strays from its letter, `None` where that is
/// too far-fetched to guess. A scalar letter read as a vector, or a vector letter other than
/// u–z as a scalar (`k`, `s`, `t` are often scalars), 1; a scalar letter read as a matrix, or
/// a capital as a vector (an n×1 matrix), 2. The letters u–z stay vectors and capitals stay
/// arrays unless declared otherwise: `x^2` or `tr(X^0.5)` say more about what was meant than a
/// guess would.
fn stray(name: &str, to: Kind) -> Option<usize> {
    let strong_vector = matches!(name.as_bytes().first(), Some(b'u'..=b'z'));
    match (default_kind(name), to) {
        (from, to) if from == to => Some(0),
        (Kind::Scalar, Kind::Vector) => Some(1),
        (Kind::Vector, Kind::Scalar) if !strong_vector => Some(1),
        (Kind::Scalar, Kind::Matrix) | (Kind::Matrix, Kind::Vector) => Some(2),
        _ => None,
    }
}

/// The readings that give one or two of the `seen` symbols another kind than their letter's,
/// each straying at most `each` (see [`stray`]), least in all first; ties in order of
/// appearance. At most [`MAX_READINGS`]: they are made in that order and no more, so a long
/// list of symbols costs a walk over its pairs, not a list of them.
fn readings(seen: &[String], each: usize) -> Vec<Reading> {
    let others: Vec<Vec<(Kind, usize)>> = seen
        .iter()
        .map(|name| {
            [Kind::Scalar, Kind::Vector, Kind::Matrix]
                .into_iter()
                .filter_map(|k| stray(name, k).map(|c| (k, c)))
                .filter(|(_, c)| *c > 0 && *c <= each)
                .collect()
        })
        .collect();
    let mut out: Vec<Reading> = Vec::new();
    for cost in 1..=2 * each {
        for len in [1, 2] {
            for (i, a) in seen.iter().enumerate() {
                for &(ka, ca) in &others[i] {
                    if len == 1 {
                        if ca == cost {
                            out.push(vec![(a.clone(), ka)]);
                        }
                    } else if ca < cost {
                        for (j, b) in seen.iter().enumerate().skip(i + 1) {
                            for &(kb, cb) in &others[j] {
                                if ca + cb == cost {
                                    out.push(vec![(a.clone(), ka), (b.clone(), kb)]);
                                }
                            }
                        }
                    }
                    if out.len() >= MAX_READINGS {
                        out.truncate(MAX_READINGS);
                        return out;
                    }
                }
            }
        }
    }
    out
}

/// A compact s-expression rendering of an [`Expr`], for tests and debugging.
pub fn sexpr(e: &Expr) -> String {
    let mut out = String::new();
    sexpr_into(e, &mut out);
    out
}

fn sexpr_into(e: &Expr, out: &mut String) {
    let list = |out: &mut String, head: &str, items: &[&Expr]| {
        let _ = write!(out, "({head}");
        for i in items {
            out.push(' ');
            sexpr_into(i, out);
        }
        out.push(')');
    };
    match e {
        Expr::Num(x) => {
            let _ = write!(out, "{x}");
        }
        Expr::Sym(s) => out.push_str(s),
        Expr::Eye(d) => {
            let _ = write!(out, "(I {d})");
        }
        Expr::Ones(s) => {
            let _ = write!(out, "(ones {} {})", s.rows, s.cols);
        }
        Expr::Add(v) => list(out, "+", &v.iter().collect::<Vec<_>>()),
        Expr::Mul(v) => list(out, "*", &v.iter().collect::<Vec<_>>()),
        Expr::Had(v) => list(out, ".*", &v.iter().collect::<Vec<_>>()),
        Expr::Div(a, b) => list(out, "/", &[a, b]),
        Expr::HadDiv(a, b) => list(out, "./", &[a, b]),
        Expr::HadPow(a, c) => {
            list(out, ".^", &[a]);
            out.pop();
            let _ = write!(out, " {c})");
        }
        Expr::Pow(a, c) => {
            list(out, "^", &[a]);
            out.pop();
            let _ = write!(out, " {c})");
        }
        Expr::Transpose(a) => list(out, "'", &[a]),
        Expr::Inv(a) => list(out, "inv", &[a]),
        Expr::Call(f, args) => {
            let head = if *f == Func::DiagOf {
                "diagof"
            } else {
                f.name()
            };
            list(out, head, &args.iter().map(|a| &**a).collect::<Vec<_>>());
        }
        Expr::D(a) => list(out, "d", &[a]),
    }
}

/// A lowered node: the expression, its shape, and the shapes of its factors when it is a product.
struct Low {
    e: Expr,
    s: TS,
    fs: Vec<TS>,
}

impl Low {
    fn new(e: Expr, s: TS) -> Low {
        Low {
            e,
            s,
            fs: Vec::new(),
        }
    }
    /// The factors of a product (or the node itself) with their shapes.
    fn factors(self) -> (Vec<Expr>, Vec<TS>) {
        match self.e {
            Expr::Mul(v) if v.len() == self.fs.len() => (v, self.fs),
            e => (vec![e], vec![self.s]),
        }
    }
}

/// Lowering stops at the first shape error.
type Fail = Box<Diagnostic>;

/// The result of typing one node.
type R<T> = Result<T, Fail>;

/// The state of one lowering: the declarations, the kinds of this reading, the dimensions, the
/// symbols seen so far.
struct Lowerer<'a> {
    decls: &'a [Decl],
    /// Kinds other than their letter's for undeclared symbols (see [`lower_ast`]).
    kinds: &'a [(String, Kind)],
    dims: Dims,
    syms: Vec<SymInfo>,
    goal: Goal,
}

impl<'a> Lowerer<'a> {
    fn new(decls: &'a [Decl], kinds: &'a [(String, Kind)], goal: Goal) -> Lowerer<'a> {
        Lowerer {
            decls,
            kinds,
            goal,
            dims: Dims::default(),
            syms: Vec::new(),
        }
    }
}
