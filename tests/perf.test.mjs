// Browser timings for the size/perf report (issue 3's figures). Not a timed pass/fail test: it
// fails only if the page stops working; the medians are printed and written to
// tests/artifacts/perf.json, which `cargo xtask size` prints and the README records.
//
// - keystroke → derivation painted: the page shows a one-character variant of a note example;
//   one real key press turns it into the example. Measured in the page from the input event's
//   timeStamp to (a) the DOM holding the new gradient (MutationObserver) and (b) the next frame
//   painted (requestAnimationFrame, then a message-channel task that runs after the paint);
//   and (c) the main thread's CPU time over the same span (CDP Performance metrics in thread
//   ticks), a figure a busy machine does not inflate the way it inflates wall time.
// - floors: the same key press on the same page, with the page's own handling of it stopped (the
//   input event is stopped before Yew sees it) and the derivation's lines (`ol[data-testid=
//   derivation]`) replaced straight from the event handler, timed the same way: (keystroke) nothing
//   replaced, the cost of the key press itself; (text) the lines replaced by their TeX as plain
//   text; (katex) by the example's formulas typeset beforehand by KaTeX, in one innerHTML (no
//   KaTeX call, no framework: the browser's cost of showing KaTeX's HTML); (typeset) KaTeX
//   typesets the example's formulas in the handler, then they replace the variant's. The three
//   replacements differ only in the formulas: the same `li`, no numbers, rule names or marks.
//   They bound what any page could reach with that rendering on this machine. The page and the
//   four floors are interleaved (key by key, the page in one tab and the floors in another), so
//   load affects them alike; `page_over_katex_floor` is the page's median over the KaTeX floor's
//   (target ≤ 1.1, which `cargo xtask size` marks). A fifth floor, (picture), swaps in the page's
//   own picture of the example, taken from the page once it has settled: the preview, the
//   symbol panel and the results (derivation with its numbers, rule names and marks, gradient
//   box, check panel), each by one innerHTML — the same pixels the page paints, shown by the
//   browser's fastest path, with no script of the page; `page_over_picture_floor` is the page's
//   median over it: what the page's own work (engine, Yew, the cached renderings' moves) adds.
// - typing: on a page that has already shown one other derivation, the example typed into the
//   emptied field key by key, 120 ms apart (a quick typist, and time for the check that follows
//   a paint), each key timed from its input event to the next frame painted; most keys leave an
//   incomplete expression (an error under the input, the last derivation kept), a few bring a
//   derivation the page has not shown before.
// - first derivation after navigation: from navigation start (performance.now() = 0) to the
//   first frame painted with a gradient in the box; the first load is cold, later ones warm.
//   Also *visible*: the first frame painted once the fonts that layout requested have loaded
//   (until then KaTeX's text is painted blank).
//
// MATDIFF_PERF_REPS (keystrokes per example, default 15) and MATDIFF_PERF_LOADS (loads per
// example, default 6) take more samples on a noisy machine; the load averages at the start and
// the end are recorded with the figures, since wall times on a shared machine depend on them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  useBrowser, openPage, permalink, SEL, NOTE_EXAMPLES, ARTIFACTS,
  gradientTex, normTex, waitForGradient, until,
} from './support.mjs';

const count = (v, d) => (Number.isInteger(Number(v)) && Number(v) > 1 ? Number(v) : d);
const REPS = count(process.env.MATDIFF_PERF_REPS, 15);
const LOADS = count(process.env.MATDIFF_PERF_LOADS, 6);
const loadAverage = () => os.loadavg().map((x) => Math.round(x * 100) / 100).join(' / ');

/** One-character variants and the key that turns each into the note's example. */
const VARIANTS = {
  'least-squares': { variant: '||A*x - b||^3', at: 12, key: '2' },
  trace: { variant: 'tr(A*X*C)', at: 7, key: 'B' },
  logdet: { variant: "logdet(X'*Y)", at: 10, key: 'X' },
};

const figures = {
  keystroke_to_paint_ms_median: {},
  keystroke_to_dom_ms_median: {},
  keystroke_main_thread_cpu_ms_median: {},
  floor_keystroke_only_ms_median: {},
  floor_swap_text_lines_ms_median: {},
  floor_swap_katex_lines_ms_median: {},
  floor_typeset_and_swap_ms_median: {},
  page_over_katex_floor: {},
  floor_swap_picture_ms_median: {},
  page_over_picture_floor: {},
  typing_key_to_paint_ms_median: {},
  typing_key_to_paint_ms_max: {},
  first_derivation_ms_median_warm: {},
  first_derivation_ms_cold: {},
  first_derivation_visible_ms_median_warm: {},
  first_derivation_visible_ms_cold: {},
  load_average_1_5_15_min: { start: loadAverage() },
};

const env = useBrowser(async () => {
  figures.load_average_1_5_15_min.end = loadAverage();
  figures.environment = `${os.cpus().length} cores, headless ${process.env.MATDIFF_CHROMIUM ?? '/usr/bin/chromium'}, ${REPS} keystrokes and ${LOADS} loads per example, localhost`;
  await fsp.mkdir(ARTIFACTS, { recursive: true });
  await fsp.writeFile(path.join(ARTIFACTS, 'perf.json'), JSON.stringify(figures, null, 2) + '\n');
  console.log('perf figures:', JSON.stringify(figures, null, 2));
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;

/**
 * Init script: `window.__nextPaint()` resolves, with `performance.now()`, after the next frame
 * has been painted (requestAnimationFrame, then a message-channel task that runs after the paint).
 */
function installNextPaint() {
  window.__nextPaint = () => new Promise((resolve) => requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve(performance.now());
    ch.port2.postMessage(0);
  }));
}

/** A page of the site with the console, requests and CSP recorded, and `__nextPaint` installed. */
async function openTimedPage() {
  const rec = await openPage(env.browser.context, env.server.origin);
  await rec.page.addInitScript(installNextPaint);
  return rec;
}

/** Installs the observer that timestamps the next input event and the gradient turning `want`. */
function arm(page, want) {
  return page.evaluate(({ sel, want }) => {
    window.__perf = new Promise((resolve) => {
      let tInput = null;
      let tDom = null;
      const read = () => Array.from(
        document.querySelectorAll(`${sel} annotation[encoding="application/x-tex"]`),
        (n) => n.textContent,
      ).join(' ');
      const onInput = (e) => { if (tInput === null) tInput = e.timeStamp; };
      document.addEventListener('input', onInput, true);
      const done = (v) => { document.removeEventListener('input', onInput, true); resolve(v); };
      const obs = new MutationObserver(() => {
        if (tDom !== null || tInput === null || read() !== want) return;
        tDom = performance.now();
        obs.disconnect();
        window.__nextPaint().then((t) => done({ dom: tDom - tInput, paint: t - tInput }));
      });
      obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      setTimeout(() => { obs.disconnect(); done(null); }, 5000);
    });
  }, { sel: SEL.gradient, want });
}

for (const ex of NOTE_EXAMPLES) {
  test(`first derivation after navigation: ${ex.f}`, async () => {
    const times = [];
    const visible = [];
    for (let i = 0; i < LOADS; i++) {
      const rec = await openTimedPage();
      const { page } = rec;
      await page.addInitScript((sel) => {
        window.__firstPaint = null;
        window.__firstVisible = null;
        const painted = () => window.__nextPaint();
        const mo = new MutationObserver(() => {
          if (!document.querySelector(`${sel} annotation`)) return;
          mo.disconnect();
          painted().then(async (t) => {
            window.__firstPaint = t;
            // Visible: text in a web font that is still loading is painted blank, so the
            // derivation is visible at the first frame painted once the fonts its layout asked
            // for have loaded.
            if (document.fonts.status === 'loaded') {
              window.__firstVisible = t;
            } else {
              await document.fonts.ready;
              window.__firstVisible = await painted();
            }
          });
        });
        mo.observe(document, { subtree: true, childList: true });
      }, SEL.gradient);
      if (i === 0) {
        // The first load of each example starts with an empty HTTP cache.
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Network.clearBrowserCache');
        await cdp.detach();
      }
      await page.goto(permalink(env.server.base, { f: ex.f }));
      await waitForGradient(page, ex.grad);
      const t = await until(() => page.evaluate(() => window.__firstPaint), { describe: () => 'no first paint recorded' });
      times.push(t);
      visible.push(await until(() => page.evaluate(() => window.__firstVisible), { describe: () => 'no visible derivation recorded' }));
      await page.close();
    }
    figures.first_derivation_ms_cold[ex.f] = round(times[0]);
    figures.first_derivation_ms_median_warm[ex.f] = round(median(times.slice(1)));
    figures.first_derivation_visible_ms_cold[ex.f] = round(visible[0]);
    figures.first_derivation_visible_ms_median_warm[ex.f] = round(median(visible.slice(1)));
    console.log(`${ex.f}: first derivation painted ${round(times[0])} ms (first load), median ${round(median(times.slice(1)))} ms (warm); with its fonts loaded ${round(visible[0])} ms, median ${round(median(visible.slice(1)))} ms`);
  });
}

/**
 * Sets up the floors on `page`, which shows the example: the derivation's lines of the variant
 * and of the example are read, and an input listener that stops the page's own handling of the key
 * and replaces the lines itself is installed; `window.__floor.arm(mode)` shows the variant's lines
 * for `mode` and makes the next key press measure it.
 */
async function installFloors(page, ex, v) {
  const lines = () => page.evaluate((parts) => {
    const ol = document.querySelector('ol[data-testid="derivation"]');
    const tex = Array.from(ol.querySelectorAll('annotation[encoding="application/x-tex"]'), (n) => n.textContent);
    const picture = parts.map((sel) => document.querySelector(sel).innerHTML);
    return { html: ol.innerHTML, tex, picture };
  }, PICTURE);
  const example = await lines();
  const input = page.locator(SEL.expr);
  await input.fill(v.variant);
  await until(async () => normTex(await gradientTex(page)) !== normTex(ex.grad), { describe: () => 'variant did not change the gradient' });
  await page.waitForTimeout(300);
  const variant = await lines();
  assert.ok(example.tex.length > 2 && variant.tex.length > 2, 'both derivations have lines');
  await page.evaluate(({ a, b, parts }) => {
    // Looked up at each use: the picture floor replaces the results, the list with them.
    const list = () => document.querySelector('ol[data-testid="derivation"]');
    const show = (x) => () => parts.forEach((sel, i) => { document.querySelector(sel).innerHTML = x.picture[i]; });
    const esc = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const li = (body) => `<li class="step"><div class="eq scroll-x">${body}</div></li>`;
    const text = (x) => x.tex.map((t) => li(esc(t))).join('');
    const typeset = (x) => x.tex.map((t) => li(katex.renderToString(t, { displayMode: true }))).join('');
    const [typesetA, typesetB] = [typeset(a), typeset(b)];
    // mode → [lines shown before the key, lines after it (a function run by the handler)]
    const modes = {
      keystroke: [b.html, null],
      text: [text(a), () => text(b)],
      katex: [typesetA, () => typesetB],
      typeset: [typesetA, () => typeset(b)],
      picture: [show(a), show(b)],
    };
    const floor = { mode: null, result: null };
    floor.arm = (mode) => {
      floor.mode = mode;
      floor.result = null;
      const before = modes[mode][0];
      if (typeof before === 'function') before();
      else list().innerHTML = before;
    };
    document.addEventListener('input', (e) => {
      if (!floor.mode) return;
      e.stopImmediatePropagation();
      const [mode, after] = [floor.mode, modes[floor.mode][1]];
      floor.mode = null;
      if (mode === 'picture') after();
      else if (after) list().innerHTML = after();
      window.__nextPaint().then((t) => { floor.result = t - e.timeStamp; });
    }, true);
    window.__floor = floor;
  }, { a: variant, b: example, parts: PICTURE });
  return { example, lines };
}

const FLOORS = ['keystroke', 'text', 'katex', 'typeset', 'picture'];
/** The parts of the page a key press redraws, which the picture floor swaps. */
const PICTURE = ['[data-testid="preview"]', 'section.symbols', 'div.results'];

for (const ex of NOTE_EXAMPLES) {
  test(`keystroke → derivation painted, the page and its floors interleaved: ${ex.f}`, async () => {
    const v = VARIANTS[ex.name];
    assert.equal(v.variant.slice(0, v.at) + v.key + v.variant.slice(v.at + 1), ex.f, 'variant is one key away');
    // Two tabs of the site showing the example: the page itself, and one where the floors are
    // measured (their handler replaces the page's lines, which the page could not patch after).
    const { page } = await openTimedPage();
    await page.goto(permalink(env.server.base, { f: ex.f }));
    await waitForGradient(page, ex.grad);
    const want = await gradientTex(page);
    const input = page.locator(SEL.expr);
    const { page: floorPage } = await openTimedPage();
    await floorPage.goto(permalink(env.server.base, { f: ex.f }));
    await waitForGradient(floorPage, ex.grad);
    const floors = await installFloors(floorPage, ex, v);
    const floorInput = floorPage.locator(SEL.expr);
    const dom = [];
    const paint = [];
    const cpu = [];
    const times = Object.fromEntries(FLOORS.map((m) => [m, []]));
    // Main-thread CPU time (thread ticks), which a loaded machine does not inflate.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const taskSeconds = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
    };
    for (let i = 0; i < REPS; i++) {
      // The page: the variant shown, then the key that turns it into the example.
      await page.bringToFront();
      await input.fill(v.variant);
      await until(async () => normTex(await gradientTex(page)) !== normTex(ex.grad), { describe: () => 'variant did not change the gradient' });
      await page.waitForTimeout(100);
      await input.evaluate((el, at) => { el.focus(); el.setSelectionRange(at, at + 1); }, v.at);
      await arm(page, want);
      const before = await taskSeconds();
      await page.keyboard.type(v.key);
      const r = await page.evaluate(() => window.__perf);
      const after = await taskSeconds();
      assert.ok(r, 'the derivation updated within 5 s of the key press');
      dom.push(r.dom);
      paint.push(r.paint);
      cpu.push((after - before) * 1000);
      // The floors, the same key on the other tab.
      await floorPage.bringToFront();
      for (const mode of FLOORS) {
        await floorInput.evaluate((el, { variant, at, mode }) => {
          el.value = variant;
          el.focus();
          el.setSelectionRange(at, at + 1);
          window.__floor.arm(mode);
        }, { variant: v.variant, at: v.at, mode });
        await floorPage.waitForTimeout(150);
        await floorPage.keyboard.type(v.key);
        times[mode].push(await until(() => floorPage.evaluate(() => window.__floor.result), { describe: () => `no ${mode} floor recorded` }));
      }
    }
    assert.equal(await input.inputValue(), ex.f);
    // The floors' handler really replaced the lines: the example's TeX is what that tab shows now.
    const shown = await floors.lines();
    assert.deepEqual(shown.tex, floors.example.tex);
    figures.keystroke_to_dom_ms_median[ex.f] = round(median(dom));
    figures.keystroke_to_paint_ms_median[ex.f] = round(median(paint));
    figures.keystroke_main_thread_cpu_ms_median[ex.f] = round(median(cpu));
    figures.floor_keystroke_only_ms_median[ex.f] = round(median(times.keystroke));
    figures.floor_swap_text_lines_ms_median[ex.f] = round(median(times.text));
    figures.floor_swap_katex_lines_ms_median[ex.f] = round(median(times.katex));
    figures.floor_typeset_and_swap_ms_median[ex.f] = round(median(times.typeset));
    const ratio = median(paint) / median(times.katex);
    figures.page_over_katex_floor[ex.f] = Math.round(ratio * 100) / 100;
    figures.floor_swap_picture_ms_median[ex.f] = round(median(times.picture));
    const pictureRatio = median(paint) / median(times.picture);
    figures.page_over_picture_floor[ex.f] = Math.round(pictureRatio * 100) / 100;
    console.log(`${ex.f}: keystroke→DOM median ${round(median(dom))} ms, keystroke→paint median ${round(median(paint))} ms (min ${round(Math.min(...paint))}, max ${round(Math.max(...paint))}), main-thread CPU median ${round(median(cpu))} ms`);
    console.log(`${ex.f}: floors, key→paint median: keystroke alone ${round(median(times.keystroke))} ms, lines as plain text ${round(median(times.text))} ms, KaTeX lines swapped ${round(median(times.katex))} ms, typeset and swapped ${round(median(times.typeset))} ms, the page's picture swapped ${round(median(times.picture))} ms; page / KaTeX floor ${ratio.toFixed(2)}, page / picture floor ${pictureRatio.toFixed(2)}`);
    await cdp.detach();
    await floorPage.close();
    await page.close();
  });
}

for (const ex of NOTE_EXAMPLES) {
  test(`typing key by key → each frame painted: ${ex.f}`, async () => {
    const rec = await openTimedPage();
    const { page } = rec;
    await page.goto(env.server.base);
    const input = page.locator(SEL.expr);
    await input.waitFor();
    await input.click();
    // A page in use: one other derivation typed and shown first (KaTeX and the page warmed up).
    await page.keyboard.type('det(X)', { delay: 30 });
    await waitForGradient(page, '\\det(\\mathbf{X}) \\mathbf{X}^{-\\top}');
    await input.fill('');
    await page.evaluate(() => {
      window.__keys = [];
      document.addEventListener('input', (e) => {
        const t = e.timeStamp;
        window.__nextPaint().then((p) => window.__keys.push(p - t));
      }, true);
    });
    await page.keyboard.type(ex.f, { delay: 120 });
    await waitForGradient(page, ex.grad);
    const keys = await until(async () => {
      const k = await page.evaluate(() => window.__keys);
      return k.length === ex.f.length ? k : null;
    }, { describe: () => 'not every key press was timed' });
    figures.typing_key_to_paint_ms_median[ex.f] = round(median(keys));
    figures.typing_key_to_paint_ms_max[ex.f] = round(Math.max(...keys));
    console.log(`${ex.f}: typed key by key, key→paint median ${round(median(keys))} ms, max ${round(Math.max(...keys))} ms over ${keys.length} keys (${keys.map(round).join(" ")})`);
    await page.close();
  });
}
