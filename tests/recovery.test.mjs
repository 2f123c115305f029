// Panic recovery in the page (issue 4): a panic inside an update stops that wasm instance
// (panic = "abort"); boot.js starts a fresh one with the user's input kept, the page says what
// happened, and everything keeps working. The panic is triggered where a real one would happen,
// in the middle of an update caused by a keystroke, through the module's test export
// `panic_on_next_update`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser, openPage, screenshot, permalink, SEL, NOTE_EXAMPLES,
  waitForGradient, waitForPassed, typeExpr, until,
} from './support.mjs';

const env = useBrowser();

/** The expected console/page errors of a panic: the panic itself and the trap that ends the call. */
const PANIC_ERROR = /deliberate panic requested by panic_on_next_update|RuntimeError: unreachable|unreachable/;

const panicText = (page) =>
  page.evaluate(() => {
    const box = document.getElementById('panic');
    return box && !box.hidden ? box.textContent : '';
  });

/** Asks for a panic and types `key`: the update the key causes panics. */
async function panicOnKey(page, key) {
  await page.evaluate(() => window.matdiffBindings.panic_on_next_update());
  await page.keyboard.press(key);
}

test('after a panic mid-update the page restarts with the input kept and keeps working', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page, log } = rec;
  const [, trace, logdet] = NOTE_EXAMPLES;
  await page.goto(permalink(env.server.base, { f: trace.f, sizes: 'm=2,n=3,p=4', seed: '11' }));
  await waitForGradient(page, trace.grad);
  await waitForPassed(page);
  assert.deepEqual(log.errors, [], 'no error before the panic');

  // One ordinary keystroke (its check and address-bar timers still pending), then a panicking one.
  const input = page.locator(SEL.expr);
  await input.click();
  await page.keyboard.press('End');
  await page.keyboard.press('Space');
  await panicOnKey(page, 'Space');

  const message = await until(() => panicText(page), { describe: () => 'no restart message' });
  assert.match(message, /internal error and restarted/);
  assert.match(message, /Your input is kept/);
  assert.match(message, /deliberate panic/, 'the panic message is shown for the report');
  assert.ok(log.errors.length > 0, 'the panic is reported in the console');
  for (const e of log.errors) assert.match(e, PANIC_ERROR, 'only the panic and its trap are errors');
  const errorsAtPanic = log.errors.length;

  // The input, the rest of the state and the keyboard focus are carried over.
  await until(async () => (await input.inputValue()) === `${trace.f}  `, {
    describe: async () => `input ${JSON.stringify(await input.inputValue())}`,
  });
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'expr', 'the input has the focus again');
  const params = new URL(page.url()).searchParams;
  assert.equal(params.get('f'), `${trace.f}  `);
  assert.equal(params.get('seed'), '11');
  assert.match(params.get('sizes') ?? '', /m=2/);
  assert.equal(await page.locator('#app').count(), 1, 'one app, the restarted one');
  assert.match(await page.locator('[data-testid="not-derived"]').textContent(), /edit it/,
    'the carried-over input waits for an edit');
  await screenshot(page, 'recovered-after-panic');

  // The restarted page derives and checks again as the user types.
  await typeExpr(page, logdet.f);
  await waitForGradient(page, logdet.grad);
  await waitForPassed(page);

  // History still works: an example pushes an entry, back returns to the typed expression
  // (the stopped instance's popstate listener stays silent).
  await page.locator('[data-testid="gallery"] button[data-example="0"]').click();
  await waitForGradient(page, NOTE_EXAMPLES[0].grad);
  await page.goBack();
  await waitForGradient(page, logdet.grad);
  assert.equal(await input.inputValue(), logdet.f);

  // The message can be dismissed.
  await page.getByRole('button', { name: 'Dismiss' }).click();
  assert.equal(await panicText(page), '');

  // Give the stopped instance's timers time to fire: none of them may reach it.
  await page.waitForTimeout(400);
  assert.deepEqual(log.errors.slice(errorsAtPanic), [], 'no error after the restart');
  assert.deepEqual(rec.foreignRequests(), [], 'requests to another origin');
  assert.deepEqual(await rec.cspViolations(), [], 'CSP violations');
  assert.deepEqual(log.dialogs, [], 'dialogs');
  await page.close();
});

test('a restart carries the spaces of the expression over as spaces, not as plus signs', async () => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: "x'*A*x" }));
  await waitForGradient(page, '(\\mathbf{A} + \\mathbf{A}^\\top) \\mathbf{x}');
  const input = page.locator(SEL.expr);
  await input.click();
  await page.keyboard.press('End');
  await page.keyboard.type(' *');
  await panicOnKey(page, 'Space');
  await until(() => page.evaluate(() => window.matdiffGeneration === 1), {
    describe: () => panicText(page),
  });
  // The page reads a literal `+` in `f` as a plus: the carried-over address has none.
  assert.ok(!new URL(page.url()).search.includes('+'), page.url());
  assert.equal(await input.inputValue(), "x'*A*x * ");
  await page.close();
});

test('repeated panics: three restarts, then a request to reload instead of a loop', async () => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page, log } = rec;
  const ex = NOTE_EXAMPLES[1];
  await page.goto(permalink(env.server.base, { f: ex.f }));
  await waitForGradient(page, ex.grad);
  for (let i = 1; i <= 3; i++) {
    await page.locator(SEL.expr).click();
    await page.keyboard.press('End');
    await panicOnKey(page, 'x');
    await until(() => page.evaluate((i) => window.matdiffGeneration === i, i), {
      describe: async () => `restart ${i}: ${await panicText(page)}`,
    });
    assert.match(await panicText(page), /restarted/);
    assert.equal(await page.locator(SEL.expr).inputValue(), ex.f + 'x'.repeat(i));
  }
  await page.locator(SEL.expr).click();
  await page.keyboard.press('End');
  await panicOnKey(page, 'x');
  const message = await until(async () => {
    const m = await panicText(page);
    return /Reload the page/.test(m) ? m : '';
  }, { describe: () => panicText(page) });
  assert.match(message, /repeated internal errors/);
  for (const e of log.errors) assert.match(e, PANIC_ERROR);
  await screenshot(page, 'recovery-gives-up');
  await page.close();
});
