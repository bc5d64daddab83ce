// @ts-check
/**
 * A small SVG writer for bench/results/latest.svg: fps and latency per backend as grouped horizontal
 * bars on log scales (wasm runs at ~100 fps here, software WebGPU at ~1), with the values written out.
 */

/** @param {string} s */
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One panel: for each group (backend), one bar per series, on a log10 axis from `min` to `max`.
 * @param {{ title: string, unit: string, groups: string[], series: { name: string, colour: string, values: (number | null)[] }[], y: number, min: number, max: number }} p
 * @returns {{ svg: string, height: number }}
 */
function panel({ title, unit, groups, series, y, min, max }) {
  const left = 90,
    width = 560,
    bar = 12,
    gap = 10;
  const x = (/** @type {number} */ v) =>
    left + (width * (Math.log10(Math.max(v, min)) - Math.log10(min))) / (Math.log10(max) - Math.log10(min));
  const out = [`<text x="10" y="${y + 16}" font-size="14" font-weight="600">${esc(title)}</text>`];
  let top = y + 30;
  const ticks = [];
  for (let t = min; t <= max * 1.0001; t *= 10) ticks.push(t);
  const groupHeight = series.length * bar + gap;
  const bottom = top + groups.length * groupHeight;
  for (const t of ticks) {
    out.push(
      `<line x1="${x(t)}" y1="${top - 4}" x2="${x(t)}" y2="${bottom}" stroke="#ccc"/>`,
      `<text x="${x(t)}" y="${bottom + 14}" font-size="10" text-anchor="middle" fill="#666">${t >= 1 ? t : t.toString()}</text>`,
    );
  }
  out.push(
    `<text x="${left + width}" y="${bottom + 28}" font-size="10" text-anchor="end" fill="#666">${esc(unit)} (log scale)</text>`,
  );
  for (const [gi, g] of groups.entries()) {
    const gy = top + gi * groupHeight;
    out.push(
      `<text x="${left - 8}" y="${gy + (series.length * bar) / 2 + 4}" font-size="12" text-anchor="end">${esc(g)}</text>`,
    );
    for (const [si, s] of series.entries()) {
      const v = s.values[gi];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      const by = gy + si * bar;
      out.push(
        `<rect x="${left}" y="${by}" width="${Math.max(1, x(v) - left).toFixed(1)}" height="${bar - 2}" fill="${s.colour}"/>`,
        `<text x="${(x(v) + 4).toFixed(1)}" y="${by + bar - 3}" font-size="10">${v >= 10 ? v.toFixed(0) : v.toFixed(1)}</text>`,
      );
    }
  }
  const legendY = bottom + 44;
  series.forEach((s, i) =>
    out.push(
      `<rect x="${left + i * 140}" y="${legendY - 9}" width="10" height="10" fill="${s.colour}"/>`,
      `<text x="${left + i * 140 + 14}" y="${legendY}" font-size="11">${esc(s.name)}</text>`,
    ),
  );
  return { svg: out.join('\n'), height: legendY + 20 - y };
}

/** @param {readonly number[]} values */
function range(values) {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  const lo = Math.min(...v, 1),
    hi = Math.max(...v, 10);
  return { min: 10 ** Math.floor(Math.log10(lo)), max: 10 ** Math.ceil(Math.log10(hi * 1.3)) };
}

/**
 * @param {any} result the whole latest.json
 * @returns {string} an SVG document
 */
export function chart(result) {
  const runs = result.runs.filter((/** @type {any} */ r) => !r.skipped);
  const groups = runs.map((/** @type {any} */ r) =>
    r.features && r.features !== 'image' ? `${r.backend} (${r.features})` : r.backend,
  );
  const fpsSeries = [
    { name: 'raw model', colour: '#999', values: runs.map((/** @type {any} */ r) => r.rawFps) },
    { name: 'pipeline', colour: '#2a7', values: runs.map((/** @type {any} */ r) => r.pipelineFps) },
    { name: 'camera (30 fps in)', colour: '#27c', values: runs.map((/** @type {any} */ r) => r.cameraFps) },
    {
      name: 'main-thread baseline',
      colour: '#c63',
      values: runs.map((/** @type {any} */ r) => r.baseline?.fps ?? null),
    },
  ];
  const latSeries = [
    { name: 'p50', colour: '#2a7', values: runs.map((/** @type {any} */ r) => r.latencyMs.p50) },
    { name: 'p95', colour: '#e90', values: runs.map((/** @type {any} */ r) => r.latencyMs.p95) },
    { name: 'p99', colour: '#c33', values: runs.map((/** @type {any} */ r) => r.latencyMs.p99) },
  ];
  const a = panel({
    title: 'Predictions per second',
    unit: 'fps',
    groups,
    series: fpsSeries,
    y: 40,
    ...range(fpsSeries.flatMap((s) => s.values.filter((/** @type {number | null} */ v) => v !== null))),
  });
  const b = panel({
    title: 'Latency, camera frame → OSC bundle at a UDP receiver (camera at 30 fps)',
    unit: 'ms',
    groups,
    series: latSeries,
    y: 40 + a.height + 10,
    ...range(latSeries.flatMap((s) => s.values)),
  });
  const height = 40 + a.height + 10 + b.height + 10;
  const title = `trainwhistle benchmark — ${result.date.slice(0, 10)}, ${result.machine.cpus} CPU cores, GPU: ${result.machine.gpu ?? 'none'}, ${result.mode} run`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="720" height="${height}" viewBox="0 0 720 ${height}" font-family="system-ui, sans-serif">
<rect width="720" height="${height}" fill="white"/>
<text x="10" y="22" font-size="15" font-weight="700">${esc(title)}</text>
${a.svg}
${b.svg}
</svg>
`;
}
