//! KaTeX in the browser: `katex.renderToString` of the page's own `katex.min.js`, bound with wasm-bindgen.
//!
//! Only LaTeX produced by the core (from the tree) is rendered; the result is KaTeX's HTML+MathML.
//! Renderings are memoised, parsed, in a small bounded cache ([`Cache`]) of templates never shown
//! themselves, so a keystroke re-runs KaTeX and the HTML parser only for the lines whose LaTeX it
//! changed (and not at all when typing returns to an earlier input); a formula on screen is then
//! patched to equal its template, or trades places with it ([`show`]).

/// How many renderings a cache generation holds; the cache keeps at most two generations.
pub const CACHE_GENERATION: usize = 256;

/// A bounded memo of renderings by (LaTeX, display mode): two generations, the older dropped
/// when the newer fills, and an entry found in the older one moved into the newer one (so what is
/// used often stays cached). At most `2 * cap` entries.
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

    /// Takes the rendering of `(tex, display)` out of the cache, if it is there.
    pub fn take(&mut self, tex: &str, display: bool) -> Option<V> {
        for v in [&mut self.new, &mut self.old] {
            if let Some(i) = v.iter().position(|e| e.1 == display && e.0 == tex) {
                return Some(v.swap_remove(i).2);
            }
        }
        None
    }

    /// Stores a rendering of `(tex, display)` unless one is held already.
    pub fn put(&mut self, tex: &str, display: bool, v: V) {
        let _ = self.get_or(tex, display, || Some(v));
    }

    /// How many renderings are held.
    pub fn len(&self) -> usize {
        self.new.len() + self.old.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether a formula's new TeX keeps most of its old one, so that patching the shown rendering
/// (which keeps what did not change) beats replacing it: the same length with at most a quarter of
/// the characters changed (a symbol renamed, wherever it occurs), or the part that changed, between
/// the common prefix and suffix, at most half of the longer.
pub fn similar(old: &str, new: &str) -> bool {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    if a.len() == b.len() {
        let changed = a.iter().zip(b).filter(|(x, y)| x != y).count();
        if changed * 4 <= a.len() {
            return true;
        }
    }
    let n = a.len().max(b.len());
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let rest = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(rest)
        .take_while(|(x, y)| x == y)
        .count();
    (n - prefix - suffix) * 2 <= n
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static TEMPLATES: std::cell::RefCell<Cache<web_sys::Element>> =
        std::cell::RefCell::new(Cache::new(CACHE_GENERATION));
}

/// A new `<span>`, not in the page.
#[cfg(target_arch = "wasm32")]
fn span() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.create_element("span").ok()
}

/// The parsed rendering of `tex`: a `<span>` holding KaTeX's HTML+MathML, never on screen itself.
#[cfg(target_arch = "wasm32")]
fn parse(tex: &str, display: bool) -> Option<web_sys::Element> {
    let html = render(tex, display)?;
    let el = span()?;
    el.set_inner_html(&html);
    Some(el)
}

/// Moves all children of `from` to the end of `to`.
#[cfg(target_arch = "wasm32")]
fn move_children(from: &web_sys::Element, to: &web_sys::Element) {
    while let Some(child) = from.first_child() {
        if to.append_child(&child).is_err() {
            break;
        }
    }
}

/// Shows the rendering of `tex` in `host`, which shows the rendering of `shown` (or nothing):
/// afterwards its children equal KaTeX's HTML+MathML for `tex`. False when KaTeX is not loaded.
///
/// When the two are [`similar`], the shown rendering is patched towards the cached one
/// (`web/static/morph.js`), keeping the elements that did not change and their layout.
/// Otherwise the two trade places without a copy: the cached rendering of `tex` moves on screen
/// and the one taken off screen is cached for `shown`, so typing back costs no KaTeX either.
#[cfg(target_arch = "wasm32")]
pub fn show(host: &web_sys::Element, tex: &str, display: bool, shown: Option<&str>) -> bool {
    let mut shown = shown.filter(|_| host.has_child_nodes());
    if shown.is_some_and(|old| similar(old, tex)) {
        let Some(t) =
            TEMPLATES.with(|c| c.borrow_mut().get_or(tex, display, || parse(tex, display)))
        else {
            return false;
        };
        if js::morph(host, &t).is_ok() {
            return true;
        }
        // Without the patcher, or stopped half-way: what is shown renders nothing to keep.
        shown = None;
    }
    let Some(t) = TEMPLATES
        .with(|c| c.borrow_mut().take(tex, display))
        .or_else(|| parse(tex, display))
    else {
        return false;
    };
    match shown {
        Some(old) => keep(host, old, display),
        None => host.set_inner_html(""),
    }
    move_children(&t, host);
    true
}

/// Takes the rendering of `shown` off screen, emptying `host`, and caches it as the rendering of
/// `shown`: when its line changed wholly, or its element goes away (the line was removed), so
/// that the line coming back costs no KaTeX.
#[cfg(target_arch = "wasm32")]
pub fn keep(host: &web_sys::Element, shown: &str, display: bool) {
    match span() {
        Some(off) => {
            move_children(host, &off);
            TEMPLATES.with(|c| c.borrow_mut().put(shown, display, off));
        }
        None => host.set_inner_html(""),
    }
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
    fn a_taken_rendering_is_gone_until_put_back() {
        let mut c = Cache::<String>::new(4);
        c.put("x", true, "first".into());
        c.put("x", true, "second".into());
        assert_eq!(
            c.take("x", true).as_deref(),
            Some("first"),
            "put keeps what is held"
        );
        assert_eq!(c.take("x", true), None);
        assert_eq!(c.len(), 0);
        c.put("x", true, "third".into());
        assert_eq!(c.take("x", false), None, "display mode is part of the key");
        assert_eq!(c.take("x", true).as_deref(), Some("third"));
    }

    #[test]
    fn similar_means_a_small_change() {
        // A symbol renamed everywhere: same length, few characters changed.
        let a = r"\operatorname{Tr}\left(\mathbf{C} \mathbf{A} \mathbf{X} \mathbf{C}\right)";
        assert!(similar(a, &a.replace('C', "B")));
        // An insertion or an edit in one place.
        assert!(similar(
            r"\mathbf{A}^\top \mathbf{x}",
            r"\mathbf{A}^\top \mathbf{x} + 1"
        ));
        assert!(similar("", ""));
        // A different derivation line: little in common.
        assert!(!similar(
            r"= 3 \left\|\mathbf{A} \mathbf{x} - \mathbf{b}\right\|_2^{2} \, \mathrm{d}y",
            r"= \mathrm{d}\left(\left(\mathbf{A} \mathbf{x} - \mathbf{b}\right)^\top\right)",
        ));
        assert!(!similar("", r"\mathbf{x}"));
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
