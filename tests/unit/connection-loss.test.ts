import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { isLostConnection } from '@/lib/server/jobs/connection-loss';

/**
 * What a job worker survives when it escapes every handler: a lost database connection. A real
 * socket reset (a server that accepts and resets, as a network going down does to postgres.js's
 * statement-cancel connection) gives a bare ECONNRESET with only Node's frames; errors from the
 * drivers name their files. Errors made by our own code, even with a socket code, are not
 * connection losses, and neither is anything that is not an Error.
 */
async function realReset(): Promise<Error> {
  const server = net.createServer((socket) => socket.resetAndDestroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as net.AddressInfo).port;
    return await new Promise<Error>((resolve, reject) => {
      const client = net.connect(port, '127.0.0.1');
      client.on('error', resolve);
      client.on('close', () => setTimeout(() => reject(new Error('the socket closed without an error')), 100));
      client.on('connect', () => client.write('x'));
    });
  } finally {
    server.close();
  }
}

describe('lost database connections in a worker process', () => {
  it('a bare socket reset is one', async () => {
    const error = await realReset();
    expect((error as { code?: string }).code).toMatch(/^(ECONNRESET|EPIPE)$/);
    expect(isLostConnection(error)).toBe(true);
  });

  it('the drivers\' own errors are, by the files in their stack', () => {
    const driver = new TypeError("Cannot read properties of null (reading 'write')");
    driver.stack = `${driver.name}: ${driver.message}\n    at Timeout.write (/app/node_modules/postgres/src/connection.js:268:14)\n    at listOnTimeout (node:internal/timers:581:17)`;
    expect(isLostConnection(driver)).toBe(true);
    const boss = new Error('Connection terminated unexpectedly');
    boss.stack = `Error: Connection terminated unexpectedly\n    at Manager.onFetch (/app/node_modules/pg-boss/src/manager.js:201:20)`;
    expect(isLostConnection(boss)).toBe(true);
  });

  it('our own errors are not, even with a socket code; nor is what is not an Error', async () => {
    expect(isLostConnection(new Error('boom'))).toBe(false);
    expect(isLostConnection(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(false);
    const reset = await realReset();
    reset.stack = `${reset.stack}\n    at runChunk (/app/lib/server/jobs/forecast-batch.ts:120:5)`;
    expect(isLostConnection(reset)).toBe(false);
    expect(isLostConnection('ECONNRESET')).toBe(false);
    expect(isLostConnection({ code: 'ECONNRESET', stack: '' })).toBe(false);
  });
});
