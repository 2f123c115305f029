//! LaTeX and Unicode as input. What matdiff prints parses back to the same tree: for every input
//! of the Cookbook corpus and of the golden file of `matdiff derive`, lowering the input and
//! lowering the LaTeX of its lowered tree give the same `Expr`. And strings mixing the tokens of
//! both never panic, with every span a byte range on character boundaries of the input.

mod common;

use matdiff_core::lower::{lower, sexpr};
use matdiff_core::syntax::{parse, Ast};
use matdiff_core::{analyze, print, Input, Source};
use proptest::prelude::*;

const GOLDEN: &str = include_str!("../../matdiff/tests/data/golden-derive.txt");

/// Every (expression, declarations, variable) of the corpus and of the golden file.
fn inputs() -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<(String, String, Option<String>)> = common::corpus()
        .into_iter()
        .map(|e| (e.f, e.decls, Some(e.wrt)))
        .collect();
    for line in GOLDEN.lines() {
        let Some(args) = line.strip_prefix("=== matdiff ") else {
            continue;
        };
        let parts: Vec<&str> = args.split(" | ").collect();
        if parts.last() != Some(&"text") {
            continue;
        }
        let find = |flag: &str| {
            parts
                .iter()
                .position(|p| *p == flag)
                .and_then(|i| parts.get(i + 1))
                .map(|s| s.to_string())
        };
        out.push((
            parts[0].to_string(),
            find("--let").unwrap_or_default(),
            find("--wrt"),
        ));
    }
    out
}

#[test]
fn printed_latex_parses_back_to_the_same_tree() {
    let inputs = inputs();
    assert!(inputs.len() > 250, "only {} inputs", inputs.len());
    let mut failures = Vec::new();
    let mut compared = 0;
    for (f, decls, wrt) in &inputs {
        let Ok(p) = lower(f, decls, wrt.as_deref()) else {
            continue;
        };
        let tex = print::latex(&p.expr, &p.symbols);
        compared += 1;
        match lower(&tex, decls, wrt.as_deref()) {
            Ok(q) if q.expr == p.expr && q.wrt == p.wrt => {}
            Ok(q) => failures.push(format!(
                "{f}\n    LaTeX {tex}\n    want  {}\n    got   {}",
                sexpr(&p.expr),
                sexpr(&q.expr)
            )),
            Err(ds) => failures.push(format!(
                "{f}\n    LaTeX {tex}\n{}",
                ds.iter().map(|d| d.render(&tex)).collect::<String>()
            )),
        }
    }
    assert!(compared > 200, "only {compared} inputs lower");
    assert!(
        failures.is_empty(),
        "{} of {compared} do not parse back:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Tokens of the plain, Unicode and LaTeX input, and pieces of them.
const PIECES: &[&str] = &[
    "x",
    "A",
    "X",
    "b",
    "2",
    "1e-3",
    "+",
    "-",
    "*",
    "/",
    ".*",
    "^",
    "'",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "|",
    "||",
    "_",
    ",",
    " ",
    "tr",
    "log",
    "det",
    "logdet",
    "inv",
    "sum",
    "exp",
    "T",
    "-1",
    "λ",
    "Σ",
    "α",
    "μ",
    "µ",
    "ᵀ",
    "⊤",
    "⁻",
    "¹",
    "²",
    "³",
    "₁",
    "₂",
    "‖",
    "−",
    "·",
    "×",
    "∗",
    "÷",
    "⊙",
    "∘",
    "⊘",
    "√",
    "′",
    "’",
    "∥",
    "∑",
    "ˆ",
    "‘",
    "—",
    "€",
    "\u{200B}",
    "\u{202E}",
    "\\",
    "\\operatorname{Tr}",
    "\\operatorname{",
    "\\mathrm{tr}",
    "\\log",
    "\\det",
    "\\exp",
    "\\sqrt",
    "\\top",
    "^\\top",
    "^{-1}",
    "^{-\\top}",
    "^{\\circ 2}",
    "\\mathbf{",
    "\\mathbf{X}",
    "\\mathbf{1}",
    "\\boldsymbol{\\Sigma}",
    "\\|",
    "\\|_F",
    "\\left(",
    "\\right)",
    "\\left\\|",
    "\\right\\|",
    "\\left|",
    "\\right|",
    "\\left",
    "\\right",
    "\\frac",
    "\\frac{",
    "}{",
    "\\cdot",
    "\\odot",
    "\\circ",
    "\\oslash",
    "\\lambda",
    "\\Sigma",
    "_{",
    "\\,",
    "\\sum",
    "\\href{",
    "\\unknown",
    "\\λ",
];

/// Every node's span is a byte range of `src` on character boundaries.
fn spans_are_in(ast: &Ast, src: &str) -> Result<(), String> {
    let mut stack = vec![ast];
    while let Some(a) = stack.pop() {
        let ok = a.span.start <= a.span.end
            && a.span.end <= src.len()
            && src.is_char_boundary(a.span.start)
            && src.is_char_boundary(a.span.end);
        if !ok {
            return Err(format!("{src:?}: node {:?} at {:?}", a.kind, a.span));
        }
        stack.extend(a.children());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(800))]

    #[test]
    fn mixtures_of_input_tokens_never_panic(
        pieces in prop::collection::vec(prop::sample::select(PIECES), 0..28)
    ) {
        let src: String = pieces.concat();
        let parsed = parse(&src);
        if let Some(ast) = &parsed.ast {
            spans_are_in(ast, &src).map_err(TestCaseError::fail)?;
        }
        prop_assert!(parsed.ast.is_some() || !parsed.diagnostics.is_empty());
        let a = analyze(&Input {
            expr: src.clone(),
            decls: String::new(),
            wrt: None,
        });
        for d in a.diagnostics.iter().chain(&parsed.diagnostics) {
            if d.source == Source::Expr {
                prop_assert!(
                    d.range.start <= d.range.end
                        && d.range.end <= src.len()
                        && src.is_char_boundary(d.range.start)
                        && src.is_char_boundary(d.range.end),
                    "{src:?}: {d:?}"
                );
                let _ = d.render(&src);
            }
        }
    }
}

/// Deeply nested LaTeX forms stop at the nesting limit or the input limit, without overflowing
/// the stack (a test thread has 2 MB).
#[test]
fn deep_latex_nesting_is_refused_not_overflowed() {
    for (open, close) in [
        ("x^(", ")"),
        ("x^-(", ")"),
        ("x.^(", ")"),
        ("x^||", "||"),
        ("x^|", "|"),
        ("x^{\\circ ", "}"),
        ("X^{-1}^{", "}"),
        ("{", "}"),
        (r"\left(", r"\right)"),
        (r"\sqrt{", "}"),
        (r"\frac{", "}{2}"),
        (r"x^\frac{", "}{2}"),
        (r"x^{", "}"),
        (r"\left\|", r"\right\|"),
        (r"\left|", r"\right|"),
        (r"\mathbf{", "}"),
        (r"\operatorname{Tr}{", "}"),
        ("-", ""),
        ("√", ""),
        ("‖", "‖"),
    ] {
        for depth in [100, 150, 200, 250, 300, 400, 600, 1200, 5000] {
            let src = format!("{}x{}", open.repeat(depth), close.repeat(depth));
            let a = analyze(&Input {
                expr: src.clone(),
                decls: String::new(),
                wrt: None,
            });
            if src.len() > 4096 || depth >= 1200 {
                assert!(a.derivation.is_none(), "{open} × {depth}");
            }
        }
    }
}
