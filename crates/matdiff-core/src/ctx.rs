//! The problem context the later phases share: the symbol table, the variable, shape look-ups.

use crate::expr::{dims_with, same_name, unit_dims_with, Dim, Expr, Shape, SymbolTable};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// What the simplifier needs to know about the problem.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub table: &'a SymbolTable,
    pub wrt: &'a str,
    /// The table's symbols by name, for shape look-ups in large tables.
    pub index: &'a SymbolIndex<'a>,
}

/// The symbols of a table by name: a hash look-up for large tables, a scan for small ones.
pub struct SymbolIndex<'a> {
    table: &'a SymbolTable,
    /// Built only for tables larger than [`SymbolIndex::SCAN`].
    by_name: HashMap<&'a str, &'a Shape, BuildHasherDefault<Fnv>>,
}

impl<'a> SymbolIndex<'a> {
    /// Up to this many symbols a linear scan is faster than hashing.
    const SCAN: usize = 8;

    pub fn new(table: &'a SymbolTable) -> SymbolIndex<'a> {
        let mut by_name = HashMap::default();
        if table.symbols.len() > Self::SCAN {
            // The first symbol of a name wins, as `SymbolTable::get` finds it.
            for s in table.symbols.iter().rev() {
                by_name.insert(s.name.as_str(), &s.shape);
            }
        }
        SymbolIndex { table, by_name }
    }

    /// The shape of the symbol `name`.
    pub fn shape(&self, name: &str) -> Option<&'a Shape> {
        if self.table.symbols.len() > Self::SCAN {
            self.by_name.get(name).copied()
        } else {
            self.table.get(name).map(|s| &s.shape)
        }
    }
}

/// FNV-1a: a small, fast hash for short symbol names (no protection against chosen collisions
/// needed: the names come from one input, whose size is capped).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

impl<'a> Ctx<'a> {
    pub fn shape(&self, e: &Expr) -> Shape {
        let (r, c) = self.dims(e);
        Shape::new(r.into_owned(), c.into_owned())
    }
    /// Rows and columns of `e`, borrowed where they are in the tree or the table (no allocation).
    pub fn dims<'e>(&self, e: &'e Expr) -> (Cow<'e, Dim>, Cow<'e, Dim>)
    where
        'a: 'e,
    {
        dims_with(e, &|name: &str| self.index.shape(name))
    }
    /// Whether `e` is 1×1.
    pub fn is_scalar(&self, e: &Expr) -> bool {
        let (r, c) = self.unit_dims(e);
        r && c
    }
    /// Whether the rows and the columns of `e` are 1 ([`Ctx::dims`] compared with 1).
    pub fn unit_dims(&self, e: &Expr) -> (bool, bool) {
        unit_dims_with(e, &|name: &str| self.index.shape(name))
    }
    pub fn is_square(&self, e: &Expr) -> bool {
        let (r, c) = self.dims(e);
        r == c
    }
    /// Whether `e` is the differential of the variable, `dX`.
    pub fn is_dx(&self, e: &Expr) -> bool {
        matches!(e, Expr::D(a) if matches!(&**a, Expr::Sym(s) if same_name(s, self.wrt)))
    }
    pub fn has_dx(&self, e: &Expr) -> bool {
        e.any(&mut |n| self.is_dx(n))
    }
    /// Whether `e` does not depend on the variable.
    pub fn is_const(&self, e: &Expr) -> bool {
        !e.mentions(self.wrt)
    }
}
