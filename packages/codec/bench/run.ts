/** `pnpm bench`: every benchmark of the toolkit, with the machine it ran on. */
import { benchCodec, printCodec } from './codec.bench.js';
import { machine } from './harness.js';

console.log(`# Benchmarks\n${machine()}\n\n## Codec: messages per second (one core)\n`);
printCodec(benchCodec());
