// @ts-check
/** SVG charts of series over time: stacked areas (depth per queue) or lines (rates). */
import { clear, s } from './dom.js';
import { clock, num } from './format.js';

/**
 * @typedef {{ name: string, color: string, points: Array<[t: number, v: number]> }} Series
 * @typedef {{ stacked: boolean, label: string, height?: number, spanMs?: number, format?: (v: number) => string }} ChartOptions
 */

const PALETTE = ['#2563eb', '#0e8a8a', '#c76a00', '#7c4dd6', '#c4262e', '#18794e', '#d6409f', '#5d6675', '#8a6d00', '#0072b2'];

/**
 * A queue's colour, stable while the set of queues stays the same.
 * @param {string} name
 * @param {string[]} names
 */
export function colorOf(name, names) {
  const i = names.indexOf(name);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
}

/** @param {number} v */
function niceMax(v) {
  if (v <= 4) return 4;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * p >= v) return step * p;
  return 10 * p;
}

/**
 * Draws the series into the container, replacing what was there.
 * @param {HTMLElement} container
 * @param {Series[]} series
 * @param {ChartOptions} options
 */
export function drawChart(container, series, options) {
  const width = Math.max(320, container.clientWidth || 640);
  const height = options.height || 220;
  const left = 44;
  const right = 12;
  const top = 10;
  const bottom = 24;
  const now = Date.now();
  let t0 = now - (options.spanMs || 15 * 60000);
  let first = Infinity;
  for (const ser of series) if (ser.points[0]) first = Math.min(first, ser.points[0][0]);
  if (first !== Infinity) t0 = Math.max(t0, Math.min(first, now - 60000));
  /** @type {Map<number, number>} */
  const stackTotals = new Map();
  let max = 0;
  for (const ser of series) {
    for (const [t, v] of ser.points) {
      if (options.stacked) {
        const total = (stackTotals.get(t) || 0) + v;
        stackTotals.set(t, total);
        max = Math.max(max, total);
      } else max = Math.max(max, v);
    }
  }
  const yMax = options.stacked ? niceMax(max) : Math.max(niceMax(max), 1);
  const x = (/** @type {number} */ t) => left + ((t - t0) / (now - t0)) * (width - left - right);
  const y = (/** @type {number} */ v) => top + (1 - v / yMax) * (height - top - bottom);
  const xy = (/** @type {[number, number]} */ p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': options.label });
  for (let i = 0; i <= 4; i++) {
    const v = (yMax / 4) * i;
    svg.appendChild(s('line', { class: 'grid', x1: left, x2: width - right, y1: y(v), y2: y(v) }));
    svg.appendChild(s('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, options.format ? options.format(v) : num(v)));
  }
  const ticks = Math.max(2, Math.min(6, Math.floor((width - left - right) / 90)));
  for (let j = 0; j <= ticks; j++) {
    const t = t0 + ((now - t0) / ticks) * j;
    svg.appendChild(s('text', { x: x(t), y: height - 6, 'text-anchor': j === 0 ? 'start' : j === ticks ? 'end' : 'middle' }, j === ticks ? 'now' : clock(t)));
  }
  svg.appendChild(s('line', { class: 'axis', x1: left, x2: width - right, y1: y(0), y2: y(0) }));
  if (options.stacked) {
    const times = [...stackTotals.keys()].sort((a, b) => a - b);
    /** @type {Map<number, number>} */
    const base = new Map(times.map((t) => [t, 0]));
    for (const ser of series) {
      const values = new Map(ser.points);
      /** @type {Array<[number, number]>} */
      const upper = times.map((t) => [t, (base.get(t) || 0) + (values.get(t) || 0)]);
      /** @type {Array<[number, number]>} */
      const lower = times.map((t) => /** @type {[number, number]} */ ([t, base.get(t) || 0])).reverse();
      for (const t of times) base.set(t, (base.get(t) || 0) + (values.get(t) || 0));
      if (!upper.length) continue;
      svg.appendChild(s('path', { d: `M${upper.concat(lower).map(xy).join('L')}Z`, fill: ser.color, 'fill-opacity': 0.28, stroke: 'none' }));
      svg.appendChild(s('path', { d: `M${upper.map(xy).join('L')}`, fill: 'none', stroke: ser.color, 'stroke-width': 1.6 }));
    }
  } else {
    for (const ser of series) {
      if (!ser.points.length) continue;
      svg.appendChild(s('path', { d: `M${ser.points.map(xy).join('L')}`, fill: 'none', stroke: ser.color, 'stroke-width': 1.8, 'stroke-linejoin': 'round' }));
    }
  }
  if (first === Infinity) svg.appendChild(s('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'collecting samples…'));
  clear(container).appendChild(svg);
}
