/*
 * A worker thread of `cairn report`: it checks the chunks of migrations the
 * calling thread sends and reads each for the report, with the same code
 * the calling thread runs.
 */
import { serveChunks } from '../util/index.js';
import { reportChunk } from './report.js';
import type { DoctorChunkSetup } from '../consistency/index.js';

serveChunks((names: string[], setup) => reportChunk(names, setup as DoctorChunkSetup));
