/**
 * The layout web worker: ELK's layered layout behind the typed protocol of
 * ./messages (see ./workerHost for the request/cancel/skip rules).
 *
 * Bundled by webpack 5 (`jupyter labextension build`) as its own chunk from
 * `new Worker(new URL('./layout.worker.js', import.meta.url))` in ./worker.ts.
 */
import './workerEnv';
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkLike } from './elkGraph';
import type { FromWorker } from './messages';
import { LayoutWorkerHost } from './workerHost';

interface WorkerScope {
  postMessage(message: FromWorker): void;
  addEventListener(
    type: 'message',
    listener: (event: { data: unknown }) => void
  ): void;
}

const scope = self as unknown as WorkerScope;
const elk = new (ELK as unknown as new () => ElkLike)();
const host = new LayoutWorkerHost(elk, message => scope.postMessage(message));
scope.addEventListener('message', event => host.handle(event.data));
