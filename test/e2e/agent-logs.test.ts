import { describe, expect, it } from 'vitest';
import { fakeAgents } from '../support/agents.js';
import { runCli } from '../support/cli.js';
import { cairnRepo, newMigration } from '../support/repo.js';

/** A `claude` on PATH that writes two approaches and talks in stream-json, as `claude -p --output-format stream-json` does. */
const FAKE_CLAUDE = `#!/bin/sh
cat > /dev/null
mkdir -p "$CAIRN_WORKSPACE/approaches"
printf '# Incremental\\n\\nOne module at a time.\\n' > "$CAIRN_WORKSPACE/approaches/incremental.md"
printf '# Big bang\\n\\nAll at once.\\n' > "$CAIRN_WORKSPACE/approaches/big-bang.md"
echo '{"type":"system","subtype":"init","session_id":"s","tools":[]}'
echo '{"type":"assistant","message":{"content":[{"type":"text","text":"Reading the target."}]}}'
echo '{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Write","input":{"file_path":"approaches/incremental.md"}}]}}'
echo '{"type":"result","subtype":"success","is_error":false,"duration_ms":2000,"result":"Wrote two approaches."}'
`;

describe('--show-agent-logs with claude', () => {
  it('mirrors what claude says and does as text, not as JSON events', () => {
    const { repo } = cairnRepo({ git: true });
    newMigration(repo, 'alpha', 'split the monolith');
    const agents = fakeAgents();
    agents.write('claude', FAKE_CLAUDE);
    const result = runCli(['plan', 'alpha', '--agent', 'claude', '--show-agent-logs'], { cwd: repo, env: agents.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Accepted planning.approaches for alpha; next step: pick-best.\n');
    expect(result.stderr).toContain('Reading the target.\n→ Write {"file_path":"approaches/incremental.md"}\n[claude finished in 2.0 s]\n');
    expect(result.stderr).not.toContain('"type":');
  });
});
