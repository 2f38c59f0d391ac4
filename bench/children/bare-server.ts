// Child: a bare node:http server, the baseline for the reporter figure (`reporter`) or the
// loopback target of the poll round (`ok`).
import { bareReporterHandler, listenLoopback, okHandler } from '../lib/bare-http.js';
import type { ServerApi, ServerReady } from '../lib/rpc.js';
import { cpuMs, serveParent } from '../lib/serve-parent.js';

const handlers = { reporter: bareReporterHandler, ok: okHandler };
const kind = process.argv[2];
if (kind !== 'reporter' && kind !== 'ok') throw new Error(`usage: bare-server.ts reporter|ok, got ${kind}`);
const handler = handlers[kind];

let requests = 0;
const { port } = await listenLoopback((request, response) => {
  requests++;
  handler(request, response);
});

serveParent<ServerApi>({ port } satisfies ServerReady, { stats: () => ({ cpuMs: cpuMs(), requests }) });
