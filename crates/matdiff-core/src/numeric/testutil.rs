//! Helpers for the numeric tests: hand-built expression trees, symbol tables and matrices.

use crate::expr::{Dim, Expr, Kind, Problem, Shape, Symbol, SymbolTable};
use nalgebra::DMatrix;
use std::rc::Rc;

pub fn sym(name: &str) -> Expr {
    Expr::sym(name)
}

pub fn num(x: f64) -> Expr {
    Expr::Num(x)
}

pub fn mul(v: Vec<Expr>) -> Expr {
    Expr::Mul(v)
}

pub fn add(v: Vec<Expr>) -> Expr {
    Expr::Add(v)
}

pub fn sub(a: Expr, b: Expr) -> Expr {
    Expr::Add(vec![a, Expr::neg(b)])
}

pub fn bx(e: Expr) -> Rc<Expr> {
    Rc::new(e)
}

pub fn tr(e: Expr) -> Expr {
    Expr::call(crate::expr::Func::Tr, e)
}

/// A dimension from its text: `1`, a number, or a name.
pub fn dim(s: &str) -> Dim {
    match s.parse::<usize>() {
        Ok(1) => Dim::One,
        Ok(n) => Dim::Num(n),
        Err(_) => Dim::Name(s.into()),
    }
}

/// A symbol `name: rows×cols`, its kind from the shape.
pub fn symbol(name: &str, rows: &str, cols: &str) -> Symbol {
    let shape = Shape::new(dim(rows), dim(cols));
    let kind = if shape.is_scalar() {
        Kind::Scalar
    } else if shape.is_col_vector() {
        Kind::Vector
    } else {
        Kind::Matrix
    };
    Symbol {
        name: name.to_string(),
        kind,
        shape,
        symmetric: false,
        spd: false,
        origin: crate::expr::Origin::Letter,
    }
}

pub fn table(symbols: Vec<Symbol>) -> SymbolTable {
    SymbolTable { symbols }
}

pub fn problem(expr: Expr, symbols: Vec<Symbol>, wrt: &str) -> Problem {
    Problem {
        expr,
        symbols: table(symbols),
        wrt: wrt.to_string(),
    }
}

/// A matrix from its entries in row-major order.
pub fn mat(rows: usize, cols: usize, row_major: &[f64]) -> DMatrix<f64> {
    DMatrix::from_row_slice(rows, cols, row_major)
}

/// A number with six significant digits, without trailing zeros.
pub fn fmt6(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let decimals = (5 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// `[a b; c d]` with six significant digits.
pub fn show(m: &DMatrix<f64>) -> String {
    let rows: Vec<String> = m
        .row_iter()
        .map(|r| r.iter().map(|x| fmt6(*x)).collect::<Vec<_>>().join(" "))
        .collect();
    format!("[{}]", rows.join("; "))
}
