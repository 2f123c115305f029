// End-to-end tests of the page (issue 3) in headless Debian chromium, against the built dist/
// served from a sub-path: the note's examples by permalink and by typing, errors, declarations,
// permalinks and history, embed mode; every test also asserts no console error, no request to
// another origin, no CSP violation and no dialog.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser, openPage, screenshot, permalink, SEL, NOTE_EXAMPLES,
  gradientTex, normTex, waitForGradient, waitForPassed, errorText, declsErrorText, typeExpr, until, assertClean,
} from './support.mjs';

const env = useBrowser();

for (const ex of NOTE_EXAMPLES) {
  test(`note example by permalink: ${ex.f}`, async (t) => {
    const rec = await openPage(env.browser.context, env.server.origin);
    const { page } = rec;
    await page.goto(permalink(env.server.base, { f: ex.f }));
    await waitForGradient(page, ex.grad);
    await waitForPassed(page);
    assert.equal(await page.locator(SEL.expr).inputValue(), ex.f, 'the input shows the permalink expression');
    assert.equal(await errorText(page), '', 'no error for a good expression');
    await screenshot(page, `permalink-${ex.name}`);
    await assertClean(t, rec, assert);
    await page.close();
  });

  test(`note example by typing: ${ex.f}`, async (t) => {
    const rec = await openPage(env.browser.context, env.server.origin);
    const { page } = rec;
    await page.goto(env.server.base);
    await page.locator(SEL.expr).waitFor();
    await typeExpr(page, ex.f);
    await waitForGradient(page, ex.grad);
    await waitForPassed(page);
    assert.equal(await errorText(page), '', 'no error once the expression is complete');
    await screenshot(page, `typed-${ex.name}`);
    await assertClean(t, rec, assert);
    await page.close();
  });
}

test('an error underlines the offending part and keeps the last derivation, dimmed', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  const ex = NOTE_EXAMPLES[1];
  await page.goto(permalink(env.server.base, { f: ex.f }));
  await waitForGradient(page, ex.grad);
  const gradBefore = await gradientTex(page);
  // A shape mismatch: x is a vector, X a matrix with unrelated dimensions.
  await typeExpr(page, 'tr(A*X*B) +');
  const message = await until(() => errorText(page), { describe: () => 'no error message' });
  assert.match(message, /\S/, 'an error message is shown');
  // The offending part is marked up inside the error area (underline, mark or caret).
  const underlined = await page.evaluate((sel) => {
    const area = document.querySelector(sel);
    if (!area) return null;
    const marked = area.querySelector('mark, u');
    if (marked) return marked.textContent;
    for (const el of area.querySelectorAll('*')) {
      const style = getComputedStyle(el);
      const deco = `${style.textDecorationLine} ${style.borderBottomStyle}`;
      if (/underline|wavy|solid|dotted|dashed/.test(deco) && el.textContent.trim() !== '' && el !== area) {
        return el.textContent;
      }
      if (['U', 'MARK'].includes(el.tagName)) return el.textContent;
    }
    return /\^/.test(area.textContent) ? '^' : null;
  }, SEL.error);
  assert.ok(underlined !== null, `the offending part is underlined in: ${message}`);
  // The last good derivation stays, and is dimmed.
  assert.equal(normTex(await gradientTex(page)), normTex(gradBefore), 'last derivation kept');
  const opacity = await page.evaluate((sel) => {
    let el = document.querySelector(sel);
    let o = 1;
    while (el) {
      o *= Number(getComputedStyle(el).opacity);
      el = el.parentElement;
    }
    return o;
  }, SEL.gradient);
  const marked = await page.evaluate((sel) => {
    let el = document.querySelector(sel);
    while (el) {
      if (/stale|dim/i.test(el.className?.toString?.() ?? '') || el.getAttribute?.('aria-busy') === 'true' || el.dataset?.stale !== undefined) return true;
      el = el.parentElement;
    }
    return false;
  }, SEL.gradient);
  assert.ok(opacity < 1 || marked, `kept derivation is dimmed (opacity ${opacity})`);
  await screenshot(page, 'error-kept-derivation');
  // Fixing the input brings the page back.
  await typeExpr(page, ex.f);
  await waitForGradient(page, ex.grad);
  assert.equal(await errorText(page), '', 'error cleared');
  await assertClean(t, rec, assert);
  await page.close();
});

test('declaring A symmetric turns the gradient of x\'A x into 2Ax', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: "x'*A*x" }));
  await waitForGradient(page, '(\\mathbf{A} + \\mathbf{A}^\\top) \\mathbf{x}');
  await waitForPassed(page);
  // Find A's symmetric control in the symbol panel: a checkbox labelled "symmetric" in A's row.
  const toggled = await page.evaluate(() => {
    const exact = document.querySelector('tr[data-symbol="A"] input[type="checkbox"][id^="sym-sym"]');
    if (exact) {
      exact.click();
      return true;
    }
    const boxes = Array.from(document.querySelectorAll('input[type="checkbox"]'));
    const label = (b) => {
      const byFor = b.id ? document.querySelector(`label[for="${CSS.escape(b.id)}"]`)?.textContent : '';
      return `${b.getAttribute('aria-label') ?? ''} ${b.closest('label')?.textContent ?? ''} ${byFor ?? ''} ${b.name ?? ''} ${b.dataset.testid ?? ''}`;
    };
    const row = (b) => b.closest('tr, li, fieldset, [data-symbol], .symbol')?.textContent ?? '';
    const pick = boxes.find((b) => /symmetric/i.test(label(b)) && /\bA\b|A:/.test(`${label(b)} ${row(b)}`));
    if (!pick) return false;
    pick.click();
    return true;
  });
  if (!toggled) {
    // Fallback: a declarations text field.
    const decls = page.locator('[data-testid="decls"], input[name="decls"], input[aria-label*="eclaration" i]').first();
    assert.ok(await decls.count(), 'a symmetric checkbox for A or a declarations field exists');
    await decls.fill('A: symmetric n');
  }
  await waitForGradient(page, '2 \\mathbf{A} \\mathbf{x}');
  await waitForPassed(page);
  assert.match(decodeURIComponent(page.url()), /symmetric/i, 'the declaration is in the permalink');
  await screenshot(page, 'symmetric-A');
  if (toggled) {
    // A symbol edit is a discrete action (pushState): back undoes it, forward redoes it.
    await page.goBack();
    await waitForGradient(page, '(\\mathbf{A} + \\mathbf{A}^\\top) \\mathbf{x}');
    await page.goForward();
    await waitForGradient(page, '2 \\mathbf{A} \\mathbf{x}');
  }
  await assertClean(t, rec, assert);
  await page.close();
});

test('a symbol edit that causes an error keeps the symbol rows (dimmed) and the focus, and is undone from the same control', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  const grad = '(\\mathbf{A} + \\mathbf{A}^\\top) \\mathbf{x}';
  await page.goto(permalink(env.server.base, { f: "x'*A*x" }));
  await waitForGradient(page, grad);
  await page.locator('#sym-wrt-A').check();
  await until(async () => new URL(page.url()).searchParams.get('wrt') === 'A', { describe: () => page.url() });
  const dims = page.locator('#sym-dims-A');
  await dims.fill('3x4');
  await dims.press('Enter');
  await until(() => errorText(page), { describe: () => 'no error for A: 3x4' });
  assert.equal(await page.locator('.symbols tbody tr').count(), 2, 'the rows of A and x stay');
  assert.equal(await page.locator('[data-testid="symbols-stale"]').count(), 1, 'marked as the last valid input\'s');
  const opacity = await page.locator('.symbols .scroll-x').evaluate((el) => Number(getComputedStyle(el).opacity));
  assert.ok(opacity < 1, `the kept rows are dimmed (opacity ${opacity})`);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'sym-dims-A', 'the focus stays on the field');
  assert.equal(await dims.inputValue(), '3x4', 'the field keeps what was typed');
  // Fixed from the same field.
  await dims.fill('n x n');
  await dims.press('Enter');
  await waitForGradient(page, '\\mathbf{x} \\mathbf{x}^\\top');
  assert.equal(await errorText(page), '');
  assert.equal(await page.locator('[data-testid="symbols-stale"]').count(), 0);
  // Making x a scalar, then a vector again, from its kind menu. With x a scalar, f is the matrix
  // x²A: the page shows its Jacobian (issue 13), and the rows are the current input's.
  await page.locator('#sym-kind-x').focus();
  await page.locator('#sym-kind-x').selectOption('scalar');
  await page.locator('[data-testid="second"][data-order="Jacobian"]').waitFor();
  assert.equal(await errorText(page), '', 'a matrix-valued f is not an error');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'sym-kind-x', 'the focus stays on the menu');
  assert.equal(await page.locator('#sym-kind-x').inputValue(), 'scalar', 'the menu shows the kind chosen');
  await page.locator('#sym-kind-x').selectOption('vector');
  await waitForGradient(page, '\\mathbf{x} \\mathbf{x}^\\top');
  assert.equal(await errorText(page), '');
  await assertClean(t, rec, assert);
  await page.close();
});

test('an error in the declarations is shown at their field, underlined there; the expression field stays valid', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: "x'*A*x" }));
  await waitForGradient(page, '(\\mathbf{A} + \\mathbf{A}^\\top) \\mathbf{x}');
  const decls = page.locator('#decls');
  await decls.fill('A: 3x');
  const message = await until(() => declsErrorText(page), { describe: () => 'no error at the declarations' });
  assert.match(message, /dimension/, message);
  assert.equal(await errorText(page), '', 'nothing under the expression');
  assert.equal(await page.locator('#expr').getAttribute('aria-invalid'), 'false');
  assert.equal(await decls.getAttribute('aria-invalid'), 'true');
  const describedBy = await decls.getAttribute('aria-describedby');
  assert.ok(describedBy, 'the declarations field is described by its error');
  assert.equal(await page.locator(`[id="${describedBy}"]`).innerText().then((x) => x.trim()), message);
  assert.equal(await page.locator('[data-testid="decls-error"] pre.src').innerText(), 'A: 3x', 'the declarations text is quoted');
  assert.equal(await page.locator('[data-testid="decls-error"] mark').innerText(), 'x', 'the offending part is marked');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'decls', 'the focus stays in the field');
  // An error in the expression stays at the expression field.
  await decls.fill('A: 3x3');
  await until(async () => (await declsErrorText(page)) === '', { describe: () => 'the declarations error stays' });
  await typeExpr(page, "x'*A*x +");
  await until(() => errorText(page), { describe: () => 'no error at the expression' });
  assert.equal(await page.locator('#expr').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#expr').getAttribute('aria-describedby'), 'expr-help expr-error');
  assert.equal(await decls.getAttribute('aria-invalid'), 'false');
  assert.equal(await declsErrorText(page), '');
  await assertClean(t, rec, assert);
  await page.close();
});

test('a size that is not one (201, 0, 2.5, empty) stays in its field with the accepted range, and is corrected in place', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  const ex = NOTE_EXAMPLES[1];
  await page.goto(permalink(env.server.base, { f: ex.f }));
  await waitForGradient(page, ex.grad);
  await waitForPassed(page);
  const n = page.locator('#size-n');
  for (const text of ['201', '0', '2.5', '']) {
    await n.fill(text);
    await n.press('Enter');
    const message = await until(() => page.locator('[data-testid="size-error"]').textContent().catch(() => ''),
      { describe: () => `no message for n = ${JSON.stringify(text)}` });
    assert.match(message, /from 1 to 200/, message);
    assert.equal(await page.locator('.sizes input').count(), 3, `${text}: every size field stays`);
    assert.equal(await n.inputValue(), text, 'the field keeps what was typed');
    assert.equal(await n.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'size-n', 'the focus stays');
    assert.equal(new URL(page.url()).searchParams.get('sizes'), null, 'the URL keeps the sizes that were');
    assert.match(await page.locator(SEL.check).textContent(), /passed/, 'the last check stays');
  }
  await n.fill('3');
  await n.press('Enter');
  await until(async () => (await page.locator('[data-testid="size-error"]').count()) === 0, { describe: () => 'the message stays' });
  await waitForPassed(page);
  await until(() => new URL(page.url()).searchParams.get('sizes') === 'n=3', { describe: () => page.url() });
  assert.equal(await n.getAttribute('aria-invalid'), 'false');
  // Out of range in a link: the fields stay, and the page states the range.
  await page.goto(`${env.server.base}?f=${ex.f}&sizes=n=250`);
  await until(async () => /not checked/.test(await page.locator(SEL.check).textContent()), { describe: () => 'checked?' });
  assert.equal(await page.locator('.sizes input').count(), 3);
  assert.equal(await n.inputValue(), '250');
  assert.match(await page.locator('[data-testid="check-message"]').textContent(), /from 1 to 200/);
  await n.fill('4');
  await n.press('Enter');
  await waitForPassed(page);
  await assertClean(t, rec, assert);
  await page.close();
});

test('Tab goes from the input to its symbols, then to the derivation, as the columns read', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(permalink(env.server.base, { f: "x'*A*x" }));
  await waitForGradient(page, '(\\mathbf{A} + \\mathbf{A}^\\top) \\mathbf{x}');
  await page.locator(SEL.expr).focus();
  const where = () => page.evaluate(() => {
    const el = document.activeElement;
    return el?.closest('.symbols') ? 'symbols' : el?.closest('.derivation') ? 'derivation' : el?.closest('.gallery') ? 'gallery' : el?.tagName;
  });
  await page.keyboard.press('Tab');
  assert.equal(await where(), 'symbols', 'the first Tab from the input');
  const seen = [];
  for (let i = 0; i < 40 && !seen.includes('gallery'); i++) {
    const w = await where();
    if (seen.at(-1) !== w) seen.push(w);
    await page.keyboard.press('Tab');
  }
  assert.deepEqual(seen.filter((w) => ['symbols', 'derivation', 'gallery'].includes(w)), ['symbols', 'derivation', 'gallery'], seen.join(' → '));
  await assertClean(t, rec, assert);
  await page.close();
});

test('the Embed dialog offers the derivation on screen: the last valid input while the current one has an error', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: "x'*A*x" }));
  await waitForGradient(page, '(\\mathbf{A} + \\mathbf{A}^\\top) \\mathbf{x}');
  await typeExpr(page, "x'*A*");
  await until(() => errorText(page), { describe: () => 'no error for a trailing *' });
  await page.getByRole('button', { name: 'Embed' }).click();
  const html = await page.locator('#snippet-0').inputValue();
  assert.match(html, /\?f=x&#39;\*A\*x&amp;embed=1"/, html);
  assert.match(html, /gradient of x&#39;\*A\*x"/, html);
  assert.match(await page.locator('[data-testid="embed-note"]').textContent(), /error.*last valid one, f = x'\*A\*x/);
  const src = new URL(await page.locator('.embed-dialog a').getAttribute('href'));
  assert.equal(src.searchParams.get('f'), "x'*A*x");
  await page.getByRole('button', { name: 'Close' }).click();
  // Once the input is valid again, the snippets follow it and the note goes.
  await typeExpr(page, "x'*A*x + 1");
  await until(async () => (await errorText(page)) === '', { describe: () => 'error stays' });
  await page.getByRole('button', { name: 'Embed' }).click();
  assert.match(await page.locator('#snippet-0').inputValue(), /x&#39;\*A\*x%20%2B%201&amp;embed=1/);
  // The first snippet is focused and shown from its start (`<iframe src=…`), not scrolled to its end.
  assert.deepEqual(await page.locator('#snippet-0').evaluate((el) => [el === document.activeElement, el.scrollTop, el.selectionStart]), [true, 0, 0]);
  assert.equal(await page.locator('[data-testid="embed-note"]').count(), 0);
  await page.getByRole('button', { name: 'Close' }).click();
  await assertClean(t, rec, assert);
  await page.close();
});

test('a literal + in a hand-written link is a plus; links written by a form encoder keep + as a space', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(`${env.server.base}?f=tr(X)+tr(Y)`);
  await until(async () => (await page.locator(SEL.expr).inputValue()) !== '', { describe: () => 'empty input' });
  assert.equal(await page.locator(SEL.expr).inputValue(), 'tr(X)+tr(Y)');
  await until(() => page.locator(SEL.gradient).count(), { describe: () => 'no gradient' });
  assert.equal(await errorText(page), '');
  // The address the page then writes reads back the same.
  await page.locator('#sym-wrt-Y').check();
  await until(() => new URL(page.url()).searchParams.get('wrt') === 'Y', { describe: () => page.url() });
  await page.goto(page.url());
  await until(async () => (await page.locator(SEL.expr).inputValue()) !== '', { describe: () => 'empty input' });
  assert.equal(await page.locator(SEL.expr).inputValue(), 'tr(X)+tr(Y)');
  // URLSearchParams writes spaces as + (and a plus as %2B).
  await page.goto(`${env.server.base}?${new URLSearchParams({ f: 'tr(X) + tr(Y) - tr(A*X)' })}`);
  await until(async () => (await page.locator(SEL.expr).inputValue()) !== '', { describe: () => 'empty input' });
  assert.equal(await page.locator(SEL.expr).inputValue(), 'tr(X) + tr(Y) - tr(A*X)');
  await assertClean(t, rec, assert);
  await page.close();
});

test('picking the example already loaded: the page and its address agree on sizes and seed', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  const ex = NOTE_EXAMPLES[1];
  await page.goto(`${env.server.base}?f=tr(A*X*B)&wrt=X&sizes=n=2&seed=7`);
  await waitForGradient(page, ex.grad);
  await waitForPassed(page);
  assert.equal(await page.locator('.seed').textContent(), 'seed 7');
  assert.equal(await page.locator('#size-n').inputValue(), '2');
  await page.getByRole('button', { name: /Trace of a product/ }).click();
  await until(() => new URL(page.url()).search === '?f=tr(A*X*B)&wrt=X', { describe: () => page.url() });
  await until(async () => (await page.locator('.seed').textContent()) === 'seed 1', {
    describe: async () => `the page shows ${await page.locator('.seed').textContent()}`,
  });
  await waitForPassed(page);
  assert.notEqual(await page.locator('#size-n').inputValue(), '2', 'n is back to its default');
  assert.equal(await page.locator('#size-n.custom').count(), 0);
  await assertClean(t, rec, assert);
  await page.close();
});

test('permalink round trip; back and forward across permalinks', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  const [first, second, third] = [NOTE_EXAMPLES[1], NOTE_EXAMPLES[2], NOTE_EXAMPLES[0]];
  await page.goto(permalink(env.server.base, { f: first.f }));
  await waitForGradient(page, first.grad);
  const historyBefore = await page.evaluate(() => history.length);
  await typeExpr(page, second.f);
  await waitForGradient(page, second.grad);
  // Typing keeps the URL in step (replaceState: no history entry per keystroke) …
  const url = await until(() => {
    const u = new URL(page.url());
    return u.searchParams.get('f') === second.f ? page.url() : null;
  }, { describe: () => `URL ${page.url()} lacks f=${second.f}` });
  assert.equal(await page.evaluate(() => history.length), historyBefore, 'typing adds no history entries');
  assert.ok(new URL(url).pathname.startsWith('/sub/'), 'the permalink keeps the sub-path');
  // … and opening it in a fresh page reproduces the derivation.
  const other = await openPage(env.browser.context, env.server.origin);
  await other.page.goto(url);
  await waitForGradient(other.page, second.grad);
  await waitForPassed(other.page);
  assert.equal(await other.page.locator(SEL.expr).inputValue(), second.f);
  await assertClean(t, other, assert);
  await other.page.close();
  // Following another permalink, then back and forward, restores each page's state.
  await page.goto(permalink(env.server.base, { f: third.f }));
  await waitForGradient(page, third.grad);
  await page.goBack();
  await waitForGradient(page, second.grad);
  assert.equal(await page.locator(SEL.expr).inputValue(), second.f, 'back restores the input');
  await page.goForward();
  await waitForGradient(page, third.grad);
  assert.equal(await page.locator(SEL.expr).inputValue(), third.f, 'forward restores the input');
  await assertClean(t, rec, assert);
  await page.close();
});

test('an example picked right after typing: back returns to what was typed', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  const [least, , logdet] = NOTE_EXAMPLES;
  await page.goto(env.server.base);
  await page.locator(SEL.expr).waitFor();
  await typeExpr(page, logdet.f.slice(0, -1));
  await page.waitForTimeout(400);
  // The last keystroke, then the click 30 ms later, well within the address bar's delay after
  // typing (250 ms): the push must not lose what was typed.
  await page.evaluate(async (f) => {
    const input = document.querySelector('[data-testid="expr"]');
    input.value = f;
    input.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: f.slice(-1) }));
    await new Promise((r) => setTimeout(r, 30));
    document.querySelector('[data-testid="gallery"] button[data-example="0"]').click();
  }, logdet.f);
  await waitForGradient(page, least.grad);
  await page.goBack();
  await waitForGradient(page, logdet.grad);
  assert.equal(await page.locator(SEL.expr).inputValue(), logdet.f);
  assert.equal(new URL(page.url()).searchParams.get('f'), logdet.f);
  await page.goForward();
  await waitForGradient(page, least.grad);
  await assertClean(t, rec, assert);
  await page.close();
});

test('while typing, the check panel keeps the last numbers (dimmed) until the new check is done', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  const [least, trace] = NOTE_EXAMPLES;
  await page.goto(permalink(env.server.base, { f: trace.f }));
  await waitForGradient(page, trace.grad);
  await waitForPassed(page);
  const before = await page.locator('[data-testid="rel-error"]').textContent();
  // Record, at every DOM change, whether the figures are on screen and whether they are dimmed.
  await page.evaluate(() => {
    window.__panel = [];
    new MutationObserver(() => {
      const err = document.querySelector('[data-testid="rel-error"]');
      window.__panel.push(err ? (err.closest('.previous') ? 'previous' : 'current') : 'none');
    }).observe(document.getElementById('app'), { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await typeExpr(page, least.f);
  await waitForGradient(page, least.grad);
  await waitForPassed(page);
  const seen = await page.evaluate(() => window.__panel);
  assert.ok(!seen.includes('none'), `the figures never left the panel: ${seen.join(' ')}`);
  assert.ok(seen.includes('previous'), 'the pending state showed the previous figures, dimmed');
  assert.equal(seen.at(-1), 'current');
  assert.equal(await page.locator('.check .previous').count(), 0, 'nothing dimmed once checked');
  assert.notEqual(await page.locator('[data-testid="rel-error"]').textContent(), '', `was ${before}`);
  await assertClean(t, rec, assert);
  await page.close();
});

test('embed mode: no page chrome, derivation and check shown, height posted to the parent', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  const ex = NOTE_EXAMPLES[0];
  const q = new URLSearchParams({ embed: '1', f: ex.f }).toString();
  await page.goto(`${env.server.origin}/host.html?q=${encodeURIComponent(q)}`);
  const frame = await until(async () => {
    const handle = await page.$('iframe#matdiff');
    return handle ? handle.contentFrame() : null;
  }, { describe: () => 'no iframe' });
  await waitForGradient(frame, ex.grad);
  await waitForPassed(frame);
  const heights = await until(async () => {
    const msgs = await page.evaluate(() => window.__messages);
    const h = msgs.filter((m) => m.data && m.data.type === 'matdiff:height');
    return h.length ? h : null;
  }, { describe: () => 'no matdiff:height message' });
  for (const m of heights) {
    assert.equal(m.origin, env.server.origin, 'message comes from the site');
    assert.ok(m.fromFrame, 'message comes from the iframe');
    assert.equal(typeof m.data.height, 'number');
    assert.ok(m.data.height > 0 && Number.isFinite(m.data.height), `height ${m.data.height}`);
  }
  const last = heights[heights.length - 1].data.height;
  // Embed mode has no page chrome: no header/footer/examples gallery visible.
  const chrome = await frame.evaluate(() =>
    Array.from(document.querySelectorAll('header, footer, nav, [data-testid="examples"]'))
      .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height > 0).length);
  assert.equal(chrome, 0, 'no page chrome in embed mode');
  // With the site's embed.js, the host's iframe takes the posted height.
  const hasEmbedJs = await page.evaluate(() => Array.from(document.scripts).some((s) => /embed\.js$/.test(s.src)));
  if (hasEmbedJs) {
    await until(async () => {
      const h = await page.evaluate(() => document.querySelector('iframe#matdiff').getBoundingClientRect().height);
      const posted = (await page.evaluate(() => window.__messages)).filter((m) => m.data?.type === 'matdiff:height').pop().data.height;
      return Math.abs(h - Math.ceil(posted)) <= 4;
    }, { describe: async () => `iframe height ${await page.evaluate(() => document.querySelector('iframe#matdiff').getBoundingClientRect().height)} vs posted ${last}` });
    // Sized to its content: the embedded page needs (almost) no scrolling.
    const overflow = await frame.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
    assert.ok(overflow <= 24, `embedded page overflows its frame by ${overflow} px`);
  } else {
    assert.fail('the site ships embed.js');
  }
  await screenshot(page, 'embed-host');
  await assertClean(t, rec, assert);
  await page.close();
});

test('the site works from a sub-path with correct MIME types and nothing from elsewhere', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  const types = [];
  page.on('response', (r) => types.push([r.url(), r.headers()['content-type'] ?? '', r.status()]));
  await page.goto(permalink(env.server.base, { f: NOTE_EXAMPLES[0].f }));
  await waitForGradient(page, NOTE_EXAMPLES[0].grad);
  const failed = types.filter(([, , s]) => s >= 400);
  assert.deepEqual(failed, [], 'every request under /sub/ succeeds');
  assert.ok(types.some(([u, ty]) => u.endsWith('.wasm') && ty === 'application/wasm'), 'wasm is served');
  assert.ok(rec.log.requests.every((u) => !u.startsWith('http') || new URL(u).pathname.startsWith('/sub/')),
    `every request stays under /sub/: ${rec.log.requests.join(', ')}`);
  // KaTeX's fonts and CSS are the site's own.
  const sheets = await page.evaluate(() => Array.from(document.styleSheets, (s) => s.href).filter(Boolean));
  for (const href of sheets) assert.ok(href.startsWith(env.server.base), `stylesheet ${href}`);
  await assertClean(t, rec, assert);
  await page.close();
});

test('every formula keeps its MathML in the accessibility tree; a rule\'s identity appears on hover and on focus', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  const ex = NOTE_EXAMPLES[2];
  await page.goto(permalink(env.server.base, { f: ex.f }));
  await waitForGradient(page, ex.grad);
  // Screen readers read KaTeX's MathML: taking it out of layout (display: none or contents,
  // content-visibility) drops it from the accessibility tree. One math node per derivation
  // line and box.
  const shown = await page.locator(`${SEL.gradient}, [data-testid="derivation"] .step .eq`).count();
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  await cdp.detach();
  const role = (r) => nodes.filter((n) => !n.ignored && n.role?.value === r).length;
  const [maths, identifiers] = [role('MathMLMath'), role('MathMLIdentifier')];
  assert.ok(shown > 2 && maths >= shown, `${maths} MathML math nodes exposed for ${shown} formulas`);
  // … with their structure, not just the outer element (display: contents inside drops it).
  assert.ok(identifiers >= 2 * shown, `${identifiers} MathML identifiers exposed for ${shown} formulas`);
  // The MathML is laid out as plain inline boxes (style.css), not by the browser's MathML
  // layout: its structure is still exposed, superscripts (transposes, inverses) included.
  const scripts = role('MathMLSup') + role('MathMLSubSup');
  assert.ok(scripts >= shown, `${scripts} MathML superscripts exposed for ${shown} formulas`);
  // The identity in a rule's tip is typeset when wanted: on hover …
  const rules = page.locator('[data-testid="derivation"] .rule[tabindex]');
  const first = rules.nth(0);
  await first.hover();
  await until(() => first.locator('.tip .katex').count(), { describe: () => 'no identity in the tip on hover' });
  assert.ok(await first.locator('.tip').isVisible(), 'the tip shows on hover');
  // … and on keyboard focus, for the description the tip gives the focused rule name.
  await page.mouse.move(0, 0);
  const second = rules.nth(1);
  await second.focus();
  await until(() => second.locator('.tip .katex').count(), { describe: () => 'no identity in the tip on focus' });
  assert.ok(await second.locator('.tip').isVisible(), 'the tip shows on focus');
  const tipId = await second.getAttribute('aria-describedby');
  assert.equal(await page.locator(`[id="${tipId}"] annotation`).count(), 1, 'the described-by tip holds the identity');
  // Escape dismisses a tip without moving the focus or the pointer (WCAG 1.4.13); the next rule
  // the focus or the pointer enters shows its tip again.
  await page.keyboard.press('Escape');
  await until(async () => !(await second.locator('.tip').isVisible()), { describe: () => 'Escape did not hide the focused tip' });
  assert.ok(await second.evaluate((el) => el === document.activeElement), 'the focus stays on the rule');
  await page.keyboard.press('Tab');
  const third = rules.nth(2);
  assert.ok(await third.evaluate((el) => el === document.activeElement), 'Tab moves to the next rule');
  await until(() => third.locator('.tip').isVisible(), { describe: () => 'the next rule\'s tip did not show' });
  await page.locator(SEL.expr).focus();
  await first.hover();
  await until(() => first.locator('.tip').isVisible(), { describe: () => 'the tip did not show on hover again' });
  const typed = await page.locator(SEL.expr).inputValue();
  await page.keyboard.press('Escape');
  await until(async () => !(await first.locator('.tip').isVisible()), { describe: () => 'Escape did not hide the hovered tip while the input had the focus' });
  assert.equal(await page.locator(SEL.expr).inputValue(), typed, 'Escape leaves the input as it was');
  await assertClean(t, rec, assert);
  await page.close();
});

/**
 * Every formula on the page, compared with KaTeX's own rendering of its TeX (read back from its
 * annotation): the number of formulas, and those whose DOM differs from that rendering.
 */
function compareWithKatex(page) {
  return page.evaluate(() => {
    const hosts = Array.from(document.querySelectorAll('span.math'));
    const differ = [];
    for (const host of hosts) {
      const tex = host.querySelector('annotation[encoding="application/x-tex"]')?.textContent;
      const fresh = document.createElement('span');
      fresh.innerHTML = window.katex.renderToString(tex ?? '', {
        displayMode: host.classList.contains('display'), throwOnError: false, trust: false,
        output: 'htmlAndMathml', strict: 'ignore',
      });
      const same = host.childNodes.length === fresh.childNodes.length
        && Array.from(host.childNodes).every((n, i) => n.isEqualNode(fresh.childNodes[i]));
      if (!same) differ.push(tex);
    }
    return { count: hosts.length, differ };
  });
}

test('a formula that changes is patched in place, and equals KaTeX\'s rendering of its TeX after any edit', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: 'tr(A*X*C)' }));
  await waitForGradient(page, '\\mathbf{A}^\\top \\mathbf{C}^\\top');
  // Tag every element of every formula; a one-letter edit keeps most of them.
  const tagged = await page.evaluate(() => {
    const all = document.querySelectorAll('[data-testid="derivation"] span.math *');
    all.forEach((n) => { n.__kept = true; });
    return all.length;
  });
  const input = page.locator(SEL.expr);
  await input.evaluate((el) => { el.focus(); el.setSelectionRange(7, 8); });
  await page.keyboard.type('B');
  await waitForGradient(page, NOTE_EXAMPLES[1].grad);
  const kept = await page.evaluate(() => Array.from(
    document.querySelectorAll('[data-testid="derivation"] span.math *'),
  ).filter((n) => n.__kept).length);
  assert.ok(kept >= 0.9 * tagged, `${kept} of ${tagged} elements kept when C became B`);
  let seen = await compareWithKatex(page);
  assert.ok(seen.count > 8, `${seen.count} formulas`);
  assert.deepEqual(seen.differ, [], 'formulas differing from KaTeX\'s rendering of their TeX');
  // Edits that change the derivation's shape, an error in between, a declaration, an example.
  const steps = [
    ['||A*x - b||^3', '\\mathbf{A}^\\top'],
    ['||A*x - b||^2', NOTE_EXAMPLES[0].grad],
    ["logdet(X'*Y)", '\\mathbf{Y}'],
    ["logdet(X'*X)", NOTE_EXAMPLES[2].grad],
    ["x'*A*x", 'A'],
  ];
  for (const [f, part] of steps) {
    await typeExpr(page, f);
    await until(async () => (await gradientTex(page)).includes(part) && (await errorText(page)) === '', {
      describe: () => `no gradient with ${part} for ${f}`,
    });
    seen = await compareWithKatex(page);
    assert.deepEqual(seen.differ, [], `after typing ${f}: formulas differing from KaTeX's rendering`);
  }
  await typeExpr(page, "x'*A*x +");
  await until(async () => (await errorText(page)) !== '', { describe: () => 'no error for a trailing +' });
  await page.locator('[data-testid="decls"]').fill('A: symmetric n');
  await typeExpr(page, "x'*A*x");
  await waitForGradient(page, '2 \\mathbf{A} \\mathbf{x}');
  seen = await compareWithKatex(page);
  assert.deepEqual(seen.differ, [], 'after a declaration: formulas differing from KaTeX\'s rendering');
  await page.getByRole('button', { name: /Log-determinant of a Gram matrix/ }).click();
  await waitForGradient(page, NOTE_EXAMPLES[2].grad);
  seen = await compareWithKatex(page);
  assert.deepEqual(seen.differ, [], 'after picking an example: formulas differing from KaTeX\'s rendering');
  await assertClean(t, rec, assert);
  await page.close();
});

test('layout: no page overflow at 375 px; at desktop widths the note\'s lines and every symbol control fit', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  for (const width of [375, 1100, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    for (const ex of NOTE_EXAMPLES) {
      await page.goto(permalink(env.server.base, { f: ex.f }));
      await waitForGradient(page, ex.grad);
      const m = await page.evaluate(() => {
        const eqs = Array.from(document.querySelectorAll('[data-testid="derivation"] .step .eq'));
        const panel = document.querySelector('.symbols').getBoundingClientRect();
        const controls = Array.from(document.querySelectorAll('.symbols tbody input, .symbols tbody select'));
        return {
          page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          cut: eqs.filter((e) => e.scrollWidth > e.clientWidth + 1).length,
          outside: controls.filter((c) => c.getBoundingClientRect().right > panel.right + 0.5).map((c) => c.id),
        };
      });
      assert.equal(m.page, 0, `${width} px, ${ex.f}: the page scrolls sideways by ${m.page} px`);
      assert.deepEqual(m.outside, [], `${width} px, ${ex.f}: symbol controls outside their panel`);
      // On a phone a long line scrolls within itself; on a desktop the note's lines fit.
      if (width >= 1100) assert.equal(m.cut, 0, `${width} px, ${ex.f}: derivation lines cut short`);
    }
  }
  await screenshot(page, 'layout-1440');
  await assertClean(t, rec, assert);
  await page.close();
});
