#!/usr/bin/env node
import { rmSync } from 'node:fs';
// Bundles the compiled server (dist/, from `tsc -b`) into dist/bundle/: a few minified ES modules
// instead of ~900 files, which `bin/vigil.js` runs when present and current. An idle server then
// holds fewer module records and less source text and bytecode (docs/performance.md, "Idle
// memory"). Lazily imported parts (metrics, cluster, MCP sessions…) become chunks of their own,
// still loaded on first use; the prober thread's entry is an entry point of its own.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const OUT = 'dist/bundle';

/**
 * Packages the server imports at start, bundled with everything they import. Any other package the
 * server imports (the native better-sqlite3, and those loaded on first use of an optional feature:
 * nodemailer, @xmpp/client, the MCP SDK, probe drivers…) stays external and loads from
 * node_modules as before: bundling it would gain nothing at idle, and a package that finds its own
 * files at run time could break.
 */
const BUNDLED = new Set([
  '@fastify/formbody',
  'commander',
  'cookie',
  'fastify',
  'ipaddr.js',
  'kysely',
  'pino',
  'smol-toml',
  'zod',
]);

const packageOf = (specifier) => specifier.split('/', specifier.startsWith('@') ? 2 : 1).join('/');

/** Leaves a bare import from the server's own code external unless its package is in BUNDLED. */
const externalUnlessListed = {
  name: 'external-unless-listed',
  setup(bundle) {
    bundle.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point' || args.path.startsWith('node:')) return undefined;
      const fromServer = args.importer.startsWith(`${PACKAGE}dist/`);
      return fromServer && !BUNDLED.has(packageOf(args.path))
        ? { path: args.path, external: true }
        : undefined;
    });
  },
};

/**
 * V8 keeps a module's source for good, at two bytes per character if any is not ASCII. esbuild
 * escapes non-ASCII characters except in tagged templates (whose raw text a tag may read); the
 * server's one tag, `html`, reads the cooked strings, so its files are escaped here before parsing
 * (`\uXXXX` means the same character in a string, a template, a regular expression or a comment).
 */
const asciiServerSources = {
  name: 'ascii-server-sources',
  setup(bundle) {
    bundle.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(`${PACKAGE}dist/`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (/String\.raw/.test(source)) throw new Error(`${args.path}: String.raw would see escaped text`);
      const escaped = source.replace(
        /[\u0080-\uffff]/g,
        (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
      return { contents: escaped, loader: 'js' };
    });
  },
};

/**
 * Fastify's server module loads `node:https` and `node:http2` at once, for servers it makes itself;
 * the server hands it its own (`serverFactory`), so neither is ever used, and each costs the idle
 * process memory (http2 ~2 MB, https with tls ~1.4 MB). In the bundle they load on first use
 * instead. The build fails if Fastify's lines change, rather than bundle them unchanged.
 */
const FASTIFY_EAGER_SERVERS = "const https = require('node:https')\nconst http2 = require('node:http2')\n";
const fastifyServersOnUse = {
  name: 'fastify-servers-on-use',
  setup(bundle) {
    bundle.onLoad({ filter: /[\\/]fastify[\\/]lib[\\/]server\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(FASTIFY_EAGER_SERVERS))
        throw new Error(
          `${args.path}: the requires of node:https and node:http2 changed; see fastifyServersOnUse`,
        );
      const onUse = (id) => `new Proxy({}, { get: (_, key) => require('${id}')[key] })`;
      const contents = source.replace(
        FASTIFY_EAGER_SERVERS,
        `const https = ${onUse('node:https')}\nconst http2 = ${onUse('node:http2')}\n`,
      );
      return { contents, loader: 'js' };
    });
  },
};

rmSync(`${PACKAGE}${OUT}`, { recursive: true, force: true });
await build({
  absWorkingDir: PACKAGE,
  entryPoints: {
    cli: 'dist/cli.js',
    'idle-heap': 'dist/process/idle-heap.js',
    // `scheduler/worker/thread-prober.ts` starts it as `./prober-thread.js` beside its own chunk.
    'prober-thread': 'dist/scheduler/worker/prober-thread.js',
  },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  // Stack traces point into the minified chunks; `node --enable-source-maps` maps them back through
  // these files (read only with that flag). Keeping the original names instead (`keepNames`) would
  // cost ~1.5 MB of heap.
  sourcemap: 'linked',
  legalComments: 'none',
  // The bundled CommonJS packages call `require` for Node's built-in modules.
  banner: {
    js: "import { createRequire as vigilCreateRequire } from 'node:module'; const require = vigilCreateRequire(import.meta.url);",
  },
  plugins: [externalUnlessListed, asciiServerSources, fastifyServersOnUse],
  logLevel: 'warning',
});
