// HTTP plumbing shared by the two reference servers (plain ws and Socket.IO).
export function readJsonBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

/**
 * Request handler: GET /healthz, POST /api/v1/publish (same path and body as livegate:
 * {"channel","type","data"}). `broadcast(body)` fans the publication out and returns the number of
 * recipients.
 */
export function makeHttpHandler(broadcast) {
  let offset = 0;
  return async (req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (req.method === 'POST' && req.url === '/api/v1/publish') {
      let body;
      try {
        body = await readJsonBody(req);
      } catch {
        res.writeHead(400).end();
        return;
      }
      const recipients = broadcast(body);
      offset += 1;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ channel: body.channel, offset, recipients }));
      return;
    }
    res.writeHead(404).end();
  };
}

export function parsePort(argv) {
  const i = argv.indexOf('--port');
  const port = i >= 0 ? Number(argv[i + 1]) : NaN;
  if (!Number.isInteger(port)) throw new Error('usage: --port <P>');
  return port;
}

export function exitOnSignals(close) {
  const stop = () => {
    close();
    // process.exit() (not death by signal) so that --cpu-prof writes its profile.
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
