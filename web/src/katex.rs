//! KaTeX in the browser: `katex.renderToString` of the page's own `katex.min.js`, bound with wasm-bindgen.
//!
//! Only LaTeX produced by the core (from the tree) is rendered; the result is KaTeX's HTML+MathML.
//! Renderings are memoised, parsed, in a small bounded cache ([`Cache`]) of templates never shown
//! themselves, so a keystroke re-runs KaTeX and the HTML parser only for the lines whose LaTeX it
//! changed (and not at all when typing returns to an earlier input); a formula on screen is then
//! patched to equal its template ([`show`]), not replaced.

/// How many renderings a cache generation holds; the cache keeps at most two generations.
pub const CACHE_GENERATION: usize = 256;

/// A bounded memo of renderings by (LaTeX, display mode): two generations, the older dropped
/// when the newer fills, and an entry found in the older one moved into the newer one (so what is
/// on screen stays cached). At most `2 * cap` entries.
pub struct Cache<V> {
    cap: usize,
    // Vectors searched linearly (a few hundred short keys): smaller code than a hash map.
    new: Vec<(String, bool, V)>,
    old: Vec<(String, bool, V)>,
}

impl<V: Clone> Cache<V> {
    pub fn new(cap: usize) -> Cache<V> {
        Cache {
            cap: cap.max(1),
            new: Vec::new(),
            old: Vec::new(),
        }
    }

    /// The cached rendering of `(tex, display)`, or `render`'s, stored when it is `Some`.
    pub fn get_or(
        &mut self,
        tex: &str,
        display: bool,
        render: impl FnOnce() -> Option<V>,
    ) -> Option<V> {
        let at = |v: &[(String, bool, V)]| v.iter().position(|e| e.1 == display && e.0 == tex);
        if let Some(i) = at(&self.new) {
            return Some(self.new[i].2.clone());
        }
        let h = match at(&self.old) {
            Some(i) => self.old.swap_remove(i).2,
            None => render()?,
        };
        if self.new.len() >= self.cap {
            self.old = std::mem::take(&mut self.new);
        }
        self.new.push((tex.to_string(), display, h.clone()));
        Some(h)
    }

    /// How many renderings are held.
    pub fn len(&self) -> usize {
        self.new.len() + self.old.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static TEMPLATES: std::cell::RefCell<Cache<web_sys::Element>> =
        std::cell::RefCell::new(Cache::new(CACHE_GENERATION));
}

/// The parsed rendering of `tex`: a `<span>` holding KaTeX's HTML+MathML, cached and never put on
/// screen itself, or `None` when KaTeX is not loaded.
#[cfg(target_arch = "wasm32")]
fn template(tex: &str, display: bool) -> Option<web_sys::Element> {
    TEMPLATES.with(|c| {
        c.borrow_mut().get_or(tex, display, || {
            let html = render(tex, display)?;
            let el = web_sys::window()?.document()?.create_element("span").ok()?;
            el.set_inner_html(&html);
            Some(el)
        })
    })
}

/// Shows the rendering of `tex` in `host`: its children become equal to KaTeX's HTML+MathML for
/// `tex`. What is already there is patched (`web/static/morph.js`), so a line that changed a
/// little keeps its unchanged elements and their layout. False when KaTeX is not loaded.
#[cfg(target_arch = "wasm32")]
pub fn show(host: &web_sys::Element, tex: &str, display: bool) -> bool {
    let Some(t) = template(tex, display) else {
        return false;
    };
    if js::morph(host, &t).is_err() {
        // Without the patcher: a plain copy.
        host.set_inner_html("");
        if let Ok(copy) = t.clone_node_with_deep(true) {
            while let Some(child) = copy.first_child() {
                let _ = host.append_child(&child);
            }
        }
    }
    true
}

/// Whether KaTeX is loaded (natively it never is).
pub fn available() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window().is_some_and(|w| {
            js_sys::Reflect::get(&w, &"katex".into()).is_ok_and(|k| !k.is_undefined())
        })
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        false
    }
}

#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = katex, js_name = renderToString, catch)]
        pub fn render_to_string(tex: &str, options: &JsValue) -> Result<String, JsValue>;

        /// `web/static/morph.js`: makes `host`'s children equal to `template`'s, patching.
        #[wasm_bindgen(js_name = matdiffMorph, catch)]
        pub fn morph(host: &web_sys::Element, template: &web_sys::Element) -> Result<(), JsValue>;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_once_per_key_and_stays_bounded() {
        let mut c = Cache::<String>::new(3);
        let calls = std::cell::Cell::new(0);
        let get = |c: &mut Cache<String>, tex: &str, display: bool| {
            c.get_or(tex, display, || {
                calls.set(calls.get() + 1);
                Some(format!("<{tex}:{display}>"))
            })
        };
        assert_eq!(get(&mut c, "x", true).as_deref(), Some("<x:true>"));
        assert_eq!(get(&mut c, "x", true).as_deref(), Some("<x:true>"));
        assert_eq!(get(&mut c, "x", false).as_deref(), Some("<x:false>"));
        for i in 0..20 {
            get(&mut c, &format!("y{i}"), true);
            assert!(c.len() <= 6, "{}", c.len());
        }
        // "y19" is recent: no new rendering; "x" was dropped long ago: rendered again.
        get(&mut c, "y19", true);
        get(&mut c, "x", true);
        assert_eq!(calls.get(), 2 + 20 + 1);
    }

    #[test]
    fn failures_are_not_cached() {
        let mut c = Cache::<String>::new(4);
        assert_eq!(c.get_or("x", false, || None), None);
        assert!(c.is_empty());
        assert_eq!(
            c.get_or("x", false, || Some("h".into())).as_deref(),
            Some("h")
        );
    }
}
