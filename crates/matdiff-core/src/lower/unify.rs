//! Dimension unification: sizes during inference, a union-find of inference variables, and the holes of `I`/`ones` nodes they fill at the end.
//!
//! A variable never unifies with the literal 1, so a shape's scalar-ness, vector-ness and
//! matrix-ness are known as soon as it is built; declared sizes and numbers are rigid.

use crate::expr::Dim;
use std::rc::Rc;

/// A dimension during inference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum D {
    One,
    Num(usize),
    /// A declared symbolic size (index into [`Dims::names`]): rigid.
    Name(usize),
    /// An inference variable (index into the union-find of [`Dims`]).
    Var(usize),
}

/// A shape during inference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct TS {
    pub(super) r: D,
    pub(super) c: D,
}

impl TS {
    pub(super) const SCALAR: TS = TS {
        r: D::One,
        c: D::One,
    };
    /// Variables never unify with 1, so scalar-ness is known as soon as a shape is built.
    pub(super) fn is_scalar(self) -> bool {
        self.r == D::One && self.c == D::One
    }
}

/// A dimension of an `Eye`/`Ones` node that was still a variable when the node was built: the
/// node holds `Dim::Name(token)`, a fresh allocation found again by its address, and finishing
/// writes the variable's final size in its place.
pub(super) struct Hole {
    pub(super) token: Rc<str>,
    pub(super) var: usize,
}

/// The inference state of the dimensions: declared names, the union-find, the holes.
#[derive(Default)]
pub(super) struct Dims {
    /// Declared dimension names.
    pub(super) names: Vec<String>,
    /// Union-find links of the variables: `parent[v] == Var(v)` for a root. Links only point to
    /// older variables or rigid sizes.
    pub(super) parent: Vec<D>,
    /// Dimensions of the tree still to be filled in by finishing.
    pub(super) holes: Vec<Hole>,
}

/// The text of a hole's token (never read: a token is found by its address).
const HOLE: &str = "?";

impl Dims {
    /// A new inference variable.
    pub(super) fn fresh(&mut self) -> D {
        let v = D::Var(self.parent.len());
        self.parent.push(v);
        v
    }

    /// The representative of `d`: a root variable or a rigid size.
    pub(super) fn find(&self, mut d: D) -> D {
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

    /// Makes `a` and `b` the same size; `false` (and nothing changed) when they cannot be.
    pub(super) fn unify(&mut self, a: D, b: D) -> bool {
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

    pub(super) fn same(&self, a: D, b: D) -> bool {
        self.find(a) == self.find(b)
    }

    /// A declared size: rigid.
    pub(super) fn rigid(&mut self, d: &Dim) -> D {
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

    /// Unifies two shapes entry by entry, or changes nothing when they cannot be unified.
    pub(super) fn unify_shapes(&mut self, a: TS, b: TS) -> bool {
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

    /// Whether a product chain of these shapes is well formed (1×1 factors act as scalars).
    pub(super) fn chain_ok(&self, shapes: &[TS]) -> bool {
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

    /// The size `d` as a tree dimension, for an `Eye`/`Ones` node: a rigid size as it is, a
    /// variable as a hole that finishing fills in.
    pub(super) fn hole(&mut self, d: D) -> Dim {
        match self.find(d) {
            D::One => Dim::One,
            D::Num(n) => Dim::Num(n),
            D::Name(i) => Dim::Name(self.names.get(i).map_or("", |n| n.as_str()).into()),
            D::Var(var) => {
                let token: Rc<str> = Rc::from(HOLE);
                self.holes.push(Hole {
                    token: Rc::clone(&token),
                    var,
                });
                Dim::Name(token)
            }
        }
    }
}
