/**
 * Preloaded (`--import`) into a CLI by drip-broadcast.test.ts: the network is blocked before the program loads
 * (test/support/block-network.ts); at exit the attempts made by the program itself go to stderr as one line:
 * `network attempts: [...]; probe blocked: true`.
 */
import { blockNetwork } from '../support/block-network.js';

const network = blockNetwork();
process.on('exit', () => process.stderr.write(`network attempts: ${JSON.stringify(network.attempts)}; probe blocked: ${network.probeBlocked}\n`));
