//! The Jacobian of a vector- or matrix-valued f, or the Hessian of a scalar f (`order=2`): the
//! derivation's lines with their rules and check marks, the linear map, and the check with the
//! matrix beside its finite-difference estimate for small sizes.

use super::check::matrix;
use super::math::Math;
use crate::second::{line_marks, order_name, run_check, verdict_text};
use matdiff_core::api::rule_note;
use matdiff_core::jacobian::{Analysis2, Order};
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SecondProps {
    /// The Jacobian or Hessian analysis ([`crate::state::State::second`]).
    pub analysis: Rc<Analysis2>,
    pub order: Order,
    pub sizes: BTreeMap<String, usize>,
    pub seed: u64,
}

/// The mark of a line: its class, text and label.
fn mark(m: Option<bool>) -> (&'static str, &'static str, &'static str) {
    match m {
        Some(true) => ("mark pass", "✓", "line agrees with finite differences"),
        Some(false) => ("mark fail", "✗", "line disagrees with finite differences"),
        None => ("mark none", "·", "line not checked"),
    }
}

#[function_component(SecondView)]
pub fn second_view(props: &SecondProps) -> Html {
    let analysis = &props.analysis;
    let report = use_memo(
        (analysis.clone(), props.sizes.clone(), props.seed),
        |(a, sizes, seed)| run_check(a, sizes, *seed),
    );
    let what = order_name(props.order);
    let Some(d) = analysis.derivation.as_ref() else {
        return html! {
            <section class="derivation" data-testid="second" data-order={what}>
                <h2>{ what }</h2>
                { for analysis.diagnostics.iter().map(|e| html! {
                    <p class="error" data-testid="second-error">{ &e.message }</p>
                }) }
            </section>
        };
    };
    let report = report.as_ref().as_ref();
    let marks = match report {
        Ok(r) => line_marks(d, r),
        Err(_) => vec![None; d.lines.len()],
    };
    let mut prev = None;
    let lines = d.lines.iter().zip(marks).enumerate().map(|(i, (l, m))| {
        let lhs = d.side_latex(l.side);
        let tex = if prev == Some(l.side) {
            format!(r"\phantom{{{lhs}}} = {}", l.latex)
        } else {
            format!("{lhs} = {}", l.latex)
        };
        prev = Some(l.side);
        let (class, text, label) = mark(m);
        let rule = l.rule.map_or_else(|| "take the differential".to_string(), |r| r.name.to_string());
        html! {
            <li class="step">
                <span class="num" aria-hidden="true">{ format!("({})", i + 1) }</span>
                <div class="eq scroll-x" title={l.rule.map(|r| rule_note(&r))}><Math tex={tex} display=true /></div>
                <span class={class} title={label} role="img" aria-label={label}>{ text }</span>
                <span class="rule" data-rule={l.rule.map(|r| r.id)}>{ rule }</span>
            </li>
        }
    });
    let map = format!(r"{} \mapsto {}", d.map_lhs_latex(), d.map_latex);
    let verdict = match report {
        Ok(r) => verdict_text(r),
        Err(e) => format!("not run: {}", e.message),
    };
    let matrices = report.ok().and_then(|r| r.matrix.as_ref()).and_then(|m| {
        let (s, n) = (m.symbolic.as_ref()?, m.numeric.as_ref()?);
        Some(html! {
            <div class="matrices scroll-x" data-testid="second-matrices">
                <div data-testid="second-symbolic">{ matrix(&format!("{what} (derived)"), s) }</div>
                <div data-testid="second-numeric">{ matrix("finite differences", n) }</div>
            </div>
        })
    });
    let layout = match props.order {
        Order::Jacobian => " (numerator layout: J = ∂ vec F / ∂ (vec X)ᵀ, vec stacking columns)",
        Order::Hessian => " (H = ∂² f / ∂ vec X ∂ (vec X)ᵀ, vec stacking columns)",
    };
    html! {
        <section class="derivation" data-testid="second" data-order={what} aria-labelledby="second-h">
            <h2 id="second-h">{ what }</h2>
            <p class="help f">{ "f = " }<Math tex={d.f_latex.clone()} />{ ", with respect to " }<code>{ &d.wrt }</code>{ layout }</p>
            <ol class="steps" data-testid="second-lines">{ for lines }</ol>
            <div class="result scroll-x" data-testid="second-map" aria-label="linear map">
                <Math tex={map} display=true />
            </div>
            if let Some(note) = &d.note {
                <p class="help derivation-note" data-testid="second-note">{ note }{ "." }</p>
            }
            <section class="check" aria-label={format!("{what} check")}>
                <p data-testid="second-verdict">{ format!("{what} check: {verdict}") }</p>
                if let Some(m) = report.ok().and_then(|r| r.matrix.as_ref()) {
                    <p class="help">{ format!("relative error {:.2e} (tolerance {:.1e}, {})", m.rel_error, m.tolerance, m.method) }</p>
                }
                { for matrices }
            </section>
        </section>
    }
}

/// The Hessian switch above the derivation of a scalar f, on when `hessian`; a change goes to
/// `on_hessian`.
pub fn hessian_toggle(hessian: bool, on_hessian: Callback<bool>) -> Html {
    let onchange = Callback::from(move |e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        on_hessian.emit(input.checked());
    });
    html! {
        <p class="mode">
            <label>
                <input type="checkbox" data-testid="hessian-toggle" checked={hessian} {onchange} />
                { " Hessian: the second differential" }
            </label>
        </p>
    }
}
