/**
 * Types of the GB/T 38540-2020 / GM/T 0031-2014 seal objects (`SESeal`) and seal signatures
 * (`SES_Signature`) as this SDK reads and writes them. See docs/formats.md, "SES seal objects".
 */
import type { DerLimits, DerQuirk } from '../../encoding/der.js';
import type { ErrorCode } from '../../errors.js';

/** Which structure a seal object or seal signature uses: GB/T 38540-2020 ("v4") or GM/T 0031-2014. */
export type SesStructureVersion = 4 | 2014;

/** How strictly the SES decoders read. */
export type SesParseMode = 'strict' | 'lenient';

/** Options of {@link parseSeal} and {@link parseSesSignature}. */
export interface SesParseOptions {
  /**
   * `lenient` (the default) tolerates exactly the vendor quirks of standards.md §2.3 and §2 "Tolerances"
   * (an explicit DEFAULT FALSE `ExtData.critical`; an explicitly tagged `extDatas`; 2014 `timeInfo` or
   * `dataHash` as OCTET STRING and 2014 property times as GeneralizedTime) and records each in `quirks`.
   * `strict` refuses them. Neither mode relaxes DER at the TLV level.
   */
  readonly mode?: SesParseMode;
  /** DER reader limits; the default size limit is {@link MAX_SES_BYTES}. */
  readonly limits?: DerLimits;
}

/** `SES_Header`. */
export interface SesHeader {
  /** `ID`, always `ES`. */
  readonly id: string;
  /** `version`: 4 for GB/T 38540; 1, 2 or 3 for GM/T 0031-2014 files. */
  readonly version: number;
  /** `Vid`, the vendor id (e.g. `GOMAIN`). */
  readonly vid: string;
}

/** `SES_ESPictrueInfo` (the standard's spelling). Width and height are in millimetres. */
export interface SesPicture {
  /** `PNG`, `GIF`, `BMP`, `JPG`, `SVG`, or `ofd` in tax seals. */
  readonly type: string;
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** `ExtData`. */
export interface SesExtData {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** One `CertDigestObj` of a certListType 2 seal. */
export interface SesCertDigest {
  /** The hash algorithm name as written (e.g. `SM3`). */
  readonly algorithm: string;
  readonly value: Uint8Array;
}

/** The allowed sealers: certificates (certListType 1, and every 2014 seal) or certificate digests (type 2). */
export type SesCertList =
  | { readonly kind: 'certs'; readonly certs: readonly Uint8Array[] }
  | { readonly kind: 'digests'; readonly digests: readonly SesCertDigest[] };

/** A parsed `SESeal`. Every `Uint8Array` is a view of the parsed input. */
export interface SealObject {
  /** The structure: 4 (GB/T 38540-2020) or 2014 (GM/T 0031-2014). The header version is in `header.version`. */
  readonly version: SesStructureVersion;
  readonly header: SesHeader;
  /** `esID`, the seal's identifier. */
  readonly esId: string;
  /** Property `type` (2014: 1 organisation, 2 personal; v4: user-defined). */
  readonly type: number;
  /** Property `name`, the seal's name. */
  readonly name: string;
  /** `certListType` (v4 only): 1 certificates, 2 certificate digests. */
  readonly certListType?: 1 | 2;
  readonly certList: SesCertList;
  readonly createDate: Date;
  readonly validStart: Date;
  readonly validEnd: Date;
  readonly picture: SesPicture;
  /** `SES_SealInfo.extDatas`; empty when absent. */
  readonly extDatas: readonly SesExtData[];
  /** The seal maker's (制章者) certificate, DER. */
  readonly makerCert: Uint8Array;
  /** The maker's signature algorithm OID (must be `1.2.156.10197.1.501`). */
  readonly signAlgorithmOid: string;
  /** The maker's signature: the DER `SEQUENCE { r, s }` after the unused-bits octet (which is 0). */
  readonly signature: Uint8Array;
  readonly slices: {
    /** The raw `SES_SealInfo` TLV as received. */
    readonly sealInfo: Uint8Array;
    /**
     * What the maker signed: v4, the raw `SES_SealInfo` TLV; 2014, a new SEQUENCE header around the raw
     * `SES_SealInfo`, `cert` and `signatureAlgorithm` TLVs (standards.md §2.2).
     */
    readonly makerSigned: Uint8Array;
  };
  /** The whole `SESeal` TLV as received. */
  readonly raw: Uint8Array;
  /** Vendor quirks tolerated while reading (lenient mode). Offsets are relative to the parsed buffer. */
  readonly quirks: readonly DerQuirk[];
}

/** A 2014 `timeInfo` that is not a GeneralizedTime: the BIT STRING (or OCTET STRING) data and its text. */
export interface SesLegacyTimeInfo {
  readonly bytes: Uint8Array;
  /** The data as text when it is printable ASCII or UTF-8 (ofdrw writes `yyyy-MM-dd HH:mm:ss`). */
  readonly text?: string;
}

/** A parsed `SES_Signature`. Every `Uint8Array` is a view of the parsed input. */
export interface SesSignature {
  /** The structure: 4 (GB/T 38540-2020) or 2014 (GM/T 0031-2014). */
  readonly version: SesStructureVersion;
  /** `TBS_Sign.version` (equal to the seal header version). */
  readonly tbsVersion: number;
  /** The embedded seal object. */
  readonly seal: SealObject;
  /** `timeInfo`: the signer's claimed signing time (v4); 2014, the raw data with its text. */
  readonly timeInfo: Date | SesLegacyTimeInfo;
  /** `dataHash`: the hash of the protected data (unused bits 0). */
  readonly dataHash: Uint8Array;
  /** `propertyInfo`: what is protected. */
  readonly propertyInfo: string;
  /** The sealer's (签章者) certificate, DER: v4 `SES_Signature.cert`; 2014 `TBS_Sign.cert` (signed). */
  readonly sealerCert: Uint8Array;
  /** The sealer's signature algorithm OID (must be `1.2.156.10197.1.501`). */
  readonly signAlgorithmOid: string;
  /** The sealer's signature: DER `SEQUENCE { r, s }` after the unused-bits octet (which is 0). */
  readonly signature: Uint8Array;
  /** v4 `timeStamp` (the token bytes after the unused-bits octet), when present. */
  readonly timeStamp?: Uint8Array;
  /** v4 `TBS_Sign.extDatas`, when present. */
  readonly extDatas?: readonly SesExtData[];
  readonly slices: {
    /** The raw `TBS_Sign` TLV: what the sealer signed. */
    readonly tbsSign: Uint8Array;
  };
  /** The whole `SES_Signature` TLV as received. */
  readonly raw: Uint8Array;
  /** Vendor quirks tolerated while reading (lenient mode), including those of the embedded seal. */
  readonly quirks: readonly DerQuirk[];
}

/** The result of one SES check. Never thrown: bad input gives `ok: false` with a code. */
export interface SesCheckResult {
  readonly ok: boolean;
  /** Set when `ok` is false. */
  readonly code?: ErrorCode;
  /** A lower-case human message. */
  readonly message: string;
}

/** Options of the signature checks. */
export interface SesVerifyOptions {
  /**
   * The SM2 signer ID. Default `1234567812345678` (GB/T 35276), which every real seal uses. Another ID
   * (the empty one included) must be configured explicitly; it is never a fallback.
   */
  readonly sm2Id?: Uint8Array;
}
