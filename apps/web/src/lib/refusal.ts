// A server refusal in the user's words: what was refused and why, by the error's code. The server's own
// sentence is English and names API terms (`confirmDestructive: true`), so it is shown only in English,
// and then only for codes without words of their own here.
import { ApiError, describePluginProblem, type Lang } from './api.ts';
import { fill, messages } from './i18n.ts';

export interface Refusal {
  text: string;
  /** One line per problem the server named: where (the path of API names), and what. */
  issues: string[];
}

/** A table's column limit (engine `migration/column-limit.ts`): its counts, from the refusal's details. */
function columnLimit(lang: Lang, template: string, d: Record<string, unknown>): string {
  const n = (key: string) => Number(d[key] ?? 0);
  const counts = {
    limit: n('limit'),
    slots: n('slots'),
    live: n('live'),
    archived: n('archived'),
    dropped: n('dropped'),
  };
  return fill(lang, template.replace('{table}', String(d.table ?? '')), {
    ...counts,
    total: counts.slots + n('adding'),
  });
}

export function refusal(error: unknown, lang: Lang): Refusal {
  const t = messages(lang).refusals;
  if (!(error instanceof ApiError)) {
    return { text: lang === 'en' && error instanceof Error ? `${t.other} ${error.message}` : t.other, issues: [] };
  }
  const known = (t as Record<string, string>)[error.code];
  const step = typeof error.details.step === 'number' ? error.details.step : null;
  const text =
    error.code === 'MIGRATION_FAILED' && step !== null
      ? t.migrationStep.replace('{step}', String(step))
      : error.code === 'LIMIT_EXCEEDED' && typeof error.details.postgresLimit === 'number'
        ? columnLimit(lang, t.columnLimit, error.details)
        : (known ?? (lang === 'en' ? `${t.other} ${error.message.split('\n')[0]}` : `${t.other}（${error.code}）`));
  // A refused confirmation names each destructive step as an issue; the plan dialog lists those steps already,
  // in the user's words.
  if (error.code === 'CONFIRMATION_REQUIRED') return { text, issues: [] };
  // Issue messages come from the server's validators in English; in Chinese the path says where.
  const issues = error.issues.map((i) => (lang === 'en' ? `${i.path}: ${i.message}` : `${i.path}：${i.message}`));
  return { text, issues };
}

/**
 * One line for a banner or a toast: a plugin's failure or refusal labelled as the plugin's (its words
 * quoted), otherwise the refusal in the person's words with the problems the server named.
 */
export function refusalLine(error: unknown, lang: Lang): string {
  if (error instanceof ApiError) {
    const fromPlugin = describePluginProblem(error, lang);
    if (fromPlugin) return fromPlugin;
  }
  const { text, issues } = refusal(error, lang);
  return issues.length > 0 ? `${text} ${issues.join('; ')}` : text;
}
