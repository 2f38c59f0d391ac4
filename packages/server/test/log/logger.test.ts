import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { createLogger, type LogLevel, logStartLine } from '../../src/log/logger.js';

/** A logger writing into a string, as createLogger builds it for the CLIs. */
function captured(level: LogLevel, pretty = false) {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { logger: createLogger({ level, pretty, destination: stream }), text: () => text };
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('logger', () => {
  test('JSON lines carry the level name and an ISO-8601 time', () => {
    const { logger, text } = captured('info');
    logger.info('hello');
    const line = JSON.parse(text()) as { level: string; time: string; msg: string };
    assert.equal(line.level, 'info');
    assert.equal(line.msg, 'hello');
    assert.match(line.time, ISO_8601);
  });

  test('the readable format is for people: no JSON, the level and the message', () => {
    const { logger, text } = captured('info', true);
    logger.warn('disk almost full');
    assert.throws(() => JSON.parse(text()));
    assert.match(text(), /WARN.*disk almost full/);
  });

  test("the start line shows at every level, Vigil's default error included, but not when off", () => {
    for (const level of ['error', 'warn', 'info', 'debug', 'trace'] as const) {
      const { logger, text } = captured(level);
      logger.info('an ordinary info line');
      logStartLine(logger, 'started');
      const lines = text()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { msg: string; level: string });
      assert.equal(lines.at(-1)?.msg, 'started', level);
      assert.equal(lines.at(-1)?.level, 'info', level);
      assert.equal(lines.length, level === 'error' || level === 'warn' ? 1 : 2, level);
    }
    const off = captured('off');
    logStartLine(off.logger, 'started');
    assert.equal(off.text(), '');
  });

  test('the start line leaves the level of other lines alone', () => {
    const { logger, text } = captured('error');
    logStartLine(logger, 'started');
    logger.info('not shown');
    assert.equal(text().trim().split('\n').length, 1);
  });
});
