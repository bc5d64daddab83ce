// trainwhistle × p5.js: the sketch teaches a classifier its own canvas, then sends what it sees as OSC.
//
// No bundler, no build step of its own: any static server will do. In this repository: `npm run build`,
// `npm run models -- ../shared/models`, `npm run serve`, then open http://127.0.0.1:8000/examples/p5/
// (README.md says more, and what to change in a copy of your own).
//
// The three paths below are relative to this file, as the repository lays things out. p5 comes from the
// project's node_modules (a devDependency), so nothing is fetched from the internet.
import p5 from '../../node_modules/p5/lib/p5.esm.min.js';
import { createPipeline, labelChanges, oscOutput, smooth } from '../../dist/standalone/trainwhistle.js';

/**
 * Where MobileNet's weights are (`npm run models` fills public/models). The library resolves a relative
 * `modelBaseUrl` against the page; resolving it against this file instead finds the weights wherever the
 * page is served from.
 */
const MODEL_BASE_URL = new URL('../../public/models', import.meta.url).href;

/** Which key shows (and, held, records) which shape. The labels are what Max, Pd and TD receive. */
const SHAPES = { 1: 'circle', 2: 'square', 3: 'triangle' };
const LABELS = Object.values(SHAPES);
// Colours change with time, never with the shape, so the model has to learn the shape.
const PALETTE = [
  [230, 80, 60],
  [40, 140, 220],
  [250, 180, 30],
  [60, 170, 90],
  [150, 80, 200],
];

let shape = 'circle';
/** The pipeline, once MobileNet has loaded. */
let pipe = null;
/** The sketch's <canvas>: what gets recorded and classified. */
let canvas = null;
/** `{ label, rec }` while a number key is held. */
let recording = null;
let busy = false;

const $ = (id) => document.getElementById(id);

function say(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

new p5((s) => {
  s.setup = () => {
    const renderer = s.createCanvas(320, 240);
    canvas = s.canvas ?? renderer.elt;
    s.frameRate(30);
    start().catch((e) => say(`${e.name}: ${e.message}`, true));
  };

  s.draw = () => {
    const t = s.millis() / 1000;
    s.background(245);
    // Drifting dots: clutter the model should learn to ignore.
    s.noStroke();
    s.fill(205);
    for (let i = 0; i < 14; i++) s.circle(s.noise(i, t * 0.1) * s.width, s.noise(i + 50, t * 0.1) * s.height, 7);

    const [r, g, b] = PALETTE[Math.floor(t / 1.5) % PALETTE.length];
    s.fill(r, g, b);
    s.push();
    s.translate(s.width * (0.2 + 0.6 * s.noise(t * 0.35)), s.height * (0.2 + 0.6 * s.noise(100 + t * 0.35)));
    s.rotate(t * 0.8);
    const size = 60 + 50 * s.noise(200 + t * 0.5);
    if (shape === 'circle') s.circle(0, 0, size);
    else if (shape === 'square') s.rect(-size * 0.42, -size * 0.42, size * 0.84, size * 0.84);
    else s.triangle(0, -size * 0.55, size * 0.5, size * 0.35, -size * 0.5, size * 0.35);
    s.pop();
    // Nothing else is drawn here (no "recording" dot, no text): the model sees every pixel.
  };

  s.keyPressed = () => onKey(s.key, true);
  s.keyReleased = () => onKey(s.key, false);
}, $('sketch'));

async function start() {
  pipe = await createPipeline({ modelBaseUrl: MODEL_BASE_URL });
  say(`Ready on ${pipe.info.backend.backend}. Hold 1, 2 or 3 to record a shape.`);

  pipe.counts$.subscribe((counts) => showTable(counts.perLabel, null));
  pipe.predictions$.subscribe((p) => showTable(null, p.confidences));
  pipe.predictions$.pipe(smooth(0.5), labelChanges()).subscribe((change) => {
    $('change').textContent = change.previous ? `${change.previous} → ${change.label}` : change.label;
  });

  const osc = oscOutput({ url: 'ws://127.0.0.1:8080', prefix: '/tw' });
  osc.attach(pipe.predictions$);
  osc.status$.subscribe(({ status, sent, dropped }) => {
    if (status === 'connected') {
      $('osc').textContent = `OSC: connected to the bridge, ${sent} predictions sent.`;
    } else {
      // The bridge refuses pages from origins it was not told about: name this page's own.
      const command = document.createElement('code');
      command.textContent = `npm run bridge -- --allow-origin ${location.origin}`;
      $('osc').replaceChildren(`OSC: not connected (${dropped} predictions not sent). Start the bridge: `, command);
    }
  });
}

function onKey(key, down) {
  if (key in SHAPES) {
    const label = SHAPES[key];
    if (down) {
      shape = label;
      // While running, number keys only switch the shape: recording then would teach the model its own guesses.
      if (pipe && !pipe.running && !recording && !busy) startRecording(label);
    } else if (recording?.label === label) {
      void stopRecording();
    }
  } else if (down && key === 't') {
    void trainAndRun();
  } else if (down && key === 'r') {
    toggleRun();
  }
}

function startRecording(label) {
  const rec = pipe.record(label, canvas);
  recording = { label, rec };
  rec.count$.subscribe((n) => say(`Recording “${label}”: ${n} examples… (release the key to stop)`));
}

async function stopRecording() {
  const { label, rec } = recording;
  recording = null;
  const n = await rec.stop();
  say(`Recorded ${n} examples of “${label}”. Record the other shapes, then press t to train.`);
}

async function trainAndRun() {
  if (!pipe || busy || recording) return;
  busy = true;
  try {
    pipe.stop();
    const progress = pipe.training$.subscribe((p) =>
      say(`Training: epoch ${p.epoch}/${p.epochs}, loss ${p.loss.toFixed(3)}`),
    );
    const report = await pipe.train().finally(() => progress.unsubscribe());
    pipe.start(canvas);
    say(
      `Trained on ${report.examples} examples in ${Math.round(report.ms)} ms. Running: switch shapes with 1, 2, 3; r stops.`,
    );
  } catch (e) {
    say(`${e.name}: ${e.message}`, true);
  } finally {
    busy = false;
  }
}

function toggleRun() {
  if (!pipe || busy) return;
  try {
    if (pipe.running) {
      pipe.stop();
      say('Stopped. Hold 1, 2 or 3 to add examples, t to retrain, r to run again.');
    } else {
      pipe.start(canvas);
      say('Running.');
    }
  } catch (e) {
    say(`${e.name}: ${e.message}`, true);
  }
}

/** One row per label: examples recorded, and the latest confidence as a bar. */
const table = { counts: {}, confidences: {} };
function showTable(counts, confidences) {
  if (counts) table.counts = counts;
  if (confidences) table.confidences = confidences;
  const labels = [...new Set([...LABELS, ...Object.keys(table.counts)])];
  $('labels').innerHTML = labels
    .map((label) => {
      const c = table.confidences[label];
      const bar =
        c === undefined ? '' : `<span class="bar" style="width:${Math.round(c * 120)}px"></span> ${c.toFixed(2)}`;
      return `<tr data-label="${label}" data-confidence="${c ?? ''}"><td>${keyFor(label)}</td><td>${label}</td><td>${table.counts[label] ?? 0} examples</td><td>${bar}</td></tr>`;
    })
    .join('');
}

function keyFor(label) {
  const k = Object.keys(SHAPES).find((n) => SHAPES[n] === label);
  return k ? `<kbd>${k}</kbd>` : '';
}
