import {
  Column,
  CreateDateColumn,
  Generated,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { PrimaryGeneratedColumnIdentityOptions } from 'typeorm/decorator/options/PrimaryGeneratedColumnIdentityOptions';
import { numberTransformer } from './column-transformers';

/**
 * `bigint GENERATED ALWAYS AS IDENTITY` primary key exposed as a number. The decorator's typings
 * omit `transformer`, but TypeORM applies it to generated columns like any other.
 */
export const identityPrimaryColumn = (): PropertyDecorator =>
  PrimaryGeneratedColumn('identity', {
    type: 'bigint',
    generatedIdentity: 'ALWAYS',
    transformer: numberTransformer,
  } as PrimaryGeneratedColumnIdentityOptions);

/** Integer identity id for the API and a uuid for external references, on every table. */
export abstract class IdentifiedEntity {
  @identityPrimaryColumn()
  id!: number;

  @Column({ type: 'uuid', unique: true, update: false })
  @Generated('uuid')
  uuid!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export abstract class TimestampedEntity extends IdentifiedEntity {
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const bigintColumn = (name: string, nullable = false) =>
  Column({ name, type: 'bigint', nullable, transformer: numberTransformer });

/**
 * Declares the foreign key of a scalar id column (the column itself stays a plain number on the
 * entity). Relations exist so the schema builder knows every constraint the migrations create.
 */
export function references(
  target: () => new () => unknown,
  column: string,
  onDelete: 'CASCADE' | 'SET NULL',
): PropertyDecorator {
  return (prototype, property) => {
    ManyToOne(target, { onDelete, nullable: onDelete === 'SET NULL' })(prototype, property);
    JoinColumn({ name: column })(prototype, property);
  };
}
