// Module hooks (registered by load-log.mjs): append the URL of every module
// resolved to the file named by CAIRN_LOAD_LOG.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (process.env.CAIRN_LOAD_LOG) appendFileSync(process.env.CAIRN_LOAD_LOG, `${resolved.url}\n`);
  return resolved;
}
