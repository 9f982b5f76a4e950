import { Menu, Tooltip } from 'antd';
import type { MenuProps } from 'antd';
import { useLocation, useNavigate } from 'react-router';
import type { Role } from '../../../core';

type Item = Required<MenuProps>['items'][number];

/** 最美科技工作者 sub-items per role, as in the manual. */
export const ROLE_MENU: Record<Role, { key: string; label: string }[]> = {
  applicant: [{ key: '/zmkj/mine', label: '我的申报表' }],
  unit: [
    { key: '/zmkj/pending', label: '待审核申报表' },
    { key: '/zmkj/search', label: '查询申报表' },
    { key: '/zmkj/publicity', label: '初评公示' },
    { key: '/zmkj/stats', label: '统计' },
    { key: '/zmkj/exports', label: '数据导出' },
  ],
  organizer: [
    { key: '/zmkj/pending', label: '待审核申报表' },
    { key: '/zmkj/search', label: '查询申报表' },
    { key: '/zmkj/publicity', label: '初评公示' },
    { key: '/admin/objections', label: '公示异议' },
    { key: '/admin/units', label: '推荐单位管理' },
    { key: '/admin/experts', label: '评审专家' },
    { key: '/admin/expert-groups', label: '评审组' },
    { key: '/admin/review', label: '网上评选管理' },
    { key: '/admin/ranking', label: '网上评选结果' },
    { key: '/admin/shortlist', label: '入围名单' },
    { key: '/admin/meeting', label: '集中评选' },
    { key: '/admin/selection', label: '最终评选结果' },
    { key: '/admin/publication', label: '发布结果' },
    { key: '/admin/certificates', label: '证书' },
    { key: '/zmkj/stats', label: '统计' },
    { key: '/zmkj/exports', label: '数据导出' },
    { key: '/admin/outbox', label: '消息发件箱' },
    { key: '/admin/messages', label: '消息模板与后台任务' },
    { key: '/admin/audit', label: '审计日志' },
    { key: '/admin/settings', label: '评选活动设置' },
  ],
  expert: [
    { key: '/zmkj/review', label: '网上评选' },
    { key: '/zmkj/meeting', label: '集中评选' },
  ],
};

/** Other programs of the business system: listed like the manual, not open yet. */
const OTHER_MODULES = ['资助学会重点项目', '科协九大代表、九届委员登记', '科学技术普及奖', '自然科学优秀论文奖', '新疆青年科技奖'];

function selectedKey(pathname: string): string {
  if (pathname.startsWith('/zmkj/applications/')) return '/zmkj/mine';
  if (pathname.startsWith('/zmkj/handle/')) return '/zmkj/pending';
  if (pathname.startsWith('/zmkj/view/')) return '/zmkj/search';
  if (pathname.startsWith('/zmkj/review/')) return '/zmkj/review';
  if (pathname.startsWith('/zmkj/publicity')) return '/zmkj/publicity';
  return pathname;
}

export function SideMenu({ role, onNavigate }: { role: Role; onNavigate?: () => void }) {
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const items: Item[] = [
    {
      type: 'group',
      key: 'common',
      label: '常用功能',
      children: [{ key: '/', label: '我的主页' }, ...(role === 'unit' ? [{ key: '/account', label: '账号信息' }] : [])],
    },
    ...OTHER_MODULES.map((name): Item => ({
      key: `module:${name}`,
      disabled: true,
      label: (
        <Tooltip title="暂未开放" placement="right">
          <span>{name}</span>
        </Tooltip>
      ),
    })),
    {
      key: 'zmkj',
      label: '最美科技工作者',
      children: ROLE_MENU[role].map((i) => ({ key: i.key, label: i.label })),
    },
  ];
  return (
    <nav aria-label="功能菜单">
      <Menu
        mode="inline"
        items={items}
        selectedKeys={[selectedKey(pathname)]}
        defaultOpenKeys={['zmkj']}
        onClick={({ key }) => {
          if (key.startsWith('/')) {
            navigate(key);
            onNavigate?.();
          }
        }}
      />
    </nav>
  );
}
