// "Check my answer" (issue 14, section 1): the note's three examples with a wrong, a transposed
// and a right claim typed in the "Your ∇f =" field; the verdict, the diagnosis and the claim
// kept in the URL.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser, openPage, screenshot, permalink, SEL, NOTE_EXAMPLES, waitForGradient, until, assertClean,
} from './support.mjs';

const env = useBrowser();

const CLAIM = {
  field: '[data-testid="claim"]',
  status: '[data-testid="claim-status"]',
  diagnosis: '[data-testid="claim-diagnosis"]',
};

/** The verdict once the claim typed last is decided (not "checking…"). */
async function verdict(page) {
  let last = '';
  await until(async () => {
    last = (await page.locator(CLAIM.status).first().textContent({ timeout: 1000 }).catch(() => '')) ?? '';
    return /correct|undecided|cannot/.test(last) && !/checking/.test(last);
  }, { timeout: 15_000, describe: () => `claim status ${JSON.stringify(last)}` });
  return last;
}

async function diagnosis(page) {
  return (await page.locator(CLAIM.diagnosis).first().textContent({ timeout: 5000 }).catch(() => '')) ?? '';
}

async function typeClaim(page, text) {
  const input = page.locator(CLAIM.field);
  await input.click();
  await input.fill('');
  await input.pressSequentially(text, { delay: 5 });
}

// For each of the note's examples: a wrong claim (with the mistake it must name), the transposed
// claim, and a right one written otherwise.
const CASES = [
  { f: '||A*x - b||^2', wrong: "2*A'*A*x", wrongSays: /missing/, transposed: "2*(A*x - b)'*A", right: "2*A'*A*x - 2*A'*b" },
  { f: 'tr(A*X*B)', wrong: "2*A'*B'", wrongSays: /factor of 2/, transposed: 'B*A', right: "(B*A)'" },
  { f: "logdet(X'*X)", wrong: "-2*X*inv(X'*X)", wrongSays: /sign/, transposed: "2*inv(X'*X)*X'", right: "2*(inv(X'*X)*X')'" },
];

for (const c of CASES) {
  test(`check my answer: ${c.f}`, async (t) => {
    const rec = await openPage(env.browser.context, env.server.origin);
    const { page } = rec;
    const ex = NOTE_EXAMPLES.find((e) => e.f === c.f);
    await page.goto(permalink(env.server.base, { f: c.f }));
    await waitForGradient(page, ex.grad);

    await typeClaim(page, c.wrong);
    assert.match(await verdict(page), /not correct/, `${c.wrong} is not correct`);
    assert.match(await diagnosis(page), c.wrongSays, 'the mistake is named');

    await typeClaim(page, c.transposed);
    assert.match(await verdict(page), /not correct/, `${c.transposed} is not correct`);
    assert.match(await diagnosis(page), /transpose/, 'the transpose is named');

    await typeClaim(page, c.right);
    const v = await verdict(page);
    assert.match(v, /correct/);
    assert.doesNotMatch(v, /not correct/, `${c.right} is correct`);
    assert.match(await diagnosis(page), /equal to matdiff's/, 'written differently, both shown');
    // Both forms side by side, typeset.
    assert.ok(await page.locator(`${CLAIM.diagnosis} .both .katex`).count() >= 1, "both forms typeset");

    // The claim is kept in the URL (written once typing pauses), and a reload restores it.
    await until(async () => new URL(page.url()).searchParams.get('claim') === c.right,
      { describe: () => `url ${page.url()}` });
    await page.reload();
    await waitForGradient(page, ex.grad);
    assert.equal(await page.locator(CLAIM.field).inputValue(), c.right);
    assert.doesNotMatch(await verdict(page), /not correct/);
    await screenshot(page, `claim-${ex.name}`);
    await assertClean(t, rec, assert);
    await page.close();
  });
}

test('the classic 2Ax for x\'Ax: correct only if A is symmetric', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: "x'*A*x", wrt: 'x', claim: '2*A*x' }));
  assert.match(await verdict(page), /not correct/);
  assert.match(await diagnosis(page), /correct if A is symmetric; A is not declared symmetric/);
  await assertClean(t, rec, assert);
  await page.close();
});

test('a pasted identity checks its own f and ∇f', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: 'tr(A*X*B)' }));
  await page.locator(SEL.expr).waitFor();
  await typeClaim(page, "f = x'*A*x, ∇f = (A + A')*x");
  const v = await verdict(page);
  assert.doesNotMatch(v, /not correct/);
  assert.match(v, /correct/);
  await assertClean(t, rec, assert);
  await page.close();
});

test('a hostile claim in the URL is text, never markup', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  const hostile = '<img src=x onerror=alert(1)>\\href{javascript:alert(1)}{x}';
  await page.goto(permalink(env.server.base, { f: 'tr(A*X*B)', claim: hostile }));
  await verdict(page);
  assert.equal(await page.locator('img[src="x"]').count(), 0, 'no element injected');
  assert.equal(await page.locator(`${CLAIM.diagnosis} a`).count(), 0, 'no link');
  assert.equal(await page.locator(CLAIM.field).inputValue(), hostile, 'the field shows the text as typed');
  await typeClaim(page, "A'*B'");
  assert.doesNotMatch(await verdict(page), /not correct/, 'the page stays usable');
  await assertClean(t, rec, assert);
  await page.close();
});
