import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReportDocumentEntity } from '../entities/report-document.entity';

export type NewReportDocument = Pick<
  ReportDocumentEntity,
  'evaluationId' | 'compareTo' | 'format' | 'contentType' | 'filename' | 'body'
>;

@Injectable()
export class ReportDocumentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ReportDocumentEntity);
  }

  async create(values: NewReportDocument): Promise<ReportDocumentEntity> {
    return this.repo.save(this.repo.create(values));
  }

  /** A report of an evaluation in a live project of the workspace. */
  findInWorkspace(workspaceId: number, id: number): Promise<ReportDocumentEntity | null> {
    return this.repo
      .createQueryBuilder('r')
      .innerJoin('r.evaluation', 'e')
      .innerJoin('e.project', 'p', 'p.deleted_at IS NULL AND p.workspace_id = :workspaceId', {
        workspaceId,
      })
      .where('r.id = :id', { id })
      .getOne();
  }
}
