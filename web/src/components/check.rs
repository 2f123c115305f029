//! The gradient check: sizes, new random matrices, f's value, relative error, the pass/fail badge,
//! and for small variables the symbolic and numeric gradients side by side.

use crate::state::{Shown, SizeField};
use matdiff_core::{CheckReport, Verdict};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CheckProps {
    pub shown: Rc<Shown>,
    pub stale: bool,
    /// A field per dimension ([`crate::state::State::size_fields`]).
    pub sizes: Vec<SizeField>,
    /// A size field's text, on change.
    pub on_size: Callback<(String, String)>,
    pub on_new_seed: Callback<()>,
}

/// The badge's class and text (`passed`, `failed`, `undecided`, `not checked`), and why, if it says
/// more: the report's verdict, the one the command prints.
///
/// The explanation stays out of the badge, so the badge's text is exactly one verdict.
pub fn badge(
    check: &Option<Result<CheckReport, matdiff_core::Diagnostic>>,
) -> (&'static str, &'static str, Option<String>) {
    let Some(check) = check else {
        return ("badge pending", "checking…", None);
    };
    match check {
        Err(d) => (
            "badge undecided",
            "not checked",
            Some(match &d.hint {
                Some(h) => format!("{}: {h}", d.message),
                None => d.message.clone(),
            }),
        ),
        Ok(r) => match r.verdict() {
            Verdict::Passed => ("badge pass", "✓ passed", None),
            Verdict::Failed(why) => ("badge fail", "✗ failed", Some(why)),
            Verdict::Undecided(why) => ("badge undecided", "? undecided", Some(why)),
        },
    }
}

/// The report's message beside the figures, unless the verdict's reason already says it.
fn note(r: &CheckReport) -> Option<&str> {
    let m = r.message.as_deref()?;
    (r.gradient.is_some() && r.verdict().reason() != Some(m)).then_some(m)
}

fn fmt(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() >= 1e4 || x.abs() < 1e-3 {
        format!("{x:.3e}")
    } else {
        format!("{x:.4}")
    }
}

/// A matrix as a captioned table (also the Jacobian and Hessian checks', [`super::second`]).
pub fn matrix(title: &str, rows: &[Vec<f64>]) -> Html {
    html! {
        <figure class="matrix">
            <figcaption>{ title }</figcaption>
            <table>
                { for rows.iter().map(|r| html! {
                    <tr>{ for r.iter().map(|x| html! { <td>{ fmt(*x) }</td> }) }</tr>
                }) }
            </table>
        </figure>
    }
}

#[function_component(CheckPanel)]
pub fn check_panel(props: &CheckProps) -> Html {
    let (class, text, why) = badge(&props.shown.check);
    // While the next check is pending (a keystroke ago), the last report stays, dimmed, instead of
    // the panel emptying and refilling at every keystroke.
    let last = use_mut_ref(|| None::<Rc<Shown>>);
    let pending = props.shown.check.is_none();
    if !pending {
        *last.borrow_mut() = matches!(props.shown.check, Some(Ok(_))).then(|| props.shown.clone());
    }
    let source = if pending {
        last.borrow().clone()
    } else {
        Some(props.shown.clone())
    };
    let report = source
        .as_ref()
        .and_then(|s| s.check.as_ref())
        .and_then(|c| c.as_ref().ok());
    let previous = pending && report.is_some();
    let sizes = &props.sizes;
    let size_inputs = sizes.iter().map(|f| {
        let cb = props.on_size.clone();
        let key = f.name.clone();
        let on_change = Callback::from(move |e: Event| {
            let el: HtmlInputElement = e.target_unchecked_into();
            cb.emit((key.clone(), el.value()));
        });
        let id = format!("size-{}", f.name);
        let error_id = format!("size-error-{}", f.name);
        html! {
            <span class="size">
                <label for={id.clone()}><code>{ &f.name }</code>{ " =" }</label>
                <input id={id} type="number" min="1" max="200" value={f.value.clone()}
                    class={classes!(f.custom.then_some("custom"))} onchange={on_change}
                    aria-invalid={ if f.error.is_some() { "true" } else { "false" } }
                    aria-describedby={ f.error.is_some().then(|| error_id.clone()) } />
            </span>
        }
    });
    let size_errors = sizes.iter().filter_map(|f| {
        f.error.as_ref().map(|m| html! {
            <p class="help size-error" id={format!("size-error-{}", f.name)} data-testid="size-error" role="alert">{ m }</p>
        })
    });
    let new_seed = {
        let cb = props.on_new_seed.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <section class={classes!("check", props.stale.then_some("stale"))} aria-labelledby="check-h">
            <h2 id="check-h">{ "Numeric check" }</h2>
            <p class="status-line">
                <span class={class} data-testid="check-status" role="status">{ text }</span>
            </p>
            if let Some(why) = why { <p class="help why" data-testid="check-message">{ why }</p> }
            <div class="sizes">
                if !sizes.is_empty() { <span class="label">{ "sizes: " }</span> }
                { for size_inputs }
                <button type="button" onclick={new_seed} data-testid="new-seed">{ "New random matrices" }</button>
                if let Some(r) = report { <span class="seed">{ format!("seed {}", r.seed) }</span> }
            </div>
            // Always there, so a message coming or going moves no other element (moving the
            // focused size field would take the focus from it).
            <div class="size-errors">{ for size_errors }</div>
            if let Some(r) = report {
              <div class={classes!("results", previous.then_some("previous"))} aria-busy={ if previous { "true" } else { "false" } }
                  title={ previous.then_some("the previous check's numbers, until the new check is done") }>
                <dl class="figures">
                    if let Some(v) = r.value { <dt>{ "f at the sample" }</dt><dd data-testid="f-value">{ fmt(v) }</dd> }
                    if let Some(g) = &r.gradient {
                        <dt>{ "relative error, symbolic vs finite differences" }</dt>
                        <dd data-testid="rel-error">{ format!("{:.2e}", g.rel_error) }
                            <span class="tol">{ format!(" (tolerance {:.1e}, {})", g.tolerance, g.method) }</span></dd>
                    }
                    <dt>{ "derivation steps agreeing with dy" }</dt>
                    <dd>{ format!("{} of {}", r.steps.iter().filter(|s| s.passed).count(), r.steps.len()) }</dd>
                </dl>
                if let Some(m) = note(r) { <p class="help">{ m }</p> }
                if let Some(g) = &r.gradient {
                    if let (Some(s), Some(n)) = (&g.symbolic, &g.numeric) {
                        <div class="matrices scroll-x" data-testid="matrices">
                            { matrix("symbolic ∇f", s) }
                            { matrix("finite differences", n) }
                        </div>
                    }
                }
              </div>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::run_check;
    use matdiff_core::{analyze, Input};

    fn check_of(
        expr: &str,
        sizes: &[(&str, usize)],
    ) -> Option<Result<CheckReport, matdiff_core::Diagnostic>> {
        let a = analyze(&Input {
            expr: expr.into(),
            decls: String::new(),
            wrt: None,
        });
        let sizes = sizes.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        Some(run_check(&a, &sizes, 1))
    }

    #[test]
    fn badge_says_passed_undecided_or_not_checked() {
        assert_eq!(badge(&None).1, "checking…");
        let (class, text, why) = badge(&check_of("tr(A*X*B)", &[]));
        assert_eq!((class, text, why), ("badge pass", "✓ passed", None));
        // XᵀX is singular when X has more columns than rows: the check cannot decide.
        let (class, text, why) = badge(&check_of("logdet(X'*X)", &[("n", 2), ("m", 4)]));
        assert_eq!((class, text), ("badge undecided", "? undecided"), "{why:?}");
        assert!(why.is_some_and(|w| w.contains("singular")));
        let (class, text, why) = badge(&check_of("tr(A*X*B)", &[("n", 100_000)]));
        assert_eq!((class, text), ("badge undecided", "not checked"));
        assert!(why.is_some_and(|w| w.contains("out of range") && w.contains("from 1 to 200")));
    }

    /// `tr(A*X*B)` with its gradient replaced by `A`, of the wrong shape: the gradient check
    /// cannot compare it with finite differences at all. The badge said "undecided" for it
    /// while the command printed FAILED; both show the report's verdict now (the command's side
    /// is tested in crates/matdiff/tests/cli.rs).
    #[test]
    fn a_broken_gradient_fails_as_the_command_says() {
        let mut a = analyze(&Input {
            expr: "tr(A*X*B)".into(),
            decls: "A: 3x4, X: 4x5, B: 5x3".into(),
            wrt: None,
        });
        let d = a.derivation.as_mut().expect("a derivation");
        d.gradient = matdiff_core::Expr::sym("A");
        let check = Some(run_check(&a, &Default::default(), 1));
        let why = "the gradient is 3×4 but X is 4×5: a gradient has the shape of its variable";
        assert_eq!(
            badge(&check),
            ("badge fail", "✗ failed", Some(why.to_string()))
        );
        // The reason is in the badge's explanation, not repeated beside the figures.
        let report = check.and_then(Result::ok).expect("a report");
        assert_eq!(report.verdict(), Verdict::Failed(why.to_string()));
        assert_eq!(note(&report), None);
    }

    #[test]
    fn a_wrong_dy_line_fails_and_says_which() {
        let mut a = analyze(&Input {
            expr: "tr(A*X*B)".into(),
            ..Default::default()
        });
        let d = a.derivation.as_mut().expect("a derivation");
        d.steps[2].expr = matdiff_core::Expr::neg(d.steps[2].expr.clone());
        let check = Some(run_check(&a, &Default::default(), 1));
        assert_eq!(
            badge(&check),
            (
                "badge fail",
                "✗ failed",
                Some("step 2 disagrees with dy".to_string())
            )
        );
    }
}
