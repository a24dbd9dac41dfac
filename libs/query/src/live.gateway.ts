import type { IncomingMessage } from 'node:http';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import { LiveHub, type WsLike } from './live.hub';
import { LIVE_MAX_PAYLOAD_BYTES } from './live.limits';

/** Plain WebSocket endpoint (WsAdapter) for live updates; the protocol lives in live.protocol.ts. */
@WebSocketGateway({ path: '/api/v1/live', maxPayload: LIVE_MAX_PAYLOAD_BYTES })
export class LiveGateway implements OnGatewayConnection {
  constructor(private readonly hub: LiveHub) {}

  handleConnection(client: WsLike, req: IncomingMessage): void {
    this.hub.connect(client, req);
  }
}
