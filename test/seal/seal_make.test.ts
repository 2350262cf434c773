import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/pki/index.js';
import { matchSealerToSeal, parseSeal, renderSealPng, verifySealMaker } from '../../src/seal/index.js';
import { parseEnvelope } from '../../src/voucher/index.js';
import { ROOT, runCli } from '../cli/spawn_cli.js';

const S = join(ROOT, 'fixtures/pki/sm2');
let dir: string;
const env = { EVOUCHER_KEY_PASSWORD: 'evoucher-demo' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-seal-make-'));
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function withEnv(args: string[]) {
  const before = { ...process.env };
  Object.assign(process.env, env);
  const p = runCli(args);
  process.env = before;
  return p;
}

describe('evoucher seal-make', () => {
  it('makes a v4 seal for the holder, signed by the maker, with a generated picture; the seal then seals', async () => {
    const out = join(dir, 'cz.esl');
    const r = await withEnv(['seal-make', '--maker', `file:${S}/maker.key.pem?cert=${S}/maker.cert.pem`, '--holder', `${S}/cz.cert.pem`, '--name', 'Demo Finance Bureau', '--valid-from', '2025-01-01', '--valid-to', '2035-12-31', '--es-id', 'CZ-0001', '-o', out]);
    expect(r.stderr).toMatch(/^seal CZ-0001 "Demo Finance Bureau" for 1 holder\(s\), valid .* → .*cz\.esl\n$/);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
    const seal = parseSeal(new Uint8Array(await readFile(out)));
    expect(seal.version).toBe(4);
    expect(seal.esId).toBe('CZ-0001');
    expect(seal.name).toBe('Demo Finance Bureau');
    expect(seal.picture.type).toBe('PNG');
    expect(seal.validStart.toISOString()).toBe('2024-12-31T16:00:00.000Z');
    expect(seal.validEnd.toISOString()).toBe('2035-12-31T15:59:59.000Z');
    expect(verifySealMaker(seal).ok).toBe(true);
    const holder = parseCertificate(await readFile(`${S}/cz.cert.pem`, 'utf8'));
    expect(matchSealerToSeal(seal, holder.der).ok).toBe(true);

    const v = join(dir, 'v.xml');
    expect((await runCli(['build', '--type', '5201', '--data', 'examples/5201.json', '-o', v])).code).toBe(0);
    const sealed = join(dir, 's.xml');
    const s = await withEnv(['seal', v, '--position', 'cz_zfzyz', '--key', `file:${S}/cz.key.pem?cert=${S}/cz.cert.pem`, '--seal', out, '-o', sealed]);
    expect(s.stderr).toBe(`sealed cz_zfzyz → ${sealed}\n`);
    expect(s.code).toBe(0);
    expect(parseEnvelope(new Uint8Array(await readFile(sealed))).bodies[0]?.stamps[0]).toMatchObject({ position: 'cz_zfzyz', format: 'ses' });
  });

  it('takes a PNG picture; refuses a non-SM2 maker (exit 1) and bad arguments (exit 2)', async () => {
    const png = join(dir, 'p.png');
    await writeFile(png, await renderSealPng('Picture Test', { sizePx: 128 }));
    const out = join(dir, 'p.esl');
    const ok = await withEnv(['seal-make', '--maker', `file:${S}/maker.key.pem?cert=${S}/maker.cert.pem`, '--holder', `${S}/dw.cert.pem`, '--name', 'P', '--valid-from', '2025-01-01', '--valid-to', '2026-12-31', '--picture', png, '-o', out]);
    expect(ok.code).toBe(0);
    expect(parseSeal(new Uint8Array(await readFile(out))).picture.data).toEqual(new Uint8Array(await readFile(png)));
    const P = join(ROOT, 'fixtures/pki/p256');
    const ec = await withEnv(['seal-make', '--maker', `file:${P}/maker.key.pem?cert=${P}/maker.cert.pem`, '--holder', `${S}/dw.cert.pem`, '--name', 'P', '--valid-from', '2025-01-01', '--valid-to', '2026-12-31', '-o', join(dir, 'x.esl')]);
    expect(ec.code).toBe(1);
    expect(ec.stderr).toContain('SEAL_SES_REQUIRES_SM2');
    expect((await withEnv(['seal-make', '--maker', `file:${S}/maker.key.pem?cert=${S}/maker.cert.pem`, '--name', 'P', '--valid-from', '2025-01-01', '--valid-to', '2026-12-31', '-o', join(dir, 'y.esl')])).code).toBe(2);
    expect((await withEnv(['seal-make', '--maker', `file:${S}/maker.key.pem?cert=${S}/maker.cert.pem`, '--holder', `${S}/dw.cert.pem`, '--name', 'P', '--valid-from', 'soon', '--valid-to', '2026-12-31', '-o', join(dir, 'y.esl')])).code).toBe(2);
  });

  it('makes no seal that `seal` would then refuse: a picture too large for a stamp (exit 2), a maker that may not sign or a period past it (exit 1)', async () => {
    const maker = `file:${S}/maker.key.pem?cert=${S}/maker.cert.pem`;
    const common = ['--holder', `${S}/cz.cert.pem`, '--name', 'P', '--valid-from', '2025-01-01'];
    // A 300 KB PNG: the seal object exceeded what an ses stamp may hold (256 KiB), and every `seal` with it failed.
    const png = join(dir, 'big.png');
    const big = new Uint8Array(300_000);
    big.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await writeFile(png, big);
    const large = await withEnv(['seal-make', '--maker', maker, ...common, '--valid-to', '2030-12-31', '--picture', png, '-o', join(dir, 'big.esl')]);
    expect(large.stderr).toContain('ARG_INVALID');
    expect(large.code).toBe(2);
    // The sealer CA as maker (keyCertSign, cRLSign only): `seal` refused every stamp with CERT_KEY_USAGE.
    const ca = await withEnv(['seal-make', '--maker', `file:${S}/ca.key.pem?cert=${S}/ca.cert.pem`, ...common, '--valid-to', '2030-12-31', '-o', join(dir, 'ca.esl')]);
    expect(ca.stderr).toContain('CERT_KEY_USAGE');
    expect(ca.code).toBe(1);
    // The maker certificate expires 2045-01-01: a seal valid to 2050 could not seal after that.
    const late = await withEnv(['seal-make', '--maker', maker, ...common, '--valid-to', '2050-12-31', '-o', join(dir, 'late.esl')]);
    expect(late.stderr).toContain('SEAL_PERIOD_INVALID');
    expect(late.code).toBe(1);
    for (const f of ['big.esl', 'ca.esl', 'late.esl']) await expect(readFile(join(dir, f))).rejects.toThrow();
  });
});
