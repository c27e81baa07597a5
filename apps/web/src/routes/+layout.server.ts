// Who is working, in which workspace and language: kept in cookies so every page, server-rendered or not,
// asks the API as the same user.
import type { Lang, Session } from '#lib/api.ts';
import type { LayoutServerLoad } from './$types';

const USER = /^[\w.:@-]{1,100}$/;

export const load: LayoutServerLoad = ({ cookies }) => {
  const user = cookies.get('tp_user');
  const workspace = cookies.get('tp_workspace');
  const lang: Lang = cookies.get('tp_lang') === 'zh-CN' ? 'zh-CN' : 'en';
  const session: Session = {
    user: user && USER.test(user) ? user : 'admin',
    workspace: workspace && /^[a-z][a-z0-9_]{0,40}$/.test(workspace) ? workspace : 'default',
    lang,
  };
  return { session };
};
