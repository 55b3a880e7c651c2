// Reference server 1: a minimal `ws` WebSocketServer. Each HTTP-posted publication is serialized once and
// sent to every client: `for (const c of wss.clients) c.send(str)`.
// With --buffer (the optional "ws-buf" variant) the serialized string is also encoded to a Buffer once, so
// ws does not UTF-8-encode it again for every socket.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { exitOnSignals, makeHttpHandler, parsePort } from './common.mjs';

const port = parsePort(process.argv);
const asBuffer = process.argv.includes('--buffer');
const TEXT = { binary: false };
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

const http = createServer(
  makeHttpHandler((body) => {
    const str = JSON.stringify({ type: body.type, channel: body.channel, data: body.data });
    if (asBuffer) {
      const buf = Buffer.from(str);
      for (const c of wss.clients) c.send(buf, TEXT);
    } else {
      for (const c of wss.clients) c.send(str);
    }
    return wss.clients.size;
  }),
);
http.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', () => {});
  });
});
http.listen(port, '127.0.0.1', () => process.stdout.write(`ws reference server on 127.0.0.1:${port}\n`));
exitOnSignals(() => http.close());
