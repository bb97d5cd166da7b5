/**
 * Drift test: src/protocol.ts must equal what the generator makes from the schema now.
 * The generator runs in a child node process (json-schema-to-typescript formats with
 * prettier 3, which needs native ES module loading that jest's sandbox lacks); its
 * output is compared in memory and nothing is written.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { GraphPayload } from '../src/protocol';
import { smallGraph } from './fixtures';

const root = path.resolve(__dirname, '..');

describe('protocol types', () => {
  it('are up to date with protocol.schema.json (run `jlpm build:types` if not)', () => {
    const generated = execFileSync(
      process.execPath,
      [path.join(root, 'scripts', 'protocol-types.js'), '--stdout'],
      { cwd: root, encoding: 'utf8' }
    );
    const committed = fs.readFileSync(
      path.join(root, 'src', 'protocol.ts'),
      'utf8'
    );
    expect(committed).toBe(generated);
  });

  it('say the file is generated', () => {
    const committed = fs.readFileSync(
      path.join(root, 'src', 'protocol.ts'),
      'utf8'
    );
    expect(committed).toMatch(/GENERATED FILE - DO NOT EDIT/);
  });

  it('describe the payload the viewer draws', () => {
    const p: GraphPayload = smallGraph();
    expect(p.version).toBe('1.0');
  });
});
