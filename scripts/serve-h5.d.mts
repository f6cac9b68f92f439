import type { IncomingMessage, ServerResponse, Server } from 'node:http';

/** Directory of the h5 build: client/dist/h5. */
export const DEFAULT_H5_ROOT: string;
/** Paths the API owns (/api/*, /health); the static handler never answers them. */
export function isApiPath(pathname: string): boolean;
/** Serve the h5 build: returns true when it wrote a response (GET/HEAD of a file under rootDir, SPA fallback). */
export function createStaticHandler(rootDir?: string): (req: IncomingMessage, res: ServerResponse) => boolean;
/** Proxy /api/* and /health to a gateway. */
export function createApiProxy(apiUrl: string): (req: IncomingMessage, res: ServerResponse) => boolean;
export function startH5Server(opts?: { port?: number; host?: string; rootDir?: string; apiUrl?: string }): Promise<{ server: Server; url: string; close: () => Promise<void> }>;
