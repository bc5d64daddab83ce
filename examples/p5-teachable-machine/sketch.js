// A model taught in trainwhistle (Export model → <project>-tm.zip, unzipped into model/), or one made in
// Teachable Machine, running in a p5.js sketch with ml5: the webcam's centre square is classified, and the
// label drawn. Teach in the studio, run in any sketch.
//
// No bundler and no build step: any static server will do (README.md says how). p5 and ml5 come from the
// project's node_modules (devDependencies), so nothing is fetched from the internet.
/* global ml5 */
import p5 from '../../node_modules/p5/lib/p5.esm.min.js';

/** The unzipped export beside this page, or `?model=<URL of a model.json or of a model's folder>`. */
const params = new URLSearchParams(location.search);
const given = params.get('model');
const MODEL_URL = new URL(
  given ? (given.endsWith('.json') ? given : `${given.replace(/\/?$/, '/')}model.json`) : 'model/model.json',
  location.href,
).href;
/** The square the model sees: what Teachable Machine and the studio see, the picture's centre. */
const SIZE = 224;

let classifier = null;
let video = null;
let square = null;
let busy = false;

const $ = (id) => document.getElementById(id);

function say(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

/** The label and every class's confidence, beside the sketch (HTML, so that it is read out and can be styled). */
function show(results) {
  const best = results[0];
  $('label').textContent = best.label;
  $('label').dataset.label = best.label;
  $('labels').replaceChildren(
    ...results.map(({ label, confidence }) => {
      const row = document.createElement('tr');
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${Math.round(confidence * 120)}px`;
      row.append(
        Object.assign(document.createElement('td'), { textContent: label }),
        Object.assign(document.createElement('td'), { textContent: `${Math.round(confidence * 100)} %` }),
      );
      row.lastChild.prepend(bar, ' ');
      return row;
    }),
  );
}

/** Loads the model, or says what to do when there is none where the sketch looks. */
async function load() {
  const response = await fetch(MODEL_URL).catch((e) => ({ ok: false, statusText: e.message }));
  if (!response.ok) {
    say(
      `No model at ${MODEL_URL} (${response.status ?? ''} ${response.statusText}). Unzip the <project>-tm.zip that Export model gives into model/ beside this page, or give ?model=<its URL>.`,
      true,
    );
    return;
  }
  // Outside p5's preload, ml5 1.x gives a promise of the classifier. It reads metadata.json beside model.json.
  classifier = await ml5.imageClassifier(MODEL_URL);
  say(`Running ${MODEL_URL}.`);
}

new p5((s) => {
  s.setup = () => {
    s.createCanvas(360, 360);
    video = s.createCapture(s.VIDEO);
    video.hide();
    square = s.createGraphics(SIZE, SIZE);
    load().catch((e) => say(`The model did not load: ${e.name}: ${e.message}`, true));
  };

  s.draw = () => {
    s.background(20);
    if (!video || video.elt.readyState < 2) return;
    // The centre square of the picture: drawn here, and given to the model.
    const [w, h] = [video.elt.videoWidth, video.elt.videoHeight];
    const side = Math.min(w, h);
    const [sx, sy] = [(w - side) / 2, (h - side) / 2];
    s.image(video, 0, 0, s.width, s.height, sx, sy, side, side);
    if (classifier && !busy) {
      busy = true;
      square.image(video, 0, 0, SIZE, SIZE, sx, sy, side, side);
      classifier
        .classify(square.elt)
        .then(show, (e) => say(`${e.name}: ${e.message}`, true))
        .finally(() => (busy = false));
    }
    const label = $('label').dataset.label;
    if (label) {
      s.noStroke();
      s.fill(0, 160);
      s.rect(0, s.height - 48, s.width, 48);
      s.fill(255);
      s.textSize(28);
      s.textAlign(s.LEFT, s.CENTER);
      s.text(label, 14, s.height - 24);
    }
  };
}, $('sketch'));
