/**
 * Command objects: the only way the browser changes the document. Each is
 * plain data sent to the kernel in an EditorCommandRequest; the kernel applies
 * a request's commands all or none and answers the exact inverse commands, which
 * the undo history keeps. Constructors here give each command a one-line label
 * (what the undo button says) and, for field edits, a coalescing key.
 */
import type { EditorCommand } from '../../protocol';

export type { EditorCommand };

/** The command of one kind, e.g. `CommandOf<'paste'>`. */
export type CommandOf<K extends EditorCommand['cmd']> = Extract<
  EditorCommand,
  { cmd: K }
>;

/**
 * Edits that a burst of keystrokes repeats (one field of one node) share a key, so
 * the history folds the burst into one step; any other command has none.
 */
export function coalesceKey(commands: readonly EditorCommand[]): string | null {
  if (commands.length !== 1) {
    return null;
  }
  const c = commands[0];
  if (c.cmd === 'set_param') {
    return `param\u0000${c.node}\u0000${c.param}`;
  }
  if (c.cmd === 'rename') {
    return `rename\u0000${c.node}`;
  }
  if (c.cmd === 'rename_group') {
    return `rename_group\u0000${c.group}`;
  }
  return null;
}

/** What a step does, in a few words (undo/redo button titles). */
export function describeCommands(commands: readonly EditorCommand[]): string {
  if (commands.length === 0) {
    return 'nothing';
  }
  if (commands.length > 1) {
    const kinds = new Set(commands.map(c => c.cmd));
    return kinds.size === 1
      ? `${describeOne(commands[0])} ×${commands.length}`
      : `${commands.length} edits`;
  }
  return describeOne(commands[0]);
}

function describeOne(c: EditorCommand): string {
  switch (c.cmd) {
    case 'add_node':
      return `add ${c.op ?? c.kind}`;
    case 'connect':
      return 'connect';
    case 'disconnect':
      return 'disconnect';
    case 'set_param':
      return `set ${c.param}`;
    case 'unset_param':
      return `clear ${c.param}`;
    case 'rename':
      return `rename to ${c.name}`;
    case 'rename_group':
      return `rename group to ${c.name}`;
    case 'delete':
      return `delete ${plural(c.nodes.length, 'node')}`;
    case 'move':
      return `move ${plural(Object.keys(c.positions).length, 'node')}`;
    case 'group':
      return `group as ${c.name}`;
    case 'ungroup':
      return 'ungroup';
    case 'set_group_parent':
      return 'nest group';
    case 'set_node_group':
      return 'move into group';
    case 'set_collapsed':
      return c.collapsed ? 'collapse' : 'expand';
    case 'paste':
      return c.keep_ids ? 'restore' : 'paste';
    case 'add_layer':
      return `add ${c.layer}`;
    case 'set_outputs':
      return 'set outputs';
    case 'set_updates':
      return 'set updates';
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A set_param command. Its value is any JSON value; the generated protocol type
 * reads the schema's untyped value as an object, hence the one cast here.
 */
export function setParam(
  node: string,
  param: string,
  value: unknown
): CommandOf<'set_param'> {
  return {
    cmd: 'set_param',
    node,
    param,
    value: value as CommandOf<'set_param'>['value']
  };
}
