//! matdiff-web: the Yew page that shows a gradient's derivation by differentials and checks it.
//!
//! Pure logic (state, permalinks, declarations, snippets, examples) is tested natively;
//! the components only lay out what the core computed.

pub mod claim;
pub mod claim2;
pub mod components;
pub mod decls;
pub mod diag;
pub mod dom;
pub mod examples;
pub mod katex;
pub mod offer;
pub mod practice;
pub mod progress;
pub mod second;
pub mod snippets;
pub mod state;
pub mod url;

/// Starts the page: the panic hook, then the app in `#app`.
pub fn start() {
    dom::install_panic_hook();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            root.set_inner_html("");
            yew::Renderer::<components::app::App>::with_root(root).render();
        }
        None => dom::show_fatal("matdiff could not start: the page has no #app element."),
    }
}
