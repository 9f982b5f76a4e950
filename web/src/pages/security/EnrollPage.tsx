import { Alert } from 'antd';
import { Navigate, useNavigate } from 'react-router';
import { useAuth } from '../../auth';
import { AuthBox } from '../../components/AuthBox';
import { AuthLogoutLink } from '../../components/AuthLogoutLink';
import { PageLoading } from '../../components/AppLayout';
import { TotpEnrolment } from './TotpEnrolment';

/**
 * 开启两步验证, owed: an account whose role must use two-factor log-in (自治区科协, 评审专家) and has none set up may do
 * nothing else (the session's stage 'enroll', docs/api/security.md) — AppLayout sends it here, outside 我的主页's frame.
 */
export default function EnrollPage() {
  const { user, loading, setUser } = useAuth();
  const navigate = useNavigate();
  if (loading) return <PageLoading />;
  if (!user) return <Navigate to="/login" replace />;
  if (user.stage !== 'enroll') return <Navigate to="/" replace />;
  return (
    <AuthBox title="开启两步验证" wide>
      <Alert
        type="warning"
        showIcon
        className="auth-alert"
        title={`${user.realName || user.username}您好：按自治区科协的安全要求，您的账号必须开启两步验证，开启后方可使用评选平台。`}
      />
      <TotpEnrolment
        onDone={(next) => {
          setUser(next);
          navigate('/', { replace: true });
        }}
      />
      <AuthLogoutLink />
    </AuthBox>
  );
}
