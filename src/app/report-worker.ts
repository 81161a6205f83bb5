/*
 * A worker thread of `cairn report`: it checks the chunks of migrations the
 * calling thread sends and reads each for the report, with the same code
 * the calling thread runs, and opens its own reader of verified digests.
 */
import { provideVerifiedDigests, type DoctorChunkSetup } from '../consistency/index.js';
import { openOutputDigestReader } from '../store/index.js';
import { serveChunks } from '../util/index.js';
import { reportChunk } from './report.js';

provideVerifiedDigests(openOutputDigestReader);
serveChunks((names: string[], setup) => reportChunk(names, setup as DoctorChunkSetup));
