import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Requests parsed on one connection but not answered yet. Node parses every request in a
 * chunk at once, so a client that pipelines thousands of requests and never reads would
 * otherwise get thousands of responses buffered. Prometheus never pipelines; a client
 * beyond this is cut off.
 */
export const MAX_PIPELINED_REQUESTS = 16;

interface Connection {
  /** Answering a request: a complete one has arrived and its answer is not sent yet. */
  answering: boolean;
  waiting: Array<[IncomingMessage, ServerResponse]>;
}

/** The TCP socket under a request's socket (the TLS socket wraps it on HTTPS listeners). */
function tcpSocketOf(socket: Socket): Socket {
  return (socket as Socket & { _parent?: Socket })._parent ?? socket;
}

/**
 * Per-connection bounds for one server:
 * - at most `maxConnections` sockets; at the cap, the oldest one that is not answering a
 *   request (it has sent nothing yet, or idles between keep-alive requests) is evicted for
 *   the newcomer, so silent sockets cannot lock scrapes out; when every socket awaits an
 *   answer, the newcomer is refused;
 * - pipelined requests are answered one at a time, the next only once the previous answer
 *   has left the socket's buffer; meanwhile the socket is not read from.
 * Returns the request handler to register on the server.
 */
export function guardConnections(server: Server, maxConnections: number, handler: Handler) {
  const connections = new Map<Socket, Connection>();

  server.on("connection", (socket: Socket) => {
    if (connections.size >= maxConnections) {
      const silent = [...connections].find(([, connection]) => !connection.answering)?.[0];
      if (silent === undefined) {
        socket.destroy();
        return;
      }
      silent.destroy();
      connections.delete(silent);
    }
    connections.set(socket, { answering: false, waiting: [] });
    socket.once("close", () => connections.delete(socket));
  });

  const next = (socket: Socket, connection: Connection): void => {
    const queued = connection.waiting.shift();
    if (!queued || socket.destroyed) {
      connection.answering = false;
      return;
    }
    connection.answering = true;
    const [request, response] = queued;
    response.once("close", () => {
      if (!socket.writableNeedDrain) {
        next(socket, connection);
        return;
      }
      // The client does not read: stop reading from it too until it does.
      socket.pause();
      socket.once("drain", () => {
        socket.resume();
        next(socket, connection);
      });
    });
    handler(request, response);
  };

  return (request: IncomingMessage, response: ServerResponse): void => {
    const socket = tcpSocketOf(request.socket);
    const connection = connections.get(socket);
    if (!connection) {
      handler(request, response);
      return;
    }
    if (connection.waiting.length >= MAX_PIPELINED_REQUESTS) {
      request.socket.destroy();
      return;
    }
    connection.waiting.push([request, response]);
    if (!connection.answering) next(request.socket, connection);
  };
}
