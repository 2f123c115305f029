//! The "Embed" dialog: an `<iframe>` snippet and snippets for MyST/Jupyter Book, Quarto and mdBook,
//! and the derivation as static HTML (typeset by the page's KaTeX when the dialog opens).

use crate::snippets::snippets;
use matdiff_core::{publish, Analysis};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlDialogElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EmbedProps {
    /// The embed-mode address of what the page derives; `None` before anything is derived.
    pub embed_url: Option<AttrValue>,
    /// The page's address without query.
    pub page: AttrValue,
    /// The expression embedded.
    pub f_text: AttrValue,
    /// The current input has an error: the snippets embed the last valid one.
    #[prop_or_default]
    pub input_has_error: bool,
    /// The analysis whose derivation the snippets embed, for the static HTML.
    #[prop_or_default]
    pub shown: Option<Shared>,
}

/// The label of the static HTML, the last snippet.
pub const STATIC_LABEL: &str =
    "Static HTML (no iframe, no script), typeset with MathML: for a page that loads KaTeX 0.16.4's katex.min.css";

/// An analysis compared by address: the dialog's props are compared on every render of the app.
#[derive(Clone)]
pub struct Shared(pub Rc<Analysis>);

impl PartialEq for Shared {
    fn eq(&self, other: &Shared) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The derivation of `shown` as static HTML (the core's template, every formula typeset by
/// KaTeX's script as HTML and MathML); `None` without a derivation or without KaTeX.
fn static_html(shown: Option<&Shared>) -> Option<String> {
    let d = shown?.0.derivation.as_ref()?;
    publish::html(d, |tex| crate::katex::render(tex, true).ok_or(())).ok()
}

/// The embedded address with the exercise options: `practice=1` opens it in practice mode,
/// `hide=result` shows the problem but no derivation until the learner asks.
pub fn with_options(url: &str, practice: bool, hide: bool) -> String {
    let mut u = url.to_string();
    for (on, item) in [(practice, "practice=1"), (hide, "hide=result")] {
        if on {
            u.push(if u.contains('?') { '&' } else { '?' });
            u.push_str(item);
        }
    }
    u
}

#[function_component(EmbedDialog)]
pub fn embed_dialog(props: &EmbedProps) -> Html {
    let dialog = use_node_ref();
    let practice = use_state_eq(|| false);
    let hide = use_state_eq(|| false);
    let option = |flag: &UseStateHandle<bool>| {
        let flag = flag.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            flag.set(input.checked());
        })
    };
    let (on_practice, on_hide) = (option(&practice), option(&hide));
    let embed_url: Option<AttrValue> = props
        .embed_url
        .as_ref()
        .map(|u| with_options(u, *practice, *hide).into());
    // Typeset when the dialog opens, not on every keystroke.
    let typeset = use_state(|| None::<String>);
    let open = {
        let d = dialog.clone();
        let typeset = typeset.clone();
        let shown = props.shown.clone();
        Callback::from(move |_: MouseEvent| {
            typeset.set(static_html(shown.as_ref()));
            if let Some(el) = d.cast::<HtmlDialogElement>() {
                let _ = el.show_modal();
                // The dialog focuses its first snippet with the caret at the end, scrolled there:
                // show the snippet from its start (`<iframe src=…`).
                let first = el.query_selector("textarea").ok().flatten();
                if let Some(t) = first.and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok()) {
                    let _ = t.set_selection_range(0, 0);
                    t.set_scroll_top(0);
                }
            }
        })
    };
    let close = {
        let d = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(el) = d.cast::<HtmlDialogElement>() {
                el.close();
            }
        })
    };
    let mut items = match &embed_url {
        Some(u) => snippets(u, &props.page, &props.f_text),
        None => Vec::new(),
    };
    if let (Some(text), false) = (&*typeset, items.is_empty()) {
        items.push((STATIC_LABEL, text.to_string()));
    }
    let note = match (&embed_url, props.input_has_error) {
        (None, _) => Some("Nothing to embed yet: type a function (or pick an example) whose derivation the page shows.".to_string()),
        (Some(_), true) => Some(format!(
            "The current input has an error: these snippets embed the last valid one, f = {}.",
            props.f_text
        )),
        (Some(_), false) => None,
    };
    html! {
        <>
            <button type="button" class="embed-open" onclick={open} aria-haspopup="dialog">{ "Embed" }</button>
            <dialog ref={dialog} class="embed-dialog" aria-labelledby="embed-h" data-testid="embed-dialog">
                <h2 id="embed-h">{ "Embed this derivation" }</h2>
                <p class="help">{ "The frame shows only the derivation and the check, and resizes itself when the host page includes embed.js." }</p>
                if let Some(note) = note { <p class="help embed-note" data-testid="embed-note">{ note }</p> }
                { for items.into_iter().enumerate().map(|(i, (label, text))| {
                    let id = format!("snippet-{i}");
                    html! {
                        <div class="snippet">
                            <label for={id.clone()}>{ label }</label>
                            <textarea id={id} readonly=true rows="4" class="mono" value={text} />
                        </div>
                    }
                }) }
                // After the snippets: the dialog focuses its first snippet when it opens.
                <fieldset class="embed-options">
                    <legend>{ "As an exercise" }</legend>
                    <label><input type="checkbox" data-testid="embed-practice" checked={*practice} onchange={on_practice} />
                        { " Practice mode: the learner derives it step by step" }</label>
                    <label><input type="checkbox" data-testid="embed-hide" checked={*hide} onchange={on_hide} />
                        { " Hide the result until the learner asks" }</label>
                </fieldset>
                if let Some(u) = &embed_url {
                    <p><a href={u.clone()} target="_blank" rel="noopener">{ "Open the embedded view" }</a></p>
                }
                <button type="button" onclick={close}>{ "Close" }</button>
            </dialog>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exercise_options_are_added_to_the_embedded_address() {
        let u = "https://x.org/?f=tr(A*X*B)&embed=1";
        assert_eq!(with_options(u, false, false), u);
        assert_eq!(with_options(u, true, false), format!("{u}&practice=1"));
        assert_eq!(
            with_options(u, true, true),
            format!("{u}&practice=1&hide=result")
        );
        assert_eq!(with_options("p", false, true), "p?hide=result");
        let q = with_options(u, true, true);
        let p = crate::url::decode(&q[q.find('?').unwrap_or(0)..]);
        assert!(p.practice && p.hide && p.embed);
    }
}
