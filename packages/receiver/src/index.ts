export * from './tracker/index.js';
export * from './outputs/index.js';
export { LiveTable, renderTable, SORT_KEYS, type SortKey } from './outputs/table.js';
export type { FrameSource, FrameSourceEvents, RawFrame } from './sources/types.js';
export { ReplaySource, type ReplayOptions } from './sources/replay.js';
export { SimSource, type SimSourceOptions } from './sources/sim.js';
export { Pipeline, type PipelineOptions, type PipelineSinks } from './pipeline.js';
export { FrameQueue } from './frame-queue.js';
