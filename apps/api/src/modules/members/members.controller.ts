import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequirePermission } from '../../auth/permissions';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiIdempotencyKey } from '../../http/api-idempotency.decorator';
import { ApiProblems } from '../../http/api-problems.decorator';
import { Audited } from '../../http/audit.interceptor';
import { PageQueryDto, pageRequest } from '../../http/dto/page-query.dto';
import { IdParamPipe } from '../../http/id-param.pipe';
import { Idempotent } from '../../http/idempotency.interceptor';
import {
  CreateMemberDto,
  MemberPageDto,
  MemberResponseDto,
  UpdateMemberDto,
  WorkspaceResponseDto,
} from './dto/member.dto';
import { MembersService } from './members.service';
import { ApiBodyExamples } from '../../http/api-body-examples.decorator';
import { ADD_MEMBER_EXAMPLES } from '../../openapi/request-examples';

@ApiTags('workspace')
@Controller()
export class MembersController {
  constructor(private readonly members: MembersService) {}

  /** The caller's workspace, role and permissions. */
  @Get('workspaces/current')
  @ApiOperation({
    summary: "Get the caller's workspace, role and permissions",
    description: "The caller's workspace, role and permissions.",
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: WorkspaceResponseDto })
  @ApiProblems(401)
  getCurrentWorkspace(@CurrentActor() actor: Actor) {
    return this.members.current(actor);
  }

  /** Members of the workspace with their roles. */
  @Get('members/list')
  @ApiOperation({
    summary: 'List the members of the workspace',
    description: 'Members of the workspace with their roles.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: MemberPageDto })
  @ApiProblems(401)
  listMembers(@CurrentActor() actor: Actor, @Query() query: PageQueryDto) {
    return this.members.list(actor, pageRequest(query));
  }

  /** Add a person by email with a role (or change the role of an existing member). */
  @Post('members/create')
  @ApiOperation({
    summary: 'Add a member, or change the role of an existing one',
    description: 'Add a person by email with a role (or change the role of an existing member).',
  })
  @RequirePermission('manage')
  @Audited('member.add', 'user')
  @Idempotent()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: MemberResponseDto })
  @ApiProblems(401, 403, 422)
  @ApiBodyExamples(CreateMemberDto, ADD_MEMBER_EXAMPLES)
  addMember(@CurrentActor() actor: Actor, @Body() dto: CreateMemberDto) {
    return this.members.add(actor, dto);
  }

  /** Change a member's role. A workspace keeps at least one owner. */
  @Put('members/:id')
  @ApiOperation({
    summary: "Change a member's role",
    description: "Change a member's role. A workspace keeps at least one owner.",
  })
  @RequirePermission('manage')
  @Audited('member.update', 'user')
  @ApiOkResponse({ type: MemberResponseDto })
  @ApiProblems(401, 403, 404, 409)
  updateMember(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Body() dto: UpdateMemberDto,
  ) {
    return this.members.update(actor, id, dto);
  }

  /** Remove a member; their API keys for this workspace are revoked. */
  @Delete('members/:id')
  @ApiOperation({
    summary: 'Remove a member',
    description: 'Remove a member; their API keys for this workspace are revoked.',
  })
  @HttpCode(204)
  @RequirePermission('manage')
  @Audited('member.remove', 'user')
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblems(401, 403, 404, 409)
  async removeMember(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    await this.members.remove(actor, id);
  }
}
