// Shows a formula by patching the one already on screen: window.matdiffMorph(host, template)
// makes host's children equal to template's, changing only what differs.
//
// Why: a keystroke usually turns each derivation line into a close variant of itself (`^3` →
// `^2`, `C` → `B`). Replacing a line's KaTeX rendering means the browser styles, lays out and
// paints some 150 new elements per line (about 2,000 for a derivation), most of them identical
// to the ones they replace; patching leaves the unchanged ones, and their layout, alone.
//
// A formula whose TeX changed in more than half is copied from its template whole instead.
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

  const tex = (el) => el.querySelector('annotation[encoding="application/x-tex"]')?.textContent ?? "";

  // Whether the new TeX keeps most of the old: of the same length with at most a quarter of its
  // characters changed (a symbol renamed, wherever it occurs), or with the part that changed,
  // between their common prefix and suffix, at most half of the longer. Otherwise patching finds
  // little to keep and walking both trees costs more than copying the template whole.
  const similar = (a, b) => {
    if (a.length === b.length) {
      let d = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
      if (d <= a.length / 4) return true;
    }
    const n = Math.max(a.length, b.length);
    let p = 0;
    while (p < a.length && p < b.length && a[p] === b[p]) p++;
    let q = 0;
    while (q < a.length - p && q < b.length - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
    return n - p - q <= n / 2;
  };

  window.matdiffMorph = (host, template) => {
    if (host.firstChild && similar(tex(host), tex(template))) {
      patchChildren(host, template);
    } else {
      host.replaceChildren(...template.cloneNode(true).childNodes);
    }
  };
})();
