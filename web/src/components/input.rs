//! The expression input: autofocus, monospace, an example as placeholder; every keystroke updates.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InputProps {
    pub value: AttrValue,
    pub invalid: bool,
    pub on_input: Callback<String>,
}

#[function_component(ExprInput)]
pub fn expr_input(props: &InputProps) -> Html {
    // `autofocus` is not honoured for elements inserted after load in every browser: focus on mount too.
    let input_ref = use_node_ref();
    {
        let r = input_ref.clone();
        use_effect_with((), move |_| {
            if let Some(el) = r.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        });
    }
    let on_input = {
        let cb = props.on_input.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            cb.emit(el.value());
        })
    };
    html! {
        <div class="field expr-field">
            <label for="expr">{ "f =" }</label>
            <input id="expr" ref={input_ref} data-testid="expr" type="text" class="mono"
                autofocus=true spellcheck="false" autocomplete="off" autocapitalize="off"
                placeholder="tr(A*X*B)   or   ||A*x - b||^2   or   logdet(X'*X)"
                aria-describedby={ if props.invalid { "expr-help expr-error" } else { "expr-help" } }
                aria-invalid={ if props.invalid { "true" } else { "false" } }
                value={props.value.clone()} oninput={on_input} />
            <p id="expr-help" class="help">
                { "A scalar function. * products (or juxtaposition), ' transpose, inv, det, logdet, tr, ||·||, .* elementwise. \
                   Capitals are matrices, a–g scalars, h–z vectors, unless declared below. \
                   Unicode (λ, Xᵀ, X⁻¹, ‖x‖²) and pasted LaTeX (\\operatorname{Tr}, \\frac, \\mathbf{X}) are read too." }
            </p>
        </div>
    }
}
