import { TestScheduler } from 'rxjs/testing';
import { Subject, map, of } from 'rxjs';
import { describe, expect, test } from 'vitest';
import { processLatest } from '../../src/streams/intake/newest-wins';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('processLatest', () => {
  test('processes one value at a time and, when busy, only the newest waiting one', () => {
    const dropped: string[] = [];
    scheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  a-bcd------e---|');
      const work = () => cold('---(r|)');
      const expected = '   ---A--C--D----E|';
      const out = source.pipe(
        processLatest(
          (v) => work().pipe(map(() => v.toUpperCase())),
          (v) => dropped.push(v),
        ),
      );
      expectObservable(out).toBe(expected);
    });
    expect(dropped).toEqual(['b']);
  });

  test('drops the waiting value on unsubscribe and stops the work in flight', () => {
    const dropped: string[] = [];
    scheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('  ab----');
      const work = cold('   ----r|');
      const unsub = '       --!';
      const out = source.pipe(
        processLatest(
          () => work,
          (v) => dropped.push(v),
        ),
      );
      expectObservable(out, unsub).toBe('------');
      expectSubscriptions(work.subscriptions).toBe('^-!');
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
    expect(dropped).toEqual(['b']);
  });

  test('completes after the last waiting value is processed', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold(' ab|');
      const out = source.pipe(processLatest((v) => cold('--(x|)', { x: v })));
      expectObservable(out).toBe('--a-(b|)');
    });
  });

  test('passes on errors from the source and from the work', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      expectObservable(hot('a-#').pipe(processLatest((v) => cold('----(x|)', { x: v })))).toBe('--#');
      expectObservable(hot('a---').pipe(processLatest(() => cold('-#')))).toBe('-#');
    });
  });
});

describe('processLatest with an inner that completes synchronously', () => {
  test('goes on to the next value instead of staying busy for ever', () => {
    const dropped: string[] = [];
    scheduler().run(({ hot, expectObservable }) => {
      const source = hot(' a-b-c-|');
      const expected = '    A-B-C-|';
      const out = source.pipe(
        processLatest(
          (v) => of(v.toUpperCase()),
          (v) => dropped.push(v),
        ),
      );
      expectObservable(out).toBe(expected);
    });
    expect(dropped).toEqual([]);
  });

  test('a synchronous inner that makes the source emit again still processes that value next', () => {
    const source = new Subject<number>();
    const seen: number[] = [];
    source
      .pipe(
        processLatest((n) => {
          if (n < 3) source.next(n + 1); // emitted while busy: waits, then runs
          return of(n * 10);
        }),
      )
      .subscribe((v) => seen.push(v));
    source.next(1);
    expect(seen).toEqual([10, 20, 30]);
  });
});
