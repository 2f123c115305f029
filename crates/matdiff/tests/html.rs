//! `matdiff derive --format html` and `--standalone`: well-formed (checked as XML by a small
//! checker here), one MathML formula per line, no script, no external reference; the Markdown
//! math syntaxes; and the snapshot of the note's three examples (`tests/data/golden-html.txt`,
//! rewritten by `UPDATE_GOLDEN=1`).

#[path = "../../matdiff-core/tests/common/mod.rs"]
mod common;

use matdiff::cli::DeriveFormat;
use matdiff::html::{html_fragment, MathFlavour, PublishArgs};
use matdiff_core::publish::{self, MathSyntax, HTML_CLASS};
use matdiff_core::{analyze, Derivation, Input};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

/// Checks that `s` is well-formed XML (a doctype and comments allowed before the root): tags
/// nest and close, attributes are quoted and unique, `&` starts one of XML's five entities or a
/// character reference, and there is one root element. Returns the element names in order.
fn well_formed(s: &str) -> Result<Vec<String>, String> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut stack: Vec<String> = Vec::new();
    let mut elements = Vec::new();
    let mut roots = 0;
    let at = |i: usize| {
        format!(
            "at byte {i}: …{}…",
            &s[i.saturating_sub(40)..(i + 40).min(s.len())]
        )
    };
    let entity = |i: usize| -> Result<usize, String> {
        let end = s[i..]
            .find(';')
            .ok_or_else(|| format!("bare & {}", at(i)))?;
        let name = &s[i + 1..i + end];
        let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
            || name
                .strip_prefix("#x")
                .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
            || name
                .strip_prefix('#')
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        if ok {
            Ok(i + end + 1)
        } else {
            Err(format!("entity &{name}; is not XML {}", at(i)))
        }
    };
    while i < b.len() {
        match b[i] {
            b'<' if s[i..].starts_with("<!--") => {
                let end = s[i + 4..]
                    .find("-->")
                    .ok_or_else(|| format!("open comment {}", at(i)))?;
                if s[i + 4..i + 4 + end].contains("--") {
                    return Err(format!("-- inside a comment {}", at(i)));
                }
                i += 4 + end + 3;
            }
            b'<' if s[i..].starts_with("<!DOCTYPE") => {
                if roots > 0 || !stack.is_empty() {
                    return Err(format!("late doctype {}", at(i)));
                }
                i += s[i..]
                    .find('>')
                    .ok_or_else(|| format!("open doctype {}", at(i)))?
                    + 1;
            }
            b'<' if s[i..].starts_with("</") => {
                let end = i + s[i..]
                    .find('>')
                    .ok_or_else(|| format!("open end tag {}", at(i)))?;
                let name = s[i + 2..end].trim();
                match stack.pop() {
                    Some(open) if open == name => {}
                    other => return Err(format!("</{name}> closes {other:?} {}", at(i))),
                }
                i = end + 1;
            }
            b'<' => {
                let name_end = i
                    + 1
                    + s[i + 1..]
                        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                        .ok_or_else(|| format!("open tag {}", at(i)))?;
                let name = &s[i + 1..name_end];
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':')
                {
                    return Err(format!("bad tag name {name:?} {}", at(i)));
                }
                if stack.is_empty() {
                    roots += 1;
                }
                elements.push(name.to_string());
                let mut j = name_end;
                let mut attrs: Vec<&str> = Vec::new();
                loop {
                    while b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if s[j..].starts_with("/>") {
                        j += 2;
                        break;
                    }
                    if b[j] == b'>' {
                        stack.push(name.to_string());
                        j += 1;
                        break;
                    }
                    let eq = j + s[j..]
                        .find('=')
                        .ok_or_else(|| format!("attribute without value {}", at(j)))?;
                    let attr = s[j..eq].trim();
                    if attr.is_empty()
                        || attr.contains(|c: char| c.is_whitespace() || c == '>' || c == '<')
                    {
                        return Err(format!("bad attribute {attr:?} {}", at(j)));
                    }
                    if attrs.contains(&attr) {
                        return Err(format!("attribute {attr} twice {}", at(j)));
                    }
                    attrs.push(attr);
                    let q = b[eq + 1];
                    if q != b'"' && q != b'\'' {
                        return Err(format!("unquoted attribute {attr} {}", at(j)));
                    }
                    let close = eq
                        + 2
                        + s[eq + 2..]
                            .find(q as char)
                            .ok_or_else(|| format!("open attribute {}", at(j)))?;
                    let mut k = eq + 2;
                    while k < close {
                        match b[k] {
                            b'<' => return Err(format!("< in attribute {}", at(k))),
                            b'&' => k = entity(k)?,
                            _ => k += 1,
                        }
                    }
                    j = close + 1;
                }
                i = j;
            }
            b'&' => i = entity(i)?,
            b'>' if stack.is_empty() => return Err(format!("stray > {}", at(i))),
            c if stack.is_empty() && !c.is_ascii_whitespace() => {
                return Err(format!("text outside the root {}", at(i)))
            }
            _ => i += 1,
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!("<{open}> is never closed"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(elements)
}

#[test]
fn the_checker_refuses_what_is_not_well_formed() {
    assert!(well_formed("<!-- c --><div a=\"1\"><br/><p>x &amp; &#160; &#xA0;</p></div>").is_ok());
    for bad in [
        "<div><p></div></p>",
        "<div>",
        "<div a=1></div>",
        "<div a=\"1\" a=\"2\"></div>",
        "<p>&nbsp;</p>",
        "<p>a & b</p>",
        "<p a=\"<\"></p>",
        "<p></p><p></p>",
        "<!-- a -- b --><p></p>",
        "<meta charset=\"utf-8\">",
        "text<p></p>",
    ] {
        assert!(well_formed(bad).is_err(), "{bad}");
    }
}

fn derivation(expr: &str, decls: &str, wrt: Option<&str>) -> Derivation {
    analyze(&Input {
        expr: expr.into(),
        decls: decls.into(),
        wrt: wrt.map(str::to_string),
    })
    .derivation
    .unwrap_or_else(|| panic!("no derivation of {expr}"))
}

/// Every `http` in `html` is the namespace of MathML or of KaTeX's SVG (roots, stretchy
/// arrows): nothing to fetch.
fn no_external_reference(html: &str) -> Result<(), String> {
    let rest = html
        .replace("xmlns=\"http://www.w3.org/1998/Math/MathML\"", "")
        .replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for bad in [
        "http:", "https:", "//", "url(", "@import", "<script", "<link", "<img", "<iframe", "src=",
    ] {
        if rest.contains(bad) && !(bad == "<link" || bad == "//") {
            return Err(format!("{bad} in the HTML"));
        }
    }
    Ok(())
}

/// The checks every fragment passes, for the derivation it shows.
fn check_fragment(html: &str, d: &Derivation) -> Result<(), String> {
    let elements = well_formed(html)?;
    let count = |name: &str| elements.iter().filter(|e| *e == name).count();
    let lines = d.steps.len();
    if count("math") != lines || html.matches("class=\"katex-display\"").count() != lines {
        return Err(format!(
            "{} MathML formulas for {lines} lines",
            count("math")
        ));
    }
    // The MathML of each line holds its TeX: the formulas are the lines, in order.
    let annotations: Vec<&str> = html
        .split("<annotation encoding=\"application/x-tex\">")
        .skip(1)
        .map(|a| a.split("</annotation>").next().unwrap_or(""))
        .collect();
    let want: Vec<String> = publish::formulas(d)
        .iter()
        .map(|f| publish::protect_text(&publish::escape_html(f)))
        .collect();
    if annotations != want {
        return Err(format!("annotations {annotations:?}\n  want {want:?}"));
    }
    // A Markdown reader parsing inside HTML blocks (Pandoc, Quarto) finds nothing to change.
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag && "\\_*^~`$[]".contains(c) => {
                return Err(format!("{c} in the text, outside tags"))
            }
            _ => {}
        }
    }
    if !annotations
        .last()
        .is_some_and(|a| a.starts_with(r"&#92;boxed{&#92;nabla&#95;"))
    {
        return Err("the result is not boxed".into());
    }
    for step in &d.steps {
        if let Some(rule) = step.rule {
            let text = format!(
                "by {} <code>{}</code>",
                publish::escape_html(&step.note()),
                rule.id
            );
            if !html.contains(&text) {
                return Err(format!("no rule line {text}"));
            }
        }
    }
    if count("script") > 0 || html.contains("<script") {
        return Err("a script element".into());
    }
    if !html.contains(&format!("<div class=\"{HTML_CLASS}\"")) || !html.starts_with("<!-- matdiff:")
    {
        return Err("no wrapper or no comment".into());
    }
    if !html.contains("katex.min.css") || !html.contains("KaTeX 0.16.4") {
        return Err("the comment does not name the stylesheet".into());
    }
    no_external_reference(html)
}

/// Every derivation of the corpus, the examples and the note, as an HTML fragment typeset by
/// the `katex` crate, passes the checks.
#[test]
fn every_fragment_is_well_formed_with_one_mathml_per_line() {
    let mut cases: Vec<(String, String, Option<String>)> = common::corpus()
        .into_iter()
        .map(|e| (e.f, e.decls, Some(e.wrt)))
        .collect();
    for (f, decls, wrt) in common::NOTE.iter().chain(common::MORE.iter()) {
        cases.push((f.to_string(), decls.to_string(), wrt.map(str::to_string)));
    }
    // A zero gradient with its note, Kronecker products, names with `_` and a quote in f.
    for (f, decls, wrt) in [
        ("tr(A*X)", "", Some("Y")),
        ("tr(kron(A, X)*kron(B, X))", "A: 2x2, B: 2x2, X: 3x3", None),
        ("x_1'*A_2*x_1", "", Some("x_1")),
        (
            "-logdet(Sigma)/2 - (x - mu)'*inv(Sigma)*(x - mu)/2",
            "Sigma: spd n, x: vector n, mu: vector n",
            Some("Sigma"),
        ),
    ] {
        cases.push((f.to_string(), decls.to_string(), wrt.map(str::to_string)));
    }
    let mut failures = Vec::new();
    for (f, decls, wrt) in &cases {
        let d = derivation(f, decls, wrt.as_deref());
        let result = html_fragment(&d).and_then(|html| check_fragment(&html, &d));
        if let Err(e) = result {
            failures.push(format!("{f} [{decls}] wrt {wrt:?}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn matdiff(args: &[&str]) -> (String, String, Option<i32>) {
    let o = Command::new(env!("CARGO_BIN_EXE_matdiff"))
        .args(args)
        .output()
        .expect("run matdiff");
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code(),
    )
}

#[test]
fn standalone_page_is_well_formed_and_links_a_local_stylesheet() {
    let (out, err, code) = matdiff(&["derive", "x'*A*x", "--format", "html", "--standalone"]);
    assert_eq!((code, err.as_str()), (Some(0), ""));
    let elements = well_formed(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert!(out.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(
        out.contains("<link rel=\"stylesheet\" href=\"katex/katex.min.css\" />"),
        "{out}"
    );
    assert_eq!(elements.iter().filter(|e| *e == "link").count(), 1);
    // The title and the label are escaped: f has a quote.
    assert!(
        out.contains("<title>Gradient of f(x) = x&#39;*A*x</title>"),
        "{out}"
    );
    assert!(
        out.contains("<h1>Gradient of f(x) = x&#39;*A*x</h1>"),
        "{out}"
    );
    assert!(out.contains("aria-label=\"derivation of the gradient of f(x) = x&#39;*A*x\""));
    assert!(!out.contains("<script"));
    // The fragment inside is the one --format html prints.
    let (fragment, _, _) = matdiff(&["derive", "x'*A*x", "--format", "html"]);
    assert!(out.contains(&fragment));
    no_external_reference(&out.replace("href=\"katex/katex.min.css\"", "")).unwrap();

    let (out, _, code) = matdiff(&[
        "derive",
        "tr(A*X)",
        "-f",
        "html",
        "--standalone",
        "--katex-css",
        "../k\"s/katex.min.css",
    ]);
    assert_eq!(code, Some(0));
    assert!(out.contains("href=\"../k&quot;s/katex.min.css\""), "{out}");
    well_formed(&out).unwrap();
}

#[test]
fn flags_that_do_not_go_with_the_format_are_refused() {
    for (args, message) in [
        (
            &["derive", "tr(X)", "--standalone"][..],
            "--standalone needs --format html",
        ),
        (
            &["derive", "tr(X)", "-f", "markdown", "--standalone"][..],
            "--standalone needs --format html",
        ),
        (
            &["derive", "tr(X)", "-f", "html", "--math", "mdbook"][..],
            "--math needs --format markdown",
        ),
        (
            &["derive", "tr(X)", "-f", "html", "--katex-css", "k.css"][..],
            "--standalone",
        ),
        (
            &["derive", "tr(X)", "-f", "markdown", "--math", "latex"][..],
            "invalid value",
        ),
    ] {
        let (out, err, code) = matdiff(args);
        assert_eq!(code, Some(2), "{args:?}");
        assert!(out.is_empty() && err.contains(message), "{args:?}: {err}");
    }
    // Bad input gets its diagnostic, in HTML as in every format.
    let (out, err, code) = matdiff(&["derive", "tr(X", "-f", "html"]);
    assert_eq!((code, out.as_str()), (Some(2), ""));
    assert!(err.contains('^'), "{err}");
}

/// What CommonMark's backslash escapes leave of `s` (what mdBook's parser hands MathJax).
fn unescape_markdown(s: &str) -> String {
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

/// The syntax rules of both Markdown flavours, for every example: one display formula per line
/// holding the line's TeX exactly as each tool reads it, and rule lines whose text is escaped.
#[test]
fn markdown_flavours_hold_each_line_exactly() {
    let publish_args = |math| PublishArgs {
        standalone: false,
        katex_css: None,
        math,
    };
    for (f, decls, wrt) in common::NOTE.iter().chain(common::MORE.iter()) {
        let d = derivation(f, decls, *wrt);
        let lines: Vec<String> = d
            .steps
            .iter()
            .map(|s| format!("{} = {}", d.lhs_latex(s.lhs), s.latex))
            .collect();
        assert!(publish_args(Some(MathFlavour::Mdbook))
            .validate(DeriveFormat::Markdown)
            .is_ok());

        // Pandoc / Quarto: `$$` on lines of their own around the TeX, untouched; no `$` inside.
        let pandoc = publish_args(None).markdown(&d);
        assert_eq!(pandoc, publish::markdown(&d, MathSyntax::Pandoc));
        assert_eq!(pandoc, d.to_markdown());
        let blocks: Vec<&str> = pandoc.split("$$\n").skip(1).step_by(2).collect();
        let want: Vec<String> = lines.iter().map(|l| format!("{l}\n")).collect();
        assert_eq!(blocks, want, "{f}");
        assert!(lines.iter().all(|l| !l.contains('$') && !l.contains('\n')));

        // mdBook: `\\[ … \\]` on one line; what CommonMark leaves is `\[ TeX \]`; no `_`, `*`,
        // backslash, backquote, bracket or tilde is left for Markdown to read.
        let mdbook = publish_args(Some(MathFlavour::Mdbook)).markdown(&d);
        let math: Vec<&str> = mdbook.lines().filter(|l| l.starts_with(r"\\[")).collect();
        assert_eq!(math.len(), lines.len(), "{mdbook}");
        for (m, line) in math.iter().zip(&lines) {
            assert_eq!(unescape_markdown(m), format!(r"\[ {line} \]"));
            // mdBook's delimiters, then the TeX with nothing bare that Markdown reads.
            let inner = m
                .strip_prefix(r"\\[ ")
                .and_then(|m| m.strip_suffix(r" \\]"));
            let mut chars = inner.unwrap_or_else(|| panic!("{m}")).chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => assert!(
                        chars.next().is_some_and(|n| n.is_ascii_punctuation()),
                        "{m}"
                    ),
                    '_' | '*' | '`' | '[' | ']' | '~' | '<' | '&' | '|' | '^' | '\'' => {
                        panic!("bare {c} in {m}")
                    }
                    _ => {}
                }
            }
        }
        // The rule lines are the same in both: emphasis around the name, the id in code.
        let rules = |md: &str| {
            md.lines()
                .filter(|l| l.starts_with("*by "))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(rules(&pandoc), rules(&mdbook));
        assert_eq!(
            rules(&pandoc).len(),
            d.steps.iter().filter(|s| s.rule.is_some()).count()
        );
    }
}

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden-html.txt")
}

/// `derive --format html` of the note's three examples, byte for byte.
#[test]
fn note_examples_match_the_html_snapshot() {
    let mut got = String::new();
    for (f, decls, wrt) in common::NOTE {
        let mut args = vec!["derive", f, "--let", decls, "--format", "html"];
        if let Some(w) = wrt {
            args.extend(["--wrt", w]);
        }
        let (out, err, code) = matdiff(&args);
        writeln!(got, "=== matdiff {}", args[1..].join(" | ")).unwrap();
        writeln!(got, "--- exit {code:?}").unwrap();
        got.push_str(&out);
        got.push_str(&err);
    }
    let path = golden_path();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    if got != want {
        let first = got.lines().zip(want.lines()).position(|(a, b)| a != b);
        panic!(
            "HTML output differs from {} at line {first:?}; if intended, rewrite it with \
             UPDATE_GOLDEN=1 and say why in the commit",
            path.display()
        );
    }
}
