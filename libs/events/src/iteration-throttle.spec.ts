import { IterationThrottle } from './iteration-throttle';

const emitted = (throttle: IterationThrottle, total: number) =>
  Array.from({ length: total }, (_, i) => i + 1).filter((i) => throttle.shouldEmit(i));

describe('IterationThrottle', () => {
  it('sends every n-th update plus the first and the last', () => {
    expect(emitted(new IterationThrottle(10, 3), 10)).toEqual([1, 3, 6, 9, 10]);
  });

  it('defaults to about 50 updates per run', () => {
    const throttle = new IterationThrottle(1000);
    expect(throttle.every).toBe(20);
    expect(emitted(throttle, 1000)).toHaveLength(51);
  });

  it('sends everything for short runs or a factor of 1', () => {
    expect(emitted(new IterationThrottle(5), 5)).toEqual([1, 2, 3, 4, 5]);
    expect(emitted(new IterationThrottle(100, 1), 100)).toHaveLength(100);
  });

  it('treats a factor below 1 as 1', () => {
    expect(new IterationThrottle(10, 0).every).toBe(1);
  });
});
