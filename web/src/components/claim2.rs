//! "Your H =" / "Your J =": the field under a Hessian or Jacobian and its verdict
//! ([`crate::claim2`]; the state decides it and marks a correct exercise done). A view function.

use crate::claim2::SecondClaimView;
use matdiff_core::jacobian::Order;
use web_sys::HtmlInputElement;
use yew::prelude::*;

pub fn claim_second_view(
    order: Order,
    claim: &str,
    view: Option<&SecondClaimView>,
    on_claim: &Callback<String>,
) -> Html {
    let letter = match order {
        Order::Hessian => "H",
        Order::Jacobian => "J",
    };
    let cb = on_claim.clone();
    let on_input = Callback::from(move |e: InputEvent| {
        let el: HtmlInputElement = e.target_unchecked_into();
        cb.emit(el.value());
    });
    html! {
        <section class="claim" aria-labelledby="claim-second-h">
            <h2 id="claim-second-h">{ "Check my answer" }</h2>
            <div class="field">
                <label for="claim-second">{ format!("Your {letter} =") }</label>
                <input id="claim-second" data-testid="claim-second" type="text" class="mono" spellcheck="false"
                    autocomplete="off" autocapitalize="off" value={claim.to_string()} oninput={on_input}
                    aria-describedby="claim-second-out" />
            </div>
            <div id="claim-second-out" aria-live="polite">
                if let Some(v) = view {
                    <p><span class={v.class} data-testid="claim-second-status">{ &v.status }</span></p>
                    <p class="help">{ &v.reason }</p>
                }
            </div>
        </section>
    }
}
