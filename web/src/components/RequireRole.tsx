import type { ReactNode } from 'react';
import { Result } from 'antd';
import { Link } from 'react-router';
import type { Role } from '../../../core';
import { useAuth } from '../auth';

export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { user } = useAuth();
  if (!user || !roles.includes(user.role)) {
    return <Result status="403" title="无权访问" subTitle="当前账号无权访问该页面" extra={<Link to="/">返回我的主页</Link>} />;
  }
  return <>{children}</>;
}
