// Demo sign-ins: seven people of the demo company get an email under example.com and the password
// `touchpoint` (DEMO ONLY — anybody who reads the README knows it). They are staff the seed made anyway,
// chosen by role, so the records they own are the seed's own deterministic spread: the two reps sit in the
// manager's team, report to the manager, and own disjoint shares of its accounts and opportunities.
import type { Engine, RecordService } from '@touchpoint/engine';
import type { UserRef } from './seed-model.ts';

export const DEMO_PASSWORD = 'touchpoint';

export interface DemoLogin {
  email: string;
  /** Their roles (schemas/permissions). */
  roles: string[];
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
  { email: 'admin@example.com', roles: ['admin'], pick: (users) => users.find((u) => u.role === 'admin') },
  { email: 'manager@example.com', roles: ['salesManager'], pick: (users) => salesTeam(users).manager },
  { email: 'rep1@example.com', roles: ['salesRep'], pick: (users) => salesTeam(users).reps[0] },
  { email: 'rep2@example.com', roles: ['salesRep'], pick: (users) => salesTeam(users).reps[1] },
  {
    email: 'service@example.com',
    roles: ['serviceAgent'],
    pick: (users) => users.find((u) => u.role === 'serviceAgent'),
  },
  { email: 'marketing@example.com', roles: ['marketing'], pick: (users) => users.find((u) => u.role === 'marketer') },
];

/** Leads and deals the demo partner company is sure to have, so partner@example.com sees some. */
const PARTNER_LEADS = 8;
const PARTNER_DEALS = 5;
/** Cases put in service@example.com's team (their queue), newest first. */
const QUEUE_CASES = 40;

/**
 * Gives the demo logins their emails (active, so they can sign in) and roles, plus a partner user of one
 * partner company (with leads and deals of its own), puts recent cases in the service agent's team queue,
 * and makes each able to sign in with DEMO_PASSWORD. rep1 and rep2 report to manager@ (the seed makes
 * every member of a team report to its manager).
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
    await engine.addUser(workspace, {
      email: login.email,
      name: user.name,
      roles: login.roles,
      password: DEMO_PASSWORD,
    });
    if (login.roles.includes('serviceAgent')) await fillQueue(records, user.id);
  }
  const company = partner?.id
    ? ((await records.get('partner', partner.id, { fields: ['name'], relations: [] })) as { name: string } | null)
    : null;
  await engine.addUser(workspace, {
    email: 'partner@example.com',
    name: 'Partner User',
    role: 'salesRep',
    roles: ['partnerUser'],
    password: DEMO_PASSWORD,
    values: {
      title: company ? `Partner sales, ${company.name}` : 'Partner sales',
      ...(partner?.id ? { partner: partner.id } : {}),
    },
  });
  if (partner?.id) {
    await giveToPartner(records, 'lead', partner.id, PARTNER_LEADS);
    await giveToPartner(records, 'opportunity', partner.id, PARTNER_DEALS);
  }
}

/** Makes sure the partner company has `count` records of `entity`, taking some nobody's partner has yet. */
async function giveToPartner(records: RecordService, entity: string, partner: string, count: number) {
  const selection = { fields: ['id'], relations: [] };
  const theirs = await records.list({ entity, filter: { partnerId: { eq: partner } }, selection, first: count });
  const missing = count - theirs.nodes.length;
  if (missing <= 0) return;
  const free = await records.list({ entity, filter: { partnerId: { isNull: true } }, selection, first: missing });
  await records.updateMany(
    entity,
    free.nodes.map((n) => ({ id: n.id as string, values: { partner } })),
  );
}

/** Puts the newest cases of the agent's team members in the team (the queue the agent works). */
async function fillQueue(records: RecordService, agent: string) {
  const user = (await records.get('user', agent, { fields: ['teamId'], relations: [] })) as {
    teamId: string | null;
  } | null;
  const team = user?.teamId;
  if (!team) return;
  const members = await records.list({
    entity: 'user',
    filter: { teamId: { eq: team } },
    selection: { fields: ['id'], relations: [] },
    first: 500,
  });
  const cases = await records.list({
    entity: 'case',
    filter: { ownerId: { in: members.nodes.map((m) => m.id as string) } },
    selection: { fields: ['id'], relations: [] },
    first: QUEUE_CASES,
  });
  await records.updateMany(
    'case',
    cases.nodes.map((c) => ({ id: c.id as string, values: { team } })),
  );
}
