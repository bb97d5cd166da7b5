/**
 * The ipywidgets half of the debugger: the model mirrors the Python widget's
 * traits (`graph`, `session`, `height`) and sends its requests (DebugCommand,
 * DebugBreakpointRequest, DebugSetValueRequest, DebugCheckGradRequest,
 * InspectRequest), each answered once by a reply or an ErrorReply; the view
 * mounts the React debugger.
 */
import {
  DOMWidgetModel,
  DOMWidgetView,
  type IBackboneModelOptions,
  type ISerializers
} from '@jupyter-widgets/base';
import type {
  DebugBreakpointRequest,
  DebugReply,
  DebugSessionState,
  GraphPayload
} from '../protocol';
import { expandGraph } from '../model/compact';
import {
  decodeInspectReply,
  decodeSummary,
  type BufferLike,
  type DecodedReply
} from '../model/inspect';
import { decodeKernelNotice } from '../model/kernelNotices';
import { MODULE_NAME, MODULE_VERSION } from '../version';
import { applySessionPatch, decodeSession, type Command } from './session';
import { DebuggerHost } from './host';

const REQUEST_TIMEOUT_MS = 60000;
const WATCHED = 'change:graph change:session change:height';

type Pending = {
  resolve: (r: DebugReply | DecodedReply) => void;
  reject: (e: Error) => void;
};

/** What the React debugger needs from its model (a test or a static page can give another). */
export interface DebuggerBackend {
  graph(): GraphPayload | null;
  session(): DebugSessionState | null;
  height(): string;
  subscribe(listener: () => void): () => void;
  command(
    command: Command,
    extra?: { node?: string; n?: number }
  ): Promise<DebugReply>;
  breakpoint(
    request: Omit<DebugBreakpointRequest, 'kind' | 'request_id'>
  ): Promise<DebugReply>;
  setValue(
    node: string,
    expression: string,
    rerun?: boolean
  ): Promise<DebugReply>;
  checkGrad(node: string): Promise<DebugReply>;
  inspect(nodeId: string): Promise<DecodedReply>;
  /** A node's values at the session's moment when already here (a command's reply brought them). */
  peek(nodeId: string): DecodedReply | undefined;
  /** The command being answered, if any: settles (never rejects) once its reply came. */
  inFlight(): Promise<unknown> | null;
}

export class DebuggerModel extends DOMWidgetModel implements DebuggerBackend {
  private nextRequest = 1;
  private readonly pending = new Map<number, Pending>();
  private decoded: { wire: unknown; payload: GraphPayload | null } | null =
    null;
  /** Values a command's reply brought (the node paused at and its inputs), for that step. */
  private prefetched: {
    steps: number;
    values: Map<string, DecodedReply>;
  } | null = null;
  /** The command in flight, if any: an inspect waits for its reply's values. */
  private pendingCommand: Promise<unknown> | null = null;

  defaults(): Backbone.ObjectHash {
    return {
      ...super.defaults(),
      _model_name: DebuggerModel.model_name,
      _model_module: DebuggerModel.model_module,
      _model_module_version: DebuggerModel.model_module_version,
      _view_name: DebuggerModel.view_name,
      _view_module: DebuggerModel.view_module,
      _view_module_version: DebuggerModel.view_module_version,
      graph: null,
      session: null,
      height: '640px'
    };
  }

  initialize(
    attributes: Backbone.ObjectHash,
    options: IBackboneModelOptions
  ): void {
    super.initialize(attributes, options);
    this.on('msg:custom', this.onCustom, this);
    this.once('comm:close destroy', () => {
      for (const p of this.pending.values()) {
        p.reject(new Error('the kernel connection closed'));
      }
      this.pending.clear();
    });
  }

  /** The `graph` trait (a CompactGraph on the wire), decoded once per value. */
  graph(): GraphPayload | null {
    const wire: unknown = this.get('graph');
    if (!this.decoded || this.decoded.wire !== wire) {
      this.decoded = { wire, payload: expandGraph(wire) };
    }
    return this.decoded.payload;
  }

  session(): DebugSessionState | null {
    return decodeSession(this.get('session'));
  }

  height(): string {
    const h = this.get('height');
    return typeof h === 'string' && h ? h : '640px';
  }

  subscribe(listener: () => void): () => void {
    this.on(WATCHED, listener);
    return () => this.off(WATCHED, listener);
  }

  command(
    command: Command,
    extra: { node?: string; n?: number } = {}
  ): Promise<DebugReply> {
    const reply = this.request({
      kind: 'debug_command',
      command,
      ...extra
    }) as Promise<DebugReply>;
    const settled = reply.catch(() => null);
    this.pendingCommand = settled;
    void settled.then(() => {
      if (this.pendingCommand === settled) {
        this.pendingCommand = null;
      }
    });
    return reply;
  }

  breakpoint(
    request: Omit<DebugBreakpointRequest, 'kind' | 'request_id'>
  ): Promise<DebugReply> {
    return this.request({
      kind: 'debug_breakpoint',
      ...request
    }) as Promise<DebugReply>;
  }

  setValue(
    node: string,
    expression: string,
    rerun = true
  ): Promise<DebugReply> {
    return this.request({
      kind: 'debug_set_value',
      node,
      expression,
      rerun
    }) as Promise<DebugReply>;
  }

  checkGrad(node: string): Promise<DebugReply> {
    return this.request({
      kind: 'debug_check_grad',
      node
    }) as Promise<DebugReply>;
  }

  inFlight(): Promise<unknown> | null {
    return this.pendingCommand;
  }

  peek(nodeId: string): DecodedReply | undefined {
    if (this.pendingCommand) {
      return undefined;
    }
    const kept = this.prefetched?.values.get(nodeId);
    return kept && this.prefetched?.steps === this.session()?.history.steps
      ? kept
      : undefined;
  }

  async inspect(nodeId: string): Promise<DecodedReply> {
    if (this.pendingCommand) {
      await this.pendingCommand;
    }
    const kept = this.peek(nodeId);
    if (kept) {
      return kept;
    }
    return this.request({
      kind: 'inspect',
      node_id: nodeId
    }) as Promise<DecodedReply>;
  }

  /** The state a reply brought (the kernel's `session` trait, not sent again), set here; the
   * whole state is asked for when this model does not hold the steps it builds on. */
  private applyPatch(patch: NonNullable<DebugReply['session_patch']>): void {
    const next = applySessionPatch(this.session(), patch);
    if (next) {
      this.set_state({ session: next }); // from the kernel: never sent back
    } else {
      this.comm?.send({ method: 'request_state' }, {});
    }
  }

  /** Keep the values a reply brought; any other reply may have changed values: forget them. */
  private keepValues(reply: DebugReply, buffers: readonly BufferLike[]): void {
    const steps = this.session()?.history.steps;
    if (!reply.values || steps === undefined) {
      this.prefetched = null;
      return;
    }
    const values = new Map<string, DecodedReply>();
    for (const [nodeId, summary] of Object.entries(reply.values)) {
      values.set(nodeId, {
        requestId: reply.request_id,
        nodeId,
        value: decodeSummary(summary, buffers),
        grad: null,
        error: null
      });
    }
    this.prefetched = { steps, values };
  }

  private request(
    content: Record<string, unknown>
  ): Promise<DebugReply | DecodedReply> {
    const requestId = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.send({ ...content, request_id: requestId }, {});
      setTimeout(() => {
        if (this.pending.delete(requestId)) {
          reject(
            new Error('the kernel did not answer (is a cell still running?)')
          );
        }
      }, REQUEST_TIMEOUT_MS);
    });
  }

  private settle(requestId: number): Pending | null {
    const p = this.pending.get(requestId) ?? null;
    this.pending.delete(requestId);
    return p;
  }

  private onCustom(content: unknown, buffers?: BufferLike[]): void {
    const notice = decodeKernelNotice(content);
    if (notice) {
      if (notice.kind === 'error' && notice.requestId !== null) {
        this.settle(notice.requestId)?.reject(new Error(notice.message));
      }
      return;
    }
    const inspected = decodeInspectReply(content, buffers);
    if (inspected) {
      this.settle(inspected.requestId)?.resolve(inspected);
      return;
    }
    const c = content as Partial<DebugReply> | null;
    if (c && c.kind === 'debug_reply' && typeof c.request_id === 'number') {
      if (c.session_patch) {
        this.applyPatch(c.session_patch);
      }
      this.keepValues(c as DebugReply, buffers ?? []);
      this.settle(c.request_id)?.resolve(c as DebugReply);
    }
  }

  static serializers: ISerializers = {
    ...DOMWidgetModel.serializers
  };

  static model_name = 'DebuggerModel';
  static model_module = MODULE_NAME;
  static model_module_version = MODULE_VERSION;
  static view_name = 'DebuggerView';
  static view_module = MODULE_NAME;
  static view_module_version = MODULE_VERSION;
}

export class DebuggerView extends DOMWidgetView {
  private host: DebuggerHost | null = null;

  render(): void {
    this.host = new DebuggerHost(this.el, this.model as DebuggerModel);
  }

  remove(): void {
    this.host?.dispose();
    this.host = null;
    super.remove();
  }
}
