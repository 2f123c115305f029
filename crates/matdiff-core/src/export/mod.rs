//! Code export: f and its gradient as a self-contained Python module (NumPy, PyTorch or JAX),
//! written from the trees with common subexpressions shared, with a gradient-check harness.
//!
//! Every value is a 2-D array, as in the evaluator (scalars are 1×1): products pick `@` or `*`
//! from the static shapes, `inv(A)*B` becomes a linear solve, `logdet` a `slogdet` (Cholesky for
//! a declared `spd` argument), and each function of the table maps to the target's own function
//! or to a small helper the module defines ([`helpers`]).

mod harness;
mod helpers;
mod hessian;

use crate::api::Derivation;
use crate::diagnostic::{Diagnostic, Source};
use crate::expr::{shape_of, Dim, Expr, Func, Kind, Problem, Shape, SymbolTable};
use crate::jacobian::Derivation2;
use helpers::{mapping, Helper, Mapping};
use std::fmt::Write as _;

/// The Python array library an export is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Numpy,
    Torch,
    Jax,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::Numpy, Target::Torch, Target::Jax];

    /// The name on the command line (`--to numpy`).
    pub fn name(self) -> &'static str {
        match self {
            Target::Numpy => "numpy",
            Target::Torch => "torch",
            Target::Jax => "jax",
        }
    }

    /// The library's own spelling, for people.
    pub fn label(self) -> &'static str {
        match self {
            Target::Numpy => "NumPy",
            Target::Torch => "PyTorch",
            Target::Jax => "JAX",
        }
    }

    /// The name the module's code calls the array library by.
    pub(crate) fn module(self) -> &'static str {
        match self {
            Target::Numpy => "np",
            Target::Torch => "torch",
            Target::Jax => "jnp",
        }
    }
}

fn refusal(message: String) -> Diagnostic {
    Diagnostic::new(0..0, message).in_source(Source::Other)
}

/// The Python module of `d` (derived from `problem`) for `target`: `f(**values)`,
/// `grad_f(**values)`, `sample_values(seed)` and `check_gradient(seed=0)`.
///
/// Errors, with a message naming the construct, when the trees hold something the export does
/// not write (a non-integer power of a matrix, a size no argument carries).
pub fn python(problem: &Problem, d: &Derivation, target: Target) -> Result<String, Diagnostic> {
    module(problem, d, &NoExtra, target)
}

/// [`python`] with the Hessian too: `hessian_f(**values)` (N×N, N = numel of the variable, in
/// vec order: column-major), written from `h`'s vec form (or, where `h` has none, column by
/// column from the exported linear map `hessian_map(direction, **values)`), and
/// `check_hessian(seed=0)`.
pub fn python_with_hessian(
    problem: &Problem,
    d: &Derivation,
    h: &Derivation2,
    target: Target,
) -> Result<String, Diagnostic> {
    module(problem, d, &hessian::WithHessian(h), target)
}

/// What a module holds beyond f, grad_f and check_gradient: nothing ([`python`]) or the Hessian
/// ([`python_with_hessian`]). Generic, so that [`python`] (the page's) carries no Hessian code.
trait Extra {
    /// The functions (and the helpers only they use), after grad_f.
    fn functions(
        &self,
        table: &SymbolTable,
        var: &Shape,
        kind: Output,
        target: Target,
        used: &mut u64,
    ) -> Result<String, String>;
    /// Text for the end of the docstring.
    fn doc(&self, problem: &Problem, target: Target) -> String;
    /// The checks after check_gradient.
    fn checks(&self, target: Target) -> String;
    /// The module's `__main__` block.
    fn main(&self) -> &'static str;
}

struct NoExtra;

impl Extra for NoExtra {
    fn functions(
        &self,
        _: &SymbolTable,
        _: &Shape,
        _: Output,
        _: Target,
        _: &mut u64,
    ) -> Result<String, String> {
        Ok(String::new())
    }
    fn doc(&self, _: &Problem, _: Target) -> String {
        String::new()
    }
    fn checks(&self, _: Target) -> String {
        String::new()
    }
    fn main(&self) -> &'static str {
        "\n\nif __name__ == \"__main__\":\n    raise SystemExit(0 if check_gradient() else 1)\n"
    }
}

fn module<X: Extra>(
    problem: &Problem,
    d: &Derivation,
    extra: &X,
    target: Target,
) -> Result<String, Diagnostic> {
    let table = &problem.symbols;
    let wrt = table
        .get(&d.wrt)
        .ok_or_else(|| refusal(format!("unknown variable `{}`", d.wrt)))?;
    let mut used = 0u64;
    let f_body = Body::new(table, &d.wrt, target, &mut used)
        .function(&d.f, Output::Scalar)
        .map_err(refusal)?;
    let kind = match wrt.kind {
        Kind::Scalar => Output::Scalar,
        Kind::Vector if wrt.shape.is_col_vector() => Output::Vector,
        _ => Output::Matrix,
    };
    let grad_body = Body::new(table, &d.wrt, target, &mut used)
        .gradient(&d.gradient, &wrt.shape, kind)
        .map_err(refusal)?;
    let extra_code = extra
        .functions(table, &wrt.shape, kind, target, &mut used)
        .map_err(refusal)?;
    let steps: Vec<Expr> = d.steps.iter().map(|s| s.expr.clone()).collect();
    let mut harness = harness::harness(problem, &steps, target).map_err(refusal)?;
    harness.push_str(&extra.checks(target));

    let mut out = String::new();
    let mut doc = docstring(problem, d, target);
    let more = extra.doc(problem, target);
    if !more.is_empty() {
        // Inside the docstring, before its closing quotes.
        doc.truncate(doc.len() - "\"\"\"\n".len());
        doc.push_str(&more);
        doc.push_str("\"\"\"\n");
    }
    out.push_str(&doc);
    out.push_str(&imports(target));
    for h in Helper::ALL.iter().filter(|h| used & h.bit() != 0) {
        let _ = write!(out, "\n\n{}\n", h.definition(target));
    }
    let _ = write!(
        out,
        "\n\ndef f(**values):\n    \"\"\"f = {}\"\"\"\n{f_body}",
        doc_text(&d.f_text)
    );
    let _ = write!(
        out,
        "\n\ndef grad_f(**values):\n    \"\"\"The gradient of f with respect to {}: {}\"\"\"\n{grad_body}",
        d.wrt,
        doc_text(&d.gradient_text)
    );
    out.push_str(&extra_code);
    out.push_str(&harness);
    out.push_str(extra.main());
    Ok(out)
}

/// Text of the input language inside a Python docstring.
fn doc_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"")
}

fn imports(target: Target) -> String {
    match target {
        Target::Numpy => "import math\nimport random\n\nimport numpy as np\n".into(),
        Target::Torch => "import math\nimport random\n\nimport torch\n".into(),
        Target::Jax => "import math\nimport random\n\nimport jax\nimport jax.numpy as jnp\nimport numpy as np\n\njax.config.update(\"jax_enable_x64\", True)\n".into(),
    }
}

/// A shape in the docstring: `scalar`, `vector of n`, `matrix n x m`.
fn shape_doc(s: &Shape) -> String {
    let dim = |d: &Dim| d.to_string().replace('·', "*");
    match (&s.rows, &s.cols) {
        (Dim::One, Dim::One) => "scalar".into(),
        (r, Dim::One) => format!("vector of size {}", dim(r)),
        (Dim::One, c) => format!("row vector 1 x {}", dim(c)),
        (r, c) => format!("matrix {} x {}", dim(r), dim(c)),
    }
}

fn docstring(problem: &Problem, d: &Derivation, target: Target) -> String {
    let mut args = String::new();
    for sym in &problem.symbols.symbols {
        let structure = match (sym.spd, sym.symmetric) {
            (true, _) => ", symmetric positive definite",
            (false, true) => ", symmetric",
            _ => "",
        };
        let _ = writeln!(
            args,
            "    {}: {}{structure}",
            sym.name,
            shape_doc(&sym.shape)
        );
    }
    let autodiff = match target {
        Target::Numpy => "",
        Target::Torch => " and torch.autograd",
        Target::Jax => " and jax.grad",
    };
    format!(
        "\"\"\"f and its gradient with respect to {wrt}, for {label}; exported by matdiff {version}.\n\n    \
         f = {f}\n    grad_{wrt} f = {g}\n\nArguments of f and grad_f (numbers, flat arrays for vectors, arrays of rows):\n\
         {args}\nf returns a number, grad_f an array shaped like {wrt}. check_gradient(seed=0) compares\n\
         grad_f with central finite differences{autodiff} at values drawn by sample_values\n\
         (respecting the declarations and the domain of f) and prints the relative error.\n\"\"\"\n",
        wrt = d.wrt,
        label = target.label(),
        version = env!("CARGO_PKG_VERSION"),
        f = doc_text(&d.f_text),
        g = doc_text(&d.gradient_text),
    )
}

/// How a function returns its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    Scalar,
    Vector,
    Matrix,
}

/// Python keywords and the names the module itself defines: a symbol of such a name gets `_`
/// appended as a local variable (its keyword argument keeps the name).
const RESERVED: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "np", "jnp", "jax", "torch", "math", "random", "values", "f", "grad_f",
];

fn local(name: &str) -> String {
    if RESERVED.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// A Python float literal.
fn number(x: f64) -> String {
    // `{x}` is the shortest text that reads back as x; a whole number gets `.0` (a float).
    let s = if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x}.0")
    } else {
        format!("{x}")
    };
    if x < 0.0 {
        format!("({s})")
    } else {
        s
    }
}

/// `(a op b)`, built without a format string (the page carries every one of those).
fn wrap(a: &str, op: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + op.len() + b.len() + 2);
    s.push('(');
    s.push_str(a);
    s.push_str(op);
    s.push_str(b);
    s.push(')');
    s
}

/// An exponent: `{p}` prints a whole number without a decimal point (an int for Python).
fn exponent(p: f64) -> String {
    if p < 0.0 {
        format!("({p})")
    } else {
        format!("{p}")
    }
}

/// Whether `e` is cheap enough to write again rather than keep in a temporary (a symbol, a
/// number, an identity, ones, or a symbol's transpose).
fn is_leaf(e: &Expr) -> bool {
    match e {
        Expr::Num(_) | Expr::Sym(_) | Expr::Eye(_) | Expr::Ones(_) => true,
        Expr::Transpose(a) => matches!(&**a, Expr::Sym(_)),
        _ => false,
    }
}

/// The key of a subtree for sharing: its text in the input language (equal trees, equal texts;
/// trees that print alike are the same function of the same shape).
fn key(e: &Expr, table: &SymbolTable) -> String {
    crate::print::text(e, table)
}

/// `inv(A)` or `inv(A)'` as a factor of a product: `A` and whether it is transposed.
fn inv_factor(e: &Expr) -> Option<(&Expr, bool)> {
    match e {
        Expr::Inv(a) => Some((a, false)),
        Expr::Transpose(t) => match &**t {
            Expr::Inv(a) => Some((a, true)),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `e` holds an inverse.
fn has_inverse(e: &Expr) -> bool {
    matches!(e, Expr::Inv(_)) || e.children().into_iter().any(has_inverse)
}

/// The symbols (by name, first use first) and the sizes of identities and ones in `e`.
fn symbols_and_sizes(e: &Expr, names: &mut Vec<String>, dims: &mut Vec<String>) {
    match e {
        Expr::Sym(s) if !names.iter().any(|x| **x == **s) => names.push(s.to_string()),
        Expr::Eye(d) => add_dim(d, dims),
        Expr::Ones(s) => {
            add_dim(&s.rows, dims);
            add_dim(&s.cols, dims);
        }
        _ => {}
    }
    for c in e.children() {
        symbols_and_sizes(c, names, dims);
    }
}

fn add_dim(d: &Dim, dims: &mut Vec<String>) {
    d.for_each_name(&mut |n| {
        if !dims.iter().any(|x| x == n) {
            dims.push(n.to_string());
        }
    });
}

/// `log(det(A))`: `A`.
fn log_det(e: &Expr) -> Option<&Expr> {
    let (Func::Log, a) = e.as_call1()? else {
        return None;
    };
    match a.as_call1()? {
        (Func::Det, inner) => Some(inner),
        _ => None,
    }
}

/// `(…)` around a whole expression, removed for an assignment or a return.
fn strip_outer(s: &str) -> &str {
    let Some(inner) = s.strip_prefix('(').and_then(|s| s.strip_suffix(')')) else {
        return s;
    };
    let mut depth = 0i32;
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return s;
                }
            }
            _ => {}
        }
    }
    if depth == 0 {
        inner
    } else {
        s
    }
}

/// One Python function's body being written: its lines, and the subtrees it computes once.
struct Body<'a> {
    table: &'a SymbolTable,
    wrt: &'a str,
    target: Target,
    /// The helpers used, one bit each ([`Helper::bit`]).
    used: &'a mut u64,
    /// How often each subtree (by key) occurs; few enough to search.
    counts: Vec<(String, usize)>,
    /// The temporaries assigned so far, by key.
    temps: Vec<(String, String)>,
    next_temp: usize,
    lines: Vec<String>,
}

impl<'a> Body<'a> {
    fn new(table: &'a SymbolTable, wrt: &'a str, target: Target, used: &'a mut u64) -> Body<'a> {
        Body {
            table,
            wrt,
            target,
            used,
            counts: Vec::new(),
            temps: Vec::new(),
            next_temp: 0,
            lines: Vec::new(),
        }
    }

    fn shape(&self, e: &Expr) -> Shape {
        shape_of(e, self.table)
    }

    fn helper(&mut self, h: Helper, args: &[String]) -> String {
        *self.used |= h.bit();
        format!("{}({})", h.name(), args.join(", "))
    }

    /// The body of `f`: the arguments, the temporaries, the scalar returned.
    fn function(mut self, e: &Expr, output: Output) -> Result<String, String> {
        self.count(e);
        let value = self.gen(e)?;
        let ret = self.output(&value, output);
        self.finish(e, None, &ret)
    }

    /// The body of `grad_f`: the gradient shaped like the variable `var` (a zero gradient is a
    /// zero array of the variable's shape).
    fn gradient(mut self, e: &Expr, var: &Shape, output: Output) -> Result<String, String> {
        self.count(e);
        let mut value = self.gen(e)?;
        let mut sized_by = None;
        if self.shape(e) != *var {
            let (r, c) = (self.dim(&var.rows)?, self.dim(&var.cols)?);
            value = wrap(&self.helper(Helper::Zeros, &[r, c]), " + ", &value);
            sized_by = Some(var);
        }
        let ret = self.output(&value, output);
        self.finish(e, sized_by, &ret)
    }

    fn output(&mut self, value: &str, output: Output) -> String {
        match output {
            Output::Scalar => self.helper(Helper::OutScalar, &[strip_outer(value).to_string()]),
            Output::Vector => format!("{value}.reshape(-1)"),
            Output::Matrix => strip_outer(value).to_string(),
        }
    }

    /// Reads the arguments `e` mentions, computes the sizes its identities and ones use (and
    /// those of `sized`, the variable's shape for a zero gradient), then the lines and the return.
    fn finish(self, e: &Expr, sized: Option<&Shape>, ret: &str) -> Result<String, String> {
        let mut names: Vec<String> = Vec::new();
        let mut dims: Vec<String> = Vec::new();
        symbols_and_sizes(e, &mut names, &mut dims);
        if let Some(s) = sized {
            add_dim(&s.rows, &mut dims);
            add_dim(&s.cols, &mut dims);
        }
        let mut size_lines = Vec::new();
        for d in &dims {
            let (sym, axis) = self
                .table
                .symbols
                .iter()
                .find_map(|s| {
                    if matches!(&s.shape.rows, Dim::Name(n) if **n == **d) {
                        Some((s, 0))
                    } else if matches!(&s.shape.cols, Dim::Name(n) if **n == **d) {
                        Some((s, 1))
                    } else {
                        None
                    }
                })
                .ok_or_else(|| {
                    format!(
                        "the size {d} is the size of no argument, only of an identity: \
                         the exported code cannot read it"
                    )
                })?;
            if !names.contains(&sym.name) {
                names.push(sym.name.clone());
            }
            size_lines.push(format!("_{d} = {}.shape[{axis}]", local(&sym.name)));
        }
        let mut head = Vec::new();
        let mut used = 0;
        for name in &names {
            let sym = self
                .table
                .get(name)
                .ok_or_else(|| format!("unknown symbol `{name}`"))?;
            let h = match (&sym.shape.rows, &sym.shape.cols) {
                (Dim::One, Dim::One) => Helper::Scalar,
                (_, Dim::One) => Helper::Column,
                (Dim::One, _) => Helper::Row,
                _ => Helper::Matrix,
            };
            used |= h.bit();
            head.push(format!(
                "{} = {}(values[\"{}\"])",
                local(&sym.name),
                h.name(),
                sym.name
            ));
        }
        *self.used |= used;
        let mut out = String::new();
        for line in head.iter().chain(&size_lines).chain(&self.lines) {
            let _ = writeln!(out, "    {line}");
        }
        let _ = writeln!(out, "    return {ret}");
        Ok(out)
    }

    /// `_n`, `3`, `_m * _p`: a size as Python.
    fn dim(&self, d: &Dim) -> Result<String, String> {
        Ok(match d {
            Dim::One => "1".into(),
            Dim::Num(n) => n.to_string(),
            Dim::Name(n) => format!("_{n}"),
            Dim::Prod(ps) => {
                let parts: Result<Vec<String>, String> = ps.iter().map(|p| self.dim(p)).collect();
                parts?.join(" * ")
            }
        })
    }

    /// Counts the subtrees, each repeated one once (its own subtrees are computed once with it).
    fn count(&mut self, e: &Expr) {
        if is_leaf(e) {
            return;
        }
        let k = key(e, self.table);
        if let Some((_, n)) = self.counts.iter_mut().find(|(x, _)| *x == k) {
            *n += 1;
            return;
        }
        self.counts.push((k, 1));
        match e {
            Expr::Mul(factors) => {
                for f in factors {
                    match inv_factor(f) {
                        // Solved, not computed: only its matrix is a value.
                        Some((a, _)) => self.count(a),
                        None => self.count(f),
                    }
                }
            }
            _ => {
                if let Some(a) = log_det(e) {
                    self.count(a);
                } else {
                    for c in e.children() {
                        self.count(c);
                    }
                }
            }
        }
    }

    /// Python for `e`: a temporary's name when `e` is repeated (assigned at its first use).
    fn gen(&mut self, e: &Expr) -> Result<String, String> {
        if is_leaf(e) {
            return self.node(e);
        }
        let k = key(e, self.table);
        if !self.counts.iter().any(|(x, n)| *x == k && *n > 1) {
            return self.node(e);
        }
        if let Some((_, t)) = self.temps.iter().find(|(x, _)| *x == k) {
            return Ok(t.clone());
        }
        let code = self.node(e)?;
        let name = self.temp(&code);
        self.temps.push((k, name.clone()));
        Ok(name)
    }

    /// A new temporary `_tN = code`: its name.
    fn temp(&mut self, code: &str) -> String {
        self.next_temp += 1;
        let name = format!("_t{}", self.next_temp);
        self.lines.push(format!("{name} = {}", strip_outer(code)));
        name
    }

    /// An argument of a function: numbers become 1×1 arrays (torch's functions take no floats).
    fn arg(&mut self, e: &Expr) -> Result<String, String> {
        match e {
            Expr::Num(x) => Ok(self.helper(Helper::Const, &[number(*x)])),
            _ => Ok(strip_outer(&self.gen(e)?).to_string()),
        }
    }

    fn node(&mut self, e: &Expr) -> Result<String, String> {
        Ok(match e {
            Expr::Num(x) => number(*x),
            Expr::Sym(s) => local(s),
            Expr::Eye(d) => {
                let n = self.dim(d)?;
                self.helper(Helper::Eye, &[n])
            }
            Expr::Ones(s) => {
                let (r, c) = (self.dim(&s.rows)?, self.dim(&s.cols)?);
                self.helper(Helper::Ones, &[r, c])
            }
            Expr::Add(terms) => self.add(terms)?,
            Expr::Mul(factors) => self.mul(factors)?,
            Expr::Div(a, b) | Expr::HadDiv(a, b) => wrap(&self.gen(a)?, " / ", &self.gen(b)?),
            Expr::Had(factors) => {
                let parts: Result<Vec<String>, String> =
                    factors.iter().map(|f| self.gen(f)).collect();
                wrap("", &parts?.join(" * "), "")
            }
            Expr::HadPow(a, p) => wrap(&self.gen(a)?, " ** ", &exponent(*p)),
            Expr::Pow(a, p) => {
                if self.shape(a).is_scalar() {
                    wrap(&self.gen(a)?, " ** ", &exponent(*p))
                } else if p.fract() == 0.0 && p.abs() < 1e9 {
                    let a = self.arg(a)?;
                    self.helper(Helper::MatrixPower, &[a, exponent(*p)])
                } else {
                    return Err(format!(
                        "the non-integer power {p} of a matrix cannot be exported"
                    ));
                }
            }
            Expr::Transpose(a) => {
                if self.shape(a).is_scalar() {
                    self.gen(a)?
                } else {
                    format!("{}.T", self.gen(a)?)
                }
            }
            Expr::Inv(a) => {
                if self.shape(a).is_scalar() {
                    wrap("1.0", " / ", &self.gen(a)?)
                } else {
                    let a = self.arg(a)?;
                    self.helper(Helper::Inv, &[a])
                }
            }
            Expr::Call(f, args) => self.call(e, *f, args)?,
            Expr::D(_) => return Err("a differential d(·) cannot be exported".into()),
        })
    }

    fn add(&mut self, terms: &[Expr]) -> Result<String, String> {
        let mut out = String::new();
        for (i, t) in terms.iter().enumerate() {
            // `a + (-1)*b` is written `a - b`.
            let negated = match t {
                Expr::Mul(fs) if i > 0 => match fs.first() {
                    Some(Expr::Num(c)) if *c < 0.0 => Some(if *c == -1.0 && fs.len() == 2 {
                        fs[1].clone()
                    } else {
                        let mut rest = fs.clone();
                        rest[0] = Expr::Num(-c);
                        Expr::Mul(rest)
                    }),
                    _ => None,
                },
                _ => None,
            };
            match negated {
                Some(n) => {
                    let _ = write!(out, " - {}", self.gen(&n)?);
                }
                None if i > 0 => {
                    let _ = write!(out, " + {}", self.gen(t)?);
                }
                None => out.push_str(&self.gen(t)?),
            }
        }
        Ok(wrap("", &out, ""))
    }

    /// A product, folded from the right so that `inv(A)*v` is `solve(A, v)` and `u*inv(A)`
    /// is `rsolve(u, A)`; a 1×1 factor scales (`*`), others multiply (`@`).
    fn mul(&mut self, factors: &[Expr]) -> Result<String, String> {
        Ok(self
            .fold(factors, None)?
            .map_or_else(|| "1.0".to_string(), |(s, _)| s))
    }

    /// `factors` times `acc` (the product to their right, as code and shape).
    fn fold(
        &mut self,
        factors: &[Expr],
        mut acc: Option<(String, Shape)>,
    ) -> Result<Option<(String, Shape)>, String> {
        let mut i = factors.len();
        while i > 0 {
            i -= 1;
            let fi = &factors[i];
            if let Some((a, transposed)) = inv_factor(fi) {
                if !self.shape(a).is_scalar() {
                    let code = self.gen(a)?;
                    let a_code = if transposed {
                        format!("{code}.T")
                    } else {
                        strip_outer(&code).to_string()
                    };
                    match acc.take() {
                        Some((v, shape)) if !shape.is_scalar() => {
                            let solved =
                                self.helper(Helper::Solve, &[a_code, strip_outer(&v).into()]);
                            acc = Some((solved, shape));
                            continue;
                        }
                        None if i > 0 && !self.shape(&factors[i - 1]).is_scalar() => {
                            i -= 1;
                            let left = &factors[i];
                            let shape = self.shape(left);
                            let l = strip_outer(&self.gen(left)?).to_string();
                            acc = Some((self.helper(Helper::RSolve, &[l, a_code]), shape));
                            continue;
                        }
                        other => acc = other,
                    }
                }
            }
            // `(inv(A) + B)*v` is `solve(A, v) + B @ v`, with `v` computed once.
            if let (Expr::Add(terms), Some((v, shape))) = (fi, &acc) {
                if !shape.is_scalar() && terms.iter().any(has_inverse) {
                    let (v, shape) = (v.clone(), shape.clone());
                    let v = if v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        v
                    } else {
                        self.temp(&v)
                    };
                    let mut parts = Vec::new();
                    let mut rows = shape.rows.clone();
                    for t in terms {
                        let fs = match t {
                            Expr::Mul(fs) => fs.as_slice(),
                            other => std::slice::from_ref(other),
                        };
                        let (code, sh) = self
                            .fold(fs, Some((v.clone(), shape.clone())))?
                            .unwrap_or_else(|| (v.clone(), shape.clone()));
                        rows = sh.rows;
                        parts.push(code);
                    }
                    acc = Some((
                        wrap("", &parts.join(" + "), ""),
                        Shape::new(rows, shape.cols),
                    ));
                    continue;
                }
            }
            let shape_i = self.shape(fi);
            let v = self.gen(fi)?;
            acc = Some(match acc {
                None => (v, shape_i),
                Some((s, sh)) => {
                    if shape_i.is_scalar() || sh.is_scalar() {
                        let shape = if shape_i.is_scalar() { sh } else { shape_i };
                        (wrap(&v, " * ", &s), shape)
                    } else {
                        (wrap(&v, " @ ", &s), Shape::new(shape_i.rows, sh.cols))
                    }
                }
            });
        }
        Ok(acc)
    }

    fn call(&mut self, e: &Expr, f: Func, args: &[std::rc::Rc<Expr>]) -> Result<String, String> {
        if let Some(a) = log_det(e) {
            let a = self.arg(a)?;
            return Ok(self.helper(Helper::LogDet, &[a]));
        }
        if f == Func::LogDet {
            if let [a] = args {
                let spd = matches!(&**a, Expr::Sym(s) if **s != *self.wrt
                    && self.table.get(s).is_some_and(|s| s.spd));
                let a = self.arg(a)?;
                let h = if spd {
                    Helper::LogDetSpd
                } else {
                    Helper::LogDet
                };
                return Ok(self.helper(h, &[a]));
            }
        }
        let mut codes = Vec::with_capacity(args.len());
        for a in args {
            codes.push(self.arg(a)?);
        }
        Ok(match mapping(f)? {
            Mapping::Module(name) => {
                format!("{}.{name}({})", self.target.module(), codes.join(", "))
            }
            Mapping::Helper(h) => self.helper(h, &codes),
        })
    }
}

#[cfg(test)]
mod tests;
