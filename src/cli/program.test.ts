import { afterAll, describe, expect, it } from 'vitest';
import { testCli } from '../../test/fixtures/cli.ts';
import { freshProgramId, openTestDatabase } from '../../test/fixtures/database.ts';
import { testDeps } from '../../test/fixtures/programs.ts';
import { AppError, ERROR_CODES } from '../contracts/errors.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const { run } = testCli(deps);

describe('the narrowcast command line', () => {
  it('prints help on stdout and exits 0', async () => {
    const result = await run('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: narrowcast');
    for (const command of ['init', 'keys', 'import', 'members', 'demo', 'serve'])
      expect(result.stdout).toContain(command);
  });

  it('prints help of a nested command and exits 0', async () => {
    const result = await run('keys', 'create', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--scopes <list>');
  });

  it('exits with the usage code for an unknown command or option', async () => {
    const unknown = await run('frobnicate');
    expect(unknown.code).toBe(ERROR_CODES.USAGE.exit);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const option = await run('members', 'show', 'm1', '--colour');
    expect(option.code).toBe(ERROR_CODES.USAGE.exit);
    expect(option.stderr).toContain("unknown option '--colour'");
  });

  it('exits with the usage code when no command is given', async () => {
    const result = await run();
    expect(result.code).toBe(ERROR_CODES.USAGE.exit);
    expect(result.stderr).toContain('Usage: narrowcast');
  });

  it('exits with the code ERROR_CODES gives each failure', async () => {
    const programId = freshProgramId();
    expect((await run('init', '--program', programId)).code).toBe(0);
    expect((await run('init', '--program', programId)).code).toBe(ERROR_CODES.USAGE.exit);
    expect((await run('members', 'show', 'nobody', '--program', programId)).code).toBe(
      ERROR_CODES.NOT_FOUND.exit,
    );
    expect((await run('import', 'members', '/nonexistent/file.csv', '--program', programId)).code).toBe(
      ERROR_CODES.FILE_UNREADABLE.exit,
    );
    const locked = testCli(deps, {}, async () => {
      throw new AppError('DATA_DIR_LOCKED', 'the data folder is in use by another Narrowcast process');
    });
    const result = await locked.run('members', 'show', 'm1');
    expect(result).toEqual({
      code: ERROR_CODES.DATA_DIR_LOCKED.exit,
      stdout: '',
      stderr: 'error: the data folder is in use by another Narrowcast process\n',
    });
  });

  it('prints an unexpected failure as one line and exits with the internal code', async () => {
    const broken = testCli(deps, {}, async () => {
      throw new TypeError('connection reset by peer');
    });
    const result = await broken.run('members', 'show', 'm1', '--program', 'p');
    expect(result.code).toBe(ERROR_CODES.INTERNAL.exit);
    expect(result.stderr).toBe('error: unexpected TypeError: connection reset by peer\n');
  });

  it('acts on the configured program when --program is not given', async () => {
    const programId = freshProgramId();
    const configured = testCli(deps, { program: programId });
    expect((await configured.run('init', '--json')).stdout).toContain(programId);
    const result = await configured.run('members', 'show', 'm1');
    expect(result.stderr).toContain(`in program "${programId}"`);
  });
});
