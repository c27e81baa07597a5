// The fuzz of fuzz.test.ts against the embedded database (PGlite, the default of `npm start`): same generator,
// same checks. Shorter by default (FUZZ_EMBEDDED_REQUESTS, default 100; FUZZ_REQUESTS overrides both).
process.env.TOUCHPOINT_TEST_EMBEDDED = '1';
process.env.FUZZ_REQUESTS ??= process.env.FUZZ_EMBEDDED_REQUESTS ?? '100';
await import('./fuzz.test.ts');
