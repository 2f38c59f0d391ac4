import { redactUrl } from './redact.js';
import { PROBE_KINDS } from './registry.js';
import type { ReplicaAddress, ReplicaUrlForm, ReplicaUrlParse } from './types.js';

export type { ReplicaUrlParse } from './types.js';

type KindName = (typeof PROBE_KINDS)[number]['kind'];

/** The URL forms of the registry's kinds, in its order, as error messages list them. */
function urlForms(): ReplicaUrlForm<ReplicaAddress>[] {
  return PROBE_KINDS.flatMap((definition): ReplicaUrlForm<ReplicaAddress>[] =>
    definition.url ? [definition.url] : [],
  );
}

/**
 * What a poll replica URL may look like, for error messages: every kind's form (`icmp://HOST, …,
 * redis[s]://… or postgres://…`), or only those of the kinds `accepts` keeps (vigil-local's).
 */
export function replicaUrlGrammar(accepts: (kind: KindName) => boolean = () => true): string {
  const forms = PROBE_KINDS.flatMap((definition) =>
    definition.url && accepts(definition.kind) ? [definition.url.grammar] : [],
  );
  const last = forms.pop();
  return forms.length === 0 ? (last ?? '') : `${forms.join(', ')} or ${last}`;
}

/** Every form a poll replica URL may take, for error messages. */
export const REPLICA_URL_GRAMMAR = replicaUrlGrammar();

/** Each scheme's form: `redis` and `rediss` both read by the redis kind. */
const FORM_BY_SCHEME: ReadonlyMap<string, ReplicaUrlForm<ReplicaAddress>> = new Map(
  urlForms().flatMap((form) => form.schemes.map((scheme) => [scheme, form] as const)),
);

/**
 * Parses a poll replica URL with Vigil's grammar (spec §4.1) and the kinds Vigil TS adds: the scheme
 * picks the kind, whose file reads the rest. Errors that list the forms quote `grammar`.
 */
export function parseReplicaUrl(raw: string, grammar: string = REPLICA_URL_GRAMMAR): ReplicaUrlParse {
  // Error messages quote the URL as written, less its secrets: they end up in logs.
  const shown = redactUrl(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, error: `"${shown}" is not a URL; expected ${grammar}` };
  }
  const scheme = url.protocol.slice(0, -1);
  const form = FORM_BY_SCHEME.get(scheme);
  if (!form)
    return { ok: false, error: `"${shown}" has unsupported scheme "${scheme}"; expected ${grammar}` };
  return form.parse(url, { shown, grammar });
}
