import { describe, expect, it } from 'vitest';
import { html, safeUrl } from '../../src/web/html.js';

describe('html: escaping is the default', () => {
  it('escapes text and attribute values, nests safe fragments and arrays, drops empty values', () => {
    const title = '"><img src=x onerror=alert(1)>';
    const list = ['<b>', html`<i>${'&'}</i>`];
    expect(html`<a title="${title}">${title}</a>${list}${undefined}${false}${0}`.value).toBe(
      '<a title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</a>&lt;b&gt;<i>&amp;</i>0',
    );
  });

  it('lets only http(s) URLs become links or images', () => {
    expect(safeUrl('https://explainers.example/a b')).toBe('https://explainers.example/a%20b');
    for (const hostile of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>1</script>', 'vbscript:x', '//evil.example', 'not a url', undefined]) expect(safeUrl(hostile)).toBeUndefined();
  });
});
