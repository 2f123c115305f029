//! A `hide=result` link or a Hessian/Jacobian exercise: the problem and a pointer to the field
//! for the learner's answer, but no derivation until the learner asks for it. A view function.

use super::math::Math;
use yew::prelude::*;

/// What a hidden problem asks for: its name and the label of the answer's field.
#[derive(Clone, Copy)]
pub struct Asked {
    pub what: &'static str,
    pub field: &'static str,
}

/// The gradient, answered in "Your ∇f =".
pub const GRADIENT: Asked = Asked {
    what: "the gradient",
    field: "Your ∇f =",
};

/// The problem f (LaTeX from the core's printer) with respect to `wrt`, what is asked, and the
/// button that shows the derivation.
pub fn hidden_result(
    f_latex: AttrValue,
    wrt: &str,
    asked: Asked,
    on_reveal: Callback<MouseEvent>,
) -> Html {
    html! {
        <section class="derivation hidden-result" aria-labelledby="problem-h" data-testid="problem">
            <h2 id="problem-h">{ "Exercise" }</h2>
            <p class="help f">{ format!("Find {} of f = ", asked.what) }<Math tex={f_latex} />
                { " with respect to " }<code>{ wrt }</code>{ "." }</p>
            <p class="help">{ format!("Write your answer in the field \u{201c}{}\u{201d} below: it says whether it is correct.", asked.field) }</p>
            <button type="button" data-testid="show-derivation" onclick={on_reveal}>{ "Show the derivation" }</button>
        </section>
    }
}
