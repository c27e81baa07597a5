// Installed plugins as the screens need them: their actions (buttons on record pages) and their state.
import type { Lang } from './api.ts';

export interface InputFieldSpec {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'id' | 'date' | 'datetime' | 'list';
  required?: boolean;
  description?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  items?: InputFieldSpec;
}

export interface PluginAction {
  name: string;
  entity: string;
  labels: { en: string; zhCN: string };
  description: string | null;
  input: Record<string, InputFieldSpec> | null;
}

export interface InstalledPlugin {
  id: string;
  version: string;
  labels: { en: string; zhCN: string };
  enabled: boolean;
  disabledReason: string | null;
  installedAt: string;
  installedBy: string | null;
  capabilitiesGranted: unknown;
  actions: PluginAction[];
  metrics: { state: string; calls: number; errors: number; cpuTimeMs: number; lastError: string | null };
}

export const PLUGINS_QUERY = `{ plugins {
  id version labels { en zhCN } enabled disabledReason installedAt installedBy capabilitiesGranted
  actions { name entity labels { en zhCN } description input }
  metrics { state calls errors cpuTimeMs lastError }
} }`;

export function pluginLabel(labels: { en: string; zhCN: string }, lang: Lang): string {
  return lang === 'zh-CN' ? labels.zhCN || labels.en : labels.en;
}
