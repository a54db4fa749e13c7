/** What every position source produces and the small interface the scheduler and CLI rely on. */

export type FixStatus = 'ground' | 'airborne' | 'emergency' | 'failure';
export type FixType = 'none' | '2d' | '3d';

export interface Fix {
  /** ms since epoch (UTC) the fix refers to: GNSS time when known, else clock time at receipt. */
  time: number;
  /** Degrees, WGS-84. */
  latitude: number;
  longitude: number;
  /** m, WGS-84 height above ellipsoid (HAE). */
  altitudeGeo?: number;
  /** m, pressure altitude. */
  altitudeBaro?: number;
  /** m above takeoff. */
  height?: number;
  /** m/s ground speed. */
  speedHorizontal?: number;
  /** Degrees true course over ground, 0..<360. */
  direction?: number;
  /** m/s, positive up. */
  speedVertical?: number;
  /** Metres (95 %). */
  horizontalAccuracy?: number;
  /** Metres (95 %). */
  verticalAccuracy?: number;
  /** m/s (95 %). */
  speedAccuracy?: number;
  status?: FixStatus;
  fixType?: FixType;
}

/**
 * The life cycle every position source keeps (checked for each one by test/contract/position-source-contract.ts):
 * - start() opens the device, file, socket or port; when it cannot it rejects with a ToolkitError (code,
 *   reason, fix) and leaves nothing open. start() on a started source is idempotent: it resolves and opens
 *   nothing more.
 * - stop() releases everything start() opened (sockets, timers, descriptors); once it resolves no 'fix' (nor
 *   any other event) is emitted. It is harmless before start() and when called again.
 * - Trouble while running is an 'error' event carrying a ToolkitError; the source keeps going where it can.
 */
export interface PositionSource {
  readonly name: string;
  /** Rejects with a ToolkitError that says what is missing and how to fix it (device, port, permission). Idempotent once started. */
  start(): Promise<void>;
  /** Releases what start() opened; nothing is emitted once it resolves. Harmless before start() and twice. */
  stop(): Promise<void>;
  /** Newest fix, undefined before the first. */
  latest(): Fix | undefined;
  on(event: 'fix', cb: (fix: Fix) => void): void;
}

/** Events every source in this folder emits; individual sources add their own. */
export interface SourceEvents {
  fix: Fix;
  /** Non-fatal trouble (link lost, device error): the source keeps running and retries where it can. */
  error: Error;
}
