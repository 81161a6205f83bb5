/**
 * A migration's vocabulary and the one codec per file it holds: manifest,
 * planning state and graph, output refs, stage outputs, phase docs, sums,
 * review records, live-root rules and findings.
 */
export * from './manifest.js';
export * from './state.js';
export * from './graph.js';
export * from './output-refs.js';
export * from './stage-outputs.js';
export * from './phase-docs.js';
export * from './sums.js';
export * from './review-records.js';
export * from './reviews-schema.js';
export * from './live-root.js';
export * from './finding.js';
export * from './schemas.js';
export * from './layout.js';
