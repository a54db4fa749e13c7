/**
 * The only host APIs the codec uses beyond the ES library: the WHATWG text codecs, global in every browser
 * and in Node. Declared here (instead of pulling in the DOM or Node typings) so that the compiler rejects
 * any other host API: the codec must run unchanged in a browser.
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
