// Switches of this release; a later release's overlay (versions/<version>/src/features.ts) turns them on.
export const TRACK_SERVICE_DATE = false;
