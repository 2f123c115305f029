// Starts the page: loads the wasm module Trunk built (fixed names, filehash = false).
// A file of its own, so the Content-Security-Policy needs no inline script.
import init from "./matdiff-web.js";

const fail = (message) => {
  const box = document.getElementById("panic");
  if (box) {
    box.textContent = message;
    box.hidden = false;
  }
};

if (new URLSearchParams(location.search).get("embed") === "1") {
  document.documentElement.classList.add("embed");
}

init({ module_or_path: new URL("./matdiff-web_bg.wasm", import.meta.url) }).catch((err) => {
  console.error(err);
  fail("matdiff could not start: this browser could not load its WebAssembly module (" + err + ").");
});
