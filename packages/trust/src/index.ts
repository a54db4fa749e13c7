export { TrustError, type TrustErrorCode } from './errors.js';
export { hostIdentityOf, nodeEd25519, publicKeyFromHi } from './ed25519.js';
export {
  AUTH_HASH_CUSTOMIZATION,
  HHIT_CONTEXT_ID,
  currentManifestHash,
  detFromHostIdentity,
  detMatchesHostIdentity,
  dripHash,
  linkHash,
  makeManifest,
  manifestHashConsistent,
  orchidHash,
  pagedMessageHash,
} from './hashes.js';
export {
  IDENTITY_FILE_SUFFIX,
  IDENTITY_FORMAT,
  KEY_FILE_SUFFIX,
  generateDripKey,
  identityFileFor,
  identityToJson,
  keyFilePaths,
  loadKeyPair,
  parseIdentity,
  readIdentity,
  readPrivateKey,
  writeKeyPair,
  type DripIdentity,
  type DripKeyPair,
} from './keys.js';
export { ENDORSEMENT_FORMAT, createEndorsement, endorsementToJson, parseEndorsement, readEndorsement, verifyEndorsement, type EndorsementCheck } from './endorse.js';
export { ENDORSEMENTS_DIR, ROOTS_DIR, loadTrustStore, trustStore, type TrustStore } from './trust-store.js';
export { DEFAULT_CLOCK_SKEW_S, windowProblem, type WindowProblem } from './validity.js';
export { loadUaSigner, uaSigner, type UaSigner } from './signer.js';
export { DripVerifier, type AuthOptions, type DroneVerification, type TrustState, type VerificationEvidence, type VerifierOptions } from './verify.js';
export { ridKeysProgram, runRidKeys, type RidKeysIo } from './cli/program.js';
