import { AppError } from '../../contracts/errors.ts';
import { NO_SEGMENT, type SchemeMigration, type SegmentMigration } from '../../contracts/segments.ts';
import { migrationCells } from '../../db/queries/segment-history.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';

/**
 * How members moved between segments from one moment to another, rebuilt from the recorded
 * transitions: one matrix of counts per scheme, "none" standing for no segment of the scheme.
 */
export async function segmentMigration(
  deps: Pick<Deps, 'db'>,
  { programId, from, to, scheme }: { programId: string; from: Date; to: Date; scheme?: string | undefined },
): Promise<SegmentMigration> {
  if (from.getTime() > to.getTime()) throw new AppError('INVALID_INPUT', '"from" must not be after "to"');
  await requireProgram(deps.db, programId);
  const cells = await migrationCells(deps.db, { programId, from, to, scheme });
  const schemes = new Map<string, SchemeMigration>();
  for (const { scheme: name, ...cell } of cells) {
    let matrix = schemes.get(name);
    if (!matrix) {
      matrix = { scheme: name, segments: [], cells: [] };
      schemes.set(name, matrix);
    }
    matrix.cells.push(cell);
  }
  for (const matrix of schemes.values()) {
    const names = new Set(matrix.cells.flatMap((c) => [c.from, c.to]));
    names.delete(NO_SEGMENT);
    matrix.segments = [...[...names].sort(), NO_SEGMENT];
  }
  return { programId, from: from.toISOString(), to: to.toISOString(), schemes: [...schemes.values()] };
}
