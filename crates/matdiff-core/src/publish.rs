//! Static renderings of a derivation for course notes: Markdown in the math syntax of Pandoc
//! (Quarto, Jupyter Book) or of mdBook, and one HTML template for formulas typeset by the caller.
//!
//! The core has no KaTeX: [`html`] takes a function that typesets a formula (the `katex` crate in
//! the command, KaTeX's own script in the page), so both produce the same structure — the
//! escaping, the wrapper, the rule names and the boxed result are written here, once.

use crate::api::{Derivation, Lhs, Step};

/// The KaTeX release, as a literal for `concat!`.
macro_rules! katex_version {
    () => {
        "0.16.4"
    };
}

/// The KaTeX release whose stylesheet the HTML needs: the one the `katex` crate bundles and the
/// page ships (`package.json`).
pub const KATEX_VERSION: &str = katex_version!();

/// The class of the element that wraps a static derivation.
pub const HTML_CLASS: &str = "matdiff-derivation";

/// The default address of KaTeX's stylesheet in a standalone page: a local copy beside it.
pub const DEFAULT_KATEX_CSS: &str = "katex/katex.min.css";

/// How a Markdown document writes display math.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathSyntax {
    /// `$$ … $$` blocks, read as TeX untouched: Pandoc, Quarto, Jupyter Book (MyST), GitHub.
    Pandoc,
    /// `\\[ … \\]` on one line with the TeX's punctuation backslash-escaped ([`escape_markdown`]):
    /// mdBook's MathJax support, where the Markdown parser sees the math first and would eat
    /// `\\`, `\,`, `_` and `*`; after its backslash escapes MathJax gets the TeX exactly.
    MdBook,
}

/// Escapes text for HTML content and double- or single-quoted attributes.
#[must_use]
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// ASCII punctuation that stays bare in [`escape_markdown`]: inside a line that starts with
/// `\\[` none of these starts a Markdown construct of CommonMark or of the extensions mdBook
/// turns on (tables, footnotes, strikethrough, task lists, heading attributes, smart quotes).
pub const MARKDOWN_SAFE_PUNCTUATION: &str = "{}()=+,:;/?@%#";

/// `s` with a backslash before every ASCII punctuation character that Markdown could read
/// (`\`, `_`, `*`, `^`, `[`, `'`, `-`, …; all but [`MARKDOWN_SAFE_PUNCTUATION`]): CommonMark
/// reads each such pair as the character itself, so the parser hands on the TeX exactly.
#[must_use]
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if c.is_ascii_punctuation() && !MARKDOWN_SAFE_PUNCTUATION.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The text of a rule line in Markdown: the characters Markdown (and Pandoc's `$`) would read
/// escaped, the rest (letters, spaces, parentheses, commas) left readable.
fn escape_markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_[]{}<>#|~&$!".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The display formulas of a derivation, one per step in order: `lhs = line`, the last (the
/// result) boxed.
#[must_use]
pub fn formulas(d: &Derivation) -> Vec<String> {
    let last = d.steps.len().saturating_sub(1);
    d.steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let line = format!("{} = {}", d.lhs_latex(s.lhs), s.latex);
            if i == last && s.lhs == Lhs::Gradient {
                format!(r"\boxed{{{line}}}")
            } else {
                line
            }
        })
        .collect()
}

/// Markdown: each line as display math, after the rule that produced it.
#[must_use]
pub fn markdown(d: &Derivation, syntax: MathSyntax) -> String {
    let mut out = String::new();
    for step in &d.steps {
        out.push_str(&rule_markdown(step));
        let tex = format!("{} = {}", d.lhs_latex(step.lhs), step.latex);
        match syntax {
            MathSyntax::Pandoc => out.push_str(&format!("$$\n{tex}\n$$\n\n")),
            MathSyntax::MdBook => {
                out.push_str(&format!("\\\\[ {} \\\\]\n\n", escape_markdown(&tex)))
            }
        }
    }
    if let Some(note) = &d.note {
        out.push_str(&format!("{}.\n", escape_markdown_text(note)));
    }
    out
}

/// The rule line before a step in Markdown (empty for the first line, which has no rule).
fn rule_markdown(step: &Step) -> String {
    match step.rule {
        Some(rule) => format!(
            "*by {}* (`{}`)\n\n",
            escape_markdown_text(&step.note()),
            rule.id
        ),
        None => String::new(),
    }
}

/// The comment before a fragment: what it is and the stylesheet it needs.
const HTML_COMMENT: &str = concat!(
    "<!-- matdiff: a derivation typeset by KaTeX ",
    katex_version!(),
    " as HTML and MathML (no script). It needs KaTeX ",
    katex_version!(),
    "'s stylesheet katex.min.css and its fonts/ folder (npm package katex@",
    katex_version!(),
    ", folder dist/), loaded by the page. -->\n"
);

/// `s` escaped by [`escape_html`], appended to `out`.
fn push_escaped(out: &mut String, s: &str) {
    out.push_str(&escape_html(s));
}

/// The derivation as an HTML fragment: one `<div class="matdiff-derivation">` holding, per
/// line, the rule that produced it as text and the formula `typeset` makes of its LaTeX
/// ([`formulas`]: display math, the result boxed), after a comment that names the stylesheet it
/// needs. `typeset` must return well-formed HTML (KaTeX's output is); its first error is
/// returned. The text is [`protect_text`]ed, so the fragment also survives a Markdown reader
/// that parses inside HTML blocks (Quarto, Pandoc); mdBook and MyST pass it through as it is.
/// (Written with `push_str` rather than `format!`: the page's wasm carries it.)
pub fn html<E>(
    d: &Derivation,
    mut typeset: impl FnMut(&str) -> Result<String, E>,
) -> Result<String, E> {
    let mut out = String::from(HTML_COMMENT);
    out.push_str("<div class=\"matdiff-derivation\" role=\"group\" aria-label=\"derivation of the gradient of f(");
    push_escaped(&mut out, &d.wrt);
    out.push_str(") = ");
    push_escaped(&mut out, &d.f_text);
    out.push_str("\">\n");
    for (step, tex) in d.steps.iter().zip(formulas(d)) {
        out.push_str(if step.lhs == Lhs::Gradient {
            "<div class=\"matdiff-step matdiff-gradient\">\n"
        } else {
            "<div class=\"matdiff-step\">\n"
        });
        if let Some(rule) = step.rule {
            out.push_str("<p class=\"matdiff-rule\" style=\"margin:0.75em 0 0;opacity:0.8\">by ");
            push_escaped(&mut out, &step.note());
            out.push_str(" <code>");
            push_escaped(&mut out, rule.id);
            out.push_str("</code></p>\n");
        }
        out.push_str("<div class=\"matdiff-math\" style=\"overflow-x:auto\">");
        out.push_str(&typeset(&tex)?);
        out.push_str("</div>\n</div>\n");
    }
    if let Some(note) = &d.note {
        out.push_str("<p class=\"matdiff-note\">");
        push_escaped(&mut out, note);
        out.push_str(".</p>\n");
    }
    out.push_str("</div>\n");
    Ok(protect_text(&out))
}

/// `html` with every character of its text (between tags, never inside one) that a Markdown
/// reader parsing the text of HTML blocks (Pandoc's `markdown_in_html_blocks`, as in Quarto)
/// could take for markup — `\ _ * ^ ~ ` $ [ ]`: escapes, emphasis, scripts, strikeout, code,
/// math, links — written as a character reference: the same HTML to a browser, and nothing a
/// Markdown reader would change (KaTeX's MathML annotations hold the TeX, `\mathbf{x}_1`).
#[must_use]
pub fn protect_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut in_tag = false;
    for c in html.chars() {
        let reference = match c {
            '<' | '>' => {
                in_tag = c == '<';
                None
            }
            _ if in_tag => None,
            '\\' => Some("&#92;"),
            '_' => Some("&#95;"),
            '*' => Some("&#42;"),
            '^' => Some("&#94;"),
            '~' => Some("&#126;"),
            '`' => Some("&#96;"),
            '$' => Some("&#36;"),
            '[' => Some("&#91;"),
            ']' => Some("&#93;"),
            _ => None,
        };
        match reference {
            Some(r) => out.push_str(r),
            None => out.push(c),
        }
    }
    out
}

/// A whole page around fragments made by [`html`]: UTF-8, a title, KaTeX's stylesheet linked
/// from `katex_css` (by default [`DEFAULT_KATEX_CSS`], a local copy whose `fonts/` folder is
/// beside it), the title as a heading, a little inline CSS for the layout; no script.
#[must_use]
pub fn standalone_page(title: &str, fragments: &[String], katex_css: &str) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n\
         <title>{title}</title>\n\
         <!-- KaTeX {KATEX_VERSION}'s stylesheet, with its fonts/ folder beside it: copy the \
         folder dist/ of the npm package katex@{KATEX_VERSION} (node_modules/katex/dist) there. -->\n\
         <link rel=\"stylesheet\" href=\"{css}\" />\n\
         <style>\nbody {{ max-width: 56rem; margin: 2rem auto; padding: 0 1rem; \
         font-family: system-ui, sans-serif; line-height: 1.45; }}\n\
         .{HTML_CLASS} {{ margin: 0 0 2.5rem; }}\n\
         .{HTML_CLASS} code {{ font-size: 0.85em; }}\nh1 {{ font-size: 1.25rem; }}\n</style>\n\
         </head>\n<body>\n<h1>{title}</h1>\n",
        title = escape_html(title),
        css = escape_html(katex_css),
    );
    for f in fragments {
        out.push_str(f);
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The title of a standalone page of `d`: `Gradient of f(X) = tr(A*X*B)`.
#[must_use]
pub fn title(d: &Derivation) -> String {
    format!("Gradient of f({}) = {}", d.wrt, d.f_text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{analyze, Input};

    fn derivation(expr: &str) -> Derivation {
        let a = analyze(&Input {
            expr: expr.into(),
            decls: String::new(),
            wrt: None,
        });
        a.derivation.expect("a derivation")
    }

    /// CommonMark's backslash escapes, undone: what mdBook's parser hands MathJax.
    fn unescape(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('\\', Some(&n)) if n.is_ascii_punctuation() => {
                    out.push(n);
                    chars.next();
                }
                _ => out.push(c),
            }
        }
        out
    }

    #[test]
    fn html_escapes_every_special_character() {
        assert_eq!(
            escape_html(r#"<b a='1'>"&"</b>"#),
            "&lt;b a=&#39;1&#39;&gt;&quot;&amp;&quot;&lt;/b&gt;"
        );
    }

    #[test]
    fn protected_text_has_no_markdown_character_outside_tags() {
        let html =
            r#"<a title="x_1 *b*"><annotation>\mathbf{x}_1^\top $a$ [l] `c` ~s~</annotation></a>"#;
        assert_eq!(
            protect_text(html),
            "<a title=\"x_1 *b*\"><annotation>&#92;mathbf{x}&#95;1&#94;&#92;top &#36;a&#36; \
             &#91;l&#93; &#96;c&#96; &#126;s&#126;</annotation></a>"
        );
    }

    #[test]
    fn markdown_escapes_undo_exactly() {
        for tex in [
            r"\nabla_{\mathbf{X}} f = \mathbf{A}^\top \, \mathbf{B}^\top",
            r"a_1 * b_2 \\ [x](y) `c` <d> &amp; | ~~e~~ 'q' -- ... #",
        ] {
            let md = escape_markdown(tex);
            assert_eq!(unescape(&md), tex);
            // Every backslash escapes punctuation, and no punctuation Markdown reads is bare.
            let mut chars = md.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    assert!(chars.next().is_some_and(|n| n.is_ascii_punctuation()));
                } else if c.is_ascii_punctuation() {
                    assert!(MARKDOWN_SAFE_PUNCTUATION.contains(c), "bare {c} in {md}");
                }
            }
            for c in [
                '\\', '_', '*', '`', '[', ']', '<', '&', '~', '|', '\'', '-', '^', '!', '$',
            ] {
                assert!(!MARKDOWN_SAFE_PUNCTUATION.contains(c));
            }
        }
    }

    #[test]
    fn only_the_result_is_boxed() {
        let d = derivation("tr(A*X*B)");
        let f = formulas(&d);
        assert_eq!(f.len(), d.steps.len());
        assert!(f
            .last()
            .unwrap()
            .starts_with(r"\boxed{\nabla_{\mathbf{X}} f = "));
        assert_eq!(f.iter().filter(|t| t.contains(r"\boxed")).count(), 1);
    }

    #[test]
    fn html_fragment_wraps_typeset_lines_with_their_rules() {
        let d = derivation("tr(A*X*B)");
        let mut seen = Vec::new();
        let out = html(&d, |tex| {
            seen.push(tex.to_string());
            Ok::<_, ()>(format!("<span class=\"math\">{}</span>", escape_html(tex)))
        })
        .unwrap();
        assert_eq!(seen, formulas(&d));
        assert!(out.starts_with("<!-- matdiff:"));
        assert!(out.contains("katex.min.css"));
        assert!(out.contains(&format!("<div class=\"{HTML_CLASS}\"")));
        assert_eq!(out.matches("class=\"matdiff-step").count(), d.steps.len());
        let rules = d.steps.iter().filter(|s| s.rule.is_some()).count();
        assert_eq!(out.matches("class=\"matdiff-rule\"").count(), rules);
        for s in &d.steps {
            if let Some(r) = s.rule {
                assert!(out.contains(&format!("<code>{}</code>", r.id)), "{}", r.id);
            }
        }
        // The first error stops the assembly.
        assert_eq!(html(&d, |_| Err::<String, _>("no")), Err("no"));
    }

    #[test]
    fn markdown_flavours() {
        let d = derivation("||A*x - b||^2");
        let pandoc = markdown(&d, MathSyntax::Pandoc);
        // Pandoc reads what is between `$$` as TeX, untouched: each block holds a line exactly.
        let blocks: Vec<&str> = pandoc.split("$$\n").skip(1).step_by(2).collect();
        assert_eq!(blocks.len(), d.steps.len());
        for (block, step) in blocks.iter().zip(&d.steps) {
            let tex = format!("{} = {}", d.lhs_latex(step.lhs), step.latex);
            assert_eq!(*block, format!("{tex}\n"));
            assert!(!tex.contains('$'));
        }
        assert!(pandoc.contains("*by "), "{pandoc}");
        let mdbook = markdown(&d, MathSyntax::MdBook);
        let blocks: Vec<&str> = mdbook.lines().filter(|l| l.starts_with(r"\\[")).collect();
        assert_eq!(blocks.len(), d.steps.len());
        for (line, step) in blocks.iter().zip(&d.steps) {
            let inner = line
                .strip_prefix(r"\\[ ")
                .and_then(|l| l.strip_suffix(r" \\]"))
                .unwrap();
            assert_eq!(
                unescape(inner),
                format!("{} = {}", d.lhs_latex(step.lhs), step.latex)
            );
        }
    }

    #[test]
    fn standalone_page_links_the_stylesheet_and_has_no_script() {
        let d = derivation("tr(A*X*B)");
        let frag = html(&d, |t| Ok::<_, ()>(escape_html(t))).unwrap();
        let page = standalone_page(&title(&d), &[frag], "css/k\"atex.css");
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains(r#"<link rel="stylesheet" href="css/k&quot;atex.css" />"#));
        assert!(page.contains("<title>Gradient of f(X) = tr(A*X*B)</title>"));
        assert!(!page.contains("<script"));
    }
}
