import { describe, expect, it } from 'vitest';
import { etagOf, notModified, pickEncoding } from './cache';
import { markup, trusted } from './html';
import { paragraphs, summary } from './render';

describe('markup', () => {
  it('escapes every interpolated value, keeps nested fragments, drops null, undefined and booleans', () => {
    const name = `<img src=x onerror="alert('1')">&amp;`;
    const inner = markup`<b>${name}</b>`;
    expect(markup`<p title="${name}">${inner}${null}${undefined}${false}${3}</p>`.value).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;amp;"><b>&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;amp;</b>3</p>',
    );
    expect(markup`<ul>${['a<', 'b'].map((x) => markup`<li>${x}</li>`)}</ul>`.value).toBe('<ul><li>a&lt;</li><li>b</li></ul>');
    expect(markup`<style>${trusted('a>b{}')}</style>`.value).toBe('<style>a>b{}</style>');
  });

  it('makes the 宣传稿 into paragraphs and the description into one line', () => {
    const text = '第一段\r\n第一段第二行\n\n\n  第二段  \n \n';
    expect(paragraphs(text).map((p) => p.value)).toEqual(['<p>第一段<br>第一段第二行</p>', '<p>第二段</p>']);
    expect(summary(text)).toBe('第一段 第一段第二行 第二段');
    expect(summary('长'.repeat(200))).toHaveLength(110);
  });
});

describe('encodings and ETags', () => {
  it('picks br, then gzip, and honours q=0', () => {
    expect(pickEncoding('gzip, deflate, br')).toBe('br');
    expect(pickEncoding('gzip')).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(pickEncoding('br;q=0.0, gzip;q=0')).toBe('identity');
    expect(pickEncoding('*')).toBe('gzip');
    expect(pickEncoding(undefined)).toBe('identity');
  });

  it('matches If-None-Match on any encoding of the page, weak or strong, or *', () => {
    const page = { hash: 'abc' };
    expect(etagOf(page, 'identity')).toBe('"abc"');
    expect(etagOf(page, 'br')).toBe('"abc-br"');
    expect(etagOf(page, 'gzip')).toBe('"abc-gz"');
    expect(notModified('"abc-gz"', page)).toBe(true);
    expect(notModified('"x", W/"abc"', page)).toBe(true);
    expect(notModified('*', page)).toBe(true);
    expect(notModified('"abcd"', page)).toBe(false);
    expect(notModified(undefined, page)).toBe(false);
  });
});
