//! A `hide=result` link: the problem and the place for the learner's ∇f, but no derivation
//! until the learner asks for it.

use super::math::Math;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HiddenProps {
    /// f in LaTeX (from the core's printer).
    pub f_latex: AttrValue,
    pub wrt: AttrValue,
    pub on_reveal: Callback<()>,
}

#[function_component(HiddenResult)]
pub fn hidden_result(props: &HiddenProps) -> Html {
    let reveal = props.on_reveal.clone();
    html! {
        <section class="derivation hidden-result" aria-labelledby="problem-h" data-testid="problem">
            <h2 id="problem-h">{ "Exercise" }</h2>
            <p class="help f">{ "Find the gradient of f = " }<Math tex={props.f_latex.clone()} />
                { " with respect to " }<code>{ props.wrt.clone() }</code>{ "." }</p>
            // The "Your ∇f =" field (check my answer) goes here.
            <div data-slot="claim"></div>
            <button type="button" data-testid="show-derivation"
                onclick={Callback::from(move |_: MouseEvent| reveal.emit(()))}>{ "Show the derivation" }</button>
        </section>
    }
}
