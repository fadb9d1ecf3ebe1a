import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportSummary } from '../src/contracts/import-summary.ts';
import { decimalToUnits, unitsToDecimal } from '../src/contracts/scalars.ts';
import { type Database, openDatabase } from '../src/db/database.ts';
import { freshProgramId, openTestDatabase } from './fixtures/database.ts';

// Kills the real command line with SIGKILL while it imports a large purchases file, then checks
// that the database holds all of the file or none of it, and that running the same import again
// stores every row exactly once. Runs against the engine under test: a temporary embedded data
// folder, or the PostgreSQL server of NARROWCAST_TEST_DATABASE_URL.

const REPO = resolve(import.meta.dirname, '..');
const SERVER_URL = process.env.NARROWCAST_TEST_DATABASE_URL;
const MEMBERS = 20_000;
const PURCHASES = 40_000;
/** Every this many purchases carries items (as a JSON cell) instead of an amount. */
const ITEMS_EVERY = 10;
/** How far into the file (share of its bytes read) each killed run gets. */
const KILL_AT = [between(0.3, 0.8), between(0.3, 0.8)];

// The child's read offset in the file tells how far the import is; Linux exposes it in /proc.
const CAN_WATCH = existsSync('/proc/self/fdinfo');

function between(low: number, high: number): number {
  return low + Math.random() * (high - low);
}

interface Dataset {
  dir: string;
  membersFile: string;
  purchasesFile: string;
  purchasesBytes: number;
  items: number;
  /** Sum of the purchases' amounts in 1/10,000ths. */
  amountUnits: bigint;
}

function writeDataset(dir: string): Dataset {
  const members = ['id,joinedAt,region'];
  for (let i = 0; i < MEMBERS; i++) {
    members.push(
      `m${i},2023-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')},r${i % 7}`,
    );
  }
  const purchases = ['id,memberId,occurredAt,amount,items'];
  let items = 0;
  let amountUnits = 0n;
  for (let i = 0; i < PURCHASES; i++) {
    const member = `m${(i * 7919) % MEMBERS}`;
    const at = `2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`;
    if (i % ITEMS_EVERY === 0) {
      const lines = [
        { sku: `s${i % 97}`, quantity: 1 + (i % 3), unitPrice: `${i % 50}.25` },
        { sku: 'POST', quantity: 1, unitPrice: '3.5', merchandise: false },
      ];
      items += lines.length;
      for (const line of lines) amountUnits += BigInt(line.quantity) * decimalToUnits(line.unitPrice);
      purchases.push(`p${i},${member},${at},,"${JSON.stringify(lines).replaceAll('"', '""')}"`);
    } else {
      const amount = `${i % 1000}.${String(i % 100).padStart(2, '0')}`;
      amountUnits += decimalToUnits(amount);
      purchases.push(`p${i},${member},${at},${amount},`);
    }
  }
  const membersFile = join(dir, 'members.csv');
  const purchasesFile = join(dir, 'purchases.csv');
  writeFileSync(membersFile, `${members.join('\n')}\n`);
  const text = `${purchases.join('\n')}\n`;
  writeFileSync(purchasesFile, text);
  return { dir, membersFile, purchasesFile, purchasesBytes: Buffer.byteLength(text), items, amountUnits };
}

/** Children still running: killed when the suite ends, so a timed-out test leaves no import behind. */
const children = new Set<ChildProcess>();

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Share of the watched file read when the run was killed. */
  killedAt?: number;
}

/** Runs `narrowcast` as a child process; with `kill`, sends SIGKILL once the child has read that share of `watch`. */
function narrowcast(
  target: string[],
  args: string[],
  kill?: { watch: string; bytes: number; at: number },
): Promise<Run> {
  // The child must use the engine named on its command line, whatever this environment says.
  const env = { ...process.env, DATABASE_URL: '', NARROWCAST_DATA_DIR: '' };
  const child = spawn(process.execPath, ['bin/narrowcast.mjs', ...target, ...args], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const run: Run = { code: null, signal: null, stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    run.stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    run.stderr += chunk.toString();
  });
  const watcher = kill ? watchAndKill(child, kill, run) : undefined;
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => {
      children.delete(child);
      if (watcher) clearInterval(watcher);
      run.code = code;
      run.signal = signal;
      done(run);
    });
  });
}

function watchAndKill(
  child: ChildProcess,
  { watch, bytes, at }: { watch: string; bytes: number; at: number },
  run: Run,
): NodeJS.Timeout {
  // The import opens the file twice: once to read its first bytes (a positional read, which
  // leaves the descriptor's offset at 0) and then to stream it. Every descriptor on the file is
  // looked up on each tick rather than remembering the first one found: that first one may be the
  // short-lived probe, and its number is not necessarily reused by the stream.
  let streamed = false;
  const timer = setInterval(() => {
    const pid = child.pid;
    if (pid === undefined || child.exitCode !== null) return;
    const offsets = readOffsets(pid, watch);
    if (offsets === undefined) return;
    const pos = Math.max(-1, ...offsets);
    if (pos > 0) streamed = true;
    if (pos >= 0 && pos / bytes >= at) run.killedAt = pos / bytes;
    // No descriptor left after the stream was seen: the child has read all of the file.
    else if (pos < 0 && streamed) run.killedAt = 1;
    else return;
    clearInterval(timer);
    child.kill('SIGKILL');
  }, 10);
  return timer;
}

/** Offsets of the process's open descriptors on `file`; undefined when the process is gone. */
function readOffsets(pid: number, file: string): number[] | undefined {
  let names: string[];
  try {
    names = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  const offsets: number[] = [];
  for (const name of names) {
    if (safeReadlink(`/proc/${pid}/fd/${name}`) !== file) continue;
    try {
      const pos = /^pos:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${name}`, 'utf8'))?.[1];
      if (pos !== undefined) offsets.push(Number(pos));
    } catch {
      // Closed between the listing and this read.
    }
  }
  return offsets;
}

function safeReadlink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

interface Stored {
  members: number;
  purchases: number;
  distinctEvents: number;
  items: number;
  amount: string;
}

async function storedIn(database: Database, programId: string): Promise<Stored> {
  const { db } = database;
  const members = await db
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('program_id', '=', programId)
    .executeTakeFirstOrThrow();
  const purchases = await db
    .selectFrom('purchases')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      sql<number>`count(DISTINCT event_id)`.as('distinct_events'),
      sql<string>`COALESCE(sum(amount), 0)::text`.as('amount'),
    ])
    .where('program_id', '=', programId)
    .executeTakeFirstOrThrow();
  const items = await db
    .selectFrom('purchase_items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('program_id', '=', programId)
    .executeTakeFirstOrThrow();
  return {
    members: Number(members.n),
    purchases: Number(purchases.n),
    distinctEvents: Number(purchases.distinct_events),
    items: Number(items.n),
    amount: unitsToDecimal(decimalToUnits(purchases.amount)),
  };
}

describe.skipIf(!CAN_WATCH)('a purchases import killed with SIGKILL', () => {
  const programId = freshProgramId('crash');
  let data: Dataset;
  let target: string[];
  let dataDir: string | undefined;

  /** Opens the engine under test in this process, as the next Narrowcast process would. */
  async function inspect(): Promise<Stored> {
    const database = dataDir ? await openDatabase({ dataDir }) : await openTestDatabase();
    try {
      return await storedIn(database, programId);
    } finally {
      await database.close();
    }
  }

  async function importPurchases(kill?: number): Promise<Run> {
    const args = ['import', 'purchases', data.purchasesFile, '--json'];
    const watch =
      kill === undefined ? undefined : { watch: data.purchasesFile, bytes: data.purchasesBytes, at: kill };
    return narrowcast(target, args, watch);
  }

  beforeAll(async () => {
    data = writeDataset(mkdtempSync(join(tmpdir(), 'narrowcast-crash-')));
    if (SERVER_URL) target = ['--database-url', SERVER_URL, '--program', programId];
    else {
      dataDir = join(data.dir, 'data');
      target = ['--data-dir', dataDir, '--program', programId];
    }
    const init = await narrowcast(target, ['init', '--currency', 'GBP']);
    expect(init.stderr).toBe('');
    const members = await narrowcast(target, ['import', 'members', data.membersFile, '--json']);
    expect(members.stderr).toBe('');
    expect((JSON.parse(members.stdout) as ImportSummary).imported).toBe(MEMBERS);
  }, 300_000);

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    if (data) rmSync(data.dir, { recursive: true, force: true });
  });

  it.each(KILL_AT.map((at, i) => [i + 1, at] as const))(
    'stores none of the file when killed part-way through (kill %i, at %f of the file read)',
    async (_, at) => {
      const run = await importPurchases(at);
      expect(run.signal, `the import ended by itself: ${run.stderr}`).toBe('SIGKILL');
      expect(run.killedAt).toBeGreaterThanOrEqual(at);
      expect(run.killedAt).toBeLessThan(1);
      // Opening the data folder right away works: the lock of the killed process is reclaimed.
      const stored = await inspect();
      expect(stored).toEqual({
        members: MEMBERS,
        purchases: 0,
        distinctEvents: 0,
        items: 0,
        amount: '0.0000',
      });
    },
    300_000,
  );

  it('stores all of the file or none of it when killed as the last rows are written', async () => {
    const run = await importPurchases(1);
    const stored = await inspect();
    expect([0, PURCHASES]).toContain(stored.purchases);
    expect(stored.distinctEvents).toBe(stored.purchases);
    expect(stored.items).toBe(stored.purchases === 0 ? 0 : data.items);
    if (run.signal !== 'SIGKILL') expect(run.code).toBe(0);
  }, 300_000);

  it('stores every row exactly once when the same import is run again to completion', async () => {
    const run = await importPurchases();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as ImportSummary;
    expect(summary.read).toBe(PURCHASES);
    expect(summary.rejected).toBe(0);
    expect(summary.imported + summary.duplicate).toBe(PURCHASES);
    expect(await inspect()).toEqual({
      members: MEMBERS,
      purchases: PURCHASES,
      distinctEvents: PURCHASES,
      items: data.items,
      amount: unitsToDecimal(data.amountUnits),
    });
  }, 300_000);

  it('reports every row as a duplicate and changes nothing when the completed import is run again', async () => {
    const run = await importPurchases();
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as ImportSummary;
    expect(summary).toMatchObject({ read: PURCHASES, imported: 0, duplicate: PURCHASES, rejected: 0 });
    const stored = await inspect();
    expect(stored.purchases).toBe(PURCHASES);
    expect(stored.distinctEvents).toBe(PURCHASES);
  }, 300_000);
});
