// Two Touchpoints on one PostgreSQL database, as behind a load balancer: a revocation made through one is
// refused by the other on the very next request, though the other remembers checked credentials
// (IdentityCache). Both run on a stopped clock, so a remembered credential would never expire by itself:
// only the revocation's notification (engine.revocations, LISTEN/NOTIFY) can make the second one forget.
// On the embedded database one process owns the data, so there is no second instance to test.
import { createTouchpoint, type Touchpoint } from '@touchpoint/api';
import { type Clock, loadCoreEntities } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, CORE_SCHEMAS, corePermissions, type Harness, startHarness } from './harness.ts';

const frozen = new Date('2026-03-02T09:00:00.000Z');
const clock: Clock = { now: () => new Date(frozen), sql: `'${frozen.toISOString()}'::timestamptz` };

let h: Harness;
let b: Touchpoint | undefined;
beforeAll(async () => {
  h = await startHarness({ clock });
  if (h.engine.db.embedded) return;
  b = await createTouchpoint({
    engine: {
      databaseUrl: h.database.url,
      coreEntities: loadCoreEntities(CORE_SCHEMAS),
      corePermissions: corePermissions(),
      poolSize: 4,
      clock,
    },
    plugins: false,
    crmBehaviour: false,
  });
});
afterAll(async () => {
  await b?.close();
  await h?.close();
});

/** The same request as `client` makes, sent to the second instance; answers the HTTP status and body. */
async function onB(client: Client, query: string, credentials = client.credentials) {
  const response = await fetch(`${b!.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-touchpoint-workspace': 'default', ...credentials },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code };
}

describe('revocation across instances', () => {
  it('the embedded database has one instance: its revocations are always known', () => {
    expect(h.engine.revocations.reliable).toBe(true);
    expect(b?.engine.revocations.reliable ?? true).toBe(true);
  });

  it('a second instance believes a remembered credential until told: a revocation past the audit log is not seen', async () => {
    if (!b) return;
    const rep = await h.addUser({ email: 'unseen@example.test', name: 'Unseen' });
    expect((await onB(rep, '{ viewer { id } }')).status).toBe(200);
    // Revoked in SQL with no audit row (so no notification): the second instance still answers from memory,
    // which is what the tests below would see without the notification.
    await h.engine.db.query(
      `update touchpoint.session set revoked_at = $1
       where credential_id = (select id from touchpoint.credential where email = $2)`,
      [frozen, 'unseen@example.test'],
    );
    expect((await onB(rep, '{ viewer { id } }')).status).toBe(200);
    expect((await rep.post('{ viewer { id } }')).status).toBe(401);
  });

  it('a cut listener: nothing remembered is believed across the outage, and it listens again', async () => {
    if (!b) return;
    const rep = await h.addUser({ email: 'deaf@example.test', name: 'Deaf' });
    expect((await onB(rep, '{ viewer { id } }')).status).toBe(200);
    // Every instance's listening session is cut: until it is back, each request is checked in PostgreSQL.
    await h.engine.db.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = current_database() and application_name = 'touchpoint-revocations'`,
    );
    await expect.poll(() => b!.engine.revocations.reliable, { timeout: 10_000 }).toBe(false);
    await h.engine.db.query(
      `update touchpoint.session set revoked_at = $1
       where credential_id = (select id from touchpoint.credential where email = $2)`,
      [frozen, 'deaf@example.test'],
    );
    expect((await onB(rep, '{ viewer { id } }')).status).toBe(401);
    await expect.poll(() => b!.engine.revocations.reliable, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => h.engine.revocations.reliable, { timeout: 10_000 }).toBe(true);
  });

  it('sign-out everywhere, a revoked token, a password change and a deactivation on one: refused on the next request on the other (5 rounds)', async () => {
    if (!b) return;
    for (let round = 0; round < 5; round++) {
      const rep = await h.addUser({ email: `rep${round}@example.test`, name: `Rep ${round}` });
      const { createApiToken } = await rep.ok<{ createApiToken: { token: string; apiToken: { id: string } } }>(
        'mutation { createApiToken(name: "sync", expiresInDays: 30) { token apiToken { id } } }',
      );
      const bearer = { authorization: `Bearer ${createApiToken.token}` };
      const second = await h.signIn(`rep${round}@example.test`);
      // Each credential is checked once on the second instance, and remembered there.
      for (const credentials of [rep.credentials, bearer, second.credentials]) {
        expect((await onB(rep, '{ viewer { id } }', credentials)).status).toBe(200);
      }

      await rep.ok('mutation { signOutEverywhere }');
      expect(await onB(rep, '{ viewer { id } }')).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
      expect((await onB(rep, '{ viewer { id } }', second.credentials)).status).toBe(401);
      expect((await onB(rep, '{ viewer { id } }', bearer)).status).toBe(200);

      await h.ok('mutation($id: ID!) { revokeApiToken(id: $id) }', { id: createApiToken.apiToken.id });
      expect((await onB(rep, '{ viewer { id } }', bearer)).status).toBe(401);

      const again = await h.signIn(`rep${round}@example.test`);
      expect((await onB(again, '{ viewer { id } }')).status).toBe(200);
      await h.ok('mutation($id: ID!) { deactivateMember(userId: $id) }', { id: again.userId });
      expect((await onB(again, '{ viewer { id } }')).status).toBe(401);
    }
  });

  it('a password change and a demotion on one are in force on the next request on the other', async () => {
    if (!b) return;
    const admin = await h.addUser({ email: 'other.admin@example.test', name: 'Other admin', role: 'admin' });
    const elsewhere = await h.signIn('other.admin@example.test');
    expect((await onB(admin, '{ members { userId } }')).status).toBe(200);
    expect((await onB(elsewhere, '{ members { userId } }')).status).toBe(200);
    await h.ok('mutation($id: ID!) { changeMemberRole(userId: $id, role: "salesRep") }', { id: admin.userId });
    expect(await onB(admin, '{ members { userId } }')).toEqual({ status: 403, code: 'FORBIDDEN' });
    await admin.ok('mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) }', {
      c: 'correct horse battery staple',
      n: 'another long password',
    });
    expect((await onB(elsewhere, '{ viewer { id } }')).status).toBe(401);
    expect((await onB(admin, '{ viewer { id } }')).status).toBe(200);
  });
});
