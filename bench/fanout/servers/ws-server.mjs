// Reference server 1: a minimal `ws` WebSocketServer. Each HTTP-posted publication is serialized once and
// sent to every client.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { exitOnSignals, makeHttpHandler, parsePort } from './common.mjs';

const port = parsePort(process.argv);
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

const http = createServer(
  makeHttpHandler((body) => {
    const str = JSON.stringify({ type: body.type, channel: body.channel, data: body.data });
    for (const c of wss.clients) c.send(str);
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
