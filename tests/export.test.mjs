// The "Export code" buttons (issue 16): each copies the Python module of the derivation on screen
// for its target (NumPy, PyTorch, JAX), written by the core when pressed; nothing is fetched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, permalink, until, assertClean } from './support.mjs';

const env = useBrowser();

test('Export code copies the NumPy, PyTorch and JAX modules of the derivation on screen', async (t) => {
  const rec = await openPage(env.browser.context, env.server.origin);
  const { page } = rec;
  await page.goto(permalink(env.server.base, { f: "x'*inv(A)*x" }));
  const group = page.getByRole('group', { name: 'export code' });
  await until(async () => (await group.getByRole('button', { name: 'NumPy', exact: true }).count()) === 1,
    { describe: () => 'no Export code control', timeout: 15_000 });
  // What the page copies is recorded instead of reaching the system clipboard.
  await page.evaluate(() => {
    window.__copied = [];
    navigator.clipboard.writeText = async (text) => { window.__copied.push(text); };
  });
  const expected = {
    NumPy: ['import numpy as np', 'np.linalg.solve'],
    PyTorch: ['import torch', 'torch.autograd'],
    JAX: ['import jax.numpy as jnp', 'jax.grad'],
  };
  let n = 0;
  for (const [label, needles] of Object.entries(expected)) {
    await group.getByRole('button', { name: label, exact: true }).click();
    n += 1;
    await until(async () => (await page.evaluate(() => window.__copied.length)) === n, { describe: () => `nothing copied for ${label}` });
    const text = await page.evaluate(() => window.__copied.at(-1));
    for (const needle of ['def f(**values):', 'def grad_f(**values):', 'def check_gradient(seed=0', "f = x'*inv(A)*x", ...needles]) {
      assert.ok(text.includes(needle), `${label}: ${needle} missing in\n${text}`);
    }
    assert.ok(!/_inv\(/.test(text), `${label}: inv then multiply\n${text}`);
    await until(async () => (await page.locator('.copy .copy-status').textContent()).includes(`Copied the ${label} code.`),
      { describe: () => `no status for ${label}` });
  }
  await assertClean(t, rec, assert);
  await page.close();
});
