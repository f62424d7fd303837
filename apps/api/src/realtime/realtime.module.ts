import { Module } from '@nestjs/common';
import { RealtimeEventsController } from './realtime-events.controller';
import { RealtimeHub } from './realtime-hub.service';
import { RealtimeWebSocketService } from './realtime-websocket.service';
import { RealtimeGateway } from './realtime.gateway';

/**
 * Live events for clients over three transports (Socket.IO namespace `/prompt-studio`, plain
 * WebSocket at `/ws/prompt-studio`, Server-Sent Events at `GET /events`), all fed by one hub
 * that listens to the EventBus.
 */
@Module({
  controllers: [RealtimeEventsController],
  providers: [RealtimeHub, RealtimeGateway, RealtimeWebSocketService],
  exports: [RealtimeHub],
})
export class RealtimeModule {}
