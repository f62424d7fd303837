import { SingleBar } from 'cli-progress';

/**
 * Progress of a long run: a bar redrawn in place on a terminal, plain lines otherwise (CI logs),
 * one per change of the whole percent, so a log never fills with carriage returns.
 */
export interface Progress {
  update(percent: number, detail?: string): void;
  stop(): void;
}

export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
}

export function createProgress(label: string, stream: ProgressStream): Progress {
  if (stream.isTTY) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {percentage}% {detail}`,
      stream: stream as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: false,
    });
    bar.start(100, 0, { detail: '' });
    return {
      update: (percent, detail = '') => bar.update(Math.round(percent), { detail }),
      stop: () => bar.stop(),
    };
  }
  let last = -1;
  return {
    update(percent, detail) {
      const whole = Math.floor(percent);
      if (whole === last) return;
      last = whole;
      stream.write(`${label}: ${whole}%${detail ? ` ${detail}` : ''}\n`);
    },
    stop() {},
  };
}
