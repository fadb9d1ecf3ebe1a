import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { testCli } from '../../../test/fixtures/cli.ts';
import { freshProgramId, openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { seedMembers, seedMemberships, seedTransitions } from '../../../test/fixtures/segment-seed.ts';
import { ERROR_CODES } from '../../contracts/errors.ts';
import {
  SegmentDetail,
  SegmentList,
  SegmentMembersPage,
  SegmentMigration,
  SegmentOverlap,
  SegmentSizeSeries,
} from '../../contracts/segments.ts';
import { createProgram } from '../../services/create-program.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
const dir = await mkdtemp(join(tmpdir(), 'narrowcast-segments-'));
afterAll(async () => {
  await database.close();
  await rm(dir, { recursive: true, force: true });
});
const { run } = testCli(deps);

async function newProgram() {
  const programId = freshProgramId('cli');
  await createProgram(deps, { programId });
  return programId;
}

const rule = JSON.stringify({ feature: 'monetary_total', op: 'gte', value: 500 });

describe('narrowcast segments create/update/delete/show', () => {
  it('defines a segment from inline JSON, changes it from a file, and deletes it, keeping every version', async () => {
    const programId = await newProgram();
    const created = await run(
      'segments',
      'create',
      '--program',
      programId,
      '--scheme',
      'targets',
      '--name',
      'big',
      '--label',
      'Big',
      '--rule',
      rule,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created segment targets/big "Big": version 1');

    const file = join(dir, `${programId}-rule.json`);
    await writeFile(file, JSON.stringify({ all: [{ feature: 'frequency_orders', op: 'gte', value: 3 }] }));
    const updated = await run(
      'segments',
      'update',
      'big',
      '--program',
      programId,
      '--scheme',
      'targets',
      '--rule',
      file,
      '--json',
    );
    expect(SegmentDetail.parse(JSON.parse(updated.stdout)).latest.version).toBe(2);

    const deleted = await run(
      'segments',
      'delete',
      'big',
      '--program',
      programId,
      '--scheme',
      'targets',
      '--json',
    );
    expect(SegmentDetail.parse(JSON.parse(deleted.stdout)).latest).toMatchObject({
      version: 2,
      deleted: true,
    });
    const shown = await run(
      'segments',
      'show',
      'big',
      '--program',
      programId,
      '--scheme',
      'targets',
      '--json',
    );
    expect(SegmentDetail.parse(JSON.parse(shown.stdout)).versions.map((v) => v.version)).toEqual([2, 1]);
  });

  it('exits 65 naming the JSON path of a bad rule', async () => {
    const programId = await newProgram();
    const result = await run(
      'segments',
      'create',
      '--program',
      programId,
      '--scheme',
      'targets',
      '--name',
      'big',
      '--label',
      'Big',
      '--rule',
      '{"feature": "monetary_total", "op": "gte", "value": "lots"}',
    );
    expect(result.code).toBe(ERROR_CODES.INVALID_INPUT.exit);
    expect(result.stderr).toMatch(/^error: the segment rule is invalid at rule\.value: /);
  });

  it('exits 66 for a rule file that cannot be read and 64 for JSON that does not parse', async () => {
    const programId = await newProgram();
    const base = [
      'segments',
      'create',
      '--program',
      programId,
      '--scheme',
      's',
      '--name',
      'n',
      '--label',
      'L',
      '--rule',
    ];
    expect((await run(...base, join(dir, 'missing.json'))).code).toBe(ERROR_CODES.FILE_UNREADABLE.exit);
    expect((await run(...base, '{"feature": ')).code).toBe(ERROR_CODES.USAGE.exit);
  });

  it('sets thresholds from a file and refuses an unknown key with its path', async () => {
    const programId = await newProgram();
    const ok = await run(
      'segments',
      'thresholds',
      'set',
      '--program',
      programId,
      '--file',
      '{"lifecycle": {"activeWithinDays": 60}}',
      '--json',
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).effective.lifecycle.activeWithinDays).toBe(60);
    const bad = await run(
      'segments',
      'thresholds',
      'set',
      '--program',
      programId,
      '--file',
      '{"lifecycle": {"activeDays": 60}}',
    );
    expect(bad.code).toBe(ERROR_CODES.INVALID_INPUT.exit);
    expect(bad.stderr).toContain('lifecycle.activeDays');
    const shown = await run('segments', 'thresholds', 'show', '--program', programId, '--json');
    expect(JSON.parse(shown.stdout).overrides).toEqual({ lifecycle: { activeWithinDays: 60 } });
  });
});

describe('narrowcast segments reads', () => {
  async function seeded() {
    const programId = await newProgram();
    const ids = await seedMembers(deps, programId, 3);
    await seedMemberships(deps, programId, 'loyalty', 'vips', ids);
    await seedMemberships(deps, programId, 'lifecycle', 'active', ids.slice(0, 2));
    await seedTransitions(
      deps,
      programId,
      ids.map((memberId) => ({
        memberId,
        scheme: 'loyalty',
        segment: 'vips',
        change: 'entered' as const,
        at: new Date('2024-05-01'),
      })),
    );
    await deps.db
      .insertInto('segment_sizes')
      .values({
        program_id: programId,
        scheme: 'loyalty',
        segment: 'vips',
        as_of: new Date('2024-05-02'),
        size: 3,
      })
      .execute();
    return programId;
  }

  it('lists segments, pages members, and answers migration, overlap and sizes as JSON', async () => {
    const programId = await seeded();
    const list = SegmentList.parse(
      JSON.parse((await run('segments', 'list', '--program', programId, '--json')).stdout),
    );
    expect(list.segments.find((s) => s.scheme === 'loyalty' && s.name === 'vips')).toMatchObject({
      size: 3,
      version: 'built-in',
    });

    const page = SegmentMembersPage.parse(
      JSON.parse(
        (await run('segments', 'members', 'vips', '--program', programId, '--limit', '2', '--json')).stdout,
      ),
    );
    expect(page.members.map((m) => m.memberId)).toEqual(['m1', 'm2']);
    expect(page.nextCursor).not.toBeNull();

    const migration = SegmentMigration.parse(
      JSON.parse(
        (
          await run(
            'segments',
            'migration',
            '--program',
            programId,
            '--from',
            '2024-04-01',
            '--to',
            '2024-06-01',
            '--json',
          )
        ).stdout,
      ),
    );
    expect(migration.schemes[0]?.cells).toEqual([{ from: 'none', to: 'vips', members: 3 }]);

    const overlap = SegmentOverlap.parse(
      JSON.parse(
        (await run('segments', 'overlap', 'vips', 'lifecycle/active', '--program', programId, '--json'))
          .stdout,
      ),
    );
    expect(overlap).toMatchObject({ intersection: 2, union: 3 });

    const sizes = SegmentSizeSeries.parse(
      JSON.parse(
        (await run('segments', 'sizes', '--program', programId, '--scheme', 'loyalty', '--json')).stdout,
      ),
    );
    expect(sizes.series).toHaveLength(1);
  });

  it('exports to a file or standard output', async () => {
    const programId = await seeded();
    const out = join(dir, `${programId}.csv`);
    const toFile = await run(
      'segments',
      'export',
      'active',
      '--program',
      programId,
      '--scheme',
      'lifecycle',
      '--out',
      out,
    );
    expect(toFile.code, toFile.stderr).toBe(0);
    const rows = parse(await readFile(out, 'utf8'), { columns: true }) as { memberId: string }[];
    expect(rows.map((r) => r.memberId)).toEqual(['m1', 'm2']);
    const toStdout = await run(
      'segments',
      'export',
      'loyalty/vips',
      '--program',
      programId,
      '--format',
      'ndjson',
    );
    expect(
      toStdout.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).memberId),
    ).toEqual(['m1', 'm2', 'm3']);
  });

  it('asks for the scheme of a name found in several, and refuses an unknown format', async () => {
    const programId = await seeded();
    const ambiguous = await run('segments', 'members', 'new', '--program', programId);
    expect(ambiguous.code).toBe(ERROR_CODES.USAGE.exit);
    expect(ambiguous.stderr).toContain('--scheme');
    const format = await run('segments', 'export', 'vips', '--program', programId, '--format', 'xml');
    expect(format.code).toBe(ERROR_CODES.USAGE.exit);
  });
});
