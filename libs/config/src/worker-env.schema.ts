import { z } from 'zod';
import { codeEvalEnvShape } from './code-eval-env.schema';
import { envInt } from './env-helpers';
import { sharedEnvShape } from './shared-env.schema';

export const workerEnvSchema = z.object({
  ...sharedEnvShape,
  WORKER_HOST: z.string().trim().min(1).default('127.0.0.1'),
  WORKER_PORT: envInt(8001, 0, 65535),
  ...codeEvalEnvShape,
});

export type WorkerEnv = z.infer<typeof workerEnvSchema>;
