import { PartialType } from '@nestjs/swagger';
import { CreateProjectDto } from './create-project.dto';

/** Any subset of the create fields; omitted fields keep their value. */
export class UpdateProjectDto extends PartialType(CreateProjectDto) {}
