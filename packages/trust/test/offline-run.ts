/**
 * Run by offline.test.ts in a child process: the network is blocked (test/support/block-network.ts, listening
 * too) before anything else loads. Then the whole flow runs — rid-keys builds a registry, a trust store is
 * loaded, a drone is verified — and the result is printed as JSON with the attempts counted, and whether a
 * probe connection was caught (the hooks do catch one).
 */
import { blockNetwork } from '../../../test/support/block-network.js';

const network = blockNetwork({ servers: true });

const { encodeDripAuth } = await import('@odid/codec');
const { DripVerifier, loadTrustStore } = await import('../src/index.js');
const { buildRegistry, clearMessages, storeDir, wrapperAuth } = await import('./support.js');

const now = Date.UTC(2026, 5, 1, 12);
const reg = await buildRegistry(now);
const verifier = new DripVerifier({ trust: loadTrustStore(storeDir([reg.files.apex.id], [reg.apexRaa, reg.raaHda])), clock: () => now });
const clear = clearMessages(reg.ua.identity.det);
for (const m of clear) verifier.addClear('drone', m);
verifier.addAuth('drone', encodeDripAuth(reg.uaLink));
verifier.addAuth('drone', wrapperAuth(reg.ua, clear, now));
const result = verifier.state('drone');
const attemptsDuringRun = [...network.attempts];
const handles = process.getActiveResourcesInfo();
process.stdout.write(`${JSON.stringify({ state: result.state, reason: result.reason, attemptsDuringRun, handles, probeBlocked: network.probeBlocked })}\n`);
