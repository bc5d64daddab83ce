/**
 * What the app shows as each output's "last message sent": `OutputState.last`, the text of what really
 * went out — checked against what a real bridge delivered to a UDP receiver and a WebSocket client.
 */
import OSC from 'osc-js';
import { filter, firstValueFrom } from 'rxjs';
import WebSocket from 'ws';
import { afterEach, describe, expect, test } from 'vitest';
import { jsonOutput } from '../../src/outputs/json-output';
import { freshMemory, oscText, toOscMessages } from '../../src/outputs/osc-messages';
import { oscOutput } from '../../src/outputs/osc-output';
import type { Output, OutputState } from '../../src/outputs/output';
import type { Prediction } from '../../src/protocol/engine-api';
import { cleanUp, connectPage, startBridge, udpPeer } from '../support/bridge';

globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;
afterEach(cleanUp);

const prediction = (label: string, confidences: Record<string, number>, t = 1000): Prediction => ({
  label,
  confidences,
  t,
  latencyMs: 5,
  timings: { fromPixels: 1, infer: 3, head: 1, total: 5 },
  tensors: 10,
});

const state = (output: Output, check: (s: OutputState) => boolean) =>
  firstValueFrom(output.status$.pipe(filter(check)));

describe('oscText', () => {
  test('one line a message: the address, strings quoted, floats to 3 decimals, ints as they are', () => {
    const messages = toOscMessages(prediction('café', { café: 0.91234, 'train whistle': 0.08766 }), freshMemory(), {
      prefix: '/tw',
      mode: 'tw',
      labelEveryFrame: false,
      perLabel: true,
    });
    expect(oscText(messages).split('\n')).toEqual([
      '/tw/labels "café" "train whistle"',
      '/tw/label "café"',
      '/tw/class 0',
      '/tw/confidence/café 0.912',
      '/tw/confidence/train_whistle 0.088',
      '/tw/confidences 0.912 0.088',
    ]);
  });

  test('Wekinator: the class number as a float', () => {
    const messages = toOscMessages(prediction('b', { a: 0.2, b: 0.8 }), freshMemory(), {
      prefix: '/tw',
      mode: 'wekinator',
      labelEveryFrame: false,
      perLabel: true,
    });
    expect(oscText(messages)).toBe('/wek/outputs 2.000');
  });
});

describe('OutputState.last', () => {
  test('osc: absent before anything is sent, then the messages of the last prediction, as the receiver got them', async () => {
    const udp = await udpPeer();
    const bridge = await startBridge(['--send', `127.0.0.1:${udp.port}`]);
    const output = oscOutput({ url: `ws://127.0.0.1:${bridge.wsPort}`, perLabel: false });
    output.connect();
    const connected = await state(output, (s) => s.status === 'connected');
    expect(connected.last).toBeUndefined();

    output.send(prediction('a', { a: 0.75, b: 0.25 }, 1));
    output.send(prediction('a', { a: 0.5, b: 0.5 }, 2));
    const after = await state(output, (s) => s.sent === 2);
    expect(after.last).toBe('/tw/confidences 0.500 0.500');

    // The receiver got the same: labels, label, class and confidences for the first, then confidences alone.
    const received: string[] = [];
    for (let i = 0; i < 5; i++) {
      const buf = await udp.inbox.next();
      const packet = new OSC.Packet();
      packet.unpack(new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
      const m = packet.value as InstanceType<typeof OSC.Message>;
      // As oscText writes them, from the types on the wire (',' first): floats to 3 decimals, strings quoted.
      const values = m.args.map((a, j) => {
        const type = m.types[j + 1];
        return type === 's' ? `"${a as string}"` : (a as number).toFixed(type === 'f' ? 3 : 0);
      });
      received.push([m.address, ...values].join(' '));
    }
    expect(received).toEqual([
      '/tw/labels "a" "b"',
      '/tw/label "a"',
      '/tw/class 0',
      '/tw/confidences 0.750 0.250',
      '/tw/confidences 0.500 0.500',
    ]);
    output.close();
  });

  test('a drop (not connected) leaves the last message as it was', async () => {
    const udp = await udpPeer();
    const bridge = await startBridge(['--send', `127.0.0.1:${udp.port}`]);
    const output = oscOutput({ url: `ws://127.0.0.1:${bridge.wsPort}`, mode: 'wekinator' });
    output.connect();
    await state(output, (s) => s.status === 'connected');
    output.send(prediction('b', { a: 0.2, b: 0.8 }));
    expect((await state(output, (s) => s.sent === 1)).last).toBe('/wek/outputs 2.000');
    await bridge.stop();
    await state(output, (s) => s.status !== 'connected');
    expect(output.send(prediction('a', { a: 0.9, b: 0.1 }))).toBe(false);
    const dropped = await state(output, (s) => s.dropped === 1);
    expect(dropped.last).toBe('/wek/outputs 2.000');
    output.close();
  });

  test('json: the JSON text itself, as the WebSocket client got it', async () => {
    const bridge = await startBridge([]);
    const sketch = await connectPage(bridge.wsPort);
    const output = jsonOutput({ url: `ws://127.0.0.1:${bridge.wsPort}` });
    output.connect();
    await state(output, (s) => s.status === 'connected');
    output.send(prediction('a', { a: 0.75, b: 0.25 }));
    const { last } = await state(output, (s) => s.sent === 1);
    expect(JSON.parse(last!)).toEqual({
      type: 'prediction',
      t: performance.timeOrigin + 1000,
      label: 'a',
      confidences: { a: 0.75, b: 0.25 },
      latencyMs: 5,
    });
    expect(String((await sketch.inbox.next()).data)).toBe(last);
    output.close();
  });
});
