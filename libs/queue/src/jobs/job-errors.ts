/** A failure no retry can fix (invalid payload, missing entity): the job fails at once. */
export class PermanentJobError extends Error {
  readonly permanent = true;

  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** Thrown by `ctx.throwIfCancelled()` when the job was cancelled while it ran. */
export class JobCancelledError extends PermanentJobError {
  constructor() {
    super('The job was cancelled.');
    this.name = 'JobCancelledError';
  }
}

export function isPermanent(error: unknown): boolean {
  return (error as { permanent?: unknown } | null)?.permanent === true;
}
