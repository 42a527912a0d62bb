/**
 * The house rule that keeps the domain core pure (ARCHITECTURE.md 3, STYLE.md 1 and 4): model and
 * decider files may not import infrastructure nor read the clock. Runs the project's real eslint
 * configuration on sample files placed where domain code lives.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const eslint = resolve(root, 'node_modules/.bin/eslint');

function lint(filePath: string, code: string): string[] {
  const r = spawnSync(eslint, ['--format', 'json', '--stdin', '--stdin-filename', filePath], { cwd: root, input: code, encoding: 'utf8' });
  const [result] = JSON.parse(r.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('domain purity lint', () => {
  it.each(['express', 'kafkajs', 'mongodb', 'lmdb', 'chdb', '@clickhouse/client'])('forbids importing %s in a decider', (pkg) => {
    const messages = lint('services/goals/src/goals/decide.ts', `import x from '${pkg}';\nexport const y = x;\n`);
    expect(messages).toEqual([expect.stringMatching(/^no-restricted-imports: .*Domain files stay pure/)]);
  });

  it('forbids reading the clock in a model', () => {
    const messages = lint('services/budget/src/budget/model.ts', 'export const now = () => Date.now();\nexport const d = () => new Date();\n');
    expect(messages).toHaveLength(2);
    expect(messages.join('\n')).toMatch(/Time arrives with the command/);
  });

  it('allows the same imports in routes and adapters', () => {
    expect(lint('services/goals/src/goals/routes.ts', "import express from 'express';\nexport const r = express.Router();\n")).toEqual([]);
  });
});
