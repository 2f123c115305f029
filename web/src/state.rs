//! The page's state, the actions that change it and the reducer: pure, tested natively.

use crate::decls::{self, Fields, SymbolEdit};
use crate::examples::EXAMPLES;
use crate::practice::{Move, Run};
use crate::progress::{self, Progress};
use crate::url::{Permalink, DEFAULT_SEED};
use matdiff_core::exercises::{Ask, EXERCISES};
use matdiff_core::jacobian::{Analysis2, Order};
use matdiff_core::layout::Layout;
use matdiff_core::numeric::MAX_SIZE;
use matdiff_core::{
    analyze, check, Analysis, CheckOptions, CheckReport, Diagnostic, Input, Source, Symbol,
};
use std::collections::BTreeMap;
use std::rc::Rc;

/// What the page does with the browser history after an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryOp {
    /// Leave the history alone (initial load, back/forward).
    None,
    /// `replaceState` (typing, sizes).
    Replace,
    /// `pushState` (discrete actions: an example, the variable, a symbol edit, new random matrices).
    Push,
}

/// A derivation on screen with its check.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub analysis: Rc<Analysis>,
    /// The input it was derived from (the Embed dialog's snippets use it while the current input
    /// has errors).
    pub input: Rc<Input>,
    /// `None` while the check is pending: the derivation is painted first, the numbers follow
    /// ([`Action::RunCheck`], dispatched by the page after the next paint).
    pub check: Option<Result<CheckReport, Diagnostic>>,
}

/// Everything the page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub expr: String,
    pub decls: String,
    /// The variable the user chose; `None` lets the engine choose.
    pub wrt: Option<String>,
    /// Sizes the user set (others get the engine's defaults).
    pub sizes: BTreeMap<String, usize>,
    pub seed: u64,
    pub embed: bool,
    /// The layout the result is also shown in (`&layout=numerator`).
    pub layout: Layout,
    /// The analysis of the current input.
    pub analysis: Rc<Analysis>,
    /// The last derivation that succeeded, with its check; stays (dimmed) while the input has errors.
    pub shown: Option<Rc<Shown>>,
    pub history: HistoryOp,
    /// The input has not been analysed yet ([`State::unanalyzed`], after a restart).
    pub unanalyzed: bool,
    /// Symbols edited in the panel since the last valid input, as edited: while the input has
    /// errors, the panel shows the last valid input's rows with these edits in them.
    pub edited: BTreeMap<String, Fields>,
    /// A size typed that is not one (`0`, `2.5`, `201`, empty): its field keeps the text and says
    /// why, and the sizes, the check and the URL stay as they were.
    pub bad_size: Option<BadSize>,
    /// Practice mode (`practice=1`): the derivation is practised step by step.
    pub practice: bool,
    /// The derivation is hidden until the learner asks (`hide=result`).
    pub hide: bool,
    /// The ids of the exercises done, kept in the browser ([`crate::progress`]).
    pub done: Rc<Progress>,
    /// The practice run of the derivation on screen (started afresh with each new derivation).
    pub run: Run,
    /// The learner's claimed ∇f ([`crate::claim`]).
    pub claim: String,
    /// The Hessian of a scalar f is shown instead of its gradient (`order=2`).
    pub hessian: bool,
    /// The Jacobian or Hessian analysis of the current input, when [`State::second_order`] asks
    /// for one.
    pub second: Option<Rc<Analysis2>>,
    /// The learner's claimed Hessian or Jacobian and its verdict ([`crate::claim2`]).
    pub claim2: String,
    pub claim2_view: Option<Rc<crate::claim2::SecondClaimView>>,
}

/// A size field's text that is not a size, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadSize {
    pub name: String,
    pub text: String,
    pub message: String,
}

/// One size field of the check panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizeField {
    /// The dimension's name.
    pub name: String,
    /// The field's text: the size the check uses (the user's or the default), or what was typed.
    pub value: String,
    /// The user set this size (it is in the URL).
    pub custom: bool,
    /// Why the field's value is not a size the check can use.
    pub error: Option<String>,
}

/// What a size must be, for the messages of the size fields.
fn size_rule(name: &str) -> String {
    format!("{name} must be a whole number from 1 to {MAX_SIZE}")
}

/// Reads a size field's text: a whole number from 1 to [`MAX_SIZE`], else the message saying so.
pub fn parse_size(name: &str, text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_SIZE).contains(&n) => Ok(n),
        _ if text.trim().is_empty() => Err(format!("{}; the field is empty", size_rule(name))),
        _ => Err(format!("{} (not {})", size_rule(name), text.trim())),
    }
}

/// What the symbol panel shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// Each symbol with the fields its row shows.
    pub rows: Vec<(Symbol, Fields)>,
    /// The variable.
    pub wrt: Option<String>,
    /// The rows are the last valid input's (the current input has errors): shown dimmed.
    pub stale: bool,
}

/// Everything that changes the state.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    SetExpr(String),
    SetDecls(String),
    SetWrt(String),
    EditSymbol(String, SymbolEdit),
    /// A size by dimension name; `None` returns it to the default.
    SetSize(String, Option<usize>),
    /// The text typed in a size field: a size sets it, anything else is shown as an error there.
    TypeSize(String, String),
    /// New random matrices: the seed comes from outside, so the reducer stays pure.
    NewSeed(u64),
    LoadExample(usize),
    /// An exercise of [`matdiff_core::exercises::EXERCISES`], opened in practice mode.
    LoadExercise(usize),
    /// Practice mode on or off.
    SetPractice(bool),
    /// Shows the derivation a `hide=result` link hid.
    RevealDerivation,
    /// A move of the practice run; a run that reaches its end marks its exercise done.
    Practice(Move),
    /// Forgets every exercise done.
    ResetProgress,
    /// State from a URL (first load, back/forward).
    Restore(Permalink),
    /// The layout of the result: nothing is derived or checked again.
    SetLayout(Layout),
    /// The Hessian (`true`, `order=2`) or the gradient of a scalar f.
    SetHessian(bool),
    /// Runs the pending check of the derivation on screen (no-op when none is pending).
    RunCheck,
    /// The text of the "Your ∇f =" field.
    SetClaim(String),
    /// The text of the "Your H =" / "Your J =" field: decided at once; a correct answer marks
    /// its exercise done.
    SetClaimSecond(String),
}

impl State {
    /// The state a permalink describes, analysed (its check pending).
    pub fn from_permalink(p: Permalink) -> State {
        let mut s = State::unanalyzed(p);
        s.reanalyze();
        s
    }

    /// The state a permalink describes, not analysed: after a restart from an internal error the
    /// carried-over input is shown, and analysed again only once it is edited (so an input that
    /// made the page panic cannot make it panic again at once).
    pub fn unanalyzed(p: Permalink) -> State {
        State {
            expr: p.f,
            decls: p.decls,
            wrt: p.wrt,
            sizes: p.sizes,
            seed: p.seed,
            embed: p.embed,
            layout: p.layout,
            analysis: Rc::new(Analysis::default()),
            shown: None,
            history: HistoryOp::None,
            unanalyzed: true,
            edited: BTreeMap::new(),
            bad_size: None,
            practice: p.practice,
            hide: p.hide,
            done: Rc::new(Progress::default()),
            run: Run::default(),
            claim: p.claim,
            hessian: p.hessian,
            second: None,
            claim2: String::new(),
            claim2_view: None,
        }
    }

    /// The permalink of this state.
    pub fn permalink(&self) -> Permalink {
        Permalink {
            f: self.expr.clone(),
            wrt: self.wrt.clone(),
            decls: self.decls.clone(),
            sizes: self.sizes.clone(),
            seed: self.seed,
            embed: self.embed,
            layout: self.layout,
            practice: self.practice,
            hide: self.hide,
            claim: self.claim.clone(),
            hessian: self.hessian,
        }
    }

    /// What the page derives instead of the gradient ([`crate::second`]): the Jacobian of a
    /// vector- or matrix-valued f, or with the Hessian toggle on the Hessian of a scalar f.
    pub fn second_order(&self) -> Option<Order> {
        if self.array_f() {
            Some(Order::Jacobian)
        } else if self.hessian && !self.stale() {
            Some(Order::Hessian)
        } else {
            None
        }
    }

    /// Whether f is a vector or a matrix: the gradient's analysis refused it for that only.
    pub fn array_f(&self) -> bool {
        crate::second::only_not_scalar(&self.analysis.diagnostics)
    }

    /// Whether a check waits to be run.
    pub fn check_pending(&self) -> bool {
        self.shown.as_ref().is_some_and(|s| s.check.is_none())
    }

    /// Whether the derivation on screen belongs to an earlier input (the current one has errors).
    pub fn stale(&self) -> bool {
        self.analysis.derivation.is_none()
    }

    /// The permalink the Embed dialog's snippets embed: the current input's when it derives, else
    /// the input of the derivation on screen (the last valid one, as written when it was derived:
    /// later edits that changed nothing derived keep it); `None` when there is none.
    pub fn embed_permalink(&self) -> Option<Permalink> {
        let mut p = self.permalink();
        if self.stale() {
            let input = &self.shown.as_ref()?.input;
            p.f = input.expr.clone();
            p.decls = input.decls.clone();
            p.wrt = input.wrt.clone();
        }
        p.embed = true;
        // The Embed dialog's options say whether the frame practises or hides the result.
        p.practice = false;
        p.hide = false;
        Some(p)
    }

    /// The symbols the panel lists, the variable among them, and whether they belong to an earlier
    /// input: while the current input has errors that leave it no symbols, the last derivation's
    /// stay, so an edit in the panel that caused the error can be undone from the panel.
    fn panel_symbols(&self) -> (&[Symbol], Option<&str>, bool) {
        let current = &self.analysis;
        // A vector- or matrix-valued f: the symbols of its Jacobian's problem.
        let array = self.second.as_ref().and_then(|a| a.problem.as_ref());
        if let Some(p) = array.filter(|_| current.symbols().is_empty()) {
            return (&p.symbols.symbols, Some(&p.wrt), false);
        }
        match &self.shown {
            Some(shown) if current.symbols().is_empty() && !self.expr.trim().is_empty() => {
                (shown.analysis.symbols(), shown.analysis.wrt(), true)
            }
            _ => (current.symbols(), current.wrt(), false),
        }
    }

    /// The symbol panel: the current input's symbols, or while it has errors that leave it none,
    /// the last valid input's with the edits made since (dimmed).
    pub fn panel(&self) -> Panel {
        let (symbols, wrt, stale) = self.panel_symbols();
        let rows = symbols
            .iter()
            .map(|sym| {
                let fields = self
                    .edited
                    .get(&sym.name)
                    .filter(|_| stale)
                    .cloned()
                    .unwrap_or_else(|| Fields::of(sym));
                (sym.clone(), fields)
            })
            .collect();
        Panel {
            rows,
            wrt: wrt.map(str::to_string),
            stale,
        }
    }

    /// The diagnostics to show; none for an empty input, nor for a vector- or matrix-valued f
    /// (its Jacobian shows, with the Jacobian's own errors).
    pub fn errors(&self) -> &[Diagnostic] {
        if self.expr.trim().is_empty() || self.array_f() {
            &[]
        } else {
            &self.analysis.diagnostics
        }
    }

    /// The errors shown at the expression field: those in the expression and those tied to no
    /// text (the variable, sizes).
    pub fn expr_errors(&self) -> Vec<Diagnostic> {
        let errors = self.errors().iter();
        errors
            .filter(|d| d.source != Source::Decls)
            .cloned()
            .collect()
    }

    /// The errors shown at the declarations field: those in the declarations.
    pub fn decls_errors(&self) -> Vec<Diagnostic> {
        let errors = self.errors().iter();
        errors
            .filter(|d| d.source == Source::Decls)
            .cloned()
            .collect()
    }

    /// The reducer: a new state from an action. Pure (the seed of `NewSeed` comes with it).
    #[must_use]
    pub fn apply(&self, action: Action) -> State {
        let mut s = self.clone();
        if action != Action::RunCheck {
            s.bad_size = None;
        }
        match action {
            Action::SetExpr(e) => {
                s.edited.clear();
                s.expr = e;
                s.history = HistoryOp::Replace;
                s.reanalyze();
            }
            Action::SetDecls(d) => {
                s.edited.clear();
                s.decls = d;
                s.history = HistoryOp::Replace;
                s.reanalyze();
            }
            Action::SetWrt(w) => {
                s.wrt = Some(w);
                s.history = HistoryOp::Push;
                s.reanalyze();
            }
            Action::EditSymbol(name, edit) => {
                let (symbols, _, stale) = s.panel_symbols();
                let sym = symbols.iter().find(|x| x.name == name);
                if let Some(sym) = sym {
                    // Edits since the last valid input build on each other, as the row shows them.
                    let fields = match s.edited.get(&name).filter(|_| stale) {
                        Some(f) => f.edited(&edit),
                        None => Fields::of(sym).edited(&edit),
                    };
                    s.decls = decls::set_item(&s.decls, &name, &fields.item(&name));
                    s.history = HistoryOp::Push;
                    s.reanalyze();
                    s.edited.insert(name, fields);
                }
            }
            Action::SetSize(name, size) => {
                match size {
                    Some(n) => s.sizes.insert(name, n),
                    None => s.sizes.remove(&name),
                };
                s.history = HistoryOp::Replace;
                s.recheck();
            }
            Action::TypeSize(name, text) => match parse_size(&name, &text) {
                Ok(n) => return self.apply(Action::SetSize(name, Some(n))),
                // Nothing else changes, not even the history operation (a replacement of the
                // URL still waiting is written as planned).
                Err(message) => {
                    s.bad_size = Some(BadSize {
                        name,
                        text,
                        message,
                    })
                }
            },
            Action::NewSeed(seed) => {
                s.seed = seed;
                s.history = HistoryOp::Push;
                s.recheck();
            }
            Action::LoadExample(i) => {
                if let Some(e) = EXAMPLES.get(i) {
                    s.edited.clear();
                    s.expr = e.expr.to_string();
                    s.decls = e.decls.to_string();
                    s.wrt = Some(e.wrt.to_string());
                    // An example starts from the default sizes and seed.
                    s.sizes.clear();
                    s.seed = DEFAULT_SEED;
                    s.claim.clear();
                    s.history = HistoryOp::Push;
                    s.reanalyze();
                    // The example already on screen keeps its derivation (nothing derived
                    // changed), but its check was made with the old sizes or seed.
                    if s.sizes != self.sizes || s.seed != self.seed {
                        s.recheck();
                    }
                }
            }
            Action::LoadExercise(i) => {
                if let Some(e) = EXERCISES.get(i) {
                    s.edited.clear();
                    s.expr = e.expr.to_string();
                    s.decls = e.decls.to_string();
                    s.wrt = Some(e.wrt.to_string());
                    s.sizes.clear();
                    s.seed = DEFAULT_SEED;
                    // A Hessian exercise opens the Hessian view (a Jacobian one's f is not a
                    // scalar: its view opens by itself); a gradient exercise, practice mode.
                    s.practice = e.ask == Ask::Gradient;
                    s.hessian = e.ask == Ask::Hessian;
                    // A Hessian or Jacobian exercise shows the problem and "Your H =" / "Your
                    // J =", not the answer, until the learner asks.
                    s.hide = e.ask != Ask::Gradient;
                    s.run = Run::default();
                    s.history = HistoryOp::Push;
                    s.reanalyze();
                    if s.sizes != self.sizes || s.seed != self.seed {
                        s.recheck();
                    }
                }
            }
            Action::SetPractice(on) => {
                s.practice = on;
                s.run = Run::default();
                s.history = HistoryOp::Push;
            }
            Action::RevealDerivation => {
                s.hide = false;
                s.history = HistoryOp::Push;
            }
            Action::Practice(m) => {
                if let Some(shown) = &s.shown {
                    let a = shown.analysis.clone();
                    s.run = s.run.apply(&a, m);
                    let input = &shown.input;
                    let exercise =
                        progress::exercise_of(&input.expr, &input.decls, a.wrt(), Ask::Gradient);
                    if let Some(e) = exercise.filter(|_| s.run.finished(&a)) {
                        if !s.done.contains(e.id) {
                            s.done = Rc::new(s.done.with(e.id));
                        }
                    }
                }
            }
            Action::ResetProgress => s.done = Rc::new(Progress::default()),
            Action::RunCheck => {
                if let Some(shown) = s.shown.as_ref().filter(|sh| sh.check.is_none()) {
                    let analysis = shown.analysis.clone();
                    let check = Some(run_check(&analysis, &s.sizes, s.seed));
                    let input = shown.input.clone();
                    s.shown = Some(Rc::new(Shown {
                        analysis,
                        input,
                        check,
                    }));
                }
            }
            Action::SetLayout(layout) => {
                s.layout = layout;
                s.history = HistoryOp::Push;
            }
            Action::SetHessian(on) => {
                s.hessian = on;
                s.history = HistoryOp::Push;
                s.second = s.second_analysis();
                s.claim2.clear();
                s.claim2_view = None;
            }
            Action::SetClaim(c) => {
                s.claim = c;
                s.history = HistoryOp::Replace;
            }
            Action::SetClaimSecond(c) => s.set_claim_second(c),
            Action::Restore(p) => {
                let embed = s.embed;
                let done = s.done.clone();
                let shown = s.shown.clone();
                s = State::from_permalink(p);
                s.embed = embed;
                s.done = done;
                if s.shown.is_none() && !s.expr.trim().is_empty() {
                    s.shown = shown;
                }
            }
        }
        if !s.panel_symbols().2 {
            s.edited.clear();
        }
        s
    }

    /// The size fields of the check panel: one per dimension of the derivation on screen, with
    /// the size the check uses, or the text typed that is not a size and why.
    pub fn size_fields(&self) -> Vec<SizeField> {
        let Some(shown) = &self.shown else {
            return Vec::new();
        };
        let a = &shown.analysis;
        let names = a.dim_names();
        let usable = |n: &usize| (1..=MAX_SIZE).contains(n);
        // The sizes the check used, or will use: the user's usable ones, defaults for the rest.
        let sizes = match &shown.check {
            Some(Ok(r)) => r.sizes.clone(),
            _ => {
                let mut user = BTreeMap::new();
                user.extend(
                    self.sizes
                        .iter()
                        .filter(|(k, v)| names.contains(k) && usable(v))
                        .map(|(k, v)| (k.clone(), *v)),
                );
                a.check_sizes(&user).unwrap_or_default()
            }
        };
        names
            .into_iter()
            .map(|name| {
                let user = self.sizes.get(&name);
                let bad = self.bad_size.as_ref().filter(|b| b.name == name);
                let (value, error) = match (bad, user) {
                    (Some(b), _) => (b.text.clone(), Some(b.message.clone())),
                    (None, Some(n)) if !usable(n) => (
                        n.to_string(),
                        Some(format!("{} (not {n})", size_rule(&name))),
                    ),
                    (None, Some(n)) => (n.to_string(), None),
                    (None, None) => (
                        sizes.get(&name).map(|n| n.to_string()).unwrap_or_default(),
                        None,
                    ),
                };
                SizeField {
                    custom: user.is_some(),
                    name,
                    value,
                    error,
                }
            })
            .collect()
    }

    /// Analyses the input; on success the derivation replaces the one on screen, its check pending.
    fn reanalyze(&mut self) {
        self.unanalyzed = false;
        let input = |wrt: Option<String>| Input {
            expr: self.expr.clone(),
            decls: self.decls.clone(),
            wrt,
        };
        let mut a = analyze(&input(self.wrt.clone()));
        // A variable that the new expression no longer has is dropped, not reported (the core
        // would derive the gradient 0 with respect to it).
        if let Some(w) = &self.wrt {
            if !a.problem.as_ref().is_some_and(|p| p.expr.mentions(w)) {
                let b = analyze(&input(None));
                if !b.symbols().is_empty() && !b.symbols().iter().any(|s| &s.name == w) {
                    self.wrt = None;
                    a = b;
                }
            }
        }
        self.analysis = Rc::new(a);
        let second = self.second_analysis();
        if second != self.second {
            self.claim2.clear();
            self.claim2_view = None;
        }
        self.second = second;
        // An edit that changes nothing derived (a space, redundant parentheses) keeps the check:
        // it would give the same figures, and the step marks would flicker for nothing.
        let same = self
            .shown
            .as_ref()
            .is_some_and(|s| *s.analysis == *self.analysis);
        if self.analysis.derivation.is_some() && !same {
            self.run = Run::default();
            self.shown = Some(Rc::new(Shown {
                analysis: self.analysis.clone(),
                input: Rc::new(input(self.wrt.clone())),
                check: None,
            }));
        }
    }

    /// Decides a claimed Hessian or Jacobian; a correct one marks its exercise done.
    fn set_claim_second(&mut self, claim: String) {
        let (Some(order), Some(a)) = (self.second_order(), self.second.clone()) else {
            return;
        };
        let view = crate::claim2::decide(&a, &claim, &self.sizes, self.seed);
        let correct = view
            .as_ref()
            .is_some_and(|v| v.verdict == Some(matdiff_core::compare::ClaimVerdict::Correct));
        let ask = match order {
            Order::Hessian => Ask::Hessian,
            Order::Jacobian => Ask::Jacobian,
        };
        let wrt = a.problem.as_ref().map(|p| p.wrt.as_str());
        if let Some(e) =
            progress::exercise_of(&self.expr, &self.decls, wrt, ask).filter(|_| correct)
        {
            if !self.done.contains(e.id) {
                self.done = Rc::new(self.done.with(e.id));
            }
        }
        self.claim2 = claim;
        self.claim2_view = view.map(Rc::new);
    }

    /// The Jacobian or Hessian analysis the page shows for the current input, if any.
    fn second_analysis(&self) -> Option<Rc<Analysis2>> {
        let order = self.second_order()?;
        let input = Input {
            expr: self.expr.clone(),
            decls: self.decls.clone(),
            wrt: self.wrt.clone(),
        };
        Some(Rc::new(crate::second::analyze(&input, order)))
    }

    /// Marks the check of the derivation on screen pending again (new sizes or seed).
    fn recheck(&mut self) {
        if let Some(shown) = &self.shown {
            self.shown = Some(Rc::new(Shown {
                analysis: shown.analysis.clone(),
                input: shown.input.clone(),
                check: None,
            }));
        }
    }
}

/// The check with the user's sizes for the dimensions this expression has.
pub fn run_check(
    a: &Analysis,
    sizes: &BTreeMap<String, usize>,
    seed: u64,
) -> Result<CheckReport, Diagnostic> {
    let names = a.dim_names();
    // `extend`, not `collect`: a collected map sorts its items, a sort compiled for this type only.
    let mut known = BTreeMap::new();
    known.extend(
        sizes
            .iter()
            .filter(|(k, _)| names.contains(k))
            .map(|(k, v)| (k.clone(), *v)),
    );
    check(a, &CheckOptions { sizes: known, seed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url;

    fn start() -> State {
        State::from_permalink(Permalink::default())
    }

    /// Applies an action and then runs the pending check, as the page does after painting.
    trait Then {
        fn then(&self, a: Action) -> State;
    }
    impl Then for State {
        fn then(&self, a: Action) -> State {
            self.apply(a).apply(Action::RunCheck)
        }
    }

    fn checked(s: &State) -> Result<CheckReport, Diagnostic> {
        s.shown
            .as_ref()
            .expect("shown")
            .check
            .clone()
            .expect("checked")
    }

    #[test]
    fn a_restarted_page_shows_the_input_but_derives_only_after_an_edit() {
        let p = url::decode("?f=logdet(X%27*X)&wrt=X&sizes=n%3D4&seed=7");
        let s = State::unanalyzed(p.clone());
        assert_eq!(s.expr, "logdet(X'*X)");
        assert_eq!(
            s.permalink(),
            p,
            "nothing of the carried-over state is lost"
        );
        assert!(s.unanalyzed && s.shown.is_none() && s.analysis.derivation.is_none());
        assert!(
            s.errors().is_empty(),
            "no diagnostics before the input is analysed"
        );
        let edited = s.then(Action::SetExpr("logdet(X'*X) ".into()));
        assert!(!edited.unanalyzed);
        let d = edited
            .analysis
            .derivation
            .as_ref()
            .expect("derived after the edit");
        assert_eq!(d.gradient_text, "2*X*inv(X'*X)");
        assert!(checked(&edited).expect("check runs").passed);
    }

    #[test]
    fn an_edit_that_changes_nothing_derived_keeps_the_check() {
        let s = start().then(Action::SetExpr("tr(A*X*B)".into()));
        assert!(!s.check_pending());
        for same in ["tr(A*X*B) ", "tr( A * X * B )", "tr((A*X)*B)"] {
            let t = s.apply(Action::SetExpr(same.into()));
            assert!(!t.check_pending(), "{same}: check pending again");
            assert!(Rc::ptr_eq(
                t.shown.as_ref().expect("shown"),
                s.shown.as_ref().expect("shown")
            ));
        }
        // A change in what is derived makes it pending again.
        assert!(s.apply(Action::SetExpr("tr(A*X*C)".into())).check_pending());
    }

    #[test]
    fn the_check_waits_for_run_check() {
        let s = start().apply(Action::SetExpr("tr(A*X*B)".into()));
        assert!(s.check_pending());
        assert_eq!(gradient(&s), "A'*B'");
        let done = s.apply(Action::RunCheck);
        assert!(!done.check_pending());
        assert!(checked(&done).expect("report").passed);
        assert_eq!(done.history, s.history);
        // Nothing pending: no change.
        assert_eq!(done.apply(Action::RunCheck), done);
    }

    fn gradient(s: &State) -> String {
        s.shown
            .as_ref()
            .expect("shown")
            .analysis
            .derivation
            .as_ref()
            .expect("derivation")
            .gradient_text
            .clone()
    }

    fn passed(s: &State) -> bool {
        s.shown
            .as_ref()
            .expect("shown")
            .check
            .clone()
            .expect("checked")
            .expect("report")
            .passed
    }

    #[test]
    fn empty_input_shows_nothing_and_no_error() {
        let s = start();
        assert!(s.shown.is_none());
        assert!(s.errors().is_empty());
        assert_eq!(s.history, HistoryOp::None);
    }

    #[test]
    fn typing_derives_and_checks_then_an_error_keeps_the_last_derivation() {
        let mut s = start();
        for prefix in ["t", "tr", "tr(", "tr(A", "tr(A*X*B)"] {
            s = s.then(Action::SetExpr(prefix.into()));
        }
        assert_eq!(gradient(&s), "A'*B'");
        assert!(passed(&s));
        assert!(!s.stale());
        assert_eq!(s.history, HistoryOp::Replace);
        let s = s.then(Action::SetExpr("tr(A*X*B) +".into()));
        assert!(s.stale());
        assert!(!s.errors().is_empty());
        assert_eq!(gradient(&s), "A'*B'");
    }

    #[test]
    fn examples_load_with_push_and_pass() {
        let s = start().then(Action::LoadExample(2));
        assert_eq!(s.expr, "logdet(X'*X)");
        assert_eq!(s.history, HistoryOp::Push);
        assert_eq!(gradient(&s), "2*X*inv(X'*X)");
        assert!(passed(&s));
        // Out of range: nothing changes.
        assert_eq!(s.then(Action::LoadExample(999)).expr, s.expr);
    }

    #[test]
    fn the_variable_can_be_chosen_and_is_dropped_when_it_disappears() {
        let s = start().then(Action::SetExpr("tr(A*X*B)".into()));
        let s = s.then(Action::SetWrt("A".into()));
        assert_eq!(gradient(&s), "B'*X'");
        assert_eq!(s.history, HistoryOp::Push);
        let s = s.then(Action::SetExpr("tr(X*B)".into()));
        assert_eq!(s.wrt, None);
        assert_eq!(gradient(&s), "B'");
    }

    #[test]
    fn symbol_edits_change_the_declarations_and_the_derivation() {
        let s = start().then(Action::SetExpr("x'*A*x".into()));
        assert_eq!(gradient(&s), "(A + A')*x");
        let s = s.then(Action::EditSymbol("A".into(), SymbolEdit::Symmetric(true)));
        assert_eq!(s.decls, "A: symmetric n");
        assert_eq!(gradient(&s), "2*A*x");
        // Unknown symbols are ignored.
        assert_eq!(
            s.then(Action::EditSymbol("Q".into(), SymbolEdit::Spd(true)))
                .decls,
            s.decls
        );
    }

    #[test]
    fn a_symbol_edit_that_causes_an_error_keeps_the_panel_and_can_be_undone_from_it() {
        let s = start()
            .then(Action::SetExpr("x'*A*x".into()))
            .then(Action::SetWrt("A".into()));
        let p = s.panel();
        assert_eq!(
            (p.rows.len(), p.wrt.as_deref(), p.stale),
            (2, Some("A"), false)
        );
        // x is n, so A cannot be 3x4: an error that leaves the input no symbols.
        let bad = s.then(Action::EditSymbol(
            "A".into(),
            SymbolEdit::Dims("3x4".into()),
        ));
        assert_eq!(bad.decls, "A: matrix 3x4");
        assert!(bad.stale() && !bad.errors().is_empty());
        assert!(bad.analysis.symbols().is_empty());
        // The panel keeps the last valid rows, with the edit in A's (as typed).
        let p = bad.panel();
        let rows: Vec<(&str, &str)> = p
            .rows
            .iter()
            .map(|(sym, f)| (sym.name.as_str(), f.dims.as_str()))
            .collect();
        assert_eq!(rows, vec![("x", "n"), ("A", "3x4")]);
        assert_eq!((p.wrt.as_deref(), p.stale), (Some("A"), true));
        // The same control puts it right.
        let fixed = bad.then(Action::EditSymbol(
            "A".into(),
            SymbolEdit::Dims("n x n".into()),
        ));
        assert!(fixed.errors().is_empty(), "{:?}", fixed.errors());
        assert_eq!(fixed.decls, "A: matrix n x n");
        assert!(!fixed.stale() && !fixed.panel().stale && fixed.edited.is_empty());
        assert_eq!(fixed.panel().rows[1].1.dims, "n x n");
        // So does changing x's kind back after making it a scalar.
        let bad = s.then(Action::EditSymbol(
            "x".into(),
            SymbolEdit::Kind(matdiff_core::Kind::Scalar),
        ));
        // With x a scalar, f = x'*A*x is the matrix x²A: the page shows its Jacobian, and the
        // panel the symbols of that (current) input.
        assert!(bad.stale() && bad.array_f() && !bad.panel().stale);
        assert_eq!(bad.second_order(), Some(Order::Jacobian));
        assert_eq!(bad.panel().rows[0].1.kind, matdiff_core::Kind::Scalar);
        let fixed = bad.then(Action::EditSymbol(
            "x".into(),
            SymbolEdit::Kind(matdiff_core::Kind::Vector),
        ));
        assert!(fixed.errors().is_empty(), "{:?}", fixed.errors());
        // An empty input shows no symbols at all.
        let empty = bad.then(Action::SetExpr(String::new()));
        assert!(empty.panel().rows.is_empty() && empty.edited.is_empty());
    }

    #[test]
    fn errors_go_to_the_field_whose_text_they_point_into() {
        let s = start().then(Action::SetExpr("x'*A*x".into()));
        let bad = s.then(Action::SetDecls("A: 3x".into()));
        assert!(bad.expr_errors().is_empty(), "{:?}", bad.expr_errors());
        let d = bad.decls_errors();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(&bad.decls[d[0].range.clone()], "x", "{d:?}");
        let bad = s.then(Action::SetExpr("x'*A*x +".into()));
        assert!(bad.decls_errors().is_empty());
        assert_eq!(bad.expr_errors().len(), bad.errors().len());
        assert!(!bad.expr_errors().is_empty());
    }

    #[test]
    fn picking_the_example_already_on_screen_resets_its_sizes_and_seed_in_the_check_too() {
        let p = url::decode("?f=tr(A*X*B)&wrt=X&sizes=n=2&seed=7");
        let s = State::from_permalink(p).apply(Action::RunCheck);
        let r = checked(&s).expect("report");
        assert_eq!((r.sizes.get("n"), r.seed), (Some(&2), 7));
        let i = crate::examples::find("tr(A*X*B)", "").expect("the trace example");
        let t = s.then(Action::LoadExample(i));
        assert_eq!(url::encode(&t.permalink()), "?f=tr(A*X*B)&wrt=X");
        // The check on screen agrees with the state (and so with the URL).
        let r = checked(&t).expect("report");
        assert_eq!(r.seed, DEFAULT_SEED);
        let fresh =
            State::from_permalink(url::decode("?f=tr(A*X*B)&wrt=X")).apply(Action::RunCheck);
        assert_eq!(r.sizes, checked(&fresh).expect("report").sizes);
        assert_ne!(r.sizes.get("n"), Some(&2));
        // Picked again with nothing to reset, the check is kept.
        let u = t.apply(Action::LoadExample(i));
        assert!(!u.check_pending());
    }

    #[test]
    fn a_size_that_is_not_one_stays_in_its_field_with_the_range_and_changes_nothing_else() {
        for (text, ok) in [
            ("5", Some(5)),
            (" 200 ", Some(200)),
            ("1", Some(1)),
            ("201", None),
            ("0", None),
            ("-3", None),
            ("2.5", None),
            ("", None),
            ("abc", None),
        ] {
            let got = parse_size("n", text);
            assert_eq!(got.clone().ok(), ok, "{text:?}");
            if let Err(m) = got {
                assert!(m.contains("n must be a whole number from 1 to 200"), "{m}");
            }
        }
        let s = start().then(Action::SetExpr("tr(A*X*B)".into()));
        let fields = s.size_fields();
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names.len(), 3, "{fields:?}");
        assert!(fields.iter().all(|f| f.error.is_none() && !f.custom));
        let n = fields
            .iter()
            .find(|f| f.name == "n")
            .expect("n")
            .value
            .clone();
        for text in ["201", "0", "-3", "2.5", ""] {
            let bad = s.then(Action::TypeSize("n".into(), text.into()));
            assert_eq!(bad.sizes, s.sizes, "{text:?}");
            assert_eq!(bad.permalink(), s.permalink());
            assert_eq!(bad.history, s.history);
            assert_eq!(bad.shown, s.shown, "the check stays");
            let f = bad.size_fields();
            assert_eq!(f.len(), 3, "every size field stays");
            let nf = f.iter().find(|f| f.name == "n").expect("n");
            assert_eq!(nf.value, text);
            let m = nf.error.as_deref().expect("a message");
            assert!(m.contains("from 1 to 200"), "{m}");
            // Corrected in place.
            let good = bad.then(Action::TypeSize("n".into(), "3".into()));
            assert_eq!(good.sizes.get("n"), Some(&3));
            assert!(good.size_fields().iter().all(|f| f.error.is_none()));
            assert_eq!(checked(&good).expect("report").sizes.get("n"), Some(&3));
        }
        // An out-of-range size from a link: the fields stay, with the default for the others
        // and the range stated at n's; the check says why it did not run.
        let s =
            State::from_permalink(url::decode("?f=tr(A*X*B)&sizes=n=250")).apply(Action::RunCheck);
        assert!(checked(&s).is_err());
        let f = s.size_fields();
        assert_eq!(f.len(), 3);
        let nf = f.iter().find(|f| f.name == "n").expect("n");
        assert_eq!(nf.value, "250");
        assert!(nf
            .error
            .as_deref()
            .is_some_and(|m| m.contains("from 1 to 200")));
        assert!(f
            .iter()
            .filter(|f| f.name != "n")
            .all(|f| f.error.is_none() && !f.value.is_empty()));
        assert_ne!(n, "");
    }

    #[test]
    fn the_embed_snippets_use_the_last_valid_input_while_the_current_one_has_errors() {
        assert_eq!(
            start().embed_permalink(),
            None,
            "nothing derived, nothing to embed"
        );
        let s = start()
            .then(Action::SetExpr("x'*A*x".into()))
            .then(Action::SetDecls("A: symmetric n".into()))
            .then(Action::SetWrt("A".into()))
            .then(Action::NewSeed(5));
        let good = s.embed_permalink().expect("a derivation");
        assert_eq!(
            url::encode(&good),
            "?f=x'*A*x&wrt=A&decls=A:%20symmetric%20n&seed=5&embed=1"
        );
        let typing = s.then(Action::SetExpr("x'*A*".into()));
        assert!(typing.stale());
        assert_eq!(typing.embed_permalink(), Some(good.clone()));
        let bad_decls = s.then(Action::SetDecls("A: 3x".into()));
        assert_eq!(bad_decls.embed_permalink(), Some(good));
        // A valid input that derives the same thing written differently is embedded as written.
        let spaced = s.then(Action::SetExpr("x' * A * x".into()));
        assert_eq!(spaced.embed_permalink().expect("derives").f, "x' * A * x");
    }

    #[test]
    fn sizes_and_seed_recheck_without_reanalysing() {
        let s = start().then(Action::LoadExample(1));
        let s = s.then(Action::SetSize("n".into(), Some(2)));
        let report = checked(&s).unwrap();
        assert_eq!(report.sizes.get("n"), Some(&2));
        assert!(report.passed);
        let s2 = s.then(Action::NewSeed(77));
        let r2 = checked(&s2).unwrap();
        assert_eq!(r2.seed, 77);
        assert_ne!(r2.value, report.value);
        assert_eq!(s2.history, HistoryOp::Push);
        // A size for a dimension the expression lacks is kept but not passed to the check.
        let s3 = s2.then(Action::SetSize("zz".into(), Some(3)));
        assert!(checked(&s3).is_ok());
        // An out-of-range size is the check's error, shown instead of a report.
        let s4 = s3.then(Action::SetSize("n".into(), Some(100_000)));
        assert!(checked(&s4).is_err());
        let s5 = s4.then(Action::SetSize("n".into(), None));
        assert!(checked(&s5).is_ok());
    }

    #[test]
    fn an_exercise_opens_in_practice_mode_and_its_run_marks_it_done_until_reset() {
        let i = EXERCISES
            .iter()
            .position(|e| e.id == "note-trace-axb")
            .expect("the trace exercise");
        let s = start().then(Action::LoadExercise(i));
        assert!(s.practice && !s.hide);
        assert_eq!(url::encode(&s.permalink()), "?f=tr(A*X*B)&wrt=X&practice=1");
        assert!(s.done.is_empty());
        // Through the run by "show me": the exercise is done at its end, not before.
        let mut s = s;
        while !s.run.finished(&s.analysis) {
            assert!(s.done.is_empty());
            s = s.apply(Action::Practice(Move::ShowMe));
        }
        assert!(s.done.contains("note-trace-axb"));
        // A new derivation starts a new run.
        let t = s.then(Action::SetExpr("tr(A*X*C)".into()));
        assert_eq!(t.run, Run::default());
        // Back and forward keep the progress.
        let back = s.apply(Action::Restore(url::decode("?f=x'*A*x%20%2B%201")));
        assert!(back.done.contains("note-trace-axb") && !back.practice);
        // Not an exercise: nothing is marked.
        let mut other = back.clone();
        while !other.run.finished(&other.analysis) {
            other = other.apply(Action::Practice(Move::ShowMe));
        }
        assert_eq!(other.done, back.done);
        assert!(s.apply(Action::ResetProgress).done.is_empty());
        // The practice switch and the reveal of a hidden result are history entries.
        let off = s.apply(Action::SetPractice(false));
        assert!(!off.practice && off.history == HistoryOp::Push);
        let hidden = State::from_permalink(url::decode("?f=tr(A*X*B)&hide=result"));
        assert!(hidden.hide && hidden.shown.is_some());
        let shown = hidden.apply(Action::RevealDerivation);
        assert!(!shown.hide);
        assert_eq!(url::encode(&shown.permalink()), "?f=tr(A*X*B)");
        // The Embed dialog decides the exercise options of what it embeds.
        assert!(!hidden.embed_permalink().expect("derived").hide);
    }

    /// A Hessian exercise opens the Hessian view, a Jacobian one the Jacobian view; a correct
    /// "Your H =" / "Your J =" marks it done (2AᵀA and diag(exp x): the core's exercise test
    /// checks them against the engine numerically).
    #[test]
    fn a_second_order_exercise_opens_its_view_and_a_correct_claim_marks_it_done() {
        let at = |id: &str| EXERCISES.iter().position(|e| e.id == id).expect(id);
        let s = start().then(Action::LoadExercise(at("hessian-least-squares")));
        assert!(!s.practice && s.hessian);
        assert_eq!(s.second_order(), Some(Order::Hessian));
        // The answer stays hidden until the learner asks for it.
        assert!(s.hide);
        let link = url::encode(&s.permalink());
        assert!(
            link.contains("hide=result") && link.contains("order=2"),
            "{link}"
        );
        let wrong = s.apply(Action::SetClaimSecond("A'*A".into()));
        assert_eq!(
            wrong.claim2_view.as_ref().map(|v| v.status.as_str()),
            Some("✗ not correct")
        );
        assert!(wrong.done.is_empty());
        let right = wrong.apply(Action::SetClaimSecond("2*A'*A".into()));
        assert_eq!(
            right.claim2_view.as_ref().map(|v| v.status.as_str()),
            Some("✓ correct")
        );
        assert!(right.done.contains("hessian-least-squares"));
        // The gradient exercise of the same f is not marked.
        assert!(!right.done.contains("note-least-squares"));
        // A new f clears the field.
        let t = right.then(Action::SetExpr("||A*x||^2".into()));
        assert!(t.claim2.is_empty() && t.claim2_view.is_none());
        let j = start().then(Action::LoadExercise(at("jacobian-exp")));
        assert_eq!(j.second_order(), Some(Order::Jacobian));
        let j = j.apply(Action::SetClaimSecond("diag(exp(x))".into()));
        assert!(j.done.contains("jacobian-exp"));
    }

    /// A vector- or matrix-valued f is not an error on the page (its Jacobian shows); the Hessian
    /// toggle shows a scalar f's Hessian, pushes a history entry and round-trips as `order=2`.
    #[test]
    fn array_f_and_the_hessian_toggle() {
        let s = start().then(Action::SetExpr("A*X*B".into()));
        assert!(s.array_f());
        assert_eq!(s.second_order(), Some(Order::Jacobian));
        assert!(s.expr_errors().is_empty());
        let d = s.second.as_ref().and_then(|a| a.derivation.as_ref());
        assert_eq!(d.map(|d| d.order), Some(Order::Jacobian));
        // Its symbols are in the panel, and choosing another variable derives with respect to it.
        let names: Vec<_> = s.panel().rows.iter().map(|(x, _)| x.name.clone()).collect();
        assert_eq!(names, ["A", "X", "B"]);
        assert_eq!(s.panel().wrt.as_deref(), Some("X"));
        let s = s.then(Action::SetWrt("A".into()));
        assert_eq!(
            s.second
                .as_ref()
                .and_then(|a| a.problem.as_ref())
                .map(|p| p.wrt.as_str()),
            Some("A")
        );
        // The toggle does not turn a Jacobian into a Hessian.
        assert_eq!(
            s.then(Action::SetHessian(true)).second_order(),
            Some(Order::Jacobian)
        );
        let s = start().then(Action::SetExpr("x + X".into()));
        assert!(!s.array_f() && !s.expr_errors().is_empty());
        assert_eq!(s.then(Action::SetHessian(true)).second_order(), None);
        let s = start().then(Action::SetExpr("logdet(X)".into()));
        assert_eq!(s.second_order(), None);
        let s = s.then(Action::SetHessian(true));
        assert_eq!(s.second_order(), Some(Order::Hessian));
        let d = s.second.as_ref().and_then(|a| a.derivation.as_ref());
        assert_eq!(d.map(|d| d.order), Some(Order::Hessian));
        assert_eq!(s.history, HistoryOp::Push);
        let q = url::encode(&s.permalink());
        assert!(q.ends_with("&order=2"), "{q}");
        let back = State::from_permalink(url::decode(&q));
        assert!(back.hessian && back.second_order() == Some(Order::Hessian));
        let off = s.then(Action::SetHessian(false));
        assert_eq!(off.second_order(), None);
        assert!(off.second.is_none());
        assert!(!url::encode(&off.permalink()).contains("order"));
    }

    #[test]
    fn permalink_round_trip_through_the_state() {
        let s = start()
            .then(Action::LoadExample(7))
            .then(Action::SetSize("n".into(), Some(3)))
            .then(Action::NewSeed(9));
        let q = url::encode(&s.permalink());
        let back = State::from_permalink(url::decode(&q));
        assert_eq!(back.permalink(), s.permalink());
        assert_eq!(gradient(&back), gradient(&s));
        assert_eq!(back.history, HistoryOp::None);
        let restored = start().then(Action::Restore(url::decode(&q)));
        assert_eq!(restored.expr, s.expr);
        assert_eq!(restored.history, HistoryOp::None);
    }

    /// The layout is a discrete action (pushed), in the permalink, and derives or checks nothing
    /// again.
    #[test]
    fn the_layout_is_pushed_and_kept_in_the_link_without_a_new_check() {
        let s = start().then(Action::SetExpr("tr(A*X*B)".into()));
        let t = s.apply(Action::SetLayout(Layout::Numerator));
        assert_eq!(t.history, HistoryOp::Push);
        assert_eq!(t.permalink().layout, Layout::Numerator);
        assert!(Rc::ptr_eq(
            t.shown.as_ref().expect("shown"),
            s.shown.as_ref().expect("shown")
        ));
        assert_eq!(
            State::from_permalink(t.permalink()).layout,
            Layout::Numerator
        );
    }
}
