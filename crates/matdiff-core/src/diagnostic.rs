//! Diagnostics: the one error type the core returns for bad input, with byte spans.

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// A byte range into the text the diagnostic is about.
pub type Span = Range<usize>;

/// Which text a diagnostic points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The expression the user typed.
    #[default]
    Expr,
    /// The declarations (`A: 3x4, S: symmetric n`).
    Decls,
    /// Not tied to a text (sizes, values, the variable choice).
    Other,
}

/// A secondary span with a short note, e.g. the shapes of an operator's operands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub range: Span,
    pub message: String,
}

/// What kind of refusal a diagnostic is, for callers that must tell them apart (not by text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// The input is wrong, or outside the language (the default).
    #[default]
    Input,
    /// A work bound was reached: the step limit or the size limit of a derivation.
    WorkBound,
    /// A gap in matdiff: well-typed input it could not derive.
    Limitation,
}

impl Code {
    fn is_input(&self) -> bool {
        *self == Code::Input
    }
}

/// A problem with the user's input, rendered at the edges (carets in the CLI, underlines in the page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub source: Source,
    pub range: Span,
    pub message: String,
    pub labels: Vec<Label>,
    pub hint: Option<String>,
    #[serde(default, skip_serializing_if = "Code::is_input")]
    pub code: Code,
}

/// Characters that must not reach a terminal or a page verbatim: controls (C0, DEL, C1), the
/// bidirectional formatting characters (which reorder what is displayed: "Trojan source"),
/// zero-width and other invisible format characters, and the byte-order mark.
#[must_use]
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// `text` with every [hidden](is_hidden) character written as `U+XXXX`, so a message that
/// quotes user text shows exactly what is there and cannot reorder or hide anything.
#[must_use]
pub fn escape(text: &str) -> String {
    if !text.chars().any(is_hidden) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) {
            out.push_str(&format!("U+{:04X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` with every hidden character replaced by one visible `�`, so columns still line up
/// with a caret line (used for the quoted source line).
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' => ' ',
            c if is_hidden(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

impl Diagnostic {
    /// A diagnostic; hidden characters in the message are [escaped](escape).
    #[must_use]
    pub fn new(range: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            source: Source::Expr,
            range,
            message: escape(&message.into()),
            labels: Vec::new(),
            hint: None,
            code: Code::Input,
        }
    }

    #[must_use]
    pub fn with_code(mut self, code: Code) -> Self {
        self.code = code;
        self
    }

    #[must_use]
    pub fn in_source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }

    #[must_use]
    pub fn with_label(mut self, range: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            range,
            message: escape(&message.into()),
        });
        self
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(escape(&hint.into()));
        self
    }

    /// Renders the diagnostic as text with a caret line under `text[range]`.
    ///
    /// `text` is the source the range points into. Ranges are clamped to the text and
    /// to character boundaries, so a stale range never panics.
    #[must_use]
    pub fn render(&self, text: &str) -> String {
        // Messages are escaped when built; escaping again covers fields set directly.
        let mut out = format!("error: {}\n", escape(&self.message));
        let clamp = |i: usize| {
            let mut i = i.min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let (start, end) = (
            clamp(self.range.start),
            clamp(self.range.end.max(self.range.start)),
        );
        if !text.is_empty() || start == 0 {
            // Show the line that holds the start of the range.
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let line = visible(&text[line_start..line_end]);
            let col = text[line_start..start].chars().count();
            let width = text[start..end.min(line_end)].chars().count().max(1);
            out.push_str(&format!(
                "  | {line}\n  | {}{}\n",
                " ".repeat(col),
                "^".repeat(width)
            ));
            for label in &self.labels {
                let (ls, le) = (
                    clamp(label.range.start),
                    clamp(label.range.end.max(label.range.start)),
                );
                if ls >= line_start && ls <= line_end {
                    let col = text[line_start..ls].chars().count();
                    let width = text[ls..le.min(line_end)].chars().count().max(1);
                    out.push_str(&format!(
                        "  | {}{} {}\n",
                        " ".repeat(col),
                        "-".repeat(width),
                        escape(&label.message)
                    ));
                } else {
                    out.push_str(&format!("  = note: {}\n", escape(&label.message)));
                }
            }
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("  = hint: {}\n", escape(hint)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_escaped_in_messages() {
        let d = Diagnostic::new(0..1, "unexpected character `\u{202E}`")
            .with_label(0..1, "a\u{0}b")
            .with_hint("x\u{1B}[31m");
        assert_eq!(d.message, "unexpected character `U+202E`");
        assert_eq!(d.labels[0].message, "aU+0000b");
        assert_eq!(d.hint.as_deref(), Some("xU+001B[31m"));
        assert_eq!(escape("Xᵀ × y · ‖x‖"), "Xᵀ × y · ‖x‖");
    }

    #[test]
    fn the_quoted_source_line_shows_hidden_characters_and_keeps_columns() {
        let text = "\u{2067}tr(X\u{7})\t+ #";
        let d = Diagnostic::new(text.len() - 1..text.len(), "unexpected character `#`");
        let out = d.render(text);
        assert!(out.chars().all(|c| c == '\n' || !is_hidden(c)), "{out:?}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[1], "  | \u{FFFD}tr(X\u{FFFD}) + #");
        assert_eq!(lines[2], format!("  | {}^", " ".repeat(10)));
    }
}
