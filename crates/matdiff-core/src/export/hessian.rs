//! The Hessian of an exported module: `hessian_f(**values)`, the N×N Hessian in vec order
//! (column-major), written from the engine's vec form (the [`Jac`] tree: Kronecker products,
//! commutation matrices, diag(vec ·), vec(·)) with shared temporaries; where the engine has no
//! readable vec form, the linear map dX ↦ d(∇f) is exported as `hessian_map(direction,
//! **values)` and `hessian_f` applies it to the basis directions E_k, column by column.

use super::helpers::Helper;
use super::{doc_text, Body, Output, Target, DIRECTION};
use crate::expr::{Expr, Problem, Shape, SymbolTable};
use crate::jacobian::{jac_text, Derivation2, Jac, Side};
use crate::print::Renderer;
use std::fmt::Write as _;

/// The Python functions of the Hessian: `hessian_f` (and `hessian_map` where it needs it).
pub(super) fn functions(
    table: &SymbolTable,
    var: &Shape,
    kind: Output,
    h: &Derivation2,
    target: Target,
    used: &mut u64,
) -> Result<String, String> {
    let mut out = String::new();
    match &h.matrix {
        Some(j) => {
            let body = Body::new(table, &h.wrt, target, used).hessian(j, var)?;
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
            let mut b = Body::new(table, &h.wrt, target, used);
            b.direction = true;
            let read = match kind {
                Output::Scalar => Helper::Scalar,
                Output::Vector => Helper::Column,
                Output::Matrix => Helper::Matrix,
            };
            *b.used |= read.bit();
            b.lines
                .push(format!("{DIRECTION} = {}(direction)", read.name()));
            let body = b.gradient(&h.map, var, kind)?;
            let _ = write!(
                out,
                "\n\ndef hessian_map(direction, **values):\n    \"\"\"The linear map dX -> d(grad f) \
                 at the values, applied to direction (shaped like {}): {}\"\"\"\n{body}",
                h.wrt,
                doc_text(&h.map_text)
            );
            let mut b = Body::new(table, &h.wrt, target, used);
            let call = b.helper(
                Helper::HessianColumns,
                &["hessian_map".into(), super::local(&h.wrt), "values".into()],
            );
            let body = b.finish(&Expr::sym(&h.wrt), &[], &call)?;
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
    Ok(out)
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
pub(super) fn docstring_note(problem: &Problem, h: &Derivation2, target: Target) -> String {
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
    fn hessian(mut self, j: &Jac, var: &Shape) -> Result<String, String> {
        let mut exprs = Vec::new();
        leaves(j, &mut exprs);
        for e in &exprs {
            self.count(e);
        }
        let value = self.jac(j)?;
        let x = super::local(self.wrt);
        let ret = self.helper(Helper::HessianOut, &[value, x]);
        let mut sized = vec![var.clone()];
        comm_shapes(j, &mut sized);
        // The variable is read (for N) even where H does not mention it.
        exprs.push(Expr::sym(self.wrt));
        self.finish(&Expr::Add(exprs), &sized, &ret)
    }

    fn jac(&mut self, j: &Jac) -> Result<String, String> {
        Ok(match j {
            Jac::Mat(e) => self.arg(e)?,
            Jac::Kron(a, b) => {
                let (a, b) = (self.arg(a)?, self.arg(b)?);
                self.helper(Helper::Kron, &[a, b])
            }
            Jac::Comm(m, n) => {
                let (m, n) = (self.dim(m)?, self.dim(n)?);
                self.helper(Helper::Commutation, &[m, n])
            }
            Jac::DiagVec(p) => {
                let p = self.arg(p)?;
                self.helper(Helper::DiagVec, &[p])
            }
            Jac::VecCol(m) => {
                let m = self.arg(m)?;
                self.helper(Helper::Vec, &[m])
            }
            Jac::VecRow(p) => {
                let p = self.arg(p)?;
                format!("{}.T", self.helper(Helper::Vec, &[p]))
            }
            Jac::Prod(fs) => {
                let mut acc: Option<String> = None;
                for f in fs {
                    let v = self.jac(f)?;
                    acc = Some(match acc {
                        None => v,
                        Some(a) => self.helper(Helper::JacMul, &[a, v]),
                    });
                }
                match acc {
                    Some(a) => a,
                    None => self.helper(Helper::Const, &["1.0".into()]),
                }
            }
            Jac::Add(ts) => {
                let mut parts = Vec::with_capacity(ts.len());
                for t in ts {
                    parts.push(self.jac(t)?);
                }
                match parts.len() {
                    0 => self.helper(Helper::Const, &["0.0".into()]),
                    1 => parts.remove(0),
                    _ => self.helper(Helper::JacAdd, &parts),
                }
            }
            Jac::Scaled(s, j) => {
                let s = self.arg(s)?;
                let j = self.jac(j)?;
                self.helper(Helper::JacMul, &[s, j])
            }
        })
    }
}
