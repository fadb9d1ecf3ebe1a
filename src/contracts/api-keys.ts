import { z } from 'zod';

/** What a key may do: load data, read it, or manage the program (keys, segments, campaigns). */
export const Scope = z.enum(['ingest', 'read', 'manage']);
export type Scope = z.infer<typeof Scope>;

/** A key's public description; the secret is shown once, at creation, and never stored. */
export const ApiKeyInfo = z.object({
  id: z.string(),
  programId: z.string(),
  scopes: z.array(Scope),
  label: z.string().nullable(),
  createdAt: z.string(),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;

/** A key as `keys list` shows it: never its secret or hash. */
export const ApiKeyListing = ApiKeyInfo.extend({
  /** When the key last authenticated a request (recorded at most once a minute); null if never. */
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKeyListing = z.infer<typeof ApiKeyListing>;
