// Browser tests of issue 13 §3–4: a symmetric variable shows its three answers (G, sym(G),
// G + Gᵀ − diag(G)), each with its one-sentence label and the mark of its own numeric check;
// the layout toggle shows ∂f/∂X = (∇f)ᵀ with the sentence saying which convention, and is kept
// in the URL (`&layout=numerator`), back undoing it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser, openPage, screenshot, permalink, normTex, waitForGradient, waitForPassed, until, assertClean,
} from './support.mjs';

const env = useBrowser();

/** The TeX of every formula under `sel`, joined. */
async function texOf(page, sel) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return '';
    return Array.from(el.querySelectorAll('annotation[encoding="application/x-tex"]'), (n) => n.textContent).join(' ');
  }, sel);
}

test('a symmetric variable shows G, sym(G) and the entry form, each labelled and checked', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: 'tr(A*S)', decls: 'S: symmetric n', wrt: 'S' }));
  await waitForGradient(page, '\\mathbf{A}^\\top');
  await waitForPassed(page);
  const forms = '[data-testid="symmetric-forms"]';
  await until(async () => (await page.locator(`${forms} li`).count()) === 3, { describe: () => 'three answers' });
  const expected = {
    G: '\\mathbf{A}^\\top',
    sym: '\\frac{\\mathbf{A} + \\mathbf{A}^\\top}{2}',
    entries: '\\mathbf{A} + \\mathbf{A}^\\top - \\mathbf{A} \\odot \\mathbf{I}',
  };
  for (const [name, tex] of Object.entries(expected)) {
    const li = `${forms} li[data-form="${name}"]`;
    assert.equal(normTex(await texOf(page, li)), normTex(tex), name);
    // Its own check, passed: the mark's label names the check.
    await until(async () => /agrees/.test((await page.locator(`${li} .mark`).getAttribute('aria-label')) ?? ''),
      { describe: async () => `${name} mark ${await page.locator(`${li} .mark`).getAttribute('aria-label')}` });
    assert.equal((await page.locator(`${li} .mark`).textContent()).trim(), '✓');
  }
  const text = await page.locator(forms).innerText();
  assert.match(text, /gradient within symmetric matrices under the Frobenius inner product/);
  assert.match(text, /independent entries X_ij, i <= j .*not a gradient for the Frobenius inner product/s);
  assert.match(text, /as if the entries of X were independent/);
  await screenshot(page, 'symmetric-forms');
  // A variable not declared symmetric has no such list.
  await page.goto(permalink(env.server.base, { f: 'tr(A*X)' }));
  await waitForGradient(page, '\\mathbf{A}^\\top');
  assert.equal(await page.locator(forms).count(), 0);
  await assertClean(t, rec, assert);
  await page.close();
});

test('the layout toggle shows df/dX = (grad f)^T, says which convention, and lives in the URL', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: 'tr(A*X*B)' }));
  await waitForGradient(page, '\\mathbf{A}^\\top \\mathbf{B}^\\top');
  const sentence = page.locator('[data-testid="layout-sentence"]');
  assert.match(await sentence.innerText(), /^Gradient \(denominator\) layout/);
  assert.equal(await page.locator('[data-testid="numerator"]').count(), 0);
  await page.locator('[data-testid="layout-toggle"]').check();
  await until(async () => (await page.locator('[data-testid="numerator"]').count()) === 1, { describe: () => 'numerator form' });
  const tex = await texOf(page, '[data-testid="numerator"]');
  assert.match(tex, /\\frac\{\\partial f\}\{\\partial \\mathbf\{X\}\}/, tex);
  assert.equal(normTex(tex), normTex('\\mathbf{B} \\mathbf{A}'));
  assert.match(await sentence.innerText(), /^Numerator layout/);
  // The gradient box is unchanged, and the URL carries the layout.
  await waitForGradient(page, '\\mathbf{A}^\\top \\mathbf{B}^\\top');
  await until(() => new URL(page.url()).searchParams.get('layout') === 'numerator', { describe: () => page.url() });
  // A fresh page from the link shows the numerator form; back undoes the toggle.
  const other = await openPage(env.browser.context, env.server.origin);
  await other.page.goto(page.url());
  await until(async () => (await other.page.locator('[data-testid="numerator"]').count()) === 1, { describe: () => 'numerator form from the link' });
  assert.ok(await other.page.locator('[data-testid="layout-toggle"]').isChecked());
  await assertClean(t, other, assert);
  await other.page.close();
  await page.goBack();
  await until(async () => (await page.locator('[data-testid="numerator"]').count()) === 0, { describe: () => 'back to the gradient layout' });
  assert.equal(new URL(page.url()).searchParams.get('layout'), null);
  await assertClean(t, rec, assert);
  await page.close();
});
