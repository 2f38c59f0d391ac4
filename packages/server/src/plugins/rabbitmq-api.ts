/** The two counts the queue check reads from RabbitMQ's management API (spec §4.7). */
export interface QueueCounts {
  ready: number;
  nack: number;
}

export interface QueueApiRequest {
  /** `Basic …` header value. */
  authorization: string;
  userAgent: string;
  timeoutMs: number;
  /** Aborts the request when the checker stops. */
  signal: AbortSignal;
}

/** A queue document is a few KiB; a larger answer is not the management API. */
const BODY_LIMIT_BYTES = 1024 * 1024;
const U32_MAX = 0xffff_ffff;

/**
 * `<api_url>/api/queues/<virtualhost>/<queue>`. Like Vigil, the absolute path replaces any path in
 * `api_url`, and the vhost and queue go in raw: the default vhost `/` must be written `%2F`.
 */
export function queueApiUrl(apiUrl: string, virtualhost: string, queue: string): URL {
  return new URL(`/api/queues/${virtualhost}/${queue}`, apiUrl);
}

/** Vigil reads both counts as u32: anything else is a JSON error. */
function readU32(document: unknown, key: string): number {
  const value = typeof document === 'object' && document !== null ? Reflect.get(document, key) : undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > U32_MAX) {
    throw new Error(`"${key}" is missing or not a count`);
  }
  return value;
}

async function readBody(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > BODY_LIMIT_BYTES) throw new Error(`answer larger than ${BODY_LIMIT_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * GETs one queue and reads `messages_ready` and `messages_unacknowledged`. Only a 200 counts; any
 * other status, a network error, the timeout or a malformed document throws with a short reason.
 * Redirects are not followed, as with Vigil's HTTP client.
 */
export async function fetchQueueCounts(url: URL, request: QueueApiRequest): Promise<QueueCounts> {
  const response = await fetch(url, {
    headers: {
      Authorization: request.authorization,
      'User-Agent': request.userAgent,
      Accept: 'application/json',
    },
    redirect: 'manual',
    signal: AbortSignal.any([request.signal, AbortSignal.timeout(request.timeoutMs)]),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`status ${response.status}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(await readBody(response));
  } catch (error) {
    throw error instanceof SyntaxError ? new Error('answer is not JSON') : error;
  }
  return { ready: readU32(document, 'messages_ready'), nack: readU32(document, 'messages_unacknowledged') };
}
