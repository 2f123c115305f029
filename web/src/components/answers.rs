//! The result beside the derivation: the layout switch (∇f or ∂f/∂X = (∇f)ᵀ, with the sentence
//! saying which), and for a symmetric variable the three answers G, sym(G) and G + Gᵀ − diag(G),
//! each with its sentence and the mark of its own numeric check.

use super::derivation::mark_of;
use super::math::Math;
use crate::state::Shown;
use matdiff_core::layout::{numerator_form, numerator_lhs_latex, Layout};
use matdiff_core::numeric::GradientCheck;
use matdiff_core::symmetric::{ENTRIES_SENTENCE, SYMMETRIC_SENTENCE, UNCONSTRAINED_SENTENCE};
use matdiff_core::Lhs;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AnswersProps {
    pub shown: Rc<Shown>,
    pub layout: Layout,
    pub on_layout: Callback<Layout>,
}

/// One answer: the formula, its mark and its sentence.
fn answer(
    name: &'static str,
    tex: String,
    sentence: &'static str,
    check: Option<&GradientCheck>,
) -> Html {
    let (class, text, _) = mark_of(false, check.map(|c| c.passed));
    let label = match check {
        Some(c) => format!(
            "{} vs finite differences ({}): relative error {:.1e}",
            if c.passed { "agrees" } else { "disagrees" },
            c.method,
            c.rel_error
        ),
        None => "not checked".to_string(),
    };
    html! {
        <li data-form={name}>
            <div class="eq scroll-x"><Math tex={tex} display=true /></div>
            <span class={class} title={label.clone()} role="img" aria-label={label}>{ text }</span>
            <p class="help">{ sentence }</p>
        </li>
    }
}

#[function_component(AnswersView)]
pub fn answers_view(props: &AnswersProps) -> Html {
    let analysis = &props.shown.analysis;
    let (Some(d), Some(p)) = (&analysis.derivation, &analysis.problem) else {
        return html! {};
    };
    let numerator = props.layout == Layout::Numerator;
    let on_change = {
        let cb = props.on_layout.clone();
        Callback::from(move |e: Event| {
            let el: HtmlInputElement = e.target_unchecked_into();
            cb.emit(if el.checked() {
                Layout::Numerator
            } else {
                Layout::Gradient
            });
        })
    };
    let report = props.shown.check.as_ref().and_then(|c| c.as_ref().ok());
    let sym_check = report.and_then(|r| r.symmetric.as_ref());
    let derivative = numerator.then(|| {
        let n = numerator_form(d, &p.symbols);
        format!("{} = {}", numerator_lhs_latex(d), n.latex)
    });
    let forms = d.symmetric.as_ref().map(|s| {
        let g = format!("G = {} = {}", d.lhs_latex(Lhs::Gradient), d.gradient_latex);
        html! {
            <ul class="forms" data-testid="symmetric-forms">
                { answer("G", g, UNCONSTRAINED_SENTENCE, report.and_then(|r| r.gradient.as_ref())) }
                { answer("sym", format!(r"\operatorname{{sym}}(G) = {}", s.symmetric.latex),
                    SYMMETRIC_SENTENCE, sym_check.and_then(|c| c.symmetric.as_ref())) }
                { answer("entries", format!(r"G + G^\top - G \odot I = {}", s.entries.latex),
                    ENTRIES_SENTENCE, sym_check.and_then(|c| c.entries.as_ref())) }
            </ul>
        }
    });
    html! {
        <section class="answers" aria-label="result conventions" data-testid="answers">
            <label class="layout">
                <input type="checkbox" checked={numerator} onchange={on_change} data-testid="layout-toggle" />
                { " numerator layout ∂f/∂X = (∇f)ᵀ" }
            </label>
            if let Some(tex) = derivative {
                <div class="result scroll-x" data-testid="numerator"><Math tex={tex} display=true /></div>
            }
            <p class="help" data-testid="layout-sentence">{ props.layout.sentence() }</p>
            { for forms }
        </section>
    }
}
