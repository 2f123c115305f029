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
    // One node per (tex, display): re-rendering with the same props keeps the node in place.
    let node = use_memo((props.tex.clone(), props.display), |(tex, display)| {
        katex::render_node(tex, *display)
    });
    match node.as_ref() {
        #[cfg(target_arch = "wasm32")]
        Some(n) => Html::VRef(n.clone()),
        #[cfg(not(target_arch = "wasm32"))]
        Some(()) => html! {},
        None => html! { <code class="math tex">{ props.tex.clone() }</code> },
    }
}
