import { Injectable } from '@nestjs/common';
import { type JobContext, type JobProcessor, type PingPayload, pingJob } from '@ps/queue';

/** `maintenance` queue: waits `duration_ms` in `steps` with progress after each, optionally failing early attempts. */
@Injectable()
export class PingProcessor implements JobProcessor<typeof pingJob> {
  readonly definition = pingJob;

  async handle(ctx: JobContext<PingPayload>): Promise<Record<string, unknown>> {
    const started = Date.now();
    if (ctx.attempt <= ctx.payload.fail_attempts) {
      throw new Error(`Failing attempt ${ctx.attempt} of ${ctx.payload.fail_attempts} on request.`);
    }
    const step = ctx.payload.duration_ms / ctx.payload.steps;
    for (let i = 1; i <= ctx.payload.steps; i++) {
      ctx.throwIfCancelled();
      if (step > 0) await new Promise((resolve) => setTimeout(resolve, step));
      await ctx.progress(Math.round((i / ctx.payload.steps) * 100));
    }
    return {
      message: ctx.payload.message,
      pong: true,
      attempt: ctx.attempt,
      worker: ctx.processName,
      took_ms: Date.now() - started,
    };
  }
}
