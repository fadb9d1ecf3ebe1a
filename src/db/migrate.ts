import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { statements as core } from './migrations/0001-core.ts';
import { statements as clv } from './migrations/0002-clv.ts';
import { statements as segments } from './migrations/0003-segments.ts';
import { statements as preferences } from './migrations/0004-preferences.ts';
import { statements as campaigns } from './migrations/0005-campaigns.ts';
import { statements as reports } from './migrations/0006-reports.ts';
import { statements as preferenceLinkKeys } from './migrations/0007-preference-link-keys.ts';
import { statements as delivery } from './migrations/0008-delivery.ts';
import { statements as clvKeptSummaries } from './migrations/0010-clv-kept-summaries.ts';
import { statements as campaignTouches } from './migrations/0011-campaign-touches.ts';
import { statements as decisionSnapshots } from './migrations/0012-decision-snapshots.ts';
import { statements as consentLedgerIndex } from './migrations/0013-consent-ledger-index.ts';
import { statements as decisionTrails } from './migrations/0014-decision-trails.ts';
import { statements as memberStateCompression } from './migrations/0015-member-state-compression.ts';
import { statements as historyCut } from './migrations/0016-history-cut.ts';
import { statements as memberRanks } from './migrations/0017-member-ranks.ts';

// Migrations are ordered lists of statements, one file each, applied by Kysely's migrator (which
// records them in kysely_migration and locks against concurrent runs). Statements run one at a
// time because the embedded engine's extended protocol takes one statement per call.
const MIGRATIONS: Record<string, readonly string[]> = {
  '0001-core': core,
  '0002-clv': clv,
  '0003-segments': segments,
  '0004-preferences': preferences,
  '0005-campaigns': campaigns,
  '0006-reports': reports,
  '0007-preference-link-keys': preferenceLinkKeys,
  '0008-delivery': delivery,
  '0010-clv-kept-summaries': clvKeptSummaries,
  '0011-campaign-touches': campaignTouches,
  '0012-decision-snapshots': decisionSnapshots,
  '0013-consent-ledger-index': consentLedgerIndex,
  '0014-decision-trails': decisionTrails,
  '0015-member-state-compression': memberStateCompression,
  '0016-history-cut': historyCut,
  '0017-member-ranks': memberRanks,
};

const provider: MigrationProvider = {
  async getMigrations() {
    const migrations: Record<string, Migration> = {};
    for (const [name, list] of Object.entries(MIGRATIONS)) {
      migrations[name] = {
        async up(db: Kysely<unknown>) {
          for (const statement of list) await sql.raw(statement).execute(db);
        },
      };
    }
    return migrations;
  },
};

/**
 * Brings the schema up to the named version and no further (tests that write rows as an older
 * version left them, then migrate them on).
 */
export async function migrateTo(db: Kysely<unknown>, name: string): Promise<void> {
  if (!(name in MIGRATIONS)) throw new Error(`unknown migration ${name}`);
  const { error } = await new Migrator({ db, provider }).migrateTo(name);
  if (error) throw error;
}

/** Brings the schema up to the latest version; safe to call on every start and from many processes. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
