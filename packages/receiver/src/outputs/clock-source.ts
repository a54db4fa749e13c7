/**
 * What a recording's seals say about the clock that timed them. A Node process reads the system clock and
 * cannot see what disciplines it; what it can ask is the kernel's "synchronised" flag through timedatectl
 * (systemd), which is set by whichever daemon steers the clock — systemd-timesyncd, chrony or ntpd, also
 * when chrony follows gpsd's PPS. So a seal says "system" and, when timedatectl answers, whether the clock
 * was synchronised; it cannot say to what, nor how well. Without systemd (a container, another init) that
 * is "unknown". The receiver's GNSS fix time, when it has one, is in the seal's position for comparison.
 */

import { runCommand, type CommandRunner } from '@odid/commands';

export interface ClockReport {
  /** The clock the times come from: always the system clock. */
  source: 'system';
  /** The kernel's synchronised flag as timedatectl read it; absent when it could not be read. */
  synchronised?: boolean;
  /** How `synchronised` was found. */
  checkedWith?: 'timedatectl';
}

/** A fresh answer is asked for at most this often (it changes rarely: a daemon losing its servers). */
const REFRESH_MS = 10 * 60_000;
const TIMEOUT_MS = 2000;

/** The clock's state, asked of timedatectl now and then, answered at once from the last reply. */
export class ClockProbe {
  private last: ClockReport = { source: 'system' };
  private askedAt = -Infinity;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly run: CommandRunner = runCommand,
    private readonly now: () => number = Date.now,
  ) {}

  /** Asks timedatectl; resolves with the answer (or none) within a couple of seconds. */
  refresh(): Promise<void> {
    this.askedAt = this.now();
    this.pending ??= this.run('timedatectl', ['show', '--property=NTPSynchronized', '--value'], { timeoutMs: TIMEOUT_MS })
      .then((r) => {
        const answer = r.code === 0 ? r.stdout.trim() : '';
        this.last = answer === 'yes' || answer === 'no' ? { source: 'system', synchronised: answer === 'yes', checkedWith: 'timedatectl' } : { source: 'system' };
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** The last known state; a stale one is refreshed in the background for the next seal. */
  report(): ClockReport {
    if (this.now() - this.askedAt >= REFRESH_MS && !this.pending) void this.refresh();
    return this.last;
  }
}

/** "system clock, NTP-synchronised (timedatectl)", for the verifier's report. */
export function clockText(c: ClockReport | undefined): string {
  if (!c) return 'not stated';
  if (c.synchronised === undefined) return `${c.source} clock (whether it was synchronised is unknown)`;
  return `${c.source} clock, ${c.synchronised ? 'synchronised' : 'NOT synchronised'} (${c.checkedWith ?? 'unknown check'})`;
}
