import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { CairnError, messageOf, compareCodePoints, splitLines, stripText } from '../util/index.js';
import { pyRepr, readTextFile } from '../json/index.js';
import { EFFORTS, isEffort, type Effort, type Manifest, type Phase } from './manifest.js';

/*
 * Phase docs `phase-<n>-<name>.md` in a migration dir's root (docs/format.md §7.1) and
 * phase discovery after `expand` / `revise` (docs/format.md §7.3).
 */

export interface PhaseDocName {
  /** The numeric index (`phase-01-x.md` ⇒ 1n). */
  index: bigint;
  /** The index digits as written (`"01"`). */
  indexText: string;
  /** Everything between the index and `.md`; may contain `-`. */
  name: string;
}

const PHASE_DOC_NAME = /^phase-([0-9]+)-(.+)\.md$/s;

/**
 * Parses a phase doc file name: `phase-` + decimal digits + `-` + a
 * non-empty name + `.md`, e.g. `phase-1-a-b.md` ⇒ index 1, name `a-b`.
 * Returns null for any other name.
 */
export function parsePhaseDocFilename(fileName: string): PhaseDocName | null {
  const match = PHASE_DOC_NAME.exec(fileName);
  if (match === null) return null;
  const indexText = match[1] as string;
  return { index: BigInt(indexText), indexText, name: match[2] as string };
}

export type PhaseDocHeading = 'Precondition' | 'Definition of Done';

function headingPattern(heading: string): RegExp {
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^##[ \\t]+${escaped}[ \\t]*$`, 'i');
}

function isSectionHeading(line: string): boolean {
  return line.startsWith('## ');
}

/**
 * True when some line of `text` is the heading `## <heading>` (case-
 * insensitive, trailing spaces allowed), the contract phase docs must meet.
 */
export function hasHeading(text: string, heading: PhaseDocHeading): boolean {
  const pattern = headingPattern(heading);
  return splitLines(text).some((line) => pattern.test(line));
}

/**
 * The normalised body of the first `## <heading>` section (up to the next
 * `## ` heading or the end): non-blank lines trimmed and joined by single
 * spaces. Null when the section is absent or empty.
 */
export function sectionText(text: string, heading: string): string | null {
  const pattern = headingPattern(heading);
  const lines = splitLines(text);
  const start = lines.findIndex((line) => pattern.test(line));
  if (start < 0) return null;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (isSectionHeading(line)) break;
    const trimmed = stripText(line);
    if (trimmed !== '') body.push(trimmed);
  }
  return body.length === 0 ? null : body.join(' ');
}

/** The trimmed value of the first `<key>: <value>` line with a non-empty value, or null. */
export function metadataLine(text: string, key: string): string | null {
  const prefix = `${key.toLowerCase()}:`;
  for (const line of splitLines(text)) {
    const trimmed = stripText(line);
    if (!trimmed.toLowerCase().startsWith(prefix)) continue;
    const value = stripText(trimmed.slice(prefix.length));
    if (value !== '') return value;
  }
  return null;
}

function effortToken(raw: string): string | null {
  const token = stripText(raw).split(/\s+/)[0] ?? '';
  const cleaned = token.replace(/`/g, '').replace(/[.,;:]+$/, '');
  return cleaned === '' ? null : cleaned.toLowerCase();
}

function discoveryError(message: string): CairnError {
  return new CairnError('invalid-manifest', message);
}

/**
 * The manifest phase described by one phase doc (docs/format.md §7.3): precondition
 * from the `## Precondition` section, else a `precondition:` line, else
 * `prerequisites in <file> are met`; `required_effort` and `effort_reason`
 * from their sections, else their `key:` lines. Sections win over lines.
 */
export function phaseFromDoc(fileName: string, name: string, text: string): Phase {
  const precondition =
    sectionText(text, 'Precondition') ??
    metadataLine(text, 'precondition') ??
    `prerequisites in ${fileName} are met`;
  const effortSource = sectionText(text, 'Required Effort') ?? metadataLine(text, 'required_effort');
  let required_effort: Effort | null = null;
  if (effortSource !== null) {
    const token = effortToken(effortSource);
    if (token !== null) {
      if (!isEffort(token)) {
        throw discoveryError(`${fileName} required_effort must be one of ${EFFORTS.join(', ')}: ${pyRepr(token)}`);
      }
      required_effort = token;
    }
  }
  const effort_reason = sectionText(text, 'Effort Reason') ?? metadataLine(text, 'effort_reason');
  return { name, file: fileName, done: false, precondition, required_effort, effort_reason };
}

/**
 * Discovers the phases of a migration dir from its phase docs (docs/format.md §7.3),
 * sorted by numeric index (then file name). Throws
 * `CairnError('invalid-manifest')` for duplicate phase names, an invalid
 * effort or an unreadable doc.
 */
export async function discoverPhases(migrationDir: string, slug: string): Promise<Phase[]> {
  let entries;
  try {
    entries = await readdir(migrationDir, { withFileTypes: true });
  } catch (error) {
    throw discoveryError(`Could not list phase docs in ${migrationDir}: ${messageOf(error)}`);
  }
  const docs = entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => ({ fileName: entry.name, parsed: parsePhaseDocFilename(entry.name) }))
    .filter((doc): doc is { fileName: string; parsed: PhaseDocName } => doc.parsed !== null)
    .sort((a, b) =>
      a.parsed.index === b.parsed.index
        ? compareCodePoints(a.fileName, b.fileName)
        : a.parsed.index < b.parsed.index
          ? -1
          : 1,
    );
  const phases: Phase[] = [];
  const names = new Set<string>();
  for (const doc of docs) {
    if (names.has(doc.parsed.name)) {
      throw discoveryError(`Duplicate phase names are not allowed in ${slug}: ${doc.parsed.name}`);
    }
    names.add(doc.parsed.name);
    const file = path.join(migrationDir, doc.fileName);
    let text: string;
    try {
      text = await readTextFile(file);
    } catch (error) {
      throw discoveryError(`Could not read phase doc ${file}: ${messageOf(error)}`);
    }
    phases.push(phaseFromDoc(doc.fileName, doc.parsed.name, text));
  }
  return phases;
}

/**
 * The manifest after a refresh with discovered phases (docs/format.md §7.3): the list
 * replaces the old phases; an empty or no-longer-existing `current_phase`
 * becomes the first phase (or `''`); `last_touch` becomes `now`.
 */
export function applyDiscoveredPhases(manifest: Manifest, phases: Phase[], now: string): Manifest {
  const names = phases.map((phase) => phase.name);
  let current_phase = manifest.current_phase;
  if (current_phase === '' || !names.includes(current_phase)) current_phase = names[0] ?? '';
  return { ...manifest, phases: phases.map((phase) => ({ ...phase })), current_phase, last_touch: now };
}
