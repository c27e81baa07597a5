// Demo sign-ins: seven people of the demo company get an email under example.com and the password
// `touchpoint` (DEMO ONLY — anybody who reads the README knows it). They are staff the seed made anyway,
// chosen by role, so the records they own are the seed's own deterministic spread: the two reps sit in the
// manager's team, report to the manager, and own disjoint shares of its accounts and opportunities.
import type { Engine, RecordService } from '@touchpoint/engine';
import type { UserRef } from './seed-model.ts';

export const DEMO_PASSWORD = 'touchpoint';

export interface DemoLogin {
  email: string;
  /** Who it is: a role and, for reps, their place in the team. */
  pick: (users: UserRef[]) => UserRef | undefined;
}

/** The first sales team with at least two reps: its manager, rep1 and rep2. */
function salesTeam(users: UserRef[]): { manager?: UserRef; reps: UserRef[] } {
  for (const manager of users.filter((u) => u.role === 'salesManager')) {
    const reps = users.filter((u) => u.team === manager.team && u.role === 'salesRep');
    if (reps.length >= 2) return { manager, reps };
  }
  return { reps: [] };
}

export const DEMO_LOGINS: DemoLogin[] = [
  { email: 'admin@example.com', pick: (users) => users.find((u) => u.role === 'admin') },
  { email: 'manager@example.com', pick: (users) => salesTeam(users).manager },
  { email: 'rep1@example.com', pick: (users) => salesTeam(users).reps[0] },
  { email: 'rep2@example.com', pick: (users) => salesTeam(users).reps[1] },
  { email: 'service@example.com', pick: (users) => users.find((u) => u.role === 'serviceAgent') },
  { email: 'marketing@example.com', pick: (users) => users.find((u) => u.role === 'marketer') },
];

/**
 * Gives the demo logins their emails (active, so they can sign in), plus a user for one partner company,
 * and makes each able to sign in with DEMO_PASSWORD.
 */
export async function addDemoLogins(
  engine: Engine,
  workspace: string,
  records: RecordService,
  users: UserRef[],
  partner: { id: string | undefined } | undefined,
): Promise<void> {
  for (const login of DEMO_LOGINS) {
    const user = login.pick(users);
    if (!user?.id) continue;
    await records.update('user', user.id, { email: login.email, active: true });
    await engine.addUser(workspace, { email: login.email, name: user.name, password: DEMO_PASSWORD });
  }
  const company = partner?.id
    ? ((await records.get('account', partner.id, { fields: ['name'], relations: [] })) as { name: string } | null)
    : null;
  await engine.addUser(workspace, {
    email: 'partner@example.com',
    name: 'Partner User',
    role: 'salesRep',
    password: DEMO_PASSWORD,
    values: { title: company ? `Partner sales, ${company.name}` : 'Partner sales' },
  });
}
