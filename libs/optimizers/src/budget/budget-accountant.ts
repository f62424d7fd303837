import { BudgetExhaustedError } from '@ps/evaluation';
import type { BudgetLimits, BudgetUsage, BudgetView } from '../types';

/** What one call may cost at most, reserved before it is made. */
export interface CallEstimate {
  tokens: number;
  usd: number;
}

/** A call in flight: its worst-case cost is held until the real usage is known. */
export interface Reservation {
  readonly id: number;
  readonly tokens: number;
  readonly usd: number;
}

/** An amount kept out of the search phase's reach (for the runner's final re-scoring). */
export interface BudgetHold {
  calls?: number;
  tokens?: number;
  usd?: number;
  duration_s?: number;
}

export interface BudgetAccountantOptions {
  /** Clock in milliseconds (tests pass a fake one). */
  now?: () => number;
  /** Seconds spent by earlier attempts of the same run (a resumed run keeps its clock). */
  priorDurationS?: number;
}

/**
 * The one place that says yes or no to an LLM call. A call reserves its worst case before it is
 * made and settles with the real usage afterwards; a call whose reservation would cross a limit
 * is refused (BudgetExhaustedError) and never made. Reservations are taken synchronously, so any
 * number of concurrent calls together stay within every limit.
 *
 * A hold keeps part of the budget out of reach: while it is set, `limits` (what strategies see)
 * are the full limits minus the hold, and reservations must fit under them.
 *
 * Token and money limits are exact as long as a call's real usage stays within its reservation,
 * which budgetedChat's estimate makes a worst case (the output is capped by max_tokens).
 */
export class BudgetAccountant implements BudgetView {
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly priorDurationS: number;
  private nextId = 1;
  private readonly open = new Map<number, Reservation>();
  private calls = 0;
  private tokens = 0;
  private usd = 0;
  private iterations = 0;
  private reservedTokens = 0;
  private reservedUsd = 0;
  /** Sum of every reservation ever made: the worst case of the calls made so far. */
  private worstTokens = 0;
  private worstUsd = 0;
  private smallestTokens = Infinity;
  private cheapestUsd = Infinity;
  private smallestUsd = Infinity;
  private hold: () => BudgetHold = () => ({});
  private refusals = 0;

  constructor(
    readonly fullLimits: BudgetLimits,
    options: BudgetAccountantOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.priorDurationS = options.priorDurationS ?? 0;
  }

  /** The limits in force: the full limits minus the current hold. */
  get limits(): BudgetLimits {
    const l = this.fullLimits;
    const hold = this.hold();
    const out: BudgetLimits = { ...l };
    const less = (limit: number | undefined, held: number | undefined) =>
      limit === undefined ? undefined : Math.max(0, limit - (held ?? 0));
    if (l.max_llm_calls !== undefined) out.max_llm_calls = less(l.max_llm_calls, hold.calls);
    if (l.max_tokens !== undefined) out.max_tokens = less(l.max_tokens, hold.tokens);
    if (l.max_usd !== undefined) out.max_usd = less(l.max_usd, hold.usd);
    if (l.max_duration_s !== undefined) {
      out.max_duration_s = less(l.max_duration_s, hold.duration_s);
    }
    return out;
  }

  /**
   * Keeps an amount out of reach until releaseHold(); replaces any earlier hold. A function is
   * asked again at every check, so a hold may grow as a run goes (it never takes back what a
   * call already reserved).
   */
  setHold(hold: BudgetHold | (() => BudgetHold)): void {
    this.hold = typeof hold === 'function' ? hold : () => hold;
  }

  releaseHold(): void {
    this.hold = () => ({});
  }

  elapsedS(): number {
    return this.priorDurationS + (this.now() - this.startedAt) / 1000;
  }

  used(): BudgetUsage {
    return {
      llm_calls: this.calls,
      tokens: this.tokens,
      usd: Math.round(this.usd * 1e9) / 1e9,
      iterations: this.iterations,
      duration_s: this.elapsedS(),
    };
  }

  /** Calls in flight (reserved, not settled). */
  inFlight(): number {
    return this.open.size;
  }

  /** Reserved-and-settled worst case of every call made so far (the estimate's maximum). */
  worstCase(): { tokens: number; usd: number } {
    return { tokens: this.worstTokens, usd: Math.round(this.worstUsd * 1e9) / 1e9 };
  }

  /** The least a settled call cost (USD), or null before any priced call. */
  cheapestCallUsd(): number | null {
    return Number.isFinite(this.cheapestUsd) ? this.cheapestUsd : null;
  }

  /** How many calls were refused. */
  refused(): number {
    return this.refusals;
  }

  /** The limit a call of this size would cross, or null when it fits. */
  wouldCross(estimate: CallEstimate): keyof BudgetLimits | null {
    const l = this.limits;
    if (l.max_duration_s !== undefined && this.elapsedS() >= l.max_duration_s) {
      return 'max_duration_s';
    }
    if (l.max_llm_calls !== undefined && this.calls + this.open.size + 1 > l.max_llm_calls) {
      return 'max_llm_calls';
    }
    if (
      l.max_tokens !== undefined &&
      this.tokens + this.reservedTokens + estimate.tokens > l.max_tokens
    ) {
      return 'max_tokens';
    }
    if (l.max_usd !== undefined && this.usd + this.reservedUsd + estimate.usd > l.max_usd + 1e-12) {
      return 'max_usd';
    }
    return null;
  }

  /** Reserves one call's worst case, or throws BudgetExhaustedError naming the limit it would cross. */
  reserve(estimate: CallEstimate): Reservation {
    const tokens = Math.max(0, Math.ceil(estimate.tokens));
    const usd = Math.max(0, estimate.usd);
    this.smallestTokens = Math.min(this.smallestTokens, tokens);
    this.smallestUsd = Math.min(this.smallestUsd, usd);
    const crossed = this.wouldCross({ tokens, usd });
    if (crossed) {
      this.refusals++;
      throw new BudgetExhaustedError(crossed);
    }
    const reservation: Reservation = { id: this.nextId++, tokens, usd };
    this.open.set(reservation.id, reservation);
    this.reservedTokens += tokens;
    this.reservedUsd += usd;
    this.worstTokens += tokens;
    this.worstUsd += usd;
    return reservation;
  }

  /** Replaces a reservation by the call's real usage (the call counts even when it failed). */
  settle(reservation: Reservation, actual: CallEstimate): void {
    if (!this.open.delete(reservation.id)) {
      throw new Error(`Reservation ${reservation.id} is not open.`);
    }
    this.reservedTokens -= reservation.tokens;
    this.reservedUsd -= reservation.usd;
    this.calls++;
    this.tokens += Math.max(0, actual.tokens);
    this.usd += Math.max(0, actual.usd);
    if (actual.usd > 0) this.cheapestUsd = Math.min(this.cheapestUsd, actual.usd);
  }

  /** Share of the tightest limit still available, in [0, 1] (1 without limits). */
  remainingShare(): number {
    const l = this.limits;
    const shares: number[] = [];
    const share = (limit: number | undefined, spent: number) => {
      if (limit === undefined) return;
      shares.push(limit <= 0 ? 0 : (limit - spent) / limit);
    };
    share(l.max_llm_calls, this.calls + this.open.size);
    share(l.max_tokens, this.tokens + this.reservedTokens);
    share(l.max_usd, this.usd + this.reservedUsd);
    share(l.max_iterations, this.iterations);
    share(l.max_duration_s, this.elapsedS());
    if (shares.length === 0) return 1;
    return Math.min(1, Math.max(0, Math.min(...shares)));
  }

  /**
   * True once no more call fits: a call, token, money or time limit is reached, or even the
   * smallest call seen so far would cross one. `max_iterations` is not a reason: it stops the
   * next iteration from starting (startIteration), never the calls of the iteration under way,
   * so `max_iterations: N` runs N whole iterations.
   */
  exhausted(): boolean {
    return this.exhaustedBy() !== null;
  }

  /** The limit that is reached (see exhausted()), or null. */
  exhaustedBy(): keyof BudgetLimits | null {
    const smallest = {
      tokens: Number.isFinite(this.smallestTokens) ? this.smallestTokens : 0,
      usd: Number.isFinite(this.smallestUsd) ? this.smallestUsd : 0,
    };
    return this.wouldCross(smallest);
  }

  /** Counts one iteration; false (and nothing counted) when max_iterations or the time is up. */
  startIteration(): boolean {
    const l = this.limits;
    if (l.max_iterations !== undefined && this.iterations >= l.max_iterations) return false;
    if (l.max_duration_s !== undefined && this.elapsedS() >= l.max_duration_s) return false;
    this.iterations++;
    return true;
  }
}
