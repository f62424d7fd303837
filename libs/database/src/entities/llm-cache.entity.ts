import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** Content-addressed cache of model responses; the key is a sha256 of the full request. */
@Index('ix_llm_cache_expires', ['expiresAt'])
@Entity({ name: 'llm_cache' })
export class LlmCacheEntity {
  @PrimaryColumn({ type: 'char', length: 64 })
  key!: string;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ type: 'text' })
  model!: string;

  @Column({ type: 'jsonb' })
  response!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  usage!: Record<string, unknown>;

  @Column({ name: 'hit_count', type: 'integer' })
  hitCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}
