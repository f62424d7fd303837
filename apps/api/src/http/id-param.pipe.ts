import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '@ps/common';
import { MAX_ID, MAX_INT4 } from './dto/integer-fields';

/**
 * Path integers, read from the raw text: 1 … `max`, anything else a 400 naming the parameter.
 * Digits alone are not enough: 99999999999999999 is beyond what PostgreSQL (or a JSON number)
 * holds and would fail in the database as a 500.
 */
export class IntParamPipe implements PipeTransform<string, number> {
  constructor(readonly max: number) {}

  transform(value: string, metadata: ArgumentMetadata): number {
    const field = metadata.data ?? 'id';
    const n = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
    if (!(n >= 1 && n <= this.max)) {
      throw new ValidationFailedError([
        {
          field,
          message: `${field} must be an integer from 1 to ${this.max} (got "${value.slice(0, 40)}").`,
        },
      ]);
    }
    return n;
  }
}

/** Path ids: 1 … 2^53 − 1. */
@Injectable()
export class IdParamPipe extends IntParamPipe {
  constructor() {
    super(MAX_ID);
  }
}

/** Path version numbers: 1 … 2^31 − 1. */
@Injectable()
export class VersionParamPipe extends IntParamPipe {
  constructor() {
    super(MAX_INT4);
  }
}
