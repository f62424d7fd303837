import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { ValidationFailedError } from '@ps/common';
import { takesBody } from './route-params';

/**
 * Routes without a body parameter never see the body, so the validation pipe's unknown-field
 * check never runs for them and `{"format": "pdf"}` would be ignored in silence. Such a body is
 * refused here instead, each field named as the pipe names unknown fields.
 */
@Injectable()
export class UndeclaredBodyInterceptor implements NestInterceptor {
  private readonly known = new WeakMap<object, boolean>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const handler = context.getHandler();
    let declared = this.known.get(handler);
    if (declared === undefined) {
      declared = takesBody(context.getClass(), handler.name);
      this.known.set(handler, declared);
    }
    if (!declared) {
      const body = context.switchToHttp().getRequest<Request>().body as unknown;
      if (body !== undefined && body !== null) {
        if (typeof body !== 'object' || Array.isArray(body)) {
          throw new ValidationFailedError([
            { field: 'body', message: 'This route takes no request body.' },
          ]);
        }
        const keys = Object.keys(body);
        if (keys.length) {
          throw new ValidationFailedError(
            keys.map((field) => ({ field, message: `${field} is not a known field.` })),
          );
        }
      }
    }
    return next.handle();
  }
}
