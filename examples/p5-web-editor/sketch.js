// trainwhistle in the p5.js web editor: teach the webcam two classes with the mouse, train, and send what it
// sees to Max, Pure Data or TouchDesigner as OSC, through the bridge on your computer.
//
// Hold the mouse on the left half of the picture to record examples of class A (show the camera something),
// on the right half for class B (show it something else). Then press Train: the sketch predicts from then on.
// Press on the picture again to add examples (predicting pauses), and Train again.
//
// The library comes from jsDelivr, as any npm package does; MobileNet's weights come from their official
// address the first time, then from this browser's cache. README.md beside this file says more.

/** trainwhistle's standalone build: the library, its worker and its .wasm files, side by side on the CDN. */
const LIBRARY = 'https://cdn.jsdelivr.net/npm/trainwhistle@0.1.0/dist/standalone/trainwhistle.js';
/**
 * Where MobileNet's weights are. '': the official address, then this browser's cache. Or a folder of your own,
 * laid out as `npm run models` lays it out and served with CORS (GitHub Pages does), e.g.
 * 'https://you.github.io/models/'.
 */
const MODELS = '';
/** The bridge on your computer: `npx trainwhistle bridge --allow-origin https://preview.p5js.org`. */
const BRIDGE = 'ws://127.0.0.1:8080';
/** The two classes, for the left and the right half. Max, Pd and TouchDesigner receive these names. */
const CLASSES = ['A', 'B'];

let video;
let trainButton;
let statusLine;
let oscLine;
/** The pipeline, once the library and MobileNet have loaded. */
let pipe = null;
/** `{ label, rec }` while the mouse is held on the picture. */
let recording = null;
let counts = {};
/** The latest prediction, while predicting. */
let prediction = null;
let busy = false;

function setup() {
  createCanvas(640, 480);
  video = createCapture(VIDEO);
  video.hide();
  trainButton = createButton('Train');
  trainButton.mousePressed(train);
  trainButton.attribute('disabled', '');
  statusLine = createP('Loading trainwhistle and MobileNet…').id('status');
  oscLine = createP('').id('osc');
  // Not in preload(): p5 1.x's waits only for p5's own loaders, and p5 2 has none. draw() runs meanwhile.
  start().catch((e) => say(`${e.name}: ${e.message}`, true));
}

async function start() {
  const { createPipeline, oscOutput } = await import(LIBRARY);
  pipe = await createPipeline(MODELS ? { modelBaseUrl: MODELS } : {});
  const model = pipe.info.model;
  const from = { cache: "this browser's cache", remote: 'the official address', local: model.url }[model.source];
  say(
    `MobileNet loaded from ${from}. Hold the mouse on the left half to record ${CLASSES[0]}, right for ${CLASSES[1]}.`,
  );
  trainButton.removeAttribute('disabled');

  pipe.counts$.subscribe((c) => (counts = c.perLabel));
  pipe.predictions$.subscribe((p) => (prediction = p));

  const osc = oscOutput({ url: BRIDGE, prefix: '/tw' });
  osc.attach(pipe.predictions$);
  osc.status$.subscribe(({ status, sent, reason }) => {
    oscLine.elt.textContent =
      status === 'connected'
        ? `OSC: connected to the bridge, ${sent} predictions sent.`
        : `OSC: not connected${reason ? `: ${reason}` : ''}.`;
  });
}

function draw() {
  background(30);
  // Mirrored, as a person expects to see themself. The model sees the camera's own picture (video.elt).
  push();
  translate(width, 0);
  scale(-1, 1);
  image(video, 0, 0, width, height);
  pop();

  noStroke();
  textAlign(CENTER, CENTER);
  CLASSES.forEach((label, i) => {
    const x = (i * width) / 2;
    if (recording?.label === label) {
      fill(255, 60, 60, 80);
      rect(x, 0, width / 2, height);
    }
    fill(0, 160);
    rect(x, height - 36, width / 2, 36);
    fill(255);
    textSize(16);
    const n = counts[label] ?? 0;
    text(n ? `${label}: ${n} examples` : `hold the mouse here for ${label}`, x + width / 4, height - 18);
  });
  stroke(255, 140);
  line(width / 2, 0, width / 2, height - 36);

  if (pipe?.running && prediction) {
    noStroke();
    fill(0, 160);
    rect(0, 0, width, 56);
    fill(255);
    textSize(32);
    text(`${prediction.label}  ${Math.round(prediction.confidences[prediction.label] * 100)} %`, width / 2, 28);
  }
}

function mousePressed() {
  const onPicture = mouseX >= 0 && mouseX < width && mouseY >= 0 && mouseY < height;
  if (!pipe || busy || recording || !onPicture) return;
  // New examples would otherwise be taught while the model predicts: pause it until Train.
  if (pipe.running) pipe.stop();
  const label = mouseX < width / 2 ? CLASSES[0] : CLASSES[1];
  const rec = pipe.record(label, video.elt);
  recording = { label, rec };
  rec.count$.subscribe((n) => say(`Recording ${label}: ${n} examples… (let go to stop)`));
}

function mouseReleased() {
  if (!recording) return;
  const { label, rec } = recording;
  recording = null;
  rec.stop().then(
    (n) => say(`Recorded ${n} examples of ${label}. Record the other class, then press Train.`),
    (e) => say(`${e.name}: ${e.message}`, true),
  );
}

async function train() {
  if (!pipe || busy || recording) return;
  busy = true;
  trainButton.attribute('disabled', '');
  try {
    pipe.stop();
    const progress = pipe.training$.subscribe((p) => say(`Training: epoch ${p.epoch}/${p.epochs}`));
    const report = await pipe.train().finally(() => progress.unsubscribe());
    pipe.start(video.elt);
    say(`Trained on ${report.examples} examples. Predicting: press on the picture to add examples.`);
    trainButton.html('Train again');
  } catch (e) {
    say(`${e.name}: ${e.message}`, true);
  } finally {
    busy = false;
    trainButton.removeAttribute('disabled');
  }
}

function say(text, isError = false) {
  statusLine.elt.textContent = text;
  statusLine.elt.classList.toggle('error', isError);
}
