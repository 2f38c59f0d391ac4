import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { CHANNEL_DEFINITIONS } from '../../src/notify/registry.js';
import { PROBE_KINDS } from '../../src/probes/registry.js';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * docs/architecture.md says adding a channel or a probe kind is one file, its test and one registry
 * line. This keeps it true: outside its own file and its registry, no source file names a channel
 * or a kind (as a string, such as `'ntfy'` or a `kind === 'mqtt'`, or a URL form such as
 * `redis://HOST`) or imports its file. Whatever needs every channel or kind reads the registry.
 */

const CHANNEL_REGISTRY = 'packages/server/src/notify/registry.ts';
const PROBE_REGISTRY = 'packages/server/src/probes/registry.ts';
const SOURCE_FOLDERS = ['packages/server/src', 'packages/local/src', 'packages/reporter/src'];

/**
 * Names that are also the name of something else, so their strings are not checked (their files'
 * imports still are). `script` is a node mode too (`mode = "script"`, which the config, the model
 * and the scheduler all read); script replicas are listed by the node, not named by a URL.
 * `postgres` is also a storage engine (`[storage] engine = "postgres"`).
 */
const COMMON_WORDS = new Set(['script', 'postgres']);

/**
 * The places that may name a kind outside its file, each with why. They are about Vigil's own
 * kinds, whose rules reach beyond the probe (node options, Vigil Local); a new kind needs none.
 */
const EXCEPTIONS: { file: string; name: string; why: string }[] = [
  {
    file: 'packages/server/src/model/topology.ts',
    name: 'http',
    why: "the node's HTTP options (method, headers, body and JSON checks) complete an http:// address",
  },
  {
    file: 'packages/server/src/model/topology.ts',
    name: 'tls',
    why: 'the poll_tls_expiry_sick_days threshold completes a tls:// address',
  },
  {
    file: 'packages/server/src/probes/index.ts',
    name: 'icmp',
    why: "a prober's ICMP checks share fping runs (createProbeRegistry)",
  },
  {
    file: 'packages/server/src/probes/index.ts',
    name: 'script',
    why: 'createScriptProbe is exported for vigil-local and the tests, which pick the shell',
  },
  {
    file: 'packages/server/src/probes/http-assertions.ts',
    name: 'http',
    why: "the HTTP probe's body and header checks, split from http.ts, read its assertion types",
  },
  {
    file: 'packages/server/src/config/validate.ts',
    name: 'email',
    why: '[subscriptions] email = true needs [notify.email], whose SMTP server sends the subscription mails',
  },
  {
    file: 'packages/server/src/subscriptions/subscriptions.ts',
    name: 'email',
    why: "subscription mails go through [notify.email]'s SMTP settings, read with its schema",
  },
  {
    file: 'packages/server/src/web/routes/subscribe.ts',
    name: 'email',
    why: "the public sign-up form's field is called email",
  },
  {
    file: 'packages/local/src/config/validate.ts',
    name: 'ssh',
    why: 'Vigil Local refuses ssh:// replicas (spec §9), with its own message',
  },
  {
    file: 'packages/local/src/config/validate.ts',
    name: 'tcp',
    why: 'its refusal of ssh:// suggests tcp://HOST:PORT instead',
  },
  {
    file: 'packages/local/src/jobs.ts',
    name: 'http',
    why: "Vigil Local's HTTP check differs from the server's (HEAD, its User-Agent, 200 ≤ status < 400)",
  },
  {
    file: 'packages/server/src/web/openapi.ts',
    name: 'http',
    why: "OpenAPI's security scheme type for HTTP Basic auth, not the probe kind",
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The files a registry imports, each with the definitions it exports. */
async function definitionFiles(
  registry: string,
  definitions: readonly unknown[],
): Promise<Map<unknown, string>> {
  const fileOf = new Map<unknown, string>();
  for (const specifier of importedModules(parse(join(REPO_ROOT, registry)))) {
    const file = resolveModule(join(REPO_ROOT, registry), specifier);
    if (file === undefined) continue;
    const module: Record<string, unknown> = await import(pathToFileURL(file).href);
    for (const value of Object.values(module)) {
      if (definitions.includes(value)) fileOf.set(value, relative(REPO_ROOT, file));
    }
  }
  return fileOf;
}

function parse(file: string, text = readFileSync(file, 'utf8')): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
}

/** The specifiers of a file's `import … from` and `export … from` declarations. */
function importedModules(source: ts.SourceFile): string[] {
  return source.statements.flatMap((statement) =>
    (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
    statement.moduleSpecifier &&
    ts.isStringLiteral(statement.moduleSpecifier)
      ? [statement.moduleSpecifier.text]
      : [],
  );
}

/** A relative `./x.js` specifier as the `.ts` file it names; undefined for packages. */
function resolveModule(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return resolve(dirname(from), specifier).replace(/\.js$/, '.ts');
}

/** Every string a file's code holds: literals, literal types and the fixed parts of templates; never comments. */
function stringsOf(source: ts.SourceFile): string[] {
  const strings: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteralLike(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      strings.push(node.text);
    }
    node.forEachChild(visit);
  };
  visit(source);
  return strings;
}

interface Named {
  name: string;
  /** The file that defines it, from the repository's root. */
  file: string;
  registry: string;
  /** URL schemes whose written forms (`redis://HOST`) belong to its file. */
  schemes: readonly string[];
}

async function everyName(): Promise<Named[]> {
  const channelFiles = await definitionFiles(CHANNEL_REGISTRY, CHANNEL_DEFINITIONS);
  const kindFiles = await definitionFiles(PROBE_REGISTRY, PROBE_KINDS);
  return [
    ...CHANNEL_DEFINITIONS.map((definition) => ({
      name: definition.name,
      file: channelFiles.get(definition) ?? '',
      registry: CHANNEL_REGISTRY,
      schemes: [],
    })),
    ...PROBE_KINDS.map((definition) => ({
      name: definition.kind,
      file: kindFiles.get(definition) ?? '',
      registry: PROBE_REGISTRY,
      schemes: definition.url?.schemes ?? [],
    })),
  ];
}

/** What the check reads of one source file (`file` from the repository's root). */
interface Scanned {
  file: string;
  strings: string[];
  /** The files it imports, from the repository's root. */
  imports: Set<string>;
}

function scan(file: string, text: string): Scanned {
  const path = join(REPO_ROOT, file);
  const source = parse(path, text);
  const imports = importedModules(source).flatMap((specifier) => {
    const target = resolveModule(path, specifier);
    return target === undefined ? [] : [relative(REPO_ROOT, target)];
  });
  return { file, strings: stringsOf(source), imports: new Set(imports) };
}

/** How a scanned file names `named`, if it does. */
function offences({ file, strings, imports }: Scanned, named: Named): string[] {
  const found: string[] = [];
  if (imports.has(named.file)) found.push(`${file} imports ${named.file}`);
  if (!COMMON_WORDS.has(named.name) && strings.includes(named.name))
    found.push(`${file} names '${named.name}'`);
  for (const scheme of named.schemes) {
    // A URL form, as grammars write it: `redis://HOST`, `redis[s]://…`, `mysql://USER…`.
    const form = new RegExp(`(^|[^a-z])${scheme}(\\[[a-z]+\\])?://[A-Z[]`);
    if (strings.some((string) => form.test(string))) found.push(`${file} writes a ${scheme}:// form`);
  }
  return found;
}

function isExcepted(file: string, name: string): boolean {
  return EXCEPTIONS.some((exception) => exception.file === file && exception.name === name);
}

test('every channel and probe kind is defined in a file of its own that its registry imports', async () => {
  const names = await everyName();
  assert.deepEqual(
    names.filter(({ file }) => file === '').map(({ name }) => name),
    [],
  );
  assert.equal(new Set(names.map(({ file }) => file)).size, names.length);
});

test('the check finds a name in a string, a literal type, a URL form and an import, not in a comment', async () => {
  const names = await everyName();
  const named = (name: string) => names.find((candidate) => candidate.name === name) as Named;
  const file = 'packages/server/src/web/planted.ts';
  const text = [
    '// ntfy and mqtt:// in a comment are prose.',
    "import { mqttProbe } from '../probes/mqtt.js';",
    "type Loud = { channel: 'ntfy' };",
    // A template whose fixed part writes a form (the placeholder split so this file's linter keeps quiet).
    'const grammar = `$' + '{mqttProbe.kind}, redis[s]://HOST`;',
    "const modes = ['script'];",
  ].join('\n');
  const planted = scan(file, text);
  assert.deepEqual(offences(planted, named('mqtt')), [`${file} imports packages/server/src/probes/mqtt.ts`]);
  assert.deepEqual(offences(planted, named('ntfy')), [`${file} names 'ntfy'`]);
  assert.deepEqual(offences(planted, named('redis')), [`${file} writes a redis:// form`]);
  assert.deepEqual(offences(planted, named('script')), []);
});

test('no source file names a channel or probe kind outside its own file and its registry', async () => {
  const names = await everyName();
  const found: string[] = [];
  for (const folder of SOURCE_FOLDERS) {
    for (const path of sourceFiles(join(REPO_ROOT, folder))) {
      const file = relative(REPO_ROOT, path);
      const scanned = scan(file, readFileSync(path, 'utf8'));
      for (const named of names) {
        if (file === named.file || file === named.registry || isExcepted(file, named.name)) continue;
        found.push(...offences(scanned, named));
      }
    }
  }
  assert.deepEqual(
    found,
    [],
    'read the registry instead (CHANNEL_DEFINITIONS, PROBE_KINDS and what is derived from them), ' +
      'or, if the rule of a kind really lives elsewhere, add an exception above saying why',
  );
});

test('each exception is still needed', async () => {
  const names = await everyName();
  for (const { file, name } of EXCEPTIONS) {
    const named = names.find((candidate) => candidate.name === name);
    assert.ok(named, `${name} is neither a channel nor a probe kind: remove its exception`);
    const scanned = scan(file, readFileSync(join(REPO_ROOT, file), 'utf8'));
    assert.notDeepEqual(
      offences(scanned, named),
      [],
      `${file} no longer names ${name}: remove its exception`,
    );
  }
});

/** Vigil's own channels and URL kinds, which Vigil's documentation describes; the docs here cover the rest. */
const VIGIL_CHANNELS = new Set([
  'email',
  'twilio',
  'slack',
  'zulip',
  'telegram',
  'pushover',
  'gotify',
  'xmpp',
  'matrix',
  'webex',
  'webhook',
]);
const VIGIL_SCHEMES = new Set(['icmp', 'tcp', 'ssh', 'http', 'https']);

test('the docs cover every channel and every replica URL form', () => {
  const alerting = readFileSync(join(REPO_ROOT, 'docs/alerting.md'), 'utf8');
  const configuration = readFileSync(join(REPO_ROOT, 'docs/configuration.md'), 'utf8');
  const missing: string[] = [];
  for (const { name } of CHANNEL_DEFINITIONS) {
    if (!alerting.includes(`\`${name}\``) && !alerting.includes(`[notify.${name}]`)) {
      missing.push(`docs/alerting.md: ${name}`);
    }
    if (!VIGIL_CHANNELS.has(name) && !configuration.includes(`[notify.${name}]`)) {
      missing.push(`docs/configuration.md: [notify.${name}]`);
    }
  }
  for (const scheme of PROBE_KINDS.flatMap((definition) => definition.url?.schemes ?? [])) {
    if (!VIGIL_SCHEMES.has(scheme) && !configuration.includes(`${scheme}://`)) {
      missing.push(`docs/configuration.md: ${scheme}://`);
    }
  }
  assert.deepEqual(missing, []);
});
