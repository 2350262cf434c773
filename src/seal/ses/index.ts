/**
 * GB/T 38540-2020 / GM/T 0031-2014 electronic seals: the seal object `SESeal` (parse, make), the seal
 * signature `SES_Signature` (parse; make v4), the maker and sealer signature checks over the received
 * slices, the certList match, and a generated seal picture. See docs/formats.md, "SES seal objects".
 */
export { DEFAULT_SEAL_PICTURE_MM, SES_VERSION_V4, makeSeal, parseSeal } from './seal_object.js';
export type { MakeSealOptions, SealPictureInput } from './seal_object.js';
export { makeSesSignature, parseSesSignature } from './signature.js';
export type { MakeSesSignatureOptions } from './signature.js';
export { certDigestAlgorithm, matchSealerToSeal, verifySealMaker, verifySesSignatureValue } from './checks.js';
export { MAX_CERT_LIST, MAX_EXT_DATAS, MAX_SEAL_OBJECT_BYTES, MAX_SES_BYTES, SM2_WITH_SM3_OID, certificateSpki } from './asn1.js';
export { renderSealPng, sealSvg } from './picture.js';
export type { RenderSealPngOptions } from './picture.js';
export type {
  SealObject,
  SesCertDigest,
  SesCertList,
  SesCheckResult,
  SesExtData,
  SesHeader,
  SesLegacyTimeInfo,
  SesParseMode,
  SesParseOptions,
  SesPicture,
  SesSignature,
  SesStructureVersion,
  SesVerifyOptions,
} from './types.js';
