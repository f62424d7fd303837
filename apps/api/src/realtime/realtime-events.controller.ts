import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError } from '@ps/common';
import { ApiConfig } from '@ps/config';
import { RequirePermission } from '../auth/permissions';
import { type Actor, CurrentActor } from '../http/actor';
import { ApiProblems } from '../http/api-problems.decorator';
import { EventsQueryDto } from './dto/events-query.dto';
import type { RealtimeClient } from './realtime-client';
import { RealtimeHub } from './realtime-hub.service';
import { SseStream } from './sse-stream';

@ApiTags('realtime')
@Controller()
export class RealtimeEventsController {
  constructor(
    private readonly hub: RealtimeHub,
    private readonly config: ApiConfig,
  ) {}

  /**
   * Follow the live events of a project, evaluation, optimization or job as Server-Sent Events.
   * The stream opens with `event: subscribed`; each event follows as `event: <type>` with the
   * event `{type, data, project_id, timestamp}` as JSON `data`, and a `: heartbeat` comment
   * keeps idle connections open.
   */
  @Get('events')
  @ApiOperation({
    summary: 'Follow live events as Server-Sent Events',
    description:
      'Follow the live events of a project, evaluation, optimization or job as Server-Sent Events. The stream opens with `event: subscribed`; each event follows as `event: <type>` with the event `{type, data, project_id, timestamp}` as JSON `data`, and a `: heartbeat` comment keeps idle connections open.',
  })
  @RequirePermission('read')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: "An endless text/event-stream of the entity's events.",
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiProblems(401, 403, 404)
  async streamEvents(
    @CurrentActor() actor: Actor,
    @Query() query: EventsQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // Checked before the stream starts, so refusals are ordinary problem responses.
    const target = { entity_type: query.entity_type, entity_id: query.entity_id };
    const outcome = await this.hub.authorize(actor, target);
    if (!outcome.ok) throw new DomainError(outcome.code, outcome.detail);

    const client: RealtimeClient = {
      actor,
      send: (event) => stream.send(event.type, event),
      close: () => stream.close(),
    };
    const stream = new SseStream(req, res, this.config.env.SSE_HEARTBEAT_SECONDS * 1000, () =>
      this.hub.disconnect(client),
    );
    this.hub.connect(client);
    const joined = await this.hub.subscribe(client, target);
    if (!joined.ok) {
      // The entity went away in between, or the database failed: end rather than hang silent.
      stream.send('error', { code: joined.code, detail: joined.detail });
      stream.close();
      return;
    }
    stream.send('subscribed', target);
  }
}
