import { PartialType } from '@nestjs/swagger';
import { CreateProjectDto } from './create-project.dto';

/**
 * Any subset of the create fields; omitted fields keep their value. `null` is not "omitted":
 * it is validated (and rejected) like any other value.
 */
export class UpdateProjectDto extends PartialType(CreateProjectDto, {
  skipNullProperties: false,
}) {}
