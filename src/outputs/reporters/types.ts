import path from 'node:path';
import type { DoctorGroup, DoctorSummary } from '../../consistency/index.js';

export const DOCTOR_FORMATS = ['text', 'tsv', 'json', 'github', 'sarif', 'junit'] as const;
export type DoctorFormat = (typeof DOCTOR_FORMATS)[number];

export type PaintColour = 'red' | 'yellow' | 'green' | 'dim' | 'bold' | 'cyan';
/** Colours text (or returns it unchanged when colour is off). */
export type Painter = (colour: PaintColour, text: string) => string;

export interface ReporterOptions {
  /** Repository root, for repo-relative paths. */
  repoRoot: string;
  /** Colour for the text format; default none. */
  paint?: Painter;
  /** `schema_version` of the JSON document (only version 1 exists). */
  schemaVersion?: 1;
  /** cairn's version, for SARIF's tool driver. */
  toolVersion?: string;
}

/**
 * Turns doctor groups into output text. `group` is called for each group in
 * order and returns what can be printed right away (streaming formats);
 * `end` returns the rest (documents that need everything: json, sarif, junit).
 */
export interface Reporter {
  group(group: DoctorGroup): string;
  end(summary: DoctorSummary): string;
}

/** `file` relative to the repository as a POSIX path; absolute when it lies outside. */
export function repoRelative(repoRoot: string, file: string): string {
  const relative = path.relative(repoRoot, file);
  if (relative === '') return '.';
  if (relative.startsWith('..') || path.isAbsolute(relative)) return file.split(path.sep).join('/');
  return relative.split(path.sep).join('/');
}
