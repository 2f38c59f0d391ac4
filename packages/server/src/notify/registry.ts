import type { z } from 'zod';
import type { NotifyConfig } from '../config/schema.js';
import type { ChannelDefinition, ChannelDependencies } from './channel-definition.js';
import { type ChannelOptions, channelOptions, channelOptionsSchema } from './channel-options.js';
import { discordChannel } from './channels/discord.js';
import { emailChannel } from './channels/email.js';
import { googleChatChannel } from './channels/google-chat.js';
import { gotifyChannel } from './channels/gotify.js';
import { matrixChannel } from './channels/matrix.js';
import { mattermostChannel } from './channels/mattermost.js';
import { ntfyChannel } from './channels/ntfy.js';
import { opsgenieChannel } from './channels/opsgenie.js';
import { pagerdutyChannel } from './channels/pagerduty.js';
import { pushoverChannel } from './channels/pushover.js';
import { slackChannel } from './channels/slack.js';
import { teamsChannel } from './channels/teams.js';
import { telegramChannel } from './channels/telegram.js';
import { twilioChannel } from './channels/twilio.js';
import { webexChannel } from './channels/webex.js';
import { webhookChannel } from './channels/webhook.js';
import { xmppChannel } from './channels/xmpp.js';
import { zulipChannel } from './channels/zulip.js';
import type { Channel } from './types.js';

/** Every channel, in Vigil's dispatch order (spec §6.1), then Vigil TS's own. */
export const CHANNEL_DEFINITIONS: readonly ChannelDefinition[] = [
  emailChannel,
  twilioChannel,
  slackChannel,
  zulipChannel,
  telegramChannel,
  pushoverChannel,
  gotifyChannel,
  xmppChannel,
  matrixChannel,
  webexChannel,
  webhookChannel,
  // Vigil TS's own, after Vigil's.
  discordChannel,
  teamsChannel,
  googleChatChannel,
  mattermostChannel,
  pagerdutyChannel,
  opsgenieChannel,
  ntfyChannel,
];

export interface ConfiguredChannel {
  channel: Channel;
  /** Vigil TS's per-channel alerting options, read from the same table. */
  options: ChannelOptions;
}

/** A `[notify.<channel>]` table the channel's own schema refuses. */
export class ChannelConfigError extends Error {
  override readonly name = 'ChannelConfigError';
}

/**
 * The channels whose `[notify.<name>]` table exists, in Vigil's order, each table parsed by the
 * channel's own schema. Throws ChannelConfigError naming the table and key when one does not parse.
 */
export function buildChannels(notify: NotifyConfig, dependencies: ChannelDependencies): ConfiguredChannel[] {
  const tables = notify as unknown as Record<string, unknown>;
  return CHANNEL_DEFINITIONS.flatMap((definition) => {
    const table = tables[definition.name];
    if (table === undefined) return [];
    const config = parseTable(definition.name, definition.schema, table);
    const options = channelOptions(parseTable(definition.name, channelOptionsSchema, table));
    return [{ channel: definition.create(config, dependencies), options }];
  });
}

function parseTable<Schema extends z.ZodType>(
  name: string,
  schema: Schema,
  table: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(table);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${['notify', name, ...issue.path].join('.')}: ${issue.message}`,
  );
  throw new ChannelConfigError(`invalid [notify.${name}]: ${problems.join('; ')}`);
}
