import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_MAX_BYTES, FileTooLargeError, formatBytes, readFileBounded, readFileBoundedSync, readStreamBounded } from '../src/bounded-read.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bounded-read-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LIMIT = { maxBytes: CONFIG_MAX_BYTES, hint: 'configs are a few hundred bytes' };

describe('bounded reading', () => {
  it('reads a small file whole, sync and async', async () => {
    const f = path.join(dir, 'small.yaml');
    writeFileSync(f, 'regime: eu\n');
    expect(readFileBoundedSync(f, LIMIT).toString('utf8')).toBe('regime: eu\n');
    expect((await readFileBounded(f, LIMIT)).toString('utf8')).toBe('regime: eu\n');
    // Exactly the limit is fine.
    const exact = path.join(dir, 'exact');
    writeFileSync(exact, Buffer.alloc(1000, 0x61));
    expect(readFileBoundedSync(exact, { maxBytes: 1000 }).length).toBe(1000);
    expect((await readFileBounded(exact, { maxBytes: 1000 })).length).toBe(1000);
  });

  it('refuses a regular file over the limit by its size', async () => {
    const f = path.join(dir, 'big.yaml');
    writeFileSync(f, Buffer.alloc(CONFIG_MAX_BYTES + 1, 0x61));
    expect(() => readFileBoundedSync(f, LIMIT)).toThrow(new FileTooLargeError(CONFIG_MAX_BYTES, LIMIT.hint));
    await expect(readFileBounded(f, LIMIT)).rejects.toThrow('larger than 1 MiB (configs are a few hundred bytes)');
  });

  it('stops reading an endless device just past the limit', async () => {
    const t0 = Date.now();
    expect(() => readFileBoundedSync('/dev/zero', LIMIT)).toThrow('larger than 1 MiB (configs are a few hundred bytes)');
    await expect(readFileBounded('/dev/zero', { maxBytes: 4096 })).rejects.toBeInstanceOf(FileTooLargeError);
    await expect(readFileBounded('/dev/urandom', LIMIT)).rejects.toBeInstanceOf(FileTooLargeError);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('stops reading an endless FIFO past the limit', async () => {
    const fifo = path.join(dir, 'endless.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', `exec yes > '${fifo}'`], { stdio: 'ignore' });
    try {
      await expect(readFileBounded(fifo, LIMIT)).rejects.toThrow('larger than 1 MiB');
    } finally {
      writer.kill();
    }
  });

  it('the other errors of a file are its own', () => {
    expect(() => readFileBoundedSync(path.join(dir, 'missing'), LIMIT)).toThrow(/ENOENT/);
    expect(() => readFileBoundedSync(dir, LIMIT)).toThrow(/EISDIR/);
  });

  it('streams (stdin): stops as soon as the limit is passed', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(64 * 1024));
      },
    });
    await expect(readStreamBounded(endless, { maxBytes: 1 << 20 })).rejects.toThrow('larger than 1 MiB');
    expect(pulled).toBeLessThan(40);
    expect(endless.destroyed).toBe(true);
    expect((await readStreamBounded(Readable.from([Buffer.from('ab'), 'c']), { maxBytes: 3 })).toString()).toBe('abc');
  });

  it('says sizes as people do', () => {
    expect(formatBytes(1 << 20)).toBe('1 MiB');
    expect(formatBytes(64 << 20)).toBe('64 MiB');
    expect(formatBytes(4096)).toBe('4 KiB');
    expect(formatBytes(1000)).toBe('1000 bytes');
  });
});
