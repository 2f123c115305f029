//! Symbol-panel edits turned into the declarations string the core reads (`A: 3x4, S: symmetric n`), pure.

use matdiff_core::{Dim, Kind, Symbol};

/// One change the user makes in the symbol panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SymbolEdit {
    /// Scalar, vector or matrix; sizes are left to inference.
    Kind(Kind),
    /// New dimensions as typed (`3x4`, `m x n`, `n`); empty leaves them to inference.
    Dims(String),
    Symmetric(bool),
    Spd(bool),
}

/// A symbol's dimensions as the declaration language writes them (`m x n`, `n`).
pub fn dims_text(sym: &Symbol) -> String {
    let d = |d: &Dim| d.to_string();
    match sym.kind {
        Kind::Scalar => String::new(),
        Kind::Vector => d(&sym.shape.rows),
        Kind::Matrix => format!("{} x {}", d(&sym.shape.rows), d(&sym.shape.cols)),
    }
}

/// What the symbol panel shows of a symbol, and what its declaration item is built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    pub kind: Kind,
    /// Dimensions as the declaration language writes them (`m x n`, `n`), or as typed.
    pub dims: String,
    pub symmetric: bool,
    pub spd: bool,
}

impl Fields {
    /// A symbol's fields as the core read it.
    pub fn of(sym: &Symbol) -> Fields {
        Fields {
            kind: sym.kind,
            dims: dims_text(sym),
            symmetric: sym.symmetric,
            spd: sym.spd,
        }
    }

    /// The fields after `edit`.
    #[must_use]
    pub fn edited(&self, edit: &SymbolEdit) -> Fields {
        let mut f = self.clone();
        match edit {
            SymbolEdit::Kind(k) => {
                f.kind = *k;
                f.dims.clear();
                f.symmetric = false;
                f.spd = false;
            }
            SymbolEdit::Dims(text) => f.dims = text.clone(),
            SymbolEdit::Symmetric(on) => {
                f.symmetric = *on;
                f.spd &= *on;
            }
            SymbolEdit::Spd(on) => {
                f.spd = *on;
                f.symmetric |= *on;
            }
        }
        if f.kind == Kind::Matrix && (f.symmetric || f.spd) {
            // A symmetric matrix is square: one size.
            f.dims = sym_dim(&f.dims);
        }
        f
    }

    /// The declaration item of the symbol `name` with these fields.
    pub fn item(&self, name: &str) -> String {
        let dims = self.dims.trim();
        let words = match self.kind {
            Kind::Scalar => "scalar",
            Kind::Vector => "vector",
            Kind::Matrix if self.spd => "spd",
            Kind::Matrix if self.symmetric => "symmetric",
            Kind::Matrix => "matrix",
        };
        if dims.is_empty() || self.kind == Kind::Scalar {
            format!("{name}: {words}")
        } else {
            format!("{name}: {words} {dims}")
        }
    }
}

/// The declaration item of `sym` after `edit`.
pub fn edited_item(sym: &Symbol, edit: &SymbolEdit) -> String {
    Fields::of(sym).edited(edit).item(&sym.name)
}

/// The single size of a square matrix given `m x n`-style text: its first size. Two different
/// numbers (`3x4`) stay as they are: the declaration then says what is wrong (a symmetric matrix
/// must be square) instead of the panel quietly dropping a size the user gave.
fn sym_dim(dims: &str) -> String {
    let parts: Vec<&str> = dims.split(['x', 'X', '*', '×']).map(str::trim).collect();
    let number = |p: &str| p.parse::<usize>().ok();
    if let [a, b] = parts[..] {
        if matches!((number(a), number(b)), (Some(m), Some(n)) if m != n) {
            return dims.to_string();
        }
    }
    parts.first().copied().unwrap_or("").to_string()
}

/// The name an item declares (`A` for `A: 3x4`), if it has one.
fn item_name(item: &str) -> Option<&str> {
    item.split_once(':')
        .map(|(n, _)| n.trim())
        .filter(|n| !n.is_empty())
}

/// Replaces (or adds) the item that declares `name` in `decls`; other items keep their text.
pub fn set_item(decls: &str, name: &str, new_item: &str) -> String {
    let mut items: Vec<String> = decls
        .split([',', ';', '\n'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    match items.iter().position(|i| item_name(i) == Some(name)) {
        Some(k) => items[k] = new_item.to_string(),
        None => items.push(new_item.to_string()),
    }
    items.join(", ")
}

/// The declarations after an edit of `sym`.
pub fn apply(decls: &str, sym: &Symbol, edit: &SymbolEdit) -> String {
    set_item(decls, &sym.name, &edited_item(sym, edit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use matdiff_core::{analyze, Input};

    fn symbols(expr: &str, decls: &str) -> Vec<Symbol> {
        let a = analyze(&Input {
            expr: expr.into(),
            decls: decls.into(),
            wrt: None,
        });
        assert!(
            a.diagnostics.is_empty(),
            "{expr} / {decls}: {:?}",
            a.diagnostics
        );
        a.symbols().to_vec()
    }

    fn sym<'a>(s: &'a [Symbol], name: &str) -> &'a Symbol {
        s.iter().find(|s| s.name == name).expect("symbol")
    }

    #[test]
    fn symmetric_a_gives_the_simpler_gradient() {
        let s = symbols("x'*A*x", "");
        let decls = apply("", sym(&s, "A"), &SymbolEdit::Symmetric(true));
        assert_eq!(decls, "A: symmetric n");
        let a = analyze(&Input {
            expr: "x'*A*x".into(),
            decls,
            wrt: Some("x".into()),
        });
        assert!(sym(a.symbols(), "A").symmetric);
        assert_eq!(a.derivation.expect("derivation").gradient_text, "2*A*x");
    }

    #[test]
    fn every_edit_is_read_back_by_the_core() {
        let s = symbols("tr(A*X*B) + a*||x||^2", "");
        let a = sym(&s, "A");
        let cases = [
            (SymbolEdit::Dims("3x4".into()), "A: matrix 3x4"),
            (SymbolEdit::Spd(true), "A: spd"),
            (SymbolEdit::Kind(Kind::Scalar), "A: scalar"),
        ];
        for (edit, want) in cases {
            let item = edited_item(a, &edit);
            assert!(item.starts_with(want), "{item} vs {want}");
        }
        let p = sym(&s, "x");
        assert_eq!(edited_item(p, &SymbolEdit::Dims("5".into())), "x: vector 5");
        let decls = apply("B: 4x2", sym(&s, "X"), &SymbolEdit::Dims("3x4".into()));
        assert_eq!(decls, "B: 4x2, X: matrix 3x4");
        let after = symbols("tr(A*X*B) + a*||x||^2", &decls);
        assert_eq!(dims_text(sym(&after, "X")), "3 x 4");
        assert_eq!(dims_text(sym(&after, "B")), "4 x 2");
        assert!(!sym(&after, "A").declared() && sym(&after, "X").declared());
    }

    #[test]
    fn spd_implies_symmetric_and_unchecking_symmetric_drops_spd() {
        let s = symbols("logdet(S)", "S: m x m");
        let spd = edited_item(sym(&s, "S"), &SymbolEdit::Spd(true));
        assert_eq!(spd, "S: spd m");
        let s2 = symbols("logdet(S)", &spd);
        assert!(sym(&s2, "S").spd && sym(&s2, "S").symmetric);
        assert_eq!(
            edited_item(sym(&s2, "S"), &SymbolEdit::Symmetric(false)),
            "S: matrix m x m"
        );
    }

    #[test]
    fn ticking_spd_on_a_matrix_of_two_different_sizes_keeps_them_and_the_core_says_why() {
        let s = symbols("tr(A*X)", "A: 3x4");
        let item = edited_item(sym(&s, "A"), &SymbolEdit::Spd(true));
        assert_eq!(item, "A: spd 3 x 4");
        let a = analyze(&Input {
            expr: "tr(A*X)".into(),
            decls: item,
            wrt: None,
        });
        assert!(
            a.diagnostics
                .iter()
                .any(|d| d.message.contains("must be square")),
            "{:?}",
            a.diagnostics
        );
        // Equal sizes, or sizes still symbolic, become the one size of a square matrix.
        let s = symbols("tr(A*X)", "A: 3x3");
        assert_eq!(
            edited_item(sym(&s, "A"), &SymbolEdit::Spd(true)),
            "A: spd 3"
        );
        let s = symbols("tr(A*X)", "A: m x n");
        assert_eq!(
            edited_item(sym(&s, "A"), &SymbolEdit::Symmetric(true)),
            "A: symmetric m"
        );
    }

    #[test]
    fn set_item_replaces_by_name_and_keeps_the_rest() {
        assert_eq!(
            set_item("A: 3x4; x: vector 4\n b: scalar", "x", "x: vector 5"),
            "A: 3x4, x: vector 5, b: scalar"
        );
        assert_eq!(set_item("", "a", "a: scalar"), "a: scalar");
        assert_eq!(set_item(" , junk", "a", "a: scalar"), "junk, a: scalar");
    }
}
