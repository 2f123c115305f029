//! Copy buttons: the derivation as an `align*` block, the gradient in LaTeX, the gradient in input
//! syntax; and "Export code": f and ∇f as a Python module (NumPy, PyTorch or JAX, written by the
//! core's `export`), shown for the chosen variant with its own copy button.

use crate::dom;
use matdiff_core::export::{python, Target};
use matdiff_core::Analysis;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CopyProps {
    pub align: AttrValue,
    pub gradient_latex: AttrValue,
    pub gradient_text: AttrValue,
    /// The analysis on screen, for the code export.
    pub analysis: Rc<Analysis>,
}

/// What happened to the last copy.
#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Copied(&'static str),
    /// The browser refused: the text is shown, selected, for the user to copy.
    Manual(&'static str, String),
}

#[function_component(CopyButtons)]
pub fn copy_buttons(props: &CopyProps) -> Html {
    let status = use_state(|| Status::Idle);
    let target = use_state(|| None::<Target>);
    let code = target.and_then(|t| {
        let (Some(p), Some(d)) = (&props.analysis.problem, &props.analysis.derivation) else {
            return None;
        };
        Some(python(p, d, t).unwrap_or_else(|e| format!("# cannot export: {}", e.message)))
    });
    let button = |label: &'static str, what: &'static str, text: AttrValue| {
        let status = status.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let status = status.clone();
            let t = text.to_string();
            dom::copy_text(t.clone(), move |ok| {
                status.set(if ok {
                    Status::Copied(what)
                } else {
                    Status::Manual(what, t)
                });
            });
        });
        html! { <button type="button" onclick={onclick}>{ label }</button> }
    };
    let manual_ref = use_node_ref();
    {
        let r = manual_ref.clone();
        use_effect_with((*status).clone(), move |_| {
            if let Some(el) = r.cast::<web_sys::HtmlTextAreaElement>() {
                el.select();
                let _ = el.focus();
            }
        });
    }
    html! {
        <div class="copy" role="group" aria-label="copy">
            { button("Copy derivation (LaTeX align*)", "derivation", props.align.clone()) }
            { button("Copy ∇f (LaTeX)", "gradient LaTeX", props.gradient_latex.clone()) }
            { button("Copy ∇f (input syntax)", "gradient", props.gradient_text.clone()) }
            <span class="export" role="group" aria-label="export code">{ "Export code:" }
                { for Target::ALL.iter().map(|&t| {
                    let target = target.clone();
                    let pressed = *target == Some(t);
                    let onclick = Callback::from(move |_: MouseEvent| target.set((!pressed).then_some(t)));
                    html! { <button type="button" aria-pressed={pressed.to_string()} onclick={onclick}>{ t.label() }</button> }
                }) }
                if let Some(code) = &code { { button("Copy code", "code", AttrValue::from(code.clone())) } }
            </span>
            <span class="copy-status" aria-live="polite">
                { match &*status {
                    Status::Idle => html! {},
                    Status::Copied(what) => html! { { format!("Copied the {what}.") } },
                    Status::Manual(what, text) => html! {
                        <label>{ format!("The browser did not allow copying; the {what} is selected below, press Ctrl+C:") }
                            <textarea ref={manual_ref.clone()} readonly=true rows="4" class="mono" value={text.clone()} />
                        </label>
                    },
                } }
            </span>
            if let Some(code) = code { <pre class="export-code mono" data-testid="export-code">{ code }</pre> }
        </div>
    }
}
