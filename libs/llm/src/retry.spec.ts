import { LlmError } from './errors';
import { backoffMs, retryDelayMs, withRetries } from './retry';

const policy = { maxRetries: 3, baseMs: 100, maxWaitMs: 1000 };

describe('retry policy', () => {
  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffMs(policy, 0, () => 1)).toBe(100);
    expect(backoffMs(policy, 3, () => 1)).toBe(800);
    expect(backoffMs(policy, 10, () => 1)).toBe(1000);
    expect(backoffMs(policy, 3, () => 0)).toBe(0);
  });

  it('waits at least what the vendor asked, within the cap', () => {
    const hinted = new LlmError('rate_limited', 'x', { retryAfterMs: 700 });
    expect(retryDelayMs(policy, 0, hinted, () => 0)).toBe(700);
    expect(retryDelayMs(policy, 0, hinted, () => 1)).toBe(800);
    const long = new LlmError('rate_limited', 'x', { retryAfterMs: 50_000 });
    expect(retryDelayMs(policy, 0, long, () => 0)).toBe(1000);
  });

  it('retries retryable kinds and stops at the limit', async () => {
    let calls = 0;
    const fast = { ...policy, baseMs: 1 };
    await expect(
      withRetries(
        fast,
        () => {
          calls++;
          throw new LlmError('server', 'down');
        },
        (e) => e as LlmError,
      ),
    ).rejects.toMatchObject({ kind: 'server', details: { attempts: 4 } });
    expect(calls).toBe(4);
  });

  it('never retries terminal kinds', async () => {
    let calls = 0;
    await expect(
      withRetries(
        policy,
        () => {
          calls++;
          throw new LlmError('auth', 'bad key');
        },
        (e) => e as LlmError,
      ),
    ).rejects.toMatchObject({ kind: 'auth' });
    expect(calls).toBe(1);
  });

  it('returns the value and the attempts it took', async () => {
    let calls = 0;
    const result = await withRetries(
      { ...policy, baseMs: 1 },
      () => {
        if (++calls < 3) throw new LlmError('timeout', 'slow');
        return Promise.resolve('ok');
      },
      (e) => e as LlmError,
    );
    expect(result).toEqual({ value: 'ok', attempts: 3 });
  });
});
