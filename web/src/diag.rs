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

/// How many characters of context an excerpt keeps on each side of the offending part (and twice
/// as many of the offending part itself).
pub const CONTEXT_CHARS: usize = 60;

/// The elision mark put where an excerpt cuts the input.
pub const ELLIPSIS: &str = "\u{2026}";

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

/// The last `n` characters of `s`, with [`ELLIPSIS`] in front when some were cut.
fn tail(s: &str, n: usize) -> String {
    match s.char_indices().rev().nth(n) {
        Some((i, c)) => format!("{ELLIPSIS}{}", &s[i + c.len_utf8()..]),
        None => s.to_string(),
    }
}

/// The first `n` characters of `s`, with [`ELLIPSIS`] after them when some were cut.
fn head(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}{ELLIPSIS}", &s[..i]),
        None => s.to_string(),
    }
}

/// Like [`mark`], but bounded: at most `context` characters before and after the offending part,
/// and of a long offending part its first `2 * context` characters; every cut shows as
/// [`ELLIPSIS`]. A 100 KB input then gives an excerpt of a few hundred characters.
pub fn excerpt(text: &str, range: &std::ops::Range<usize>, context: usize) -> Marked {
    let m = mark(text, range);
    Marked {
        before: tail(&m.before, context),
        marked: head(&m.marked, 2 * context),
        after: head(&m.after, context),
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
    fn excerpts_are_bounded_and_keep_the_offending_part_underlined() {
        // A real diagnostic on a 100 KB input: the core's message stays short (it does not quote
        // the input), so the page shows it whole.
        let expr = "x".repeat(100 * 1024);
        let a = analyze(&Input {
            expr: expr.clone(),
            decls: String::new(),
            wrt: None,
        });
        let d = a.diagnostics.first().expect("an error");
        assert!(d.message.chars().count() < 300, "{}", d.message.len());
        let m = excerpt(&expr, &d.range, CONTEXT_CHARS);
        let shown = m.before.chars().count() + m.marked.chars().count() + m.after.chars().count();
        assert!(shown <= 4 * CONTEXT_CHARS + 3, "{shown}");
        assert!(!m.marked.is_empty());

        // Context on both sides, cut with the mark, the offending part whole when short.
        let text = format!("{}bad{}", "a".repeat(100), "b".repeat(100));
        let m = excerpt(&text, &(100..103), 5);
        assert_eq!(
            (m.before.as_str(), m.marked.as_str(), m.after.as_str()),
            ("\u{2026}aaaaa", "bad", "bbbbb\u{2026}")
        );
        // Short text: unchanged, no marks.
        let m = excerpt("tr(A*X*B) + x", &(0..9), 60);
        assert_eq!(m, mark("tr(A*X*B) + x", &(0..9)));
        // A long offending part keeps its start; multi-byte characters are cut whole.
        let text = format!("ü{}", "é".repeat(50));
        let m = excerpt(&text, &(0..text.len()), 3);
        assert_eq!(m.marked, "üééééé\u{2026}");
        assert_eq!((m.before.as_str(), m.after.as_str()), ("", ""));
        assert_eq!(head("abcdef", 3), "abc\u{2026}");
        assert_eq!(head("abc", 3), "abc");
        // Stale ranges are still clamped.
        let m = excerpt("ab", &std::ops::Range { start: 5, end: 1 }, 1);
        assert_eq!((m.before.as_str(), m.marked.as_str()), ("\u{2026}b", ""));
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
