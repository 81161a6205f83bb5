/*
 * A worker thread of `doctor --all` (started by `doctorThreads`): it checks
 * the chunks of migrations the calling thread sends, with the same code the
 * calling thread runs.
 */
import { doctorChunk, type DoctorChunkSetup } from '../consistency/index.js';
import { serveChunks } from '../util/index.js';

serveChunks((names: string[], setup) => doctorChunk(names, setup as DoctorChunkSetup));
