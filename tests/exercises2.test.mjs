// Browser test of the Hessian and Jacobian exercises (issue 14, section 3: "a few Hessians and
// Jacobians"): a Hessian exercise opens the problem (`order=2&hide=result`: the derivation shows
// when asked) with a "Your H =" field; a
// wrong H is "not correct", the right one "correct" and marks the exercise done, which a reload
// keeps. (2AᵀA for ||A*x - b||² is checked against the engine numerically by the core's tests.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, until, assertClean } from './support.mjs';

const env = useBrowser();

/** Replaces the text of the "Your H =" field and returns the status once it names a verdict. */
async function claimSecond(page, text) {
  const field = page.locator('[data-testid="claim-second"]');
  await field.fill('');
  await field.pressSequentially(text, { delay: 5 });
  const status = page.locator('[data-testid="claim-second-status"]');
  let last = '';
  await until(async () => {
    last = (await status.textContent({ timeout: 1000 }).catch(() => '')) ?? '';
    return /correct/.test(last);
  }, { timeout: 15_000, describe: () => `status ${JSON.stringify(last)}` });
  return last;
}

test('a Hessian exercise: a wrong then the right H, marked done across a reload', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(env.server.base);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  const item = page.locator('[data-exercise="hessian-least-squares"]');
  await item.waitFor();
  assert.equal(await item.getAttribute('data-done'), 'false');
  await item.locator('button').click();
  // The problem and the field, not the answer, until the learner asks.
  await page.locator('[data-testid="problem"]').waitFor();
  assert.match(await page.locator('[data-testid="problem"]').textContent(), /Find the Hessian of f/);
  assert.equal(await page.locator('[data-testid="second"]').count(), 0, 'no Hessian derivation shown');
  assert.match(page.url(), /order=2/);
  assert.match(page.url(), /hide=result/);
  assert.doesNotMatch(page.url(), /practice=1/);
  await page.locator('[data-testid="claim-second"]').waitFor();
  assert.match(await claimSecond(page, "A'*A"), /not correct/);
  assert.equal(await item.getAttribute('data-done'), 'false', 'a wrong H marks nothing');
  const right = await claimSecond(page, "2*A'*A");
  assert.match(right, /correct/);
  assert.doesNotMatch(right, /not correct/);
  await until(async () => (await item.getAttribute('data-done')) === 'true', { describe: () => 'marked done' });
  // Asked for, the Hessian derivation shows.
  await page.locator('[data-testid="show-derivation"]').click();
  await page.locator('[data-testid="second"][data-order="Hessian"]').waitFor();
  // The gradient exercise of the same f is another exercise.
  assert.equal(await page.locator('[data-exercise="note-least-squares"]').getAttribute('data-done'), 'false');
  await page.reload();
  await page.locator('[data-exercise="hessian-least-squares"]').waitFor();
  assert.equal(await page.locator('[data-exercise="hessian-least-squares"]').getAttribute('data-done'), 'true', 'kept across the reload');
  await assertClean(t, rec, assert);
  await page.close();
});

test('a Jacobian exercise opens the Jacobian view with a "Your J =" field', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(env.server.base);
  const item = page.locator('[data-exercise="jacobian-exp"]');
  await item.waitFor();
  await item.locator('button').click();
  await page.locator('[data-testid="problem"]').waitFor();
  assert.match(await page.locator('[data-testid="problem"]').textContent(), /Find the Jacobian of f/);
  assert.equal(await page.locator('[data-testid="second"]').count(), 0, 'no Jacobian derivation shown');
  assert.match(await page.locator('label[for="claim-second"]').textContent(), /Your J =/);
  assert.match(await claimSecond(page, 'exp(x)'), /not correct/);
  assert.doesNotMatch(await claimSecond(page, 'diag(exp(x))'), /not correct/);
  await until(async () => (await item.getAttribute('data-done')) === 'true', { describe: () => 'marked done' });
  await assertClean(t, rec, assert);
  await page.close();
});
