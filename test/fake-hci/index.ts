/** The fake Bluetooth controller shared by broadcaster and receiver tests. */

export { FakeAir, type Advertisement, type FakeAirOptions, type Reception } from './air.js';
export { COMMANDS, executeCommand, type CommandRecord } from './commands.js';
export { FakeController, FakeHciSocket, FakeHost, leToMac, type FakeControllerOptions, type FakeHostOptions } from './controller.js';
export { HCI_SOCKET_PACKAGES, requireFrom, withFakeHci, type FakeHciInstall, type FakeHciModule } from './install.js';
export { listen, startScanning, type ScanSetup } from './scanner.js';
export * as hciSpec from './spec.js';
export { ERR, OP } from './spec.js';
