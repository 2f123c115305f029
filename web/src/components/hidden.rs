//! A `hide=result` link: the problem and a pointer to the "Your ∇f =" field, but no derivation
//! until the learner asks for it. A view function (no state of its own).

use super::math::Math;
use yew::prelude::*;

/// The problem f (LaTeX from the core's printer) with respect to `wrt`, and the button that
/// shows the derivation.
pub fn hidden_result(f_latex: AttrValue, wrt: &str, on_reveal: Callback<MouseEvent>) -> Html {
    html! {
        <section class="derivation hidden-result" aria-labelledby="problem-h" data-testid="problem">
            <h2 id="problem-h">{ "Exercise" }</h2>
            <p class="help f">{ "Find the gradient of f = " }<Math tex={f_latex} />
                { " with respect to " }<code>{ wrt }</code>{ "." }</p>
            <p class="help">{ "Write your answer in the field \u{201c}Your ∇f =\u{201d} below: it says whether it is correct, and what is wrong if not." }</p>
            <button type="button" data-testid="show-derivation" onclick={on_reveal}>{ "Show the derivation" }</button>
        </section>
    }
}
