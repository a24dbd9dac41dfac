export { TDigest, type TDigestOptions } from './tdigest';
export { TDigestDecodeError } from './tdigest.errors';
export { CODEC_VERSION } from './tdigest.codec';
export type { DigestJson } from './tdigest.json-codec';
