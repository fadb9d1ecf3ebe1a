// Member state compressed with lz4 where the engine has it (issue 3). A member's aggregates and
// features are about 1 kB each once compressed, and every event, refresh and rebuild rewrites them:
// the default compression (pglz) compressed both again on each write, and the columns generated
// from the aggregates (migration 0010) and the refresh's ranking decompress them on each read.
// lz4 does both several times faster at about the same size. The PostgreSQL server of Debian and
// of most distributions is built with it; the embedded engine is not, and keeps pglz: the block
// below changes nothing there. Only values written from now on use lz4; a member's values move
// when the member is next evaluated, and `refresh --rebuild` moves them all.

export const statements = [
  `DO $$
BEGIN
  ALTER TABLE member_features
    ALTER COLUMN aggregates SET COMPRESSION lz4,
    ALTER COLUMN features SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available on this engine: member state keeps the default compression';
END
$$`,
];
