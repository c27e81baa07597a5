export { EXIT, main } from './cli.ts';
export type { SeedSize } from './seed.ts';
export { prng, SEED_SIZES, seedDemoData } from './seed.ts';
