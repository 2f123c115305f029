//! The reading offer under the preview: which reading of a symbol the page chose, and a button for the other.

use crate::decls::SymbolEdit;
use crate::offer::Offer;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct OfferProps {
    pub offers: Vec<Offer>,
    pub on_edit: Callback<(String, SymbolEdit)>,
}

#[function_component(ReadingOffer)]
pub fn reading_offer(props: &OfferProps) -> Html {
    if props.offers.is_empty() {
        return Html::default();
    }
    let items = props.offers.iter().map(|o| {
        let onclick = {
            let cb = props.on_edit.clone();
            let (name, kind) = (o.name.clone(), o.kind);
            Callback::from(move |_: MouseEvent| cb.emit((name.clone(), SymbolEdit::Kind(kind))))
        };
        html! {
            <p class="offer help" data-testid="reading-offer" data-symbol={o.name.clone()}>
                { "reading " }<code>{ &o.name }</code>{ format!(" {}; ", o.chosen) }
                <button type="button" class="link" {onclick}>{ &o.other }</button>
            </p>
        }
    });
    html! { <div class="offers" aria-live="polite">{ for items }</div> }
}
