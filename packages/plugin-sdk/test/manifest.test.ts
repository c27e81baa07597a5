import { describe, expect, it } from 'vitest';
import { validateManifest } from '../src/index.ts';

const VALID = {
  id: 'acme.asset-sync',
  version: '1.4.0',
  labels: { en: 'Asset sync', 'zh-CN': '资产同步' },
  description: { en: 'Keeps assets in step with the ERP.' },
  touchpoint: '>=0.1.0 <1.0.0',
  capabilities: { records: { account: ['read', 'update'], asset: ['read', 'create'] } },
  settings: { erpUrl: { type: 'string', required: true, maxLength: 200 } },
};

describe('validateManifest', () => {
  it('accepts a complete manifest', () => {
    expect(validateManifest(VALID)).toEqual([]);
    expect(validateManifest(VALID, { touchpointVersion: '0.3.2' })).toEqual([]);
  });

  it('reports every problem at once, with paths and what is allowed', () => {
    const issues = validateManifest({
      id: 'AcmeSync',
      version: '1.0',
      labels: { en: 'X' },
      description: 'text',
      touchpoint: 'soon',
      capabilities: { records: { account: ['read', 'delete'], 'bad name': [] }, network: true },
      settings: { url: { type: 'url' } },
      colour: 'red',
    });
    expect(issues.map((i) => i.path)).toEqual([
      'colour',
      'id',
      'version',
      'labels.zh-CN',
      'description',
      'touchpoint',
      'capabilities.network',
      'capabilities.records.account[1]',
      'capabilities.records.bad name',
      'capabilities.records.bad name',
      'settings.url.type',
    ]);
    expect(issues.find((i) => i.path === 'capabilities.records.account[1]')).toMatchObject({
      message: 'unknown operation "delete"',
      allowed: ['read', 'create', 'update'],
    });
  });

  it('says when this Touchpoint is outside the range the plugin works with', () => {
    expect(validateManifest(VALID, { touchpointVersion: '1.0.0' })).toEqual([
      { path: 'touchpoint', message: 'this plugin works with Touchpoint >=0.1.0 <1.0.0; this is Touchpoint 1.0.0' },
    ]);
  });
});
