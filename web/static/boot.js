// Starts the page: loads the wasm module Trunk built (fixed names, filehash = false), and
// restarts it after an internal error. A file of its own, so the Content-Security-Policy needs
// no inline script.
//
// Recovery: the wasm is built with panic = "abort", so a panic cannot be caught and its instance
// must not run again. The panic hook calls window.matdiffPanicked(message); we then drop that
// instance (a fresh #app element, so its delegated event listeners go with the old one) and
// start a new one from a fresh copy of the JS glue, with the user's input carried over in the
// address bar and window.matdiffRecovering set: the page shows the input, says what happened,
// and derives again at the next edit. After MAX_RESTARTS panics within RESTART_WINDOW_MS it
// stops and asks for a reload instead of looping.

const GLUE = new URL("./matdiff-web.js", import.meta.url);
const WASM = new URL("./matdiff-web_bg.wasm", import.meta.url);
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

const restarts = [];
let generation = 0;
let compiled = null;

const panicBox = () => document.getElementById("panic");

// Shows `message` in the page's alert box; `dismissable` adds a button that hides it.
const show = (message, dismissable) => {
  const box = panicBox();
  if (!box) return;
  box.replaceChildren();
  const text = document.createElement("span");
  text.textContent = message;
  box.append(text);
  if (dismissable) {
    const close = document.createElement("button");
    close.type = "button";
    close.className = "dismiss";
    close.textContent = "Dismiss";
    close.addEventListener("click", () => {
      box.hidden = true;
      document.getElementById("expr")?.focus();
    });
    box.append(" ", close);
  }
  box.hidden = false;
};

// The compiled module, kept so a restart instantiates it again without fetching or compiling.
const compile = async () => {
  if (compiled) return compiled;
  const response = await fetch(WASM);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${WASM.pathname}`);
  const type = response.headers.get("content-type") ?? "";
  compiled = type.startsWith("application/wasm")
    ? await WebAssembly.compileStreaming(response)
    : await WebAssembly.compile(await response.arrayBuffer());
  return compiled;
};

// Starts one instance: its own copy of the glue (a new module record per generation, so the new
// instance shares no state with a stopped one) on the compiled module.
const start = async () => {
  const glue = new URL(GLUE);
  if (generation > 0) glue.searchParams.set("instance", String(generation));
  const [bindings, module] = await Promise.all([import(glue.href), compile()]);
  await bindings.default({ module_or_path: module });
  window.matdiffBindings = bindings;
  // How many times the page was restarted (read by the recovery tests).
  window.matdiffGeneration = generation;
};

// What the user had on screen: the instance's last state, with the text of the two inputs as
// typed (a panic inside an update leaves the state one keystroke behind the input).
const carriedOverQuery = () => {
  const query = new URLSearchParams(window.matdiffQuery ?? location.search);
  const expr = document.getElementById("expr");
  const decls = document.getElementById("decls");
  if (expr) query.set("f", expr.value);
  if (decls) {
    if (decls.value.trim()) query.set("decls", decls.value);
    else query.delete("decls");
  }
  return query;
};

// Where the keyboard was: the focused input and its selection, to put them back.
const focusState = () => {
  const el = document.activeElement;
  if (!(el instanceof HTMLInputElement) || !el.id) return null;
  return { id: el.id, start: el.selectionStart, end: el.selectionEnd };
};

const restoreFocus = (focus) => {
  if (!focus) return;
  const el = document.getElementById(focus.id);
  if (!(el instanceof HTMLInputElement)) return;
  el.focus();
  try {
    el.setSelectionRange(focus.start, focus.end);
  } catch {
    // Inputs without a text selection (numbers) keep the default caret.
  }
};

const restart = async (message) => {
  const now = Date.now();
  while (restarts.length && now - restarts[0] > RESTART_WINDOW_MS) restarts.shift();
  if (restarts.length >= MAX_RESTARTS) {
    show(
      "matdiff stopped after repeated internal errors. Reload the page to start again, and please report this " +
        "(with this page's address): " + message,
      false,
    );
    return;
  }
  restarts.push(now);

  const query = carriedOverQuery();
  const focus = focusState();
  // Spaces as %20, as the page writes them: the page reads a literal `+` in `f` as a plus
  // (URLSearchParams writes a plus as %2B, so every `+` it writes is a space).
  const q = query.toString().replace(/\+/g, "%20");
  history.replaceState(history.state, "", location.pathname + (q ? "?" + q : ""));

  const old = document.getElementById("app");
  const fresh = document.createElement("div");
  fresh.id = "app";
  if (old) old.replaceWith(fresh);
  else document.body.append(fresh);

  generation += 1;
  window.matdiffRecovering = true;
  window.matdiffQuery = undefined;
  try {
    await start();
  } catch (err) {
    console.error(err);
    show("matdiff could not restart after an internal error; please reload the page (" + err + ").", false);
    return;
  }
  restoreFocus(focus);
  show(
    "matdiff hit an internal error and restarted. Your input is kept: edit it to derive again. " +
      "If this happens again, please report it with this page's address. Details: " + message,
    true,
  );
};

// Called by the panic hook, inside the panicking call: the restart waits until that call has
// unwound (the trap that ends it comes right after the hook).
window.matdiffPanicked = (message) => {
  setTimeout(() => restart(String(message)), 0);
};

if (new URLSearchParams(location.search).get("embed") === "1") {
  document.documentElement.classList.add("embed");
}

start().catch((err) => {
  console.error(err);
  show("matdiff could not start: this browser could not load its WebAssembly module (" + err + ").", false);
});
