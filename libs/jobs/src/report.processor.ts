import { Injectable } from '@nestjs/common';
import {
  EvaluationsRepository,
  ProjectsRepository,
  PromptsRepository,
  ReportDocumentsRepository,
} from '@ps/database';
import {
  type JobContext,
  type JobProcessor,
  PermanentJobError,
  type ReportJobPayload,
  reportJob,
} from '@ps/queue';
import { readBody, render, ReportBuilder, ReportNotReadyError } from '@ps/reports';

/**
 * `report` queue: renders a report in the background and stores the document (report_documents),
 * for long runs and for clients that want a file to fetch later. Load the runs, render, store; the
 * job's result names the stored report.
 */
@Injectable()
export class ReportProcessor implements JobProcessor<typeof reportJob> {
  readonly definition = reportJob;

  private readonly builder: ReportBuilder;

  constructor(
    private readonly evaluations: EvaluationsRepository,
    private readonly documents: ReportDocumentsRepository,
    prompts: PromptsRepository,
    projects: ProjectsRepository,
  ) {
    this.builder = new ReportBuilder(evaluations, prompts, projects);
  }

  async handle(ctx: JobContext<ReportJobPayload>): Promise<Record<string, unknown>> {
    const { evaluation_id: id, compare_to: otherId, format } = ctx.payload;
    const a = await this.evaluations.findById(id);
    const b = otherId !== undefined ? await this.evaluations.findById(otherId) : null;
    if (!a || (otherId !== undefined && !b))
      throw new PermanentJobError('The evaluation no longer exists.');
    let source;
    try {
      source = await this.builder.source(ctx.workspaceId, a, b);
    } catch (err) {
      if (err instanceof ReportNotReadyError) throw new PermanentJobError(err.message);
      throw err;
    }
    const rendered = await render(source.report, format, source.cases);
    const body = await readBody(rendered, ctx.throwIfCancelled);
    const document = await this.documents.create({
      evaluationId: a.id,
      compareTo: b?.id ?? null,
      format,
      contentType: rendered.contentType,
      filename: rendered.filename,
      body,
    });
    return {
      report_id: document.id,
      filename: document.filename,
      content_type: document.contentType,
      bytes: body.length,
    };
  }
}
