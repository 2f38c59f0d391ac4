// Child: one round of ICMP checks to 127.0.0.0/8 addresses through Vigil's real prober, pinging
// with fping batches (`vigil`) or one ping process per check (`perCheckPing`), or a bare fping run
// over the same addresses (`bare`). CPU figures include the fping and ping processes.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { DEFAULT_FPING_PATH } from '../../packages/server/src/probes/fping.js';
import { chooseIcmpMethod, PING_PER_CHECK } from '../../packages/server/src/probes/index.js';
import { cpuWithChildrenMs, serveParent } from '../lib/serve-parent.js';
import { pollNodes, REPLICAS_PER_NODE } from '../lib/vigil-config.js';
import { type RoundResult, vigilRound } from '../lib/vigil-round.js';

export interface IcmpRoundParams {
  replicas: number;
  parallelism: number;
  /** The whole round is aborted after this long, whatever is still in flight. */
  timeoutMs: number;
}

const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));

/** Replica N's address in 127.1.0.0/16, skipping .0 and .255: every 127/8 address answers on Linux. */
export const loopbackAddress = (replica: number) =>
  `127.1.${Math.floor(replica / 250)}.${(replica % 250) + 1}`;

function round({ replicas, parallelism, timeoutMs }: IcmpRoundParams, perCheckPing: boolean) {
  return vigilRound(
    {
      nodes: pollNodes(
        Math.ceil(replicas / REPLICAS_PER_NODE),
        REPLICAS_PER_NODE,
        (replica) => `icmp://${loopbackAddress(replica)}`,
      ),
      metrics: `poll_parallelism = ${parallelism}\n`,
      timeoutMs,
      icmp: perCheckPing ? PING_PER_CHECK : chooseIcmpMethod(),
      cpu: cpuWithChildrenMs,
    },
    warnings,
  );
}

/** The floor: one fping process over every address, no Vigil around it. */
async function bare({ replicas }: IcmpRoundParams): Promise<RoundResult> {
  const addresses = Array.from({ length: replicas }, (_, replica) => loopbackAddress(replica));
  const cpuBefore = cpuWithChildrenMs();
  const started = performance.now();
  const fping = spawn(DEFAULT_FPING_PATH, ['-C', '1', '-q', '-i', '0', '-t', '1000'], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let output = '';
  fping.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  // Addresses on stdin: fping's way to take a long list.
  fping.stdin.end(`${addresses.join('\n')}\n`);
  await once(fping, 'close');
  const durationMs = performance.now() - started;
  const lines = output.split('\n').filter((line) => line.includes(' : '));
  const healthy = lines.filter((line) => !line.endsWith(' -')).length;
  const lost = lines.length - healthy;
  return {
    durationMs,
    healthy,
    checked: lines.length,
    failures: lost > 0 ? { 'no reply': lost } : {},
    cpuMs: cpuWithChildrenMs() - cpuBefore,
    warnings,
  };
}

const api = {
  vigil: (params: IcmpRoundParams) => round(params, false),
  perCheckPing: (params: IcmpRoundParams) => round(params, true),
  bare,
};
export type IcmpWorkerApi = typeof api;
serveParent(null, api);
