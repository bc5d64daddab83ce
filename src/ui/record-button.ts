/**
 * Press-and-hold: recording lasts while the pointer, Space or Enter is held on the button (or a shortcut
 * key elsewhere, see class-cards.ts), and stops when it is let go, the pointer is lost or focus leaves.
 */

export interface Hold {
  start(): void;
  stop(): void;
}

export function holdToRecord(button: HTMLButtonElement, hold: Hold, signal: AbortSignal): void {
  let holding = false;
  const start = () => {
    if (holding) return;
    holding = true;
    button.setAttribute('aria-pressed', 'true');
    hold.start();
  };
  const stop = () => {
    if (!holding) return;
    holding = false;
    button.setAttribute('aria-pressed', 'false');
    hold.stop();
  };
  const on = <K extends keyof HTMLElementEventMap>(type: K, fn: (e: HTMLElementEventMap[K]) => void) =>
    button.addEventListener(type, fn, { signal });
  button.setAttribute('aria-pressed', 'false');
  on('pointerdown', (e) => {
    if (e.button !== 0) return;
    button.setPointerCapture(e.pointerId);
    start();
  });
  on('pointerup', stop);
  on('pointercancel', stop);
  on('lostpointercapture', stop);
  on('keydown', (e) => {
    if (e.key !== ' ' && e.key !== 'Enter') return;
    e.preventDefault(); // no click, no scrolling
    if (!e.repeat) start();
  });
  on('keyup', (e) => {
    if (e.key === ' ' || e.key === 'Enter') stop();
  });
  on('blur', stop);
  on('contextmenu', (e) => e.preventDefault()); // a long touch is a hold, not a menu
}
