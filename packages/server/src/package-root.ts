import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The server package's folder: the nearest one holding a package.json, from `moduleUrl` up. The
 * code runs from `src/` (tsx), `dist/` (tsc's output) or `dist/bundle/` (one chunk for many
 * modules), so a path relative to a module would differ from one to the other.
 */
export function packageRoot(moduleUrl: string = import.meta.url): string {
  let folder = dirname(fileURLToPath(moduleUrl));
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`no package.json above ${fileURLToPath(moduleUrl)}`);
    folder = parent;
  }
  return folder;
}
