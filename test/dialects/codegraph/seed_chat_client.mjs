/* global WebSocket */
// The JavaScript client example of seed 000 ("JavaScript Client Example"), run against livegate by
// test/dialects/codegraph/seed-clients.test.ts in Node 20 with --experimental-websocket (the global
// WebSocket). The class is the seed's, line for line (the seed test checks it against the seed document);
// the test puts the test gateway's port in place of 8000 in its one URL literal before running it.

class ChatClient {
  constructor(token) {
    this.token = token;
    this.ws = null;
    this.handlers = new Map();
    this.connectionId = null;
  }

  connect() {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(
        `ws://localhost:8000/api/v1/ws/chat?token=${this.token}`
      );

      this.ws.onerror = (error) => reject(error);

      this.ws.onmessage = (event) => {
        const message = JSON.parse(event.data);

        // Handle connection lifecycle
        if (message.type === 'connected') {
          this.connectionId = message.payload.connection_id;
          resolve(this);
          return;
        }

        const handler = this.handlers.get(message.request_id);
        if (handler) {
          handler(message);
        }
      };
    });
  }

  async query(text, onChunk) {
    const requestId = `req-${Date.now()}`;

    return new Promise((resolve, reject) => {
      let fullResponse = '';

      this.handlers.set(requestId, (message) => {
        switch (message.type) {
          case 'chat.chunk':
            fullResponse += message.payload.content;
            onChunk?.(message.payload.content);
            break;
          case 'chat.response':
            // Full response with metadata
            break;
          case 'chat.done':
            this.handlers.delete(requestId);
            resolve(fullResponse);
            break;
          case 'chat.error':
          case 'error':
            this.handlers.delete(requestId);
            reject(new Error(message.payload.error));
            break;
        }
      });

      this.ws.send(JSON.stringify({
        type: 'chat.query',
        payload: { query: text },
        request_id: requestId
      }));
    });
  }

  close() {
    this.ws?.close();
  }
}

// Usage, as in the seed, with the token and the question from the environment.
const client = await new ChatClient(process.env.CODEGRAPH_TOKEN).connect();
const response = await client.query(
  process.env.CODEGRAPH_QUERY,
  (chunk) => process.stdout.write(chunk)
);
console.log('\nFull response:', response);
client.close();
