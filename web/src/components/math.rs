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

/// The formula's element stays while its LaTeX changes: the rendering inside it is patched, or
/// exchanged for the cached one ([`katex::show`]), so a keystroke that changes a line a little
/// changes few of its elements, and one that changes it wholly copies nothing.
#[function_component(Math)]
pub fn math(props: &MathProps) -> Html {
    let host = use_node_ref();
    // The TeX (and display mode) whose rendering the element shows, if any.
    let shown = use_mut_ref(|| None::<(AttrValue, bool)>);
    {
        let (host, shown) = (host.clone(), shown.clone());
        use_effect_with((props.tex.clone(), props.display), move |(tex, display)| {
            #[cfg(target_arch = "wasm32")]
            if let Some(el) = host.cast::<web_sys::Element>() {
                let before = shown.borrow_mut().take();
                let before = before.as_ref().filter(|b| b.1 == *display);
                if katex::show(&el, tex, *display, before.map(|b| b.0.as_str())) {
                    *shown.borrow_mut() = Some((tex.clone(), *display));
                }
            }
            #[cfg(not(target_arch = "wasm32"))]
            let _ = (host, shown, tex, display);
        });
    }
    {
        // Going away: the rendering goes back to the cache.
        let host = host.clone();
        use_effect_with((), move |_| {
            move || {
                #[cfg(target_arch = "wasm32")]
                if let (Some(el), Some((tex, display))) =
                    (host.cast::<web_sys::Element>(), shown.borrow_mut().take())
                {
                    katex::keep(&el, &tex, display);
                }
                #[cfg(not(target_arch = "wasm32"))]
                let _ = (host, shown);
            }
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
