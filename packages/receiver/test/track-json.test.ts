import { buildAirFrames, encodeMessage, RemoteIdExtractor } from '@odid/codec';
import { describe, expect, it } from 'vitest';
import { Tracker, trackToJson } from '../src/tracker/index.js';

describe('trackToJson', () => {
  it('rounds bearings to 0.1° and keeps them below 360 (359.97° is 0, not 360)', () => {
    // The drone stands 1° north and 0.0005° west of the receiver: a bearing of ~359.97°.
    const tracker = new Tracker({ receiverPosition: { lat: 0, lon: 0 } });
    const payload = encodeMessage({
      type: 'messagePack',
      messages: [
        { type: 'basicId', idType: 1, uaType: 2, uasId: '1596F0123456789A' },
        {
          type: 'location', status: 2, direction: 0, speedHorizontal: 0, speedVertical: 0, latitude: 1, longitude: -0.0005,
          altitudeBaro: 100, altitudeGeo: 100, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3,
          speedAccuracy: 3, tsAccuracy: 2, timestamp: 600,
        },
      ],
    });
    const extractor = new RemoteIdExtractor();
    for (const f of buildAirFrames({ transport: 'wifi-beacon', address: '02:00:00:00:00:01', counter: 1, payload })) {
      for (const m of extractor.fromRecord(f.linkType, f.data, { t: 1_700_000_000 })) tracker.ingest(m, 1_700_000_000_000);
    }
    const [track] = tracker.tracks();
    expect(track!.bearing).toBeGreaterThan(359.95);
    expect(trackToJson(track!).bearing).toBe(0);
  });
});
