//! Copy buttons: the derivation as an `align*` block, the gradient in LaTeX, the gradient in input
//! syntax; and "Export code": f and ∇f as a Python module (NumPy, PyTorch or JAX, written by the
//! core's `export` when its button is pressed), copied like the others.

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
    // The text of a button: given, or the export of the analysis to a target (written on click).
    let button = |label: &'static str, what: &'static str, text: Result<AttrValue, Target>| {
        let status = status.clone();
        let analysis = props.analysis.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let status = status.clone();
            let t = match &text {
                Ok(t) => t.to_string(),
                Err(target) => match (&analysis.problem, &analysis.derivation) {
                    (Some(p), Some(d)) => python(p, d, *target)
                        .unwrap_or_else(|e| format!("# cannot export: {}", e.message)),
                    _ => return,
                },
            };
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
            { button("Copy derivation (LaTeX align*)", "derivation", Ok(props.align.clone())) }
            { button("Copy ∇f (LaTeX)", "gradient LaTeX", Ok(props.gradient_latex.clone())) }
            { button("Copy ∇f (input syntax)", "gradient", Ok(props.gradient_text.clone())) }
            <span class="export" role="group" aria-label="export code">{ "Export code:" }
                { button("NumPy", "NumPy code", Err(Target::Numpy)) }
                { button("PyTorch", "PyTorch code", Err(Target::Torch)) }
                { button("JAX", "JAX code", Err(Target::Jax)) }
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
        </div>
    }
}
