// A TCP proxy on loopback for network faults in tests: it forwards each connection to a target port and can
// cut every connection at once (what a proxy or a load balancer does to a long-lived gRPC stream), or stop
// listening for a while (the server unreachable) and listen again on the same port.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A running proxy. */
export interface TcpProxy {
  readonly port: number;
  /** How many connections it has accepted so far. */
  readonly connections: number;
  /** Closes every open connection (both sides); the proxy keeps listening. */
  cut(): void;
  /** Stops listening and cuts: connections are refused until listen(). */
  pause(): Promise<void>;
  listen(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy from a free port on 127.0.0.1 to 127.0.0.1:`targetPort`. */
export async function tcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    connections++;
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ]) {
      open.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  const listen = (port = 0) =>
    new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  await listen();
  const port = (server.address() as { port: number }).port;
  const cut = () => {
    for (const socket of open) socket.destroy();
  };
  const pause = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      cut();
    });
  return {
    port,
    get connections() {
      return connections;
    },
    cut,
    pause,
    listen: () => listen(port),
    close: pause,
  };
}
