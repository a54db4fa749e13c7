/** `pnpm bench`: every benchmark of the toolkit, with the machine it ran on. */
import { benchCapture, printCapture } from './capture.bench.js';
import { benchCodec, printCodec } from './codec.bench.js';
import { machine } from './harness.js';

console.log(`# Benchmarks\n${machine()}\n\n## Codec: messages per second (one core)\n`);
printCodec(benchCodec());
console.log('\n## Capture decoding: `odid decode` against tshark, one 1,000,000-frame capture\n');
printCapture(benchCapture());

// The receiver under load (about 2 minutes), the same load with the live map and a browser page on it
// (about 1.5 minutes), the hub merging 20 receivers through mosquitto (about 1 minute), and the
// broadcaster's cost per simulated hour.
const { runReceiverBench } = await import('../../receiver/bench/receiver.bench.js');
const { runWebMapBench } = await import('../../receiver/bench/web-map.bench.js');
const { runHubBench } = await import('../../receiver/bench/hub.bench.js');
const { runBroadcasterBench } = await import('../../broadcaster/bench/broadcaster.bench.js');
await runReceiverBench();
await runWebMapBench();
console.log('\n## The hub: 20 receivers x 200 drones through mosquitto\n');
await runHubBench(['--seconds', '20']);
await runBroadcasterBench();
