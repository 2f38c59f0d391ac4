import { logLevelSchema, z } from '@vigil-ts/server/config';

/**
 * The vigil-local configuration (spec §9): Vigil Local 1.2.6's keys and defaults, plus the
 * extensions marked below, which Vigil Local would ignore. Cross-key rules live in validate.ts.
 */

/** Up to a year, like the server's durations. */
const seconds = (min: number) => z.number().int().min(min).max(31_536_000);

const serverSchema = z.object({
  log_level: logLevelSchema,
});

const isHttpUrl = (value: string) =>
  URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);

const reportSchema = z.object({
  endpoint: z.string().refine(isHttpUrl, {
    message:
      'must be the http:// or https:// base URL of the Vigil server, such as https://status.example.com',
  }),
  token: z.string(),
});

const metricsSchema = z.object({
  interval: seconds(1).default(120),
  poll_retry: z.number().int().min(0).max(255).default(2),
  poll_delay_dead: seconds(1).default(10),
  poll_delay_sick: seconds(0).default(1),
  /** Extension: replicas probed (and reported) at the same time; Vigil Local does one at a time. */
  parallelism: z.number().int().min(1).max(1024).default(8),
  /** Extension: a script running longer is killed with its process group and reported dead. */
  script_timeout: seconds(1).default(60),
});

export const NODE_MODES = ['poll', 'script'] as const;

const nodeSchema = z.object({
  id: z.string().min(1),
  mode: z.enum(NODE_MODES),
  replicas: z.array(z.string()).optional(),
  scripts: z.array(z.string()).optional(),
});

const serviceSchema = z.object({
  id: z.string().min(1),
  node: z.array(nodeSchema),
});

export const localConfigSchema = z.object({
  server: serverSchema,
  report: reportSchema,
  metrics: metricsSchema,
  probe: z.object({ service: z.array(serviceSchema) }),
});

export type LocalConfig = z.output<typeof localConfigSchema>;
export type LocalNodeConfig = z.output<typeof nodeSchema>;
