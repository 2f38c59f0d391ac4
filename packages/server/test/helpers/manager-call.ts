import { basicAuth } from './server.js';

export const MANAGER_AUTH = basicAuth('manager-secret');
export const JSON_TYPE = 'application/json';
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface ManagerCall {
  method?: string;
  body?: unknown;
  /** Sent as is, bypassing JSON encoding. */
  raw?: string;
  headers?: Record<string, string>;
  /** The Authorization header; the manager token by default, none with null. */
  auth?: string | null;
}

/** One manager API request to the server at `baseUrl()` (read per call: a test may restart it), read to the end. */
export function managerCaller(baseUrl: () => string) {
  return async (
    path: string,
    { method = 'GET', body, raw, headers = {}, auth = MANAGER_AUTH }: ManagerCall = {},
  ) => {
    const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: {
        ...(auth === null ? {} : { Authorization: auth }),
        ...(payload === undefined ? {} : { 'Content-Type': JSON_TYPE }),
        ...headers,
      },
      body: payload,
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: () => JSON.parse(text) as unknown,
    };
  };
}

/** A JSON POST to the manager API, with its status and its answer (`{id}` or `{error}`). */
export function managerPoster(baseUrl: () => string) {
  const call = managerCaller(baseUrl);
  return async (path: string, body: unknown) => {
    const response = await call(path, { method: 'POST', body });
    return { status: response.status, json: response.json() as { id?: string; error?: string } };
  };
}
