// Shared fixtures of the browser tests: a static server for dist/ (under a sub-path), headless
// Debian chromium through playwright-core, and a page wrapper that records everything the tests
// assert on (console errors, requests, dialogs, CSP violations).
//
// Environment: MATDIFF_DIST (the built site, default ./dist), MATDIFF_ARTIFACTS (screenshots
// and timings, default tests/artifacts), MATDIFF_CHROMIUM (default /usr/bin/chromium).

import { chromium } from 'playwright-core';
import { before, after } from 'node:test';
import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DIST = path.resolve(process.env.MATDIFF_DIST ?? path.join(here, '..', 'dist'));
export const ARTIFACTS = path.resolve(process.env.MATDIFF_ARTIFACTS ?? path.join(here, 'artifacts'));
export const CHROMIUM = process.env.MATDIFF_CHROMIUM ?? '/usr/bin/chromium';
/** The site is served from this sub-path, to prove it works away from the host's root. */
export const SUB = '/sub/';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * A host page for embed mode: iframes the app in embed mode, includes the site's embed.js when
 * it exists, and records every message the frame posts in `window.__messages`.
 */
function hostPage(query) {
  const src = `${SUB}?${query}`;
  const embedJs = fs.existsSync(path.join(DIST, 'embed.js'))
    ? `<script src="${SUB}embed.js"></script>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>embed host</title></head>
<body>
<h1>Course page</h1>
<script>
  window.__messages = [];
  window.addEventListener('message', (e) => {
    window.__messages.push({ origin: e.origin, data: e.data, fromFrame: e.source === document.querySelector('iframe')?.contentWindow });
  });
</script>
<iframe id="matdiff" title="matdiff" loading="lazy" src="${src.replace(/"/g, '&quot;')}" style="width: 100%; border: 0"></iframe>
${embedJs}
</body></html>`;
}

/** Starts the static server on a free port; resolves to { origin, base, close }. */
export async function startServer() {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(`${DIST}/index.html missing: build the site first (trunk build --release)`);
  }
  // Room for very long permalinks (the security tests send a 100 KB value).
  const server = http.createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/favicon.ico') {
      // The host page's favicon (the site itself has its own under /sub/).
      res.writeHead(204);
      res.end();
      return;
    }
    if (url.pathname === '/host.html') {
      res.writeHead(200, { 'content-type': MIME['.html'], 'cache-control': 'no-store' });
      res.end(hostPage(url.searchParams.get('q') ?? 'embed=1'));
      return;
    }
    if (url.pathname === '/sub') {
      res.writeHead(301, { location: SUB + url.search });
      res.end();
      return;
    }
    if (!url.pathname.startsWith(SUB)) {
      res.writeHead(404, { 'content-type': MIME['.txt'] });
      res.end('not found (the site lives under /sub/)');
      return;
    }
    let rel;
    try {
      rel = decodeURIComponent(url.pathname.slice(SUB.length));
    } catch {
      res.writeHead(400);
      res.end();
      return;
    }
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(DIST, rel);
    if (!file.startsWith(DIST + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': MIME['.txt'] });
      res.end('not found');
      return;
    }
    const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    base: origin + SUB,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}

/** Headless chromium with a fresh profile; resolves to { context, close }. */
export async function launch() {
  const userDataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'matdiff-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
    ],
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await fsp.rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Runs before any page script: records CSP violations (in every frame). */
const INIT_SCRIPT = () => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
  });
};

/**
 * Opens a page and records: console errors and page errors, every request URL, dialogs (each
 * dismissed), and CSP violations (via the init script and chromium's console reports).
 */
export async function openPage(context, origin) {
  const page = await context.newPage();
  const log = { errors: [], requests: [], dialogs: [], console: [] };
  page.on('console', (msg) => {
    log.console.push(`${msg.type()}: ${msg.text()}`);
    if (msg.type() === 'error') log.errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => log.errors.push(`page error: ${err.message}`));
  page.on('request', (req) => log.requests.push(req.url()));
  page.on('response', (r) => {
    if (r.status() >= 400) log.errors.push(`HTTP ${r.status()} for ${r.url().slice(0, 200)}`);
  });
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    // Navigations replaced by the next one are aborted by design.
    if (!/ERR_ABORTED/.test(why)) log.errors.push(`request failed (${why}): ${r.url().slice(0, 200)}`);
  });
  page.on('dialog', async (dialog) => {
    log.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  await page.addInitScript(INIT_SCRIPT);
  const foreignRequests = () =>
    log.requests.filter((u) => {
      if (u.startsWith('data:') || u.startsWith('blob:') || u === 'about:blank') return false;
      try {
        return new URL(u).origin !== origin;
      } catch {
        return true;
      }
    });
  const cspViolations = async () => {
    const fromConsole = log.console.filter((l) => /Content Security Policy|Refused to/i.test(l));
    const fromEvents = [];
    for (const frame of page.frames()) {
      const v = await frame.evaluate(() => window.__csp ?? []).catch(() => []);
      fromEvents.push(...v);
    }
    return [...fromEvents, ...fromConsole];
  };
  return { page, log, foreignRequests, cspViolations };
}

/** Screenshot into the artifacts directory (never fails a test). */
export async function screenshot(page, name) {
  await fsp.mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => {});
  return file;
}

/** The site's URL for a query object, e.g. { f: 'tr(A*X*B)' }. */
export function permalink(base, params = {}) {
  const q = new URLSearchParams(params).toString();
  return q ? `${base}?${q}` : base;
}

// ------------------------------------------------------------------------------------------------
// Reading the page through its stable hooks.
// ------------------------------------------------------------------------------------------------

export const SEL = {
  expr: '[data-testid="expr"]',
  gradient: '[data-testid="gradient"]',
  check: '[data-testid="check-status"]',
  error: '[data-testid="error"]',
  declsError: '[data-testid="decls-error"]',
};

/** The TeX of the rendered gradient, from KaTeX's MathML annotation(s); '' when none. */
export async function gradientTex(frame) {
  return frame.evaluate((sel) => {
    const box = document.querySelector(sel);
    if (!box) return '';
    const notes = box.querySelectorAll('annotation[encoding="application/x-tex"]');
    return Array.from(notes, (n) => n.textContent).join(' ');
  }, SEL.gradient);
}

/**
 * TeX reduced to a comparable form: no \mathbf/\boldsymbol wrappers, \left/\right, spacing or
 * whitespace; transposes as ^T; only what follows the last `=` (the box may show `∇f = …`).
 */
export function normTex(tex) {
  let s = tex;
  for (let i = 0; i < 4; i++) {
    s = s.replace(/\\(?:mathbf|boldsymbol|bm|mathrm|mathit)\{([^{}]*)\}/g, '$1');
  }
  s = s
    .replace(/\\(?:left|right)\b/g, '')
    .replace(/\\[,;:! ]/g, '')
    .replace(/\\(?:top|intercal|mathsf\{T\})/g, 'T')
    .replace(/\^\{T\}/g, '^T')
    .replace(/\s+/g, '');
  const eq = s.lastIndexOf('=');
  return eq >= 0 ? s.slice(eq + 1) : s;
}

/** Polls `probe` until it returns a truthy value; fails with `describe()` after `timeout` ms. */
export async function until(probe, { timeout = 10_000, interval = 25, describe = () => '' } = {}) {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - start > timeout) {
      throw new Error(`timed out after ${timeout} ms: ${await describe()}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits for the gradient box to show `expected` (compared by normTex). */
export async function waitForGradient(frame, expected, timeout = 15_000) {
  let last = '';
  await until(async () => {
    last = await gradientTex(frame);
    return normTex(last) === normTex(expected);
  }, { timeout, describe: () => `gradient ${JSON.stringify(last)} (normalized ${JSON.stringify(normTex(last))}), want ${JSON.stringify(normTex(expected))}` });
}

/** Waits for the check badge to say passed (fails early if it says failed). */
export async function waitForPassed(frame, timeout = 20_000) {
  let last = '';
  await until(async () => {
    last = (await frame.locator(SEL.check).first().textContent({ timeout: 1000 }).catch(() => '')) ?? '';
    if (/failed/i.test(last)) throw new Error(`check badge says: ${last}`);
    return /passed/i.test(last);
  }, { timeout, describe: () => `check badge ${JSON.stringify(last)}` });
}

/** The error area's visible text ('' when absent or empty). */
export async function errorText(frame) {
  return frame.evaluate((sel) => {
    const el = document.querySelector(sel);
    return el ? (el.innerText ?? el.textContent ?? '').trim() : '';
  }, SEL.error);
}

/** The text of the declarations' error area, under their field ('' when absent). */
export async function declsErrorText(frame) {
  return frame.evaluate((sel) => {
    const el = document.querySelector(sel);
    return el ? (el.innerText ?? el.textContent ?? '').trim() : '';
  }, SEL.declsError);
}

/** Every error the page shows, at the expression and at the declarations ('' when none). */
export async function anyErrorText(frame) {
  return [await errorText(frame), await declsErrorText(frame)].filter(Boolean).join('\n');
}

/** Replaces the input's text by typing it key by key, as a user would. */
export async function typeExpr(page, text) {
  const input = page.locator(SEL.expr);
  await input.click();
  await input.fill('');
  await input.pressSequentially(text, { delay: 5 });
}

/** The note's three examples and the gradients the engine gives them. */
export const NOTE_EXAMPLES = [
  { name: 'least-squares', f: '||A*x - b||^2', grad: '2 \\mathbf{A}^\\top (\\mathbf{A} \\mathbf{x} - \\mathbf{b})' },
  { name: 'trace', f: 'tr(A*X*B)', grad: '\\mathbf{A}^\\top \\mathbf{B}^\\top' },
  { name: 'logdet', f: "logdet(X'*X)", grad: '2 \\mathbf{X} (\\mathbf{X}^\\top \\mathbf{X})^{-1}' },
];

/** Common assertions at the end of a test: no console error, no foreign request, no CSP report. */
export async function assertClean(t, rec, assert) {
  assert.deepEqual(rec.log.errors, [], 'console or page errors');
  assert.deepEqual(rec.foreignRequests(), [], 'requests to another origin');
  assert.deepEqual(await rec.cspViolations(), [], 'CSP violations');
  assert.deepEqual(rec.log.dialogs, [], 'dialogs');
}

/**
 * A test file's shared server and browser: started before its tests, closed after them (then
 * `onClose` runs). Returns `{ server, browser }`, filled in by the time the tests run.
 */
export function useBrowser(onClose = async () => {}) {
  const env = {};
  before(async () => {
    env.server = await startServer();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
    await onClose();
  });
  return env;
}
