//! A formula: KaTeX's rendering of LaTeX the core produced, or the TeX as text when KaTeX is missing.

use crate::katex;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MathProps {
    /// LaTeX from the core's printer (never user text).
    pub tex: AttrValue,
    #[prop_or(false)]
    pub display: bool,
}

#[function_component(Math)]
pub fn math(props: &MathProps) -> Html {
    let html = use_memo((props.tex.clone(), props.display), |(tex, display)| {
        katex::render_cached(tex, *display)
    });
    match html.as_ref() {
        Some(h) => {
            let class = if props.display {
                "math display"
            } else {
                "math"
            };
            html! { <span class={class}>{ Html::from_html_unchecked(AttrValue::from(h.clone())) }</span> }
        }
        None => html! { <code class="math tex">{ props.tex.clone() }</code> },
    }
}
