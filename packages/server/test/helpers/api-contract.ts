import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** The server's own OpenAPI document: where it is served, and the prefix of the answers checked against it. */
const DOCUMENT_PATH = '/api/v1/openapi.json';
const CHECKED_PREFIX = '/api/v1';
const DOCUMENT_ID = 'openapi.json';

interface Operation {
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type OpenApiDocument = { paths: Record<string, Record<string, Operation>> };

/** A JSON pointer into the document, as a URI fragment Ajv resolves. */
const pointer = (...segments: string[]) =>
  `${DOCUMENT_ID}#/${segments.map((each) => encodeURIComponent(each.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/')}`;

/** `/api/v1/incidents/{id}` → a regex over concrete paths. */
const templateRegex = (template: string) =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);

/** The document, checked by a real OpenAPI validator, and answers checked against its response schemas. */
export class ApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: Array<{ template: string; regex: RegExp }>;

  private constructor(readonly document: OpenApiDocument) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(document, DOCUMENT_ID);
    // Static paths before templated ones, so `/a/b` is not taken for `/a/{id}`.
    this.templates = Object.keys(document.paths)
      .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))
      .map((template) => ({ template, regex: templateRegex(template) }));
  }

  /** Fetches the server's document and fails unless it is valid OpenAPI. */
  static async load(base: string): Promise<ApiContract> {
    const response = await fetch(`${base}${DOCUMENT_PATH}`);
    assert.equal(response.status, 200, `GET ${DOCUMENT_PATH}`);
    const document = (await response.json()) as OpenApiDocument;
    const { valid, errors } = await new Validator().validate(structuredClone(document));
    assert.ok(valid, `the OpenAPI document is invalid: ${JSON.stringify(errors, null, 2)}`);
    return new ApiContract(document);
  }

  /** The document's path for a concrete one (trailing and doubled slashes ignored, as the server does). */
  pathOf(path: string): string | undefined {
    const normal =
      path
        .split('?')[0]
        ?.replace(/\/{2,}/g, '/')
        .replace(/(.)\/$/, '$1') ?? '';
    return this.templates.find(({ regex }) => regex.test(normal))?.template;
  }

  /** What is wrong with this answer according to the document; empty when it matches. */
  problems(method: string, path: string, status: number, contentType: string, body: string): string[] {
    const what = `${method} ${path} → ${status}`;
    const template = this.pathOf(path);
    const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    const operation = template === undefined ? undefined : this.document.paths[template]?.[verb];
    if (template === undefined || operation === undefined) {
      // Not an operation of the document: only an error may answer, in the one shape.
      if (status < 400) return [`${what}: no such operation in the document`];
      return this.bodyProblems(what, pointer('components', 'schemas', 'Error'), contentType, body);
    }
    const response = operation.responses[String(status)];
    if (response === undefined) return [`${what}: status not documented`];
    if (method.toUpperCase() === 'HEAD') return [];
    if (response.content === undefined) return body === '' ? [] : [`${what}: documented without a body`];
    return this.bodyProblems(
      what,
      pointer('paths', template, verb, 'responses', String(status), 'content', 'application/json', 'schema'),
      contentType,
      body,
    );
  }

  private bodyProblems(what: string, schemaRef: string, contentType: string, body: string): string[] {
    if (!/^application\/json\b/i.test(contentType)) return [`${what}: content type ${contentType}, not JSON`];
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return [`${what}: body is not JSON`];
    }
    let validate = this.compiled.get(schemaRef);
    if (validate === undefined) {
      validate = this.ajv.getSchema(schemaRef);
      assert.ok(validate, `no schema at ${schemaRef}`);
      this.compiled.set(schemaRef, validate);
    }
    if (validate(parsed)) return [];
    return (validate.errors ?? []).map((error) => `${what}: ${error.instancePath || '/'} ${error.message}`);
  }
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/**
 * `fetch` for tests, over one server: every answer under `/api/v1` is checked against the document
 * the server serves (loaded and validated on first use), and the test fails on any mismatch.
 */
export function apiClient(base: string) {
  let contract: Promise<ApiContract> | undefined;
  return {
    contract: () => {
      contract ??= ApiContract.load(base);
      return contract;
    },
    async request(path: string, init: RequestInit = {}): Promise<ApiAnswer> {
      const response = await fetch(`${base}${path}`, init);
      const text = await response.text();
      const method = init.method ?? 'GET';
      if (path.startsWith(CHECKED_PREFIX) && method !== 'OPTIONS') {
        contract ??= ApiContract.load(base);
        const problems = (await contract).problems(
          method,
          path,
          response.status,
          response.headers.get('content-type') ?? '',
          text,
        );
        assert.deepEqual(
          problems,
          [],
          `the answer does not match the OpenAPI document:\n${text.slice(0, 500)}`,
        );
      }
      return {
        status: response.status,
        headers: response.headers,
        text,
        json: <T>() => JSON.parse(text) as T,
      };
    },
  };
}
