import { existsSync, readFileSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { HEALTH_STATES } from '../model/health.js';
import { packageRoot } from '../package-root.js';
import { iconBadge, TEXT_SAFE_COLORS } from './badge-svg.js';
import { prepare, type Representation } from './representation.js';

/** The files in `assets/`: nothing outside this list is ever read or served. */
export const ASSET_FILES = [
  'page.css',
  'live.js',
  'local-time.js',
  'chart.js',
  'embed.js',
  'logo.svg',
  'admin.css',
] as const;

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Builds an asset URL relative to the page, with a version that changes with the content. */
export type AssetUrl = (name: string) => string;

/**
 * Where the asset files are. tsc does not copy them, so `src/web/` (tsx), `dist/web/` (node) and
 * `dist/bundle/` resolve to the one folder in `src/`; the package must ship `src/web/assets`.
 */
export function assetDirectory(moduleUrl: string = import.meta.url): string {
  return `${join(packageRoot(moduleUrl), 'src/web/assets')}${sep}`;
}

/** Every asset, read and compressed once at start and then served from memory. */
export class AssetCatalog {
  private constructor(private readonly entries: ReadonlyMap<string, Representation>) {}

  /** `extraCss` is appended to page.css (the branding colours). Throws if a listed file is missing. */
  static load(options: { directory?: string; extraCss?: string } = {}): AssetCatalog {
    const directory = options.directory ?? assetDirectory();
    if (!existsSync(directory)) throw new Error(`asset directory not found: ${directory}`);
    const entries = new Map<string, Representation>();
    const add = (name: string, body: string) =>
      entries.set(
        name,
        prepare(body, { contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream' }),
      );
    for (const name of ASSET_FILES) {
      const body = readFileSync(join(directory, name), 'utf8');
      add(name, name === 'page.css' ? body + (options.extraCss ?? '') : body);
    }
    for (const health of HEALTH_STATES) add(`icon-${health}.svg`, iconBadge(health, TEXT_SAFE_COLORS));
    return new AssetCatalog(entries);
  }

  get(name: string): Representation | undefined {
    return this.entries.get(name);
  }

  readonly url: AssetUrl = (name) => {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`unknown asset: ${name}`);
    return `assets/${name}?v=${entry.etag.slice(1, 9)}`;
  };

  /** Whether `version` is the current one of `name`, i.e. the URL may be cached forever. */
  isCurrent(name: string, version: string | undefined): boolean {
    const entry = this.entries.get(name);
    return entry !== undefined && version === entry.etag.slice(1, 9);
  }
}
