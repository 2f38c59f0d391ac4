import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAnnouncementStore } from '../../src/announcements/memory.js';
import { startTestServer } from '../helpers/server.js';

/** Each tries a different way out: a script tag, an attribute break-out, an entity, a closing tag. */
const PAYLOADS = [
  `<script>alert('x')</script>`,
  `" onmouseover="alert(1)" x="`,
  `' onfocus='alert(2)' autofocus='`,
  `</textarea></title><img src=x onerror=alert(3)>`,
  `&lt;script&gt;`,
];

const toml = (value: string) => JSON.stringify(value);

function probes(payload: string) {
  return `
[[probe.service]]
id = ${toml(`svc${payload}`)}
label = ${toml(`Service ${payload}`)}
[[probe.service.node]]
id = ${toml(`node${payload}`)}
label = ${toml(`Node ${payload}`)}
mode = "push"
reveal_replica_name = true
link_url = "https://example.com/?q=%22%3E%3Cscript%3E"
link_label = ${toml(`Link ${payload}`)}
`;
}

/** What must never appear: the raw payload (a tag, or a quote that ends an attribute early). */
function assertInert(html: string, payload: string) {
  assert.ok(!html.includes(payload), `raw payload ${payload} in the page`);
  assert.ok(!/<script>alert/.test(html), 'a live script tag');
  assert.ok(!/<img src=x/.test(html), 'a live img tag');
  const scripts = [...html.matchAll(/<script\b[^>]*>([^<]*)<\/script>/g)].map((match) => match[0]);
  assert.equal(scripts.length, 3, 'only the page scripts (live.js, local-time.js) and its status global');
  assert.match(scripts[2] ?? '', /^<script>window\.STATUS_GENERAL = "(healthy|sick|dead)";<\/script>$/);
}

for (const payload of PAYLOADS) {
  test(`config labels, replica ids, link labels and announcements holding ${JSON.stringify(payload)} render as text`, async () => {
    const announcements = new MemoryAnnouncementStore();
    const server = await startTestServer(probes(payload), {
      announcements,
      configure: (config) => {
        config.branding.company_name = `Company ${payload}`;
        config.branding.page_title = `Title ${payload}`;
      },
    });
    try {
      server.observe.push(`svc${payload}`, `node${payload}`, `replica${payload}`, 30, { cpu: 0, ram: 0 });
      server.observe.push(`svc${payload}`, `node${payload}`, `other${payload}`, 30, { cpu: 0, ram: 0 });
      announcements.add({ title: `Title ${payload}`, text: `Line one ${payload}\nLine two ${payload}` });
      const html = await (await fetch(`${server.url}/`)).text();
      assertInert(html, payload);
      // Spot checks that the text is there, escaped.
      if (payload.startsWith('<script>')) {
        assert.ok(html.includes('Node &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;'));
        assert.ok(html.includes('<code>replica&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</code>'));
        assert.ok(html.includes('<h3>Title &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</h3>'));
        assert.ok(html.includes('Line one &lt;script&gt;'));
        assert.ok(html.includes('&lt;/script&gt;<br>Line two'));
      }
      if (payload === '&lt;script&gt;')
        assert.ok(html.includes('Node &amp;lt;script&amp;gt;'), 'entities are escaped too');
      // The anchor of a service id with odd characters still links to itself.
      assert.ok(html.includes(`href="#${encodeURIComponent(`probe-svc${payload}`).replace(/'/g, '&#39;')}"`));
    } finally {
      await server.close();
    }
  });
}

test('a javascript: link_url is dropped rather than linked', async () => {
  const server = await startTestServer(`
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "app"
label = "App"
mode = "push"
link_url = "javascript:alert(document.domain)"
link_label = "Click"
`);
  try {
    const html = await (await fetch(`${server.url}/`)).text();
    assert.ok(!html.includes('javascript:'));
    assert.ok(!html.includes('>Click<'));
  } finally {
    await server.close();
  }
});
