import { describe, expect, it } from 'vitest';
import { EvoucherError } from '../../src/errors.js';
import { getVoucherType, listVoucherTypes } from '../../src/voucher/index.js';
import {
  checkPlacement,
  checkSigner,
  evaluateCompleteness,
  findPosition,
  isViewLocked,
  parsePolicy,
  positionsFor,
  resolvePolicy,
  validatePolicy,
} from '../../src/seal/policy.js';

function policyError(f: () => unknown): { code: string; path?: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof EvoucherError) return { code: e.code, ...(e.detail['path'] === undefined ? {} : { path: e.detail['path'] }) };
    throw e;
  }
  return { code: 'no error' };
}

const fp = 'ab'.repeat(32);

describe('built-in policy', () => {
  it('has positions for every catalogued type, taken from the catalogue', () => {
    for (const t of listVoucherTypes()) {
      const ps = positionsFor(t.vtCode);
      expect(ps.length).toBeGreaterThan(0);
      expect(ps.map((p) => p.id).sort()).toEqual(getVoucherType(t.vtCode).positions.map((p) => p.id).sort());
      for (const p of ps) expect(p.formats).toEqual(['ses', 'cms']);
    }
  });

  it('5201 and 8202 follow domain.md §6', () => {
    expect(positionsFor('5201').map((p) => [p.id, p.sequence, p.required, p.view])).toEqual([
      ['dw_gz', 1, false, 'original'],
      ['cz_zfzyz', 2, true, 'original'],
      ['cz_sz', 3, false, 'original'],
      ['yh_zqz', 4, true, 'receipt'],
      ['rh_zqz', 5, false, 'receipt'],
    ]);
    expect(positionsFor('8202').map((p) => p.id)).toEqual(['dw_cwzyz', 'dw_sz', 'yh_zqz']);
    expect(resolvePolicy('8202').source).toBe('built-in');
  });

  it('unknown position → POLICY_POSITION_UNKNOWN; unknown type → VOUCHER_UNKNOWN_TYPE', () => {
    expect(policyError(() => findPosition(resolvePolicy('5201'), 'yh_ywzyz')).code).toBe('POLICY_POSITION_UNKNOWN');
    expect(policyError(() => resolvePolicy('9999')).code).toBe('VOUCHER_UNKNOWN_TYPE');
  });
});

describe('policy files', () => {
  const ok = {
    version: 1,
    types: {
      '8202': {
        positions: [
          { id: 'dw_cwzyz', sequence: 1, formats: ['ses'] },
          { id: 'yh_zqz', sequence: 2, view: 'receipt' },
        ],
        byAdmDiv: { '110000': { positions: [{ id: 'dw_cwzyz', sequence: 1, organizations: ['dw:110101'] }] } },
      },
    },
    registry: [{ esId: 'SEAL-1', makerCertificateSha256: 'ef'.repeat(32), positions: ['dw_cwzyz'], sealType: 'cwzyz' }, { certificateSha256: fp.toUpperCase(), positions: ['yh_zqz'] }],
  };

  it('fills defaults, applies per-type and per-AdmDivCode overrides', () => {
    const p = validatePolicy(ok);
    const r = resolvePolicy('8202', '520000', p);
    expect(r.source).toBe('policy');
    expect(r.positions.map((x) => x.id)).toEqual(['dw_cwzyz', 'yh_zqz']);
    expect(r.positions[0]).toMatchObject({ party: 'dw', sealTypes: ['cwzyz'], formats: ['ses'], required: true, view: 'original', name: '单位财务专用章' });
    const adm = resolvePolicy('8202', '110000', p);
    expect(adm.source).toBe('policy-adm-div');
    expect(adm.positions).toHaveLength(1);
    expect(resolvePolicy('5201', undefined, p).source).toBe('built-in');
    expect(p.registry[1]?.certificateSha256).toBe(fp);
    expect(parsePolicy(JSON.stringify(ok))).toEqual(p);
  });

  it.each([
    [{ version: 2 }, '$.version'],
    [{ version: 1, extra: true }, '$.extra'],
    [{ version: 1, types: { '0000': { positions: [] } } }, '$.types.0000'],
    [{ version: 1, types: { '8202': { positions: [] } } }, '$.types.8202.positions'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'xx_gz', sequence: 1 }] } } }, '$.types.8202.positions[0].id'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 0 }] } } }, '$.types.8202.positions[0].sequence'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 1, party: 'cz' }] } } }, '$.types.8202.positions[0].party'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 1, formats: ['xml'] }] } } }, '$.types.8202.positions[0].formats[0]'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 1 }, { id: 'dw_gz', sequence: 2 }] } } }, '$.types.8202.positions[1].id'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 1 }, { id: 'dw_sz', sequence: 1 }] } } }, '$.types.8202.positions[1].sequence'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 2 }, { id: 'yh_zqz', sequence: 1, view: 'receipt' }] } } }, '$.types.8202.positions[1].sequence'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 1, required: 'yes' }] } } }, '$.types.8202.positions[0].required'],
    [{ version: 1, registry: [{ positions: ['dw_gz'] }] }, '$.registry[0]'],
    [{ version: 1, registry: [{ certificateSha256: 'abc', positions: ['dw_gz'] }] }, '$.registry[0].certificateSha256'],
    [{ version: 1, registry: [{ esId: 'S-1', positions: ['dw_gz'] }] }, '$.registry[0].makerCertificateSha256'],
    [{ version: 1, registry: [{ esId: 'S-1', makerCertificateSha256: 'xyz', positions: ['dw_gz'] }] }, '$.registry[0].makerCertificateSha256'],
    [{ version: 1, registry: [{ certificateSha256: 'ab'.repeat(32), makerCertificateSha256: 'ab'.repeat(32), positions: ['dw_gz'] }] }, '$.registry[0].makerCertificateSha256'],
    // null is never "left out": each property holding null is refused where it is, whatever its default.
    [{ version: 1, types: null }, '$.types'],
    [{ version: 1, registry: null }, '$.registry'],
    [{ version: 1, description: null }, '$.description'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 1, required: null }] } } }, '$.types.8202.positions[0].required'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 1, view: null }] } } }, '$.types.8202.positions[0].view'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 1, party: null }] } } }, '$.types.8202.positions[0].party'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 1, formats: null }] } } }, '$.types.8202.positions[0].formats'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 1 }], byAdmDiv: null } } }, '$.types.8202.byAdmDiv'],
    [{ version: 1, registry: [{ certificateSha256: 'ab'.repeat(32), positions: ['dw_gz'], sealType: null }] }, '$.registry[0].sealType'],
    // An AdmDivCode is 6 digits (the voucher header's rule): another key could never apply.
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 1 }], byAdmDiv: { '1100': { positions: [{ id: 'dw_gz', sequence: 1 }] } } } } }, '$.types.8202.byAdmDiv.1100'],
    [{ version: 1, types: { '8202': { positions: [{ id: 'dw_gz', sequence: 1 }], byAdmDiv: { abcdef: { positions: [{ id: 'dw_gz', sequence: 1 }] } } } } }, '$.types.8202.byAdmDiv.abcdef'],
  ])('refuses %j at %s with POLICY_INVALID', (value, path) => {
    expect(policyError(() => validatePolicy(value))).toEqual({ code: 'POLICY_INVALID', path });
  });

  it('refuses text that is not JSON', () => {
    expect(policyError(() => parsePolicy('{')).code).toBe('POLICY_INVALID');
    // The size bound counts UTF-8 bytes for a string as for bytes: 400,000 CJK characters are 1.2 MB.
    const big = JSON.stringify({ version: 1, description: '财'.repeat(400_000) });
    expect(big.length).toBeLessThan(1024 * 1024);
    expect(policyError(() => parsePolicy(big)).code).toBe('POLICY_INVALID');
    expect(policyError(() => parsePolicy(new TextEncoder().encode(big))).code).toBe('POLICY_INVALID');
  });

  it('refuses a key given twice in one object (readers disagree on which counts), bytes that are not UTF-8, and what is not text', () => {
    const twice = '{"version":1,"types":{"5201":{"positions":[{"id":"cz_zfzyz","sequence":1,"formats":["ses"],"formats":["cms"]}]}}}';
    expect(policyError(() => parsePolicy(twice))).toEqual({ code: 'POLICY_INVALID', path: '$.types.5201.positions[0]' });
    // The same key written with an escape is the same key.
    expect(policyError(() => parsePolicy('{"version":1,"\\u0076ersion":1}'))).toEqual({ code: 'POLICY_INVALID', path: '$' });
    // Equal keys in different objects, and strings holding braces, quotes and escapes, are fine.
    expect(parsePolicy('{"version":1,"registry":[{"certificateSha256":"' + 'ab'.repeat(32) + '","positions":["dw_gz"],"comment":"a \\"{,}\\" b"},{"certificateSha256":"' + 'cd'.repeat(32) + '","positions":["dw_gz"]}]}').registry).toHaveLength(2);
    const notUtf8 = new Uint8Array([...Buffer.from('{"version":1,"registry":[{"comment":"a'), 0xff, ...Buffer.from('"}]}')]);
    expect(policyError(() => parsePolicy(notUtf8))).toEqual({ code: 'POLICY_INVALID', path: '$' });
    expect(policyError(() => (parsePolicy as (x: unknown) => unknown)(null)).code).toBe('POLICY_INVALID');
  });
});

describe('policies that cannot mean what they say', () => {
  const code = (f: () => unknown): string => {
    try {
      f();
      return 'OK';
    } catch (e) {
      return e instanceof EvoucherError ? `${e.code} ${e.detail['path'] ?? ''}` : String(e);
    }
  };
  const fp = 'ab'.repeat(32);

  it('a registry position no voucher type has (a typo left the real position open to any certificate) → POLICY_INVALID', () => {
    expect(code(() => validatePolicy({ version: 1, registry: [{ certificateSha256: fp, positions: ['cz_zfzy'] }] }))).toBe('POLICY_INVALID $.registry[0].positions[0]');
    // A position that only the policy defines is known.
    expect(code(() => validatePolicy({ version: 1, types: { '5201': { positions: [{ id: 'cz_special', sequence: 1 }] } }, registry: [{ certificateSha256: fp, positions: ['cz_special'] }] }))).toBe('OK');
    // Replaced by the policy's own section: a built-in position only that type had is gone; one other types have stays.
    const only5201 = { '5201': { positions: [{ id: 'cz_special', sequence: 1 }] } };
    expect(code(() => validatePolicy({ version: 1, types: only5201, registry: [{ certificateSha256: fp, positions: ['cz_zfzyz'] }] }))).toBe('POLICY_INVALID $.registry[0].positions[0]');
    expect(code(() => validatePolicy({ version: 1, types: only5201, registry: [{ certificateSha256: fp, positions: ['cz_sz'] }] }))).toBe('OK');
  });

  it('the same certificate or seal in two entries (it could seal nowhere), a seal type none of its positions allows → POLICY_INVALID', () => {
    expect(code(() => validatePolicy({ version: 1, registry: [{ certificateSha256: fp, positions: ['cz_zfzyz'] }, { certificateSha256: fp.toUpperCase(), positions: ['cz_sz'] }] }))).toBe('POLICY_INVALID $.registry[1]');
    const maker = 'cd'.repeat(32);
    expect(code(() => validatePolicy({ version: 1, registry: [{ esId: 'S', makerCertificateSha256: maker, positions: ['cz_zfzyz'] }, { esId: 'S', makerCertificateSha256: maker, positions: ['cz_sz'] }] }))).toBe('POLICY_INVALID $.registry[1]');
    expect(code(() => validatePolicy({ version: 1, registry: [{ certificateSha256: fp, positions: ['cz_zfzyz'], sealType: 'gz' }] }))).toBe('POLICY_INVALID $.registry[0].sealType');
  });

  it('a policy object that is not a validated copy is validated at every use, never used raw', async () => {
    const raw = { version: 1, types: { '5201': { positions: [{ id: 'dw_gz', sequence: 1, required: false }, { id: 'cz_zfzyz', sequence: 2 }, { id: 'yh_zqz', sequence: 4, view: 'receipt' }] } } };
    const first = resolvePolicy('5201', undefined, raw as never);
    const second = resolvePolicy('5201', undefined, raw as never);
    expect(second.positions).toEqual(first.positions);
    expect(second.positions.find((p) => p.id === 'yh_zqz')).toMatchObject({ view: 'receipt', required: true, formats: ['ses', 'cms'] });
    // Changed after its first use: the change is judged.
    (raw.types['5201'].positions as { id: string; sequence: number }[]).push({ id: 'cz_sz', sequence: -7 });
    expect(code(() => resolvePolicy('5201', undefined, raw as never))).toMatch(/^POLICY_INVALID/);
    // An AdmDivCode is an own key of byAdmDiv, never an inherited member.
    const withAdm = validatePolicy({ version: 1, types: { '5201': { positions: [{ id: 'cz_zfzyz', sequence: 1 }], byAdmDiv: { '110000': { positions: [{ id: 'cz_sz', sequence: 1 }] } } } } });
    expect(resolvePolicy('5201', 'hasOwnProperty', withAdm).source).toBe('policy');
    expect(resolvePolicy('5201', '110000', withAdm).source).toBe('policy-adm-div');
  });
});

describe('placement', () => {
  const r = resolvePolicy('5201');
  const at = (id: string) => findPosition(r, id);
  const s = (position: string, sequence: number, view: 'original' | 'receipt' = 'original') => ({ position, sequence, view });

  it('allows the chain in order, skipping optional positions', () => {
    expect(checkPlacement(at('dw_gz'), [], r, 'original')).toBeUndefined();
    expect(checkPlacement(at('cz_zfzyz'), [], r, 'original')).toBeUndefined();
    expect(checkPlacement(at('cz_zfzyz'), [s('dw_gz', 1)], r, 'original')).toBeUndefined();
    expect(checkPlacement(at('yh_zqz'), [s('cz_zfzyz', 2)], r, 'receipt')).toBeUndefined();
  });

  it('refuses with a distinct code per rule', () => {
    expect(checkPlacement(at('yh_zqz'), [s('cz_zfzyz', 2)], r, 'original')?.code).toBe('POLICY_VIEW_MISMATCH');
    expect(checkPlacement(at('dw_gz'), [s('dw_gz', 1)], r, 'original')?.code).toBe('POLICY_POSITION_SEALED');
    expect(checkPlacement(at('cz_sz'), [], r, 'original')?.code).toBe('POLICY_OUT_OF_SEQUENCE');
    expect(checkPlacement(at('dw_gz'), [s('cz_zfzyz', 2)], r, 'original')?.code).toBe('POLICY_OUT_OF_SEQUENCE');
    expect(checkPlacement(at('cz_sz'), [s('cz_zfzyz', 2)], r, 'receipt')?.code).toBe('POLICY_VIEW_LOCKED');
    expect(checkPlacement(at('rh_zqz'), [s('cz_zfzyz', 2)], r, 'receipt')?.code).toBe('POLICY_OUT_OF_SEQUENCE');
    const full = [s('cz_zfzyz', 2), s('yh_zqz', 4, 'receipt'), s('rh_zqz', 5, 'receipt')];
    expect(isViewLocked('receipt', full, r, 'receipt')).toBe(true);
  });

  it('locks the original view once its last position is sealed', () => {
    const r8 = resolvePolicy('8202');
    const stamps = [s('dw_cwzyz', 1), s('dw_sz', 2)];
    expect(isViewLocked('original', stamps, r8, 'original')).toBe(true);
    expect(isViewLocked('original', [s('dw_cwzyz', 1)], r8, 'original')).toBe(false);
  });
});

describe('signer permission', () => {
  const policy = validatePolicy({
    version: 1,
    types: { '5201': { positions: [{ id: 'dw_gz', sequence: 1, organizations: ['dw:1'] }, { id: 'cz_zfzyz', sequence: 2, formats: ['ses'] }, { id: 'yh_zqz', sequence: 3, view: 'receipt' }] } },
    registry: [{ esId: 'S-CZ', makerCertificateSha256: 'EF:'.repeat(31) + 'EF', positions: ['cz_zfzyz', 'cz_sz'], sealType: 'sz' }, { certificateSha256: fp, positions: ['yh_zqz'] }],
  });
  const r = resolvePolicy('5201', undefined, policy);
  const at = (id: string) => findPosition(r, id);

  it('checks format, party, organisation, registry and seal type', () => {
    expect(checkSigner(at('cz_zfzyz'), { party: 'cz', certificateSha256: 'cd'.repeat(32), format: 'cms' }, r)?.code).toBe('POLICY_FORMAT_FORBIDDEN');
    expect(checkSigner(at('dw_gz'), { certificateSha256: 'cd'.repeat(32), format: 'cms' }, r)?.code).toBe('CERT_PARTY_MISSING');
    expect(checkSigner(at('dw_gz'), { party: 'cz', certificateSha256: 'cd'.repeat(32), format: 'cms' }, r)?.code).toBe('POLICY_PARTY_MISMATCH');
    expect(checkSigner(at('dw_gz'), { party: 'dw', organizationIdentifier: 'dw:2', certificateSha256: 'cd'.repeat(32), format: 'cms' }, r)?.code).toBe('POLICY_ORG_MISMATCH');
    expect(checkSigner(at('dw_gz'), { party: 'dw', organizationIdentifier: 'dw:1', certificateSha256: 'cd'.repeat(32), format: 'cms' }, r)).toBeUndefined();
    const maker = 'ef'.repeat(32);
    expect(checkSigner(at('cz_zfzyz'), { party: 'cz', certificateSha256: 'cd'.repeat(32), esId: 'S-CZ', makerCertificateSha256: maker, format: 'ses' }, r)?.code).toBe('POLICY_SEAL_TYPE_FORBIDDEN');
    // The registered esID from another maker (or none known) is a look-alike seal, wherever it is used.
    expect(checkSigner(at('cz_zfzyz'), { party: 'cz', certificateSha256: 'cd'.repeat(32), esId: 'S-CZ', makerCertificateSha256: 'ab'.repeat(32), format: 'ses' }, r)?.code).toBe('POLICY_MAKER_MISMATCH');
    expect(checkSigner(at('cz_zfzyz'), { party: 'cz', certificateSha256: 'cd'.repeat(32), esId: 'S-CZ', format: 'ses' }, r)?.code).toBe('POLICY_MAKER_MISMATCH');
    expect(checkSigner(at('cz_zfzyz'), { party: 'cz', certificateSha256: 'cd'.repeat(32), esId: 'OTHER', format: 'ses' }, r)?.code).toBe('POLICY_POSITION_FORBIDDEN');
    expect(checkSigner(at('yh_zqz'), { party: 'yh', certificateSha256: fp, format: 'cms' }, r)).toBeUndefined();
    // One esID registered for two makers (a seal re-made by a new maker): each is known, at its own positions.
    const two = resolvePolicy('5201', undefined, validatePolicy({
      version: 1,
      registry: [{ esId: 'S-2', makerCertificateSha256: 'a1'.repeat(32), positions: ['cz_zfzyz'] }, { esId: 'S-2', makerCertificateSha256: 'b2'.repeat(32), positions: ['cz_sz'] }],
    }));
    const signerOf = (maker: string) => ({ party: 'cz' as const, certificateSha256: 'cd'.repeat(32), esId: 'S-2', makerCertificateSha256: maker, format: 'ses' as const });
    expect(checkSigner(findPosition(two, 'cz_zfzyz'), signerOf('a1'.repeat(32)), two)).toBeUndefined();
    expect(checkSigner(findPosition(two, 'cz_sz'), signerOf('b2'.repeat(32)), two)).toBeUndefined();
    expect(checkSigner(findPosition(two, 'cz_sz'), signerOf('a1'.repeat(32)), two)?.code).toBe('POLICY_POSITION_FORBIDDEN');
    expect(checkSigner(findPosition(two, 'cz_zfzyz'), signerOf('c3'.repeat(32)), two)?.code).toBe('POLICY_MAKER_MISMATCH');
    expect(checkSigner(at('yh_zqz'), { party: 'yh', certificateSha256: 'cd'.repeat(32), format: 'cms' }, r)?.code).toBe('POLICY_POSITION_FORBIDDEN');
  });
});

describe('completeness', () => {
  const r = resolvePolicy('5201');
  it('reports missing required positions per view, unknown and duplicate seals', () => {
    expect(evaluateCompleteness([], r, 'original')).toMatchObject({ complete: false, missing: ['cz_zfzyz'] });
    expect(evaluateCompleteness([{ position: 'cz_zfzyz' }], r, 'original').complete).toBe(true);
    expect(evaluateCompleteness([{ position: 'cz_zfzyz' }], r, 'receipt')).toMatchObject({ complete: false, missing: ['yh_zqz'] });
    expect(evaluateCompleteness([{ position: 'cz_zfzyz' }, { position: 'cz_zfzyz' }], r, 'original')).toMatchObject({ complete: false, duplicates: ['cz_zfzyz'] });
    expect(evaluateCompleteness([{ position: 'cz_zfzyz' }, { position: 'xx_zz' }], r, 'original')).toMatchObject({ complete: false, unknown: ['xx_zz'] });
    // The view is the body's, never guessed from its stamps: a receipt with original seals only is no original.
    expect(() => (evaluateCompleteness as (...a: unknown[]) => unknown)([{ position: 'cz_zfzyz', view: 'original' }], r)).toThrow(expect.objectContaining({ code: 'ARG_INVALID' }));
  });
});
