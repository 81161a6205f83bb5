/**
 * Whether output may carry ANSI colour: NO_COLOR (any non-empty value) turns
 * it off; FORCE_COLOR (any value but `0` or `false`) turns it on even when
 * piped, as for CI logs that render colour; otherwise only on a terminal whose
 * TERM is not `dumb`.
 */
export function colorWanted(env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  const noColor = env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTty && env['TERM'] !== 'dumb';
}
