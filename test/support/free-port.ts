import { createServer } from 'node:net';

/**
 * A port nothing listens on right now: bound once by us, then released. For a server a test
 * starts on it, or for an address that must refuse connections.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
