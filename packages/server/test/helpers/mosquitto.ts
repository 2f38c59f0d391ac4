import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './cli.js';
import { requireBinary, startDaemon } from './daemon.js';

const run = promisify(execFile);

const BROKER = '/usr/sbin/mosquitto';
const PASSWD = '/usr/bin/mosquitto_passwd';

/** A throwaway Mosquitto on a free loopback port. */
export interface TestMosquitto {
  port: number;
  stop(): Promise<void>;
}

/** Anonymous clients are refused when `account` is given: only that user may connect. */
export async function startTestMosquitto(account?: {
  user: string;
  password: string;
}): Promise<TestMosquitto> {
  requireBinary(BROKER, 'mosquitto');
  const root = mkdtempSync(join(tmpdir(), 'vigil-mosquitto-'));
  chmodSync(root, 0o755);
  const port = await freePort();
  const config = [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr'];
  if (account) {
    requireBinary(PASSWD, 'mosquitto');
    const passwords = join(root, 'passwd');
    await run(PASSWD, ['-b', '-c', passwords, account.user, account.password]);
    // Readable by the mosquitto user the broker switches to when started as root.
    chmodSync(passwords, 0o644);
    config.push('allow_anonymous false', `password_file ${passwords}`);
  } else {
    config.push('allow_anonymous true');
  }
  const configFile = join(root, 'mosquitto.conf');
  writeFileSync(configFile, `${config.join('\n')}\n`);
  chmodSync(configFile, 0o644);
  const broker = await startDaemon(BROKER, ['-c', configFile], {
    ready: /mosquitto version \S+ running/,
    workDir: root,
  });
  return { port, stop: broker.stop };
}
