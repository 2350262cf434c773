/**
 * `evoucher seal --help` describes --chain as it behaves: the certificates go into cms and ses seals alike
 * (`certificates` of a cms stamp, `TBS_Sign.extDatas` of an ses stamp), not only into cms ones.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './spawn_cli.js';

describe('evoucher seal --help', () => {
  it('does not restrict --chain to cms seals', async () => {
    const r = await runCli(['seal', '--help']);
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith('--chain'));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/in a cms seal/);
    expect(line).toMatch(/cms and ses/);
  });
});
