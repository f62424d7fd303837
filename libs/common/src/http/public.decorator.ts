import { SetMetadata } from '@nestjs/common';

export const PUBLIC_KEY = 'ps:public';

/** Open without credentials (health checks). Everything else requires authentication. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
