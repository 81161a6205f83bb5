import type { Io } from '../app/index.js';
import type { MigrationDescription } from '../planning/index.js';
import { phaseTrackText, planningGraphText } from '../outputs/index.js';
import { paint } from './output.js';

/** `status --graph`: the planning path and the phase track as `cairn report` draws them, for the terminal. */
export function statusGraphText(io: Io, description: MigrationDescription, ascii: boolean): string {
  const options = { ascii, paint: (colour: 'green' | 'yellow' | 'cyan' | 'bold', text: string) => paint(io, colour, text) };
  const lines = [...(description.state !== null ? planningGraphText(description.state, options) : []), '', ...phaseTrackText(description.manifest, options)];
  return `\n${lines.join('\n')}\n`;
}
