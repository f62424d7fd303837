import { Column, Entity, Index } from 'typeorm';
import { TimestampedEntity } from './base.columns';

@Index('uq_users_email', { synchronize: false })
@Entity({ name: 'users' })
export class UserEntity extends TimestampedEntity {
  /** Unique case-insensitively (index on lower(email) in the migration). */
  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  /** Subject claim of an external identity provider (JWT `sub`), when the user comes from one. */
  @Column({ name: 'external_subject', type: 'text', nullable: true, unique: true })
  externalSubject!: string | null;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;
}
