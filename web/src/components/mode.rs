//! The practice-mode switch above the derivation.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ModeProps {
    pub practice: bool,
    pub on_practice: Callback<bool>,
}

#[function_component(ModeToggle)]
pub fn mode_toggle(props: &ModeProps) -> Html {
    let cb = props.on_practice.clone();
    let onchange = Callback::from(move |e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        cb.emit(input.checked());
    });
    html! {
        <p class="mode">
            <label>
                <input type="checkbox" data-testid="practice-toggle" checked={props.practice} {onchange} />
                { " Practice: derive it yourself, one rule at a time" }
            </label>
        </p>
    }
}
