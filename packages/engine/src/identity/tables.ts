// Identity's system tables: credentials, workspace memberships, role assignments, invitations, sessions, API tokens
// and sign-in throttling counters. They live in the `touchpoint` schema beside the metadata tables, never in a workspace schema,
// so no record API, GraphQL type or query compiler can reach them. Secrets are stored only as hashes:
// argon2id for passwords, sha256 for session ids, tokens and invitation secrets (random 32 bytes need no slow hash).
import type { Sql } from '../db.ts';
import { SYSTEM_SCHEMA } from '../system-entities.ts';

const S = SYSTEM_SCHEMA;

/**
 * A table of what a secret proves (a session, an API token, an invitation): its id, the secret's hash (unique,
 * for the lookup by secret), its own columns, when it was made, expires and was revoked; and an index.
 */
function secretTable(name: string, hash: string, index: string, indexed: string, columns: string[]): string {
  return `create table if not exists ${S}.${name} (
  id uuid primary key,
  ${hash} bytea not null unique,
  ${columns.join(',\n  ')},
  created_at timestamptz not null,
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create index if not exists ${index} on ${S}.${name} (${indexed});`;
}

export const IDENTITY_DDL = `
create table if not exists ${S}.credential (
  id serial primary key,
  email text not null unique,
  password_hash text,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create table if not exists ${S}.membership (
  credential_id integer not null references ${S}.credential(id) on delete cascade,
  workspace_id integer not null,
  user_id uuid not null,
  created_at timestamptz not null,
  primary key (credential_id, workspace_id),
  unique (workspace_id, user_id)
);
${secretTable('session', 'token_hash', 'session_credential_idx', 'credential_id', [
  `credential_id integer not null references ${S}.credential(id) on delete cascade`,
  'last_seen_at timestamptz not null',
  'user_agent text',
  'address text',
])}
${secretTable('api_token', 'token_hash', 'api_token_credential_idx', 'credential_id', [
  `credential_id integer not null references ${S}.credential(id) on delete cascade`,
  'name text not null',
  `created_by integer references ${S}.credential(id) on delete set null`,
  'last_used_at timestamptz',
])}
${secretTable('invitation', 'secret_hash', 'invitation_workspace_idx', 'workspace_id', [
  'workspace_id integer not null',
  'user_id uuid not null',
  'email text not null',
  'role text not null',
  'created_by text not null',
  'accepted_at timestamptz',
])}
alter table ${S}.invitation add column if not exists roles text[];
create table if not exists ${S}.role_assignment (
  workspace_id integer not null,
  user_id uuid not null,
  role text not null,
  primary key (workspace_id, user_id, role)
);
create index if not exists role_assignment_role_idx on ${S}.role_assignment (workspace_id, role);
create table if not exists ${S}.signin_throttle (
  key text primary key,
  failures integer not null,
  last_failure_at timestamptz not null,
  locked_until timestamptz
);
`;

export async function ensureIdentityTables(db: Sql): Promise<void> {
  for (const statement of IDENTITY_DDL.split(';').map((s) => s.trim())) {
    if (statement) await db.query(statement);
  }
}
