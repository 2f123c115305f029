//! The LaTeX commands the input language reads (input with a backslash is read as LaTeX).
//!
//! Every command of matdiff's own LaTeX output is here, so printed formulas parse back, and the
//! common hand-written forms: `\operatorname{Tr}`, `\mathbf{X}`, `\frac{a}{b}`, `\left( \right)`,
//! `^\top`, Greek letters. A command not in this table is reported at its span.

use super::lex::Tok as T;
use crate::greek;
use crate::syntax::is_function_name;

/// What a command stands for.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Command {
    /// One token: `\cdot` is `*`.
    Tok(T),
    /// A name (Greek letter or function): `\alpha`, `\exp`.
    Name(&'static str),
    /// Spacing and style only: `\,`, `\quad`, `\displaystyle`.
    Space,
    /// A font around a name: `\mathbf{X}` is `X` (`bold`: `\mathbf{1}` is the vector of ones).
    Font { bold: bool },
    /// `\operatorname{name}`: a function by name.
    Operatorname,
    /// `\left`, `\right`, `\bigl`, …: the delimiter after it.
    Sizing,
    /// `\frac{a}{b}`.
    Frac,
    /// Not read, with a hint.
    Refused(&'static str),
}

/// The command `\name` (`name` without the backslash), or `None` when it is unknown.
pub(super) fn command(name: &str) -> Option<Command> {
    use Command::*;
    Some(match name {
        "," | ";" | ":" | "!" | ">" | " " | "quad" | "qquad" | "thinspace" | "medspace"
        | "thickspace" | "enspace" | "negthinspace" | "displaystyle" | "textstyle" => Space,
        "|" | "Vert" | "lVert" | "rVert" => Tok(T::Bars),
        "vert" | "lvert" | "rvert" => Tok(T::Bar),
        "_" => Tok(T::Underscore),
        "cdot" | "times" | "ast" => Tok(T::Star),
        "div" => Tok(T::Slash),
        "odot" | "circ" => Tok(T::DotStar),
        "oslash" => Tok(T::DotSlash),
        "top" | "intercal" => Tok(T::Top),
        "prime" => Tok(T::Quote),
        "frac" | "dfrac" | "tfrac" => Frac,
        "left" | "right" | "middle" | "big" | "Big" | "bigg" | "Bigg" | "bigl" | "bigr"
        | "Bigl" | "Bigr" | "biggl" | "biggr" | "Biggl" | "Biggr" => Sizing,
        "mathbf" | "boldsymbol" | "bm" | "pmb" | "mathbb" | "textbf" => Font { bold: true },
        "mathrm" | "mathit" | "mathsf" | "mathtt" | "mathcal" | "mathnormal" | "text"
        | "textrm" | "textit" | "textsf" | "mathop" => Font { bold: false },
        "operatorname" => Operatorname,
        "sum" => Refused(
            r"\sum with an index is not read: for the sum of the entries write \operatorname{sum}(x) or sum(x)",
        ),
        "prod" => Refused(r"\prod is not read: write the product out"),
        "nabla" | "partial" => Refused(
            "type the function alone: matdiff takes its differential and reads off the gradient",
        ),
        "begin" | "end" | "\\" => {
            Refused(r"paste one formula, without \begin{…}, \end{…} or line breaks \\")
        }
        "cdots" | "ldots" | "dots" | "vdots" | "ddots" => {
            Refused("write the expression out without dots")
        }
        "hat" | "bar" | "tilde" | "vec" | "dot" | "ddot" => {
            Refused("accents are not read: name the symbol plainly (xhat, x_bar) or declare it")
        }
        n => {
            if let Some(g) = greek::by_name(n) {
                Name(g.name)
            } else if let Some(f) = function_name(n) {
                Name(f)
            } else {
                return None;
            }
        }
    })
}

/// `name` as a function name the parser knows, when `\name` is written for it (`\exp`, `\det`,
/// `\tr`); `\sum` is the summation sign, never the function.
fn function_name(name: &str) -> Option<&'static str> {
    if name == "sum" || !is_function_name(name) {
        return None;
    }
    crate::funcs::accepted_names()
        .chain(["inv", "logdet", "eye", "vector", "matrix"])
        .find(|n| *n == name)
}

/// The hint of an unknown command.
pub(super) const UNKNOWN_HINT: &str = r"matdiff reads the LaTeX it prints and the common forms: \frac{a}{b}, \sqrt{x}, \left( \right), \|x\|_F, \operatorname{Tr}, \mathbf{X}, ^\top, ^{-1}, \cdot, \odot and the Greek letters";
