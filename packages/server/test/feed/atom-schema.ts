import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';

const SCHEMA = readFileSync(new URL('../fixtures/atom/atom.rng', import.meta.url), 'utf8');

/** libxml2's RELAX NG validation (xmllint --relaxng) against RFC 4287's schema; the errors, none when valid. */
export async function atomSchemaErrors(document: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'feed.atom', contents: document }],
    schema: [{ fileName: 'atom.rng', contents: SCHEMA }],
    extension: 'relaxng',
  });
  return result.errors.map((error) => error.rawMessage);
}
