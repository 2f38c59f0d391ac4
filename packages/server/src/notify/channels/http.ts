import { basicAuthorization } from '../../http/basic-auth.js';
import { VERSION } from '../../version.js';
import { currentIdempotencyKey } from '../idempotency.js';

/**
 * One HTTP attempt for the notify channels, with Vigil's client behaviour: POST, redirects followed,
 * a per-attempt timeout, success only on 2xx. Retries belong to the dispatcher, not here.
 */

export interface AttemptOptions {
  /** The dispatcher's signal: aborting it abandons the attempt and rethrows its reason. */
  signal: AbortSignal;
  /** Per-attempt timeout (Vigil: 10 s). */
  timeoutMs: number;
  headers?: Record<string, string>;
}

/** A failed delivery; `status` is set when the endpoint answered with a non-2xx status. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const EXCERPT_CHARS = 200;

/**
 * How notification requests name their sender (Vigil's notifiers send none, so endpoints saw the
 * HTTP library's): the product and version, as Vigil Local's `vigil-local/1.2.6` does.
 */
const NOTIFIER_USER_AGENT = `vigil-ts/${VERSION}`;

export function postJson(url: string, payload: unknown, options: AttemptOptions): Promise<void> {
  return post(url, 'application/json', JSON.stringify(payload), options);
}

/** Fields in the given order, encoded like reqwest's `.form()` (space as `+`, UTF-8 percent-encoding). */
export function postForm(
  url: string,
  fields: Array<[string, string]>,
  options: AttemptOptions,
): Promise<void> {
  return post(url, 'application/x-www-form-urlencoded', new URLSearchParams(fields).toString(), options);
}

/** The raw POST; `contentType` is set explicitly because fetch would label a string body text/plain. */
export async function post(
  url: string,
  contentType: string,
  body: string,
  { signal, timeoutMs, headers }: AttemptOptions,
): Promise<void> {
  // Paths and queries carry secrets (Slack hook, Telegram bot token, Matrix and Gotify tokens): name the origin only.
  const target = URL.canParse(url) ? new URL(url).origin : 'an invalid URL';
  const credentials = urlCredentials(url);
  const timeout = AbortSignal.timeout(timeoutMs);
  // The same on every attempt at one alert, so an endpoint that keeps keys drops a repeat.
  const idempotencyKey = currentIdempotencyKey();
  let response: Response;
  try {
    response = await fetch(credentials?.url ?? url, {
      method: 'POST',
      headers: {
        'user-agent': NOTIFIER_USER_AGENT,
        ...(idempotencyKey !== undefined && { 'idempotency-key': idempotencyKey }),
        ...credentials?.headers,
        ...headers,
        'content-type': contentType,
      },
      body,
      redirect: 'follow',
      signal: AbortSignal.any([signal, timeout]),
    });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (timeout.aborted) throw new DeliveryError(`no answer from ${target} within ${timeoutMs} ms`);
    throw new DeliveryError(`could not reach ${target}: ${transportCause(error)}`, undefined, {
      cause: error,
    });
  }
  if (response.ok) {
    // Nothing to read, but the body must be released for the connection to be reused.
    await response.body?.cancel().catch(() => {});
    return;
  }
  const excerpt = await bodyExcerpt(response);
  throw new DeliveryError(
    `${target} answered HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`,
    response.status,
  );
}

/**
 * reqwest turns `https://user:pass@host/` into Basic auth, so such hook URLs work in Vigil; fetch
 * refuses URLs with credentials, so they move to the header here. An explicit header wins.
 */
function urlCredentials(url: string): { url: string; headers: Record<string, string> } | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return undefined;
  const authorization = basicAuthorization(percentDecoded(parsed.username), percentDecoded(parsed.password));
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, headers: { authorization } };
}

/** Lenient like Rust's `percent_decode`: a malformed escape stays as written instead of throwing. */
function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** undici reports "fetch failed" and hides the reason (ECONNREFUSED, DNS…) in `cause`. */
function transportCause(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof AggregateError && cause.errors[0] instanceof Error) return cause.errors[0].message;
  if (cause instanceof Error) return cause.message || String((cause as NodeJS.ErrnoException).code ?? cause);
  return error instanceof Error ? error.message : String(error);
}

/** The start of an error answer, on one line, for the log; reading stops early on large bodies. */
async function bodyExcerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of response.body) {
      text += decoder.decode(chunk, { stream: true });
      if (text.length > EXCERPT_CHARS * 4) break;
    }
  } catch {
    // A body cut short (timeout, reset) still leaves the status worth reporting.
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line;
}

/**
 * Sends to every target in order, as Vigil does, and after trying all of them fails if any failed,
 * naming which; the dispatcher's retry then repeats the whole attempt, like Vigil's.
 */
export async function sendToEach<Target>(
  targets: readonly Target[],
  describe: (target: Target, index: number) => string,
  send: (target: Target, index: number) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const failures: string[] = [];
  for (const [index, target] of targets.entries()) {
    try {
      await send(target, index);
    } catch (error) {
      if (signal.aborted) throw error;
      failures.push(`${describe(target, index)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length > 0) {
    throw new DeliveryError(
      `failed for ${failures.length} of ${targets.length} targets: ${failures.join('; ')}`,
    );
  }
}
