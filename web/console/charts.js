// @ts-check
// Small SVG charts drawn by the console itself (no library, nothing from a CDN):
// stacked bars per day, a weekday × hour heat map, and a one-bar meter for lists.
// Each chart is an <svg role="img"> whose aria-label sums it up; the page shows the same
// numbers as a table beside it. Colours come from CSS classes (style.css, `.chart-*`),
// never from inline styles, which the console's Content-Security-Policy forbids.

const NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes and children (text goes in as text). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** The largest value, at least 1 (so empty charts draw without dividing by 0). Pure. */
export function top(values) {
  return Math.max(1, ...values);
}

/** Stacked bars, one per row: `rows` = [{ label, values: [n, …] }], `series` = [{ cls,
 * name }] in stacking order (bottom first). */
export function stackedBars(rows, series, label) {
  const width = 640;
  const height = 180;
  const base = height - 20;
  const slot = width / Math.max(1, rows.length);
  const most = top(rows.map((r) => r.values.reduce((a, b) => a + b, 0)));
  const bars = rows.map((row, i) => {
    let y = base;
    const parts = row.values.map((n, k) => {
      const tall = (n / most) * (base - 10);
      y -= tall;
      return n ? svg('rect', { class: series[k].cls, x: i * slot + slot * 0.15, y, width: slot * 0.7, height: tall },
        svg('title', null, `${row.label} · ${series[k].name}: ${n}`)) : null;
    });
    // A few day labels under the axis: the first, the last and some between.
    const every = Math.ceil(rows.length / 6);
    const text = i % every === 0 || i === rows.length - 1
      ? svg('text', { class: 'chart-axis', x: i * slot + slot / 2, y: height - 4, 'text-anchor': 'middle' }, row.label.slice(5))
      : null;
    return [parts, text];
  });
  return svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label },
    svg('line', { class: 'chart-baseline', x1: 0, x2: width, y1: base, y2: base }), bars);
}

/** A heat map: `matrix` rows (named by `rowNames`) × 24 hours; darker is busier. */
export function heatMap(matrix, rowNames, label) {
  const cell = 24;
  const left = 56;
  const most = top(matrix.flat());
  const cells = matrix.map((hours, r) => [
    svg('text', { class: 'chart-axis', x: left - 6, y: r * cell + 16, 'text-anchor': 'end' }, rowNames[r]),
    hours.map((n, hour) => svg('rect', {
      class: `chart-heat chart-heat-${n ? Math.ceil((n / most) * 4) : 0}`,
      x: left + hour * cell, y: r * cell, width: cell - 2, height: cell - 2,
    }, svg('title', null, `${rowNames[r]} ${String(hour).padStart(2, '0')}:00 · ${n}`))),
  ]);
  const hours = [0, 6, 12, 18, 23].map((hour) =>
    svg('text', { class: 'chart-axis', x: left + hour * cell + cell / 2, y: 7 * cell + 14, 'text-anchor': 'middle' }, String(hour)));
  return svg('svg', { class: 'chart', viewBox: `0 0 ${left + 24 * cell} ${7 * cell + 20}`, role: 'img', 'aria-label': label },
    cells, hours);
}

/** A bar for a list row: `n` of `most`, decorative (the number is in the row's text). */
export function meter(n, most) {
  const width = 120;
  return svg('svg', { class: 'chart-meter', viewBox: `0 0 ${width} 10`, width, height: 10, 'aria-hidden': 'true' },
    svg('rect', { class: 'chart-track', x: 0, y: 0, width, height: 10 }),
    svg('rect', { class: 'chart-agent', x: 0, y: 0, width: (n / top([most])) * width, height: 10 }));
}
