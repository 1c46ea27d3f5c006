import uPlot from 'uplot';
import { h } from './dom.js';

/**
 * Line charts drawn with uPlot (canvas; it styles its DOM through the CSSOM only, so the console's
 * CSP needs no 'unsafe-inline'). Each chart sits in a figure whose caption says what it shows; the
 * numbers themselves are in the table beside it, for screen readers and for copying.
 */
export interface ChartSeries {
  readonly label: string;
  readonly values: ReadonlyArray<number | null>;
}

const COLOURS = ['#0969da', '#1a7f37', '#9a6700', '#cf222e', '#8250df', '#57606a'];

export function lineChart(options: {
  readonly title: string;
  readonly x: readonly number[];
  /** x values are epoch seconds (dates on the axis) rather than plain numbers (run numbers). */
  readonly time: boolean;
  readonly series: readonly ChartSeries[];
  readonly yLabel: string;
  readonly formatY?: (v: number) => string;
  readonly formatX?: (v: number) => string;
}): { figure: HTMLElement; destroy(): void } {
  const figure = h('figure', { class: 'chart', 'aria-label': options.title });
  const holder = h('div', { class: 'chart-canvas' });
  figure.append(h('figcaption', {}, options.title), holder);
  let plot: uPlot | null = null;
  // Drawn once the figure is in the page, so it takes the width it is given.
  requestAnimationFrame(() => {
    const width = Math.max(280, Math.min(880, holder.clientWidth || 600));
    const fmtY = options.formatY ?? ((v: number) => String(v));
    plot = new uPlot(
      {
        width,
        height: 220,
        scales: { x: { time: options.time } },
        series: [
          {
            label: options.time ? 'week' : 'run',
            value: (_u, v) => (v === null ? '—' : (options.formatX?.(v) ?? String(v))),
          },
          ...options.series.map((s, i) => ({
            label: s.label,
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            points: { show: true, size: 5 },
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : fmtY(v)),
          })),
        ],
        axes: [
          {
            // Run numbers are whole: no tick at #1.5.
            ...(options.time ? {} : { incrs: [1, 2, 5, 10, 20, 50, 100, 200] }),
            ...(options.formatX
              ? { values: (_u: uPlot, ticks: number[]) => ticks.map((t) => options.formatX!(t)) }
              : {}),
          },
          { label: options.yLabel, values: (_u, ticks) => ticks.map((t) => fmtY(t)), size: 60 },
        ],
      },
      [options.x as number[], ...options.series.map((s) => s.values as Array<number | null>)],
      holder,
    );
    holder.setAttribute('data-drawn', 'true');
  });
  return { figure, destroy: () => plot?.destroy() };
}
