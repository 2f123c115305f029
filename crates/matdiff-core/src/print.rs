//! Printers from the tree: LaTeX (for KaTeX) and input syntax (parses back). Never from user text.

use crate::expr::{Dim, Expr, Func, Kind, SymbolTable};
use crate::funcs::Latex;
use std::rc::Rc;

/// Which notation to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Latex,
    Text,
}

/// LaTeX of an expression.
pub fn latex(e: &Expr, table: &SymbolTable) -> String {
    Renderer::new(table).latex(e)
}

/// Input syntax of an expression; parses back to the same tree up to flattening.
pub fn text(e: &Expr, table: &SymbolTable) -> String {
    Renderer::text_only(table).text(e)
}

/// Both printers for one symbol table, with each symbol's LaTeX worked out once: for printing
/// many expressions over the same symbols (the lines of a derivation).
pub struct Renderer<'a> {
    table: &'a SymbolTable,
    /// LaTeX of `table.symbols[i]`; empty when only text is printed.
    sym_latex: Vec<String>,
}

impl<'a> Renderer<'a> {
    pub fn new(table: &'a SymbolTable) -> Renderer<'a> {
        Renderer {
            table,
            sym_latex: symbol_latexes(table),
        }
    }

    fn text_only(table: &'a SymbolTable) -> Renderer<'a> {
        Renderer {
            table,
            sym_latex: Vec::new(),
        }
    }

    /// LaTeX of a symbol of the table, as the printers write it.
    pub fn symbol_latex(&self, name: &str) -> String {
        let mut out = String::new();
        self.printer(Style::Latex).push_symbol_latex(name, &mut out);
        out
    }

    /// LaTeX of an expression.
    pub fn latex(&self, e: &Expr) -> String {
        self.printer(Style::Latex).print(e)
    }

    /// Input syntax of an expression.
    pub fn text(&self, e: &Expr) -> String {
        self.printer(Style::Text).print(e)
    }

    fn printer(&self, style: Style) -> Printer<'_> {
        Printer {
            style,
            table: self.table,
            sym_latex: &self.sym_latex,
        }
    }
}

/// LaTeX of every symbol of a table, in its order, no two alike: names that [`symbol_latex`]
/// would print the same (`x1` and `x_1` both as x₁, `a_` as a) are printed as written instead.
pub fn symbol_latexes(table: &SymbolTable) -> Vec<String> {
    let mut out: Vec<String> = table
        .symbols
        .iter()
        .map(|s| symbol_latex(&s.name, s.kind))
        .collect();
    let clash: Vec<bool> = (0..out.len())
        .map(|i| (0..out.len()).any(|j| j != i && out[j] == out[i]))
        .collect();
    for (i, s) in table.symbols.iter().enumerate() {
        if clash[i] {
            out[i] = literal_symbol_latex(&s.name, s.kind);
        }
    }
    out
}

/// LaTeX of a symbol name as written, letter for letter (`\mathbf{x\_1}`).
fn literal_symbol_latex(name: &str, kind: Kind) -> String {
    let escaped: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .map(|c| {
            if c == '_' {
                r"\_".to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    if kind == Kind::Scalar {
        format!(r"\mathit{{{escaped}}}")
    } else {
        format!(r"\mathbf{{{escaped}}}")
    }
}

/// LaTeX of a symbol name: Greek letters, subscripts, bold for vectors and matrices.
pub fn symbol_latex(name: &str, kind: Kind) -> String {
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let (base, sub) = match clean.split_once('_') {
        Some((b, s)) => (b.to_string(), s.replace('_', ",")),
        None => {
            let digits = clean.len() - clean.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            let (b, s) = clean.split_at(clean.len() - digits);
            (b.to_string(), s.to_string())
        }
    };
    let bold = kind != Kind::Scalar;
    let base = if let Some(g) = crate::greek::by_name(&base).map(|g| g.latex) {
        if bold {
            format!(r"\boldsymbol{{{g}}}")
        } else {
            g.to_string()
        }
    } else if base.is_empty() {
        r"\square".to_string()
    } else if bold {
        format!(r"\mathbf{{{base}}}")
    } else if base.chars().count() == 1 {
        base
    } else {
        format!(r"\mathit{{{base}}}")
    };
    match sub.len() {
        0 => base,
        1 => format!("{base}_{sub}"),
        _ => format!("{base}_{{{sub}}}"),
    }
}

/// Formats a number: integers without a decimal point.
pub fn number(x: f64) -> String {
    let mut out = String::new();
    push_number(x, &mut out);
    out
}

/// [`number`], appended to `out`.
fn push_number(x: f64, out: &mut String) {
    use std::fmt::Write;
    if x.fract() == 0.0 && x.abs() < 1e15 {
        if x == 0.0 && x.is_sign_negative() {
            out.push_str("-0");
        } else {
            // Exact: an integer below 1e15 fits an i64 (what `{x:.0}` prints, without its cost).
            let _ = write!(out, "{}", x as i64);
        }
    } else if x.abs() >= 1e15 {
        // 1e308, not 309 digits.
        let _ = write!(out, "{x:e}");
    } else {
        let _ = write!(out, "{x}");
    }
}

/// A pair of delimiters in two sizes: plain, and sized to what they enclose.
struct Delims {
    open: &'static str,
    close: &'static str,
    sized_open: &'static str,
    sized_close: &'static str,
}

const PARENS: Delims = Delims {
    open: "(",
    close: ")",
    sized_open: r"\left(",
    sized_close: r"\right)",
};
// The plain bars are \lvert/\rvert (opening and closing atoms, so `|-x|` has a unary minus); the
// trailing space ends the command name before a letter.
const BARS: Delims = Delims {
    open: r"\lvert ",
    close: r"\rvert",
    sized_open: r"\left|",
    sized_close: r"\right|",
};
const DOUBLE_BARS: Delims = Delims {
    open: r"\lVert ",
    close: r"\rVert",
    sized_open: r"\left\|",
    sized_close: r"\right\|",
};

/// Whether LaTeX from this printer is taller than a line of text with sub- and superscripts: a
/// fraction or a root is in it. Only then are delimiters around it sized to it. Around anything
/// else `\left( … \right)` would only come out a size larger than the text (a superscript inside
/// is enough for that), add a thin space after an operator name or a factor, and give KaTeX two
/// more boxes to build and the browser to lay out, for each pair.
pub fn is_tall(latex: &str) -> bool {
    latex.contains(r"\frac") || latex.contains(r"\sqrt")
}

/// `latex` in parentheses, sized to it when it [`is_tall`] (the printers' parentheses, for LaTeX
/// put together around their output).
pub fn parenthesized(latex: &str) -> String {
    let mut out = String::with_capacity(latex.len() + 16);
    out.push_str(latex);
    enclose(&mut out, 0, &PARENS);
    out
}

/// Puts what was written to `out` since `start` between `d`'s delimiters, sized to it when it
/// [`is_tall`]. (Written first and enclosed after, so that deep trees recurse through no extra
/// stack frames.)
fn enclose(out: &mut String, start: usize, d: &Delims) {
    if is_tall(&out[start..]) {
        out.insert_str(start, d.sized_open);
        out.push_str(d.sized_close);
    } else {
        out.insert_str(start, d.open);
        out.push_str(d.close);
    }
}

/// A superscript of a number, braced only when it is longer than one character (`^2`, `^{-1}`).
fn push_superscript(x: f64, out: &mut String) {
    out.push('^');
    let start = out.len();
    push_number(x, out);
    if out.len() - start > 1 {
        out.insert(start, '{');
        out.push('}');
    }
}

// Binding strength of what a node prints as.
const SUM: u8 = 1;
const PRODUCT: u8 = 2;
const FACTOR: u8 = 3;
const POSTFIX: u8 = 4;
const ATOM: u8 = 5;

/// Whether a term prints with a leading minus sign.
fn is_negative(e: &Expr) -> bool {
    match e {
        Expr::Num(x) => *x < 0.0,
        Expr::Mul(fs) => matches!(fs.first(), Some(Expr::Num(x)) if *x < 0.0),
        Expr::Div(a, _) => is_negative(a),
        _ => false,
    }
}

/// The term with its sign flipped (only for terms where [`is_negative`] holds).
fn negated(e: &Expr) -> Expr {
    match e {
        Expr::Num(x) => Expr::Num(-x),
        Expr::Mul(fs) => {
            let mut fs = fs.clone();
            if let Some(Expr::Num(x)) = fs.first().cloned() {
                if x == -1.0 {
                    fs.remove(0);
                } else {
                    fs[0] = Expr::Num(-x);
                }
            }
            if fs.len() == 1 {
                fs.remove(0)
            } else {
                Expr::Mul(fs)
            }
        }
        Expr::Div(a, b) => Expr::Div(Rc::new(negated(a)), b.clone()),
        e => e.clone(),
    }
}

struct Printer<'a> {
    style: Style,
    table: &'a SymbolTable,
    /// LaTeX of each symbol of `table`, by index (see [`Renderer`]).
    sym_latex: &'a [String],
}

impl Printer<'_> {
    fn latex(&self) -> bool {
        self.style == Style::Latex
    }

    fn prec(&self, e: &Expr) -> u8 {
        match e {
            Expr::Add(_) => SUM,
            Expr::Num(x) if *x < 0.0 => PRODUCT,
            Expr::Mul(_) | Expr::Had(_) | Expr::HadDiv(..) => PRODUCT,
            Expr::Div(..) if self.latex() => {
                if is_negative(e) {
                    PRODUCT
                } else {
                    ATOM
                }
            }
            Expr::Div(..) => PRODUCT,
            Expr::Pow(..) | Expr::HadPow(..) | Expr::Transpose(_) => POSTFIX,
            Expr::Inv(_) if self.latex() => POSTFIX,
            Expr::Call(f, _) if self.latex() && matches!(f.info().latex, Latex::Infix(_)) => {
                PRODUCT
            }
            // (dX)ᵀ, as the note writes it: a differential under a postfix operator gets parentheses.
            Expr::D(_) => FACTOR,
            _ => ATOM,
        }
    }

    fn print(&self, e: &Expr) -> String {
        let mut out = String::with_capacity(128);
        self.write(e, &mut out);
        out
    }

    fn wrap(&self, e: &Expr, min: u8, out: &mut String) {
        if self.prec(e) < min {
            let start = out.len();
            self.write(e, out);
            self.enclose(out, start);
        } else {
            self.write(e, out);
        }
    }

    /// Puts what was written to `out` since `start` in parentheses: in LaTeX sized to it only
    /// when it is tall.
    fn enclose(&self, out: &mut String, start: usize) {
        if self.latex() {
            enclose(out, start, &PARENS);
        } else {
            out.insert(start, '(');
            out.push(')');
        }
    }

    fn push_symbol_latex(&self, name: &str, out: &mut String) {
        match self.table.symbols.iter().position(|s| s.name == name) {
            Some(i) if i < self.sym_latex.len() => out.push_str(&self.sym_latex[i]),
            Some(i) => out.push_str(&symbol_latex(name, self.table.symbols[i].kind)),
            None => out.push_str(&symbol_latex(name, Kind::Scalar)),
        }
    }

    /// Writes `-t` for a term `t` that [`is_negative`], wrapped like `negated(t)` at `min`,
    /// without building the negated term where that is easy.
    fn write_negated(&self, t: &Expr, min: u8, out: &mut String) {
        match t {
            Expr::Num(x) => push_number(-x, out),
            Expr::Mul(fs) => match fs.split_first() {
                Some((Expr::Num(x), rest)) if *x == -1.0 && rest.len() == 1 => {
                    self.wrap(&rest[0], min, out);
                }
                // Mul(rest) prints as a product, which binds at least as tightly as `min` here.
                Some((Expr::Num(x), rest)) if *x == -1.0 && !rest.is_empty() && min <= PRODUCT => {
                    self.write_product(rest, out);
                }
                Some((Expr::Num(x), rest)) if !rest.is_empty() && min <= PRODUCT => {
                    self.write_product_parts(Some(-x), rest, out);
                }
                _ => self.wrap(&negated(t), min, out),
            },
            t => self.wrap(&negated(t), min, out),
        }
    }

    fn write(&self, e: &Expr, out: &mut String) {
        let latex = self.latex();
        match e {
            Expr::Num(x) => push_number(*x, out),
            Expr::Sym(s) => {
                if latex {
                    self.push_symbol_latex(s, out);
                } else {
                    out.push_str(s);
                }
            }
            Expr::Eye(_) => out.push_str(if latex { r"\mathbf{I}" } else { "eye" }),
            Expr::Ones(s) => out.push_str(if latex {
                if s.rows == crate::expr::Dim::One && s.cols != crate::expr::Dim::One {
                    r"\mathbf{1}^\top"
                } else if s.is_col_vector() {
                    r"\mathbf{1}"
                } else {
                    // The matrix of ones as the outer product of two vectors of ones: its
                    // shape is plain, and the LaTeX reader takes it back as `matrix(1)`.
                    r"\mathbf{1}\mathbf{1}^\top"
                }
            } else if s.is_col_vector() {
                "vector(1)"
            } else if s.rows == crate::expr::Dim::One && s.cols != crate::expr::Dim::One {
                "vector(1)'"
            } else {
                "matrix(1)"
            }),
            Expr::Add(ts) => {
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 && is_negative(t) {
                        out.push_str(" - ");
                        self.write_negated(t, PRODUCT, out);
                    } else {
                        if i > 0 {
                            out.push_str(" + ");
                        }
                        self.wrap(t, PRODUCT, out);
                    }
                }
            }
            Expr::Mul(fs) => self.write_product(fs, out),
            Expr::Div(a, b) => {
                if latex {
                    if is_negative(a) {
                        out.push('-');
                        let pos = Expr::Div(Rc::new(negated(a)), b.clone());
                        self.write(&pos, out);
                    } else {
                        out.push_str(r"\frac{");
                        self.write(a, out);
                        out.push_str("}{");
                        self.write(b, out);
                        out.push('}');
                    }
                } else {
                    self.wrap(a, PRODUCT, out);
                    out.push_str(" / ");
                    self.wrap(b, FACTOR, out);
                }
            }
            Expr::Had(fs) => {
                for (i, f) in fs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(if latex { r" \odot " } else { " .* " });
                    }
                    self.wrap(f, FACTOR, out);
                }
            }
            Expr::HadDiv(a, b) => {
                self.wrap(a, FACTOR, out);
                out.push_str(if latex { r" \oslash " } else { " ./ " });
                self.wrap(b, FACTOR, out);
            }
            Expr::HadPow(a, p) => {
                self.wrap(a, ATOM, out);
                if latex {
                    out.push_str(r"^{\circ ");
                    push_number(*p, out);
                    out.push('}');
                } else {
                    out.push_str(".^");
                    self.push_exponent_text(*p, out);
                }
            }
            Expr::Pow(a, p) => {
                self.wrap(a, ATOM, out);
                if latex {
                    push_superscript(*p, out);
                } else {
                    out.push('^');
                    self.push_exponent_text(*p, out);
                }
            }
            Expr::Transpose(a) => {
                if latex {
                    match &**a {
                        Expr::Inv(b) => {
                            self.wrap(b, ATOM, out);
                            out.push_str(r"^{-\top}");
                        }
                        a => {
                            self.wrap(a, ATOM, out);
                            out.push_str(r"^\top");
                        }
                    }
                } else {
                    self.wrap(a, ATOM, out);
                    out.push('\'');
                }
            }
            Expr::Inv(a) => {
                if latex {
                    self.wrap(a, ATOM, out);
                    out.push_str("^{-1}");
                } else {
                    out.push_str("inv(");
                    self.write(a, out);
                    out.push(')');
                }
            }
            Expr::Call(f, args) => self.write_call(*f, args, out),
            Expr::D(a) => {
                if latex {
                    out.push_str(r"\mathrm{d}");
                    if matches!(**a, Expr::Sym(_)) {
                        self.write(a, out);
                    } else {
                        let start = out.len();
                        self.write(a, out);
                        self.enclose(out, start);
                    }
                } else if let Expr::Sym(s) = &**a {
                    out.push('d');
                    out.push_str(s);
                } else {
                    out.push_str("d(");
                    self.write(a, out);
                    out.push(')');
                }
            }
        }
    }

    fn push_exponent_text(&self, p: f64, out: &mut String) {
        if p >= 0.0 && p.fract() == 0.0 {
            push_number(p, out);
        } else {
            out.push('(');
            push_number(p, out);
            out.push(')');
        }
    }

    fn write_product(&self, fs: &[Expr], out: &mut String) {
        match fs.split_first() {
            Some((Expr::Num(c), rest)) if !rest.is_empty() => {
                self.write_product_parts(Some(*c), rest, out);
            }
            _ => self.write_product_parts(None, fs, out),
        }
    }

    /// A product with a leading numeric coefficient `coef` (if any) and the factors `rest`.
    fn write_product_parts(&self, coef: Option<f64>, rest: &[Expr], out: &mut String) {
        let latex = self.latex();
        if let Some(c) = coef {
            if c == -1.0 {
                out.push('-');
            } else if c < 0.0 {
                out.push('-');
                push_number(-c, out);
                out.push_str(if latex { " " } else { "*" });
            } else {
                push_number(c, out);
                out.push_str(if latex { " " } else { "*" });
            }
        }
        for (i, f) in rest.iter().enumerate() {
            let is_d = matches!(f, Expr::D(_));
            if i > 0 {
                if latex {
                    let prev_num = matches!(rest[i - 1], Expr::Num(_));
                    out.push_str(if prev_num && matches!(f, Expr::Num(_)) {
                        r" \cdot "
                    } else if is_d {
                        r" \, "
                    } else {
                        " "
                    });
                } else {
                    out.push('*');
                }
            }
            if latex && is_d && i + 1 < rest.len() {
                // The note writes A(dX)B: a differential inside a product gets parentheses.
                let start = out.len();
                self.write(f, out);
                self.enclose(out, start);
            } else {
                self.wrap(f, FACTOR, out);
            }
        }
    }

    fn write_call(&self, f: Func, args: &[Rc<Expr>], out: &mut String) {
        let write_args = |sep: &str, out: &mut String| {
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                self.write(a, out);
            }
        };
        if self.latex() {
            let info = f.info();
            if let Latex::Infix(op) = info.latex {
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(op);
                    }
                    self.wrap(a, FACTOR, out);
                }
                return;
            }
            if let Latex::Operator(name) | Latex::Around(name, _) = info.latex {
                out.push_str(name);
            }
            let start = out.len();
            write_args(", ", out);
            match info.latex {
                Latex::Norm2 => {
                    enclose(out, start, &DOUBLE_BARS);
                    let vector = args
                        .first()
                        .is_some_and(|a| *crate::expr::dims_of(a, self.table).1 == Dim::One);
                    out.push_str(if vector { "_2" } else { "_F" });
                }
                Latex::Bars { double, sub } => {
                    enclose(out, start, if double { &DOUBLE_BARS } else { &BARS });
                    out.push_str(sub);
                }
                Latex::Around(_, close) => out.push_str(close),
                Latex::Operator(_) => enclose(out, start, &PARENS),
                Latex::Infix(_) => {}
            }
        } else {
            out.push_str(f.name());
            out.push('(');
            write_args(", ", out);
            out.push(')');
        }
    }
}
