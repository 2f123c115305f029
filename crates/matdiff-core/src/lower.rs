//! Lowering: syntax tree + declarations → typed [`Expr`] and [`SymbolTable`], with dimensions inferred by unification.
//!
//! Undeclared symbols are typed by their first letter (see [`default_kind`]); their sizes are
//! dimension variables, unified by the operators. A variable never unifies with the literal 1, so
//! vectors stay vectors; declared sizes and numbers are rigid. Leftover variables are named
//! `n, m, p, q, r, s, k, l, n1, n2, …` in order of first appearance.
//!
//! One relaxation: an undeclared scalar-by-letter symbol (`b`, `lambda`) added to or subtracted
//! from a vector or matrix is read as a vector or matrix of that shape, so `||A*x - b||^2` works
//! without declaring `b`.

use crate::decls::{default_kind, is_greek, parse_decls, Decl, MAX_DIM};
use crate::diagnostic::{Diagnostic, Source, Span};
use crate::expr::{Dim, Expr, Func, Kind, Problem, Shape, Symbol, SymbolTable};
use crate::syntax::{fold_const, parse, Ast, AstKind, BinOp, ChainLink, Exponent, NormSub};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// Most nodes a lowered expression may have.
pub const MAX_NODES: usize = 2000;
/// Deepest a lowered expression may be.
pub const MAX_DEPTH: usize = 200;
/// Largest integer power of a matrix.
pub const MAX_MATRIX_POWER: f64 = 100.0;

/// Parses `expr_src` and `decls_src`, types the expression and picks the variable.
///
/// Diagnostics from the declarations carry [`Source::Decls`], the variable choice [`Source::Other`].
pub fn lower(
    expr_src: &str,
    decls_src: &str,
    wrt: Option<&str>,
) -> Result<Problem, Vec<Diagnostic>> {
    let parsed = parse(expr_src);
    let (decls, decl_diags) = parse_decls(decls_src);
    let mut diags = parsed.diagnostics;
    diags.extend(decl_diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    match parsed.ast {
        Some(ast) => lower_ast(&ast, &decls, wrt),
        None => Err(vec![Diagnostic::new(
            0..expr_src.len(),
            "type an expression, e.g. tr(A*X*B)",
        )]),
    }
}

/// Types a parsed expression against the declarations and picks the variable.
pub fn lower_ast(ast: &Ast, decls: &[Decl], wrt: Option<&str>) -> Result<Problem, Vec<Diagnostic>> {
    let mut promoted: HashMap<String, Kind> = HashMap::new();
    loop {
        let mut cx = Ctx::new(decls, &promoted);
        match cx.lower(ast) {
            Ok(low) => return cx.finish(low, ast, wrt).map_err(|d| vec![d]),
            Err(Fail::Diag(d)) => return Err(vec![*d]),
            Err(Fail::Promote(name, kind)) => {
                // Each retry promotes a new symbol, so this ends.
                if promoted.insert(name, kind).is_some() {
                    return Err(vec![Diagnostic::new(
                        ast.span.clone(),
                        "could not infer the shapes",
                    )]);
                }
            }
        }
    }
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
        Expr::Call(Func::DiagOf, a) => list(out, "diagof", &[a]),
        Expr::Call(f, a) => list(out, f.name(), &[a]),
        Expr::D(a) => list(out, "d", &[a]),
    }
}

// ---------------------------------------------------------------------------------------------
// Inference state
// ---------------------------------------------------------------------------------------------

/// A dimension during inference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum D {
    One,
    Num(usize),
    /// A declared symbolic size (index into `Ctx::names`): rigid.
    Name(usize),
    /// An inference variable (index into `Ctx::parent`).
    Var(usize),
}

/// A shape during inference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TS {
    r: D,
    c: D,
}

impl TS {
    const SCALAR: TS = TS {
        r: D::One,
        c: D::One,
    };
    /// Variables never unify with 1, so scalar-ness is known as soon as a shape is built.
    fn is_scalar(self) -> bool {
        self.r == D::One && self.c == D::One
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

enum Fail {
    Diag(Box<Diagnostic>),
    /// Retry with this letter-typed scalar read as a vector or matrix.
    Promote(String, Kind),
}

impl From<Diagnostic> for Fail {
    fn from(d: Diagnostic) -> Fail {
        Fail::Diag(Box::new(d))
    }
}

type R<T> = Result<T, Fail>;

struct SymInfo {
    name: String,
    kind: Kind,
    s: TS,
    symmetric: bool,
    spd: bool,
    declared: bool,
    /// Typed scalar by its letter, so it may be promoted.
    soft: bool,
}

struct Ctx<'a> {
    decls: &'a [Decl],
    promoted: &'a HashMap<String, Kind>,
    /// Declared dimension names.
    names: Vec<String>,
    /// Union-find links of the variables: `parent[v] == Var(v)` for a root.
    parent: Vec<D>,
    syms: Vec<SymInfo>,
}

/// Prefix of the placeholder names of variables inside `Eye`/`Ones` before naming.
const PLACEHOLDER: char = '\u{1}';

impl<'a> Ctx<'a> {
    fn new(decls: &'a [Decl], promoted: &'a HashMap<String, Kind>) -> Ctx<'a> {
        Ctx {
            decls,
            promoted,
            names: Vec::new(),
            parent: Vec::new(),
            syms: Vec::new(),
        }
    }

    fn fresh(&mut self) -> D {
        let v = D::Var(self.parent.len());
        self.parent.push(v);
        v
    }

    fn find(&self, mut d: D) -> D {
        // Links only point to older variables or rigid sizes, so this ends.
        for _ in 0..=self.parent.len() {
            match d {
                D::Var(v) => match self.parent.get(v) {
                    Some(&p) if p != d => d = p,
                    _ => return d,
                },
                _ => return d,
            }
        }
        d
    }

    fn unify(&mut self, a: D, b: D) -> bool {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return true;
        }
        match (a, b) {
            (D::Var(_), D::One) | (D::One, D::Var(_)) => false,
            (D::Var(x), D::Var(y)) => {
                // Link the younger to the older, so names follow first appearance.
                let (old, young) = if x < y { (x, y) } else { (y, x) };
                if let Some(p) = self.parent.get_mut(young) {
                    *p = D::Var(old);
                }
                true
            }
            (D::Var(v), other) | (other, D::Var(v)) => {
                if let Some(p) = self.parent.get_mut(v) {
                    *p = other;
                }
                true
            }
            _ => false,
        }
    }

    fn same(&self, a: D, b: D) -> bool {
        self.find(a) == self.find(b)
    }

    fn rigid(&mut self, d: &Dim) -> D {
        match d {
            Dim::One => D::One,
            Dim::Num(1) => D::One,
            Dim::Num(n) => D::Num(*n),
            Dim::Name(s) => match self.names.iter().position(|n| n == s) {
                Some(i) => D::Name(i),
                None => {
                    self.names.push(s.clone());
                    D::Name(self.names.len() - 1)
                }
            },
        }
    }

    /// The shape of symbol `name`, creating it on first appearance.
    fn symbol(&mut self, name: &str) -> TS {
        if let Some(s) = self.syms.iter().find(|s| s.name == name) {
            return s.s;
        }
        let decl = self.decls.iter().find(|d| d.name == name);
        let info = match decl {
            Some(d) => {
                let r = match &d.rows {
                    Some(x) => self.rigid(x),
                    None => self.fresh(),
                };
                let c = match &d.cols {
                    Some(x) => self.rigid(x),
                    None if d.square => r,
                    None => self.fresh(),
                };
                SymInfo {
                    name: name.to_string(),
                    kind: d.kind,
                    s: TS { r, c },
                    symmetric: d.symmetric,
                    spd: d.spd,
                    declared: true,
                    soft: false,
                }
            }
            None => {
                let letter = default_kind(name);
                let kind = self.promoted.get(name).copied().unwrap_or(letter);
                let s = match kind {
                    Kind::Scalar => TS::SCALAR,
                    Kind::Vector => TS {
                        r: self.fresh(),
                        c: D::One,
                    },
                    Kind::Matrix => TS {
                        r: self.fresh(),
                        c: self.fresh(),
                    },
                };
                SymInfo {
                    name: name.to_string(),
                    kind,
                    s,
                    symmetric: false,
                    spd: false,
                    declared: false,
                    soft: letter == Kind::Scalar && kind == Kind::Scalar,
                }
            }
        };
        let s = info.s;
        self.syms.push(info);
        s
    }

    /// Names of the variables: in order of first appearance among the symbols, then the rest.
    fn var_names(&self) -> HashMap<usize, String> {
        let mut taken: HashSet<String> = self.names.iter().cloned().collect();
        taken.extend(self.syms.iter().map(|s| s.name.clone()));
        let mut out = HashMap::new();
        let mut next = 0usize;
        let mut candidate = |taken: &HashSet<String>| loop {
            const FIRST: [&str; 8] = ["n", "m", "p", "q", "r", "s", "k", "l"];
            let name = match FIRST.get(next) {
                Some(n) => (*n).to_string(),
                None => format!("n{}", next - FIRST.len() + 1),
            };
            next += 1;
            if !taken.contains(&name) {
                return name;
            }
        };
        let roots = self
            .syms
            .iter()
            .flat_map(|s| [s.s.r, s.s.c])
            .chain((0..self.parent.len()).map(D::Var))
            .collect::<Vec<_>>();
        for d in roots {
            if let D::Var(v) = self.find(d) {
                if let std::collections::hash_map::Entry::Vacant(e) = out.entry(v) {
                    e.insert(candidate(&taken));
                }
            }
        }
        out
    }

    fn to_dim(&self, d: D, vars: &HashMap<usize, String>) -> Dim {
        match self.find(d) {
            D::One => Dim::One,
            D::Num(n) => Dim::Num(n),
            D::Name(i) => Dim::Name(self.names.get(i).cloned().unwrap_or_default()),
            D::Var(v) => Dim::Name(vars.get(&v).cloned().unwrap_or_else(|| "n".to_string())),
        }
    }

    fn to_shape(&self, s: TS, vars: &HashMap<usize, String>) -> Shape {
        Shape::new(self.to_dim(s.r, vars), self.to_dim(s.c, vars))
    }

    /// The shape as users read it: "matrix n×m", "vector p×1", "scalar".
    fn show(&self, s: TS) -> String {
        self.to_shape(s, &self.var_names()).to_string()
    }

    fn show_dim(&self, d: D) -> String {
        self.to_dim(d, &self.var_names()).to_string()
    }

    /// A dimension inside `Eye`/`Ones`, resolved when the expression is finished.
    fn placeholder(&self, d: D) -> Dim {
        match self.find(d) {
            D::Var(v) => Dim::Name(format!("{PLACEHOLDER}{v}")),
            other => self.to_dim(other, &HashMap::new()),
        }
    }

    fn eye(&mut self) -> Low {
        let n = self.fresh();
        Low::new(Expr::Eye(self.placeholder(n)), TS { r: n, c: n })
    }

    // -----------------------------------------------------------------------------------------
    // The walk
    // -----------------------------------------------------------------------------------------

    fn lower(&mut self, ast: &Ast) -> R<Low> {
        let ast = ast.strip_parens();
        let span = ast.span.clone();
        match &ast.kind {
            AstKind::Num(x) => Ok(Low::new(Expr::Num(*x), TS::SCALAR)),
            AstKind::Ident(name) => self.ident(name, span),
            AstKind::Neg { arg, .. } => {
                let a = self.lower(arg)?;
                Ok(negate(a))
            }
            AstKind::Pos { arg, .. } => self.lower(arg),
            AstKind::Chain { first, rest } => self.chain(first, rest),
            AstKind::Pow {
                elementwise,
                op,
                base,
                exp,
                exp_span,
            } => {
                let b = self.lower(base)?;
                self.pow(b, base, *elementwise, op, *exp, exp_span)
            }
            AstKind::Transpose { arg, .. } => {
                let a = self.lower(arg)?;
                Ok(Low::new(Expr::t(a.e), TS { r: a.s.c, c: a.s.r }))
            }
            AstKind::Call {
                name,
                name_span,
                args,
                ..
            } => self.call(name, name_span, args, span),
            AstKind::Norm { sub, arg } => {
                let a = self.lower(arg)?;
                let f = if *sub == NormSub::One {
                    Func::Norm1
                } else {
                    Func::Norm2
                };
                Ok(Low::new(Expr::call(f, a.e), TS::SCALAR))
            }
            AstKind::Paren(inner) => self.lower(inner),
            AstKind::Error => Err(Diagnostic::new(span, "syntax error").into()),
        }
    }

    fn ident(&mut self, name: &str, span: Span) -> R<Low> {
        let declared = self.decls.iter().any(|d| d.name == name);
        if !declared && (name == "I" || name == "eye") {
            return Ok(self.eye());
        }
        let caps_run =
            name.len() >= 2 && name.bytes().all(|b| b.is_ascii_uppercase()) && !is_greek(name);
        if !declared && caps_run {
            // AXB: a product of single-letter matrices.
            let mut acc: Option<Low> = None;
            for (i, ch) in name.char_indices() {
                let at = span.start + i..span.start + i + ch.len_utf8();
                let letter = ch.to_string();
                let f = if ch == 'I' && !self.decls.iter().any(|d| d.name == "I") {
                    self.eye()
                } else {
                    let s = self.symbol(&letter);
                    Low::new(Expr::Sym(letter), s)
                };
                acc = Some(match acc {
                    None => f,
                    Some(a) => {
                        self.mul(a, span.start..at.start, f, at.clone(), at.start..at.start)?
                    }
                });
            }
            return acc.ok_or_else(|| Diagnostic::new(span, "empty name").into());
        }
        let s = self.symbol(name);
        Ok(Low::new(Expr::Sym(name.to_string()), s))
    }

    fn chain(&mut self, first: &Ast, rest: &[ChainLink]) -> R<Low> {
        let mut acc = self.lower(first)?;
        let mut acc_span = first.span.clone();
        for (i, link) in rest.iter().enumerate() {
            let rhs = self.lower(&link.rhs)?;
            let rspan = link.rhs.span.clone();
            let op = link.op_span.clone();
            acc = match link.op {
                BinOp::Add | BinOp::Sub => {
                    let lhs_ast = (i == 0).then_some(first);
                    self.add(
                        acc,
                        acc_span.clone(),
                        lhs_ast,
                        rhs,
                        &link.rhs,
                        op,
                        link.op == BinOp::Sub,
                    )?
                }
                BinOp::Mul | BinOp::Implicit => {
                    self.mul(acc, acc_span.clone(), rhs, rspan.clone(), op)?
                }
                BinOp::Div => {
                    if !rhs.s.is_scalar() {
                        return Err(self
                            .mismatch(
                                op,
                                format!(
                                    "cannot divide by a {}: `/` divides by scalars only",
                                    self.show(rhs.s)
                                ),
                                (&acc_span, acc.s),
                                (&rspan, rhs.s),
                            )
                            .with_hint(
                                "for A B⁻¹ write A*inv(B); for elementwise division write ./",
                            )
                            .into());
                    }
                    Low::new(Expr::Div(Box::new(acc.e), Box::new(rhs.e)), acc.s)
                }
                BinOp::HadMul | BinOp::HadDiv => {
                    let div = link.op == BinOp::HadDiv;
                    let s = if acc.s.is_scalar() {
                        rhs.s
                    } else if rhs.s.is_scalar() || self.unify_shapes(acc.s, rhs.s) {
                        acc.s
                    } else {
                        let what = if div {
                            "divide elementwise"
                        } else {
                            "multiply elementwise"
                        };
                        return Err(self
                            .mismatch(
                                op,
                                format!(
                                    "cannot {what} a {} and a {}: the shapes differ",
                                    self.show(acc.s),
                                    self.show(rhs.s)
                                ),
                                (&acc_span, acc.s),
                                (&rspan, rhs.s),
                            )
                            .into());
                    };
                    if div {
                        Low::new(Expr::HadDiv(Box::new(acc.e), Box::new(rhs.e)), s)
                    } else {
                        let mut terms = match acc.e {
                            Expr::Had(v) => v,
                            e => vec![e],
                        };
                        match rhs.e {
                            Expr::Had(v) => terms.extend(v),
                            e => terms.push(e),
                        }
                        Low::new(Expr::Had(terms), s)
                    }
                }
            };
            acc_span.end = rspan.end;
        }
        Ok(acc)
    }

    fn unify_shapes(&mut self, a: TS, b: TS) -> bool {
        // Check first, so a failed unification leaves nothing half done.
        let ok = |x: D, y: D| {
            let (x, y) = (self.find(x), self.find(y));
            x == y
                || matches!(
                    (x, y),
                    (D::Var(_), D::Var(_) | D::Num(_) | D::Name(_))
                        | (D::Num(_) | D::Name(_), D::Var(_))
                )
        };
        if !(ok(a.r, b.r) && ok(a.c, b.c)) {
            return false;
        }
        self.unify(a.r, b.r) && self.unify(a.c, b.c)
    }

    /// A shape error at an operator, with both operands labelled by their shapes.
    fn mismatch(
        &self,
        op: Span,
        message: String,
        lhs: (&Span, TS),
        rhs: (&Span, TS),
    ) -> Diagnostic {
        Diagnostic::new(op, message)
            .with_label(lhs.0.clone(), self.show(lhs.1))
            .with_label(rhs.0.clone(), self.show(rhs.1))
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        a: Low,
        a_span: Span,
        a_ast: Option<&Ast>,
        b: Low,
        b_ast: &Ast,
        op: Span,
        sub: bool,
    ) -> R<Low> {
        let verb = if sub { "subtract" } else { "add" };
        if a.s.is_scalar() != b.s.is_scalar() {
            let (scalar_ast, other) = if a.s.is_scalar() {
                (a_ast, b.s)
            } else {
                (Some(b_ast), a.s)
            };
            if let Some(AstKind::Ident(name)) = scalar_ast.map(|x| &x.strip_parens().kind) {
                let soft = self.syms.iter().any(|s| s.name == *name && s.soft);
                let kind = match (other.r == D::One, other.c == D::One) {
                    (false, true) => Some(Kind::Vector),
                    (false, false) => Some(Kind::Matrix),
                    _ => None,
                };
                if let (true, Some(kind)) = (soft, kind) {
                    return Err(Fail::Promote(name.clone(), kind));
                }
            }
            let (sa, sb) = (self.show(a.s), self.show(b.s));
            let (what, prep) = if sub {
                ("subtract", "from")
            } else {
                ("add", "and")
            };
            let message = if sub {
                format!("cannot {what} a {sb} {prep} a {sa}: matdiff does not broadcast scalars in + and -")
            } else {
                format!("cannot {what} a {sa} {prep} a {sb}: matdiff does not broadcast scalars in + and -")
            };
            let nonscalar = if a.s.is_scalar() { b.s } else { a.s };
            let hint = if nonscalar.c == D::One {
                "to add c to every entry of a vector, write c*vector(1)"
            } else {
                "to add c to every entry of a matrix write c*matrix(1); for c times the identity write c*I"
            };
            return Err(self
                .mismatch(op, message, (&a_span, a.s), (&b_ast.span, b.s))
                .with_hint(hint)
                .into());
        }
        if !self.unify_shapes(a.s, b.s) {
            let (sa, sb) = (self.show(a.s), self.show(b.s));
            let message = if sub {
                format!("cannot subtract a {sb} from a {sa}: the shapes differ")
            } else {
                format!("cannot {verb} a {sa} and a {sb}: the shapes differ")
            };
            return Err(self
                .mismatch(op, message, (&a_span, a.s), (&b_ast.span, b.s))
                .into());
        }
        let s = a.s;
        let mut terms = match a.e {
            Expr::Add(v) => v,
            e => vec![e],
        };
        if sub {
            terms.push(negate(b).e);
        } else {
            match b.e {
                Expr::Add(v) => terms.extend(v),
                e => terms.push(e),
            }
        }
        Ok(Low::new(Expr::Add(terms), s))
    }

    /// Whether a product chain of these shapes is well formed (1×1 factors act as scalars).
    fn chain_ok(&self, shapes: &[TS]) -> bool {
        let mut acc = TS::SCALAR;
        for &s in shapes {
            if acc.is_scalar() {
                acc = s;
            } else if !s.is_scalar() {
                if !self.same(acc.c, s.r) {
                    return false;
                }
                acc = TS { r: acc.r, c: s.c };
            }
        }
        true
    }

    fn mul(&mut self, a: Low, a_span: Span, b: Low, b_span: Span, op: Span) -> R<Low> {
        let s = if a.s.is_scalar() {
            b.s
        } else if b.s.is_scalar() {
            a.s
        } else if self.unify(a.s.c, b.s.r) {
            TS { r: a.s.r, c: b.s.c }
        } else {
            let (sa, sb) = (self.show(a.s), self.show(b.s));
            let (ia, ib) = (self.show_dim(a.s.c), self.show_dim(b.s.r));
            let hint = if a.s.c == D::One && b.s.c == D::One {
                "transpose one side with ': x'*y is an inner product, x*y' an outer product"
            } else {
                "in a product the columns of the left side must match the rows of the right side"
            };
            return Err(self
                .mismatch(
                    op,
                    format!("cannot multiply a {sa} by a {sb}: the inner dimensions {ia} and {ib} differ"),
                    (&a_span, a.s),
                    (&b_span, b.s),
                )
                .with_hint(hint)
                .into());
        };
        // Flatten products into one chain where that keeps the chain well formed.
        let a_is_mul = matches!(a.e, Expr::Mul(_));
        let b_is_mul = matches!(b.e, Expr::Mul(_));
        let sa: Vec<TS> = if a_is_mul { a.fs.clone() } else { vec![a.s] };
        let sb: Vec<TS> = if b_is_mul { b.fs.clone() } else { vec![b.s] };
        let joined = |x: &[TS], y: &[TS]| x.iter().chain(y).copied().collect::<Vec<_>>();
        let (flat_a, flat_b) = if self.chain_ok(&joined(&sa, &sb)) {
            (true, true)
        } else if self.chain_ok(&joined(&sa, &[b.s])) {
            (true, false)
        } else if self.chain_ok(&joined(&[a.s], &sb)) {
            (false, true)
        } else {
            (false, false)
        };
        let (mut es, mut fs) = if flat_a {
            a.factors()
        } else {
            (vec![a.e], vec![a.s])
        };
        let (eb, fb) = if flat_b {
            b.factors()
        } else {
            (vec![b.e], vec![b.s])
        };
        es.extend(eb);
        fs.extend(fb);
        Ok(Low {
            e: Expr::Mul(es),
            s,
            fs,
        })
    }

    /// Makes `s` square (tr, det, inv, …) or reports that it cannot be.
    fn square(&mut self, s: TS, what: &str, at: Span, arg_span: Span) -> R<()> {
        if self.unify(s.r, s.c) {
            return Ok(());
        }
        let shown = self.show(s);
        Err(Diagnostic::new(
            at,
            format!("{what} needs a square matrix, but its argument is a {shown}"),
        )
        .with_label(arg_span, shown)
        .into())
    }

    fn pow(
        &mut self,
        b: Low,
        base: &Ast,
        elementwise: bool,
        op: &Span,
        exp: Exponent,
        exp_span: &Span,
    ) -> R<Low> {
        let c = match exp {
            Exponent::Transpose => return Ok(Low::new(Expr::t(b.e), TS { r: b.s.c, c: b.s.r })),
            Exponent::Invalid => {
                return Err(
                    Diagnostic::new(exp_span.clone(), "the exponent must be a number").into(),
                )
            }
            Exponent::Const(c) => c,
        };
        if elementwise {
            return Ok(Low::new(Expr::HadPow(Box::new(b.e), c), b.s));
        }
        if b.s.is_scalar() {
            return Ok(Low::new(Expr::Pow(Box::new(b.e), c), b.s));
        }
        let shown = self.show(b.s);
        if b.s.r == D::One || b.s.c == D::One {
            return Err(Diagnostic::new(op.clone(), format!("cannot raise a {shown} to a power"))
                .with_label(base.span.clone(), shown)
                .with_hint("for elementwise powers write x.^2; for the squared length write x'*x or ||x||^2")
                .into());
        }
        if c.fract() != 0.0 {
            return Err(Diagnostic::new(
                exp_span.clone(),
                format!("a matrix can only be raised to an integer power, not {c}"),
            )
            .with_label(base.span.clone(), shown)
            .with_hint(format!("for elementwise powers write .^{c}"))
            .into());
        }
        if c.abs() > MAX_MATRIX_POWER {
            return Err(Diagnostic::new(
                exp_span.clone(),
                format!("matrix powers are limited to ±{MAX_MATRIX_POWER}, not {c}"),
            )
            .into());
        }
        self.square(b.s, "a matrix power", op.clone(), base.span.clone())?;
        let s = b.s;
        Ok(match c {
            0.0 => Low::new(Expr::Eye(self.placeholder(s.r)), s),
            1.0 => b,
            -1.0 => Low::new(Expr::inv(b.e), s),
            c if c >= 2.0 => Low::new(Expr::Pow(Box::new(b.e), c), s),
            c => Low::new(Expr::inv(Expr::Pow(Box::new(b.e), -c)), s),
        })
    }

    fn call(&mut self, name: &str, name_span: &Span, args: &[Ast], span: Span) -> R<Low> {
        match name {
            "eye" => return self.eye_call(args, span),
            "vector" | "matrix" => return self.ones_call(name, args, span),
            _ => {}
        }
        let arg = match args {
            [a] => a,
            [] => {
                return Err(Diagnostic::new(
                    name_span.clone(),
                    format!("`{name}` needs an argument"),
                )
                .with_hint(format!("write it like {name}(X)"))
                .into())
            }
            [_, second, ..] => {
                let extra = second.span.start..args.last().map_or(second.span.end, |a| a.span.end);
                return Err(
                    Diagnostic::new(extra, format!("`{name}` takes one argument"))
                        .with_label(name_span.clone(), format!("`{name}` is called here"))
                        .into(),
                );
            }
        };
        // log(det(X)) and log det(X) are logdet(X).
        if name == "log" || name == "ln" {
            if let AstKind::Call {
                name: inner,
                name_span: inner_span,
                args: inner_args,
                ..
            } = &arg.strip_parens().kind
            {
                if inner == "det" {
                    if let [x] = inner_args.as_slice() {
                        let a = self.lower(x)?;
                        self.square(a.s, "log det", inner_span.clone(), x.span.clone())?;
                        return Ok(Low::new(Expr::call(Func::LogDet, a.e), TS::SCALAR));
                    }
                }
            }
        }
        let a = self.lower(arg)?;
        let at = name_span.clone();
        let arg_span = arg.span.clone();
        if name == "inv" {
            self.square(a.s, "inv", at, arg_span)?;
            let s = a.s;
            return Ok(Low::new(Expr::inv(a.e), s));
        }
        let f = if name == "logdet" {
            Func::LogDet
        } else {
            Func::from_name(name).unwrap_or(Func::Exp)
        };
        match f {
            Func::Tr | Func::Det | Func::LogDet => {
                self.square(a.s, &format!("`{name}`"), at, arg_span)?;
                Ok(Low::new(Expr::call(f, a.e), TS::SCALAR))
            }
            Func::Sum | Func::Norm1 | Func::Norm2 => Ok(Low::new(Expr::call(f, a.e), TS::SCALAR)),
            Func::Diag | Func::DiagOf => {
                let s = a.s;
                if s.is_scalar() || s.r == D::One {
                    let shown = self.show(s);
                    return Err(Diagnostic::new(
                        at,
                        format!("diag takes a column vector or a square matrix, not a {shown}"),
                    )
                    .with_label(arg_span, shown)
                    .into());
                }
                if s.c == D::One {
                    Ok(Low::new(Expr::call(Func::Diag, a.e), TS { r: s.r, c: s.r }))
                } else {
                    self.square(s, "diag of a matrix", at, arg_span)?;
                    Ok(Low::new(
                        Expr::call(Func::DiagOf, a.e),
                        TS { r: s.r, c: D::One },
                    ))
                }
            }
            _ => {
                let s = a.s;
                Ok(Low::new(Expr::call(f, a.e), s))
            }
        }
    }

    fn eye_call(&mut self, args: &[Ast], span: Span) -> R<Low> {
        match args {
            [] => Ok(self.eye()),
            [a] => match fold_const(a) {
                Some(k) if k.fract() == 0.0 && (2.0..=MAX_DIM as f64).contains(&k) => {
                    let n = D::Num(k as usize);
                    Ok(Low::new(Expr::Eye(Dim::Num(k as usize)), TS { r: n, c: n }))
                }
                _ => Err(Diagnostic::new(
                    a.span.clone(),
                    "the size of eye(·) must be a whole number from 2 to 1000",
                )
                .with_hint("or write I (or eye) alone and let the size be inferred")
                .into()),
            },
            _ => Err(Diagnostic::new(span, "eye takes at most one argument, its size").into()),
        }
    }

    fn ones_call(&mut self, name: &str, args: &[Ast], span: Span) -> R<Low> {
        let c = match args {
            [] => 1.0,
            [a] => match fold_const(a) {
                Some(c) => c,
                None => {
                    return Err(Diagnostic::new(
                        a.span.clone(),
                        format!("{name}(c) takes a number c"),
                    )
                    .with_hint(format!(
                        "{name}(c) is the {name} with every entry c, of inferred size"
                    ))
                    .into())
                }
            },
            _ => return Err(Diagnostic::new(span, format!("{name}(c) takes one number")).into()),
        };
        let s = if name == "vector" {
            TS {
                r: self.fresh(),
                c: D::One,
            }
        } else {
            TS {
                r: self.fresh(),
                c: self.fresh(),
            }
        };
        let ones = Expr::Ones(Shape::new(self.placeholder(s.r), self.placeholder(s.c)));
        if c == 1.0 {
            return Ok(Low::new(ones, s));
        }
        Ok(Low {
            e: Expr::Mul(vec![Expr::Num(c), ones]),
            s,
            fs: vec![TS::SCALAR, s],
        })
    }

    // -----------------------------------------------------------------------------------------
    // Finishing: scalar check, caps, names, symbol table, variable
    // -----------------------------------------------------------------------------------------

    fn finish(&self, low: Low, ast: &Ast, wrt: Option<&str>) -> Result<Problem, Diagnostic> {
        let whole = ast.span.clone();
        if !low.s.is_scalar() {
            let shown = self.show(low.s);
            let hint = if low.s.c == D::One || low.s.r == D::One {
                "wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)"
            } else {
                "wrap it in tr(·), sum(·) or ||·||_F"
            };
            return Err(Diagnostic::new(
                whole,
                format!("the expression is a {shown}; matdiff differentiates scalar functions"),
            )
            .with_hint(hint));
        }
        let size = low.e.size();
        if size > MAX_NODES {
            return Err(Diagnostic::new(
                whole,
                format!("the expression is too large ({size} nodes; the limit is {MAX_NODES})"),
            ));
        }
        let depth = expr_depth(&low.e);
        if depth > MAX_DEPTH {
            return Err(Diagnostic::new(
                whole,
                format!(
                    "the expression is nested too deeply (depth {depth}; the limit is {MAX_DEPTH})"
                ),
            ));
        }
        let vars = self.var_names();
        let mut expr = low.e;
        self.patch(&mut expr, &vars);
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
                    declared: s.declared,
                })
                .collect(),
        };
        let wrt = choose_wrt(&symbols, wrt, whole)?;
        Ok(Problem { expr, symbols, wrt })
    }

    /// Replaces the placeholder dimensions of `Eye`/`Ones` by their final names.
    fn patch(&self, e: &mut Expr, vars: &HashMap<usize, String>) {
        let fix = |d: &mut Dim| {
            if let Dim::Name(n) = d {
                if let Some(v) = n
                    .strip_prefix(PLACEHOLDER)
                    .and_then(|v| v.parse::<usize>().ok())
                {
                    *d = self.to_dim(D::Var(v), vars);
                }
            }
        };
        match e {
            Expr::Eye(d) => fix(d),
            Expr::Ones(s) => {
                fix(&mut s.rows);
                fix(&mut s.cols);
            }
            Expr::Num(_) | Expr::Sym(_) => {}
            Expr::Add(v) | Expr::Mul(v) | Expr::Had(v) => {
                v.iter_mut().for_each(|x| self.patch(x, vars))
            }
            Expr::Div(a, b) | Expr::HadDiv(a, b) => {
                self.patch(a, vars);
                self.patch(b, vars);
            }
            Expr::HadPow(a, _)
            | Expr::Pow(a, _)
            | Expr::Transpose(a)
            | Expr::Inv(a)
            | Expr::Call(_, a)
            | Expr::D(a) => self.patch(a, vars),
        }
    }
}

/// `-e`: a negated number, or `-1` prepended to the product.
fn negate(a: Low) -> Low {
    if let Expr::Num(x) = a.e {
        return Low::new(Expr::Num(-x), a.s);
    }
    let s = a.s;
    let (mut es, mut fs) = (vec![Expr::Num(-1.0)], vec![TS::SCALAR]);
    let (e2, f2) = a.factors();
    es.extend(e2);
    fs.extend(f2);
    Low {
        e: Expr::Mul(es),
        s,
        fs,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    /// Lowers and renders the expression, the symbol table and the variable, or the diagnostics.
    fn check_with(input: &str, decls: &str, wrt: Option<&str>, expect: Expect) {
        let out = match lower(input, decls, wrt) {
            Ok(p) => {
                let mut out = sexpr(&p.expr);
                out.push('\n');
                for s in &p.symbols.symbols {
                    let _ = write!(
                        out,
                        "{}: {} {}×{}",
                        s.name, s.kind, s.shape.rows, s.shape.cols
                    );
                    for (on, w) in [
                        (s.declared, "declared"),
                        (s.symmetric, "symmetric"),
                        (s.spd, "spd"),
                    ] {
                        if on {
                            let _ = write!(out, " {w}");
                        }
                    }
                    out.push('\n');
                }
                let _ = writeln!(out, "wrt {}", p.wrt);
                out
            }
            Err(diags) => diags
                .iter()
                .map(|d| match d.source {
                    Source::Expr => d.render(input),
                    Source::Decls => format!("[decls] {}", d.render(decls)),
                    Source::Other => format!("[other] {}", d.render("")),
                })
                .collect(),
        };
        expect.assert_eq(&out);
    }

    fn check(input: &str, expect: Expect) {
        check_with(input, "", None, expect);
    }

    #[test]
    fn note_examples() {
        check(
            "||A*x - b||^2",
            expect![[r#"
                (^ (norm2 (+ (* A x) (* -1 b))) 2)
                A: matrix n×m
                x: vector m×1
                b: vector n×1
                wrt x
            "#]],
        );
        check(
            "tr(A*X*B)",
            expect![[r#"
                (tr (* A X B))
                A: matrix n×m
                X: matrix m×p
                B: matrix p×n
                wrt X
            "#]],
        );
        check(
            "logdet(X'*X)",
            expect![[r#"
                (logdet (* (' X) X))
                X: matrix n×m
                wrt X
            "#]],
        );
        check_with(
            "||A*x - b||^2",
            "b: vector",
            None,
            expect![[r#"
            (^ (norm2 (+ (* A x) (* -1 b))) 2)
            A: matrix n×m
            x: vector m×1
            b: vector n×1 declared
            wrt x
        "#]],
        );
    }
}
