/**
 * The detailed local basemap (rid-scan --basemap FILE.pmtiles, served at /basemap.pmtiles): protomaps-leaflet
 * draws the vector tiles on canvas, fetched by byte ranges from the receiver. Its own chunk, loaded only
 * when the receiver has a basemap. protomaps-leaflet reads Leaflet from the global `L` (set by the caller).
 */

export { leafletLayer } from 'protomaps-leaflet';
