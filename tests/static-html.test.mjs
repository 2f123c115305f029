// Static derivations (issue 16): `matdiff derive --format html --standalone` pages opened
// offline from file:// with a local copy of KaTeX's CSS and fonts (node_modules/katex/dist), all
// network requests blocked and none made; the formulas laid out by KaTeX's CSS and fonts, no
// script, a screenshot of a page made of several standalone outputs. And the page's Embed dialog:
// its static HTML (typeset by the page's KaTeX script) is the command's, byte for byte.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  launch, startServer, openPage, permalink, screenshot, waitForGradient, assertClean, NOTE_EXAMPLES,
} from './support.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KATEX_DIST = path.join(root, 'node_modules', 'katex', 'dist');
/** The note's examples and one with a square root (KaTeX draws it as SVG). */
const CASES = [...NOTE_EXAMPLES, { name: 'sqrt', f: "sqrt(x'*x) / (1 + x'*x)" }];

let browser;
let dir;
let bin;

/** The `matdiff` binary, built (debug) if need be. */
function matdiffBinary() {
  const built = spawnSync('cargo', ['build', '-q', '-p', 'matdiff'], { cwd: root, stdio: 'inherit' });
  assert.equal(built.status, 0, 'cargo build -p matdiff');
  const target = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target');
  return path.join(target, 'debug', 'matdiff');
}

function derive(bin, args) {
  const r = spawnSync(bin, ['derive', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `matdiff derive ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const pages = {};

before(async () => {
  bin = matdiffBinary();
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'matdiff-static-'));
  // KaTeX's CSS with its fonts beside it, where the pages link it by default.
  await fsp.mkdir(path.join(dir, 'katex'));
  await fsp.copyFile(path.join(KATEX_DIST, 'katex.min.css'), path.join(dir, 'katex', 'katex.min.css'));
  await fsp.cp(path.join(KATEX_DIST, 'fonts'), path.join(dir, 'katex', 'fonts'), { recursive: true });
  for (const c of CASES) {
    pages[c.name] = derive(bin, [c.f, '--format', 'html', '--standalone']);
    await fsp.writeFile(path.join(dir, `${c.name}.html`), pages[c.name]);
  }
  // One page made of the standalone outputs: the first one's head, every one's body.
  const bodies = CASES.map((c) => {
    const p = pages[c.name];
    return p.slice(p.indexOf('<body>\n') + 7, p.indexOf('</body>'));
  });
  const first = pages[CASES[0].name];
  const all = first.slice(0, first.indexOf('<body>\n') + 7) + bodies.join('<hr />\n') + '</body>\n</html>\n';
  await fsp.writeFile(path.join(dir, 'all.html'), all);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

/** Opens a file offline: every request that is not a file under `dir` is blocked and recorded. */
async function open(file) {
  const page = await browser.context.newPage();
  const log = { requests: [], blocked: [], errors: [] };
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(pathToFileURL(dir).href + '/')) return route.continue();
    log.blocked.push(url);
    return route.abort('blockedbyclient');
  });
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
  page.on('pageerror', (e) => log.errors.push(e.message));
  page.on('requestfailed', (r) => log.errors.push(`failed: ${r.url()}`));
  await page.goto(pathToFileURL(path.join(dir, file)).href);
  await page.evaluate(() => document.fonts.ready);
  return { page, log };
}

/** What the page shows, read from the DOM. */
function inspect(page) {
  return page.evaluate(() => {
    const box = (el) => el.getBoundingClientRect();
    const mathml = document.querySelector('.katex-mathml');
    return {
      scripts: document.querySelectorAll('script').length,
      derivations: document.querySelectorAll('.matdiff-derivation').length,
      steps: document.querySelectorAll('.matdiff-step').length,
      math: document.querySelectorAll('math').length,
      displays: document.querySelectorAll('.katex-display').length,
      rules: Array.from(document.querySelectorAll('.matdiff-rule'), (r) => r.textContent),
      // \boxed: KaTeX's framed box, with a border from its CSS.
      boxes: Array.from(document.querySelectorAll('.matdiff-step:last-child .fbox'),
        (b) => parseFloat(getComputedStyle(b).borderTopWidth)),
      // KaTeX's CSS took effect: the MathML is clipped away (still there for screen readers),
      // the HTML has its size, and KaTeX's own fonts were loaded from the local copy.
      mathmlHidden: mathml ? getComputedStyle(mathml).position === 'absolute' && box(mathml).width <= 1 : false,
      formulaWidths: Array.from(document.querySelectorAll('.katex-html'), (k) => box(k).width),
      katexFonts: Array.from(document.fonts).filter((f) => f.family.startsWith('KaTeX') && f.status === 'loaded').map((f) => f.family),
      mainFont: getComputedStyle(document.querySelector('.katex')).fontFamily,
    };
  });
}

for (const c of CASES) {
  test(`standalone page offline: ${c.f}`, async () => {
    const { page, log } = await open(`${c.name}.html`);
    const seen = await inspect(page);
    assert.equal(seen.scripts, 0, 'no script element');
    assert.equal(seen.derivations, 1);
    assert.ok(seen.steps >= 3, `${seen.steps} lines`);
    assert.equal(seen.math, seen.steps, 'one MathML formula per line');
    assert.equal(seen.displays, seen.steps);
    assert.equal(seen.rules.length, seen.steps - 1, 'a rule for every line after the first');
    assert.ok(seen.rules.every((r) => /^by .+ \S+$/.test(r)), seen.rules.join('\n'));
    assert.deepEqual(seen.boxes.length, 1, 'the result is boxed');
    assert.ok(seen.boxes[0] > 0, 'the box has a border (KaTeX CSS)');
    assert.ok(seen.mathmlHidden, 'KaTeX CSS hides the MathML visually');
    assert.ok(seen.formulaWidths.every((w) => w > 20), `formula widths ${seen.formulaWidths}`);
    assert.match(seen.mainFont, /KaTeX_Main/);
    assert.ok(seen.katexFonts.includes('KaTeX_Main'), `fonts loaded: ${seen.katexFonts}`);
    assert.deepEqual(log.blocked, [], 'no network request');
    assert.ok(log.requests.every((u) => u.startsWith('file://')), log.requests.join('\n'));
    assert.ok(log.requests.some((u) => /katex\/katex\.min\.css$/.test(u)), 'the local stylesheet was loaded');
    assert.ok(log.requests.some((u) => /katex\/fonts\/KaTeX_Main-Regular\.woff2$/.test(u)), 'the local fonts were loaded');
    assert.deepEqual(log.errors, []);
    await page.close();
  });
}

test('a page of several standalone outputs, offline, screenshot', async () => {
  const { page, log } = await open('all.html');
  const seen = await inspect(page);
  assert.equal(seen.derivations, CASES.length);
  assert.equal(seen.scripts, 0);
  assert.equal(seen.math, seen.steps);
  assert.equal(seen.boxes.filter((w) => w > 0).length, CASES.length, 'one boxed result per derivation');
  assert.deepEqual(log.blocked, [], 'no network request');
  assert.ok(log.requests.every((u) => u.startsWith('file://')), log.requests.join('\n'));
  assert.deepEqual(log.errors, []);
  const shot = await screenshot(page, 'static-html-standalone');
  assert.ok(fs.existsSync(shot), shot);
  await page.close();
});

test("the Embed dialog's static HTML is the command's `derive --format html`, byte for byte", async (t) => {
  const server = await startServer();
  try {
    for (const ex of NOTE_EXAMPLES) {
      const rec = await openPage(browser.context, server.origin);
      const { page } = rec;
      await page.goto(permalink(server.base, { f: ex.f }));
      await waitForGradient(page, ex.grad);
      await page.getByRole('button', { name: 'Embed' }).click();
      const html = await page.getByLabel(/^Static HTML/).inputValue();
      assert.equal(html, derive(bin, [ex.f, '--format', 'html']), ex.f);
      await page.getByRole('button', { name: 'Close' }).click();
      await assertClean(t, rec, assert);
      await page.close();
    }
  } finally {
    await server.close();
  }
});
