/** One column: header, how to get the cell from a row, and which side to align it. */
export type Column<T> = [header: string, value: (row: T) => string | number, align?: 'left' | 'right'];

/** Prints rows as a plain-text table with a header, columns padded to their widest cell. */
export function printTable<T>(
  out: NodeJS.WritableStream,
  rows: readonly T[],
  columns: readonly Column<T>[],
): void {
  const cells = rows.map((row) => columns.map(([, value]) => String(value(row))));
  const widths = columns.map(([header], i) =>
    Math.max(header.length, ...cells.map((r) => (r[i] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    `${values
      .map((v, i) => (columns[i]?.[2] === 'right' ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()}\n`;
  out.write(line(columns.map(([header]) => header)));
  for (const row of cells) out.write(line(row));
  if (rows.length === 0) out.write('(no rows)\n');
}
