/**
 * Running iw, ip and tcpdump. Short commands go through @odid/commands (one way of running
 * a tool for the whole toolkit), the capture through a spawn function: both injectable, so tests script
 * tools that need Wi-Fi hardware this machine lacks.
 */

import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';

export { runCommand, toolOutput, type CommandResult, type CommandRunner } from '@odid/commands';

export type SpawnFn = (cmd: string, args: readonly string[]) => ChildProcess;

export const spawnProcess: SpawnFn = (cmd, args) => nodeSpawn(cmd, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
