//! Every LaTeX string the tests produce renders with KaTeX (the `katex` crate, natively): steps,
//! functions, gradients and previews of the corpus, the examples and random expressions, and the rule catalog.

mod common;

use common::{corpus, MORE, NOTE};
use matdiff_core::{rules, Analysis};

fn opts() -> katex::Opts {
    katex::Opts::builder()
        .display_mode(true)
        .throw_on_error(true)
        .build()
        .expect("KaTeX options")
}

/// Renders `latex`, or says where it came from and what KaTeX said.
fn render(latex: &str, origin: &str, opts: &katex::Opts) -> Result<(), String> {
    katex::render_with_opts(latex, opts)
        .map(|_| ())
        .map_err(|e| format!("{origin}\n    {latex}\n    KaTeX: {e}"))
}

/// Every LaTeX string of an analysis, labelled.
fn strings_of(a: &Analysis, origin: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(l) = &a.expr_latex {
        out.push((l.clone(), format!("{origin}: preview")));
    }
    if let Some(d) = &a.derivation {
        out.push((d.f_latex.clone(), format!("{origin}: f")));
        out.push((d.gradient_latex.clone(), format!("{origin}: gradient")));
        for (i, s) in d.steps.iter().enumerate() {
            out.push((s.latex.clone(), format!("{origin}: step {i}")));
            let lhs = d.lhs_latex(s.lhs);
            out.push((
                format!("{lhs} = {}", s.latex),
                format!("{origin}: line {i}"),
            ));
        }
        // The answers beside the gradient: a symmetric variable's forms, the numerator layout.
        if let Some(s) = &d.symmetric {
            out.push((s.symmetric.latex.clone(), format!("{origin}: sym(G)")));
            out.push((s.entries.latex.clone(), format!("{origin}: entry form")));
        }
        if let Some(p) = &a.problem {
            let n = matdiff_core::layout::numerator_form(d, &p.symbols);
            let lhs = matdiff_core::layout::numerator_lhs_latex(d);
            out.push((format!("{lhs} = {}", n.latex), format!("{origin}: df/dX")));
        }
    }
    out
}

fn assert_all_render(strings: &[(String, String)]) {
    let opts = opts();
    let failures: Vec<String> = strings
        .iter()
        .filter_map(|(l, o)| render(l, o, &opts).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} LaTeX strings fail:\n{}",
        failures.len(),
        strings.len(),
        failures.join("\n")
    );
}

#[test]
fn katex_rejects_bad_latex() {
    let opts = opts();
    assert!(render(r"\frac{a}{b}", "ok", &opts).is_ok());
    assert!(render(r"\frac{a}{", "unbalanced", &opts).is_err());
    assert!(render(r"\nosuchmacro x", "unknown macro", &opts).is_err());
}

#[test]
fn rule_identities_render() {
    let strings: Vec<(String, String)> = rules::ALL
        .iter()
        .map(|r| (r.identity.to_string(), format!("rule {}", r.id)))
        .collect();
    assert!(strings.len() > 20);
    assert_all_render(&strings);
}

#[test]
fn examples_render() {
    let mut strings = Vec::new();
    for (expr, decls, wrt) in NOTE.iter().chain(MORE.iter()) {
        let a = common::run(expr, decls, *wrt);
        assert!(a.derivation.is_some(), "{expr}: no derivation");
        strings.extend(strings_of(&a, expr));
    }
    assert_all_render(&strings);
}

#[test]
fn corpus_renders() {
    let mut strings = Vec::new();
    for e in corpus() {
        let a = common::run(&e.f, &e.decls, Some(&e.wrt));
        strings.extend(strings_of(&a, &e.label()));
        // The expected gradient's own LaTeX too, as the engine prints it.
        let g = common::run(
            &format!("sum(({}) .* {})", e.grad, e.wrt),
            &e.decls,
            Some(&e.wrt),
        );
        if let Some(l) = g.expr_latex {
            strings.push((l, format!("{}: expected gradient", e.label())));
        }
    }
    assert!(strings.len() > 500, "only {} strings", strings.len());
    assert_all_render(&strings);
}

/// Names and symbols that stress the printer: Greek letters, subscripts, digits, long names.
#[test]
fn symbol_names_render() {
    let inputs = [
        ("tr(Sigma*X)", ""),
        ("lambda*tr(X) + alpha_1*sum(X)", ""),
        ("tr(W_2*X)", "W_2: matrix n x n"),
        ("x_10'*x_10", ""),
        ("tr(Theta'*X*Omega)", ""),
        ("trace(Abc*X)", "Abc: matrix n x n"),
        ("||X - 2.5e-3*A||_F^2", ""),
        ("sum(X .^ 0.5)", ""),
        ("sum(arcsin(tanh(x)))", ""),
        ("sum(relu(x) + abs(x))", ""),
        ("sum(sign(x) .* x)", ""),
        ("det(X)^-1", ""),
        ("tr(X^-1)", ""),
        ("tr(X^T*A)", ""),
        ("x'*diag(a)*x", "a: vector n"),
        ("sum(diag(X))", ""),
        ("tr(X*I) + sum(vector(2) .* x)", ""),
    ];
    let mut strings = Vec::new();
    for (expr, decls) in inputs {
        let a = common::run(expr, decls, None);
        strings.extend(strings_of(&a, expr));
    }
    assert!(strings.len() > 40, "only {} strings", strings.len());
    assert_all_render(&strings);
}

/// The left-hand sides the page and the command print: `dy` and `∇_X f` with a real `\nabla`.
#[test]
fn left_hand_sides() {
    use matdiff_core::{api::lhs_latex, Kind, Lhs};
    let grad = lhs_latex(Lhs::Gradient, "X", Kind::Matrix);
    assert!(grad.starts_with(r"\nabla"), "{grad:?}");
    assert!(!grad.contains('\n'), "{grad:?}");
    let strings = vec![
        (lhs_latex(Lhs::Dy, "x", Kind::Vector), "dy".to_string()),
        (grad, "gradient".to_string()),
        (
            lhs_latex(Lhs::Gradient, "Sigma", Kind::Matrix),
            "Greek".to_string(),
        ),
    ];
    assert_all_render(&strings);
}

/// Two names that would print alike (`x1` and `x_1` both as x₁, `a_` as a) are printed as
/// written, so a line never shows two different symbols the same; other names keep their form.
#[test]
fn names_that_would_print_alike_are_printed_as_written() {
    let a = common::run("x1'*x_1 + a_*a", "", Some("x_1"));
    let d = a.derivation.as_ref().expect("derives");
    assert!(d.f_latex.contains(r"\mathbf{x1}"), "{}", d.f_latex);
    assert!(d.f_latex.contains(r"\mathbf{x\_1}"), "{}", d.f_latex);
    assert!(d.f_latex.contains(r"\mathit{a\_}"), "{}", d.f_latex);
    assert_eq!(d.gradient_text, "x1");
    assert_eq!(
        d.lhs_latex(matdiff_core::Lhs::Gradient),
        r"\nabla_{\mathbf{x\_1}} f"
    );
    let report = matdiff_core::check(&a, &Default::default()).expect("checks");
    assert!(report.passed, "{report:?}");
    assert_all_render(&strings_of(&a, "x1'*x_1 + a_*a"));
    // Without a clash the subscript form stays.
    let b = common::run("x1'*x1", "", None);
    let d = b.derivation.as_ref().expect("derives");
    assert!(d.f_latex.contains(r"\mathbf{x}_1"), "{}", d.f_latex);
    assert_eq!(
        d.lhs_latex(matdiff_core::Lhs::Gradient),
        r"\nabla_{\mathbf{x}_1} f"
    );
}

/// Delimiters are sized to their content (`\left( … \right)`) only around a fraction or a root;
/// elsewhere they are plain, and a one-character superscript or subscript has no braces.
#[test]
fn delimiters_are_sized_only_around_tall_content() {
    for (expr, want) in [
        ("logdet(X'*X)", r"\log\det(\mathbf{X}^\top \mathbf{X})"),
        ("(x'*x)^3", r"(\mathbf{x}^\top \mathbf{x})^3"),
        (
            "sum(abs(-x))",
            r"\operatorname{sum}(\lvert -\mathbf{x}\rvert)",
        ),
        ("norm1(x)", r"\lVert \mathbf{x}\rVert_1"),
        ("||x/c||^2", r"\left\|\frac{\mathbf{x}}{c}\right\|_2^2"),
        ("x_1'*x_1", r"\mathbf{x}_1^\top \mathbf{x}_1"),
    ] {
        let a = common::run(expr, "", None);
        assert_eq!(a.expr_latex.as_deref(), Some(want), "{expr}");
        assert_all_render(&strings_of(&a, expr));
    }
    let a = common::run("sqrt(a)*(b+c)", "", Some("a"));
    let d = a.derivation.as_ref().expect("derives");
    assert_eq!(d.steps[0].latex, r"\mathrm{d}\left(\sqrt{a} (b + c)\right)");
}
