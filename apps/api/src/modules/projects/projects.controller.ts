import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiIdempotencyKey } from '../../http/api-idempotency.decorator';
import { ApiProblems } from '../../http/api-problems.decorator';
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

@ApiTags('projects')
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  /** Create a project. */
  @Post('create')
  @Idempotent()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: ProjectResponseDto })
  @ApiProblems(409, 413, 415, 422)
  createProject(@CurrentActor() actor: Actor, @Body() dto: CreateProjectDto) {
    return this.projects.create(actor, dto);
  }

  /** List projects of the workspace, newest first by default. */
  @Get('list')
  @ApiOkResponse({ type: ProjectPageDto })
  @ApiProblems()
  listProjects(@CurrentActor() actor: Actor, @Query() query: ListProjectsQueryDto) {
    return this.projects.list(actor, query, pageRequest(query));
  }

  /** Counts of what the project holds. */
  @Get(':id/stats')
  @ApiOkResponse({ type: ProjectStatsResponseDto })
  @ApiProblems(404)
  getProjectStats(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.projects.stats(actor, id);
  }

  /** Archive a project (idempotent). */
  @Post(':id/archive')
  @HttpCode(200)
  @ApiOkResponse({ type: ProjectResponseDto })
  @ApiProblems(404)
  archiveProject(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.projects.setStatus(actor, id, 'archived');
  }

  /** Bring an archived project back to active (idempotent). */
  @Post(':id/unarchive')
  @HttpCode(200)
  @ApiOkResponse({ type: ProjectResponseDto })
  @ApiProblems(404, 409)
  unarchiveProject(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.projects.setStatus(actor, id, 'active');
  }

  /** Get one project. */
  @Get(':id')
  @ApiOkResponse({ type: ProjectResponseDto })
  @ApiProblems(404)
  getProject(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.projects.get(actor, id);
  }

  /** Change any of a project's fields. */
  @Put(':id')
  @ApiOkResponse({ type: ProjectResponseDto })
  @ApiProblems(404, 409, 413, 415)
  updateProject(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Body() dto: UpdateProjectDto,
  ) {
    return this.projects.update(actor, id, dto);
  }

  /** Soft-delete a project, or remove it and everything under it with `permanent=true`. */
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(404)
  async deleteProject(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: DeleteQueryDto,
  ): Promise<void> {
    await this.projects.delete(actor, id, query.permanent ?? false);
  }
}
