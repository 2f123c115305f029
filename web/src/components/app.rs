//! The page: state in a reducer, the URL kept in step, and the components laid out (or just the
//! derivation and the check in embed mode).

use super::answers::AnswersView;
use super::check::CheckPanel;
use super::claim::ClaimField;
use super::claim2::claim_second_view;
use super::copy::CopyButtons;
use super::derivation::DerivationView;
use super::embed::{EmbedDialog, Shared};
use super::error::ErrorView;
use super::exercises::exercises_view;
use super::gallery::Gallery;
use super::hidden::{hidden_result, Asked, GRADIENT};
use super::input::ExprInput;
use super::mode::mode_toggle;
use super::offer::ReadingOffer;
use super::practice::practice_view;
use super::preview::Preview;
use super::second::{hessian_toggle, SecondView};
use super::symbols::SymbolsPanel;
use crate::decls::SymbolEdit;
use crate::state::{Action, HistoryOp, State};
use crate::{dom, examples, progress, url};
use matdiff_core::exercises::Ask;
use matdiff_core::jacobian::Order;
use yew::prelude::*;

impl Reducible for State {
    type Action = Action;
    fn reduce(self: std::rc::Rc<Self>, action: Action) -> std::rc::Rc<Self> {
        dom::panic_if_requested();
        std::rc::Rc::new(self.apply(action))
    }
}

/// How long typing must pause before the address bar is updated.
pub const REPLACE_DELAY_MS: i32 = 250;

/// How long after the derivation is rendered the numeric check starts (after the paint).
pub const CHECK_DELAY_MS: i32 = 50;

/// The page's callbacks, each dispatching one action.
#[derive(Clone)]
struct Callbacks {
    on_expr: Callback<String>,
    on_decls: Callback<String>,
    on_wrt: Callback<String>,
    on_edit: Callback<(String, SymbolEdit)>,
    on_size: Callback<(String, String)>,
    on_new_seed: Callback<()>,
    on_load: Callback<usize>,
    on_layout: Callback<matdiff_core::layout::Layout>,
    on_claim: Callback<String>,
}

impl Callbacks {
    fn new(d: &UseReducerDispatcher<State>) -> Callbacks {
        let d1 = d.clone();
        let d2 = d.clone();
        let d3 = d.clone();
        let d4 = d.clone();
        let d5 = d.clone();
        let d6 = d.clone();
        let d7 = d.clone();
        let d8 = d.clone();
        let d9 = d.clone();
        Callbacks {
            on_expr: Callback::from(move |s: String| d1.dispatch(Action::SetExpr(s))),
            on_decls: Callback::from(move |s: String| d2.dispatch(Action::SetDecls(s))),
            on_wrt: Callback::from(move |s: String| d3.dispatch(Action::SetWrt(s))),
            on_edit: Callback::from(move |(n, e): (String, SymbolEdit)| {
                d4.dispatch(Action::EditSymbol(n, e))
            }),
            on_size: Callback::from(move |(n, v): (String, String)| {
                d5.dispatch(Action::TypeSize(n, v))
            }),
            on_new_seed: Callback::from(move |_: ()| {
                d6.dispatch(Action::NewSeed(dom::random_seed()))
            }),
            on_load: Callback::from(move |i: usize| d7.dispatch(Action::LoadExample(i))),
            on_layout: Callback::from(move |l| d8.dispatch(Action::SetLayout(l))),
            on_claim: Callback::from(move |c: String| d9.dispatch(Action::SetClaim(c))),
        }
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| {
        let p = url::decode(&dom::location_search());
        let mut s = if dom::recovering() {
            State::unanalyzed(p)
        } else {
            State::from_permalink(p)
        };
        let stored = dom::load(progress::STORAGE_KEY);
        s.done = std::rc::Rc::new(progress::Progress::parse(&stored));
        s
    });
    // Exercise progress is kept in the browser.
    use_effect_with(state.done.clone(), |done| {
        dom::store(progress::STORAGE_KEY, &done.to_text())
    });

    // Back and forward restore the state of the entry.
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            dom::on_popstate(move || {
                dispatch.dispatch(Action::Restore(url::decode(&dom::location_search())))
            });
        });
    }
    // The URL follows the state: pushed at once on discrete actions; while typing, replaced once
    // the typing pauses (replaceState costs milliseconds per call in Chromium). A push first
    // writes a replacement still waiting, so going back returns to what was typed last.
    {
        let query = url::encode(&state.permalink());
        let op = state.history;
        let title = if state.expr.trim().is_empty() {
            "matdiff — gradients by differentials".to_string()
        } else {
            format!("∇ {} — matdiff", state.expr)
        };
        let unwritten = use_mut_ref(|| None::<String>);
        use_effect_with((query, op), move |(query, op)| {
            dom::remember_query(query);
            let pending = match op {
                HistoryOp::None => None,
                HistoryOp::Push => {
                    if let Some(typed) = unwritten.borrow_mut().take() {
                        dom::write_query(&typed, false);
                    }
                    dom::write_query(query, true);
                    dom::set_title(&title);
                    None
                }
                HistoryOp::Replace => {
                    let query = query.clone();
                    *unwritten.borrow_mut() = Some(query.clone());
                    Some(dom::Timeout::new(REPLACE_DELAY_MS, move || {
                        unwritten.borrow_mut().take();
                        dom::write_query(&query, false);
                        dom::set_title(&title);
                    }))
                }
            };
            move || drop(pending)
        });
    }
    // The check runs in its own task, a timer set when the derivation is rendered: the keystroke's
    // task holds the analysis and the rendering only, the paint comes before the timer, and a
    // newer derivation cancels a pending check (typing faster than the delay checks only the
    // last input).
    {
        let pending = state
            .shown
            .as_ref()
            .filter(|_| state.check_pending())
            .map(|s| std::rc::Rc::as_ptr(s) as usize);
        let dispatch = state.dispatcher();
        use_effect_with(pending, move |pending| {
            let scheduled = pending.map(|_| {
                dom::Timeout::new(CHECK_DELAY_MS, move || dispatch.dispatch(Action::RunCheck))
            });
            move || drop(scheduled)
        });
    }
    // In embed mode the parent frame learns the height after every render and resize.
    {
        let embed = state.embed;
        use_effect_with((), move |_| {
            if embed {
                dom::observe_height();
            }
        });
        use_effect(move || {
            if embed {
                dom::post_height();
            }
        });
    }

    // Callbacks made once (the dispatcher never changes), so panels whose other props are
    // unchanged are not re-rendered on a keystroke.
    let cbs = use_memo(state.dispatcher(), Callbacks::new);
    let Callbacks {
        on_expr,
        on_decls,
        on_wrt,
        on_edit,
        on_size,
        on_new_seed,
        on_load,
        on_layout,
        on_claim,
    } = (*cbs).clone();

    let stale = state.stale();
    let send = |a: Action| {
        let d = state.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(a.clone()))
    };
    let on_practice = {
        let d = state.dispatcher();
        Callback::from(move |on: bool| d.dispatch(Action::SetPractice(on)))
    };
    let on_move = {
        let d = state.dispatcher();
        Callback::from(move |m| d.dispatch(Action::Practice(m)))
    };
    let on_hessian = {
        let d = state.dispatcher();
        Callback::from(move |on: bool| d.dispatch(Action::SetHessian(on)))
    };
    // A vector- or matrix-valued f shows its Jacobian, the Hessian toggle a scalar f's Hessian.
    let second_order = state.second_order();
    let second = second_order.zip(state.second.clone()).map(|(order, analysis)| {
        html! { <SecondView {analysis} {order} sizes={state.sizes.clone()} seed={state.seed} /> }
    });
    // A Hessian or Jacobian asked for (an exercise, or `hide=result`): the problem only, until
    // the learner asks for the derivation.
    let hidden_second = second_order
        .filter(|_| state.hide)
        .and_then(|_| state.second.as_ref())
        .and_then(|a| a.derivation.as_ref())
        .map(|d| {
            let asked = match second_order {
                Some(Order::Jacobian) => Asked {
                    what: "the Jacobian",
                    field: "Your J =",
                },
                _ => Asked {
                    what: "the Hessian",
                    field: "Your H =",
                },
            };
            hidden_result(
                d.f_latex.clone().into(),
                &d.wrt,
                asked,
                send(Action::RevealDerivation),
            )
        });
    let results = match &state.shown {
        _ if hidden_second.is_some() => html! { { for hidden_second } },
        _ if second_order == Some(Order::Jacobian) => html! { { for second } },
        Some(shown) if state.hide => hidden_result(
            shown.analysis.expr_latex.clone().unwrap_or_default().into(),
            shown.analysis.wrt().unwrap_or_default(),
            GRADIENT,
            send(Action::RevealDerivation),
        ),
        Some(shown) if state.practice => html! {
            <>
                { mode_toggle(true, on_practice) }
                { practice_view(&shown.analysis, &state.run, &on_move) }
            </>
        },
        Some(_) if second.is_some() => html! {
            <>
                { mode_toggle(false, on_practice) }
                { hessian_toggle(true, on_hessian) }
                { for second }
            </>
        },
        Some(shown) => html! {
            <>
                { mode_toggle(false, on_practice) }
                { hessian_toggle(false, on_hessian) }
                <DerivationView shown={shown.clone()} stale={stale} />
                <AnswersView shown={shown.clone()} layout={state.layout} on_layout={on_layout} />
                <CheckPanel shown={shown.clone()} stale={stale} sizes={state.size_fields()}
                    on_size={on_size} on_new_seed={on_new_seed} />
            </>
        },
        None if state.unanalyzed && !state.expr.trim().is_empty() => html! {
            <section class="derivation empty" aria-labelledby="deriv-h">
                <h2 id="deriv-h">{ "Derivation" }</h2>
                <p class="help" data-testid="not-derived">{ "Not derived since the restart, in case this input caused the error: \
                    edit it (or pick an example) to derive it again." }</p>
            </section>
        },
        None if state.embed => {
            html! { <p class="help">{ "Nothing to show: the link has no valid expression." }</p> }
        }
        None => html! {
            <section class="derivation empty" aria-labelledby="deriv-h">
                <h2 id="deriv-h">{ "Derivation" }</h2>
                <p class="help">{ "Type a scalar function above, or pick an example: the derivation by differentials, \
                    line by line with the rule of each step, and a numeric check of the gradient appear here." }</p>
            </section>
        },
    };

    if state.embed {
        return html! { <main class="app embed">{ results }</main> };
    }

    let analysis = state
        .shown
        .as_ref()
        .map(|s| s.analysis.clone())
        .unwrap_or_default();
    let derivation = analysis.derivation.clone();
    let copy = derivation
        .as_ref()
        .filter(|_| !state.practice && !state.hide && second_order.is_none())
        .map(|d| {
            html! {
                <CopyButtons align={d.to_align()} gradient_latex={d.gradient_latex.clone()}
                    gradient_text={d.gradient_text.clone()} analysis={analysis.clone()} />
            }
        });
    // The snippets embed what the page derives: while the input has errors, the last valid input.
    let embedded = state.embed_permalink();
    let embed_url = embedded
        .as_ref()
        .map(|p| AttrValue::from(format!("{}{}", dom::page_base(), url::encode(p))));
    let embed_f = embedded.map(|p| p.f).unwrap_or_default();
    let a = &state.analysis;
    let panel = state.panel();
    let on_exercise = {
        let d = state.dispatcher();
        Callback::from(move |i: usize| d.dispatch(Action::LoadExercise(i)))
    };
    let expr_errors = state.expr_errors();
    let on_claim2 = {
        let d = state.dispatcher();
        Callback::from(move |c: String| d.dispatch(Action::SetClaimSecond(c)))
    };
    let ask = match second_order {
        None => Ask::Gradient,
        Some(Order::Hessian) => Ask::Hessian,
        Some(Order::Jacobian) => Ask::Jacobian,
    };
    html! {
        <div class="app">
            <header class="top">
                <h1>{ "matdiff" }</h1>
                <p class="tagline">{ "The gradient of a scalar function of matrices, derived by differentials — step by step, and checked numerically." }</p>
                <EmbedDialog embed_url={embed_url} page={dom::page_base()} f_text={embed_f}
                    input_has_error={state.stale() && !state.expr.trim().is_empty()}
                    shown={state.shown.as_ref().map(|s| Shared(s.analysis.clone()))} />
            </header>
            <main class="layout">
                <section class="input-area" aria-label="function">
                    <ExprInput value={state.expr.clone()} invalid={!expr_errors.is_empty()} on_input={on_expr} />
                    <Preview latex={a.expr_latex.clone().map(AttrValue::from)} text={a.expr_text.clone().map(AttrValue::from)} />
                    <ReadingOffer offers={crate::offer::offers(&state)} on_edit={on_edit.clone()} />
                    <ErrorView diagnostics={expr_errors} expr={state.expr.clone()} decls={state.decls.clone()}
                        id="expr-error" testid="error" />
                </section>
                // In the order of the desktop columns (input and symbols, then the results), so
                // that Tab goes from the input to its symbols; the grid places them on screen.
                <SymbolsPanel rows={panel.rows} wrt={panel.wrt} stale={panel.stale}
                    decls={state.decls.clone()} decls_errors={state.decls_errors()} on_edit={on_edit} on_wrt={on_wrt} on_decls={on_decls} />
                <div class="results">
                    { results }
                    if let Some(shown) = state.shown.as_ref().filter(|_| second_order.is_none()) {
                        <ClaimField shown={shown.clone()} claim={state.claim.clone()} sizes={state.sizes.clone()}
                            seed={state.seed} on_claim={on_claim} />
                    }
                    if let Some(order) = second_order.filter(|_| state.second.as_ref().is_some_and(|a| a.derivation.is_some())) {
                        { claim_second_view(order, &state.claim2, state.claim2_view.as_deref(), &on_claim2) }
                    }
                    { for copy }
                </div>
                <Gallery current={examples::find(&state.expr, &state.decls)} on_load={on_load} />
                { exercises_view(&state.done, progress::exercise_of(&state.expr, &state.decls, state.analysis.wrt(), ask).map(|e| e.id),
                    &on_exercise, send(Action::ResetProgress)) }
            </main>
            <footer>
                <p>{ "Rules follow the lecture note's method: dy = Tr(∇fᵀ dX). Equation numbers refer to the Matrix Cookbook (2012). Everything runs in your browser." }</p>
            </footer>
        </div>
    }
}
