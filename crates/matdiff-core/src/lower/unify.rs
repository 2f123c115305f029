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
    /// The product of two sizes, not both numbers and neither 1 (index into [`Dims::prods`]):
    /// a side of a Kronecker product.
    Prod(usize),
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
    /// The factors of each [`D::Prod`].
    pub(super) prods: Vec<(D, D)>,
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

    /// The representative of `d`: a root variable, a rigid size or a product (a number when
    /// both its factors have become numbers).
    #[inline]
    pub(super) fn find(&self, mut d: D) -> D {
        // Links only point to older variables, rigid sizes or products, so this ends.
        for _ in 0..=self.parent.len() {
            match d {
                D::Var(v) => match self.parent.get(v) {
                    Some(&p) if p != d => d = p,
                    _ => return d,
                },
                D::Prod(i) => return self.find_product(i, d),
                _ => return d,
            }
        }
        d
    }

    /// [`Dims::find`] of the product `d`, number `i` (apart, so that the common case inlines).
    fn find_product(&self, i: usize, d: D) -> D {
        match self.factors(i) {
            Some((D::Num(x), D::Num(y))) => D::Num(x.saturating_mul(y)),
            _ => d,
        }
    }

    /// The factors of the product `i`, each found.
    fn factors(&self, i: usize) -> Option<(D, D)> {
        let &(a, b) = self.prods.get(i)?;
        // A factor is never a product containing this one (see `occurs`), so this ends.
        Some((self.find(a), self.find(b)))
    }

    /// `a·b` as an inference size: 1 dropped, numbers multiplied.
    pub(super) fn product(&mut self, a: D, b: D) -> D {
        match (self.find(a), self.find(b)) {
            (D::One, x) | (x, D::One) => x,
            (D::Num(x), D::Num(y)) => D::Num(x.saturating_mul(y)),
            (x, y) => {
                self.prods.push((x, y));
                D::Prod(self.prods.len() - 1)
            }
        }
    }

    /// Whether the variable `v` occurs in `d` (binding `v` to `d` would make a cycle).
    fn occurs(&self, v: usize, d: D) -> bool {
        match self.find(d) {
            D::Var(w) => w == v,
            D::Prod(i) => self
                .prods
                .get(i)
                .is_some_and(|&(a, b)| self.occurs(v, a) || self.occurs(v, b)),
            _ => false,
        }
    }

    /// Whether `a` and `b` could be made the same size (what [`Dims::unify`] would do).
    fn can_unify(&self, a: D, b: D) -> bool {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return true;
        }
        match (a, b) {
            (D::Var(_), D::One) | (D::One, D::Var(_)) => false,
            (D::Var(v), other) | (other, D::Var(v)) => !self.occurs(v, other),
            (D::Prod(i), D::Prod(j)) => match (self.factors(i), self.factors(j)) {
                (Some((a1, a2)), Some((b1, b2))) => {
                    self.can_unify(a1, b1) && self.can_unify(a2, b2)
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// Makes `a` and `b` the same size; `false` (and nothing changed) when they cannot be.
    pub(super) fn unify(&mut self, a: D, b: D) -> bool {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return true;
        }
        match (a, b) {
            (D::Var(_), D::One) | (D::One, D::Var(_)) => false,
            // Products unify factor by factor (m·p = n·q when m = n and p = q).
            (D::Prod(i), D::Prod(j)) => match (self.factors(i), self.factors(j)) {
                (Some((a1, a2)), Some((b1, b2))) => self.unify(a1, b1) && self.unify(a2, b2),
                _ => false,
            },
            (D::Var(v), other @ D::Prod(_)) | (other @ D::Prod(_), D::Var(v))
                if self.occurs(v, other) =>
            {
                false
            }
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
        let (a, b) = (self.find(a), self.find(b));
        a == b
            || match (a, b) {
                (D::Prod(i), D::Prod(j)) => match (self.factors(i), self.factors(j)) {
                    (Some((a1, a2)), Some((b1, b2))) => self.same(a1, b1) && self.same(a2, b2),
                    _ => false,
                },
                _ => false,
            }
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
            Dim::Prod(ps) => ps.iter().fold(D::One, |acc, p| {
                let p = self.rigid(p);
                self.product(acc, p)
            }),
        }
    }

    /// Unifies two shapes entry by entry, or changes nothing when they cannot be unified.
    pub(super) fn unify_shapes(&mut self, a: TS, b: TS) -> bool {
        // Check first, so a failed unification leaves nothing half done.
        if !(self.can_unify(a.r, b.r) && self.can_unify(a.c, b.c)) {
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
            D::Prod(i) => match self.prods.get(i).copied() {
                Some((a, b)) => {
                    let (a, b) = (self.hole(a), self.hole(b));
                    Dim::product(&a, &b)
                }
                None => Dim::One,
            },
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
