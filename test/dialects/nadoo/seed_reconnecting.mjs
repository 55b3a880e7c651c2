/* global WebSocket */
/* eslint-disable @typescript-eslint/no-unused-vars -- the seed's onclose takes an event it does not use */
// The seed 004 "Reconnection Strategy" function, run against livegate by
// test/dialects/nadoo/seed-clients.test.ts in Node 20 with --experimental-websocket. The function between
// the SEED markers is the seed's, line for line; it is called with the URL from NADOO_URL.

// SEED
function createReconnectingWebSocket(url, maxRetries = 10) {
  let retries = 0;
  let ws;
  function connect() {
    ws = new WebSocket(url);
    ws.onopen = () => {
      retries = 0; // Reset on successful connection
    };
    ws.onclose = (event) => {
      if (retries < maxRetries) {
        const delay = Math.min(1000 * Math.pow(2, retries), 30000);
        console.log(`Reconnecting in ${delay}ms...`);
        setTimeout(connect, delay);
        retries++;
      }
    };
    return ws;
  }
  return connect();
}
// END SEED

createReconnectingWebSocket(process.env.NADOO_URL);
