import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { toPage } from '@ps/common';
import { AuditRepository, type AuditEventEntity } from '@ps/database';
import { RequirePermission } from '../../auth/permissions';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiProblems } from '../../http/api-problems.decorator';
import { pageRequest } from '../../http/dto/page-query.dto';
import { AuditEventPageDto, type AuditEventResponseDto, ListAuditQueryDto } from './dto/audit.dto';

function toAuditEvent(event: AuditEventEntity): AuditEventResponseDto {
  return {
    id: event.id,
    action: event.action,
    entity_type: event.entityType,
    entity_id: event.entityId,
    actor_user_id: event.actorUserId,
    actor_api_key_id: event.actorApiKeyId,
    request_id: event.requestId,
    details: event.details,
    at: event.at.toISOString(),
  };
}

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditRepository) {}

  /** Who changed what, newest first. Admins and owners only. */
  @Get('list')
  @ApiOperation({
    summary: 'List audit events, newest first',
    description: 'Who changed what, newest first. Admins and owners only.',
  })
  @RequirePermission('manage')
  @ApiOkResponse({ type: AuditEventPageDto })
  @ApiProblems(401, 403)
  async listAuditEvents(@CurrentActor() actor: Actor, @Query() query: ListAuditQueryDto) {
    const page = pageRequest(query);
    const { rows, total } = await this.audit.list(
      actor.workspaceId,
      {
        action: query.action,
        entityType: query.entity_type,
        entityId: query.entity_id,
        actorUserId: query.actor_user_id,
        since: query.since ? new Date(query.since) : undefined,
        until: query.until ? new Date(query.until) : undefined,
      },
      page,
    );
    return toPage(rows, total, page, toAuditEvent);
  }
}
