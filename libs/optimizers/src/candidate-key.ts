import { createHash } from 'node:crypto';
import { canonicalJson } from '@ps/common';
import type { Candidate } from './types';

/**
 * Content address of a candidate: sha256 over the canonical JSON of everything that changes what
 * is sent (instructions, demos, model and its parameters). Two candidates with the same key are
 * the same experiment, whatever object they came from.
 */
export function candidateKey(candidate: Candidate): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        systemPrompt: candidate.systemPrompt,
        userPrompt: candidate.userPrompt,
        fewShotExamples: candidate.fewShotExamples,
        model: candidate.model,
      }),
    )
    .digest('hex');
}
