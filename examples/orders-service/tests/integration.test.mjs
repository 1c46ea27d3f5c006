// The integration suite a test stage runs against the deployed release (tollgate.config.ts, test
// environment): `node --test` with the JUnit reporter, so Tollgate reads each test's result.
// TOLLGATE_URL, TOLLGATE_RELEASE and TOLLGATE_COMMIT come from the test stage.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

const base = process.env.TOLLGATE_URL;
if (!base) throw new Error('TOLLGATE_URL is not set: run this suite as a Tollgate test stage');

async function get(path) {
  const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.json() };
}

describe('orders-service', () => {
  test('reports healthy', async () => {
    const { status, body } = await get('/health');
    assert.equal(status, 200);
    assert.equal(body.status, 'ok');
  });

  test('serves the release under test', async () => {
    const { status, body } = await get('/version');
    assert.equal(status, 200);
    assert.equal(body.version, process.env.TOLLGATE_RELEASE);
    assert.equal(body.commit, process.env.TOLLGATE_COMMIT);
  });

  test('answers unknown routes with 404 and a reason', async () => {
    const { status, body } = await get('/no-such-route');
    assert.equal(status, 404);
    assert.match(body.error, /no route/);
  });
});
