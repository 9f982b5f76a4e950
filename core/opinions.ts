// The opinions a unit and 自治区科协 write on an application (修改意见, 推荐单位意见, 自治区科协's opinion): one rule
// for the server's check and the browser's text box.
import { z } from 'zod';
import { text } from './text';

/** The longest opinion, in characters. */
export const OPINION_MAX_LENGTH = 2000;

/** An opinion's text: required, at most OPINION_MAX_LENGTH characters. */
export const opinionTextSchema = text('意见', { required: '请填写意见' }).max(OPINION_MAX_LENGTH, `意见不能超过${OPINION_MAX_LENGTH}字`);

/** The body of saving an opinion: `{ text }`. */
export const opinionSchema = z.object({ text: opinionTextSchema });
