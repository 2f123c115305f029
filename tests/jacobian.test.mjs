// Browser tests of issue 13 §1–2 on the page: a matrix-valued f shows its Jacobian derivation and
// check automatically; the Hessian toggle (order=2 in the URL) shows the second-differential
// derivation, with the Hessian beside its finite-difference estimate.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, screenshot, permalink, SEL, typeExpr, until, assertClean, errorText } from './support.mjs';

const env = useBrowser();

const second = '[data-testid="second"]';
const verdict = '[data-testid="second-verdict"]';

/** The check marks of the lines ('pass', 'fail' or 'none'), once the check has run. */
async function marks(page) {
  return page.locator(`${second} [data-testid="second-lines"] .mark`).evaluateAll((els) =>
    els.map((e) => (e.classList.contains('pass') ? 'pass' : e.classList.contains('fail') ? 'fail' : 'none')));
}

async function waitForVerdict(page, what) {
  return until(
    async () => {
      const t = await page.locator(verdict).textContent().catch(() => '');
      return t?.startsWith(`${what} check: passed`) ? t : '';
    },
    { describe: async () => `verdict: ${await page.locator(verdict).textContent().catch(() => 'none')}` },
  );
}

test('a matrix-valued f shows its Jacobian derivation and check, with no error', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(env.server.base);
  await page.locator(SEL.expr).waitFor();
  await typeExpr(page, 'A*X*B');
  await page.locator(second).waitFor();
  assert.equal(await page.locator(second).getAttribute('data-order'), 'Jacobian');
  await waitForVerdict(page, 'Jacobian');
  assert.equal(await errorText(page), '', 'a matrix-valued f is not an error');
  const rules = await page.locator(`${second} [data-rule]`).evaluateAll((els) => els.map((e) => e.dataset.rule));
  assert.ok(rules.includes('vec-kronecker') && rules.includes('first-identification'), rules.join(' '));
  const tex = await page.locator(`${second} annotation[encoding="application/x-tex"]`).allTextContents();
  assert.ok(tex.some((s) => s.includes('\\otimes')), 'the Kronecker form is shown');
  assert.ok(await page.locator('[data-testid="second-symbolic"]').count(), 'the Jacobian is shown for small sizes');
  assert.ok(await page.locator('[data-testid="second-numeric"]').count(), 'beside its finite-difference estimate');
  const m = await marks(page);
  assert.ok(!m.includes('fail') && m.at(-1) === 'pass', m.join(' '));
  assert.equal(await page.locator('[data-testid="hessian-toggle"]').count(), 0, 'no Hessian of a matrix-valued f');
  await screenshot(page, 'jacobian-AXB');
  await assertClean(t, rec, assert);
  await page.close();
});

test('the Hessian toggle (order=2) shows the second differential; the permalink and back restore it', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: "x'*A*x" }));
  const toggle = page.locator('[data-testid="hessian-toggle"]');
  await toggle.waitFor();
  assert.equal(await page.locator(second).count(), 0, 'the gradient first');
  await toggle.click();
  await page.locator(second).waitFor();
  assert.equal(await page.locator(second).getAttribute('data-order'), 'Hessian');
  await waitForVerdict(page, 'Hessian');
  await until(async () => /order=2/.test(page.url()), { describe: async () => page.url() });
  const rules = await page.locator(`${second} [data-rule]`).evaluateAll((els) => els.map((e) => e.dataset.rule));
  assert.ok(rules.includes('second-differential') && rules.includes('second-identification'), rules.join(' '));
  const tex = await page.locator(`${second} annotation[encoding="application/x-tex"]`).allTextContents();
  assert.ok(tex.some((s) => s.includes('\\mathbf{A} + \\mathbf{A}^\\top')), tex.join('\n'));
  assert.ok(await page.locator('[data-testid="second-numeric"]').count(), 'the Hessian beside finite differences');
  const m = await marks(page);
  assert.ok(!m.includes('fail') && m.filter((x) => x === 'pass').length >= 3, m.join(' '));
  assert.equal(m.at(-1), 'pass', 'the H line passes');
  await screenshot(page, 'hessian-xAx');
  // A permalink with order=2 opens on the Hessian.
  const url = page.url();
  const other = await env.browser.context.newPage();
  await other.goto(url);
  await other.locator(second).waitFor();
  assert.equal(await other.locator(second).getAttribute('data-order'), 'Hessian');
  await other.close();
  // Back returns to the gradient.
  await page.goBack();
  await until(async () => (await page.locator(second).count()) === 0, { describe: async () => page.url() });
  assert.ok(!/order=2/.test(page.url()), page.url());
  await page.locator(SEL.gradient).waitFor();
  assert.equal(await page.locator('[data-testid="hessian-toggle"]').isChecked(), false);
  await assertClean(t, rec, assert);
  await page.close();
});
