//! Copy buttons: the derivation as an `align*` block, the gradient in LaTeX, the gradient in input syntax.

use crate::dom;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CopyProps {
    pub align: AttrValue,
    pub gradient_latex: AttrValue,
    pub gradient_text: AttrValue,
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
