/**
 * The stacked usage chart (uPlot on a canvas). Its data is also on the figure as `data-series`
 * (for tests and tools) and in a table (for screen readers and for reading exact numbers).
 */
import { useEffect, useMemo, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Usage } from './api';
import { chartSeries, type Grain, stacked } from './series';

/** The same colours as .swatch.c0… in styles.css (canvas strokes cannot read CSS classes). */
const COLOURS = ['#1d6fd6', '#d9480f', '#2b8a3e', '#862e9c', '#c92a2a', '#5c940d'];
const H = 220;

export function UsageChart(props: { usage: Usage; grain: Grain; keyIds?: string[]; caption: string }) {
  const box = useRef<HTMLDivElement>(null);
  const series = useMemo(
    () => chartSeries(props.usage, props.grain, new Date(), props.keyIds),
    [props.usage, props.grain, props.keyIds?.join()],
  );
  useEffect(() => {
    const el = box.current;
    if (!el || series.keys.length === 0) return;
    const sums = stacked(series);
    // topmost band first: each later (lower) band is painted over the one above it
    const order = series.keys.map((_, i) => i).reverse();
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: H,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        series: [
          {},
          ...order.map((i) => ({
            label: series.keys[i].label,
            stroke: COLOURS[i % COLOURS.length],
            fill: `${COLOURS[i % COLOURS.length]}99`,
            width: 1,
            points: { show: false },
          })),
        ],
      },
      [series.times, ...order.map((i) => sums[i])],
      el,
    );
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: H }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [series]);

  const data = JSON.stringify({
    grain: series.grain,
    times: series.times,
    keys: series.keys.map((k) => ({ id: k.id, counts: k.counts, total: k.total })),
  });
  const rows = series.times
    .map((t, i) => ({ t, counts: series.keys.map((k) => k.counts[i]) }))
    .filter((r) => r.counts.some((c) => c > 0));
  const grainText = series.grain === 'hour' ? 'per hour' : 'per 5 minutes';
  return (
    <figure class="chart" data-series={data}>
      {series.keys.length === 0 ? (
        <p class="empty">No keys yet: create one above, use it, and its traffic appears here.</p>
      ) : (
        <div ref={box} class="plot" role="img" aria-label={`${props.caption}, stacked ${grainText}`} />
      )}
      <figcaption>
        <span>{props.caption}</span>
        <ul class="legend">
          {series.keys.map((k, i) => (
            <li key={k.id}>
              <span class={`swatch c${i % COLOURS.length}`} aria-hidden="true" />
              {k.label}: {k.total}
            </li>
          ))}
        </ul>
      </figcaption>
      {rows.length === 0 ? (
        <p class="empty">No requests in this period yet. Load an avatar with one of the keys and refresh.</p>
      ) : (
        <details>
          <summary>Data table</summary>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time (UTC)</th>
                  {series.keys.map((k) => (
                    <th scope="col" key={k.id}>
                      {k.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.t}>
                    <th scope="row">{new Date(r.t * 1000).toISOString().slice(5, 16).replace('T', ' ')}</th>
                    {r.counts.map((c, j) => (
                      <td key={series.keys[j].id}>{c}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </figure>
  );
}
