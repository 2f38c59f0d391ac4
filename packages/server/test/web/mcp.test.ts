import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Fastify from 'fastify';
import type { RunningVigil } from '../../src/main.js';
import { HealthModel } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { GET_REPORT_DESCRIPTION, MCP_INSTRUCTIONS, mcpRoutes } from '../../src/web/routes/mcp.js';
import { testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { pushReport, startFullVigil } from '../helpers/vigil.js';

const PUSH_PROBES = `
[probe]
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "app"
label = "App"
mode = "push"
[[probe.service]]
id = "jobs"
label = "Jobs"
[[probe.service.node]]
id = "worker"
label = "Worker"
mode = "push"
`;

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** An initialize POST by hand, as a client that never opens the event stream; returns the session id. */
async function initializeRaw(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: JSON.stringify(INITIALIZE),
  });
  assert.equal(response.status, 200);
  await response.text();
  const sessionId = response.headers.get('mcp-session-id');
  assert.ok(sessionId);
  return sessionId;
}

function listTools(url: string, sessionId: string) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'Mcp-Session-Id': sessionId,
      'Mcp-Protocol-Version': '2025-06-18',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  });
}

async function connectClient(url: string) {
  const client = new Client({ name: 'vigil-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

describe('/mcp/probes with server.mcp_server = true', () => {
  let vigil: RunningVigil;
  let endpoint: string;

  before(async () => {
    vigil = await startFullVigil(PUSH_PROBES, 'mcp_server = true');
    endpoint = `${vigil.url}/mcp/probes`;
    // One sick and one dead replica, so the report has something to say.
    assert.equal(await pushReport(vigil, 'web/app', 'a'), 200);
    assert.equal(await pushReport(vigil, 'web/app', 'b', { cpu: 0.95, ram: 0.1 }), 200);
    assert.equal(await pushReport(vigil, 'jobs/worker', 'w'), 200);
  });
  after(() => vigil.stop());

  test('the official SDK client sees Vigil instructions and the get_report tool', async () => {
    const { client } = await connectClient(endpoint);
    try {
      assert.equal(client.getInstructions(), MCP_INSTRUCTIONS);
      const capabilities = client.getServerCapabilities();
      assert.deepEqual(Object.keys(capabilities ?? {}), ['tools'], 'tools only');
      assert.deepEqual(capabilities?.tools, { listChanged: false });
      const { tools } = await client.listTools();
      assert.deepEqual(
        tools.map((tool) => [tool.name, tool.description]),
        [['get_report', GET_REPORT_DESCRIPTION]],
      );
      assert.deepEqual(tools[0]?.inputSchema, { type: 'object', properties: {} });
      assert.equal(tools[0]?.outputSchema?.type, 'object');
    } finally {
      await client.close();
    }
  });

  test('get_report returns the /status/report document as structured content and as text', async () => {
    const { client } = await connectClient(endpoint);
    try {
      const result = await client.callTool({ name: 'get_report', arguments: {} });
      const report = await (await fetch(`${vigil.url}/status/report`)).json();
      assert.equal((report as { health: string }).health, 'sick');
      assert.deepEqual(result.structuredContent, report);
      const [content] = result.content as Array<{ type: string; text: string }>;
      assert.equal(content?.type, 'text');
      assert.deepEqual(JSON.parse(content?.text ?? ''), report);
      assert.equal(result.isError, undefined);
    } finally {
      await client.close();
    }
  });

  test('DELETE ends the session: its id is unknown afterwards (404)', async () => {
    const { client, transport } = await connectClient(endpoint);
    const sessionId = transport.sessionId ?? '';
    assert.ok(sessionId);
    await transport.terminateSession();
    await client.close();
    assert.equal((await listTools(endpoint, sessionId)).status, 404);
  });

  test('GET without Accept: text/event-stream is 406; without a session header it is 401', async () => {
    const sessionId = await initializeRaw(endpoint);
    const notAcceptable = await fetch(endpoint, {
      headers: { Accept: 'application/json', 'Mcp-Session-Id': sessionId },
    });
    assert.equal(notAcceptable.status, 406);
    assert.equal((await fetch(endpoint, { headers: { Accept: 'application/json' } })).status, 406);
    const noSession = await fetch(endpoint, { headers: { Accept: 'text/event-stream' } });
    assert.equal(noSession.status, 401);
    assert.equal((await fetch(endpoint, { method: 'DELETE' })).status, 401);
  });

  test('a POST without a session must be an initialize request (400); an unknown session is 404', async () => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    assert.equal(response.status, 400);
    assert.equal((await listTools(endpoint, 'no-such-session')).status, 404);
  });
});

describe('/mcp/probes when server.mcp_server is off (the default)', () => {
  test('the route does not exist', async () => {
    const vigil = await startFullVigil(PUSH_PROBES);
    try {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const post = method === 'POST';
        const response = await fetch(`${vigil.url}/mcp/probes`, {
          method,
          headers: { Accept: 'text/event-stream', ...(post ? { 'Content-Type': 'application/json' } : {}) },
          body: post ? JSON.stringify(INITIALIZE) : undefined,
        });
        assert.equal(response.status, 404, method);
      }
    } finally {
      await vigil.stop();
    }
  });
});

describe('MCP sessions are bounded', () => {
  const clock = new FakeClock();
  const config = testConfig(PUSH_PROBES.replace('[probe]\n', ''));
  config.server.mcp_server = true;
  const app = Fastify();
  const model = new HealthModel(
    buildTopology(config),
    { pushDelayDeadSeconds: 20, localDelayDeadSeconds: 40, pushCpuSickAbove: 0.9, pushRamSickAbove: 0.9 },
    clock,
  );
  let endpoint: string;

  before(async () => {
    await mcpRoutes(app, {
      settings: config,
      model,
      clock,
      limits: { maxSessions: 2, idleTimeoutMs: 60_000 },
    });
    endpoint = `${await app.listen({ host: '127.0.0.1', port: 0 })}/mcp/probes`;
  });
  after(() => app.close());

  test('a new session past the cap closes the least recently used one', async () => {
    const first = await initializeRaw(endpoint);
    clock.advance(1);
    const second = await initializeRaw(endpoint);
    clock.advance(1);
    assert.equal((await listTools(endpoint, first)).status, 200, 'first is now the most recently used');
    clock.advance(1);
    const third = await initializeRaw(endpoint);
    assert.equal((await listTools(endpoint, second)).status, 404);
    assert.equal((await listTools(endpoint, first)).status, 200);
    assert.equal((await listTools(endpoint, third)).status, 200);
  });

  test('an idle session is closed after idleTimeoutMs; an open event stream keeps one alive', async () => {
    const idle = await initializeRaw(endpoint);
    const streaming = await initializeRaw(endpoint);
    const controller = new AbortController();
    const stream = await fetch(endpoint, {
      headers: {
        Accept: 'text/event-stream',
        'Mcp-Session-Id': streaming,
        'Mcp-Protocol-Version': '2025-06-18',
      },
      signal: controller.signal,
    });
    assert.equal(stream.status, 200);
    clock.advance(90_000);
    assert.equal((await listTools(endpoint, idle)).status, 404);
    assert.equal((await listTools(endpoint, streaming)).status, 200);
    controller.abort();
  });

  test('closing the server ends open event streams instead of waiting for them', async () => {
    const sessionId = await initializeRaw(endpoint);
    const stream = await fetch(endpoint, {
      headers: {
        Accept: 'text/event-stream',
        'Mcp-Session-Id': sessionId,
        'Mcp-Protocol-Version': '2025-06-18',
      },
    });
    assert.equal(stream.status, 200);
    const closed = app.close().then(() => 'closed');
    const late = delay(5000, 'still open', { ref: false });
    assert.equal(await Promise.race([closed, late]), 'closed');
    await stream.text();
  });
});
