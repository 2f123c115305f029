//! KaTeX in the browser: `katex.renderToString` of the page's own `katex.min.js`, bound with wasm-bindgen.
//!
//! Only LaTeX produced by the core (from the tree) is rendered; the result is KaTeX's HTML+MathML.

#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = katex, js_name = renderToString, catch)]
        pub fn render_to_string(tex: &str, options: &JsValue) -> Result<String, JsValue>;
    }
}

/// The options the page passes to KaTeX (no trust, no eval, MathML kept for screen readers).
#[cfg(target_arch = "wasm32")]
fn options(display: bool) -> wasm_bindgen::JsValue {
    use wasm_bindgen::JsValue;
    let o = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &v);
    };
    set("displayMode", JsValue::from_bool(display));
    set("throwOnError", JsValue::FALSE);
    set("trust", JsValue::FALSE);
    set("output", JsValue::from_str("htmlAndMathml"));
    set("strict", JsValue::from_str("ignore"));
    o.into()
}

/// KaTeX's HTML for `tex`, or `None` when KaTeX is not loaded (the page then shows the TeX as text).
#[cfg(target_arch = "wasm32")]
pub fn render(tex: &str, display: bool) -> Option<String> {
    let window: wasm_bindgen::JsValue = web_sys::window()?.into();
    let katex = js_sys::Reflect::get(&window, &"katex".into()).ok()?;
    if katex.is_undefined() {
        return None;
    }
    js::render_to_string(tex, &options(display)).ok()
}

/// Natively there is no KaTeX; views fall back to the TeX as text.
#[cfg(not(target_arch = "wasm32"))]
pub fn render(_tex: &str, _display: bool) -> Option<String> {
    None
}
