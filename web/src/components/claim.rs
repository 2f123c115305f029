//! "Your ∇f =": a field under the result; the claim is decided as the learner types (after a
//! pause) and its verdict, mistakes and both forms shown ([`crate::claim`]).

use super::math::Math;
use crate::claim::{decide, ClaimView, CLAIM_DELAY_MS};
use crate::dom;
use crate::state::Shown;
use std::collections::BTreeMap;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ClaimProps {
    pub shown: Rc<Shown>,
    pub claim: AttrValue,
    pub sizes: BTreeMap<String, usize>,
    pub seed: u64,
    pub on_claim: Callback<String>,
}

#[function_component(ClaimField)]
pub fn claim_field(props: &ClaimProps) -> Html {
    // The view with the claim it was decided for.
    let view = use_state(|| None::<(AttrValue, Option<Rc<ClaimView>>)>);
    {
        let view = view.setter();
        // A new derivation, or new sizes or seed (which recheck it), is a new `shown`.
        let key = (props.claim.clone(), Rc::as_ptr(&props.shown) as usize);
        let (shown, sizes, seed) = (props.shown.clone(), props.sizes.clone(), props.seed);
        use_effect_with(key, move |(claim, _)| {
            let claim = claim.clone();
            let pending = dom::Timeout::new(CLAIM_DELAY_MS, move || {
                let decided = decide(&shown.input, &shown.analysis, &claim, &sizes, seed);
                view.set(Some((claim, decided.map(Rc::new))))
            });
            move || drop(pending)
        });
    }
    let on_input = {
        let cb = props.on_claim.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            cb.emit(el.value());
        })
    };
    // Until the claim typed last is decided, the status says so (never an earlier verdict).
    let (decided, shown) = match &*view {
        Some((c, v)) if *c == props.claim => (true, v.clone()),
        _ => (false, None),
    };
    html! {
        <section class="claim" aria-labelledby="claim-h">
            <h2 id="claim-h">{ "Check my answer" }</h2>
            <div class="field">
                <label for="claim">{ "Your ∇f =" }</label>
                <input id="claim" data-testid="claim" type="text" class="mono" spellcheck="false"
                    autocomplete="off" autocapitalize="off" value={props.claim.clone()} oninput={on_input}
                    placeholder="e.g. 2*A'*(A*x - b)" aria-describedby="claim-out" />
            </div>
            <div id="claim-out" aria-live="polite">
                if let Some(v) = shown.or_else(|| (!decided && !props.claim.trim().is_empty()).then(ClaimView::pending)) {
                    <p><span class={v.class} data-testid="claim-status">{ &v.status }</span></p>
                    <div data-testid="claim-diagnosis">
                        <p class="help">{ &v.reason }</p>
                        { for v.lines.iter().map(|l| html! {
                            <p>{ &l.message }{ " " }
                                if let Some(t) = &l.term_latex { <Math tex={t.clone()} /> }</p>
                        }) }
                        if let Some(both) = &v.both {
                            <p class="both">{ "yours = matdiff's: " }<Math tex={both.clone()} /></p>
                        }
                    </div>
                }
            </div>
        </section>
    }
}
