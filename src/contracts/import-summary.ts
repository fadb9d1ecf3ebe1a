import { z } from 'zod';
import { RecordKind } from './records.ts';

/** Per record kind: what an import did with the records it read. */
export const KindSummary = z.object({
  kind: RecordKind,
  inserted: z.number().int(),
  updated: z.number().int(),
  duplicate: z.number().int(),
});

/** The outcome of one file import, printed by the CLI and returned as JSON. */
export const ImportSummary = z.object({
  file: z.string(),
  programId: z.string(),
  /** Data rows read (header excluded). */
  read: z.number().int(),
  /** Records newly stored. */
  imported: z.number().int(),
  /** Members or accounts whose stored details changed. */
  updated: z.number().int(),
  /** Records already stored with the same payload. */
  duplicate: z.number().int(),
  /** Rows refused; each is listed in the rejects file. */
  rejected: z.number().int(),
  rejectsFile: z.string().nullable(),
  byKind: z.array(KindSummary),
  /** Rows a preset treated specially, by kind of row. */
  special: z.array(z.object({ label: z.string(), count: z.number().int() })),
  seconds: z.number(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;
