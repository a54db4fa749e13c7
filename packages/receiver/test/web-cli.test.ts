/**
 * rid-scan --web as a user runs it (the built program): where the map is said to be, the token and its QR
 * code off loopback, bad addresses and files refused before anything starts, and the map staying up after
 * a finite input until Ctrl-C. The page in a browser: test/web.
 */
import { writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { startBuilt } from '../../../test/support/built.js';
import { ended, lines, run, scratchDir } from '../../../test/support/faults.js';

const scratch = scratchDir();
afterAll(() => scratch.cleanup());

/** Starts rid-scan and resolves with the URL it prints, and the process. */
async function startMap(args: string[]): Promise<{ url: URL; child: ReturnType<typeof startBuilt>; stderr: () => string }> {
  const child = startBuilt('rid-scan', args);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const deadline = Date.now() + 20_000;
  while (!/map at (http:\S+)/.test(err)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no map URL: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: new URL(/map at (http:\S+)/.exec(err)![1]!), child, stderr: () => err };
}

const status = (url: string): Promise<number> =>
  new Promise((resolve, reject) => {
    get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });

describe('rid-scan --web', () => {
  it('on loopback: prints the URL, serves the page, stops on SIGINT', async () => {
    const { url, child } = await startMap(['--sim', '--web', '127.0.0.1:0', '--once']);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.searchParams.has('token')).toBe(false);
    expect(await status(url.href)).toBe(200);
    const done = ended(child, 10_000);
    process.kill(-child.pid!, 'SIGINT');
    expect((await done).status).toBe(0);
  });

  it('bound beyond loopback: a token URL and a QR code; nothing without the token', async () => {
    const { url, child, stderr } = await startMap(['--sim', '--web', '0.0.0.0:0', '--once']);
    const token = url.searchParams.get('token');
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // The QR code is drawn with block characters (the terminal shows it; a phone scans it).
    const deadline = Date.now() + 5000;
    while (!/[▀▄█]{10}/.test(stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(stderr()).toMatch(/[▀▄█]{10}/);
    const base = `http://127.0.0.1:${url.port}/`;
    expect(await status(base)).toBe(401);
    expect(await status(`${base}?token=${token}`)).toBe(200);
    const done = ended(child, 10_000);
    process.kill(-child.pid!, 'SIGTERM');
    expect((await done).status).toBe(0);
  });

  it('a finished replay keeps the map up until Ctrl-C', async () => {
    const capture = scratch.file('short.pcapng');
    expect(run('rid-broadcast', ['--clock', 'simulated', '--duration', '3', '--pcapng', capture]).status).toBe(0);
    const { url, child, stderr } = await startMap(['--replay', capture, '--fast', '--web', '127.0.0.1:0']);
    const deadline = Date.now() + 10_000;
    while (!/input ended; the map stays up/.test(stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(stderr()).toMatch(/input ended; the map stays up until Ctrl-C/);
    expect(await status(url.href)).toBe(200);
    const done = ended(child, 10_000);
    process.kill(-child.pid!, 'SIGINT');
    expect((await done).status).toBe(0);
  });

  it('refuses bad addresses, a basemap without --web or that is no PMTiles, and bad zone/allow files — before anything starts', () => {
    const notPmtiles = scratch.file('map.pmtiles');
    writeFileSync(notPmtiles, 'not a map');
    const badZones = scratch.file('zones.geojson');
    writeFileSync(badZones, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [0, 0] } }] }));
    const badAllow = scratch.file('allow.csv');
    writeFileSync(badAllow, 'uasId,operatorId,from,until,note\n,,,,nobody\n');
    const cases: [string[], RegExp][] = [
      [['--sim', '--web', 'host:99999'], /--web takes ADDR:PORT/],
      [['--sim', '--web', 'a b'], /--web takes ADDR:PORT/],
      [['--sim', '--basemap', notPmtiles], /--basemap goes with --web/],
      [['--sim', '--web', '127.0.0.1:0', '--basemap', notPmtiles], /not a PMTiles v3 archive/],
      [['--sim', '--web', '127.0.0.1:0', '--basemap', scratch.file('missing.pmtiles')], /--basemap .*ENOENT/],
      [['--sim', '--zones', badZones], /zones\.geojson: feature 0/],
      [['--sim', '--allow', badAllow], /allow\.csv: line 2/],
    ];
    for (const [args, message] of cases) {
      const r = run('rid-scan', [...args, '--once', '--fast', '--duration', '1'], { timeoutMs: 20_000 });
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(lines(r.stderr), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
