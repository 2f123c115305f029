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

/// Builds a declaration item from its parts.
fn item(name: &str, kind: Kind, dims: &str, symmetric: bool, spd: bool) -> String {
    let dims = dims.trim();
    let words = match kind {
        Kind::Scalar => "scalar".to_string(),
        Kind::Vector => "vector".to_string(),
        Kind::Matrix if spd => "spd".to_string(),
        Kind::Matrix if symmetric => "symmetric".to_string(),
        Kind::Matrix => "matrix".to_string(),
    };
    if dims.is_empty() || kind == Kind::Scalar {
        format!("{name}: {words}")
    } else {
        format!("{name}: {words} {dims}")
    }
}

/// The declaration item of `sym` after `edit`.
pub fn edited_item(sym: &Symbol, edit: &SymbolEdit) -> String {
    let (mut kind, mut dims, mut symmetric, mut spd) =
        (sym.kind, dims_text(sym), sym.symmetric, sym.spd);
    match edit {
        SymbolEdit::Kind(k) => {
            kind = *k;
            dims.clear();
            symmetric = false;
            spd = false;
        }
        SymbolEdit::Dims(text) => dims = text.clone(),
        SymbolEdit::Symmetric(on) => {
            symmetric = *on;
            spd &= *on;
        }
        SymbolEdit::Spd(on) => {
            spd = *on;
            symmetric |= *on;
        }
    }
    if kind == Kind::Matrix && (symmetric || spd) {
        // A symmetric matrix is square: one size.
        dims = sym_dim(&dims);
    }
    item(&sym.name, kind, &dims, symmetric, spd)
}

/// The single size of a square matrix given `m x n`-style text: its first size.
fn sym_dim(dims: &str) -> String {
    let first = dims
        .split(['x', 'X', '*', '×'])
        .next()
        .map(str::trim)
        .unwrap_or("");
    first.to_string()
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
        a.symbols
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
        assert!(sym(&a.symbols, "A").symmetric);
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
        assert!(!sym(&after, "A").declared && sym(&after, "X").declared);
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
    fn set_item_replaces_by_name_and_keeps_the_rest() {
        assert_eq!(
            set_item("A: 3x4; x: vector 4\n b: scalar", "x", "x: vector 5"),
            "A: 3x4, x: vector 5, b: scalar"
        );
        assert_eq!(set_item("", "a", "a: scalar"), "a: scalar");
        assert_eq!(set_item(" , junk", "a", "a: scalar"), "junk, a: scalar");
    }
}
