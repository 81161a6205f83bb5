import { CleanOutputSchema } from './clean.js';
import { DoctorOutputSchema } from './reporters/json-schema.js';
import { ErrorOutputSchema } from './error.js';
import { IndexOutputSchema } from './index-output.js';
import { InfoOutputSchema } from './info.js';
import { InitOutputSchema } from './init.js';
import { ListOutputSchema } from './list.js';
import { LogOutputSchema } from './log.js';
import { MoveOutputSchema } from './move.js';
import { NewOutputSchema, PhaseDoneOutputSchema } from './publish.js';
import { ReadyOutputSchema } from './ready.js';
import { RecoverOutputSchema } from './recover.js';
import { ResolveOutputSchema } from './resolve.js';
import { ReviewOutputSchema } from './review.js';
import { RunOutputSchema } from './run.js';
import { StatusOutputSchema } from './status.js';
import { AcceptOutputSchema, PlanOutputSchema, RefineOutputSchema } from './step.js';
import { TrustOutputSchema } from './trust.js';
import { UnlockOutputSchema } from './unlock.js';

/**
 * Every `--format json` document, by name: `printJson` takes the name and a
 * payload typed by the schema, and `schemas/<name>-output.schema.json` is
 * generated from it.
 */
export const JSON_OUTPUTS = {
  list: ListOutputSchema,
  status: StatusOutputSchema,
  doctor: DoctorOutputSchema,
  ready: ReadyOutputSchema,
  info: InfoOutputSchema,
  index: IndexOutputSchema,
  log: LogOutputSchema,
  init: InitOutputSchema,
  new: NewOutputSchema,
  plan: PlanOutputSchema,
  accept: AcceptOutputSchema,
  refine: RefineOutputSchema,
  review: ReviewOutputSchema,
  'phase-done': PhaseDoneOutputSchema,
  run: RunOutputSchema,
  recover: RecoverOutputSchema,
  clean: CleanOutputSchema,
  unlock: UnlockOutputSchema,
  mv: MoveOutputSchema,
  resolve: ResolveOutputSchema,
  trust: TrustOutputSchema,
  error: ErrorOutputSchema,
} as const;

export type JsonOutputName = keyof typeof JSON_OUTPUTS;
