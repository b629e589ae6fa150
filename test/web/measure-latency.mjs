// How long the live counter waits for the server: node test/web/measure-latency.mjs http://127.0.0.1:8787 (a running heraut web with jobs).
const base = process.argv[2] ?? 'http://127.0.0.1:8787';
const page = await (await fetch(`${base}/`)).text();
const jobId = /data-job-id="([^"]+)"/u.exec(page)?.[1];
const accounts = [...page.matchAll(/<section class="target [^"]*" data-account="([^"]+)"/gu)].map((match) => match[1]);
if (!jobId) throw new Error(`no job on ${base}/`);
const text = 'Moins chères que le lithium, les batteries au sodium équipent les premières citadines. ⚡🚗 #Énergie\n\nhttps://explainers.example/';
const times = [];
for (let i = 0; i < 200; i++) {
  const start = performance.now();
  const response = await fetch(`${base}/api/measure`, {
    method: 'POST',
    headers: { origin: base, 'content-type': 'application/json' },
    body: JSON.stringify({ jobId, account: accounts[i % accounts.length], text: text + 'x'.repeat(i) }),
  });
  await response.json();
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(`POST /api/measure, 200 requests one after another: median ${times[100].toFixed(1)} ms, p95 ${times[190].toFixed(1)} ms, max ${times[199].toFixed(1)} ms`);
