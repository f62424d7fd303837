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
import { ReportBuilder, ReportNotReadyError } from './report-builder';
import {
  CONTENT_TYPES,
  renderComparisonCsv,
  renderCsv,
  renderReport,
  reportFilename,
} from './report';

/**
 * Renders a report in the background and stores the document (report_documents), for long runs
 * and for clients that want a file to fetch later. The job's result names the stored report.
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
    try {
      const report = b
        ? await this.builder.comparison(ctx.workspaceId, a, b)
        : await this.builder.evaluation(ctx.workspaceId, a);
      let body: Buffer;
      if (format === 'csv') {
        const chunks: Buffer[] = [];
        const lines =
          report.kind === 'comparison'
            ? renderComparisonCsv(report)
            : renderCsv(this.builder.allCases(a), this.builder.metricNames(a));
        for await (const line of lines) {
          ctx.throwIfCancelled();
          chunks.push(Buffer.from(line, 'utf8'));
        }
        body = Buffer.concat(chunks);
      } else {
        const rendered = await renderReport(report, format);
        body =
          typeof rendered.body === 'string' ? Buffer.from(rendered.body, 'utf8') : rendered.body;
      }
      const document = await this.documents.create({
        evaluationId: a.id,
        compareTo: b?.id ?? null,
        format,
        contentType: CONTENT_TYPES[format],
        filename: reportFilename(report, format),
        body,
      });
      return {
        report_id: document.id,
        filename: document.filename,
        content_type: document.contentType,
        bytes: body.length,
      };
    } catch (err) {
      if (err instanceof ReportNotReadyError) throw new PermanentJobError(err.message);
      throw err;
    }
  }
}
