//! The practice-mode switch above the derivation. A view function (no state of its own).

use yew::prelude::*;

/// The switch, on when `practice`; a change goes to `on_practice`.
pub fn mode_toggle(practice: bool, on_practice: Callback<bool>) -> Html {
    let onchange = Callback::from(move |e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        on_practice.emit(input.checked());
    });
    html! {
        <p class="mode">
            <label>
                <input type="checkbox" data-testid="practice-toggle" checked={practice} {onchange} />
                { " Practice: derive it yourself, one rule at a time" }
            </label>
        </p>
    }
}
