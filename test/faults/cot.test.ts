/**
 * rid-scan --cot, built, against real local sockets:
 * - only udp:// and tcp:// are accepted, refused up front (before any lookup, file or frame) otherwise:
 *   `--cot http://…` used to be sent over UDP after a DNS lookup;
 * - an IPv6 address in brackets works (udp://[::1]:PORT used to fail with ENOTFOUND on every event);
 * - a receiver that fails every event is reported once, then counted, the count in the closing summary
 *   and exit status 1 (an unreachable target printed 2,691 error lines in five minutes).
 */
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBuilt } from '../support/built.js';
import { ended, expectNoStackTrace, lines, run, scratchDir } from '../support/faults.js';

const work = scratchDir();
afterAll(() => work.cleanup());

const SCENE = ['--sim', '--fast', '--once', '--duration', '120'];

describe('rid-scan --cot', () => {
  it('refuses any scheme but udp:// and tcp://, and URLs with more than a host and a port, before anything else', () => {
    const cases: [string, RegExp][] = [
      ['http://127.0.0.1:6969', /^rid-scan: --cot http:\/\/127\.0\.0\.1:6969: http:\/\/ is not supported, only udp:\/\/ and tcp:\/\/; give udp:\/\/HOST:PORT/],
      ['https://tak.example.invalid/', /https:\/\/ is not supported, only udp:\/\/ and tcp:\/\//],
      ['239.2.3.1:6969', /not a URL; give udp:\/\/HOST:PORT/],
      ['localhost:6969', /localhost:\/\/ is not supported/],
      ['not a url', /not a URL/],
      ['udp://239.2.3.1:6969/path', /only a host and a port are used/],
      ['tcp://user:pw@127.0.0.1:8087', /only a host and a port are used/],
      ['udp://127.0.0.1:0', /the port must be 1\.\.65535/],
    ];
    for (const [url, message] of cases) {
      const rec = work.file('never.cbor');
      const r = run('rid-scan', [...SCENE, '--record', rec, '--cot', url]);
      expectNoStackTrace(r.stderr);
      expect(r.status, url).toBe(2);
      expect(lines(r.stderr), url).toEqual([expect.stringMatching(message)]);
      expect(existsSync(rec)).toBe(false);
    }
  });

  it('udp://[::1]:PORT: an IPv6 address in brackets receives the events', async () => {
    const socket = createSocket('udp6');
    await new Promise<void>((resolve) => socket.bind(0, '::1', () => resolve()));
    const port = (socket.address() as AddressInfo).port;
    const got: string[] = [];
    socket.on('message', (m) => got.push(m.toString('utf8')));
    const child = startBuilt('rid-scan', [...SCENE, '--cot', `udp://[::1]:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const r = await ended(child);
    socket.close();
    expectNoStackTrace(r.stderr);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`sending Cursor-on-Target to udp://\\[::1\\]:${port}`));
    expect(r.stderr).not.toMatch(/CoT: /);
    expect(got.length).toBeGreaterThan(10);
    expect(got[0]).toMatch(/^<\?xml [^>]*\?><event version="2\.0" uid="odid-/);
  });

  it('a receiver that drops the connection: one error line, then a count in the summary, exit 1', async () => {
    // Takes the first event, then resets the connection: every event sent after that fails.
    const server = createServer((conn: Socket) => void conn.once('data', () => conn.resetAndDestroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    const child = startBuilt('rid-scan', ['--sim', '--fast', '--once', '--duration', '600', '--cot', `tcp://127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const r = await ended(child);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expectNoStackTrace(r.stderr);
    expect(r.status, r.stderr).toBe(1);
    const cot = lines(r.stderr).filter((l) => /CoT/.test(l));
    expect(cot).toEqual([
      expect.stringMatching(new RegExp(`^rid-scan: CoT: cannot send to tcp://127\\.0\\.0\\.1:${port}: .*\\(further failures are counted; the total comes at the end\\)$`)),
      expect.stringMatching(new RegExp(`^rid-scan: \\d+ frames, \\d+ messages.*; \\d+ CoT events not sent to tcp://127\\.0\\.0\\.1:${port}$`)),
    ]);
    expect(Number(/; (\d+) CoT events not sent/.exec(cot[1]!)![1])).toBeGreaterThan(10);
  });
});
