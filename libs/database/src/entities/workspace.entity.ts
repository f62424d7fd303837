import { Column, Entity } from 'typeorm';
import { TimestampedEntity } from './base.columns';

@Entity({ name: 'workspaces' })
export class WorkspaceEntity extends TimestampedEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', unique: true })
  slug!: string;
}
