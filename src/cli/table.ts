/**
 * Tables with cli-table3, fitted to the terminal: lists are borderless columns (easy to read and
 * to cut), columns shrink (longest first, truncated with …) until the table fits the width.
 */
import Table from 'cli-table3';

/** The width tables must fit: the terminal's, else $COLUMNS, else 120. */
export function terminalWidth(): number {
  const columns = process.stdout.isTTY ? process.stdout.columns : Number(process.env.COLUMNS);
  return columns && columns >= 40 ? columns : 120;
}

const GAP = 2;
const MIN_COLUMN = 6;

const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '',
  right: '', 'right-mid': '', middle: ' '.repeat(GAP),
};

function textWidth(text: string): number {
  return Math.max(0, ...text.split('\n').map((line) => [...line].length));
}

/**
 * Column widths that fit `width`: the widest columns give way first, none below MIN_COLUMN, and
 * `fixed` ones (ids people copy) never.
 */
export function fitWidths(natural: number[], width: number, gap = GAP, fixed: boolean[] = []): number[] {
  const widths = [...natural];
  let over = widths.reduce((sum, w) => sum + w, 0) + gap * (widths.length - 1) - width;
  while (over > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if (!fixed[i] && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    if (widest < 0 || widths[widest]! <= MIN_COLUMN) break;
    widths[widest]!--;
    over--;
  }
  return widths;
}

export interface ColumnOptions {
  /** Right-align (numbers). */
  right?: boolean;
  /** Never truncated (ids). */
  fixed?: boolean;
  /** Left out when every row leaves it empty. */
  optional?: boolean;
}

/** A borderless table with a header row, fitted to the terminal. */
export function listTable(head: (string | [string, ColumnOptions])[], rows: string[][], width = terminalWidth()): string {
  const columns = head
    .map((column, index) => ({ name: Array.isArray(column) ? column[0] : column, options: Array.isArray(column) ? column[1] : {}, index }))
    .filter(({ options, index }) => !options.optional || rows.some((row) => (row[index] ?? '') !== ''));
  const names = columns.map((column) => column.name);
  const cells = rows.map((row) => columns.map(({ index }) => (row[index] ?? '').replace(/\n/g, ' ')));
  const natural = names.map((name, i) => Math.max(textWidth(name), ...cells.map((row) => textWidth(row[i]!))));
  const widths = fitWidths(natural, width, GAP, columns.map(({ options }) => options.fixed === true));
  const table = new Table({
    head: names,
    chars: PLAIN_CHARS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colWidths: widths,
    colAligns: columns.map(({ options }) => (options.right ? 'right' : 'left')),
    wordWrap: false,
    truncate: '…',
  });
  table.push(...cells);
  return trimLines(table.toString());
}

/** Field/value pairs, one per line; long values wrap to the terminal width. */
export function fieldTable(pairs: [string, string][], width = terminalWidth()): string {
  const keyWidth = Math.max(...pairs.map(([key]) => textWidth(key)));
  const valueWidth = Math.max(MIN_COLUMN, width - keyWidth - GAP);
  const table = new Table({
    chars: PLAIN_CHARS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colWidths: [keyWidth, Math.min(valueWidth, Math.max(MIN_COLUMN, ...pairs.map(([, value]) => textWidth(value))))],
    wordWrap: true,
    wrapOnWordBoundary: false,
  });
  table.push(...pairs.map(([key, value]) => [key, value]));
  return trimLines(table.toString());
}

/** cli-table3 pads every cell: drop trailing spaces (and the empty border lines). */
function trimLines(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line, i, lines) => line !== '' || (i > 0 && i < lines.length - 1))
    .join('\n');
}
