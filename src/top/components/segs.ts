/**
 * What every part of the screen is made of: lines of styled segments. The parts (queue table,
 * detail, workers, failures, help, header, footer) are pure functions that return such lines,
 * fitted to a width; line.ts draws them with Ink, the text snapshot prints them plain.
 */
import { cellWidth } from '../text.ts';

export interface Seg {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

export type Segs = (Seg | string)[];

export function seg(text: string, style: Omit<Seg, 'text'> = {}): Seg {
  return { text, ...style };
}

/** The line's text without styles. */
export function plain(segs: Segs): string {
  return segs.map((part) => (typeof part === 'string' ? part : part.text)).join('');
}

/** How many terminal cells the line takes. */
export function segsWidth(segs: Segs): number {
  return cellWidth(plain(segs));
}
