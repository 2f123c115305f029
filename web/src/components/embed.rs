//! The "Embed" dialog: an `<iframe>` snippet and snippets for MyST/Jupyter Book, Quarto and mdBook.

use crate::snippets::snippets;
use web_sys::HtmlDialogElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EmbedProps {
    /// The embed-mode address of the current state.
    pub embed_url: AttrValue,
    /// The page's address without query.
    pub page: AttrValue,
    pub f_text: AttrValue,
}

#[function_component(EmbedDialog)]
pub fn embed_dialog(props: &EmbedProps) -> Html {
    let dialog = use_node_ref();
    let open = {
        let d = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(el) = d.cast::<HtmlDialogElement>() {
                let _ = el.show_modal();
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
    let items = snippets(&props.embed_url, &props.page, &props.f_text);
    html! {
        <>
            <button type="button" class="embed-open" onclick={open} aria-haspopup="dialog">{ "Embed" }</button>
            <dialog ref={dialog} class="embed-dialog" aria-labelledby="embed-h" data-testid="embed-dialog">
                <h2 id="embed-h">{ "Embed this derivation" }</h2>
                <p class="help">{ "The frame shows only the derivation and the check, and resizes itself when the host page includes embed.js." }</p>
                { for items.into_iter().enumerate().map(|(i, (label, text))| {
                    let id = format!("snippet-{i}");
                    html! {
                        <div class="snippet">
                            <label for={id.clone()}>{ label }</label>
                            <textarea id={id} readonly=true rows="4" class="mono" value={text} />
                        </div>
                    }
                }) }
                <p><a href={props.embed_url.clone()} target="_blank" rel="noopener">{ "Open the embedded view" }</a></p>
                <button type="button" onclick={close}>{ "Close" }</button>
            </dialog>
        </>
    }
}
