import type { ProbeTarget } from '../../probes/index.js';

/** A target of a kind that keeps its whole URL (the replica's own part). */
type UrlTarget = Extract<ProbeTarget, { url: string }>;

/**
 * A target less its URL: what the replicas of a node, and of nodes configured alike, share; a target
 * of a kind without a URL is its own template.
 */
export type TargetTemplate = Exclude<ProbeTarget, UrlTarget> | Omit<UrlTarget, 'url'>;

/**
 * Many targets in a few objects, for the prober thread's setup: a structured clone of one target per
 * replica gave each its own object and URL copy, ~280 B of the thread's heap per replica at 100,000
 * HTTP replicas. Here a target costs its URL's characters, one offset and one template index; the
 * target is made again when its check runs (`unpackTarget`).
 */
export interface PackedTargets {
  /** The distinct templates; the objects they hold (headers, regexes) stay shared through a clone. */
  readonly templates: TargetTemplate[];
  /** Each target's index in `templates`. */
  readonly templateOf: Uint8Array | Uint16Array | Uint32Array;
  /** Every target's URL (empty for a kind without one), one after another: one string, not one per target. */
  readonly urls: string;
  /** Where each target's URL ends in `urls` (UTF-16 code units); it starts where the one before ends. */
  readonly urlEnds: Uint32Array;
}

/** Packs `targets`, in order: target i is `unpackTarget(packed, i)`. */
export function packTargets(targets: Iterable<ProbeTarget>): PackedTargets {
  const templates: TargetTemplate[] = [];
  const indexByKey = new Map<string, number>();
  const objectIds = new Map<object, number>();
  const templateOf: number[] = [];
  const urls: string[] = [];
  const urlEnds: number[] = [];
  let urlEnd = 0;
  let last = -1;
  for (const target of targets) {
    const { template, url } = splitUrl(target);
    // Consecutive replicas of a node share their options: compared as they are, no key is made.
    const previous = templates[last];
    if (!previous || !sameFields(previous, template)) {
      const key = templateKey(template, objectIds);
      let index = indexByKey.get(key);
      if (index === undefined) {
        index = templates.push(template) - 1;
        indexByKey.set(key, index);
      }
      last = index;
    }
    templateOf.push(last);
    urls.push(url);
    urlEnd += url.length;
    urlEnds.push(urlEnd);
  }
  return {
    templates,
    templateOf: narrowest(templateOf, templates.length),
    urls: urls.join(''),
    urlEnds: Uint32Array.from(urlEnds),
  };
}

/** How many targets `packed` holds. */
export function packedCount(packed: PackedTargets): number {
  return packed.templateOf.length;
}

/** Target `index` of `packed`, made anew (one with a URL) or as it was packed; undefined for none. */
export function unpackTarget(packed: PackedTargets, index: number): ProbeTarget | undefined {
  const template = packed.templates[packed.templateOf[index] ?? -1];
  if (!template) return undefined;
  // A URL is never empty: an empty one is a target that had none.
  const url = packed.urls.slice(packed.urlEnds[index - 1] ?? 0, packed.urlEnds[index]);
  return url === '' ? (template as ProbeTarget) : ({ ...template, url } as ProbeTarget);
}

function splitUrl(target: ProbeTarget): { template: TargetTemplate; url: string } {
  if (!('url' in target)) return { template: target, url: '' };
  const { url, ...template } = target;
  return { template, url };
}

function sameFields(a: object, b: object): boolean {
  const aFields = Object.entries(a);
  if (aFields.length !== Object.keys(b).length) return false;
  const bFields = b as Record<string, unknown>;
  return aFields.every(([name, value]) => Object.hasOwn(b, name) && Object.is(bFields[name], value));
}

/**
 * Equal for templates whose fields are the same values (`Object.is`), in the same order: objects by
 * identity (a number given to each), everything else by type and text.
 */
function templateKey(template: TargetTemplate, objectIds: Map<object, number>): string {
  return JSON.stringify(
    Object.entries(template).map(([name, value]) => {
      if ((typeof value !== 'object' && typeof value !== 'function') || value === null)
        return [name, typeof value, Object.is(value, -0) ? '-0' : String(value)];
      let id = objectIds.get(value);
      if (id === undefined) {
        id = objectIds.size;
        objectIds.set(value, id);
      }
      return [name, 'object', id];
    }),
  );
}

/** The smallest unsigned typed array holding `values`, all below `limit`. */
function narrowest(values: number[], limit: number): Uint8Array | Uint16Array | Uint32Array {
  if (limit <= 2 ** 8) return Uint8Array.from(values);
  if (limit <= 2 ** 16) return Uint16Array.from(values);
  return Uint32Array.from(values);
}
