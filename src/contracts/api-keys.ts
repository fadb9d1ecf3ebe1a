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
