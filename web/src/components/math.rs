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

/// The formula's element stays while its LaTeX changes: the rendering inside it is patched
/// ([`katex::show`]), so a keystroke that changes a line a little changes few of its elements.
#[function_component(Math)]
pub fn math(props: &MathProps) -> Html {
    let host = use_node_ref();
    {
        let host = host.clone();
        use_effect_with((props.tex.clone(), props.display), move |(tex, display)| {
            #[cfg(target_arch = "wasm32")]
            if let Some(el) = host.cast::<web_sys::Element>() {
                katex::show(&el, tex, *display);
            }
            #[cfg(not(target_arch = "wasm32"))]
            let _ = (host, tex, display);
        });
    }
    if !katex::available() {
        return html! { <code class="math tex">{ props.tex.clone() }</code> };
    }
    let class = if props.display {
        "math display"
    } else {
        "math"
    };
    html! { <span {class} ref={host}></span> }
}
