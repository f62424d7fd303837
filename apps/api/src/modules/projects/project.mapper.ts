import type { ProjectEntity, ProjectStats } from '@ps/database';
import type { ProjectResponseDto, ProjectStatsResponseDto } from './dto/project-response.dto';

export function toProjectResponse(project: ProjectEntity): ProjectResponseDto {
  return {
    id: project.id,
    uuid: project.uuid,
    name: project.name,
    description: project.description,
    status: project.status,
    tags: project.tags,
    metadata: project.metadata,
    config: project.config,
    created_at: project.createdAt.toISOString(),
    updated_at: project.updatedAt.toISOString(),
  };
}

export function toProjectStatsResponse(
  projectId: number,
  stats: ProjectStats,
): ProjectStatsResponseDto {
  return {
    project_id: projectId,
    ...stats,
    last_evaluation_at: stats.last_evaluation_at
      ? new Date(stats.last_evaluation_at).toISOString()
      : null,
  };
}
