/** A one-line progress bar on stderr, redrawn at most 10 times a second. */
export class Progress {
  private last = 0;
  private readonly start = Date.now();
  constructor(private readonly total: number) {}

  update(done: number): void {
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const frac = Math.min(1, done / this.total);
    const width = 30;
    const filled = Math.round(frac * width);
    const mbps = done / 1e6 / Math.max(0.001, (now - this.start) / 1000);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${mbps.toFixed(1)} MB/s`);
  }

  done(): void {
    process.stderr.write('\r\x1b[K');
  }
}
