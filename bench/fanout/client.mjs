// Load-generator child process: holds a share of the subscribed connections, records per-delivery
// end-to-end latency and per-connection counts. Driven by the orchestrator (run.mjs) over IPC.
//
// kind "ws"       → `ws` client, ready on 'open'                 (plain ws reference server)
// kind "livegate" → `ws` client, ready on the `connected` frame  (livegate /ws)
// kind "sio"      → socket.io-client, websocket transport only, ready on 'connect'
import { writeFileSync } from 'node:fs';
import { io as sioConnect } from 'socket.io-client';
import WebSocket from 'ws';
import { nowMs, signJwt } from './lib.mjs';

const sockets = [];

let counts = new Int32Array(0); // deliveries per connection
let lastSeq = new Int32Array(0); // last seq seen per connection
let latencies = new Float64Array(0);
let nLat = 0;
let delivered = 0;
let duplicates = 0;
let outOfOrder = 0;
let other = 0; // frames that were not bench publications (after ready)
let closedEarly = 0;
let firstRecv = Infinity;
let lastRecv = -Infinity;
let expectedTotal = Infinity;
let doneSent = false;
let cpuAtReset = process.cpuUsage();
let measuring = false;
let frameBytes = NaN; // size of one delivered frame, sampled once (payload of the WebSocket frame)

function onPublication(i, data) {
  const t = nowMs();
  if (!measuring) {
    other += 1;
    return;
  }
  delivered += 1;
  counts[i] += 1;
  const seq = data.seq;
  if (seq <= lastSeq[i]) duplicates += 1;
  else if (seq !== lastSeq[i] + 1) outOfOrder += 1;
  if (seq > lastSeq[i]) lastSeq[i] = seq;
  if (nLat < latencies.length) latencies[nLat++] = t - data.ts;
  if (t < firstRecv) firstRecv = t;
  if (t > lastRecv) lastRecv = t;
  if (!doneSent && delivered >= expectedTotal) {
    doneSent = true;
    process.send({ ev: 'done', delivered });
  }
}

function openWs(i, url, readyOnConnectedFrame) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 30_000 });
    let ready = false;
    const markReady = () => {
      ready = true;
      resolve(ws);
    };
    ws.on('open', () => {
      if (!readyOnConnectedFrame) markReady();
    });
    ws.on('message', (buf, isBinary) => {
      if (isBinary) {
        other += 1;
        return;
      }
      // Both ws and livegate frames are JSON objects with the publication under `data`.
      let msg;
      try {
        msg = JSON.parse(buf.toString());
      } catch {
        other += 1;
        return;
      }
      if (msg.type === 'bench') {
        if (frameBytes !== frameBytes && measuring) frameBytes = buf.length;
        onPublication(i, msg.data);
      }
      else if (!ready && msg.type === 'connected') markReady();
      else if (!ready && msg.type === 'error') reject(new Error(`server error frame: ${buf}`));
      else other += 1;
    });
    ws.on('error', (err) => {
      if (!ready) reject(err);
    });
    ws.on('close', (code) => {
      if (!ready) reject(new Error(`closed before ready (code ${code})`));
      else closedEarly += 1;
    });
    sockets.push({ close: () => ws.terminate() });
  });
}

function openSio(i, url) {
  return new Promise((resolve, reject) => {
    const socket = sioConnect(url, {
      transports: ['websocket'],
      forceNew: true, // one engine.io connection per client, no multiplexing
      reconnection: false,
      timeout: 30_000,
      perMessageDeflate: false,
    });
    let ready = false;
    socket.on('connect', () => {
      ready = true;
      resolve(socket);
    });
    socket.on('connect_error', (err) => {
      if (!ready) reject(err);
    });
    socket.on('disconnect', () => {
      if (ready) closedEarly += 1;
    });
    socket.on('message', (msg) => {
      if (msg && msg.type === 'bench') {
        // Socket.IO's text packet for emit('message', msg): 42["message",<json>]
        if (frameBytes !== frameBytes && measuring) frameBytes = Buffer.byteLength(`42${JSON.stringify(['message', msg])}`);
        onPublication(i, msg.data);
      }
      else other += 1;
    });
    sockets.push({ close: () => socket.disconnect() });
  });
}

async function connectAll({ kind, baseUrl, first, count, batch, secret }) {
  const t0 = nowMs();
  counts = new Int32Array(count);
  lastSeq = new Int32Array(count);
  let failed = 0;
  const errors = [];
  for (let start = 0; start < count; start += batch) {
    const jobs = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      let p;
      if (kind === 'sio') {
        p = openSio(i, baseUrl);
      } else {
        const token = signJwt(
          { sub: `bench-${first + i}`, exp: Math.floor(Date.now() / 1000) + 3600 },
          secret,
        );
        p = openWs(i, `${baseUrl}/ws?token=${token}`, kind === 'livegate');
      }
      jobs.push(
        p.catch((err) => {
          failed += 1;
          if (errors.length < 5) errors.push(String(err?.message ?? err));
        }),
      );
    }
    await Promise.all(jobs);
  }
  return { connected: count - failed, failed, errors, ms: nowMs() - t0 };
}

process.on('message', async (m) => {
  try {
    if (m.cmd === 'connect') {
      const r = await connectAll(m);
      process.send({ ev: 'connected', ...r });
    } else if (m.cmd === 'arm') {
      // Start counting: everything before this (e.g. livegate's `connected` frames) is not a delivery.
      latencies = new Float64Array(counts.length * m.pubs);
      nLat = 0;
      delivered = 0;
      duplicates = 0;
      outOfOrder = 0;
      counts.fill(0);
      lastSeq.fill(0);
      firstRecv = Infinity;
      lastRecv = -Infinity;
      expectedTotal = counts.length * m.pubs;
      doneSent = false;
      measuring = true;
      cpuAtReset = process.cpuUsage();
      process.send({ ev: 'armed' });
    } else if (m.cmd === 'status') {
      process.send({ ev: 'status', delivered });
    } else if (m.cmd === 'report') {
      measuring = false;
      writeFileSync(m.file, Buffer.from(latencies.buffer, 0, nLat * 8));
      let minPerConn = Infinity;
      let maxPerConn = 0;
      for (const c of counts) {
        if (c < minPerConn) minPerConn = c;
        if (c > maxPerConn) maxPerConn = c;
      }
      const cpu = process.cpuUsage(cpuAtReset);
      process.send({
        ev: 'report',
        connections: counts.length,
        delivered,
        duplicates,
        outOfOrder,
        other,
        closedEarly,
        firstRecv,
        lastRecv,
        minPerConn,
        maxPerConn,
        latencies: nLat,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        cpuUserSeconds: cpu.user / 1e6,
        cpuSystemSeconds: cpu.system / 1e6,
        rssBytes: process.memoryUsage.rss(),
        frameBytes,
      });
    } else if (m.cmd === 'exit') {
      for (const s of sockets) s.close();
      process.exit(0);
    }
  } catch (err) {
    process.send({ ev: 'error', message: String(err?.stack ?? err) });
  }
});

process.on('disconnect', () => process.exit(0));
process.send({ ev: 'hello' });
