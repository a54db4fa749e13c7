/**
 * What the contract suites share: waiting for a condition (never a fixed sleep, except to prove an absence),
 * what this process holds (active handles, file descriptors, child processes, process listeners) and how
 * it changed, and the typed-error check every suite makes.
 */

import { createHook, type AsyncHook } from 'node:async_hooks';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { ToolkitError } from '@odid/codec';

/** Polls `cond` every few ms until it holds; fails after `timeoutMs` saying what was awaited. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets every callback already queued run (I/O, immediates, promise chains), a few rounds deep. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * The resources (timers, sockets, pipes, child processes, signal and file watchers) created since a watch
 * began and not destroyed yet, each with the line of the sources that made it. Counting what
 * getActiveResourcesInfo() lists is not enough: the test runner's own timers come and go, and one of them
 * gone can hide one leaked; a resource made during the run and still alive after stop cannot hide.
 */
const WATCHED_TYPES = new Set(['Timeout', 'TCPWRAP', 'TCPSERVERWRAP', 'UDPWRAP', 'PIPEWRAP', 'PIPESERVERWRAP', 'PROCESSWRAP', 'SIGNALWRAP', 'FSEVENTWRAP', 'STATWATCHER', 'TTYWRAP']);

interface Watch {
  hook: AsyncHook;
  alive: Map<number, string>;
}
const watches = new Set<Watch>();

/**
 * Where a resource was made: the first frame of the workspace's package sources (else of a test), as
 * "packages/x/src/y.ts:12:5". Undefined for what the workspace did not make (the test runner's timers)
 * and for this file's own waiting.
 */
function madeAt(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const frames = stack.split('\n').slice(1).map((l) => l.trim());
  // Not the hook itself (this function and its init), which runs in this file.
  const ours = frames.filter((l) => /\/(packages|test)\//.test(l) && !/node_modules/.test(l) && !(/\/test\/contract\/harness\.ts/.test(l) && /\b(madeAt|init)\b/.test(l)));
  if (ours.length === 0 || /\/test\/contract\/harness\.ts/.test(ours[0]!)) return undefined;
  const pick = ours.find((l) => /\/packages\/[^/]+\/src\//.test(l)) ?? ours[0]!;
  return pick.replace(/^at /, '').replace(/^.*?\((.*)\)$/, '$1').replace(/^.*?\/(packages|test)\//, '$1/');
}

function watch(): Watch {
  const alive = new Map<number, string>();
  const hook = createHook({
    init(id, type) {
      if (!WATCHED_TYPES.has(type)) return;
      const where = madeAt();
      if (where !== undefined) alive.set(id, `${type} made at ${where}`);
    },
    destroy(id) {
      alive.delete(id);
    },
  });
  const w = { hook, alive };
  watches.add(w);
  hook.enable();
  return w;
}

function unwatch(w: Watch): void {
  w.hook.disable();
  watches.delete(w);
}

// A check that failed before its expectReleased leaves no hook running into the next one.
afterEach(() => {
  for (const w of [...watches]) unwatch(w);
});

/** What this process holds at one moment. */
export interface Held {
  /** Resources made since this snapshot and not destroyed yet (see WATCHED_TYPES). */
  made: Watch;
  /** process.getActiveResourcesInfo(): what keeps the event loop alive (timers, sockets, child processes...). */
  handles: Map<string, number>;
  /** /proc/self/fd, by what each points at: a path, "socket", "pipe", "anon_inode:[eventfd]"... */
  fds: Map<string, number>;
  /** Child processes of this process (from /proc), by pid and the name they had when first seen. */
  children: Map<string, number>;
  /** Listeners on the process object a source may add (noble's exit and SIGINT handlers). */
  listeners: Map<string, number>;
}

const count = (items: Iterable<string>): Map<string, number> => {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
};

function fdTargets(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      // Socket and pipe inodes are new every time: only their kind says whether one more is open.
      out.push(readlinkSync(`/proc/self/fd/${fd}`).replace(/^(socket|pipe):\[\d+\]$/, '$1'));
    } catch {
      // the fd readdir itself used, closed by now
    }
  }
  return out;
}

/** "pid (name)": a pid, since a child may exec another program (sh becoming cat) between two looks. */
function childNames(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after its last ')'.
      const close = stat.lastIndexOf(')');
      const [state, ppid] = stat.slice(close + 2).split(' ');
      if (Number(ppid) === process.pid) out.push(`${pid} (${stat.slice(stat.indexOf('(') + 1, close)}${state === 'Z' ? ', zombie' : ''})`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const WATCHED_EVENTS = ['exit', 'SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection', 'beforeExit'] as const;

export function held(): Held {
  return {
    made: watch(),
    handles: count(process.getActiveResourcesInfo()),
    fds: count(fdTargets()),
    children: count(childNames()),
    listeners: new Map(WATCHED_EVENTS.map((e) => [e, process.listenerCount(e)])),
  };
}

const LABELS = { handles: 'handle', fds: 'fd', children: 'child process', listeners: 'process listener' } as const;

/** What `after` holds beyond `before`, one line per kind ("handle TCPSocketWrap +1", "child process 123 (tcpdump) +1"). */
export function heldBeyond(before: Held, after: Held): string[] {
  const lines: string[] = [];
  for (const key of ['handles', 'fds', 'listeners'] as const) {
    for (const [what, n] of after[key]) {
      const extra = n - (before[key].get(what) ?? 0);
      if (extra > 0) lines.push(`${LABELS[key]} ${what} +${extra}`);
    }
  }
  const pid = (c: string): string => c.slice(0, c.indexOf(' '));
  const known = new Set([...before.children.keys()].map(pid));
  for (const c of after.children.keys()) if (!known.has(pid(c))) lines.push(`${LABELS.children} ${c} +1`);
  return lines;
}

/**
 * Waits until the process holds nothing beyond `before`, every resource the workspace made since `before`
 * is destroyed, and `leaks()` (what the rig itself knows is still open: a fake socket, a sender not closed)
 * is empty; fails listing what is left. Closing is asynchronous (a socket's close, a child's exit and its
 * pipes), hence the wait. `countsOnly` compares what is held and nothing else: for a comparison made while
 * the code under test runs and makes and drops timers as it goes.
 */
export async function expectReleased(before: Held, leaks: () => string[] = () => [], opts: { timeoutMs?: number; countsOnly?: boolean } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  let left: string[] = [];
  const now = (): Held => {
    const h = held();
    unwatch(h.made);
    return h;
  };
  try {
    const made = (): string[] => (opts.countsOnly ? [] : [...before.made.alive.values()]);
    await waitFor(() => (left = [...made(), ...heldBeyond(before, now()), ...leaks()]).length === 0, 'everything to be released', timeoutMs);
  } catch {
    // fall through: the assertion says what is left
  } finally {
    unwatch(before.made);
  }
  expect(left, 'held after stop/close').toEqual([]);
}

/** Checks `e` is a ToolkitError with a code and a reason (and the code asked for, when one is). */
export function expectToolkitError(e: unknown, code?: string | RegExp): ToolkitError {
  expect(e, `expected a ToolkitError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`).toBeInstanceOf(ToolkitError);
  const err = e as ToolkitError;
  expect(err.code).toMatch(/^[a-zA-Z][\w-]*$/);
  expect(err.reason.length).toBeGreaterThan(0);
  if (typeof code === 'string') expect(err.code).toBe(code);
  else if (code) expect(err.code).toMatch(code);
  return err;
}

/** What a promise ended with: its value is not wanted, its error is. */
export async function rejection(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection (or a throw), but it succeeded');
}

/**
 * A real OS pipe the test writes into: `cat` copies its stdin to its stdout (a pipe the code under test
 * reads) or, given `toFile`, into that file (a FIFO the code under test opens itself). Killed by close().
 */
export interface PipeFeeder {
  /** cat's stdout, when not writing to a file. */
  readonly output: Readable;
  write(bytes: Uint8Array | string): void;
  close(): Promise<void>;
}

export function pipeFeeder(toFile?: string): PipeFeeder {
  const child: ChildProcessByStdio<Writable, Readable, null> = toFile
    ? spawn('sh', ['-c', 'exec cat > "$0"', toFile], { stdio: ['pipe', 'pipe', 'ignore'] })
    : spawn('cat', [], { stdio: ['pipe', 'pipe', 'ignore'] });
  // A reader that went away (the code under test stopped) makes cat die of SIGPIPE: writes then fail quietly.
  child.stdin.on('error', () => undefined);
  child.stdout.on('error', () => undefined);
  let exited = child.exitCode !== null || child.signalCode !== null;
  // 'exit', not 'close': what cat wrote may sit unread in its stdout (the reader stopped), which keeps 'close' away.
  const gone = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  return {
    output: child.stdout,
    write(bytes) {
      if (!exited && child.stdin.writable) child.stdin.write(bytes);
    },
    async close() {
      if (!exited) {
        child.stdin.end();
        child.kill('SIGTERM');
      }
      await gone;
      child.stdout.destroy();
    },
  };
}

/** Names what a check does not cover for an implementation, and why: printed as a skipped test. */
export type NotApplicable<K extends string> = Partial<Record<K, string>>;

/** A check that does not apply to one implementation: a skipped test whose note (the summary line's) says why. */
export function itNotApplicable(check: string, reason: string): void {
  it(`${check} [not applicable]`, (ctx) => ctx.skip(`not applicable: ${reason}`));
}
