import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';
import { REPO_ROOT } from '../helpers/cli.js';

/** The folders a user's clone holds; nothing in them may reach for files outside it. */
const CHECKED_FOLDERS = ['packages', 'scripts', 'bench', '.ci', 'docs'];
const SKIPPED = new Set(['node_modules', 'dist']);

// Assembled from pieces so that this file does not match itself.
const OUTSIDE_PATHS = [
  ['shared', 'fixtures'].join('/'),
  ['..', 'shared'].join('/'),
  ['/work', 'shared'].join('/'),
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

test('no file of the repository points into a folder outside it', () => {
  const offenders: string[] = [];
  for (const folder of CHECKED_FOLDERS) {
    for (const file of filesUnder(join(REPO_ROOT, folder))) {
      const text = readFileSync(file, 'latin1');
      for (const outside of OUTSIDE_PATHS) {
        if (text.includes(outside)) offenders.push(`${relative(REPO_ROOT, file)} mentions ${outside}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

/** Every key path in a TOML document, tables included; array entries share their array's path. */
function keyPaths(value: unknown, prefix = '', into = new Set<string>()): Set<string> {
  if (prefix !== '') into.add(prefix);
  if (Array.isArray(value)) {
    for (const item of value) keyPaths(item, prefix, into);
  } else if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) {
      keyPaths(item, prefix === '' ? key : `${prefix}.${key}`, into);
    }
  }
  return into;
}

function missingKeys(fixture: URL, expected: string): string[] {
  const present = keyPaths(parseToml(readFileSync(fileURLToPath(fixture), 'utf8')));
  return expected.split(/\s+/).filter((key) => key !== '' && !present.has(key));
}

// The keys Vigil's published sample config.cfg sets, its commented-out tables included.
const VIGIL_SAMPLE_KEYS = `
server server.log_level server.inet server.workers server.mcp_server server.manager_token server.reporter_token
assets assets.path
branding branding.page_title branding.page_url branding.company_name branding.icon_color branding.icon_url
branding.logo_color branding.logo_url branding.website_url branding.support_url branding.custom_html
metrics metrics.poll_interval metrics.poll_retry metrics.poll_retry_wait metrics.poll_http_status_healthy_above
metrics.poll_http_status_healthy_below metrics.poll_delay_dead metrics.poll_delay_sick metrics.poll_parallelism
metrics.push_delay_dead metrics.push_system_cpu_sick_above metrics.push_system_ram_sick_above
metrics.script_interval metrics.script_parallelism metrics.local_delay_dead
plugins plugins.rabbitmq plugins.rabbitmq.api_url plugins.rabbitmq.auth_username plugins.rabbitmq.auth_password
plugins.rabbitmq.virtualhost plugins.rabbitmq.queue_ready_healthy_below plugins.rabbitmq.queue_nack_healthy_below
plugins.rabbitmq.queue_ready_dead_above plugins.rabbitmq.queue_nack_dead_above
plugins.rabbitmq.queue_loaded_retry_delay
notify notify.startup_notification notify.reminder_interval notify.reminder_backoff_function
notify.reminder_backoff_limit notify.reminder_escalate
notify.email notify.email.from notify.email.to notify.email.smtp_host notify.email.smtp_port
notify.email.smtp_username notify.email.smtp_password notify.email.smtp_encrypt
notify.twilio notify.twilio.to notify.twilio.service_sid notify.twilio.account_sid notify.twilio.auth_token
notify.twilio.reminders_only
notify.slack notify.slack.hook_url notify.slack.mention_channel
notify.zulip notify.zulip.bot_email notify.zulip.bot_api_key notify.zulip.channel notify.zulip.api_url
notify.telegram notify.telegram.bot_token notify.telegram.chat_id
notify.pushover notify.pushover.app_token notify.pushover.user_keys
notify.gotify notify.gotify.app_url notify.gotify.app_token
notify.xmpp notify.xmpp.from notify.xmpp.to notify.xmpp.xmpp_password
notify.matrix notify.matrix.homeserver_url notify.matrix.access_token notify.matrix.room_id
notify.webex notify.webex.endpoint_url notify.webex.token notify.webex.room_id
notify.webhook notify.webhook.hook_url
probe probe.service probe.service.id probe.service.label probe.service.node probe.service.node.id
probe.service.node.label probe.service.node.mode probe.service.node.replicas
probe.service.node.http_body_healthy_match probe.service.node.reveal_replica_name
probe.service.node.rabbitmq_queue probe.service.node.rabbitmq_queue_nack_healthy_below
probe.service.node.rabbitmq_queue_nack_dead_above probe.service.node.link_url probe.service.node.link_label
probe.service.node.scripts
`;

// The keys Vigil Local's published sample config.cfg sets.
const VIGIL_LOCAL_SAMPLE_KEYS = `
server server.log_level report report.endpoint report.token
metrics metrics.interval metrics.poll_retry metrics.poll_delay_dead metrics.poll_delay_sick
probe probe.service probe.service.id probe.service.node probe.service.node.id probe.service.node.mode
probe.service.node.replicas probe.service.node.scripts
`;

test("the test configs set every key of Vigil's and Vigil Local's sample configs", () => {
  assert.deepEqual(
    missingKeys(new URL('../fixtures/vigil-config.cfg', import.meta.url), VIGIL_SAMPLE_KEYS),
    [],
  );
  assert.deepEqual(
    missingKeys(
      new URL('../../../local/test/fixtures/vigil-local-config.cfg', import.meta.url),
      VIGIL_LOCAL_SAMPLE_KEYS,
    ),
    [],
  );
});
