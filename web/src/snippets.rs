//! Embed snippets for instructors: an `<iframe>` and its wrappers for MyST/Jupyter Book, Quarto and mdBook; pure.

/// Escapes text for a double-quoted HTML attribute.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The directory of a page address (`https://h/sub/` for `https://h/sub/index.html`).
pub fn site_dir(page: &str) -> String {
    match page.rfind('/') {
        Some(i) => page[..=i].to_string(),
        None => String::new(),
    }
}

/// The snippets: (label, text), the plain HTML first.
///
/// `embed_url` is the page with `embed=1` in its query; `page` the page's address without query.
pub fn snippets(embed_url: &str, page: &str, f_text: &str) -> Vec<(&'static str, String)> {
    let src = escape_attr(embed_url);
    let title = escape_attr(&format!("matdiff: derivation of the gradient of {f_text}"));
    let script = format!(
        r#"<script src="{}embed.js" async></script>"#,
        escape_attr(&site_dir(page))
    );
    let iframe = format!(
        r#"<iframe src="{src}" title="{title}" loading="lazy" width="100%" height="640" style="border:0"></iframe>"#
    );
    let html = format!("{iframe}\n{script}");
    vec![
        ("HTML", html.clone()),
        (
            "MyST / Jupyter Book 2 (mystmd)",
            format!(":::{{iframe}} {embed_url}\n:width: 100%\n:title: matdiff: derivation of the gradient of {f_text}\n:::"),
        ),
        (
            "Jupyter Book 1 (Sphinx, MyST)",
            format!("```{{raw}} html\n{html}\n```"),
        ),
        ("Quarto", format!("```{{=html}}\n{html}\n```")),
        ("mdBook", html),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iframe_snippet_has_title_lazy_loading_and_escaped_attributes() {
        let s = snippets(
            "https://h/sub/?f=x'*A*x&embed=1",
            "https://h/sub/index.html",
            "x'*A*x \"<b>\"",
        );
        let (label, html) = &s[0];
        assert_eq!(*label, "HTML");
        assert!(
            html.contains(r#"src="https://h/sub/?f=x&#39;*A*x&amp;embed=1""#),
            "{html}"
        );
        assert!(html.contains(r#"loading="lazy""#));
        assert!(
            html.contains(
                "title=\"matdiff: derivation of the gradient of x&#39;*A*x &quot;&lt;b&gt;&quot;\""
            ),
            "{html}"
        );
        assert!(
            html.contains(r#"<script src="https://h/sub/embed.js" async></script>"#),
            "{html}"
        );
        let labels: Vec<&str> = s.iter().map(|(l, _)| *l).collect();
        assert!(labels.iter().any(|l| l.contains("MyST")));
        assert!(labels.contains(&"Quarto") && labels.contains(&"mdBook"));
        assert!(s
            .iter()
            .find(|(l, _)| *l == "Quarto")
            .unwrap()
            .1
            .starts_with("```{=html}\n<iframe"));
    }

    #[test]
    fn site_dir_keeps_the_sub_path() {
        assert_eq!(site_dir("https://h/a/b/"), "https://h/a/b/");
        assert_eq!(site_dir("https://h/a/index.html"), "https://h/a/");
    }
}
