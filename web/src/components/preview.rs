//! How the input was read: the parsed expression rendered (implicit products, transposes made visible).

use super::math::Math;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PreviewProps {
    /// `expr_latex` of the current analysis.
    pub latex: Option<AttrValue>,
    pub text: Option<AttrValue>,
}

#[function_component(Preview)]
pub fn preview(props: &PreviewProps) -> Html {
    match &props.latex {
        Some(tex) => html! {
            <div class="preview" data-testid="preview" aria-live="polite">
                <span class="label">{ "read as " }</span>
                <Math tex={format!("f = {tex}")} />
                if let Some(t) = &props.text {
                    <code class="preview-text" title="in input syntax">{ t.clone() }</code>
                }
            </div>
        },
        None => html! { <div class="preview empty" data-testid="preview"></div> },
    }
}
