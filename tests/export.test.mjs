// The "Export code" control (issue 16): the three variants of the Python module, written by the
// core from the derivation on screen, each with a copy button; nothing is fetched for it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, permalink, until, assertClean } from './support.mjs';

const env = useBrowser();

test('Export code shows the NumPy, PyTorch and JAX modules of the derivation on screen', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: "x'*inv(A)*x" }));
  await until(async () => (await page.getByRole('button', { name: 'NumPy', exact: true }).count()) === 1,
    { describe: () => 'no Export code control', timeout: 15_000 });
  const code = page.locator('[data-testid="export-code"]');
  assert.equal(await code.count(), 0, 'no code before a variant is chosen');
  const expected = {
    NumPy: ['import numpy as np', 'np.linalg.solve'],
    PyTorch: ['import torch', 'torch.autograd'],
    JAX: ['import jax.numpy as jnp', 'jax.grad'],
  };
  for (const [label, needles] of Object.entries(expected)) {
    await page.getByRole('button', { name: label, exact: true }).click();
    await until(async () => (await code.count()) === 1, { describe: () => `no code for ${label}` });
    const text = await code.textContent();
    for (const needle of ['def f(**values):', 'def grad_f(**values):', 'def check_gradient(seed=0', "f = x'*inv(A)*x", ...needles]) {
      assert.ok(text.includes(needle), `${label}: ${needle} missing in\n${text}`);
    }
    assert.ok(!/_inv\(/.test(text), `${label}: inv then multiply\n${text}`);
    assert.equal(await page.getByRole('button', { name: label, exact: true }).getAttribute('aria-pressed'), 'true');
  }
  await page.getByRole('button', { name: 'Copy code' }).click();
  await until(async () => /Copied the code|did not allow/.test(await page.locator('.copy .copy-status').textContent()),
    { describe: () => 'no copy status' });
  // The chosen variant again closes the code.
  await page.getByRole('button', { name: 'JAX', exact: true }).click();
  await until(async () => (await code.count()) === 0, { describe: () => 'code still shown' });
  await assertClean(t, rec, assert);
  await page.close();
});
