import { useRef, useState } from 'react';
import { Alert, App, Button, Checkbox, Empty, Input, Space, Spin, Tag, Typography } from 'antd';
import { ARTICLE_MAX_LENGTH } from '../../../../core/publication';
import { errorMessage } from '../../api';
import { previewUrl } from '../../client/attachments';
import { getProfile, saveProfile, type ProfileDetail } from '../../client/publication';
import { useUnsavedGuard } from '../../components/unsavedChanges';
import { useLoader } from '../../hooks';

interface Draft {
  article: string;
  photoIds: string[];
  videoIds: string[];
}

const same = (a: Draft, b: Draft) => a.article === b.article && a.photoIds.join() === b.photoIds.join() && a.videoIds.join() === b.videoIds.join();
const draftOf = (p: ProfileDetail): Draft => ({ article: p.article, photoIds: p.photoIds, videoIds: p.videoIds });

function seconds(s: number | null): string {
  if (s === null) return '';
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)}分${String(whole % 60).padStart(2, '0')}秒`;
}

/**
 * 编辑宣传稿 of one winner: the article (from 主要事迹 and 感人故事 at first), the photos chosen from the candidate's own (in
 * order: the first is the gallery's picture) and the videos. Unsaved changes are guarded (menu, Back, 退出, closing the tab).
 */
export function ProfileEditor({ applicationId, onSaved, dirtyRef }: { applicationId: string; onSaved: () => void; dirtyRef: { current: boolean } }) {
  const { message } = App.useApp();
  const [loaded, setLoaded] = useState<Draft | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const {
    data,
    loading,
    error: loadError,
  } = useLoader(() => getProfile(applicationId), [applicationId], {
    onLoad: (p) => {
      setLoaded(draftOf(p));
      setDraft(draftOf(p));
    },
  });
  const current = useRef<Draft | null>(null);
  current.current = draft;
  dirtyRef.current = !!draft && !!loaded && !same(draft, loaded);

  const save = async (): Promise<boolean> => {
    const d = current.current;
    if (!d) return true;
    setSaving(true);
    setError(null);
    try {
      const saved = await saveProfile(applicationId, d);
      setLoaded(draftOf(saved));
      setDraft(draftOf(saved));
      dirtyRef.current = false;
      message.success('宣传稿已保存');
      onSaved();
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setSaving(false);
    }
  };
  useUnsavedGuard(dirtyRef, { message: '宣传稿有未保存的修改，离开后将丢失。是否离开？', save });

  if (loading && !data) return <Spin />;
  if (loadError || !data || !draft) return <Alert type="error" showIcon title={loadError ?? '未能读取宣传稿'} />;

  const togglePhoto = (id: string, on: boolean) => setDraft({ ...draft, photoIds: on ? [...draft.photoIds, id] : draft.photoIds.filter((x) => x !== id) });
  const firstPhoto = (id: string) => setDraft({ ...draft, photoIds: [id, ...draft.photoIds.filter((x) => x !== id)] });
  const toggleVideo = (id: string, on: boolean) => setDraft({ ...draft, videoIds: on ? [...draft.videoIds, id] : draft.videoIds.filter((x) => x !== id) });

  return (
    <Space direction="vertical" size="middle" className="full-width">
      {data.published && <Alert type="info" showIcon title="评选结果已发布：此处的修改将更正公开页面，并记录修改人和时间" />}
      <div>
        <label htmlFor="profile-article">
          <Typography.Text strong>宣传稿</Typography.Text>
        </label>
        <Typography.Paragraph type="secondary" className="no-margin">
          初稿取自申请书的【主要事迹】和【感人故事】；段落之间空一行。
        </Typography.Paragraph>
        <Input.TextArea
          id="profile-article"
          value={draft.article}
          onChange={(e) => setDraft({ ...draft, article: e.target.value })}
          autoSize={{ minRows: 10, maxRows: 24 }}
          maxLength={ARTICLE_MAX_LENGTH}
          showCount
        />
      </div>
      <div>
        <div>
          <Typography.Text strong>照片</Typography.Text>
        </div>
        <Typography.Paragraph type="secondary" className="no-margin">
          从{data.name}本人上传的照片中选择；第1张为公开页面和展示墙的照片。
        </Typography.Paragraph>
        {data.photos.length === 0 ? (
          <Empty description="本人没有上传照片" image={Empty.PRESENTED_IMAGE_SIMPLE} />
        ) : (
          <Space wrap size="middle" align="start">
            {data.photos.map((photo) => {
              const order = draft.photoIds.indexOf(photo.id);
              return (
                <div key={photo.id} className="profile-photo" style={{ width: 160 }}>
                  {photo.hasPreview ? (
                    <img src={previewUrl(photo.id)} alt={`${photo.name}的预览`} width={160} height={120} style={{ objectFit: 'cover', display: 'block' }} />
                  ) : (
                    <Typography.Text>{photo.name}</Typography.Text>
                  )}
                  <Checkbox checked={order >= 0} onChange={(e) => togglePhoto(photo.id, e.target.checked)}>
                    选用 {photo.name}
                  </Checkbox>
                  {order >= 0 && (
                    <div>
                      <Tag color={order === 0 ? 'success' : 'default'}>{order === 0 ? '第1张（展示照片）' : `第${order + 1}张`}</Tag>
                      {order > 0 && (
                        <Button size="small" onClick={() => firstPhoto(photo.id)}>
                          设为第1张
                        </Button>
                      )}
                    </div>
                  )}
                </div>
              );
            })}
          </Space>
        )}
      </div>
      <div>
        <div>
          <Typography.Text strong>视频</Typography.Text>
        </div>
        {data.videos.length === 0 ? (
          <Empty description="本人没有上传视频" image={Empty.PRESENTED_IMAGE_SIMPLE} />
        ) : (
          <Space direction="vertical">
            {data.videos.map((video) => (
              <Checkbox key={video.id} checked={draft.videoIds.includes(video.id)} onChange={(e) => toggleVideo(video.id, e.target.checked)}>
                选用 {video.name}
                {video.durationSeconds !== null && <Typography.Text type="secondary">（{seconds(video.durationSeconds)}）</Typography.Text>}
              </Checkbox>
            ))}
          </Space>
        )}
      </div>
      {error && <Alert type="error" showIcon title={error} />}
      <Button type="primary" loading={saving} onClick={() => void save()}>
        保存
      </Button>
    </Space>
  );
}
