import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COFFEE_QUIZ, PLEDGE } from '../../../test/browser/preference-fixtures.ts';
import { testCli } from '../../../test/fixtures/cli.ts';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { programWithKey, testDeps } from '../../../test/fixtures/programs.ts';
import { ERROR_CODES } from '../../contracts/errors.ts';
import { DEFAULT_PREFERENCE_CONFIG } from '../../domain/preferences/default-config.ts';
import { createApp } from '../../http/app.ts';
import { ingestBatch } from '../../services/ingest-batch.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const { run } = testCli(deps, { port: 8080 });
const app = createApp(deps);

const jsonFile = (name: string, value: unknown) => {
  const file = join(tmpdir(), `narrowcast-${process.pid}-${name}.json`);
  writeFileSync(file, JSON.stringify(value));
  return file;
};

async function programWithMember() {
  const { programId } = await programWithKey(deps);
  await ingestBatch(deps, { programId, kind: 'members', records: [{ id: 'M1' }] });
  return programId;
}

describe('narrowcast members link', () => {
  it("prints a link to the member's page that opens it, valid for the program's default 30 days", async () => {
    const programId = await programWithMember();
    const result = await run('members', 'link', 'M1', '--program', programId);
    expect(result.code).toBe(0);
    const url = new URL(result.stdout.trim());
    expect(url.origin).toBe('http://127.0.0.1:8080');
    expect((await app.request(url.pathname)).status).toBe(200);
    const json = JSON.parse(
      (
        await run(
          'members',
          'link',
          'M1',
          '--program',
          programId,
          '--json',
          '--ttl-days',
          '2',
          '--base-url',
          'https://prefs.example.com',
        )
      ).stdout,
    );
    expect(json).toMatchObject({ programId, memberId: 'M1', expiresAt: '2024-06-03T00:00:00.000Z' });
    expect(json.url).toBe(`https://prefs.example.com${json.path}`);
  });

  it('exits with the usage code for a bad lifetime and the not-found code for an unknown member', async () => {
    const programId = await programWithMember();
    expect((await run('members', 'link', 'M1', '--program', programId, '--ttl-days', '0')).code).toBe(
      ERROR_CODES.USAGE.exit,
    );
    expect((await run('members', 'link', 'M1', '--program', programId, '--ttl-days', 'soon')).code).toBe(
      ERROR_CODES.USAGE.exit,
    );
    const missing = await run('members', 'link', 'nobody', '--program', programId);
    expect(missing.code).toBe(ERROR_CODES.NOT_FOUND.exit);
    expect(missing.stderr).toContain('"nobody"');
  });
});

describe('narrowcast preferences', () => {
  it('shows the default, stores a configuration file, and shows what it stored', async () => {
    const { programId } = await programWithKey(deps);
    expect(JSON.parse((await run('preferences', 'show', '--program', programId, '--json')).stdout)).toEqual(
      DEFAULT_PREFERENCE_CONFIG,
    );
    const config = { ...DEFAULT_PREFERENCE_CONFIG, birthday: { enabled: false, points: 0 } };
    const stored = await run('preferences', 'configure', jsonFile('config', config), '--program', programId);
    expect(stored).toMatchObject({
      code: 0,
      stdout: `Configured the preference centre of "${programId}".\n`,
    });
    const shown = await run('preferences', 'show', '--program', programId);
    expect(shown.stdout).toContain('birthday: off');
    expect(shown.stdout).toContain('complete profile: 250 points');
  });

  it('refuses an invalid file, and one that cannot be read, with the matching exit codes', async () => {
    const { programId } = await programWithKey(deps);
    const invalid = await run(
      'preferences',
      'configure',
      jsonFile('bad', { title: 'x' }),
      '--program',
      programId,
    );
    expect(invalid.code).toBe(ERROR_CODES.INVALID_INPUT.exit);
    expect(invalid.stderr).toContain('interests');
    expect((await run('preferences', 'configure', '/nonexistent.json', '--program', programId)).code).toBe(
      ERROR_CODES.FILE_UNREADABLE.exit,
    );
  });
});

describe('narrowcast quizzes', () => {
  it('puts, lists, shows and archives quizzes, polls and challenges', async () => {
    const { programId } = await programWithKey(deps);
    expect((await run('quizzes', 'put', jsonFile('pledge', PLEDGE), '--program', programId)).stdout).toBe(
      'Created challenge "pledge".\n',
    );
    expect((await run('quizzes', 'put', jsonFile('pledge', PLEDGE), '--program', programId)).stdout).toBe(
      'Replaced challenge "pledge".\n',
    );
    await run('quizzes', 'put', jsonFile('coffee', COFFEE_QUIZ), '--program', programId);
    const shown = await run('quizzes', 'show', 'pledge', '--program', programId);
    expect(shown.stdout).toContain('pledged: I take the pledge -> Eco-Allies');
    expect(shown.stdout).toContain('[challenge.pledge]');
    expect((await run('quizzes', 'archive', 'pledge', '--program', programId)).stdout).toBe(
      'Archived challenge "pledge".\n',
    );
    const listed = JSON.parse((await run('quizzes', 'list', '--program', programId, '--json')).stdout);
    expect(listed.quizzes.map((q: { id: string }) => q.id)).toEqual(['coffee_style']);
    const all = await run('quizzes', 'list', '--all', '--program', programId);
    expect(all.stdout).toContain('(100 points, archived)');
  });

  it('refuses an invalid quiz naming the field, and an unknown one with the not-found code', async () => {
    const { programId } = await programWithKey(deps);
    const bad = await run(
      'quizzes',
      'put',
      jsonFile('badquiz', { ...PLEDGE, questions: [] }),
      '--program',
      programId,
    );
    expect(bad.code).toBe(ERROR_CODES.INVALID_INPUT.exit);
    expect(bad.stderr).toContain('questions');
    expect((await run('quizzes', 'show', 'nope', '--program', programId)).code).toBe(
      ERROR_CODES.NOT_FOUND.exit,
    );
  });
});
