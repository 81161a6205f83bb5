/**
 * cairn as a library: the same functions the CLI calls. They return values
 * (results and findings) and throw `CairnError` with a stable `code`; they
 * never print or exit.
 */
export { CairnError, isCairnError, toCairnError, type CairnErrorCode } from './util/errors.js';
export { CAIRN_VERSION } from './util/version.js';
export * from './json/index.js';
export * from './migration/index.js';
export * from './planning/index.js';
export * from './publish/index.js';
export * from './consistency/index.js';
export * from './agent/index.js';
export { openStore, inspectStore, storePathFor, type Store, type StoreInspection } from './store/index.js';
export { resolveProjectContext, resolveLiveRoot, type ProjectContext, type ContextOptions } from './config/context.js';
export { initProject, type InitOptions, type InitResult } from './config/init.js';
export { ProjectConfigSchema, type ProjectConfig } from './config/schema.js';
export * from './app/inputs.js';
export { JSON_OUTPUTS, publishedSchemas, renderPublishedSchemas, type JsonOutputName, type PublishedSchema } from './outputs/index.js';
