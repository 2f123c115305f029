//! Finishing: the scalar check and the work bounds, naming the remaining dimensions
//! (`n, m, p, q, r, s, k, l, n1, n2, …` in order of first appearance), filling the holes of
//! `I`/`ones` nodes, the symbol table, the variable, the [`Problem`].

use super::unify::{D, TS};
use super::{
    Low, Lowerer, MAX_DEPTH, MAX_FACTORS, MAX_HADAMARD_FACTORS, MAX_NESTED_FUNCTIONS, MAX_NODES,
    MAX_TOTAL_FACTORS, SHORT_PRODUCT,
};
use crate::diagnostic::{Code, Diagnostic, Source, Span};
use crate::expr::{Dim, Expr, Kind, Problem, Shape, Symbol, SymbolTable};
use crate::syntax::Ast;
use std::collections::HashMap;
use std::rc::Rc;

impl Lowerer<'_> {
    /// Names of the variables: in order of first appearance among the symbols, then the rest.
    fn var_names(&self) -> HashMap<usize, String> {
        // The names in use, borrowed (a handful: a scan beats hashing copies of them).
        let taken: Vec<&str> = self
            .dims
            .names
            .iter()
            .map(String::as_str)
            .chain(self.syms.iter().map(|s| s.name.as_str()))
            .collect();
        let mut out = HashMap::new();
        let mut next = 0usize;
        let mut candidate = |taken: &[&str]| loop {
            const FIRST: [&str; 8] = ["n", "m", "p", "q", "r", "s", "k", "l"];
            let name = match FIRST.get(next) {
                Some(n) => (*n).to_string(),
                None => format!("n{}", next - FIRST.len() + 1),
            };
            next += 1;
            if !taken.contains(&name.as_str()) {
                return name;
            }
        };
        let roots = self
            .syms
            .iter()
            .flat_map(|s| [s.s.r, s.s.c])
            .chain((0..self.dims.parent.len()).map(D::Var))
            .collect::<Vec<_>>();
        for d in roots {
            if let D::Var(v) = self.dims.find(d) {
                if let std::collections::hash_map::Entry::Vacant(e) = out.entry(v) {
                    e.insert(candidate(&taken));
                }
            }
        }
        out
    }

    fn to_dim(&self, d: D, vars: &HashMap<usize, String>) -> Dim {
        match self.dims.find(d) {
            D::One => Dim::One,
            D::Num(n) => Dim::Num(n),
            D::Name(i) => Dim::Name(self.dims.names.get(i).map_or("", |n| n.as_str()).into()),
            D::Var(v) => Dim::Name(vars.get(&v).map_or("n", |n| n.as_str()).into()),
            D::Prod(i) => match self.dims.prods.get(i).copied() {
                Some((a, b)) => Dim::product(&self.to_dim(a, vars), &self.to_dim(b, vars)),
                None => Dim::One,
            },
        }
    }

    fn to_shape(&self, s: TS, vars: &HashMap<usize, String>) -> Shape {
        Shape::new(self.to_dim(s.r, vars), self.to_dim(s.c, vars))
    }

    /// The shape as users read it: "matrix n×m", "vector p×1", "scalar".
    pub(super) fn show(&self, s: TS) -> String {
        self.to_shape(s, &self.var_names()).to_string()
    }

    pub(super) fn show_dim(&self, d: D) -> String {
        self.to_dim(d, &self.var_names()).to_string()
    }

    pub(super) fn finish(
        &self,
        low: Low,
        ast: &Ast,
        wrt: Option<&str>,
    ) -> Result<Problem, Diagnostic> {
        let whole = ast.span.clone();
        if !low.s.is_scalar() && self.goal == super::Goal::Scalar {
            let shown = self.show(low.s);
            let hint = if low.s.c == D::One || low.s.r == D::One {
                "wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)"
            } else {
                "wrap it in tr(·), sum(·) or ||·||_F"
            };
            return Err(Diagnostic::new(
                whole,
                format!("the expression is a {shown}; {}", super::NOT_SCALAR),
            )
            .with_hint(hint));
        }
        self.finish_array(low, ast, wrt)
    }

    /// [`Self::finish`] without the scalar check: an expression of any shape (a claimed
    /// gradient, [`super::lower_claim`]).
    pub(super) fn finish_array(
        &self,
        low: Low,
        ast: &Ast,
        wrt: Option<&str>,
    ) -> Result<Problem, Diagnostic> {
        let whole = ast.span.clone();
        let size = low.e.size();
        if size > MAX_NODES {
            return Err(Diagnostic::new(
                whole,
                format!("the expression is too large ({size} nodes; the limit is {MAX_NODES})"),
            )
            .with_code(Code::WorkBound));
        }
        let depth = expr_depth(&low.e);
        if depth > MAX_DEPTH {
            return Err(Diagnostic::new(
                whole,
                format!(
                    "the expression is nested too deeply (depth {depth}; the limit is {MAX_DEPTH})"
                ),
            )
            .with_code(Code::WorkBound));
        }
        let vars = self.var_names();
        let mut expr = low.e;
        self.fill_holes(&mut expr, &vars);
        let symbols = SymbolTable {
            symbols: self
                .syms
                .iter()
                .map(|s| Symbol {
                    name: s.name.clone(),
                    kind: s.kind,
                    shape: self.to_shape(s.s, &vars),
                    symmetric: s.symmetric,
                    spd: s.spd,
                    origin: s.origin,
                })
                .collect(),
        };
        let (factors, had_factors, nested, total) = work_measures(&expr, &symbols);
        for (n, limit, what) in [
            (factors, MAX_FACTORS, "a product"),
            (had_factors, MAX_HADAMARD_FACTORS, "an elementwise product"),
            (total, MAX_TOTAL_FACTORS, "products"),
        ] {
            if n > limit {
                return Err(Diagnostic::new(
                    whole,
                    format!("the expression has {what} of {n} factors; the limit is {limit}"),
                )
                .with_hint("name a part of the product with one symbol, or split the expression")
                .with_code(Code::WorkBound));
            }
        }
        if nested > MAX_NESTED_FUNCTIONS {
            return Err(Diagnostic::new(
                whole,
                format!(
                    "functions, inverses and transposes are nested {nested} deep; the limit is {MAX_NESTED_FUNCTIONS}"
                ),
            )
            .with_hint("name an inner part with one symbol, or simplify the nesting")
            .with_code(Code::WorkBound));
        }
        let wrt = choose_wrt(&symbols, wrt, whole)?;
        Ok(Problem { expr, symbols, wrt })
    }

    /// Writes the final size of each hole's variable into the `Eye`/`Ones` nodes holding it.
    /// Nothing to walk when no node was built with a variable size.
    fn fill_holes(&self, e: &mut Expr, vars: &HashMap<usize, String>) {
        if self.dims.holes.is_empty() {
            return;
        }
        let address = |token: &Rc<str>| Rc::as_ptr(token).cast::<u8>() as usize;
        let mut by_address: Vec<(usize, usize)> = self
            .dims
            .holes
            .iter()
            .map(|h| (address(&h.token), h.var))
            .collect();
        crate::sort::sort_by_key(&mut by_address, |&p| p);
        fn fill(d: &mut Dim, size: &impl Fn(&Rc<str>) -> Option<Dim>) {
            match d {
                Dim::Name(token) => {
                    if let Some(new) = size(token) {
                        *d = new;
                    }
                }
                // A product of holes (`I` of a Kronecker product's size).
                Dim::Prod(ps) => {
                    let mut parts: Vec<Dim> = ps.to_vec();
                    parts.iter_mut().for_each(|p| fill(p, size));
                    *d = parts.iter().fold(Dim::One, |acc, p| Dim::product(&acc, p));
                }
                Dim::One | Dim::Num(_) => {}
            }
        }
        let size = |token: &Rc<str>| {
            let at = address(token);
            by_address
                .binary_search_by_key(&at, |&(a, _)| a)
                .ok()
                .map(|i| self.to_dim(D::Var(by_address[i].1), vars))
        };
        fill_dims(e, &|d: &mut Dim| fill(d, &size));
    }
}

/// The most factors of one product, of one elementwise product, the deepest nesting of
/// functions, inverses and transposes, and the factors of all products together, in `e` (depth already bounded by [`MAX_DEPTH`]).
///
/// In a product, a matrix power `X^k` counts as |k| factors: its differential is a sum of
/// |k| products as long, and so is every later line (`tr(A X^-63)` took seconds to check).
fn work_measures(e: &Expr, table: &SymbolTable) -> (usize, usize, usize, usize) {
    fn weight(f: &Expr, table: &SymbolTable) -> usize {
        match f {
            Expr::Inv(a) | Expr::Transpose(a) => weight(a, table),
            Expr::Pow(a, k) if !crate::expr::shape_of(a, table).is_scalar() => {
                (k.abs().min(1e6) as usize).max(1)
            }
            _ => 1,
        }
    }
    let weight = |f: &Expr| weight(f, table);
    let (mut factors, mut had) = match e {
        Expr::Mul(v) => (v.iter().map(weight).sum(), 0),
        Expr::Had(v) => (0, v.iter().map(weight).sum()),
        _ => (0, 0),
    };
    let calls = usize::from(matches!(
        e,
        Expr::Call(..) | Expr::Inv(_) | Expr::Transpose(_)
    ));
    let mut nested = 0;
    // Short products cost little however many there are (a sum of 200 terms k*tr(A*X*B)).
    let mut total = if factors + had > SHORT_PRODUCT {
        factors + had
    } else {
        0
    };
    for c in e.children() {
        let (f, h, n, t) = work_measures(c, table);
        factors = factors.max(f);
        had = had.max(h);
        nested = nested.max(n);
        total += t;
    }
    (factors, had, nested + calls, total)
}

fn expr_depth(e: &Expr) -> usize {
    1 + e.children().into_iter().map(expr_depth).max().unwrap_or(0)
}

fn choose_wrt(symbols: &SymbolTable, wrt: Option<&str>, whole: Span) -> Result<String, Diagnostic> {
    let list = || {
        symbols
            .symbols
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(w) = wrt.map(str::trim).filter(|w| !w.is_empty()) {
        if symbols.get(w).is_some() {
            return Ok(w.to_string());
        }
        let msg = if symbols.symbols.is_empty() {
            format!("`{w}` is not a symbol of the expression, which has no symbols")
        } else {
            format!(
                "`{w}` is not a symbol of the expression; its symbols are {}",
                list()
            )
        };
        return Err(Diagnostic::new(0..0, msg).in_source(Source::Other));
    }
    let by_kind = |k: Kind| {
        symbols
            .symbols
            .iter()
            .find(|s| s.kind == k)
            .map(|s| s.name.clone())
    };
    ["X", "x"]
        .iter()
        .find(|n| symbols.get(n).is_some())
        .map(|n| (*n).to_string())
        .or_else(|| by_kind(Kind::Matrix))
        .or_else(|| by_kind(Kind::Vector))
        .or_else(|| by_kind(Kind::Scalar))
        .ok_or_else(|| {
            Diagnostic::new(
                whole,
                "nothing to differentiate: the expression has no symbols",
            )
            .with_hint("use a variable, e.g. x'*x or tr(X)")
        })
}

/// Applies `fill` to every dimension of an `Eye`/`Ones` node in `e`.
fn fill_dims(e: &mut Expr, fill: &impl Fn(&mut Dim)) {
    match e {
        Expr::Eye(d) => fill(d),
        Expr::Ones(s) => {
            let s = Rc::make_mut(s);
            fill(&mut s.rows);
            fill(&mut s.cols);
        }
        _ => e.for_each_child_mut(|c| fill_dims(c, fill)),
    }
}
