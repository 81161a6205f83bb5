#!/usr/bin/env node
import('../dist/bundle/cairn.js').then((m) => m.main(process.argv)).catch((error) => {
  process.stderr.write(`cairn: could not start: ${error && error.message ? error.message : error}\nRun \`npm run build\` in the cairn checkout, then try again.\n`);
  process.exitCode = 2;
});
