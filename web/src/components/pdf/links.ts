/** Our own page that draws a PDF attachment with pdf.js (never the file itself: that is always a download). */
export const pdfPageUrl = (attachmentId: string) => `/pdf/${attachmentId}`;

/** The original as uploaded: a download (Content-Disposition: attachment). */
export { originalUrl as pdfOriginalUrl } from '../../client/attachments';
