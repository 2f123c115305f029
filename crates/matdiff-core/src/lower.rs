//! Lowering: syntax tree + declarations → typed [`Expr`] and [`SymbolTable`], with dimensions inferred by unification.
//!
//! Undeclared symbols are typed by their first letter (see [`default_kind`]); their sizes are
//! dimension variables, unified by the operators. A variable never unifies with the literal 1, so
//! vectors stay vectors; declared sizes and numbers are rigid. Leftover variables are named
//! `n, m, p, q, r, s, k, l, n1, n2, …` in order of first appearance.
//!
//! One relaxation: an undeclared scalar-by-letter symbol (`b`, `lambda`) whose first use is as an
//! operand of `+`/`-` against a vector or matrix is read as a vector or matrix of that shape, so
//! `||A*x - b||^2` works without declaring `b`. A symbol already used as a scalar stays one.

use crate::decls::{default_kind, is_greek, parse_decls, Decl, MAX_DIM};
use crate::diagnostic::{Diagnostic, Source, Span};
use crate::expr::{Dim, Expr, Func, Kind, Problem, Shape, Symbol, SymbolTable};
use crate::funcs::Typing;
use crate::syntax::{fold_const, parse, Ast, AstKind, BinOp, ChainLink, Exponent, NormSub};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::rc::Rc;

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
    let mut cx = Ctx::new(decls);
    match cx.lower(ast) {
        Ok(low) => cx.finish(low, ast, wrt).map_err(|d| vec![d]),
        Err(d) => Err(vec![*d]),
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

/// Lowering stops at the first shape error.
type Fail = Box<Diagnostic>;

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
    /// Occurrences so far.
    uses: usize,
}

struct Ctx<'a> {
    decls: &'a [Decl],
    /// Declared dimension names.
    names: Vec<String>,
    /// Union-find links of the variables: `parent[v] == Var(v)` for a root.
    parent: Vec<D>,
    syms: Vec<SymInfo>,
}

/// Prefix of the placeholder names of variables inside `Eye`/`Ones` before naming.
const PLACEHOLDER: char = '\u{1}';

impl<'a> Ctx<'a> {
    fn new(decls: &'a [Decl]) -> Ctx<'a> {
        Ctx {
            decls,
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
            Dim::Name(s) => match self.names.iter().position(|n| **n == **s) {
                Some(i) => D::Name(i),
                None => {
                    self.names.push(s.to_string());
                    D::Name(self.names.len() - 1)
                }
            },
        }
    }

    /// The shape of symbol `name`, creating it on first appearance.
    fn symbol(&mut self, name: &str) -> TS {
        if let Some(s) = self.syms.iter_mut().find(|s| s.name == name) {
            s.uses += 1;
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
                    uses: 0,
                }
            }
            None => {
                let kind = default_kind(name);
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
                    soft: kind == Kind::Scalar,
                    uses: 0,
                }
            }
        };
        let s = info.s;
        self.syms.push(SymInfo { uses: 1, ..info });
        s
    }

    /// Names of the variables: in order of first appearance among the symbols, then the rest.
    fn var_names(&self) -> HashMap<usize, String> {
        // The names in use, borrowed (a handful: a scan beats hashing copies of them).
        let taken: Vec<&str> = self
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
            D::Name(i) => Dim::Name(self.names.get(i).map_or("", |n| n.as_str()).into()),
            D::Var(v) => Dim::Name(vars.get(&v).map_or("n", |n| n.as_str()).into()),
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
            D::Var(v) => Dim::Name(format!("{PLACEHOLDER}{v}").into()),
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

    /// Lowers one node. The recursion goes through here, so every case lives in its own small
    /// function: deep inputs must fit the stack of a wasm page.
    fn lower(&mut self, ast: &Ast) -> R<Low> {
        let ast = ast.strip_parens();
        match &ast.kind {
            AstKind::Pos { arg, .. } => self.lower(arg),
            AstKind::Chain { first, rest } => self.chain(first, rest),
            AstKind::Neg { arg, .. } => self.lower_neg(arg),
            AstKind::Transpose { arg, .. } => self.lower_transpose(arg),
            AstKind::Norm { sub, arg } => self.lower_norm(*sub, arg),
            AstKind::Pow {
                elementwise,
                op,
                base,
                exp,
                exp_span,
            } => self.lower_pow(base, *elementwise, op, *exp, exp_span),
            AstKind::Call {
                name,
                name_span,
                args,
                ..
            } => self.call(name, name_span, args, &ast.span),
            _ => self.lower_leaf(ast),
        }
    }

    #[inline(never)]
    fn lower_leaf(&mut self, ast: &Ast) -> R<Low> {
        match &ast.kind {
            AstKind::Num(x) => Ok(Low::new(Expr::Num(*x), TS::SCALAR)),
            AstKind::Ident(name) => self.ident(name, ast.span.clone()),
            _ => Err(Diagnostic::new(ast.span.clone(), "syntax error").into()),
        }
    }

    #[inline(never)]
    fn lower_neg(&mut self, arg: &Ast) -> R<Low> {
        self.lower(arg).map(negate)
    }

    #[inline(never)]
    fn lower_transpose(&mut self, arg: &Ast) -> R<Low> {
        self.lower(arg)
            .map(|a| Low::new(Expr::t(a.e), TS { r: a.s.c, c: a.s.r }))
    }

    #[inline(never)]
    fn lower_norm(&mut self, sub: NormSub, arg: &Ast) -> R<Low> {
        let f = if sub == NormSub::One {
            Func::Norm1
        } else {
            Func::Norm2
        };
        self.lower(arg)
            .map(|a| Low::new(Expr::call(f, a.e), TS::SCALAR))
    }

    #[inline(never)]
    fn lower_pow(
        &mut self,
        base: &Ast,
        elementwise: bool,
        op: &Span,
        exp: Exponent,
        exp_span: &Span,
    ) -> R<Low> {
        let b = self.lower(base)?;
        self.pow(b, base, elementwise, op, exp, exp_span)
    }

    fn ident(&mut self, name: &str, span: Span) -> R<Low> {
        let declared = self.decls.iter().any(|d| d.name == name);
        if !declared && (name == "I" || name == "eye") {
            return Ok(self.eye());
        }
        match implicit_parts(name) {
            Some(parts) if !declared => {
                // `AXB`, `Ax`, `xAx`: a product of the parts.
                let mut acc: Option<Low> = None;
                for (i, part) in parts {
                    let at = span.start + i..span.start + i + part.len();
                    let f = if part == "I" && !self.decls.iter().any(|d| d.name == "I") {
                        self.eye()
                    } else {
                        let s = self.symbol(part);
                        Low::new(Expr::Sym(part.into()), s)
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
            _ => {}
        }
        let s = self.symbol(name);
        Ok(Low::new(Expr::sym(name), s))
    }

    #[inline(never)]
    fn chain(&mut self, first: &Ast, rest: &[ChainLink]) -> R<Low> {
        let mut acc = self.lower(first)?;
        let mut acc_span = first.span.clone();
        for (i, link) in rest.iter().enumerate() {
            let rhs = self.lower(&link.rhs)?;
            acc = self.combine(acc, &acc_span, (i == 0).then_some(first), rhs, link)?;
            acc_span.end = link.rhs.span.end;
        }
        Ok(acc)
    }

    /// `acc op rhs` for one link of a chain.
    #[inline(never)]
    fn combine(
        &mut self,
        acc: Low,
        acc_span: &Span,
        first: Option<&Ast>,
        rhs: Low,
        link: &ChainLink,
    ) -> R<Low> {
        let acc_span = acc_span.clone();
        {
            {
                let rspan = link.rhs.span.clone();
                let op = link.op_span.clone();
                let acc = match link.op {
                    BinOp::Add | BinOp::Sub => {
                        let lhs_ast = first;
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
                        nonzero_divisor(&link.rhs)?;
                        Low::new(Expr::Div(Rc::new(acc.e), Rc::new(rhs.e)), acc.s)
                    }
                    // A scalar operand of `.*` or `./` is a scalar factor: `s .* M` is `s*M`,
                    // `M ./ s` is `M/s` and `s ./ M` is `s*(1 ./ M)`, so the rules for scalar
                    // factors (not those for Hadamard products of matrices) apply.
                    BinOp::HadMul if acc.s.is_scalar() || rhs.s.is_scalar() => {
                        self.mul(acc, acc_span.clone(), rhs, rspan.clone(), op)?
                    }
                    BinOp::HadDiv if rhs.s.is_scalar() => {
                        nonzero_divisor(&link.rhs)?;
                        Low::new(Expr::Div(Rc::new(acc.e), Rc::new(rhs.e)), acc.s)
                    }
                    BinOp::HadDiv if acc.s.is_scalar() => {
                        let s = rhs.s;
                        let ones = Expr::Ones(Rc::new(Shape::new(
                            self.placeholder(s.r),
                            self.placeholder(s.c),
                        )));
                        let recip = Expr::HadDiv(Rc::new(ones), Rc::new(rhs.e));
                        if acc.e.is_one() {
                            Low::new(recip, s)
                        } else {
                            Low {
                                e: Expr::Mul(vec![acc.e, recip]),
                                s,
                                fs: vec![TS::SCALAR, s],
                            }
                        }
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
                            Low::new(Expr::HadDiv(Rc::new(acc.e), Rc::new(rhs.e)), s)
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
                Ok(acc)
            }
        }
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
        mut a: Low,
        a_span: Span,
        a_ast: Option<&Ast>,
        mut b: Low,
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
                    // Only when this is its first use: a symbol already used as a scalar stays one.
                    if let Some(s) = self.promote(name, kind) {
                        if a.s.is_scalar() {
                            a.s = s;
                        } else {
                            b.s = s;
                        }
                        return self.add(a, a_span, a_ast, b, b_ast, op, sub);
                    }
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
            } else if nonscalar.r == D::One {
                "to add c to every entry of a row vector, write c*vector(1)'"
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

    /// Retypes a letter-typed scalar symbol seen once as a vector or matrix; `None` if it was used before.
    fn promote(&mut self, name: &str, kind: Kind) -> Option<TS> {
        let i = self
            .syms
            .iter()
            .position(|s| s.name == name && s.soft && s.uses == 1)?;
        let r = self.fresh();
        let c = if kind == Kind::Vector {
            D::One
        } else {
            self.fresh()
        };
        let s = TS { r, c };
        let info = self.syms.get_mut(i)?;
        info.kind = kind;
        info.s = s;
        info.soft = false;
        Some(s)
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
            return Ok(Low::new(Expr::HadPow(Rc::new(b.e), c), b.s));
        }
        if b.s.is_scalar() {
            return Ok(Low::new(Expr::Pow(Rc::new(b.e), c), b.s));
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
            c if c >= 2.0 => Low::new(Expr::Pow(Rc::new(b.e), c), s),
            c => Low::new(Expr::inv(Expr::Pow(Rc::new(b.e), -c)), s),
        })
    }

    #[inline(never)]
    fn call(&mut self, name: &str, name_span: &Span, args: &[Ast], span: &Span) -> R<Low> {
        match name {
            "eye" => return self.eye_call(args, span.clone()),
            "vector" | "matrix" => return self.ones_call(name, args, span.clone()),
            _ => {}
        }
        let [arg] = args else {
            return Err(bad_arity(name, name_span, args));
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
                if let ("det", [x]) = (inner.as_str(), inner_args.as_slice()) {
                    return self.log_det(inner_span, x);
                }
            }
        }
        let a = self.lower(arg)?;
        self.apply(name, name_span, a, arg)
    }

    #[inline(never)]
    fn log_det(&mut self, det_span: &Span, x: &Ast) -> R<Low> {
        let a = self.lower(x)?;
        self.square(a.s, "log det", det_span.clone(), x.span.clone())?;
        Ok(Low::new(Expr::call(Func::LogDet, a.e), TS::SCALAR))
    }

    /// Applies the function `name` to its lowered argument.
    #[inline(never)]
    fn apply(&mut self, name: &str, name_span: &Span, a: Low, arg: &Ast) -> R<Low> {
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
        match f.info().typing {
            Typing::SquareToScalar => {
                self.square(a.s, &format!("`{name}`"), at, arg_span)?;
                Ok(Low::new(Expr::call(f, a.e), TS::SCALAR))
            }
            Typing::SquareToSquare => {
                self.square(a.s, &format!("`{name}`"), at, arg_span)?;
                let s = a.s;
                Ok(Low::new(Expr::call(f, a.e), s))
            }
            Typing::AnyToScalar => Ok(Low::new(Expr::call(f, a.e), TS::SCALAR)),
            Typing::VectorToDiagonal | Typing::DiagonalOf => {
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
            Typing::Elementwise => {
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
        let ones = Expr::Ones(Rc::new(Shape::new(
            self.placeholder(s.r),
            self.placeholder(s.c),
        )));
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
                .with_hint("name a part of the product with one symbol, or split the expression"));
            }
        }
        if nested > MAX_NESTED_FUNCTIONS {
            return Err(Diagnostic::new(
                whole,
                format!(
                    "functions, inverses and transposes are nested {nested} deep; the limit is {MAX_NESTED_FUNCTIONS}"
                ),
            )
            .with_hint("name an inner part with one symbol, or simplify the nesting"));
        }
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
                let s = Rc::make_mut(s);
                fix(&mut s.rows);
                fix(&mut s.cols);
            }
            Expr::Num(_) | Expr::Sym(_) => {}
            Expr::Add(v) | Expr::Mul(v) | Expr::Had(v) => {
                v.iter_mut().for_each(|x| self.patch(x, vars))
            }
            Expr::Div(a, b) | Expr::HadDiv(a, b) => {
                self.patch(Rc::make_mut(a), vars);
                self.patch(Rc::make_mut(b), vars);
            }
            Expr::HadPow(a, _)
            | Expr::Pow(a, _)
            | Expr::Transpose(a)
            | Expr::Inv(a)
            | Expr::Call(_, a)
            | Expr::D(a) => self.patch(Rc::make_mut(a), vars),
        }
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

#[cold]
#[inline(never)]
fn bad_arity(name: &str, name_span: &Span, args: &[Ast]) -> Fail {
    match args {
        [] => Diagnostic::new(name_span.clone(), format!("`{name}` needs an argument"))
            .with_hint(format!("write it like {name}(X)"))
            .into(),
        [_, second, ..] => {
            let extra = second.span.start..args.last().map_or(second.span.end, |a| a.span.end);
            Diagnostic::new(extra, format!("`{name}` takes one argument"))
                .with_label(name_span.clone(), format!("`{name}` is called here"))
                .into()
        }
        [_] => Diagnostic::new(name_span.clone(), "internal: bad arity").into(),
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

/// Refuses a divisor that is a literal zero (`a/0`, `x./(1-1)`), where it is written.
fn nonzero_divisor(divisor: &Ast) -> Result<(), Diagnostic> {
    if fold_const(divisor) == Some(0.0) {
        return Err(Diagnostic::new(divisor.span.clone(), "division by zero")
            .with_hint("f is undefined everywhere: divide by a nonzero number"));
    }
    Ok(())
}

/// The parts of a name that reads as an implicit product, with their byte offsets: a name of
/// letters only, with a capital, that is not a Greek name, splits into its capitals (each a
/// matrix) and the runs of small letters between them — `AXB` is A·X·B, `Ax` is A·x, `xAx` is
/// x·A·x, `lambdaI` is λ·I, `SigmaX` is Σ·X. A run of small letters stays one part, as `xy` alone
/// is one name, and must be a single letter or a Greek name; otherwise (`Xtrain`, `Sigmax`) the
/// name is one symbol.
/// `None` for a name that is not such a product (one part, or not of this form).
fn implicit_parts(name: &str) -> Option<Vec<(usize, &str)>> {
    if name.len() < 2
        || !name.bytes().all(|b| b.is_ascii_alphabetic())
        || !name.bytes().any(|b| b.is_ascii_uppercase())
        || is_greek(name)
    {
        return None;
    }
    let bytes = name.as_bytes();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let mut j = i + 1;
        if bytes[i].is_ascii_uppercase() {
            // An upper-case Greek name (`Sigma`) followed by a capital or the end is one part.
            if let Some(k) = (i + 2..=bytes.len()).rev().find(|&k| {
                is_greek(&name[i..k]) && (k == bytes.len() || bytes[k].is_ascii_uppercase())
            }) {
                j = k;
            }
        } else {
            while j < bytes.len() && bytes[j].is_ascii_lowercase() {
                j += 1;
            }
            let run = &name[i..j];
            if run.len() > 1 && !is_greek(run) {
                return None;
            }
        }
        parts.push((i, &name[i..j]));
        i = j;
    }
    (parts.len() > 1).then_some(parts)
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

    #[test]
    fn operators() {
        check(
            "a*x'*x + b - c/2",
            expect![[r#"
            (+ (* a (' x) x) b (* -1 (/ c 2)))
            a: scalar 1×1
            x: vector n×1
            b: scalar 1×1
            c: scalar 1×1
            wrt x
        "#]],
        );
        check(
            "x .* y ./ z .* w + x.^2",
            expect![[r#"
            error: the expression is a vector n×1; matdiff differentiates scalar functions
              | x .* y ./ z .* w + x.^2
              | ^^^^^^^^^^^^^^^^^^^^^^^
              = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
        "#]],
        );
        check(
            "-x'*y - -a",
            expect![[r#"
            (+ (* -1 (' x) y) (* -1 -1 a))
            x: vector n×1
            y: vector n×1
            a: scalar 1×1
            wrt x
        "#]],
        );
        check(
            "-(A*x)'*(B*y)",
            expect![[r#"
            (* -1 (' (* A x)) B y)
            A: matrix n×m
            x: vector m×1
            B: matrix n×p
            y: vector p×1
            wrt x
        "#]],
        );
        check(
            "x'*(A + B')*x",
            expect![[r#"
            (* (' x) (+ A (' B)) x)
            x: vector n×1
            A: matrix n×n
            B: matrix n×n
            wrt x
        "#]],
        );
        check(
            "a^2 + a^0.5 + a^-1",
            expect![[r#"
            (+ (^ a 2) (^ a 0.5) (^ a -1))
            a: scalar 1×1
            wrt a
        "#]],
        );
        check(
            "sum(exp(x) .* sin(x)) + sum(sqrt(abs(X)))",
            expect![[r#"
            (+ (sum (.* (exp x) (sin x))) (sum (sqrt (abs X))))
            x: vector n×1
            X: matrix m×p
            wrt X
        "#]],
        );
        check(
            "+x'x",
            expect![[r#"
            (* (' x) x)
            x: vector n×1
            wrt x
        "#]],
        );
    }

    #[test]
    fn implicit_products_and_axb() {
        check(
            "x'A x",
            expect![[r#"
            (* (' x) A x)
            x: vector n×1
            A: matrix n×n
            wrt x
        "#]],
        );
        check(
            "2x'x",
            expect![[r#"
            (* 2 (' x) x)
            x: vector n×1
            wrt x
        "#]],
        );
        check(
            "tr(AXB)",
            expect![[r#"
            (tr (* A X B))
            A: matrix n×m
            X: matrix m×p
            B: matrix p×n
            wrt X
        "#]],
        );
        check(
            "tr(A(X+B)C)",
            expect![[r#"
            (tr (* A (+ X B) C))
            A: matrix n×m
            X: matrix m×p
            B: matrix m×p
            C: matrix p×n
            wrt X
        "#]],
        );
        // Mixed-case names read as products too: capitals, single small letters, Greek names.
        check(
            "||Ax - b||^2",
            expect![[r#"
                (^ (norm2 (+ (* A x) (* -1 b))) 2)
                A: matrix n×m
                x: vector m×1
                b: vector n×1
                wrt x
            "#]],
        );
        check(
            "x'Ax",
            expect![[r#"
                (* (' x) A x)
                x: vector n×1
                A: matrix n×n
                wrt x
            "#]],
        );
        check(
            "tr(ASigmaX) + tr(lambdaI)",
            expect![[r#"
                (+ (tr (* A Sigma X)) (tr (* lambda (I q))))
                A: matrix n×m
                Sigma: matrix m×p
                X: matrix p×n
                lambda: scalar 1×1
                wrt X
            "#]],
        );
        // Dividing by a literal zero is refused where it is written.
        check(
            "a/0 + x'*x./(1-1)",
            expect![[r#"
                error: division by zero
                  | a/0 + x'*x./(1-1)
                  |   ^
                  = hint: f is undefined everywhere: divide by a nonzero number
            "#]],
        );
        check(
            "x'*x./(1-1)",
            expect![[r#"
                error: division by zero
                  | x'*x./(1-1)
                  |       ^^^^^
                  = hint: f is undefined everywhere: divide by a nonzero number
            "#]],
        );
        // Not products: a run of small letters that is neither one letter nor Greek.
        check(
            "tr(Xtrain) + sum(Sigmax)",
            expect![[r#"
                (+ (tr Xtrain) (sum Sigmax))
                Xtrain: matrix n×n
                Sigmax: matrix m×p
                wrt Xtrain
            "#]],
        );
        check(
            "tr(AXIB)",
            expect![[r#"
            (tr (* A X (I p) B))
            A: matrix n×m
            X: matrix m×p
            B: matrix p×n
            wrt X
        "#]],
        );
        check_with(
            "tr(AB)",
            "AB: 3x3",
            None,
            expect![[r#"
            (tr AB)
            AB: matrix 3×3 declared
            wrt AB
        "#]],
        );
        check_with(
            "tr(AXB)",
            "A: 2x3, B: 4x2",
            None,
            expect![[r#"
            (tr (* A X B))
            A: matrix 2×3 declared
            X: matrix 3×4
            B: matrix 4×2 declared
            wrt X
        "#]],
        );
        check(
            "tr(Sigma X) + tr(Lambda)",
            expect![[r#"
            (+ (tr (* Sigma X)) (tr Lambda))
            Sigma: matrix n×m
            X: matrix m×n
            Lambda: matrix p×p
            wrt X
        "#]],
        );
    }

    #[test]
    fn flattening() {
        // A product in parentheses joins the chain; a scalar sub-product used as a scalar does not.
        check(
            "x'*(A*(B*x))",
            expect![[r#"
            (* (' x) A B x)
            x: vector n×1
            A: matrix n×m
            B: matrix m×n
            wrt x
        "#]],
        );
        check(
            "sum(A*(x'*y))",
            expect![[r#"
            (sum (* A (* (' x) y)))
            A: matrix n×m
            x: vector p×1
            y: vector p×1
            wrt x
        "#]],
        );
        check(
            "(x'*y)*(z'*w)",
            expect![[r#"
            (* (' x) y (' z) w)
            x: vector n×1
            y: vector n×1
            z: vector m×1
            w: vector m×1
            wrt x
        "#]],
        );
        check(
            "a + (b + c) - (d - e)",
            expect![[r#"
            (+ a b c (* -1 (+ d (* -1 e))))
            a: scalar 1×1
            b: scalar 1×1
            c: scalar 1×1
            d: scalar 1×1
            e: scalar 1×1
            wrt a
        "#]],
        );
        check(
            "sum(x .* (y .* z))",
            expect![[r#"
            (sum (.* x y z))
            x: vector n×1
            y: vector n×1
            z: vector n×1
            wrt x
        "#]],
        );
    }

    #[test]
    fn transposes_inverses_powers() {
        check(
            "tr(X^T A) + tr(X' B) + tr(X^{T} C)",
            expect![[r#"
            (+ (tr (* (' X) A)) (tr (* (' X) B)) (tr (* (' X) C)))
            X: matrix n×m
            A: matrix n×m
            B: matrix n×m
            C: matrix n×m
            wrt X
        "#]],
        );
        check(
            "tr(X^-1) + tr(X^{-1}) + tr(inv(X))",
            expect![[r#"
            (+ (tr (inv X)) (tr (inv X)) (tr (inv X)))
            X: matrix n×n
            wrt X
        "#]],
        );
        check(
            "tr(X^3) + tr(X^-2) + tr(X^0) + tr(X^1)",
            expect![[r#"
            (+ (tr (^ X 3)) (tr (inv (^ X 2))) (tr (I n)) (tr X))
            X: matrix n×n
            wrt X
        "#]],
        );
        check(
            "sum(X.^0.5)",
            expect![[r#"
            (sum (.^ X 0.5))
            X: matrix n×m
            wrt X
        "#]],
        );
        check(
            "tr(A^0.5)",
            expect![[r#"
            error: a matrix can only be raised to an integer power, not 0.5
              | tr(A^0.5)
              |      ^^^
              |    - matrix n×m
              = hint: for elementwise powers write .^0.5
        "#]],
        );
        check(
            "x^2",
            expect![[r#"
            error: cannot raise a vector n×1 to a power
              | x^2
              |  ^
              | - vector n×1
              = hint: for elementwise powers write x.^2; for the squared length write x'*x or ||x||^2
        "#]],
        );
        check(
            "tr(A^2)",
            expect![[r#"
            (tr (^ A 2))
            A: matrix n×n
            wrt A
        "#]],
        );
        check_with(
            "tr(A^2)",
            "A: 3x4",
            None,
            expect![[r#"
            error: a matrix power needs a square matrix, but its argument is a matrix 3×4
              | tr(A^2)
              |     ^
              |    - matrix 3×4
        "#]],
        );
        check(
            "tr(X^200)",
            expect![[r#"
            error: matrix powers are limited to ±50, not 200
              | tr(X^200)
              |      ^^^
        "#]],
        );
    }

    #[test]
    fn functions() {
        check(
            "log det(X) + log(det(X)) + logdet(X) + ln(det(Y))",
            expect![[r#"
                (+ (logdet X) (logdet X) (logdet X) (logdet Y))
                X: matrix n×n
                Y: matrix m×m
                wrt X
            "#]],
        );
        check(
            "log(x'x) + det(X)",
            expect![[r#"
            (+ (log (* (' x) x)) (det X))
            x: vector n×1
            X: matrix m×m
            wrt X
        "#]],
        );
        check(
            "sum(diag(x)) + sum(diag(X)) + x'diag(X)",
            expect![[r#"
            (+ (sum (diag x)) (sum (diagof X)) (* (' x) (diagof X)))
            x: vector n×1
            X: matrix n×n
            wrt X
        "#]],
        );
        check(
            "tr(diag(x) A)",
            expect![[r#"
            (tr (* (diag x) A))
            x: vector n×1
            A: matrix n×n
            wrt x
        "#]],
        );
        check(
            "diag(a)",
            expect![[r#"
            error: diag takes a column vector or a square matrix, not a scalar
              | diag(a)
              | ^^^^
              |      - scalar
        "#]],
        );
        check(
            "diag(x')",
            expect![[r#"
            error: diag takes a column vector or a square matrix, not a row vector 1×n
              | diag(x')
              | ^^^^
              |      -- row vector 1×n
        "#]],
        );
        check(
            "norm2(x) + norm1(x) + ||X||_F + ||x||_1 + ||a||",
            expect![[r#"
                (+ (norm2 x) (norm1 x) (norm2 X) (norm1 x) (norm2 a))
                x: vector n×1
                X: matrix m×p
                a: scalar 1×1
                wrt X
            "#]],
        );
        check(
            "tr(X + eye) + tr(I*X) + tr(eye(3))",
            expect![[r#"
            (+ (tr (+ X (I n))) (tr (* (I n) X)) (tr (I 3)))
            X: matrix n×n
            wrt X
        "#]],
        );
        check(
            "x'*vector(2) + sum(matrix(3) .* X) + sum(vector())",
            expect![[r#"
                (+ (* (' x) 2 (ones n 1)) (sum (.* (* 3 (ones m p)) X)) (sum (ones q 1)))
                x: vector n×1
                X: matrix m×p
                wrt X
            "#]],
        );
        check(
            "sum(vector(x))",
            expect![[r#"
            error: vector(c) takes a number c
              | sum(vector(x))
              |            ^
              = hint: vector(c) is the vector with every entry c, of inferred size
        "#]],
        );
        check(
            "tr(eye(1))",
            expect![[r#"
            error: the size of eye(·) must be a whole number from 2 to 1000
              | tr(eye(1))
              |        ^
              = hint: or write I (or eye) alone and let the size be inferred
        "#]],
        );
        check(
            "tr(x, y)",
            expect![[r#"
            error: `tr` takes one argument
              | tr(x, y)
              |       ^
              | -- `tr` is called here
        "#]],
        );
        check(
            "tr()",
            expect![[r#"
            error: `tr` needs an argument
              | tr()
              | ^^
              = hint: write it like tr(X)
        "#]],
        );
        check(
            "tr(x)",
            expect![[r#"
            error: `tr` needs a square matrix, but its argument is a vector n×1
              | tr(x)
              | ^^
              |    - vector n×1
        "#]],
        );
        check(
            "det(A) * tr(A)",
            expect![[r#"
            (* (det A) (tr A))
            A: matrix n×n
            wrt A
        "#]],
        );
        check(
            "relu(x)'step(x) + arctan(a) + tanh(b) + sign(c)",
            expect![[r#"
                (+ (* (' (relu x)) (step x)) (arctan a) (tanh b) (sign c))
                x: vector n×1
                a: scalar 1×1
                b: scalar 1×1
                c: scalar 1×1
                wrt x
            "#]],
        );
    }

    #[test]
    fn declarations_and_unification() {
        check_with(
            "x'*A*x",
            "A: 3x4, x: vector 5",
            None,
            expect![[r#"
            error: cannot multiply a row vector 1×5 by a matrix 3×4: the inner dimensions 5 and 3 differ
              | x'*A*x
              |   ^
              | -- row vector 1×5
              |    - matrix 3×4
              = hint: in a product the columns of the left side must match the rows of the right side
        "#]],
        );
        check_with(
            "sum(A*x)",
            "A: 3x4, x: vector 5",
            None,
            expect![[r#"
            error: cannot multiply a matrix 3×4 by a vector 5×1: the inner dimensions 4 and 5 differ
              | sum(A*x)
              |      ^
              |     - matrix 3×4
              |       - vector 5×1
              = hint: in a product the columns of the left side must match the rows of the right side
        "#]],
        );
        check_with(
            "sum(A*x)",
            "A: 3x4",
            None,
            expect![[r#"
            (sum (* A x))
            A: matrix 3×4 declared
            x: vector 4×1
            wrt x
        "#]],
        );
        check_with(
            "x'*S*x + tr(P)",
            "S: symmetric n, P: spd m",
            None,
            expect![[r#"
            (+ (* (' x) S x) (tr P))
            x: vector n×1
            S: matrix n×n declared symmetric
            P: matrix m×m declared symmetric spd
            wrt x
        "#]],
        );
        check_with(
            "x'*S*y",
            "S: symmetric n, y: vector 3",
            None,
            expect![[r#"
            error: cannot multiply a row vector 1×n by a vector 3×1: the inner dimensions n and 3 differ
              | x'*S*y
              |     ^
              | ---- row vector 1×n
              |      - vector 3×1
              = hint: in a product the columns of the left side must match the rows of the right side
        "#]],
        );
        check_with(
            "a*x'x",
            "a: scalar, x: vector n, Z: 2x2",
            None,
            expect![[r#"
            (* a (' x) x)
            a: scalar 1×1 declared
            x: vector n×1 declared
            wrt x
        "#]],
        );
        check_with(
            "tr(A*B)",
            "A: m x n, B: m x n",
            None,
            expect![[r#"
            error: cannot multiply a matrix m×n by a matrix m×n: the inner dimensions n and m differ
              | tr(A*B)
              |     ^
              |    - matrix m×n
              |      - matrix m×n
              = hint: in a product the columns of the left side must match the rows of the right side
        "#]],
        );
        check_with(
            "tr(A*B)",
            "A: m x n",
            None,
            expect![[r#"
            (tr (* A B))
            A: matrix m×n declared
            B: matrix n×m
            wrt A
        "#]],
        );
        check_with(
            "y'*y",
            "y: matrix",
            None,
            expect![[r#"
            error: the expression is a matrix m×m; matdiff differentiates scalar functions
              | y'*y
              | ^^^^
              = hint: wrap it in tr(·), sum(·) or ||·||_F
        "#]],
        );
        check_with(
            "tr(n*N)",
            "",
            None,
            expect![[r#"
            error: cannot multiply a vector m×1 by a matrix p×q: the inner dimensions 1 and p differ
              | tr(n*N)
              |     ^
              |    - vector m×1
              |      - matrix p×q
              = hint: in a product the columns of the left side must match the rows of the right side
        "#]],
        );
        check_with(
            "x'*A*x",
            "A: n",
            None,
            expect![[r#"
            (* (' x) A x)
            x: vector n×1
            A: matrix n×n declared
            wrt x
        "#]],
        );
        check_with(
            "x'*x",
            "x: 3x",
            None,
            expect![[r#"
            [decls] error: expected a second dimension after `x`
              | x: 3x
              |     ^
              = hint: accepted words: scalar, vector, matrix, square, symmetric, spd, and sizes like 3x4, m x n, m*n or n
        "#]],
        );
    }

    #[test]
    fn shape_errors() {
        check(
            "x*y",
            expect![[r#"
            error: cannot multiply a vector n×1 by a vector m×1: the inner dimensions 1 and m differ
              | x*y
              |  ^
              | - vector n×1
              |   - vector m×1
              = hint: transpose one side with ': x'*y is an inner product, x*y' an outer product
        "#]],
        );
        check(
            "x + A*y",
            expect![[r#"
            error: the expression is a vector n×1; matdiff differentiates scalar functions
              | x + A*y
              | ^^^^^^^
              = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
        "#]],
        );
        check(
            "x'x + x",
            expect![[r#"
            error: cannot add a scalar and a vector n×1: matdiff does not broadcast scalars in + and -
              | x'x + x
              |     ^
              | --- scalar
              |       - vector n×1
              = hint: to add c to every entry of a vector, write c*vector(1)
        "#]],
        );
        check(
            "x'x - x + 1",
            expect![[r#"
            error: cannot subtract a vector n×1 from a scalar: matdiff does not broadcast scalars in + and -
              | x'x - x + 1
              |     ^
              | --- scalar
              |       - vector n×1
              = hint: to add c to every entry of a vector, write c*vector(1)
        "#]],
        );
        check(
            "sum(x + 2)",
            expect![[r#"
            error: cannot add a vector n×1 and a scalar: matdiff does not broadcast scalars in + and -
              | sum(x + 2)
              |       ^
              |     - vector n×1
              |         - scalar
              = hint: to add c to every entry of a vector, write c*vector(1)
        "#]],
        );
        check(
            "tr(X + 2)",
            expect![[r#"
            error: cannot add a matrix n×m and a scalar: matdiff does not broadcast scalars in + and -
              | tr(X + 2)
              |      ^
              |    - matrix n×m
              |        - scalar
              = hint: to add c to every entry of a matrix write c*matrix(1); for c times the identity write c*I
        "#]],
        );
        check(
            "sum(x/y)",
            expect![[r#"
            error: cannot divide by a vector m×1: `/` divides by scalars only
              | sum(x/y)
              |      ^
              |     - vector n×1
              |       - vector m×1
              = hint: for A B⁻¹ write A*inv(B); for elementwise division write ./
        "#]],
        );
        check(
            "sum(x .* y')",
            expect![[r#"
            error: cannot multiply elementwise a vector n×1 and a row vector 1×m: the shapes differ
              | sum(x .* y')
              |       ^^
              |     - vector n×1
              |          -- row vector 1×m
        "#]],
        );
        check_with(
            "sum(A .* B)",
            "A: 2x3, B: 3x2",
            None,
            expect![[r#"
            error: cannot multiply elementwise a matrix 2×3 and a matrix 3×2: the shapes differ
              | sum(A .* B)
              |       ^^
              |     - matrix 2×3
              |          - matrix 3×2
        "#]],
        );
        check_with(
            "sum(A ./ B)",
            "A: 2x3, B: 3x2",
            None,
            expect![[r#"
            error: cannot divide elementwise a matrix 2×3 and a matrix 3×2: the shapes differ
              | sum(A ./ B)
              |       ^^
              |     - matrix 2×3
              |          - matrix 3×2
        "#]],
        );
        check_with(
            "tr(A) + tr(X*A)",
            "A: 3x4",
            None,
            expect![[r#"
            error: `tr` needs a square matrix, but its argument is a matrix 3×4
              | tr(A) + tr(X*A)
              | ^^
              |    - matrix 3×4
        "#]],
        );
        check_with(
            "tr(AXB)",
            "A: 2x3, B: 2x2, X: 4x2",
            None,
            expect![[r#"
            error: cannot multiply a matrix 2×3 by a matrix 4×2: the inner dimensions 3 and 4 differ
              | tr(AXB)
              |     ^
              |    - matrix 2×3
              |     - matrix 4×2
              = hint: in a product the columns of the left side must match the rows of the right side
        "#]],
        );
        check_with(
            "tr(logdet(A))",
            "A: 2x3",
            None,
            expect![[r#"
            error: `logdet` needs a square matrix, but its argument is a matrix 2×3
              | tr(logdet(A))
              |    ^^^^^^
              |           - matrix 2×3
        "#]],
        );
        check_with(
            "log det(A)",
            "A: 2x3",
            None,
            expect![[r#"
            error: log det needs a square matrix, but its argument is a matrix 2×3
              | log det(A)
              |     ^^^
              |         - matrix 2×3
        "#]],
        );
        check_with(
            "sum(inv(A))",
            "A: 2x3",
            None,
            expect![[r#"
            error: inv needs a square matrix, but its argument is a matrix 2×3
              | sum(inv(A))
              |     ^^^
              |         - matrix 2×3
        "#]],
        );
    }

    #[test]
    fn not_scalar_and_variable() {
        check(
            "A*x",
            expect![[r#"
            error: the expression is a vector n×1; matdiff differentiates scalar functions
              | A*x
              | ^^^
              = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
        "#]],
        );
        check(
            "X",
            expect![[r#"
            error: the expression is a matrix n×m; matdiff differentiates scalar functions
              | X
              | ^
              = hint: wrap it in tr(·), sum(·) or ||·||_F
        "#]],
        );
        check(
            "x'",
            expect![[r#"
            error: the expression is a row vector 1×n; matdiff differentiates scalar functions
              | x'
              | ^^
              = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
        "#]],
        );
        check(
            "2 + 3",
            expect![[r#"
            error: nothing to differentiate: the expression has no symbols
              | 2 + 3
              | ^^^^^
              = hint: use a variable, e.g. x'*x or tr(X)
        "#]],
        );
        check(
            "tr(I)",
            expect![[r#"
            error: nothing to differentiate: the expression has no symbols
              | tr(I)
              | ^^^^^
              = hint: use a variable, e.g. x'*x or tr(X)
        "#]],
        );
        check_with(
            "x'*A*x",
            "",
            Some("A"),
            expect![[r#"
            (* (' x) A x)
            x: vector n×1
            A: matrix n×n
            wrt A
        "#]],
        );
        check_with(
            "x'*A*x",
            "",
            Some(" Y "),
            expect![[r#"
            [other] error: `Y` is not a symbol of the expression; its symbols are x, A
              | 
              | ^
        "#]],
        );
        check_with(
            "2*3",
            "",
            Some("x"),
            expect![[r#"
            [other] error: `x` is not a symbol of the expression, which has no symbols
              | 
              | ^
        "#]],
        );
        check(
            "a*b + c",
            expect![[r#"
            (+ (* a b) c)
            a: scalar 1×1
            b: scalar 1×1
            c: scalar 1×1
            wrt a
        "#]],
        );
        check(
            "x'y + a",
            expect![[r#"
            (+ (* (' x) y) a)
            x: vector n×1
            y: vector n×1
            a: scalar 1×1
            wrt x
        "#]],
        );
        check(
            "tr(A*B)",
            expect![[r#"
            (tr (* A B))
            A: matrix n×m
            B: matrix m×n
            wrt A
        "#]],
        );
        check(
            "x'*x + tr(X)",
            expect![[r#"
            (+ (* (' x) x) (tr X))
            x: vector n×1
            X: matrix m×m
            wrt X
        "#]],
        );
        check(
            "x'*x + tr(Y)",
            expect![[r#"
            (+ (* (' x) x) (tr Y))
            x: vector n×1
            Y: matrix m×m
            wrt x
        "#]],
        );
    }

    #[test]
    fn letter_scalars_added_to_vectors_become_vectors() {
        check(
            "sum(x - c) + tr(X + lambda)",
            expect![[r#"
            (+ (sum (+ x (* -1 c))) (tr (+ X lambda)))
            x: vector n×1
            c: vector n×1
            X: matrix m×m
            lambda: matrix m×m
            wrt X
        "#]],
        );
        check(
            "b + A*x",
            expect![[r#"
            error: the expression is a vector n×1; matdiff differentiates scalar functions
              | b + A*x
              | ^^^^^^^
              = hint: wrap it in sum(·) or a norm ||·||, or take an inner product such as x'(·)
        "#]],
        );
        check(
            "sum(x' - b)",
            expect![[r#"
                error: cannot subtract a scalar from a row vector 1×n: matdiff does not broadcast scalars in + and -
                  | sum(x' - b)
                  |        ^
                  |     -- row vector 1×n
                  |          - scalar
                  = hint: to add c to every entry of a row vector, write c*vector(1)'
            "#]],
        );
        check_with(
            "sum(x - c)",
            "c: scalar",
            None,
            expect![[r#"
            error: cannot subtract a scalar from a vector n×1: matdiff does not broadcast scalars in + and -
              | sum(x - c)
              |       ^
              |     - vector n×1
              |         - scalar
              = hint: to add c to every entry of a vector, write c*vector(1)
        "#]],
        );
    }

    #[test]
    fn many_promotions_stay_cheap() {
        // Each symbol is promoted in place, in one pass.
        let names: Vec<String> = (0..580).map(|i| format!("a{i}")).collect();
        let src = format!("sum(x - {})", names.join(" - "));
        let p = lower(&src, "", None).map_err(|d| d[0].message.clone());
        let kinds = p.map(|p| {
            p.symbols
                .symbols
                .iter()
                .filter(|s| s.kind == Kind::Vector)
                .count()
        });
        assert_eq!(kinds, Ok(581));
        // A symbol used as a scalar before stays a scalar.
        check(
            "a*(x'x) + sum(x - a)",
            expect![[r#"
                error: cannot subtract a scalar from a vector n×1: matdiff does not broadcast scalars in + and -
                  | a*(x'x) + sum(x - a)
                  |                 ^
                  |               - vector n×1
                  |                   - scalar
                  = hint: to add c to every entry of a vector, write c*vector(1)
            "#]],
        );
    }

    #[test]
    fn parse_and_decl_errors_pass_through() {
        check_with(
            "tr(X",
            "A: 3x",
            None,
            expect![[r#"
            error: missing `)`: found the end of the input
              | tr(X
              |     ^
              |   - this `(` is not closed
            [decls] error: expected a second dimension after `x`
              | A: 3x
              |     ^
              = hint: accepted words: scalar, vector, matrix, square, symmetric, spd, and sizes like 3x4, m x n, m*n or n
        "#]],
        );
        check_with(
            "tr(X)",
            "A: nonsense",
            None,
            expect![[r#"
            [decls] error: unknown word `nonsense` in the declaration of `A`
              | A: nonsense
              |    ^^^^^^^^
              = hint: accepted words: scalar, vector, matrix, square, symmetric, spd, and sizes like 3x4, m x n, m*n or n
        "#]],
        );
    }

    #[test]
    fn caps() {
        let sum = vec!["x'x"; 1000].join("+");
        let p = lower(&sum, "", None);
        let msg = p.err().and_then(|d| d.first().map(|d| d.message.clone()));
        assert_eq!(
            msg.as_deref(),
            Some("the expression is too large (4001 nodes; the limit is 2000)")
        );

        let deep = "exp(".repeat(250) + "a" + &")".repeat(250);
        let p = lower(&deep, "", None);
        let msg = p.err().and_then(|d| d.first().map(|d| d.message.clone()));
        assert_eq!(
            msg.as_deref(),
            Some("the expression is nested too deeply (depth 251; the limit is 200)")
        );

        // The adversarial inputs of issue 4 are accepted.
        let parens = "(".repeat(500) + "x'x" + &")".repeat(500);
        assert!(lower(&parens, "", None).is_ok());
        let terms = vec!["a*x'x"; 200].join(" + ");
        assert!(lower(&terms, "", None).is_ok());
        assert!(lower("tr(X^50)", "", None).is_ok());
        let invs =
            "inv(".repeat(MAX_NESTED_FUNCTIONS - 1) + "X" + &")".repeat(MAX_NESTED_FUNCTIONS - 1);
        assert!(lower(&format!("tr({invs})"), "", None).is_ok());
        let prod = vec!["X"; 20].join("*");
        assert!(lower(&format!("logdet({prod})"), "", None).is_ok());
        let implicit = "AX".repeat(MAX_FACTORS / 2);
        assert!(lower(&format!("tr({implicit})"), "", None).is_ok());
        let had = vec!["X"; MAX_HADAMARD_FACTORS].join(" .* ");
        assert!(lower(&format!("sum({had})"), "", None).is_ok());

        // Beyond the work caps: a clear message naming the limit.
        let first = |src: &str| {
            lower(src, "", None)
                .err()
                .and_then(|d| d.first().map(|d| d.message.clone()))
        };
        assert_eq!(
            first(&format!("tr({})", "A".repeat(300))).as_deref(),
            Some("the expression has a product of 300 factors; the limit is 24")
        );
        let had = vec!["X"; 25].join(" .* ");
        assert_eq!(
            first(&format!("sum({had})")).as_deref(),
            Some("the expression has an elementwise product of 25 factors; the limit is 24")
        );
        let nest = "exp(log(".repeat(12) + "x" + &"))".repeat(12);
        assert_eq!(
            first(&format!("sum({nest})")).as_deref(),
            Some("functions, inverses and transposes are nested 25 deep; the limit is 24")
        );
    }

    #[test]
    fn deep_inputs_fit_a_small_stack() {
        // A wasm page has about 1 MiB of stack; debug frames are about 8 times larger than release ones.
        let run = || {
            for src in [
                "(a+".repeat(990) + "a" + &")".repeat(990),
                "(".repeat(990) + "x'x" + &")".repeat(990),
                "-".repeat(990) + "a",
                "sin(".repeat(490) + "a" + &")".repeat(490),
                "a".to_string() + &"'".repeat(990),
            ] {
                let _ = lower(&src, "", None);
            }
        };
        let stack = if cfg!(debug_assertions) {
            4 << 20
        } else {
            1 << 20
        };
        let handle = std::thread::Builder::new().stack_size(stack).spawn(run);
        assert!(handle.map(|h| h.join().is_ok()).unwrap_or(false));
    }

    #[test]
    fn fuzz_no_panic() {
        let decls = [
            "",
            "A: 3x4",
            "x: vector 5, S: spd n",
            "b: vector, X: symmetric",
            "A: 3x4, x: vector 5",
        ];
        let mut rng = crate::syntax::tests::Rng(42);
        for s in crate::syntax::tests::fuzz_inputs(4000) {
            let d = decls[rng.below(decls.len())];
            let wrt = ["x", "X", "A", "zz"].get(rng.below(6)).copied();
            match lower(&s, d, wrt) {
                Ok(p) => {
                    assert!(p.symbols.get(&p.wrt).is_some(), "{s:?}");
                    assert!(
                        crate::expr::shape_of(&p.expr, &p.symbols).is_scalar(),
                        "{s:?}"
                    );
                    assert!(!format!("{:?}", p.expr).contains(PLACEHOLDER), "{s:?}");
                }
                Err(diags) => {
                    assert!(!diags.is_empty());
                    for g in diags {
                        let text = match g.source {
                            Source::Expr => s.as_str(),
                            Source::Decls => d,
                            Source::Other => "",
                        };
                        assert!(
                            g.range.start <= g.range.end && g.range.end <= text.len(),
                            "{s:?} {g:?}"
                        );
                        for l in &g.labels {
                            assert!(
                                l.range.start <= l.range.end && l.range.end <= text.len(),
                                "{s:?} {g:?}"
                            );
                        }
                        let _ = g.render(text);
                    }
                }
            }
        }
    }

    #[test]
    fn well_typed_results_agree_with_shape_of() {
        // Every expression lowering accepts must be well typed by the shared shape_of.
        for src in [
            "x'A x",
            "sum(A*(x'*y))",
            "(x'*y)*(z'*w)",
            "tr(AXB)",
            "x'*(A*(B*x))",
            "sum(x .* (2*y))",
            "-(A*x)'*(B*y)",
            "sum(vector(2)) + sum(matrix(3) .* X)",
            "x'diag(X)",
            "tr(diag(x) A)",
        ] {
            let p = lower(src, "", None).unwrap_or_else(|d| panic!("{src}: {d:?}"));
            assert!(
                crate::expr::shape_of(&p.expr, &p.symbols).is_scalar(),
                "{src}"
            );
        }
    }
}
