import type { ObjectLiteral, Repository } from 'typeorm';

/**
 * pending/running → running for a run table (evaluations, optimizations), keeping the first
 * start time; false when the run already ended (a late or repeated attempt has nothing to do).
 */
export async function markRunStarted(
  runs: Repository<ObjectLiteral>,
  id: number,
): Promise<boolean> {
  const result = await runs
    .createQueryBuilder()
    .update()
    .set({ status: 'running', startedAt: () => 'COALESCE(started_at, now())' })
    .where('id = :id AND status IN (:...open)', { id, open: ['pending', 'running'] })
    .execute();
  return (result.affected ?? 0) > 0;
}
