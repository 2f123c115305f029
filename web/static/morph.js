// Shows a formula by patching the one already on screen: window.matdiffMorph(host, template)
// makes host's children equal to template's, changing only what differs.
//
// Why: a keystroke usually turns each derivation line into a close variant of itself (`^3` →
// `^2`, `C` → `B`). Replacing a line's KaTeX rendering means the browser styles, lays out and
// paints some 150 new elements per line (about 2,000 for a derivation), most of them identical
// to the ones they replace; patching leaves the unchanged ones, and their layout, alone.
//
// web/src/katex.rs calls it when the new TeX is similar to the old; otherwise the two renderings
// trade places there, without a copy.
//
// The template is a cached KaTeX rendering that is never put on screen: nodes are copied from it
// (cloneNode), never moved. Siblings are matched in order by tag and class, looking one node
// ahead on either side to absorb an insertion or a removal; any other mismatch patches the node
// in place, or replaces it when the tags differ. The result is equal to the template's children
// node for node (a browser test compares them), so what is shown never depends on the patching.

(() => {
  "use strict";

  const key = (n) =>
    n.nodeType === Node.ELEMENT_NODE
      ? `${n.namespaceURI} ${n.localName} ${n.getAttribute("class") ?? ""}`
      : `#${n.nodeType}`;

  const sameTag = (a, b) =>
    a.nodeType === b.nodeType &&
    (a.nodeType !== Node.ELEMENT_NODE ||
      (a.namespaceURI === b.namespaceURI && a.localName === b.localName));

  const patchAttributes = (live, want) => {
    for (const a of want.attributes) {
      if (live.getAttribute(a.name) !== a.value) live.setAttribute(a.name, a.value);
    }
    for (let i = live.attributes.length - 1; i >= 0; i--) {
      const name = live.attributes[i].name;
      if (!want.hasAttribute(name)) live.removeAttribute(name);
    }
  };

  const patchNode = (live, want) => {
    if (live.nodeType !== Node.ELEMENT_NODE) {
      if (live.nodeValue !== want.nodeValue) live.nodeValue = want.nodeValue;
      return;
    }
    // The browser compares whole subtrees faster than a walk in script: most are unchanged.
    if (live.isEqualNode(want)) return;
    patchAttributes(live, want);
    patchChildren(live, want);
  };

  const patchChildren = (host, template) => {
    let live = host.firstChild;
    let want = template.firstChild;
    while (want) {
      if (!live) {
        host.appendChild(want.cloneNode(true));
        want = want.nextSibling;
        continue;
      }
      const k = key(want);
      if (key(live) !== k) {
        // One node removed from the live list: drop it and match its successor.
        if (live.nextSibling && key(live.nextSibling) === k && !(want.nextSibling && key(want.nextSibling) === key(live))) {
          const gone = live;
          live = live.nextSibling;
          host.removeChild(gone);
          continue;
        }
        // One node inserted in the template: copy it in before the live one.
        if (want.nextSibling && key(want.nextSibling) === key(live)) {
          host.insertBefore(want.cloneNode(true), live);
          want = want.nextSibling;
          continue;
        }
      }
      const next = live.nextSibling;
      if (sameTag(live, want)) {
        patchNode(live, want);
      } else {
        host.replaceChild(want.cloneNode(true), live);
      }
      live = next;
      want = want.nextSibling;
    }
    while (live) {
      const next = live.nextSibling;
      host.removeChild(live);
      live = next;
    }
  };

  window.matdiffMorph = (host, template) => patchChildren(host, template);
})();
