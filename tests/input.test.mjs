// Browser tests of input as people write it (issue 12): LaTeX and Unicode pasted into the input
// give the note's gradients with a passing check, and the reading offer switches the reading of
// a symbol and updates the URL.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser, openPage, screenshot, permalink, SEL, gradientTex, normTex,
  waitForGradient, waitForPassed, errorText, until, assertClean,
} from './support.mjs';

const env = useBrowser();

/** Replaces the input's text as a paste does: one insertion of the whole text. */
async function pasteExpr(page, text) {
  const input = page.locator(SEL.expr);
  await input.click();
  await input.fill('');
  await page.keyboard.insertText(text);
}

const PASTED = [
  {
    name: 'latex-trace',
    f: '\\operatorname{Tr}(\\mathbf{A}\\mathbf{X}\\mathbf{B})',
    grad: '\\mathbf{A}^\\top \\mathbf{B}^\\top',
  },
  {
    name: 'unicode-least-squares',
    f: '‖Ax − b‖²',
    grad: '2 \\mathbf{A}^\\top (\\mathbf{A} \\mathbf{x} - \\mathbf{b})',
  },
];

for (const ex of PASTED) {
  test(`pasted as written: ${ex.f} gives the note's gradient, checked`, async (t) => {
    const rec = await openPage(env.browser.context, env.server.origin);
    const { page } = rec;
    await page.goto(env.server.base);
    await page.locator(SEL.expr).waitFor();
    await pasteExpr(page, ex.f);
    await waitForGradient(page, ex.grad);
    await waitForPassed(page);
    assert.equal(await errorText(page), '', 'no error');
    assert.equal(await page.locator(SEL.expr).inputValue(), ex.f, 'the input keeps what was pasted');
    await screenshot(page, `pasted-${ex.name}`);
    await assertClean(t, rec, assert);
    await page.close();
  });
}

test('the reading offer says which reading it chose, and one click takes the other and updates the URL', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: 'sum(a.*x)' }));
  const offer = page.locator('[data-testid="reading-offer"]');
  await offer.waitFor();
  await waitForPassed(page);
  const text = (await offer.textContent()).replace(/\s+/g, ' ').trim();
  assert.equal(text, 'reading a as a scalar (from its first letter); read it as a vector?');
  const before = normTex(await gradientTex(page));
  assert.ok(!/decls=/.test(page.url()), `no declarations in the URL yet: ${page.url()}`);

  await offer.locator('button').click();
  // a is now declared a vector: the gradient of sum(a ⊙ x) wrt x is a.
  await waitForGradient(page, '\\mathbf{a}');
  await waitForPassed(page);
  assert.notEqual(normTex(await gradientTex(page)), before, 'the gradient changed with the reading');
  assert.equal(await page.locator('[data-testid="decls"]').inputValue(), 'a: vector');
  await until(async () => new URL(page.url()).searchParams.get('decls') === 'a: vector', {
    describe: () => `URL ${page.url()}`,
  });
  assert.equal(await offer.count(), 0, 'no offer once the reading is declared');
  const origin = await page.locator('tr[data-symbol="a"] [data-origin]').getAttribute('data-origin');
  assert.equal(origin, 'declared');
  assert.equal(await page.locator(`[data-testid="symbols"] tr[data-symbol="a"] select`).inputValue(), 'vector');
  await screenshot(page, 'reading-offer-taken');

  // Back returns to the first reading, with its offer.
  await page.goBack();
  await offer.waitFor();
  await waitForPassed(page);
  assert.equal(normTex(await gradientTex(page)), before);
  await assertClean(t, rec, assert);
  await page.close();
});
