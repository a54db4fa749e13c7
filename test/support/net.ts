/** Loopback network helpers for tests that start real servers and programs. */

import { createServer, type AddressInfo } from 'node:net';

/** A loopback TCP port free right now (bound, then released): for a program that must be told its port. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}
