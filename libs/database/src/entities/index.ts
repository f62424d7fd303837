import { ApiKeyEntity } from './api-key.entity';
import { AuditEventEntity } from './audit-event.entity';
import { EvaluationResultEntity } from './evaluation-result.entity';
import { EvaluationEntity } from './evaluation.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { JobEntity } from './job.entity';
import { LlmCacheEntity } from './llm-cache.entity';
import { MembershipEntity } from './membership.entity';
import { OptimizationCandidateEntity } from './optimization-candidate.entity';
import { OptimizationEntity } from './optimization.entity';
import { ProjectEntity } from './project.entity';
import { PromptVersionEntity } from './prompt-version.entity';
import { PromptEntity } from './prompt.entity';
import { ReportDocumentEntity } from './report-document.entity';
import { SignatureEntity } from './signature.entity';
import { TestCaseEntity } from './test-case.entity';
import { UserEntity } from './user.entity';
import { WorkspaceEntity } from './workspace.entity';

export * from './api-key.entity';
export * from './audit-event.entity';
export * from './evaluation-result.entity';
export * from './evaluation.entity';
export * from './idempotency-key.entity';
export * from './job.entity';
export * from './llm-cache.entity';
export * from './membership.entity';
export * from './optimization-candidate.entity';
export * from './optimization.entity';
export * from './project.entity';
export * from './prompt-version.entity';
export * from './prompt.entity';
export * from './report-document.entity';
export * from './signature.entity';
export * from './test-case.entity';
export * from './user.entity';
export * from './workspace.entity';

export const ENTITIES = [
  WorkspaceEntity,
  UserEntity,
  MembershipEntity,
  ApiKeyEntity,
  ProjectEntity,
  SignatureEntity,
  PromptEntity,
  PromptVersionEntity,
  TestCaseEntity,
  EvaluationEntity,
  EvaluationResultEntity,
  OptimizationEntity,
  OptimizationCandidateEntity,
  JobEntity,
  IdempotencyKeyEntity,
  LlmCacheEntity,
  AuditEventEntity,
  ReportDocumentEntity,
];
