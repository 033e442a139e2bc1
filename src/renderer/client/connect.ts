/** Picks the transport for where the renderer runs: Electron's bridge, else the browser host's WebSocket. */
import { createStudioClient, type StudioClient } from './studio-client.js';
import { electronTransport } from './electron-transport.js';
import { takeHostToken, websocketTransport } from './websocket-transport.js';

export function connectToBackend(): StudioClient {
  if (window.reage) return createStudioClient(electronTransport(window.reage));
  const token = takeHostToken(window.location, window.sessionStorage, window.history);
  if (!token) throw new Error('This page needs the link the studio host printed (it carries an access token).');
  return createStudioClient(websocketTransport(window.location.host, token));
}
