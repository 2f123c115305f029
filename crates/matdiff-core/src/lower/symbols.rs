//! Symbols and letter typing: the symbol table during inference, the first-letter convention, declarations, implicit products (`Ax` = A·x).
//!
//! Undeclared symbols are typed by their first letter (see [`default_kind`]); their sizes are
//! fresh variables. A declared symbol takes its declared kind and sizes (rigid where given).

use super::unify::{D, TS};
use super::{Low, Lowerer, R};
use crate::decls::default_kind;
use crate::decls::Decl;
use crate::diagnostic::{Diagnostic, Span};
use crate::expr::{Expr, Kind, Origin};
use crate::greek::is_greek;
use crate::syntax::{Ast, AstKind};

/// A symbol as lowering knows it.
pub(super) struct SymInfo {
    pub(super) name: String,
    pub(super) kind: Kind,
    pub(super) s: TS,
    pub(super) symmetric: bool,
    pub(super) spd: bool,
    pub(super) origin: Origin,
    /// Typed scalar by its letter, so it may be promoted.
    pub(super) soft: bool,
    /// Occurrences so far.
    pub(super) uses: usize,
}

impl Lowerer<'_> {
    /// The shape of symbol `name`, creating it on first appearance.
    pub(super) fn symbol(&mut self, name: &str) -> TS {
        if let Some(s) = self.syms.iter_mut().find(|s| s.name == name) {
            s.uses += 1;
            return s.s;
        }
        let decl = self.decls.iter().find(|d| d.name == name);
        let info = match decl {
            Some(d) => {
                let r = match &d.rows {
                    Some(x) => self.dims.rigid(x),
                    None => self.dims.fresh(),
                };
                let c = match &d.cols {
                    Some(x) => self.dims.rigid(x),
                    None if d.square => r,
                    None => self.dims.fresh(),
                };
                SymInfo {
                    name: name.to_string(),
                    kind: d.kind,
                    s: TS { r, c },
                    symmetric: d.symmetric,
                    spd: d.spd,
                    origin: Origin::Declared,
                    soft: false,
                    uses: 0,
                }
            }
            None => {
                let (kind, origin) = match self.kinds.iter().find(|(n, _)| n == name) {
                    Some((_, kind)) => (*kind, Origin::Context),
                    None => (default_kind(name), Origin::Letter),
                };
                let s = match kind {
                    Kind::Scalar => TS::SCALAR,
                    Kind::Vector => TS {
                        r: self.dims.fresh(),
                        c: D::One,
                    },
                    Kind::Matrix => TS {
                        r: self.dims.fresh(),
                        c: self.dims.fresh(),
                    },
                };
                SymInfo {
                    name: name.to_string(),
                    kind,
                    s,
                    symmetric: false,
                    spd: false,
                    origin,
                    soft: kind == Kind::Scalar && origin == Origin::Letter,
                    uses: 0,
                }
            }
        };
        let s = info.s;
        self.syms.push(SymInfo { uses: 1, ..info });
        s
    }

    /// Adds the variable `name` when the expression does not mention it, typed by its declaration
    /// or its first letter like any symbol (its sizes stay free), so the gradient of a function
    /// that does not depend on it, zero, has a shape. Only a name that could be one symbol in the
    /// expression counts: not a function, the identity or a name read as a product (`AX`).
    pub(super) fn absent_variable(&mut self, name: &str) {
        if self.syms.iter().any(|s| s.name == name) {
            return;
        }
        let declared = self.decls.iter().any(|d| d.name == name);
        let is_name = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let reserved = crate::expr::Func::from_name(name).is_some()
            || name == "I"
            || name == "eye"
            || implicit_parts(name).is_some();
        if !is_name || (reserved && !declared) {
            return;
        }
        self.symbol(name);
        if let Some(s) = self.syms.last_mut() {
            s.uses = 0;
        }
    }

    /// Retypes a letter-typed scalar symbol seen once as a vector or matrix; `None` if it was used before.
    pub(super) fn promote(&mut self, name: &str, kind: Kind) -> Option<TS> {
        let i = self
            .syms
            .iter()
            .position(|s| s.name == name && s.soft && s.uses == 1)?;
        let r = self.dims.fresh();
        let c = if kind == Kind::Vector {
            D::One
        } else {
            self.dims.fresh()
        };
        let s = TS { r, c };
        let info = self.syms.get_mut(i)?;
        info.kind = kind;
        info.s = s;
        info.soft = false;
        info.origin = Origin::Context;
        Some(s)
    }

    /// For a bare name that reads as an implicit product (`AX`, `xAx`): the product of all its
    /// parts but the last, lowered, and the last part as a name of its own, so that a power or
    /// a transpose written after the name applies to the last part only. `None` otherwise.
    pub(super) fn implicit_prefix(&mut self, ast: &Ast) -> R<Option<(Low, Ast)>> {
        let AstKind::Ident(name) = &ast.kind else {
            return Ok(None);
        };
        if self.decls.iter().any(|d| d.name == *name) {
            return Ok(None);
        }
        let Some(parts) = implicit_parts(name) else {
            return Ok(None);
        };
        let Some(&(i, last)) = parts.last() else {
            return Ok(None);
        };
        let start = ast.span.start;
        let prefix = self.ident(&name[..i], start..start + i)?;
        let last = Ast::new(AstKind::Ident(last.to_string()), start + i..ast.span.end);
        Ok(Some((prefix, last)))
    }

    /// A name: a symbol, the identity, or an implicit product (`AXB`, `Ax`).
    pub(super) fn ident(&mut self, name: &str, span: Span) -> R<Low> {
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
}

/// The undeclared symbols of an expression, in order of appearance, as lowering will meet them
/// (implicit products split into their parts; `I` and `eye` are the identity).
pub(super) fn undeclared_names(ast: &Ast, decls: &[Decl]) -> Vec<String> {
    let declared = |n: &str| decls.iter().any(|d| d.name == n);
    let mut out: Vec<String> = Vec::new();
    let mut stack = vec![ast];
    while let Some(a) = stack.pop() {
        if let AstKind::Ident(name) = &a.kind {
            let parts: Vec<&str> = match implicit_parts(name) {
                Some(parts) if !declared(name) => parts.into_iter().map(|(_, p)| p).collect(),
                _ => vec![name.as_str()],
            };
            for p in parts {
                if !declared(p) && !matches!(p, "I" | "eye") && !out.iter().any(|o| o == p) {
                    out.push(p.to_string());
                }
            }
        }
        // Children pushed in reverse, so they are visited left to right.
        stack.extend(a.children().into_iter().rev());
    }
    out
}

/// The parts of a name that reads as an implicit product, with their byte offsets: a name of
/// letters only, with a capital, that is not a Greek name, splits into its capitals (each a
/// matrix) and the runs of small letters between them — `AXB` is A·X·B, `Ax` is A·x, `xAx` is
/// x·A·x, `lambdaI` is λ·I, `SigmaX` is Σ·X. A run of small letters stays one part, as `xy` alone
/// is one name, and must be a single letter or a Greek name; otherwise (`Xtrain`, `Sigmax`) the
/// name is one symbol.
/// `None` for a name that is not such a product (one part, or not of this form).
pub(super) fn implicit_parts(name: &str) -> Option<Vec<(usize, &str)>> {
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
