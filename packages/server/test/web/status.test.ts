import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MIXED_PROBES } from '../helpers/config.js';
import { startTestServer } from '../helpers/server.js';

describe('public status routes', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  before(async () => {
    server = await startTestServer(MIXED_PROBES);
  });
  after(() => server.close());

  test('/status/text is the bare page status, with or without a trailing slash', async () => {
    for (const path of ['/status/text', '/status/text/']) {
      const response = await fetch(server.url + path);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(await response.text(), 'healthy');
    }
    server.observe.probe(
      { serviceId: 'internal', nodeId: 'jobs', replicaId: '0' },
      { health: 'sick', latencyMs: 1 },
    );
    assert.equal(await (await fetch(`${server.url}/status/text`)).text(), 'sick');
  });

  test('/status/report has Vigil shape: labels and statuses in config order, no replica ids', async () => {
    server.observe.push('web', 'app', '10.1.1.1', 30, { cpu: 0.1, ram: 0.1 });
    const response = await fetch(`${server.url}/status/report/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await response.json(), {
      health: 'sick',
      page: { name: 'Test Status', url: 'https://status.example.com/' },
      probes: [
        {
          name: 'Web',
          status: 'healthy',
          nodes: [
            { name: 'API', status: 'healthy', replicas: ['healthy', 'healthy'] },
            { name: 'App', status: 'healthy', replicas: ['healthy'] },
          ],
        },
        {
          name: 'Internal',
          status: 'sick',
          nodes: [
            { name: 'Gateway', status: 'healthy', replicas: [] },
            { name: 'Jobs', status: 'sick', replicas: ['sick'] },
          ],
        },
      ],
    });
  });

  test('HEAD is answered on every GET route, without a body', async () => {
    for (const path of ['/', '/status/text', '/status/report', '/robots.txt']) {
      const response = await fetch(server.url + path, { method: 'HEAD' });
      assert.equal(response.status, 200, path);
      assert.equal(await response.text(), '');
    }
  });

  test('robots.txt allows everything, as Vigil ships it', async () => {
    assert.equal(await (await fetch(`${server.url}/robots.txt`)).text(), 'User-agent: *\nDisallow:\n');
  });

  test('an unknown route is a JSON 404', async () => {
    const response = await fetch(`${server.url}/nope`);
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { error: 'not found' });
  });

  test('the page lists services, nodes and replica states, with security headers', async () => {
    const response = await fetch(`${server.url}/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const page = await response.text();
    for (const text of ['Web', 'API', 'Internal', 'Jobs', 'Minor service slowdown ongoing'])
      assert.ok(page.includes(text), text);
  });
});

describe('the page escapes what config and reporters send', () => {
  test('labels and revealed replica ids holding markup render as text', async () => {
    const server = await startTestServer(`
[[probe.service]]
id = "evil"
label = "<script>alert('service')</script>"
[[probe.service.node]]
id = "app"
label = "\\"><img src=x onerror=alert(1)>"
mode = "push"
reveal_replica_name = true
`);
    try {
      server.observe.push('evil', 'app', '<script>alert("replica")</script>', 30, { cpu: 0, ram: 0 });
      const page = await (await fetch(`${server.url}/`)).text();
      assert.ok(!page.includes('<script>alert'), 'no raw script tag');
      assert.ok(!page.includes('<img src=x'), 'no raw img tag');
      assert.ok(page.includes('&lt;script&gt;alert(&#39;service&#39;)&lt;/script&gt;'));
      assert.ok(page.includes('&lt;script&gt;alert(&quot;replica&quot;)&lt;/script&gt;'));
    } finally {
      await server.close();
    }
  });
});
