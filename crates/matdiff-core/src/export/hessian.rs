//! The Hessian of an exported module: `hessian_f(**values)`, the N×N Hessian in vec order
//! (column-major), written from the engine's vec form (the [`Jac`] tree: Kronecker products,
//! commutation matrices, diag(vec ·), vec(·)) with shared temporaries; where the engine has no
//! readable vec form, the linear map dX ↦ d(∇f) is exported as `hessian_map(direction,
//! **values)` and `hessian_f` applies it to the basis directions E_k, column by column.

use super::helpers::Helper;
use super::{doc_text, Body, Extra, Output, Target};
use crate::expr::{Expr, Problem, Shape, SymbolTable};
use crate::jacobian::{jac_text, Derivation2, Jac, Side};
use crate::print::Renderer;
use std::fmt::Write as _;

/// The helpers only a Hessian uses (kept apart from [`Helper`], so a module without the Hessian,
/// and the page, carry none of them): name and definition per target, `XP` standing for the
/// array module as in [`Helper`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HHelper {
    Commutation,
    DiagVec,
    Vec,
    JacMul,
    JacAdd,
    HessianOut,
    HessianColumns,
}

impl HHelper {
    const ALL: [HHelper; 7] = [
        HHelper::Commutation,
        HHelper::DiagVec,
        HHelper::Vec,
        HHelper::JacMul,
        HHelper::JacAdd,
        HHelper::HessianOut,
        HHelper::HessianColumns,
    ];

    fn bit(self) -> u64 {
        1 << (self as u32)
    }

    fn name(self) -> &'static str {
        let def = self.bodies().0;
        let end = def.find('(').unwrap_or(def.len());
        def.get(4..end).unwrap_or(def)
    }

    fn definition(self, target: Target) -> String {
        let (np, torch, jax) = self.bodies();
        match target {
            Target::Numpy => np.replace("XP", "np"),
            Target::Torch => torch
                .unwrap_or(np)
                .replace("XP.asarray(", "torch.as_tensor(")
                .replace("XP", "torch"),
            Target::Jax => jax.unwrap_or(np).replace("XP", "jnp"),
        }
    }

    fn bodies(self) -> (&'static str, Option<&'static str>, Option<&'static str>) {
        match self {
            HHelper::Commutation => (
                "def _commutation(m, n):\n    \"\"\"K of an m x n matrix A: K vec(A) = vec(A').\"\"\"\n    order = [i + j * m for i in range(m) for j in range(n)]\n    return XP.eye(m * n, dtype=XP.float64)[XP.asarray(order)]",
                None,
                None,
            ),
            HHelper::DiagVec => (
                "def _diag_vec(a):\n    return XP.diag(XP.ravel(a, order=\"F\"))",
                Some("def _diag_vec(a):\n    return torch.diag(a.T.reshape(-1))"),
                None,
            ),
            HHelper::Vec => (
                "def _vec(a):\n    return XP.ravel(a, order=\"F\")[:, None]",
                Some("def _vec(a):\n    return a.T.reshape(-1, 1)"),
                None,
            ),
            HHelper::JacMul => (
                "def _jmul(a, b):\n    if a.shape[1] == b.shape[0]:\n        return a @ b\n    if a.shape[0] == 1 and a.shape[1] == 1:\n        return a[0, 0] * b\n    if b.shape[0] == 1 and b.shape[1] == 1:\n        return a * b[0, 0]\n    raise ValueError(f\"cannot multiply {a.shape[0]}x{a.shape[1]} by {b.shape[0]}x{b.shape[1]}\")",
                None,
                None,
            ),
            HHelper::JacAdd => (
                "def _jadd(*terms):\n    total = terms[0]\n    for t in terms[1:]:\n        if tuple(t.shape) != tuple(total.shape):\n            raise ValueError(f\"cannot add {tuple(total.shape)} and {tuple(t.shape)}\")\n        total = total + t\n    return total",
                None,
                None,
            ),
            HHelper::HessianOut => (
                "def _hessian_out(h, x):\n    \"\"\"A 1 x 1 h stands for that multiple of the N x N identity (0 for zeros).\"\"\"\n    n = x.shape[0] * x.shape[1]\n    if h.shape[0] == 1 and h.shape[1] == 1 and n != 1:\n        return h[0, 0] * XP.eye(n, dtype=XP.float64)\n    return h",
                None,
                None,
            ),
            HHelper::HessianColumns => (
                "def _hessian_columns(hmap, x, values):\n    \"\"\"Column k is vec(hmap(E_k)), E_k the k-th basis direction shaped like x.\"\"\"\n    rows, cols = x.shape[0], x.shape[1]\n    basis = XP.eye(rows * cols, dtype=XP.float64)\n    columns = []\n    for k in range(rows * cols):\n        out = XP.asarray(hmap(basis[:, k].reshape(cols, rows).T, **values), dtype=XP.float64)\n        columns.append(out.T.reshape(-1) if out.ndim == 2 else out.reshape(-1))\n    return XP.stack(columns, axis=1)",
                Some("def _hessian_columns(hmap, x, values):\n    \"\"\"Column k is vec(hmap(E_k)), E_k the k-th basis direction shaped like x.\"\"\"\n    rows, cols = x.shape[0], x.shape[1]\n    basis = torch.eye(rows * cols, dtype=torch.float64)\n    columns = []\n    for k in range(rows * cols):\n        out = torch.as_tensor(hmap(basis[:, k].reshape(cols, rows).T, **values), dtype=torch.float64)\n        columns.append(out.T.reshape(-1) if out.ndim == 2 else out.reshape(-1))\n    return torch.stack(columns, dim=1)"),
                None,
            ),
        }
    }

    /// `name(args)`, marked used.
    fn call(self, used: &mut u64, args: &[String]) -> String {
        *used |= self.bit();
        format!("{}({})", self.name(), args.join(", "))
    }
}

/// The definitions of the Hessian helpers in `used`.
fn definitions(used: u64, target: Target) -> String {
    let mut out = String::new();
    for h in HHelper::ALL.iter().filter(|h| used & h.bit() != 0) {
        let _ = write!(out, "\n\n{}\n", h.definition(target));
    }
    out
}

/// The Hessian part of a module ([`super::python_with_hessian`]).
pub(super) struct WithHessian<'a>(pub &'a Derivation2);

impl Extra for WithHessian<'_> {
    fn functions(
        &self,
        table: &SymbolTable,
        var: &Shape,
        kind: Output,
        target: Target,
        used: &mut u64,
    ) -> Result<String, String> {
        functions(table, var, kind, self.0, target, used)
    }
    fn doc(&self, problem: &Problem, target: Target) -> String {
        docstring_note(problem, self.0, target)
    }
    fn checks(&self, target: Target) -> String {
        super::harness::hessian_check(target)
    }
    fn main(&self) -> &'static str {
        "\n\nif __name__ == \"__main__\":\n    passed = check_gradient()\n    passed = check_hessian() and passed\n    raise SystemExit(0 if passed else 1)\n"
    }
}

/// The Python functions of the Hessian: `hessian_f` (and `hessian_map` where it needs it).
fn functions(
    table: &SymbolTable,
    var: &Shape,
    kind: Output,
    h: &Derivation2,
    target: Target,
    used: &mut u64,
) -> Result<String, String> {
    let mut out = String::new();
    let mut hused = 0u64;
    match &h.matrix {
        Some(j) => {
            let body = Body::new(table, &h.wrt, target, used).hessian(j, var, &mut hused)?;
            let _ = write!(
                out,
                "\n\ndef hessian_f(**values):\n    \"\"\"The Hessian of f with respect to {} \
                 (N x N, N = numel({}), vec order: column-major): {}\"\"\"\n{body}",
                h.wrt,
                h.wrt,
                doc_text(&matrix_text(h, j, table))
            );
        }
        None => {
            // hessian_f's only local is the variable: it must not hide hessian_map.
            if super::local(&h.wrt) == "hessian_map" {
                return Err(
                    "a variable named hessian_map would hide the exported function of that name \
                     that hessian_f calls: rename the variable"
                        .into(),
                );
            }
            // d(X) becomes a symbol shaped like X, read from `direction`.
            let mut with_dir = table.clone();
            let mut dir = table
                .get(&h.wrt)
                .cloned()
                .ok_or_else(|| format!("unknown variable `{}`", h.wrt))?;
            dir.name = DIRECTION.to_string();
            dir.symmetric = false;
            dir.spd = false;
            with_dir.symbols.push(dir);
            let map = with_direction(h.map.clone(), &h.wrt);
            let body = Body::new(&with_dir, &h.wrt, target, used).gradient(&map, var, kind)?;
            let _ = write!(
                out,
                "\n\ndef hessian_map(direction, **values):\n    \"\"\"The linear map dX -> d(grad f) \
                 at the values, applied to direction (shaped like {}): {}\"\"\"\n    \
                 values = {{**values, \"{DIRECTION}\": direction}}\n{body}",
                h.wrt,
                doc_text(&h.map_text)
            );
            let b = Body::new(table, &h.wrt, target, used);
            let call = HHelper::HessianColumns.call(
                &mut hused,
                &["hessian_map".into(), super::local(&h.wrt), "values".into()],
            );
            let body = b.finish(&Expr::sym(&h.wrt), None, &call)?;
            let _ = write!(
                out,
                "\n\ndef hessian_f(**values):\n    \"\"\"The Hessian of f with respect to {} \
                 (N x N, N = numel({}), vec order: column-major): column k is \
                 vec(hessian_map(E_k)), E_k the k-th basis direction (no readable Kronecker \
                 form).\"\"\"\n{body}",
                h.wrt, h.wrt
            );
        }
    }
    Ok(definitions(hused, target) + &out)
}

/// `H = …` as text: the derivation's last line, else the tree's own text.
fn matrix_text(h: &Derivation2, j: &Jac, table: &SymbolTable) -> String {
    h.lines
        .iter()
        .rev()
        .find(|l| l.side == Side::Hessian)
        .map(|l| l.text.clone())
        .unwrap_or_else(|| jac_text(j, &Renderer::new(table), false))
}

/// The docstring's lines about the Hessian.
fn docstring_note(problem: &Problem, h: &Derivation2, target: Target) -> String {
    let form = match &h.matrix {
        Some(j) => format!("H = {}", matrix_text(h, j, &problem.symbols)),
        None => format!(
            "no readable Kronecker form: hessian_f applies hessian_map, d(grad f) = {}, to each \
             basis direction",
            h.map_text
        ),
    };
    format!(
        "\nhessian_f returns the N x N Hessian, N = numel({wrt}), in vec order (entry k of vec {wrt}\n\
         is {wrt}[k % rows][k // rows], column-major):\n\n    {}\n\n\
         check_hessian(seed=0) compares it with central finite differences of grad_f{} and\n\
         checks that it is symmetric.\n",
        doc_text(&form),
        match target {
            Target::Numpy => "",
            Target::Torch => " and with torch.autograd.functional.hessian",
            Target::Jax => " and with jax.hessian",
        },
        wrt = h.wrt,
    )
}

/// The name `d(X)` of the linear map is written as (no symbol's name or size is spelled so).
const DIRECTION: &str = "__direction";

/// The linear map with `d(wrt)` replaced by the symbol [`DIRECTION`].
fn with_direction(e: Expr, wrt: &str) -> Expr {
    match &e {
        Expr::D(a) if matches!(&**a, Expr::Sym(s) if **s == *wrt) => Expr::sym(DIRECTION),
        _ => e.map_children(|c| with_direction(c, wrt)),
    }
}

/// The leaves of a vec form: its matrix expressions.
fn leaves(j: &Jac, out: &mut Vec<Expr>) {
    match j {
        Jac::Mat(e) | Jac::Kron(e, _) | Jac::DiagVec(e) | Jac::VecCol(e) | Jac::VecRow(e) => {
            out.push(e.clone());
            if let Jac::Kron(_, b) = j {
                out.push(b.clone());
            }
        }
        Jac::Comm(..) => {}
        Jac::Prod(js) | Jac::Add(js) => js.iter().for_each(|j| leaves(j, out)),
        Jac::Scaled(s, j) => {
            out.push(s.clone());
            leaves(j, out);
        }
    }
}

/// The shapes whose sizes a vec form uses: those of its commutation matrices.
fn comm_shapes(j: &Jac, out: &mut Vec<Shape>) {
    match j {
        Jac::Comm(m, n) => out.push(Shape::new(m.clone(), n.clone())),
        Jac::Prod(js) | Jac::Add(js) => js.iter().for_each(|j| comm_shapes(j, out)),
        Jac::Scaled(_, j) => comm_shapes(j, out),
        _ => {}
    }
}

impl Body<'_> {
    /// The body of `hessian_f` from the vec form `j`: every matrix expression of the tree counted
    /// once for sharing, the tree written with the helpers, a number standing for that multiple
    /// of the N×N identity (as the engine reads it).
    fn hessian(mut self, j: &Jac, var: &Shape, hused: &mut u64) -> Result<String, String> {
        let mut exprs = Vec::new();
        leaves(j, &mut exprs);
        for e in &exprs {
            self.count(e);
        }
        let mut share = Share::default();
        share.count(j, &Renderer::new(self.table));
        let value = self.jac(j, &mut Tally { hused, share })?;
        let x = super::local(self.wrt);
        let ret = HHelper::HessianOut.call(hused, &[value, x]);
        // The variable is read (for N) even where H does not mention it; the sizes of the
        // commutation matrices are read as those of ones of their shape would be.
        exprs.push(Expr::sym(self.wrt));
        let mut shapes = Vec::new();
        comm_shapes(j, &mut shapes);
        exprs.extend(shapes.into_iter().map(|s| Expr::Ones(std::rc::Rc::new(s))));
        self.finish(&Expr::Add(exprs), Some(var), &ret)
    }

    /// Python for the vec form `j`: a temporary's name when the subtree is repeated (assigned at
    /// its first use).
    fn jac(&mut self, j: &Jac, t: &mut Tally) -> Result<String, String> {
        let shared = !matches!(j, Jac::Mat(_)) && t.share.repeated(j, self.table);
        if shared {
            let k = jac_key(j, self.table);
            if let Some((_, name)) = t.share.temps.iter().find(|(x, _)| *x == k) {
                return Ok(name.clone());
            }
            let code = self.jac_node(j, t)?;
            let name = self.temp(&code);
            t.share.temps.push((k, name.clone()));
            return Ok(name);
        }
        self.jac_node(j, t)
    }

    fn jac_node(&mut self, j: &Jac, t: &mut Tally) -> Result<String, String> {
        Ok(match j {
            Jac::Mat(e) => self.arg(e)?,
            Jac::Kron(a, b) => {
                let (a, b) = (self.arg(a)?, self.arg(b)?);
                self.helper(Helper::Kron, &[a, b])
            }
            Jac::Comm(m, n) => {
                let (m, n) = (self.dim(m)?, self.dim(n)?);
                HHelper::Commutation.call(t.hused, &[m, n])
            }
            Jac::DiagVec(p) => {
                let p = self.arg(p)?;
                HHelper::DiagVec.call(t.hused, &[p])
            }
            Jac::VecCol(m) => {
                let m = self.arg(m)?;
                HHelper::Vec.call(t.hused, &[m])
            }
            Jac::VecRow(p) => {
                let p = self.arg(p)?;
                format!("{}.T", HHelper::Vec.call(t.hused, &[p]))
            }
            Jac::Prod(fs) => {
                let mut acc: Option<String> = None;
                for f in fs {
                    let v = self.jac(f, t)?;
                    acc = Some(match acc {
                        None => v,
                        Some(a) => HHelper::JacMul.call(t.hused, &[a, v]),
                    });
                }
                match acc {
                    Some(a) => a,
                    None => self.helper(Helper::Const, &["1.0".into()]),
                }
            }
            Jac::Add(ts) => {
                let mut parts = Vec::with_capacity(ts.len());
                for term in ts {
                    parts.push(self.jac(term, t)?);
                }
                match parts.len() {
                    0 => self.helper(Helper::Const, &["0.0".into()]),
                    1 => parts.remove(0),
                    _ => HHelper::JacAdd.call(t.hused, &parts),
                }
            }
            Jac::Scaled(s, j) => {
                let s = self.arg(s)?;
                let j = self.jac(j, t)?;
                HHelper::JacMul.call(t.hused, &[s, j])
            }
        })
    }
}

/// The key of a vec-form subtree for sharing: its text.
fn jac_key(j: &Jac, table: &SymbolTable) -> String {
    jac_text(j, &Renderer::new(table), false)
}

/// How often each subtree of a vec form occurs (by key), and the temporaries assigned so far.
#[derive(Default)]
struct Share {
    counts: Vec<(String, usize)>,
    temps: Vec<(String, String)>,
}

impl Share {
    /// Counts the subtrees, each repeated one once (its own subtrees are computed once with it).
    fn count(&mut self, j: &Jac, render: &Renderer) {
        if matches!(j, Jac::Mat(_)) {
            return;
        }
        let k = jac_text(j, render, false);
        if let Some((_, n)) = self.counts.iter_mut().find(|(x, _)| *x == k) {
            *n += 1;
            return;
        }
        self.counts.push((k, 1));
        match j {
            Jac::Prod(js) | Jac::Add(js) => js.iter().for_each(|j| self.count(j, render)),
            Jac::Scaled(_, j) => self.count(j, render),
            _ => {}
        }
    }

    fn repeated(&self, j: &Jac, table: &SymbolTable) -> bool {
        let k = jac_key(j, table);
        self.counts.iter().any(|(x, n)| *x == k && *n > 1)
    }
}

/// What writing a vec form keeps track of: the Hessian helpers used and the shared subtrees.
struct Tally<'a> {
    hused: &'a mut u64,
    share: Share,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{analyze, Input};
    use crate::jacobian::derive_hessian;

    fn export(expr: &str, wrt: &str, target: Target) -> String {
        let a = analyze(&Input {
            expr: expr.into(),
            decls: String::new(),
            wrt: Some(wrt.into()),
        });
        let (Some(p), Some(d)) = (&a.problem, &a.derivation) else {
            panic!("{expr}: {:?}", a.diagnostics);
        };
        let h = derive_hessian(p).unwrap();
        super::super::python_with_hessian(p, d, &h, target).unwrap()
    }

    /// Every Hessian helper is defined for every target, torch with its own spellings (no
    /// `order="F"`, `dim=` for stack).
    #[test]
    fn every_hessian_helper_is_defined_for_every_target() {
        for h in HHelper::ALL {
            for t in Target::ALL {
                let def = h.definition(t);
                assert!(def.starts_with(&format!("def {}(", h.name())), "{def}");
                assert!(!def.contains("XP"), "{def}");
                if t == Target::Torch {
                    assert!(!def.contains("order=") && !def.contains("axis="), "{def}");
                }
            }
        }
    }

    /// The vec form is written with the helpers, a repeated subtree computed once; a module
    /// without `--hessian` has none of it.
    #[test]
    fn the_vec_form_is_written_with_shared_subtrees() {
        let code = export("sum(exp(X*X))", "X", Target::Numpy);
        assert_eq!(code.matches("_commutation(_n, _n)").count(), 1, "{code}");
        assert!(code.contains("def _commutation(m, n):"), "{code}");
        assert!(code.contains("np.ravel(a, order=\"F\")"), "{code}");
        assert!(!code.contains("def hessian_map("), "{code}");
        let a = analyze(&Input {
            expr: "sum(exp(X*X))".into(),
            decls: String::new(),
            wrt: Some("X".into()),
        });
        let plain = super::super::python(
            a.problem.as_ref().unwrap(),
            a.derivation.as_ref().unwrap(),
            Target::Numpy,
        )
        .unwrap();
        assert!(!plain.contains("hessian"), "{plain}");
    }

    /// Without a readable Kronecker form the map is exported, d(X) read from `direction`.
    #[test]
    fn without_a_vec_form_the_map_is_applied_to_the_basis() {
        let code = export("x'*diag(x)*x", "x", Target::Torch);
        assert!(
            code.contains("def hessian_map(direction, **values):"),
            "{code}"
        );
        assert!(
            code.contains("__direction = _column(values[\"__direction\"])"),
            "{code}"
        );
        assert!(
            code.contains("return _hessian_columns(hessian_map, x, values)"),
            "{code}"
        );
        assert!(code.contains("torch.stack(columns, dim=1)"), "{code}");
    }
}
