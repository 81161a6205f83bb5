export { resolveLiveRoot, resolveProjectContext, type ContextOptions, type ProjectContext } from './context.js';
export { initProject, type InitOptions, type InitResult } from './init.js';
export { findProjectRoot, readProjectConfig } from './load.js';
export { CONFIG_RELATIVE_PATH, validateCommandProblem } from './config-rules.js';
export { ProjectConfigSchema, type ProjectConfig } from './schema.js';
export { hasControlCharacter, migrationsDirProblem, showMigrationsDir, trimTrailingSlashes } from './migrations-dir.js';
