/**
 * The page's live graph-viewer widget models, keyed by model id, so the mime
 * renderer can bind a saved output to the model that made it while the
 * kernel runs. Kept free of widget imports (the widget code is a lazy chunk).
 */
import type { DecodedReply } from './model/inspect';
import type { GraphPayload } from './protocol';

/** What a bound view needs from a live model. */
export interface LiveGraphModel {
  readonly modelId: string;
  graph(): GraphPayload | null;
  compare(): GraphPayload | null;
  direction(): string;
  height(): string;
  /** The viewer's own heading (a comparison's caption); '' for none. */
  title?(): string;
  /** Ask the kernel for a node's value and gradient summaries. */
  inspect(nodeId: string): Promise<DecodedReply>;
  /** Call `listener` when the graph or the display settings change; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

type Listener = (id: string) => void;

export class LiveModelRegistry {
  private readonly models = new Map<string, LiveGraphModel>();
  private readonly listeners = new Set<Listener>();

  add(model: LiveGraphModel): void {
    this.models.set(model.modelId, model);
    for (const l of [...this.listeners]) {
      l(model.modelId);
    }
  }

  remove(modelId: string): void {
    this.models.delete(modelId);
  }

  get(modelId: string | null | undefined): LiveGraphModel | null {
    return modelId ? (this.models.get(modelId) ?? null) : null;
  }

  get size(): number {
    return this.models.size;
  }

  /** Call `listener` with the id of every model added from now on. */
  onAdded(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const liveModels = new LiveModelRegistry();
