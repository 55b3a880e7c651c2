// Reference server 2: Socket.IO 4. Every client joins one room; each HTTP-posted publication is broadcast
// with io.to(room).emit('message', payload) (Socket.IO encodes a broadcast packet once).
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { exitOnSignals, makeHttpHandler, parsePort } from './common.mjs';

const port = parsePort(process.argv);
const ROOM = 'broadcast';
let io;
const http = createServer(
  makeHttpHandler((body) => {
    io.to(ROOM).emit('message', { type: body.type, channel: body.channel, data: body.data });
    return io.of('/').adapter.rooms.get(ROOM)?.size ?? 0;
  }),
);
io = new Server(http, { serveClient: false, perMessageDeflate: false, transports: ['websocket'] });
io.on('connection', (socket) => {
  socket.join(ROOM);
});
http.listen(port, '127.0.0.1', () =>
  process.stdout.write(`socket.io reference server on 127.0.0.1:${port}\n`),
);
exitOnSignals(() => {
  io.close();
  http.close();
});
