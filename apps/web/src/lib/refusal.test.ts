// A refusal in the user's words: the column limit of a table says what the table holds, in both languages.
import { describe, expect, it } from 'vitest';
import { ApiError } from './api.ts';
import { refusal } from './refusal.ts';

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
});
