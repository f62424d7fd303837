import { Injectable } from '@nestjs/common';
import { ConflictError, type PageRequest, pageOffset } from '@ps/common';
import { DataSource, type QueryDeepPartialEntity } from 'typeorm';
import { SignatureEntity } from '../entities/signature.entity';
import { likePattern, uniqueViolation } from './database-errors';
import { isStorableId } from './projects.repository';

function duplicateName(name: string): ConflictError {
  return new ConflictError(`A signature named "${name}" already exists in this project.`, [
    { field: 'name', message: `A signature named "${name}" already exists.` },
  ]);
}

@Injectable()
export class SignaturesRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(SignatureEntity);
  }

  async create(values: Partial<SignatureEntity> & { projectId: number; name: string }) {
    try {
      return await this.repo.save(this.repo.create(values));
    } catch (err) {
      if (uniqueViolation(err) === 'uq_signatures_project_name') throw duplicateName(values.name);
      throw err;
    }
  }

  /** A live signature whose live project belongs to the workspace. */
  async findLive(workspaceId: number, id: number): Promise<SignatureEntity | null> {
    if (!isStorableId(id)) return null;
    return this.repo
      .createQueryBuilder('s')
      .innerJoin('projects', 'p', 'p.id = s.project_id AND p.deleted_at IS NULL')
      .where('s.id = :id AND p.workspace_id = :workspaceId', { id, workspaceId })
      .getOne();
  }

  async findAny(workspaceId: number, id: number): Promise<SignatureEntity | null> {
    if (!isStorableId(id)) return null;
    return this.repo
      .createQueryBuilder('s')
      .withDeleted()
      .innerJoin('projects', 'p', 'p.id = s.project_id AND p.deleted_at IS NULL')
      .where('s.id = :id AND p.workspace_id = :workspaceId', { id, workspaceId })
      .getOne();
  }

  async list(
    projectId: number,
    filter: { search?: string; sort: { field: 'name' | 'created_at'; direction: 'ASC' | 'DESC' } },
    page: PageRequest,
  ) {
    const qb = this.repo.createQueryBuilder('s').where('s.project_id = :projectId', { projectId });
    if (filter.search) {
      qb.andWhere(
        "(s.name ILIKE :pattern ESCAPE '\\' OR s.instruction ILIKE :pattern ESCAPE '\\')",
        {
          pattern: likePattern(filter.search),
        },
      );
    }
    qb.orderBy(filter.sort.field === 'name' ? 's.name' : 's.created_at', filter.sort.direction)
      .addOrderBy('s.id', filter.sort.direction)
      .skip(pageOffset(page))
      .take(page.perPage);
    const [rows, total] = await qb.getManyAndCount();
    return { rows, total };
  }

  /** Writes only the changed columns, so concurrent updates of other fields are kept. */
  async update(
    signature: SignatureEntity,
    changes: Partial<SignatureEntity>,
  ): Promise<SignatureEntity> {
    try {
      if (Object.keys(changes).length) {
        // jsonb columns take any JSON value; TypeORM's deep-partial type does not model that.
        await this.repo.update(
          { id: signature.id },
          changes as QueryDeepPartialEntity<SignatureEntity>,
        );
      }
      return await this.repo.findOneByOrFail({ id: signature.id });
    } catch (err) {
      if (uniqueViolation(err) === 'uq_signatures_project_name') {
        throw duplicateName(changes.name ?? signature.name);
      }
      throw err;
    }
  }

  async softDelete(id: number): Promise<void> {
    await this.repo.softDelete({ id });
  }

  async hardDelete(id: number): Promise<void> {
    await this.repo.delete({ id });
  }
}
