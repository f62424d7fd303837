import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '@ps/common';

/** Path ids are positive integers; anything else is a 400 naming the parameter, not a 500. */
@Injectable()
export class IdParamPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const field = metadata.data ?? 'id';
    if (!/^\d{1,15}$/.test(value) || Number(value) < 1) {
      throw new ValidationFailedError([
        { field, message: `${field} must be a positive integer (got "${value}").` },
      ]);
    }
    return Number(value);
  }
}
