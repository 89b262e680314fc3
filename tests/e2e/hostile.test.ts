import { request as httpRequest } from 'node:http';
import { describe, expect, inject, it } from 'vitest';

/**
 * Hostile inputs against the running production server (the shared e2e server, local mode):
 * each is a clear 4xx naming the problem, and the sources the server lists (uploads included)
 * are the same before and after.
 */
const appUrl = inject('appUrl');

async function sourcesSnapshot(): Promise<string> {
  const body = await (await fetch(`${appUrl}/api/sources`)).json();
  return JSON.stringify(body.sources);
}

/** Streams `totalBytes` as a chunked body (no Content-Length) until the server answers. */
function chunkedPost(pathname: string, totalBytes: number): Promise<{ status: number; body: string; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    const url = new URL(pathname, appUrl);
    let sentBytes = 0;
    let answered = false;
    const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (response) => {
      answered = true;
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body, sentBytes }));
    });
    request.on('error', (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const pump = () => {
      while (!answered && sentBytes < totalBytes) {
        sentBytes += chunk.length;
        if (!request.write(chunk)) return void request.once('drain', pump);
      }
      if (!answered) request.end();
    };
    request.write('{"model":"seasonal-naive","horizon":1,"series":[{"values":[1]}],"pad":"');
    pump();
  });
}

describe('hostile inputs', () => {
  it('the amplification request: 1,024 series x 99 levels x horizon 1,024 is a 413 stating the cap', async () => {
    const before = await sourcesSnapshot();
    const levels = Array.from({ length: 99 }, (_, index) => (index + 1) / 100);
    const series = Array.from({ length: 1024 }, () => ({ values: [1, 2, 3, 4] }));
    const response = await fetch(`${appUrl}/api/forecast`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'seasonal-naive', horizon: 1024, levels, series }) });
    expect(response.status).toBe(413);
    const { error } = await response.json();
    expect(error.message).toBe(
      'forecast: this request asks for 1024 series x horizon 1024 x 100 values (99 levels and the median) = 104857600 numbers; the cap is 2000000 per request (LOOKAHEAD_FORECAST_MAX_VALUES): send fewer series, a shorter horizon or fewer levels, or submit a job',
    );
    expect(await sourcesSnapshot()).toBe(before);
  });

  it('a 200 MB chunked body is cut off at the cap with a 413', async () => {
    const result = await chunkedPost('/api/forecast', 200 * 1024 * 1024);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body).error.message).toMatch(/^forecast: the body is over 67108864 bytes; the limit is 67108864 bytes/);
  }, 120_000);

  it('malformed multipart is a 400 naming the fix, and stores nothing', async () => {
    const before = await sourcesSnapshot();
    const response = await fetch(`${appUrl}/api/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\ndate,value\n2024-01-01,1\n(no closing boundary',
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toMatch(/^upload: the multipart body is malformed/);
    expect(await sourcesSnapshot()).toBe(before);
  });

  it('a timestamp with 400 fraction digits is a 400, in a forecast and in an upload', async () => {
    const before = await sourcesSnapshot();
    const long = `2024-01-01T00:00:00.${'1'.repeat(400)}Z`;
    const forecast = await fetch(`${appUrl}/api/forecast`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'seasonal-naive', horizon: 2, series: [{ values: [1, 2], timestamps: [long, '2024-01-02T00:00:00Z'] }] }),
    });
    expect(forecast.status).toBe(400);
    expect((await forecast.json()).error.message).toMatch(/^forecast: series\.0\.timestamps\.0/);
    const upload = await fetch(`${appUrl}/api/uploads?fileName=long.csv`, { method: 'POST', body: `date,value\n${long},1\n2024-01-02T00:00:00Z,2\n` });
    expect(upload.status).toBe(400);
    expect((await upload.json()).error.message).toMatch(/^csv: .*column "date"/);
    expect(await sourcesSnapshot()).toBe(before);
  });

  it('a CSV with 100,000 columns is a 400 naming the column cap', async () => {
    const before = await sourcesSnapshot();
    const header = ['date', ...Array.from({ length: 99_999 }, (_, index) => `c${index}`)].join(',');
    const row = ['2024-01-01', ...Array.from({ length: 99_999 }, () => '1')].join(',');
    const response = await fetch(`${appUrl}/api/uploads?fileName=wide.csv`, { method: 'POST', body: `${header}\n${row}\n` });
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toMatch(/^upload: "wide\.csv" has 100000 columns; uploads may have at most \d+/);
    expect(await sourcesSnapshot()).toBe(before);
  });

  it('path traversal on /api/files and /api/models is a 404 that reveals no path', async () => {
    const variants = ['../../../etc/passwd', '..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e/%2e%2e/etc/passwd', '....//....//etc/passwd', '..\\..\\etc\\passwd', '%252e%252e%252fetc%252fpasswd', 'x%00.parquet', '.hidden/a.parquet'];
    for (const variant of variants) {
      for (const base of ['/api/files/parquet/', '/api/files/air-passengers/', '/api/models/tiny-random/golden/']) {
        const response = await fetch(`${appUrl}${base}${variant}`);
        const label = `${base}${variant} -> ${response.status}`;
        expect([400, 404], label).toContain(response.status);
        const text = await response.text();
        expect(text, label).not.toContain('root:');
        // Input may be echoed; the server's own paths (data and models folders, checkout) never are.
        expect(text, label).not.toContain(process.cwd());
        expect(text, label).not.toMatch(/\/tmp\/lookahead-|\.parquet"?:|ENOENT|EACCES/);
      }
    }
  });

  it('internal errors show a reference, never driver text or paths', async () => {
    const response = await fetch(`${appUrl}/api/sources/${'x'.repeat(300)}/window?columns=a`);
    expect(response.status).toBeLessThan(500);
    expect(await response.text()).not.toContain(process.cwd());
  });
});
