import { Button } from 'antd';
import { useNavigate } from 'react-router';
import { useAuth } from '../auth';

/**
 * 退出登录 under a box a session must get through before anything else (修改初始密码, 两步验证's enrolment): the
 * only other way out. Its own file, not AuthBox's: the login page draws AuthBox without Ant Design.
 */
export function AuthLogoutLink() {
  const { logout } = useAuth();
  const navigate = useNavigate();
  return (
    <div className="auth-links">
      <Button
        type="link"
        onClick={async () => {
          await logout();
          navigate('/login', { replace: true });
        }}
      >
        退出登录
      </Button>
    </div>
  );
}
