/**
 * Tables that fit a width: columns are kept in order of importance while they fit, one column may
 * stretch into the room left, and the rest are left out (never wrapped).
 */
import { cellWidth, fit } from '../text.ts';
import { type Seg, type Segs, seg } from './segs.ts';

export interface Column<Row> {
  header: string;
  /** Lower comes first when deciding what fits. */
  priority: number;
  align?: 'left' | 'right';
  /** Natural width (the header's width at least). */
  width?: number;
  /** Takes the room left, between `width` and `max`. */
  flex?: { max: number };
  /** The cell: plain text (fitted here), or segments already `width` cells wide. */
  cell: (row: Row, width: number) => string | Seg | Segs;
  /** Style for a plain text cell. */
  style?: (row: Row) => Omit<Seg, 'text'>;
}

const GAP = 1;

/** The columns that fit in `width`, with their widths, in display order. */
export function fitColumns<Row>(columns: Column<Row>[], width: number): { column: Column<Row>; width: number }[] {
  const natural = (column: Column<Row>) => Math.max(column.width ?? 0, cellWidth(column.header));
  const chosen = new Set<Column<Row>>();
  let used = 0;
  for (const column of [...columns].sort((a, b) => a.priority - b.priority)) {
    const need = natural(column) + (chosen.size > 0 ? GAP : 0);
    if (used + need > width) continue;
    chosen.add(column);
    used += need;
  }
  const shown = columns.filter((column) => chosen.has(column));
  const flex = shown.find((column) => column.flex);
  return shown.map((column) => {
    let w = natural(column);
    if (column === flex && column.flex) w = Math.min(column.flex.max, w + Math.max(0, width - used));
    return { column, width: w };
  });
}

export interface TableLines {
  header: Segs;
  rows: Segs[];
}

/**
 * The header and rows of a table `width` cells wide. `prefix` (e.g. a selection marker) goes in
 * front of every row and takes `prefixWidth` cells.
 */
export function tableLines<Row>(
  columns: Column<Row>[],
  rows: Row[],
  width: number,
  options: { prefix?: (row: Row | null) => Segs; prefixWidth?: number; headerStyle?: Omit<Seg, 'text'> } = {},
): TableLines {
  const prefixWidth = options.prefixWidth ?? 0;
  const fitted = fitColumns(columns, width - prefixWidth);
  const line = (cells: Segs[], prefix: Segs): Segs => {
    const out: Segs = [...prefix];
    cells.forEach((cell, i) => {
      if (i > 0) out.push(' '.repeat(GAP));
      out.push(...cell);
    });
    return out;
  };
  const header = line(
    fitted.map(({ column, width: w }) => [seg(fit(column.header, w, column.align), options.headerStyle ?? { bold: true })]),
    options.prefix ? options.prefix(null) : [],
  );
  const body = rows.map((row) =>
    line(
      fitted.map(({ column, width: w }) => {
        const value = column.cell(row, w);
        if (typeof value === 'string') return [seg(fit(value, w, column.align), column.style?.(row) ?? {})];
        if (!Array.isArray(value)) return [{ ...value, text: fit(value.text, w, column.align) }];
        return value;
      }),
      options.prefix ? options.prefix(row) : [],
    ),
  );
  return { header, rows: body };
}
