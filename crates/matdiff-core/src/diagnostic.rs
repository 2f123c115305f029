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

/// A problem with the user's input, rendered at the edges (carets in the CLI, underlines in the page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub source: Source,
    pub range: Span,
    pub message: String,
    pub labels: Vec<Label>,
    pub hint: Option<String>,
}

impl Diagnostic {
    #[must_use]
    pub fn new(range: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            source: Source::Expr,
            range,
            message: message.into(),
            labels: Vec::new(),
            hint: None,
        }
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
            message: message.into(),
        });
        self
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Renders the diagnostic as text with a caret line under `text[range]`.
    ///
    /// `text` is the source the range points into. Ranges are clamped to the text and
    /// to character boundaries, so a stale range never panics.
    #[must_use]
    pub fn render(&self, text: &str) -> String {
        let mut out = format!("error: {}\n", self.message);
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
            let line = &text[line_start..line_end];
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
                        label.message
                    ));
                } else {
                    out.push_str(&format!("  = note: {}\n", label.message));
                }
            }
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("  = hint: {hint}\n"));
        }
        out
    }
}
