import { Injectable } from '@nestjs/common';
import {
  InvalidStateError,
  NotFoundError,
  type Page,
  type PageRequest,
  parseSort,
  toPage,
} from '@ps/common';
import { type ProjectEntity, ProjectsRepository, type ProjectStatus } from '@ps/database';
import type { Actor } from '../../http/actor';
import { requireChanges } from '../../http/dto/require-changes';
import type { CreateProjectDto } from './dto/create-project.dto';
import type { ListProjectsQueryDto } from './dto/list-projects-query.dto';
import type { ProjectResponseDto, ProjectStatsResponseDto } from './dto/project-response.dto';
import type { UpdateProjectDto } from './dto/update-project.dto';
import { toProjectResponse, toProjectStatsResponse } from './project.mapper';

@Injectable()
export class ProjectsService {
  constructor(private readonly projects: ProjectsRepository) {}

  /** The live project, or 404. Other services use this to scope their resources. */
  async requireProject(actor: Actor, id: number, field?: string): Promise<ProjectEntity> {
    const project = await this.projects.findLive(actor.workspaceId, id);
    if (!project) throw new NotFoundError('Project', id, field);
    return project;
  }

  async create(actor: Actor, dto: CreateProjectDto): Promise<ProjectResponseDto> {
    const project = await this.projects.create({
      workspaceId: actor.workspaceId,
      name: dto.name,
      description: dto.description ?? null,
      status: dto.status ?? 'active',
      tags: dto.tags ?? [],
      metadata: dto.metadata ?? {},
      config: dto.config ?? {},
    });
    return toProjectResponse(project);
  }

  async list(
    actor: Actor,
    query: ListProjectsQueryDto,
    page: PageRequest,
  ): Promise<Page<ProjectResponseDto>> {
    const { rows, total } = await this.projects.list(
      actor.workspaceId,
      {
        search: query.search,
        status: query.status,
        tag: query.tag,
        sort: parseSort<'name' | 'created_at' | 'updated_at'>(query.sort, '-created_at'),
      },
      page,
    );
    return toPage(rows, total, page, toProjectResponse);
  }

  async get(actor: Actor, id: number): Promise<ProjectResponseDto> {
    return toProjectResponse(await this.requireProject(actor, id));
  }

  async update(actor: Actor, id: number, dto: UpdateProjectDto): Promise<ProjectResponseDto> {
    requireChanges(dto);
    const project = await this.requireProject(actor, id);
    const updated = await this.projects.update(project, {
      ...(dto.name !== undefined ? { name: dto.name } : {}),
      ...(dto.description !== undefined ? { description: dto.description } : {}),
      ...(dto.status !== undefined ? { status: dto.status } : {}),
      ...(dto.tags !== undefined ? { tags: dto.tags } : {}),
      ...(dto.metadata !== undefined ? { metadata: dto.metadata } : {}),
      ...(dto.config !== undefined ? { config: dto.config } : {}),
    });
    return toProjectResponse(updated);
  }

  /** Soft delete hides the project and frees its name; permanent removes everything under it. */
  async delete(actor: Actor, id: number, permanent: boolean): Promise<void> {
    if (permanent) {
      const project = await this.projects.findAny(actor.workspaceId, id);
      if (!project) throw new NotFoundError('Project', id);
      await this.projects.hardDelete(project.id);
      return;
    }
    const project = await this.requireProject(actor, id);
    await this.projects.softDelete(project.id);
  }

  async setStatus(actor: Actor, id: number, status: ProjectStatus): Promise<ProjectResponseDto> {
    const project = await this.requireProject(actor, id);
    if (project.status === status) return toProjectResponse(project);
    if (status === 'active' && project.status !== 'archived') {
      throw new InvalidStateError(`Project ${id} is not archived.`);
    }
    return toProjectResponse(await this.projects.update(project, { status }));
  }

  async stats(actor: Actor, id: number): Promise<ProjectStatsResponseDto> {
    const project = await this.requireProject(actor, id);
    return toProjectStatsResponse(project.id, await this.projects.stats(project.id));
  }
}
