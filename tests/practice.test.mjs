// Browser tests of practice mode and exercises (issue 14, sections 2 and 3): a full practice run
// of tr(A*X*B) by keyboard only, a `hide=result` exercise link, exercise progress kept across a
// reload and reset, and the Embed dialog's exercise options.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser, openPage, screenshot, permalink, NOTE_EXAMPLES, waitForGradient, until, assertClean,
} from './support.mjs';

const env = useBrowser();

/**
 * Types `text` into the "Your ∇f =" field (focused and typed by keyboard) and returns the verdict
 * once decided: 'correct' or 'not correct'.
 */
async function claimVerdict(page, text) {
  await tabTo(page, 'claim');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text, { delay: 5 });
  let last = '';
  await until(async () => {
    last = (await page.locator('[data-testid="claim-status"]').first().textContent({ timeout: 1000 }).catch(() => '')) ?? '';
    return /correct/.test(last) && !/checking/.test(last);
  }, { timeout: 15_000, describe: () => `claim status ${JSON.stringify(last)}` });
  return /not correct/.test(last) ? 'not correct' : 'correct';
}
const TRACE = NOTE_EXAMPLES[1];

const CHOICE = '[data-testid="rule-choice"]';
const LINES = '[data-testid="practice-lines"] > li';

/** The data-testid and data-rule of the focused element. */
async function focused(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    return { testid: a?.dataset?.testid ?? '', rule: a?.dataset?.rule ?? '' };
  });
}

/** Presses Tab until the focused element has this data-testid (at most 80 times). */
async function tabTo(page, testid) {
  for (let i = 0; i < 80; i++) {
    if ((await focused(page)).testid === testid) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached [data-testid="${testid}"]`);
}

/** The rule ids of the choices on offer, in order. */
async function choiceRules(page) {
  return page.locator(CHOICE).evaluateAll((els) => els.map((e) => e.dataset.rule));
}

/** With the focus on a choice, moves it with the arrow keys to the choice of `rule`. */
async function arrowTo(page, rule) {
  const rules = await choiceRules(page);
  const target = rules.indexOf(rule);
  assert.ok(target >= 0, `${rule} is offered among ${rules}`);
  const at = rules.indexOf((await focused(page)).rule);
  assert.ok(at >= 0, 'the focus is on a choice');
  const n = rules.length;
  const right = (target - at + n) % n;
  // Either way round; the arrows wrap.
  const [key, times] = right <= n - right ? ['ArrowRight', right] : ['ArrowLeft', n - right];
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
  assert.equal((await focused(page)).rule, rule, `the arrows reach ${rule}`);
}

async function lineCount(page) {
  return page.locator(LINES).count();
}

async function waitForLines(page, n) {
  await until(async () => (await lineCount(page)) === n, {
    describe: async () => `expected ${n} practice lines`,
  });
}

test('a full practice run of tr(A*X*B) by keyboard only', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: TRACE.f, practice: '1' }));
  await page.locator('[data-testid="practice"]').waitFor();
  // Only dy = d(f) is shown, and no gradient anywhere.
  assert.equal(await lineCount(page), 1);
  assert.equal(await page.locator('[data-testid="derivation"], [data-testid="gradient"]').count(), 0);
  // The rule choices carry their identity in LaTeX (KaTeX's annotation).
  const tex = await page.locator(CHOICE).first().locator('annotation[encoding="application/x-tex"]').textContent();
  assert.match(tex, /\\mathrm\{d\}/, 'the identity is typeset');

  await tabTo(page, 'rule-choice');
  // Line 2 comes from the differential of a trace. One wrong choice first: explained, nothing revealed.
  const rules = await choiceRules(page);
  const wrong = rules.find((r) => r !== 'trace');
  await arrowTo(page, wrong);
  await page.keyboard.press('Enter');
  const why = await until(async () => page.locator('[data-testid="practice-feedback"]').textContent(), {
    describe: () => 'no explanation of the wrong choice',
  });
  assert.match(why, /Not this one/, why);
  assert.doesNotMatch(why, /A\*dX\*B|tr\(d\(A\*X\*B\)\)/, 'the explanation does not give the line away');
  assert.equal(await lineCount(page), 1, 'a wrong choice reveals nothing');
  assert.equal(await page.locator(`${CHOICE}.wrong`).count(), 1, 'the wrong choice is marked');
  await screenshot(page, 'practice-wrong-choice');

  // The right rules by arrow keys and Enter; the focus comes back to the choices each time.
  await arrowTo(page, 'trace');
  await page.keyboard.press('Enter');
  await waitForLines(page, 2);
  assert.equal(await page.locator(LINES).nth(1).locator('[data-rule]').getAttribute('data-rule'), 'trace');
  await until(async () => (await focused(page)).testid === 'rule-choice', { describe: () => 'focus on the next choices' });
  await arrowTo(page, 'product-rule');
  await page.keyboard.press('Enter');
  await waitForLines(page, 3);
  await until(async () => (await focused(page)).testid === 'rule-choice', { describe: () => 'focus on the next choices' });

  // "Show me" reveals one step.
  await tabTo(page, 'show-me');
  await page.keyboard.press('Enter');
  await waitForLines(page, 4);
  assert.equal(await page.locator(LINES).nth(3).getAttribute('data-how'), 'shown');
  assert.equal(await page.locator(LINES).nth(3).locator('[data-rule]').getAttribute('data-rule'), 'constant');

  // The last line by the cyclic property.
  await until(async () => (await focused(page)).testid === 'rule-choice', { describe: () => 'focus on the next choices' });
  await arrowTo(page, 'trace-cyclic');
  await page.keyboard.press('Enter');
  await waitForLines(page, 5);

  // The end: the learner writes ∇f in the "Your ∇f =" field, or asks to see it.
  await page.locator('[data-testid="practice-end"]').waitFor();
  assert.equal(await page.locator(CHOICE).count(), 0);
  await until(async () => (await focused(page)).testid === 'show-gradient', { describe: () => 'focus on "Show ∇f"' });
  await page.keyboard.press('Enter');
  await until(async () => (await page.locator(`${LINES}[data-lhs="grad"]`).count()) > 0, {
    describe: () => 'the gradient lines',
  });
  const last = await page.locator(`${LINES}[data-lhs="grad"]`).last()
    .locator('annotation[encoding="application/x-tex"]').textContent();
  assert.match(last.replace(/\s+/g, ''), /A\}\^\\top\\mathbf\{B\}\^\\top/, last);
  // ∇f in the "Your ∇f =" field, reached and typed by keyboard.
  assert.equal(await claimVerdict(page, "B'*A'"), 'not correct', 'the transpose of the answer');
  assert.equal(await claimVerdict(page, "A'*B'"), 'correct');
  await screenshot(page, 'practice-finished');
  await assertClean(t, rec, assert);
  await page.close();
});

test('a typed line is checked: a wrong one is refused with a reason, a right one reveals the step', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: TRACE.f, practice: '1' }));
  const field = page.locator('[data-testid="practice-line"]');
  await field.waitFor();
  await field.fill('-tr(d(A*X*B))');
  await field.press('Enter');
  const why = await until(async () => page.locator('[data-testid="practice-feedback"]').textContent(), {
    describe: () => 'no verdict on the typed line',
  });
  assert.match(why, /Not equal to dy/, why);
  assert.equal(await lineCount(page), 1);
  await field.fill('tr(d(A*X*B))');
  await field.press('Enter');
  await waitForLines(page, 2);
  assert.equal(await page.locator(LINES).nth(1).getAttribute('data-how'), 'you typed it');
  await assertClean(t, rec, assert);
  await page.close();
});

test('an exercise link with hide=result shows the problem but no derivation until asked', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: TRACE.f, hide: 'result' }));
  await page.locator('[data-testid="problem"]').waitFor();
  assert.equal(await claimVerdict(page, 'A*B'), 'not correct', 'the learner\'s answer is checked while the result is hidden');
  // Nothing of the answer: no derivation, no gradient, no check, no copy buttons.
  await page.waitForTimeout(300);
  assert.equal(await page.locator('[data-testid="derivation"], [data-testid="gradient"], [data-testid="check-status"]').count(), 0);
  const body = await page.locator('body').textContent();
  assert.doesNotMatch(body, /A'\*B'/, 'the gradient text is nowhere on the page');
  await screenshot(page, 'hidden-result');
  await page.locator('[data-testid="show-derivation"]').click();
  await waitForGradient(page, TRACE.grad);
  assert.doesNotMatch(page.url(), /hide=result/, 'the address no longer hides it');
  await assertClean(t, rec, assert);
  await page.close();
});

test('exercise progress survives a reload and can be reset', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(env.server.base);
  // Start from no progress (an earlier test's practice run of this exercise counts).
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  const item = page.locator('[data-exercise="note-trace-axb"]');
  await item.waitFor();
  assert.ok((await page.locator('[data-testid="exercises"] > li').count()) >= 33, 'the note’s three and 30 more');
  assert.equal(await item.getAttribute('data-done'), 'false');
  await item.locator('button').click();
  await page.locator('[data-testid="practice"]').waitFor();
  assert.match(page.url(), /practice=1/);
  // Through to the end by "show me".
  for (let i = 0; i < 10 && (await page.locator('[data-testid="practice-end"]').count()) === 0; i++) {
    await page.locator('[data-testid="show-me"]').click();
  }
  await page.locator('[data-testid="practice-end"]').waitFor();
  await until(async () => (await item.getAttribute('data-done')) === 'true', { describe: () => 'marked done' });
  assert.match(await page.locator('[data-testid="exercises-progress"]').textContent(), /^1 of /);
  await page.reload();
  await page.locator('[data-exercise="note-trace-axb"]').waitFor();
  assert.equal(await page.locator('[data-exercise="note-trace-axb"]').getAttribute('data-done'), 'true', 'kept across the reload');
  await page.locator('[data-testid="reset-progress"]').click();
  await until(async () => (await item.getAttribute('data-done')) === 'false', { describe: () => 'reset' });
  await page.reload();
  await page.locator('[data-exercise="note-trace-axb"]').waitFor();
  assert.equal(await page.locator('[data-exercise="note-trace-axb"]').getAttribute('data-done'), 'false', 'the reset is kept too');
  await assertClean(t, rec, assert);
  await page.close();
});

test('the Embed dialog offers practice mode and a hidden result as options', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: TRACE.f }));
  await waitForGradient(page, TRACE.grad);
  await page.locator('.embed-open').click();
  const snippet = page.locator('[data-testid="embed-dialog"] textarea').first();
  assert.doesNotMatch(await snippet.inputValue(), /practice=1|hide=result/);
  await page.locator('[data-testid="embed-practice"]').check();
  await page.locator('[data-testid="embed-hide"]').check();
  await until(async () => /practice=1&amp;hide=result|practice=1&hide=result/.test(await snippet.inputValue()), {
    describe: async () => `snippet: ${await snippet.inputValue()}`,
  });
  await assertClean(t, rec, assert);
  await page.close();
});
