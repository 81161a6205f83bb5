/*
 * A worker thread of `doctor --all` (started by `doctorThreads`): it checks
 * the chunks of migrations the calling thread sends, with the same code the
 * calling thread runs, and opens its own reader of verified digests.
 */
import { doctorChunk, provideVerifiedDigests, type DoctorChunkSetup } from '../consistency/index.js';
import { openOutputDigestReader } from '../store/index.js';
import { serveChunks } from '../util/index.js';

provideVerifiedDigests(openOutputDigestReader);
serveChunks((names: string[], setup) => doctorChunk(names, setup as DoctorChunkSetup));
