import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RateLimit, RequirePermission } from '../../auth/permissions';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiIdempotencyKey } from '../../http/api-idempotency.decorator';
import { ApiProblems } from '../../http/api-problems.decorator';
import { Audited } from '../../http/audit.interceptor';
import { DeleteQueryDto } from '../../http/dto/delete-query.dto';
import { pageRequest } from '../../http/dto/page-query.dto';
import { IdParamPipe } from '../../http/id-param.pipe';
import { Idempotent } from '../../http/idempotency.interceptor';
import { CreateProjectDto } from './dto/create-project.dto';
import { ListProjectsQueryDto } from './dto/list-projects-query.dto';
import {
  ProjectPageDto,
  ProjectResponseDto,
  ProjectStatsResponseDto,
} from './dto/project-response.dto';
import { UpdateProjectDto } from './dto/update-project.dto';
import { ProjectsService } from './projects.service';
import { ApiBodyExamples } from '../../http/api-body-examples.decorator';
import { CREATE_PROJECT_EXAMPLES } from '../../openapi/request-examples';

@ApiTags('projects')
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  /** Create a project. */
  @Post('create')
  @ApiOperation({
    summary: 'Create a project',
    description:
      'Create a project in the workspace. Names are unique among live projects (case-insensitive): a duplicate is a 409.',
  })
  @RequirePermission('write')
  @Audited('project.create', 'project')
  @RateLimit('create_project')
  @Idempotent()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: ProjectResponseDto })
  @ApiProblems(401, 403, 409, 413, 415, 422)
  @ApiBodyExamples(CreateProjectDto, CREATE_PROJECT_EXAMPLES)
  createProject(@CurrentActor() actor: Actor, @Body() dto: CreateProjectDto) {
    return this.projects.create(actor, dto);
  }

  /** List projects of the workspace, newest first by default. */
  @Get('list')
  @ApiOperation({
    summary: 'List the projects of the workspace',
    description: 'List projects of the workspace, newest first by default.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: ProjectPageDto })
  @ApiProblems(401, 403)
  listProjects(@CurrentActor() actor: Actor, @Query() query: ListProjectsQueryDto) {
    return this.projects.list(actor, query, pageRequest(query));
  }

  /** Counts of what the project holds. */
  @Get(':id/stats')
  @ApiOperation({
    summary: 'Count what a project holds',
    description: 'Counts of what the project holds.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: ProjectStatsResponseDto })
  @ApiProblems(401, 403, 404)
  getProjectStats(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.projects.stats(actor, id);
  }

  /** Archive a project (idempotent). */
  @Post(':id/archive')
  @ApiOperation({ summary: 'Archive a project', description: 'Archive a project (idempotent).' })
  @RequirePermission('write')
  @Audited('project.archive', 'project')
  @HttpCode(200)
  @ApiOkResponse({ type: ProjectResponseDto })
  @ApiProblems(401, 403, 404)
  archiveProject(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.projects.setStatus(actor, id, 'archived');
  }

  /** Bring an archived project back to active (idempotent). */
  @Post(':id/unarchive')
  @ApiOperation({
    summary: 'Unarchive a project',
    description: 'Bring an archived project back to active (idempotent).',
  })
  @RequirePermission('write')
  @Audited('project.unarchive', 'project')
  @HttpCode(200)
  @ApiOkResponse({ type: ProjectResponseDto })
  @ApiProblems(401, 403, 404, 409)
  unarchiveProject(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.projects.setStatus(actor, id, 'active');
  }

  /** Get one project. */
  @Get(':id')
  @ApiOperation({
    summary: 'Get one project',
    description: "One project of the workspace; another workspace's project answers 404.",
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: ProjectResponseDto })
  @ApiProblems(401, 403, 404)
  getProject(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.projects.get(actor, id);
  }

  /** Change any of a project's fields. */
  @Put(':id')
  @ApiOperation({ summary: 'Update a project', description: "Change any of a project's fields." })
  @RequirePermission('write')
  @Audited('project.update', 'project')
  @ApiOkResponse({ type: ProjectResponseDto })
  @ApiProblems(401, 403, 404, 409, 413, 415)
  updateProject(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Body() dto: UpdateProjectDto,
  ) {
    return this.projects.update(actor, id, dto);
  }

  /** Soft-delete a project, or remove it and everything under it with `permanent=true`. */
  @Delete(':id')
  @ApiOperation({
    summary: 'Delete a project',
    description:
      'Soft-delete a project, or remove it and everything under it with `permanent=true`.',
  })
  @RequirePermission('delete')
  @Audited('project.delete', 'project')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(401, 403, 404)
  async deleteProject(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: DeleteQueryDto,
  ): Promise<void> {
    await this.projects.delete(actor, id, query.permanent ?? false);
  }
}
