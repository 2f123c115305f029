//! Browser side effects: history, clipboard, the embed height message, random seeds, the panic
//! hook and the hand-over to `boot.js`, which restarts the page after a panic.

use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Set by the panic hook: this instance is finished. With `panic = "abort"` a panic cannot be
/// caught, so its wasm instance must not run again; callbacks it left behind (timers, `popstate`,
/// the resize observer) return at once, and `boot.js` starts a fresh instance.
static STOPPED: AtomicBool = AtomicBool::new(false);

/// Set by [`panic_on_next_update`]: the next state update panics (the recovery test's trigger).
static PANIC_REQUESTED: AtomicBool = AtomicBool::new(false);

/// Whether this instance has panicked (its callbacks must do nothing).
pub fn stopped() -> bool {
    STOPPED.load(Ordering::Relaxed)
}

/// Makes the next state update panic, so the browser tests can show that the page recovers from
/// a panic where a real one would happen: inside an event handler, mid-update. Reachable only
/// from script in the page (an export of the module), never from input or the URL.
#[wasm_bindgen]
pub fn panic_on_next_update() {
    PANIC_REQUESTED.store(true, Ordering::Relaxed);
}

/// Panics if [`panic_on_next_update`] asked for it (called at the start of every state update).
pub fn panic_if_requested() {
    if PANIC_REQUESTED.swap(false, Ordering::Relaxed) {
        panic!("deliberate panic requested by panic_on_next_update (recovery test)");
    }
}

/// Whether `boot.js` started this instance after a panic (`window.matdiffRecovering`): the
/// input it carries over is shown but not analysed until it is edited.
pub fn recovering() -> bool {
    window()
        .and_then(|w| js_sys::Reflect::get(&w, &"matdiffRecovering".into()).ok())
        .is_some_and(|v| v.is_truthy())
}

/// Remembers the state's permalink query for `boot.js` (`window.matdiffQuery`): after a panic it
/// restarts the page from it. The address bar may lag behind while typing; this does not.
pub fn remember_query(query: &str) {
    if let Some(w) = window() {
        let _ = js_sys::Reflect::set(&w, &"matdiffQuery".into(), &query.into());
    }
}

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The current query string (with its `?`), or empty.
pub fn location_search() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Writes `query` to the address bar: `push` adds a history entry, else the current one is replaced.
pub fn write_query(query: &str, push: bool) {
    let Some(w) = window() else { return };
    if location_search() == query {
        return;
    }
    let Ok(history) = w.history() else { return };
    let path = w.location().pathname().unwrap_or_default();
    let url = format!("{path}{query}");
    let _ = if push {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    };
}

/// The page's address without its query (for embed snippets).
pub fn page_base() -> String {
    window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

/// Calls `f` on every back/forward navigation. Registered once, for the page's lifetime.
pub fn on_popstate(f: impl Fn() + 'static) {
    let Some(w) = window() else { return };
    let cb = Closure::<dyn Fn()>::new(move || {
        if !stopped() {
            f()
        }
    });
    let _ = w.add_event_listener_with_callback("popstate", cb.as_ref().unchecked_ref());
    cb.forget();
}

/// A `keydown` listener on the document for the Escape key, removed when dropped.
pub struct OnEscape {
    cb: Closure<dyn Fn(web_sys::Event)>,
}

impl OnEscape {
    /// Calls `f` whenever Escape is pressed, wherever the focus is.
    pub fn new(f: impl Fn() + 'static) -> OnEscape {
        let cb = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
            let key = js_sys::Reflect::get(&e, &JsValue::from_str("key")).ok();
            if !stopped() && key.and_then(|k| k.as_string()).as_deref() == Some("Escape") {
                f()
            }
        });
        if let Some(d) = window().and_then(|w| w.document()) {
            let _ = d.add_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
        }
        OnEscape { cb }
    }
}

impl Drop for OnEscape {
    fn drop(&mut self) {
        if let Some(d) = window().and_then(|w| w.document()) {
            let _ =
                d.remove_event_listener_with_callback("keydown", self.cb.as_ref().unchecked_ref());
        }
    }
}

/// A fresh seed for new random matrices.
pub fn random_seed() -> u64 {
    (js_sys::Math::random() * 1e9) as u64 + 2
}

/// Sets the document's title.
pub fn set_title(title: &str) {
    if let Some(d) = window().and_then(|w| w.document()) {
        d.set_title(title);
    }
}

/// Copies text to the clipboard; `done(true)` on success, `done(false)` when the browser refuses.
pub fn copy_text(text: String, done: impl FnOnce(bool) + 'static) {
    let Some(w) = window() else {
        return done(false);
    };
    let nav = w.navigator();
    let has = js_sys::Reflect::get(&nav, &"clipboard".into())
        .map(|v| !v.is_undefined() && !v.is_null())
        .unwrap_or(false);
    if !has {
        return done(false);
    }
    let promise = nav.clipboard().write_text(&text);
    wasm_bindgen_futures::spawn_local(async move {
        done(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}

/// Whether the page is inside a frame.
pub fn in_frame() -> bool {
    match window() {
        Some(w) => match w.parent() {
            Ok(Some(p)) => !js_sys::Object::is(&p, &w),
            _ => false,
        },
        None => false,
    }
}

/// Posts the page's height to the parent frame: `{type: "matdiff:height", height}`.
pub fn post_height() {
    if stopped() {
        return;
    }
    let Some(w) = window() else { return };
    let Some(body) = w.document().and_then(|d| d.body()) else {
        return;
    };
    let Ok(Some(parent)) = w.parent() else { return };
    if js_sys::Object::is(&parent, &w) {
        return;
    }
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"type".into(), &"matdiff:height".into());
    let _ = js_sys::Reflect::set(
        &msg,
        &"height".into(),
        &JsValue::from_f64(f64::from(body.offset_height())),
    );
    let _ = parent.post_message(&msg, "*");
}

/// Posts the height again whenever the body's size changes (fonts loading, window resizing).
pub fn observe_height() {
    let Some(body) = window().and_then(|w| w.document()).and_then(|d| d.body()) else {
        return;
    };
    let cb = Closure::<dyn Fn()>::new(post_height);
    if let Ok(obs) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
        obs.observe(&body);
    }
    cb.forget();
}

/// Shows a message in the page's `#panic` box (a panic or a failed start).
pub fn show_fatal(message: &str) {
    let Some(d) = window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(el) = d.get_element_by_id("panic") {
        el.set_text_content(Some(message));
        let _ = el.remove_attribute("hidden");
    }
}

/// Installs the panic hook: the console gets the panic; this instance stops, and `boot.js`
/// (`window.matdiffPanicked(message)`) restarts the page with the user's input. Without
/// `boot.js` the page shows the message and asks for a reload. Installed through Yew: its
/// renderer replaces a hook set with `std::panic::set_hook` by its own default.
pub fn install_panic_hook() {
    yew::set_custom_panic_hook(Box::new(|info| {
        if STOPPED.swap(true, Ordering::Relaxed) {
            return;
        }
        console_error_panic_hook::hook(info);
        let message = info.to_string();
        let handed_over = window()
            .and_then(|w| js_sys::Reflect::get(&w, &"matdiffPanicked".into()).ok())
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .is_some_and(|f| f.call1(&JsValue::NULL, &message.as_str().into()).is_ok());
        if !handed_over {
            show_fatal(&format!(
                "matdiff stopped because of an internal error; please reload the page and report this: {message}"
            ));
        }
    }));
}

/// A pending `setTimeout`, cancelled when dropped.
pub struct Timeout {
    id: Option<i32>,
    _cb: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Runs `f` after `ms` milliseconds unless the returned value is dropped first.
    pub fn new(ms: i32, f: impl FnOnce() + 'static) -> Timeout {
        let mut f = Some(f);
        let cb = Closure::<dyn FnMut()>::new(move || {
            if stopped() {
                return;
            }
            if let Some(f) = f.take() {
                f();
            }
        });
        let id = window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.as_ref().unchecked_ref(), ms)
                .ok()
        });
        Timeout { id, _cb: cb }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let (Some(w), Some(id)) = (window(), self.id) {
            w.clear_timeout_with_handle(id);
        }
    }
}

/// The text stored in the browser under `key` (localStorage), or empty.
pub fn load(key: &str) -> String {
    window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(key).ok().flatten())
        .unwrap_or_default()
}

/// Stores `text` in the browser under `key` (localStorage; nothing is sent anywhere). Empty
/// text removes the key. Storage that is not available (private modes) is skipped.
pub fn store(key: &str, text: &str) {
    if let Some(s) = window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = if text.is_empty() {
            s.remove_item(key)
        } else {
            s.set_item(key, text)
        };
    }
}

/// Moves the focus to the first element inside `root` that `selector` matches, if there is one.
pub fn focus_first(root: &web_sys::Element, selector: &str) {
    if let Some(el) = root
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Moves the focus `by` places among the elements inside `root` that `selector` matches,
/// from the one focused (wrapping around): the arrow keys of a group of buttons.
pub fn move_focus(root: &web_sys::Element, selector: &str, by: i32) {
    let Ok(list) = root.query_selector_all(selector) else {
        return;
    };
    let n = list.length() as i32;
    if n == 0 {
        return;
    }
    let active = window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let at = (0..n).find(|i| {
        list.item(*i as u32)
            .zip(active.as_ref())
            .is_some_and(|(node, a)| node.is_same_node(Some(a)))
    });
    let next = at.map_or(0, |i| (i + by).rem_euclid(n));
    if let Some(el) = list
        .item(next as u32)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// After the page has rendered what the current event changed: when more elements match
/// `count` than now (a step was revealed), moves the focus to the first match of `target`, so
/// keyboard users continue at the next choices.
pub fn focus_when_more(count: &'static str, target: &'static str) {
    let document = || window().and_then(|w| w.document());
    let matches =
        move |d: &web_sys::Document| d.query_selector_all(count).map(|l| l.length()).unwrap_or(0);
    let Some(before) = document().map(|d| matches(&d)) else {
        return;
    };
    let cb = Closure::once_into_js(move || {
        if stopped() {
            return;
        }
        if let Some(d) = document().filter(|d| matches(d) > before) {
            if let Some(root) = d.document_element() {
                focus_first(&root, target);
            }
        }
    });
    if let Some(w) = window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 0);
    }
}
