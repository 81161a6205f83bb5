// placeholder; replaced by the trust work
import type { Io } from '../app/index.js';
export async function confirmValidationTrust(_io: Io, _command: string): Promise<boolean> {
  return false;
}
