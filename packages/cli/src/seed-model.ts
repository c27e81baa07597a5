// What the parts of the demo-data generator share: the reference records everything points at, and the
// plan of each generated account, filled in step by step as its records are written.
import type { PipelineSpec, ProductGroup, ProductSpec, SurveySpec } from './seed-catalog.ts';
import type { JobTitle, Person } from './seed-people.ts';
import type { Address, ChineseCity, ForeignCity, Trade } from './seed-places.ts';
import type { Clock, Random } from './seed-random.ts';
import type { Lane, SeedWriter } from './seed-writer.ts';

export const SEED_SIZES = ['S', 'M', 'L'] as const;
export type SeedSize = (typeof SEED_SIZES)[number];

export interface Scale {
  accounts: number;
  /** Staff besides team managers. */
  staff: number;
  campaignsPerQuarter: number;
  /** Campaign budgets grow with the company: a national trade show for 100k accounts costs more. */
  budgetFactor: number;
  partners: number;
}

export const SCALES: Record<SeedSize, Scale> = {
  S: { accounts: 1_000, staff: 40, campaignsPerQuarter: 3, budgetFactor: 1, partners: 12 },
  M: { accounts: 100_000, staff: 400, campaignsPerQuarter: 20, budgetFactor: 10, partners: 150 },
  L: { accounts: 1_000_000, staff: 1_500, campaignsPerQuarter: 40, budgetFactor: 30, partners: 600 },
};

export interface UserRef {
  id: string | undefined;
  name: string;
  role: string;
  team: string;
}

export interface ProductRef {
  id: string | undefined;
  spec: ProductSpec;
}

export interface PipelineRef {
  id: string | undefined;
  spec: PipelineSpec;
}

export interface CampaignRef {
  id: string | undefined;
  name: string;
  type: string;
  goal: string;
  status: string;
  start: number;
  end: number;
  /** Planned spend; campaigns that spend more bring in more leads. */
  budget: number;
  /** lead.source / opportunity.source value for what this campaign brings in. */
  source: string;
  /** Share of targeted members who respond. */
  responseRate: number;
  /** The interaction channel a response arrives by. */
  channel: string;
}

export interface SurveyRef {
  id: string | undefined;
  spec: SurveySpec;
  dimensionIds: (string | undefined)[];
}

export interface Reference {
  users: UserRef[];
  /** Users by role (`salesRep`, `serviceAgent`, …). */
  byRole: Map<string, UserRef[]>;
  /** Sales reps (and the manager) of each sales team, by team name. */
  salesByTeam: Map<string, UserRef[]>;
  territories: Map<string, string | undefined>;
  pipelines: Map<string, PipelineRef>;
  products: ProductRef[];
  productsByGroup: Map<ProductGroup, ProductRef[]>;
  competitors: (string | undefined)[];
  partners: { id: string | undefined; territory: string }[];
  campaigns: CampaignRef[];
  surveys: SurveyRef[];
  articles: { id: string | undefined; product?: ProductRef }[];
}

export interface SeedContext {
  writer: SeedWriter;
  clock: Clock;
  scale: Scale;
  ref: Reference;
}

export interface ContactPlan {
  id?: string;
  person: Person;
  job: JobTitle;
  email: string;
  mobile?: string;
  phone: string;
}

export interface LinePlan {
  product: ProductRef;
  quantity: number;
  unitPrice: number;
  discount: number;
  total: number;
  cost: number;
}

export interface StageChange {
  from?: string;
  to: string;
  at: number;
}

export interface OpportunityPlan {
  id?: string;
  name: string;
  pipeline: PipelineRef;
  stage: string;
  probability: number;
  openedAt: number;
  closedAt?: number;
  expectedClose: number;
  changes: StageChange[];
  lines: LinePlan[];
  amount: number;
  owner: UserRef;
  campaign?: CampaignRef;
  contact?: ContactPlan;
  lossReason?: string;
  lostTo?: string;
  quoteId?: string;
  /** When the opportunity reached the proposal (or bidding) stage, if it did. */
  quotedAt?: number;
}

export interface OrderPlan {
  id?: string;
  date: number;
  lines: LinePlan[];
  total: number;
  cost: number;
  opportunity?: OpportunityPlan;
  contact?: ContactPlan;
  owner: UserRef;
}

export interface CasePlan {
  id?: string;
  type: string;
  severity: string;
  priority: string;
  /** A field engineer working on the case with the owner. */
  engineer?: UserRef;
  openedAt: number;
  resolvedAt?: number;
  closedAt?: number;
  firstResponseAt?: number;
  slaDueAt: number;
  status: string;
  owner: UserRef;
  contact?: ContactPlan;
  product?: ProductRef;
  order?: OrderPlan;
  breached: boolean;
  changes: { from?: string; to: string; at: number; by: UserRef }[];
}

export type Tier = 'A' | 'B' | 'C' | 'D';

export interface AccountPlan {
  id?: string;
  name: string;
  domain: string;
  chinese: boolean;
  cn?: ChineseCity;
  foreign?: ForeignCity;
  address: Address;
  phone: string;
  trade: Trade;
  kind: 'customer' | 'prospect' | 'competitor';
  tier?: Tier;
  /** Relative value of the customer (Pareto-distributed), scales quantities and order counts. */
  weight: number;
  /** First purchase for customers, first contact for prospects. */
  since: number;
  /** After this moment the account does nothing more (churned customers stop early). */
  lastActive: number;
  churned: boolean;
  owner: UserRef;
  territory: string;
  partnerId?: string;
  /** Set when the account was converted from a campaign lead. */
  origin?: { campaign: CampaignRef; receivedAt: number; convertedAt: number };
  contacts: ContactPlan[];
  opportunities: OpportunityPlan[];
  orders: OrderPlan[];
  cases: CasePlan[];
}

export interface LeadPlan {
  id?: string;
  person: Person;
  company: string;
  chinese: boolean;
  campaign?: CampaignRef;
  receivedAt: number;
  status: string;
  owner: UserRef;
  /** The account the lead was converted into. */
  account?: AccountPlan;
  email?: string;
  mobile?: string;
  phone?: string;
}

/** A contact's response to a campaign, which is also a touchpoint. */
export interface ResponsePlan {
  account: AccountPlan;
  contact: ContactPlan;
  campaign: CampaignRef;
  at: number;
}

/** Everything one chunk of accounts needs while it is generated. */
export interface Chunk {
  ctx: SeedContext;
  random: Random;
  /** Writes of this chunk, ordered after the previous chunk's per entity. */
  writer: Lane;
  accounts: AccountPlan[];
  leads: LeadPlan[];
  responses: ResponsePlan[];
}

export const money = (amount: number, currency = 'CNY') => ({ amount: amount.toFixed(2), currency });

export const round2 = (n: number) => Math.round(n * 100) / 100;
