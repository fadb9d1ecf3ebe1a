// Campaign launch and delivery at scale, on PostgreSQL:
//   (a) launch of a campaign to the whole audience (every lifecycle segment) and to one segment
//       (loyalty/points_savers): audience read, governance + assignment, render, decisions + outbox
//       write, with the time of each phase;
//   (b) delivery throughput: N queued emails sent by the delivery loop to a local SMTP peer (the
//       smtp-server package, as in the tests).
//
//   node bin/run-ts.mjs bench/campaigns.ts [--members 1000000] [--seed-members 5000]
//        [--seed-program ID] [--deliver 20000] [--database-url postgres://postgres@127.0.0.1:5432/narrowcast_bench_campaigns]
//        [--skip-launch] [--skip-segment] [--with-purchases]
//
// The program is built once (see bench/campaign-program.ts for exactly how) and reused; each run
// launches fresh campaigns and deletes their decisions and outbox rows at the end.
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';

import { openDatabase } from '../src/db/database.ts';
import { approveCampaign } from '../src/services/campaigns/approve-campaign.ts';
import { createCampaign } from '../src/services/campaigns/create-campaign.ts';
import { launchCampaign } from '../src/services/campaigns/launch-campaign.ts';
import type { PlanTimings } from '../src/services/campaigns/plan-campaign.ts';
import { runDeliveryLoop } from '../src/services/campaigns/run-delivery-loop.ts';
import { createSmtpEmailSender } from '../src/services/campaigns/smtp-email-sender.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { ensureBenchProgram } from './campaign-program.ts';
import { ensureDatabase } from './ensure-database.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '1000000' },
    'seed-members': { type: 'string', default: '5000' },
    deliver: { type: 'string', default: '20000' },
    'database-url': {
      type: 'string',
      default: 'postgres://postgres@127.0.0.1:5432/narrowcast_bench_campaigns',
    },
    program: { type: 'string', default: 'bench-campaigns' },
    'seed-program': { type: 'string' },
    'skip-launch': { type: 'boolean', default: false },
    'skip-segment': { type: 'boolean', default: false },
    /** Copy purchases into the program and print {{ last.product }} in the messages. */
    'with-purchases': { type: 'boolean', default: false },
  },
});
const MEMBERS = Number(values.members);
const DELIVER = Number(values.deliver);
const URL_ = values['database-url'];
const PROGRAM = `${values.program}-${MEMBERS}`;
/** The demo is generated on the bench date; campaigns launch the next morning (UTC). */
const GENERATED = new Date('2026-11-22T00:00:00Z');
const LAUNCH_AT = new Date('2026-11-23T10:00:00Z');

const log = (text: string) => process.stdout.write(`${text}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

await ensureDatabase(URL_);
const database = await openDatabase({ url: URL_ }, { poolSize: 8 });
let clock = GENERATED;
const deps: Deps = { db: database.db, clock: () => clock, log: silentLog };
log(`Narrowcast campaigns bench: ${MEMBERS.toLocaleString('en')} members, PostgreSQL ${URL_}`);
const present = await ensureBenchProgram(database, deps, {
  programId: PROGRAM,
  seedId: values['seed-program'] ?? `${values.program}-seed-${values['seed-members']}`,
  members: MEMBERS,
  seedMembers: Number(values['seed-members']),
  withPurchases: values['with-purchases'],
  now: GENERATED,
  log,
});
log(`program ${PROGRAM}: ${present.toLocaleString('en')} members`);

const message = (label: string) => ({
  subject: `{{ member.first_name }}, ${label}`,
  body:
    'You have {{ points.balance }} points, {{ points.to_next_reward }} from your next reward. ' +
    (values['with-purchases'] ? 'Last time you enjoyed {{ last.product }}. ' : '') +
    'Use {{ offer.code }} for 200 bonus points, {{ member.tier }} member.',
  defaults: {
    'member.first_name': 'Hello',
    'last.product': 'our coffee',
    'points.to_next_reward': 'not far',
  },
});
const definition = (name: string, segments: string[]) => ({
  name,
  goal: 'redeem',
  audience: { segments },
  offer: { kind: 'bonus_points', value: 200, unitCost: '0.50', code: 'BONUS200' },
  channels: ['email'],
  holdout: 0.1,
  variants: [
    { name: 'a', weight: 1, messages: { email: message('a treat for you') } },
    { name: 'b', weight: 1, messages: { email: message('your points are waiting') } },
  ],
});
const WHOLE = ['new', 'active', 'at_risk', 'lapsed', 'churned', 'prospect'].map((s) => `lifecycle/${s}`);

async function cleanUp(name: string) {
  await sql`DELETE FROM outbox WHERE program_id = ${PROGRAM} AND campaign = ${name}`.execute(database.db);
  // The bench's own campaigns only: their kept touches (and snapshots) go with their decisions.
  for (const table of ['campaign_decisions', 'campaign_touches']) {
    await sql`DELETE FROM ${sql.table(table)} WHERE program_id = ${PROGRAM} AND campaign = ${name}`.execute(
      database.db,
    );
  }
}

/**
 * Clears the dead rows earlier runs' clean-up left behind, as autovacuum would between launches on a
 * production server (it is off on the server this bench was first run on, and every run deletes
 * a million decisions): each launch then starts from the same state instead of inserting through
 * indexes full of dead entries. The consent ledger is vacuumed too, as autovacuum does after a bulk
 * load: it marks the pages all-visible, which the launch's index-only read of consents needs
 * (migration 0013); after the first run there is nothing left for it to do.
 */
async function vacuumCampaignTables() {
  await sql`VACUUM (ANALYZE) outbox, campaign_decisions, campaign_touches, consents`.execute(database.db);
}

async function timedLaunch(label: string, segments: string[]) {
  await vacuumCampaignTables();
  const name = `bench-${label.replace(/[^a-z]+/g, '-')}-${Date.now().toString(36)}`;
  clock = LAUNCH_AT;
  await createCampaign(deps, { programId: PROGRAM, source: { value: definition(name, segments) } });
  await approveCampaign(deps, { programId: PROGRAM, name, approvedBy: 'bench' });
  const timings: PlanTimings = { read: 0, decide: 0, render: 0, write: 0 };
  const started = performance.now();
  const result = await launchCampaign(deps, { programId: PROGRAM, name, timings });
  const elapsed = performance.now() - started;
  log(
    `(a) launch to ${label}: ${seconds(elapsed)} for ${result.audience.toLocaleString('en')} members ` +
      `(${Math.round(result.audience / (elapsed / 1000)).toLocaleString('en')} members/s), ` +
      `${result.queued.toLocaleString('en')} queued, holdout ${result.holdout.toLocaleString('en')}, ` +
      `excluded ${JSON.stringify(result.excluded)}, deferred ${result.deferred.toLocaleString('en')}`,
  );
  log(
    `    phases (summed over batches; read and write overlap decide): audience read ${seconds(timings.read)}, ` +
      `governance + assignment ${seconds(timings.decide)}, render ${seconds(timings.render)}, ` +
      `decisions + outbox write ${seconds(timings.write)}`,
  );
  return name;
}

/**
 * The receiving SMTP server (the smtp-server package, as in the tests), counting what it accepts;
 * reverse DNS of the client is off, as a mail server on the same host would have it.
 */
async function startPeer() {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const launched: string[] = [];
if (!values['skip-launch']) {
  launched.push(await timedLaunch('whole audience', WHOLE));
  if (!values['skip-segment'])
    launched.push(await timedLaunch('loyalty/points_savers', ['loyalty/points_savers']));
}

// (b) delivery: the first DELIVER queued messages of a launch become due; the rest wait.
if (DELIVER > 0) {
  const name = launched[0] ?? (await timedLaunch('whole audience', WHOLE));
  if (!launched.includes(name)) launched.push(name);
  await sql`UPDATE outbox SET next_attempt_at = CASE WHEN id IN (
      SELECT id FROM outbox WHERE program_id = ${PROGRAM} AND campaign = ${name} ORDER BY id LIMIT ${DELIVER})
      THEN ${LAUNCH_AT}::timestamptz ELSE ${new Date('2100-01-01T00:00:00Z')}::timestamptz END
    WHERE program_id = ${PROGRAM} AND status = 'pending'`.execute(database.db);
  const peer = await startPeer();
  const sender = createSmtpEmailSender({
    url: peer.url,
    from: 'Bench <bench@narrowcast.example>',
    messageIdDomain: 'narrowcast.example',
  });
  clock = new Date(LAUNCH_AT.getTime() + 1000);
  const controller = new AbortController();
  const started = performance.now();
  const total = await runDeliveryLoop(
    { ...deps, clock: () => clock },
    {
      senders: { email: sender },
      programId: PROGRAM,
      publicUrl: 'http://127.0.0.1:3000',
      signal: controller.signal,
      untilIdle: true,
      scheduleEveryMs: Number.POSITIVE_INFINITY,
    },
  );
  const elapsed = performance.now() - started;
  log(
    `(b) delivery: ${total.sent.toLocaleString('en')} sent (${total.retried} retried, ${total.failed} failed) ` +
      `in ${seconds(elapsed)} = ${Math.round(total.sent / (elapsed / 1000)).toLocaleString('en')} messages/s; ` +
      `the SMTP peer received ${peer.received().toLocaleString('en')}`,
  );
  sender.close();
  await peer.close();
}

for (const name of launched) await cleanUp(name);
await database.close();
