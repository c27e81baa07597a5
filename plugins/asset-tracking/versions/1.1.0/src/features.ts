// Release 1.1.0: what this release adds to 1.0.0 (laid over src/features.ts by the overlay).
export const TRACK_SERVICE_DATE = true;
