/**
 * The one Ink component of `tq top`: lines of segments (segs.ts) drawn as Text, each cut at the
 * screen's edge and never wrapped, so the layout's line count holds. Written with
 * React.createElement: the sources run under Node's type stripping, which has no JSX.
 */
import { Text } from 'ink';
import React from 'react';
import type { Segs } from './segs.ts';

export const h = React.createElement;

/** One line. `color: false` drops the colours and keeps the other styles. */
export function Line(props: { segs: Segs; color: boolean }): React.ReactElement {
  const children = props.segs.map((part, i) => {
    if (typeof part === 'string') return part;
    return h(Text, { key: i, color: props.color ? part.color : undefined, bold: part.bold, dimColor: part.dim, inverse: part.inverse }, part.text);
  });
  return h(Text, { wrap: 'truncate-end' }, ...(children.length === 0 ? [' '] : children));
}

/** Lines under one another. */
export function Lines(props: { lines: Segs[]; color: boolean }): React.ReactElement {
  return h(React.Fragment, null, ...props.lines.map((segs, i) => h(Line, { key: i, segs, color: props.color })));
}
