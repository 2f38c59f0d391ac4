import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseConfigText } from '../../src/config/index.js';

/** A complete config setting every key Vigil's sample config sets, with every optional table on. */
export const FIXTURE_PATH = fileURLToPath(new URL('../fixtures/vigil-config.cfg', import.meta.url));

/** The name test configs go by in messages. */
export const FILE = 'test.cfg';

/** The smallest valid config with one node of each configured kind; tests edit it into shape. */
export const MINIMAL_CONFIG = `
[server]
manager_token = "manager-secret"
reporter_token = "reporter-secret"

[assets]

[branding]
page_url = "https://status.example.com/"
company_name = "Example"
icon_color = "#000000"
icon_url = "https://status.example.com/icon.png"
logo_color = "#000000"
logo_url = "https://status.example.com/logo.svg"
website_url = "https://example.com/"
support_url = "mailto:support@example.com"

[metrics]

[probe]

[[probe.service]]
id = "web"
label = "Web"

[[probe.service.node]]
id = "router"
label = "Router"
mode = "poll"
replicas = ["icmp://edge.example.com", "tcp://edge.example.com:80"]

[[probe.service.node]]
id = "app"
label = "App"
mode = "push"

[[probe.service.node]]
id = "job"
label = "Job"
mode = "script"
scripts = ["exit 0"]
`;

/** MINIMAL_CONFIG with `from` replaced by `to`; throws if `from` is not there, so no edit is silently lost. */
export function editConfig(from: string, to: string, text = MINIMAL_CONFIG): string {
  if (!text.includes(from)) throw new Error(`test config has no ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/** The errors parseConfigText reports for `text`; fails the test if it loads. */
export function errorsOf(text: string): readonly string[] {
  try {
    parseConfigText(text, FILE, { env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.messages;
  }
  assert.fail('the config loaded without errors');
}
