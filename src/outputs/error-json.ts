import type { CairnError } from '../util/index.js';
import type { ErrorPayload } from './error.js';

/* Apart from the schema, so that printing an error does not build it. */

/** The envelope of one error. */
export function errorJson(error: CairnError): ErrorPayload {
  const payload: ErrorPayload = { error: { code: error.code, message: error.message } };
  if (error.hint !== undefined) payload.error.hint = error.hint;
  if (error.path !== undefined) payload.error.path = error.path;
  return payload;
}
