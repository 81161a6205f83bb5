/*
 * The planning engine: runs and their workspaces, the steps and their
 * acceptance, refine, review, phases, ready, list, and creating a migration.
 */
export * from './acceptance.js';
export * from './resolve.js';
export * from './list.js';
export * from './describe.js';
export * from './prompts.js';
export * from './accept-step.js';
export * from './workspace.js';
export * from './workspace-base.js';
export * from './engine-log.js';
export * from './engine.js';
export * from './engine-accept.js';
export * from './run-plan.js';
export * from './refine.js';
export * from './review.js';
export * from './phases.js';
export * from './ready.js';
export * from './commit.js';
export * from './demo.js';
export * from './new-migration.js';
