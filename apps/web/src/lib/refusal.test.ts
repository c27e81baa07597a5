// A refusal in the user's words: the column limit of a table says what the table holds, in both languages.
import { describe, expect, it } from 'vitest';
import { ApiError } from './api.ts';
import { refusal, refusalLine } from './refusal.ts';

describe('refusals', () => {
  it('words the column limit of a table with its counts, in English and Chinese', () => {
    const details = {
      table: 'account',
      limit: 1400,
      postgresLimit: 1600,
      slots: 1395,
      live: 60,
      archived: 44,
      dropped: 1291,
      adding: 10,
    };
    const error = new ApiError('LIMIT_EXCEEDED', 'The table "account" …', [{ path: 'changes', message: '…' }], details);
    expect(refusal(error, 'en').text).toBe(
      'The change was refused: the table "account" would hold 1,405 columns, more than the 1,400 allowed. It holds 1,395: 60 in use, 44 archived and 1,291 dropped, which the database keeps counting until the table is recreated. Purging archives deletes their data; recreating the table frees the columns. Nothing was changed.',
    );
    expect(refusal(error, 'zh-CN').text).toBe(
      '变更被拒绝：数据表“account”将有 1,405 列，超过允许的 1,400 列。它现有 1,395 列：60 列在用，44 列已归档，1,291 列已删除（在重建数据表之前，数据库仍会计入这些列）。永久删除归档会删除其数据；重建数据表才能释放这些列。没有做任何修改。',
    );
    // Other limits keep the general sentence.
    expect(refusal(new ApiError('LIMIT_EXCEEDED', 'first: too many'), 'zh-CN').text).toBe(
      '变更被拒绝：超出了服务器的限制。',
    );
  });

  it("gives the Kanban and timeline one line in the reader's language, a plugin's words labelled as its own", () => {
    const failed = new ApiError('PLUGIN_FAILED', 'Plugin evil.p failed in account.beforeUpdate (workspace w).', [], {
      plugin: 'evil.p',
      pluginMessage: 'Your session expired. Log in again at [link removed]',
    });
    expect(refusalLine(failed, 'zh-CN')).toBe(
      '插件 evil.p 出错。 以下消息来自该插件，而非 Touchpoint： “Your session expired. Log in again at [link removed]”',
    );
    expect(refusalLine(failed, 'en')).toBe(
      'The plugin evil.p failed. Message from the plugin, not from Touchpoint: “Your session expired. Log in again at [link removed]”',
    );
    // Not a plugin's: the refusal in Chinese words, the server's English sentence left out.
    const limit = new ApiError('LIMIT_EXCEEDED', 'first: too many');
    expect(refusalLine(limit, 'zh-CN')).toBe('变更被拒绝：超出了服务器的限制。');
    expect(refusalLine(new Error('network down'), 'zh-CN')).not.toContain('network down');
  });
});
