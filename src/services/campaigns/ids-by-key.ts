// Ids of rows a launch stores once per program and refers to from many decisions (segment snapshots,
// rule trails), looked up by a key the launch builds cheaply: those stored by earlier pages come
// from the launch's map, the rest are stored in the page's transaction and returned as `added`, for
// the caller to add to the map once that transaction has committed (a page that rolls back must not
// leave ids that were never stored).

/** The id of each key (null for a null key), storing the missing keys once each through `store`. */
export async function idsByKey(
  keys: readonly (string | null)[],
  known: ReadonlyMap<string, number>,
  store: (missing: readonly string[]) => Promise<readonly number[]>,
): Promise<{ ids: (number | null)[]; added: Map<string, number> }> {
  const missing = new Set<string>();
  for (const key of keys) if (key !== null && !known.has(key)) missing.add(key);
  const stored = missing.size === 0 ? [] : await store([...missing]);
  const added = new Map([...missing].map((key, i) => [key, stored[i] as number]));
  return {
    ids: keys.map((key) => (key === null ? null : (known.get(key) ?? added.get(key) ?? null))),
    added,
  };
}
