// The rule now lives in @keycard/common, shared with the resource services' API-key failure limit.
export { ipBucket } from '@keycard/common';
