export function ContactFooter() {
  return (
    <footer className="contact-footer">
      <div>联系人：自治区科协调研宣传部，路遥，0991-6386020</div>
      <div>评选平台技术服务电话：0991-3193615</div>
    </footer>
  );
}
