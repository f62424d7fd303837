import { ApiHeader } from '@nestjs/swagger';

/** Documents the Idempotency-Key header every create route accepts. */
export const ApiIdempotencyKey = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Makes a create safe to retry: repeating the same key with the same body replays the ' +
      'first answer (header Idempotent-Replayed: true); the same key with another body is a 422.',
  });
