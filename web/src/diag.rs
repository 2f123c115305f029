//! Diagnostics for display: the offending part of the input cut out for underlining, pure.

use matdiff_core::{Diagnostic, Source};

/// A piece of input text split around a diagnostic's range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marked {
    pub before: String,
    /// The offending part; empty when the range is empty (e.g. the end of the input).
    pub marked: String,
    pub after: String,
}

/// Clamps a byte index to `text` and down to a character boundary.
fn clamp(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Splits `text` around `range`; stale or odd ranges are clamped, never panic.
pub fn mark(text: &str, range: &std::ops::Range<usize>) -> Marked {
    let start = clamp(text, range.start);
    let end = clamp(text, range.end.max(range.start)).max(start);
    Marked {
        before: text[..start].to_string(),
        marked: text[start..end].to_string(),
        after: text[end..].to_string(),
    }
}

/// The text a diagnostic points into, with a label for the page: the expression or the declarations.
pub fn source_text<'a>(
    d: &Diagnostic,
    expr: &'a str,
    decls: &'a str,
) -> Option<(&'static str, &'a str)> {
    match d.source {
        Source::Expr => Some(("expression", expr)),
        Source::Decls => Some(("declarations", decls)),
        Source::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use matdiff_core::{analyze, Input};

    #[test]
    fn marks_the_offending_part_of_a_real_diagnostic() {
        let expr = "tr(A*X*B) + x";
        let a = analyze(&Input {
            expr: expr.into(),
            decls: String::new(),
            wrt: None,
        });
        let d = a.diagnostics.first().expect("a shape error");
        let (what, text) = source_text(d, expr, "").expect("points into the expression");
        assert_eq!(what, "expression");
        let m = mark(text, &d.range);
        assert_eq!(format!("{}{}{}", m.before, m.marked, m.after), expr);
        assert!(!m.marked.is_empty());
    }

    #[test]
    fn clamps_ranges() {
        let m = mark("aé", &(2..9));
        assert_eq!(
            (m.before.as_str(), m.marked.as_str(), m.after.as_str()),
            ("a", "é", "")
        );
        let m = mark("ab", &std::ops::Range { start: 5, end: 1 });
        assert_eq!((m.before.as_str(), m.marked.as_str()), ("ab", ""));
        let m = mark("x'*", &(3..3));
        assert_eq!(
            (m.before.as_str(), m.marked.as_str(), m.after.as_str()),
            ("x'*", "", "")
        );
    }
}
