import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { testCli } from '../../../test/fixtures/cli.ts';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { programCounts, programWithKey, testDeps } from '../../../test/fixtures/programs.ts';
import { ERROR_CODES } from '../../contracts/errors.ts';
import { ImportSummary } from '../../contracts/import-summary.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
const { run } = testCli(deps);
const folder = await mkdtemp(join(tmpdir(), 'narrowcast-import-'));
afterAll(async () => {
  await database.close();
  await rm(folder, { recursive: true, force: true });
});

let programId: string;
let fileNo = 0;
beforeEach(async () => {
  ({ programId } = await programWithKey(deps));
});

/** Writes a fixture file into the temp folder and returns its path. */
async function fixture(name: string, content: string | Buffer): Promise<string> {
  const path = join(folder, `${++fileNo}-${name}`);
  await writeFile(path, content);
  return path;
}

async function importJson(...args: string[]) {
  const result = await run('import', ...args, '--program', programId, '--json');
  expect(result.code, result.stderr).toBe(0);
  return ImportSummary.parse(JSON.parse(result.stdout));
}

async function rejectsOf(path: string): Promise<string[][]> {
  return parse(await readFile(path, 'utf8')) as string[][];
}

const MEMBERS_CSV =
  'id,joinedAt,tier,email\nm1,2024-01-01,gold,ada@example.com\nm2,2024-02-01,,\nm3,2024-03-01T10:00:00Z,silver,\n';

describe('narrowcast import <kind> FILE', () => {
  it('imports a CSV file and prints the summary as JSON', async () => {
    const summary = await importJson('members', await fixture('members.csv', MEMBERS_CSV));
    expect(summary).toMatchObject({
      programId,
      read: 3,
      imported: 3,
      updated: 0,
      duplicate: 0,
      rejected: 0,
      rejectsFile: null,
      byKind: [{ kind: 'members', inserted: 3, updated: 0, duplicate: 0 }],
    });
    expect((await programCounts(deps, programId)).members).toBe(3);
  });

  it('prints a readable summary, and no progress bar when stderr is not a terminal', async () => {
    const file = await fixture('members.csv', MEMBERS_CSV);
    const result = await run('import', 'members', file, '--program', programId);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/read {7}3\n {2}imported {3}3\n/);
    expect(result.stdout).toContain('members: 3 new, 0 updated, 0 duplicate');
  });

  it('counts a re-imported file as duplicates and changes nothing', async () => {
    const file = await fixture('members.csv', MEMBERS_CSV);
    await importJson('members', file);
    const again = await importJson('members', file);
    expect(again).toMatchObject({ read: 3, imported: 0, duplicate: 3 });
    expect((await programCounts(deps, programId)).members).toBe(3);
  });

  it('imports NDJSON, found from the file name, with nested items', async () => {
    await importJson('members', await fixture('members.csv', MEMBERS_CSV));
    const lines = [
      {
        id: 'o1',
        memberId: 'm1',
        occurredAt: '2024-03-01',
        items: [{ sku: 'A', quantity: 2, unitPrice: '1.25' }],
      },
      { id: 'o2', memberId: 'm2', occurredAt: '2024-03-02', amount: 10 },
    ];
    const file = await fixture('purchases.ndjson', `${lines.map((l) => JSON.stringify(l)).join('\n')}\n\n`);
    const summary = await importJson('purchases', file);
    expect(summary).toMatchObject({ read: 2, imported: 2, rejected: 0 });
    expect((await programCounts(deps, programId)).purchase_items).toBe(1);
  });

  it('imports NDJSON from any file name with --format ndjson', async () => {
    const file = await fixture('members.txt', '{"id":"m9","tier":"gold"}\n');
    expect(await importJson('members', file, '--format', 'ndjson')).toMatchObject({ imported: 1 });
  });

  it('imports a gzipped CSV file, whatever its name', async () => {
    const file = await fixture('members.csv.gz', gzipSync(MEMBERS_CSV));
    expect(await importJson('members', file)).toMatchObject({ read: 3, imported: 3 });
    const renamed = await fixture('members-export.dat', gzipSync(MEMBERS_CSV.replace(/^m(\d)/gm, 'n$1')));
    expect(await importJson('members', renamed)).toMatchObject({ read: 3, imported: 3 });
  });

  it('renames and ignores CSV columns with --map', async () => {
    await importJson('members', await fixture('members.csv', MEMBERS_CSV));
    const file = await fixture(
      'points.csv',
      'txn,customer,when,what,amount,branch\nt1,m1,2024-04-01,earn,50,north\nt2,m2,2024-04-02,earn,20,south\n',
    );
    const summary = await importJson(
      'points',
      file,
      '--map',
      'txn=id,customer=memberId,when=occurredAt,what=type,amount=points,branch=',
    );
    expect(summary).toMatchObject({ read: 2, imported: 2 });
    const points = await deps.db
      .selectFrom('points')
      .select(['event_id', 'points'])
      .where('program_id', '=', programId)
      .orderBy('event_id')
      .execute();
    expect(points).toEqual([
      { event_id: 't1', points: 50 },
      { event_id: 't2', points: 20 },
    ]);
  });

  it('refuses a CSV column that matches no field with a usage error naming it, and applies nothing', async () => {
    const file = await fixture('members.csv', 'id,tier,favourite_colour\nm1,gold,red\n');
    const result = await run('import', 'members', file, '--program', programId);
    expect(result.code).toBe(ERROR_CODES.USAGE.exit);
    expect(result.stderr).toMatch(/^error: .*column\(s\) "favourite_colour" match no members field/);
    expect(result.stderr).toContain('--map');
    expect((await programCounts(deps, programId)).members).toBe(0);
  });

  it('refuses a malformed --map with a usage error', async () => {
    const file = await fixture('members.csv', MEMBERS_CSV);
    const result = await run('import', 'members', file, '--program', programId, '--map', 'id');
    expect(result.code).toBe(ERROR_CODES.USAGE.exit);
    expect(result.stderr).toContain('--map expects column=field pairs; got "id"');
  });

  describe('with bad rows', () => {
    const BAD_CSV =
      'id,joinedAt,tier,email\n' +
      'm1,2024-01-01,gold,ada@example.com\n' +
      'm2,2024-02-30,,\n' +
      'm3,2024-03-01,,\n' +
      'm4,2024-03-01,,not-an-email\n' +
      'm5,2024-03-01,,\n';

    it('aborts at the first bad row with --max-errors 0, applies nothing and lists the row, column and reason', async () => {
      const file = await fixture('members.csv', BAD_CSV);
      const rejects = join(folder, `${fileNo}-rejects.csv`);
      const result = await run(
        'import',
        'members',
        file,
        '--program',
        programId,
        '--max-errors',
        '0',
        '--rejects',
        rejects,
      );
      expect(result.code).toBe(ERROR_CODES.INVALID_INPUT.exit);
      expect(result.stderr).toMatch(/^error: row 3, column joinedAt: must be an ISO 8601 date/);
      expect(result.stderr).toContain('nothing from');
      expect(result.stdout).toBe('');
      expect((await programCounts(deps, programId)).members).toBe(0);
      const rows = await rejectsOf(rejects);
      expect(rows[0]).toEqual(['row', 'column', 'reason']);
      expect(rows.slice(1).map(([row, column]) => [row, column])).toEqual([['3', 'joinedAt']]);
    });

    it('aborts by default, as if --max-errors were 0', async () => {
      const file = await fixture('members.csv', BAD_CSV);
      const result = await run(
        'import',
        'members',
        file,
        '--program',
        programId,
        '--rejects',
        join(folder, `${fileNo}-r.csv`),
      );
      expect(result.code).toBe(ERROR_CODES.INVALID_INPUT.exit);
      expect((await programCounts(deps, programId)).members).toBe(0);
    });

    it('commits the good rows with --max-errors 2 and lists each refused row', async () => {
      const file = await fixture('members.csv', BAD_CSV);
      const rejects = join(folder, `${fileNo}-rejects.csv`);
      const summary = await importJson('members', file, '--max-errors', '2', '--rejects', rejects);
      expect(summary).toMatchObject({ read: 5, imported: 3, rejected: 2, rejectsFile: rejects });
      expect((await programCounts(deps, programId)).members).toBe(3);
      const rows = await rejectsOf(rejects);
      expect(rows).toEqual([
        ['row', 'column', 'reason'],
        ['3', 'joinedAt', expect.stringContaining('must be an ISO 8601 date')],
        ['5', 'email', 'must be an email address'],
      ]);
    });

    it('aborts with --max-errors 1 when two rows are bad, and applies nothing', async () => {
      const file = await fixture('members.csv', BAD_CSV);
      const rejects = join(folder, `${fileNo}-rejects.csv`);
      const result = await run(
        'import',
        'members',
        file,
        '--program',
        programId,
        '--max-errors',
        '1',
        '--rejects',
        rejects,
      );
      expect(result.code).toBe(ERROR_CODES.INVALID_INPUT.exit);
      expect((await programCounts(deps, programId)).members).toBe(0);
      expect((await rejectsOf(rejects)).length).toBe(3);
    });

    it('lists NDJSON lines that are not JSON, or name an unknown member, by line number', async () => {
      await importJson('members', await fixture('members.csv', MEMBERS_CSV));
      const file = await fixture(
        'engagement.ndjson',
        [
          '{"id":"e1","memberId":"m1","occurredAt":"2024-04-01","kind":"review"}',
          '{"id":"e2", oops',
          '{"id":"e3","memberId":"ghost","occurredAt":"2024-04-01","kind":"share"}',
          '{"id":"e4","memberId":"m2","occurredAt":"2024-04-01","kind":"dance"}',
        ].join('\n'),
      );
      const rejects = join(folder, `${fileNo}-rejects.csv`);
      const summary = await importJson('engagement', file, '--max-errors', '5', '--rejects', rejects);
      expect(summary).toMatchObject({ read: 4, imported: 1, rejected: 3 });
      const rows = (await rejectsOf(rejects)).slice(1).map(([row, column]) => [row, column]);
      expect(rows.sort()).toEqual([
        ['2', '(line)'],
        ['3', 'memberId'],
        ['4', 'kind'],
      ]);
    });

    it('refuses a CSV row with the wrong number of fields, naming the row', async () => {
      const file = await fixture('members.csv', 'id,tier\nm1,gold\nm2,gold,extra\n');
      const rejects = join(folder, `${fileNo}-rejects.csv`);
      const result = await run('import', 'members', file, '--program', programId, '--rejects', rejects);
      expect(result.code).toBe(ERROR_CODES.INVALID_INPUT.exit);
      expect(result.stderr).toContain('row 3, column (row): has 3 fields; the header has 2');
    });
  });

  it('exits with the not-found code for a file that does not exist', async () => {
    const result = await run('import', 'members', join(folder, 'missing.csv'), '--program', programId);
    expect(result.code).toBe(ERROR_CODES.FILE_UNREADABLE.exit);
    expect(result.stderr).toMatch(/^error: cannot read .*missing\.csv/);
  });

  it('exits with the not-found code for a program that does not exist', async () => {
    const file = await fixture('members.csv', MEMBERS_CSV);
    const result = await run('import', 'members', file, '--program', 'no-such-program');
    expect(result.code).toBe(ERROR_CODES.NOT_FOUND.exit);
    expect(result.stderr).toContain('narrowcast init --program no-such-program');
  });

  it('refuses an unknown record kind, format or --max-errors with a usage error', async () => {
    const file = await fixture('members.csv', MEMBERS_CSV);
    for (const [args, message] of [
      [['orders', file], 'cannot import "orders"; choose one of members,'],
      [['members', file, '--format', 'xml'], '--format must be csv or ndjson'],
      [['members', file, '--max-errors', 'many'], '--max-errors must be a whole number'],
      [['members', file, '--max-errors', '-1'], '--max-errors must be a whole number'],
    ] as const) {
      const result = await run('import', ...args, '--program', programId);
      expect(result.code, args.join(' ')).toBe(ERROR_CODES.USAGE.exit);
      expect(result.stderr).toContain(message);
    }
    expect((await programCounts(deps, programId)).members).toBe(0);
  });
});
