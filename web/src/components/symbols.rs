//! The symbol panel: each symbol's kind, dimensions and properties, editable, and the choice of variable.

use super::error::ErrorView;
use crate::decls::{Fields, SymbolEdit};
use matdiff_core::{Diagnostic, Kind, Origin, Symbol};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SymbolsProps {
    /// Each symbol with the fields its row shows.
    pub rows: Vec<(Symbol, Fields)>,
    pub wrt: Option<String>,
    /// The rows are the last valid input's (the current one has errors): shown dimmed, still editable.
    #[prop_or_default]
    pub stale: bool,
    pub decls: AttrValue,
    /// Errors in the declarations, shown under their field. (Their excerpts quote the declarations
    /// only, so the panel takes no expression and is not re-rendered at every keystroke.)
    #[prop_or_default]
    pub decls_errors: Vec<Diagnostic>,
    pub on_edit: Callback<(String, SymbolEdit)>,
    pub on_wrt: Callback<String>,
    pub on_decls: Callback<String>,
}

fn kind_value(k: Kind) -> &'static str {
    match k {
        Kind::Scalar => "scalar",
        Kind::Vector => "vector",
        Kind::Matrix => "matrix",
    }
}

#[function_component(SymbolsPanel)]
pub fn symbols_panel(props: &SymbolsProps) -> Html {
    let rows = props.rows.iter().map(|(s, f)| {
        let name = s.name.clone();
        let edit = |f: fn(&web_sys::Event) -> Option<SymbolEdit>| {
            let cb = props.on_edit.clone();
            let name = name.clone();
            Callback::from(move |e: Event| {
                if let Some(edit) = f(&e) {
                    cb.emit((name.clone(), edit));
                }
            })
        };
        let on_kind = edit(|e| {
            let el: HtmlSelectElement = e.target_unchecked_into();
            Some(SymbolEdit::Kind(match el.value().as_str() {
                "scalar" => Kind::Scalar,
                "vector" => Kind::Vector,
                _ => Kind::Matrix,
            }))
        });
        let on_dims = edit(|e| {
            let el: HtmlInputElement = e.target_unchecked_into();
            Some(SymbolEdit::Dims(el.value()))
        });
        let on_sym = edit(|e| {
            let el: HtmlInputElement = e.target_unchecked_into();
            Some(SymbolEdit::Symmetric(el.checked()))
        });
        let on_spd = edit(|e| {
            let el: HtmlInputElement = e.target_unchecked_into();
            Some(SymbolEdit::Spd(el.checked()))
        });
        let on_wrt = {
            let cb = props.on_wrt.clone();
            let name = name.clone();
            Callback::from(move |_: Event| cb.emit(name.clone()))
        };
        let is_matrix = f.kind == Kind::Matrix;
        let id = |what: &str| format!("sym-{what}-{}", s.name);
        html! {
            <tr data-symbol={s.name.clone()}>
                <th scope="row"><code>{ &s.name }</code>
                    <span class="inferred" data-origin={origin_value(s.origin)}
                          title={format!("kind {}", s.origin.describe())}>
                        { format!(" ({})", s.origin.describe()) }
                    </span>
                </th>
                <td>
                    <label class="sr-only" for={id("kind")}>{ format!("kind of {}", s.name) }</label>
                    <select id={id("kind")} onchange={on_kind}>
                        { for [Kind::Scalar, Kind::Vector, Kind::Matrix].into_iter().map(|k| html! {
                            <option value={kind_value(k)} selected={k == f.kind}>{ kind_value(k) }</option>
                        }) }
                    </select>
                </td>
                <td>
                    <label class="sr-only" for={id("dims")}>{ format!("dimensions of {}", s.name) }</label>
                    <input id={id("dims")} class="mono dims" type="text" size="7" spellcheck="false"
                        disabled={f.kind == Kind::Scalar}
                        value={f.dims.clone()} onchange={on_dims} title="e.g. 3x4, m x n, or n; Enter to apply" />
                </td>
                <td class="props">
                    <span class="opt">
                        <input id={id("sym")} type="checkbox" checked={f.symmetric} disabled={!is_matrix} onchange={on_sym} />
                        <label for={id("sym")}>{ "symmetric" }</label>
                    </span>
                    <span class="opt">
                        <input id={id("spd")} type="checkbox" checked={f.spd} disabled={!is_matrix} onchange={on_spd} />
                        <label for={id("spd")}>{ "SPD" }</label>
                    </span>
                    <span class="opt">
                        <input id={id("wrt")} type="radio" name="wrt" value={s.name.clone()}
                            checked={props.wrt.as_deref() == Some(s.name.as_str())} onchange={on_wrt} />
                        <label for={id("wrt")}>{ "variable" }</label>
                    </span>
                </td>
            </tr>
        }
    });
    let on_decls = {
        let cb = props.on_decls.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            cb.emit(el.value());
        })
    };
    let invalid = !props.decls_errors.is_empty();
    html! {
        <section class="symbols" aria-labelledby="symbols-h">
            <h2 id="symbols-h">{ "Symbols" }</h2>
            if props.rows.is_empty() {
                <p class="help">{ "The symbols of the expression appear here." }</p>
            } else {
                <div class={classes!("scroll-x", props.stale.then_some("stale"))}>
                    if props.stale {
                        <p class="help stale-note" data-testid="symbols-stale">{ "The symbols of the last valid input, while the current one has an error:" }</p>
                    }
                    <table data-testid="symbols">
                        <thead><tr>
                            <th scope="col">{ "name" }</th><th scope="col">{ "kind" }</th><th scope="col">{ "size" }</th>
                            <th scope="col">{ "properties" }</th>
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            }
            <div class="field">
                <label for="decls">{ "Declarations" }</label>
                <input id="decls" data-testid="decls" type="text" class="mono" spellcheck="false" autocomplete="off"
                    placeholder="A: 3x4, S: symmetric n, P: spd n, x: vector n, a: scalar"
                    aria-invalid={ if invalid { "true" } else { "false" } }
                    aria-describedby={ invalid.then_some("decls-error") }
                    value={props.decls.clone()} oninput={on_decls} />
                <ErrorView diagnostics={props.decls_errors.clone()} expr="" decls={props.decls.clone()}
                    id="decls-error" testid="decls-error" />
            </div>
        </section>
    }
}

/// The origin as the `data-origin` attribute says it.
fn origin_value(o: Origin) -> &'static str {
    match o {
        Origin::Declared => "declared",
        Origin::Value => "value",
        Origin::Context => "context",
        Origin::Letter => "letter",
    }
}
