import type { z } from 'zod';
import { formatKeyPath, type KeyPath } from '../config/problems.js';
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
import { targetTables } from './targets.js';
import type { Channel, TargetId } from './types.js';

/**
 * Every channel, in Vigil's dispatch order (spec §6.1), then Vigil TS's own: the one list of channels.
 * The `[notify.*]` schema, CHANNEL_NAMES and ChannelName are read from it, so a new channel is its
 * file, its test and one line here.
 */
export const CHANNEL_DEFINITIONS = [
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
] as const satisfies readonly ChannelDefinition[];

/** A channel's name: a `[notify.<name>]` key. */
export type ChannelName = (typeof CHANNEL_DEFINITIONS)[number]['name'];

/** The channels' names, in dispatch order. */
export const CHANNEL_NAMES: readonly ChannelName[] = CHANNEL_DEFINITIONS.map((definition) => definition.name);

/** Whether `name` is a channel's name, such as a `[notify.<name>]` key or the channel of a target id. */
export function isChannelName(name: string): name is ChannelName {
  return CHANNEL_NAMES.some((channel) => channel === name);
}

export interface ConfiguredChannel {
  /** Which target of the channel this is: `slack`, or `slack#ops` for an array entry (targets.ts). */
  target: TargetId;
  /** Where its table is, as messages name it: `notify.slack` or `notify.slack[1]`. */
  where: string;
  channel: Channel;
  /** Vigil TS's per-channel alerting options, read from the same table. */
  options: ChannelOptions;
}

/** A `[notify.<channel>]` table or `[[notify.<channel>]]` entry the channel's own schema refuses. */
export class ChannelConfigError extends Error {
  override readonly name = 'ChannelConfigError';
}

/**
 * Every configured target: a `[notify.<name>]` table, or each entry of a `[[notify.<name>]]` array,
 * channels in Vigil's order, each table parsed by the channel's own schema. Throws
 * ChannelConfigError naming the table and key (`notify.slack[1].hook_url`) when one does not parse.
 */
export function buildChannels(notify: NotifyConfig, dependencies: ChannelDependencies): ConfiguredChannel[] {
  const tables = notify as unknown as Record<string, unknown>;
  return targetTables(tables, CHANNEL_DEFINITIONS).map(({ definition, id, path, table }) => {
    const config = parseTable(path, definition.schema, table);
    const options = channelOptions(parseTable(path, channelOptionsSchema, table));
    return {
      target: id,
      where: formatKeyPath(path),
      channel: definition.create(config, dependencies),
      options,
    };
  });
}

function parseTable<Schema extends z.ZodType>(
  path: KeyPath,
  schema: Schema,
  table: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(table);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${formatKeyPath([...path, ...issue.path])}: ${issue.message}`,
  );
  throw new ChannelConfigError(`invalid [${formatKeyPath(path)}]: ${problems.join('; ')}`);
}
