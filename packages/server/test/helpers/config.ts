import { parse } from 'smol-toml';
import { configSchema, type RawConfig } from '../../src/config/schema.js';

/** The required tables every test config needs, so each test writes only its own probes and overrides. */
export const BASE_CONFIG = `
[server]
log_level = "off"
inet = "127.0.0.1:0"
manager_token = "manager-secret"
reporter_token = "reporter-secret"

[branding]
page_title = "Test Status"
page_url = "https://status.example.com"
company_name = "Example Inc"
icon_color = "#000000"
icon_url = "https://status.example.com/icon.png"
logo_color = "#000000"
logo_url = "https://status.example.com/logo.svg"
website_url = "https://example.com/"
support_url = "mailto:support@example.com"

[metrics]
`;

/** Parses BASE_CONFIG with extra [metrics] keys and probe tables through the real schema. */
export function testConfig(probes: string, metrics = ''): RawConfig {
  return configSchema.parse(parse(`${BASE_CONFIG}${metrics}\n[probe]\n${probes}`));
}

export const MIXED_PROBES = `
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "api"
label = "API"
mode = "poll"
replicas = ["http://127.0.0.1:1/health", "tcp://127.0.0.1:1"]
[[probe.service.node]]
id = "app"
label = "App"
mode = "push"
[[probe.service]]
id = "internal"
label = "Internal"
[[probe.service.node]]
id = "gateway"
label = "Gateway"
mode = "local"
[[probe.service.node]]
id = "jobs"
label = "Jobs"
mode = "script"
scripts = ["exit 0"]
`;
